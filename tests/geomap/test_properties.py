"""Hostile text through the whole pipeline, as hypothesis generates it.

Arbitrary Unicode, control characters, very long tokens, right-to-left text, emoji, HTML and
script fragments, mixed with real place names, go through input decoding, the real spaCy model
and the tiny gazetteer, and every output. The properties:

- no exception escapes (bad input may only be refused with an :class:`InputError`);
- every offset satisfies ``text[start:end] == surface``, sentences hold their mentions;
- a text longer than the model's ``max_length`` is split, never refused;
- JSON Lines, JSON, GeoJSON, CSV and KML parse, and carry the text unchanged;
- the HTML map has the same element structure whatever the article says: the text reaches
  the page only inside its JSON data block, which parses back to the data; the review page
  gains no script, event handler or ``javascript:`` link from it.

Examples are kept few (the model is real), so that this file runs in well under a minute.
"""

from __future__ import annotations

import csv
import io
import json
import math
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest
import trafilatura  # noqa: F401 - imported here: urllib3 probes IPv6 with a socket on first import
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geomap.outputs import export
from geomap.errors import InputError
from geomap.model import SourceDocument
from geomap.sources.files import read_inputs

pytestmark = pytest.mark.model

PLACES = ["Kharkiv", "Kyiv", "Kherson", "the Kherson region", "Mariupol", "Alexandria, Louisiana", "Paris",
          "Izium", "Donbas", "Ukraine", "Atlanta", "Georgia"]
HOSTILE = ["<script>alert(1)</script>", "</script><script>alert(2)</script>", "<!--", "-->", "]]>",
           "<img src=x onerror=alert(3)>", "<b>Kyiv</b>", "\"'`", "&amp;", "&lt;Kharkiv&gt;", "{{ x }}",
           "{% raw %}", "${x}", "`${x}`", "\\u003c", "</style>", "<![CDATA[", "<?xml version='1.0'?>",
           "javascript:alert(4)", "\u2028", "\u2029", "\\", "%s %d", "\x00"]
RTL = ["القدس", "בירושלים", "\u202eKyiv\u202c", "\u200f", "\u200e", "کیف", "خاركيف"]
EMOJI = ["🇺🇦", "👩‍👩‍👧", "🔥", "🏳️‍🌈", "\ufe0f", "🗺"]
ODD = ["e\u0301", "\u0336", "\ufeff", "\u00ad", "\u200b", "\ufffd", "\U0010fffd", "ǅ", "ﬁ", "ß", "İ", "\t",
       "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x85"]

_fragment = st.one_of(
    st.sampled_from(PLACES),
    st.sampled_from(HOSTILE),
    st.sampled_from(RTL),
    st.sampled_from(EMOJI),
    st.sampled_from(ODD),
    st.text(max_size=12),                                                   # any code point but surrogates
    st.text(st.characters(categories=["Cc", "Cf", "Zl", "Zp", "Mn"]), max_size=4),   # controls, format
    st.builds(lambda c, n: c * n, st.characters(exclude_categories=["Cs"]), st.integers(200, 3000)),  # long
    st.builds(lambda name, n: name * n, st.sampled_from(PLACES), st.integers(2, 40)),  # "KyivKyivKyiv"
)
_separator = st.sampled_from([" ", " ", "\n", "\n\n", ". ", ", ", "", "\t"])
texts = st.lists(st.tuples(_fragment, _separator), max_size=14).map(
    lambda parts: "".join(f + s for f, s in parts))
metadata_text = st.one_of(st.sampled_from(HOSTILE + RTL + EMOJI + PLACES), st.text(max_size=20))


def _check_offsets(doc) -> None:
    for pm in doc.mentions:
        m = pm.mention
        assert 0 <= m.start < m.end <= len(doc.text)
        assert doc.text[m.start:m.end] == m.surface
        s_start, s_end = m.sentence
        if (s_start, s_end) != (0, 0):
            assert 0 <= s_start <= m.start < m.end <= s_end <= len(doc.text)
        excerpt = doc.excerpt(m)
        assert excerpt.match == m.surface


def _check_exports(docs, gazetteer) -> None:
    lines = "".join(export.to_jsonl_line(d) for d in docs).split("\n")
    assert lines[-1] == ""
    records = [json.loads(line) for line in lines[:-1]]
    assert [r["id"] for r in records] == [d.id for d in docs]
    for record, doc in zip(records, docs):
        assert record.get("title") == (doc.title or None)
        for place in record["places"]:
            assert doc.text[place["start"]:place["end"]] == place["surface"]
    assert json.loads(export.to_json(docs)) == records
    collection = json.loads(export.to_geojson(docs, gazetteer=gazetteer))
    assert collection["type"] == "FeatureCollection"
    for feature in collection["features"]:
        assert feature["geometry"]["type"] in ("Point", "Polygon", "MultiPolygon")
        for excerpt in feature["properties"]["excerpts"]:
            assert excerpt["match"] in excerpt["text"]
    rows = list(csv.reader(io.StringIO(export.to_csv(docs), newline="")))  # as csv.reader needs
    assert len(rows) == 1 + sum(len(d.mentions) for d in docs)
    for row in rows[1:]:
        doc = next(d for d in docs if d.id == row[0])
        assert doc.text[int(row[1]):int(row[2])] == row[3]
    if hasattr(export, "to_kml"):
        ElementTree.fromstring(export.to_kml(docs, gazetteer=gazetteer).encode("utf-8"))


class _Structure(HTMLParser):
    """The element structure of a page, its event-handler attributes and script links, and the
    text of its JSON data blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.script_links: list[str] = []
        self.data_blocks: list[str] = []
        self._in_data = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        self.script_links += [value for name, value in attrs
                              if name in ("href", "src", "action") and value
                              and value.strip().lower().startswith(("javascript:", "data:text/html"))]
        self._in_data = tag == "script" and ("type", "application/json") in attrs

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)
        self._in_data = False

    def handle_data(self, data):
        if self._in_data:
            self.data_blocks.append(data)


def _structure(page: str) -> _Structure:
    parser = _Structure()
    parser.feed(page)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def baseline_tags(tiny_pipeline, tiny_gazetteer):
    from geomap.outputs.map import page_html, render

    doc = tiny_pipeline.parse("Sirens sounded in Kyiv.", id="plain", title="Plain",
                              metadata={"date": "2024-03-05", "site": "Ledger", "url": "http://news.example/a"})
    return _structure(page_html(render([doc], gazetteer=tiny_gazetteer, tiles=None))).tags


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts)
@example("Kharkiv\x00\x01\x7f and Kyiv\u2028Mariupol")
@example("<script>alert(1)</script> Shelling hit Kharkiv. </script><!-- Kyiv")
@example("في خاركيف Kharkiv 🇺🇦 \u202eKyiv\u202c")
@example("K" * 5000 + " Kharkiv " + "ы" * 3000)
@example("")
def test_any_text_parses_with_exact_offsets(tiny_pipeline, text):
    doc = tiny_pipeline.parse(text, id="doc")
    assert doc.text == text
    _check_offsets(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(texts, st.one_of(st.none(), metadata_text), metadata_text), min_size=1, max_size=3,
                unique_by=lambda t: t[2]))
@example([("Shelling hit Kharkiv and Kyiv.", "</title><script>alert(1)</script>", "</script><b>id")])
@example([("Mariupol\u2028Kherson.", "\u2028", "\u2029"), ("Kyiv 🇺🇦", "&lt;", "<!--")])
@example([("Kharkiv {{ 7*7 }} {% raw %}. Kyiv {# x", "{{ cycler.__init__.__globals__.os.getpid() }}", "{%- if 1 %}")])
def test_every_output_parses_and_the_html_keeps_its_structure(tiny_pipeline, tiny_gazetteer, baseline_tags,
                                                               items):
    from geomap.outputs.map import map_data, page_html, render

    sources = [SourceDocument(doc_id, text, title, {"date": "2024-03-05", "site": title or "", "url": doc_id})
               for text, title, doc_id in items]
    docs = list(tiny_pipeline.parse_many(sources))
    for doc in docs:
        _check_offsets(doc)
    _check_exports(docs, tiny_gazetteer)

    page = page_html(render(docs, gazetteer=tiny_gazetteer, tiles=None))
    parsed = _structure(page)
    assert parsed.tags == baseline_tags  # nothing an article says adds, removes or closes an element
    [block] = parsed.data_blocks
    data = json.loads(block)
    expected = json.loads(json.dumps(map_data(docs, gazetteer=tiny_gazetteer, outlines=True)))
    assert data["docs"] == expected["docs"] and data["p"] == expected["p"]
    for record in data["p"]:
        assert all(math.isfinite(v) for v in (record["x"], record["y"]))

    from geomap.review.page import review_html
    from geomap.review.report import build_review

    review = _structure(review_html(build_review(docs, gazetteer=tiny_gazetteer), gazetteer=tiny_gazetteer,
                                    tiles=None, title=docs[0].title or docs[0].id))
    assert review.tags.count("script") == 4 and review.handlers == [] and review.script_links == []
    [review_block] = review.data_blocks
    json.loads(review_block)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(texts, st.integers(40, 400))
@example("Kharkiv. " * 100, 50)
@example("x" * 2000 + " Kyiv", 40)
def test_a_text_longer_than_max_length_is_split_not_refused(tiny_pipeline, text, max_length):
    from geomap.windows import windows

    cuts = list(windows(text, max_length))
    assert [w.own_start for w in cuts] == [0] + [w.own_end for w in cuts[:-1]]  # the owned parts tile the text
    assert cuts[-1].own_end == len(text)
    assert all(w.end - w.start <= max_length for w in cuts)
    nlp = tiny_pipeline.nlp
    saved = nlp.max_length
    nlp.max_length = max_length
    try:
        doc = tiny_pipeline.parse(text)
    finally:
        nlp.max_length = saved
    assert doc.text == text
    _check_offsets(doc)


def _input_bytes():
    text_bytes = texts.map(lambda t: t.encode("utf-8"))
    wrapped = texts.map(lambda t: f"<!DOCTYPE html><html><head><title>{t[:40]}</title></head>"
                                  f"<body><nav>{t[:20]}</nav><article><p>{t}</p></article></body></html>".encode())
    feed = texts.map(lambda t: ('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item>'
                                f"<title>{t[:30]}</title><description>{t}</description>"
                                "<pubDate>Tue, 05 Mar 2024 06:30:00 +0200</pubDate></item></channel></rss>").encode())
    legacy = st.tuples(texts, st.sampled_from(["cp1251", "cp1252", "latin-1", "koi8-r", "utf-16"])).map(
        lambda pair: pair[0].encode(pair[1], errors="replace"))
    return st.one_of(st.binary(max_size=600), text_bytes, wrapped, feed, legacy)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_input_bytes())
@example(b"\x89PNG\r\n\x1a\n\x00")
@example(b"<html><body><script>Kyiv</script></body></html>")
@example(b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>')
@example("Київ".encode("cp1251") + b"\x98\x98")
def test_any_input_bytes_are_read_or_refused_with_one_line(tiny_pipeline, data):
    try:
        sources = list(read_inputs(["-"], stdin=io.BytesIO(data)))
    except InputError as exc:
        message = str(exc)
        assert message.startswith("<stdin>") and "\n" not in message
        return
    assert sources
    for doc in tiny_pipeline.parse_many(sources):
        _check_offsets(doc)
