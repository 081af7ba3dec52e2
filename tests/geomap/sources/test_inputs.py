"""Inputs that are files: directories, file lists, encodings, saved pages, feeds, dates.

The file tests may not touch the network: pytest-socket blocks sockets, and ``no_network``
(``conftest.py``) also fails a test that so much as tries to connect, resolve a name or fetch.
The web tests are in ``test_web.py``.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import sys
from pathlib import Path

import pytest
import trafilatura  # noqa: F401 - imported here: urllib3 probes IPv6 with a socket on first import
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.cli import main
from geomap.errors import InputError
from geomap.model import SourceDocument
from geomap.sources.decode import decode_text
from geomap.sources.files import read_file_list, read_inputs
from geomap.timeline import DateFilter, DateRange, document_day, parse_bound, parse_iso

WEB = Path(__file__).parents[2] / "fixtures" / "web"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- directories and file lists -----------------------------------------------------------------


@pytest.fixture()
def folder(tmp_path) -> Path:
    root = tmp_path / "downloads"
    (root / "2024" / "march").mkdir(parents=True)
    (root / ".cache").mkdir()
    (root / "b_note.txt").write_text("Shelling was reported near Kharkiv.\n", encoding="utf-8")
    (root / "a_story.md").write_text(
        "---\ntitle: Sirens in Kyiv\ndate: 2024-03-02\nurl: https://news.example/kyiv\n---\n"
        "# Sirens in Kyiv\n\nSirens sounded in [Kyiv](https://news.example/city) overnight. "
        "![Map of Mariupol](map.png)\n", encoding="utf-8")
    (root / "2024" / "march" / "page.html").write_bytes((WEB / "night_of_sirens.html").read_bytes())
    (root / "2024" / "corpus.jsonl").write_text(
        json.dumps({"id": "j1", "text": "Kherson", "date": "2024-03-04"}) + "\n", encoding="utf-8")
    with gzip.open(root / "2024" / "more.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({"id": "g1", "text": "Mariupol", "url": "https://news.example/m"}) + "\n")
        handle.write(json.dumps({"id": "g2", "text": "Izium"}) + "\n")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")   # not an article suffix: skipped
    (root / "table.csv").write_text("a,b\n", encoding="utf-8")         # skipped
    (root / ".hidden.txt").write_text("Paris", encoding="utf-8")        # hidden: skipped
    (root / ".cache" / "x.txt").write_text("Atlanta", encoding="utf-8")  # hidden folder: skipped
    return root


def test_directory_is_read_recursively_in_order(folder, no_network):
    docs = list(read_inputs([str(folder)]))
    assert [d.id for d in docs] == ["j1", "2024/march/page.html", "g1", "g2", "a_story.md", "b_note.txt"]
    by_id = {d.id: d for d in docs}
    assert by_id["j1"].metadata["date"] == "2024-03-04"
    assert by_id["g1"].metadata["url"] == "https://news.example/m"
    page = by_id["2024/march/page.html"]
    assert page.title == "Night of sirens in Kharkiv"
    assert "Families carried blankets" in page.text and "Share on Facebook" not in page.text
    story = by_id["a_story.md"]
    assert story.title == "Sirens in Kyiv"
    assert dict(story.metadata) == {"date": "2024-03-02", "url": "https://news.example/kyiv"}
    assert story.text.startswith("Sirens in Kyiv\n\nSirens sounded in Kyiv overnight. Map of Mariupol")
    assert "https://" not in story.text and "---" not in story.text


def test_directory_without_articles_is_an_error(tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "data.csv").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty is a directory with no article files"):
        list(read_inputs([str(tmp_path / "empty")]))


def test_an_empty_file_in_a_directory_fails_alone(folder):
    (folder / "c_blank.txt").write_text("  \n", encoding="utf-8")
    failures = []
    docs = list(read_inputs([str(folder)], on_error=lambda name, exc: failures.append((name, str(exc)))))
    assert len(docs) == 6
    assert [name for name, _ in failures] == [str(folder / "c_blank.txt")]
    assert "is empty" in failures[0][1]


def test_read_inputs_is_lazy(tmp_path):
    (tmp_path / "a.txt").write_text("Kyiv", encoding="utf-8")
    documents = read_inputs([str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")])
    assert next(documents).text == "Kyiv"  # the missing file is not touched yet
    with pytest.raises(InputError, match="does not exist"):
        next(documents)


def test_on_error_reports_and_goes_on(tmp_path):
    (tmp_path / "a.txt").write_text("Kyiv", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Kharkiv", encoding="utf-8")
    failures = []
    names = [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), str(tmp_path / "c.txt")]
    docs = list(read_inputs(names, on_error=lambda name, exc: failures.append(name)))
    assert [d.id for d in docs] == ["a", "c"]
    assert failures == [str(tmp_path / "b.txt")]


def test_file_list_from_stdin():
    listing = b"a.txt\r\n\n  # a comment\n dir/b.html \nhttps://news.example/x\n"
    assert read_file_list("-", stdin=io.BytesIO(listing)) == ["a.txt", "dir/b.html", "https://news.example/x"]
    with pytest.raises(InputError, match="lists no inputs"):
        read_file_list("-", stdin=io.BytesIO(b"\n# nothing\n"))
    with pytest.raises(InputError, match="lists '-'"):
        read_file_list("-", stdin=io.BytesIO(b"-\n"))


def test_cli_files_from_stdin(capsys, monkeypatch, folder, tmp_path, tiny_gazetteer_path, no_network):
    listing = f"{folder / 'b_note.txt'}\n{folder / '2024' / 'corpus.jsonl'}\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(listing)))
    code, out, err = run(capsys, "places", "--files-from", "-", "--format", "jsonl",
                         "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["b_note", "j1"]
    assert records[1]["date"] == "2024-03-04"
    assert {p["name"] for r in records for p in r["places"]} == {"Kharkiv", "Kherson"}


def test_cli_needs_an_input(capsys, tiny_gazetteer_path):
    code, out, err = run(capsys, "places", "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and "no INPUT given" in err and len(err.strip().splitlines()) == 1


def test_cli_a_missing_file_among_others(capsys, folder, tmp_path, tiny_gazetteer_path):
    """A failed input is reported on one line; the others still map; the status says so."""
    out_path = tmp_path / "map.html"
    missing = tmp_path / "gone.txt"
    code, out, err = run(capsys, "map", folder / "b_note.txt", missing, "-o", out_path, "--tiles", "none",
                         "--gazetteer", tiny_gazetteer_path, "-q")
    errors = [line for line in err.splitlines() if line.startswith("geomap: error:")]
    assert errors == [f"geomap: error: {missing} does not exist: check the path"]
    assert "1 input(s) failed" in err and "Traceback" not in err
    assert code == 2
    assert out.strip() == str(out_path) and "Kharkiv" in out_path.read_text(encoding="utf-8")


# -- encodings ----------------------------------------------------------------------------------

CYRILLIC = "Жители Харькова провели ночь в убежищах. В Киеве также звучали сирены, сообщили власти."
WESTERN = "Le maire de Kharkiv a déclaré que la ville était privée d'électricité. À Kyiv, les sirènes."


@pytest.mark.parametrize(("text", "encoding", "guess"), [
    (CYRILLIC, "cp1251", "cp1251"),
    (CYRILLIC, "koi8-r", "koi8_r"),
    ("Київ і Харків", "cp1251", "cp1251"),
    (WESTERN, "latin-1", "cp1252"),
    ("Kyiv — café", "cp1252", "cp1252"),
])
def test_non_utf8_text_is_decoded_with_a_logged_guess(caplog, text, encoding, guess):
    with caplog.at_level(logging.DEBUG, logger="geomap.sources.decode"):
        assert decode_text("article.txt", text.encode(encoding)) == text
    assert f"article.txt: not UTF-8; decoded as {guess}" in caplog.text


def test_declared_charset_wins_and_html_meta_is_read(tmp_path, caplog):
    page = ("<html><head><meta http-equiv='Content-Type' content='text/html; charset=windows-1251'>"
            f"<title>Харків</title></head><body><article><p>{CYRILLIC}</p></article></body></html>")
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp1251"))
    with caplog.at_level(logging.DEBUG, logger="geomap.sources.decode"):
        [doc] = read_inputs([str(path)])
    assert doc.title == "Харків" and CYRILLIC in doc.text
    assert "decoded as declared cp1251" in caplog.text


@pytest.mark.parametrize(("data", "needle"), [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary (PNG image)"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "binary (PDF document)"),
    (bytes(range(1, 256)) * 8, "not text in any encoding"),
    (b"text then a NUL \x00 byte", "binary file"),
])
def test_undecodable_or_binary_input_is_refused(tmp_path, data, needle):
    path = tmp_path / "thing.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=needle.replace("(", r"\(").replace(")", r"\)")):
        list(read_inputs([str(path)]))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\ufeff")))
def test_utf8_text_always_round_trips(text):
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    data = text.encode("utf-8")
    if data.startswith((b"%PDF-", b"GIF87a", b"GIF89a")):
        return
    assert decode_text("x.txt", data) == expected


# -- saved pages and feeds (no network) ---------------------------------------------------------


def test_saved_pages_lose_their_boilerplate_and_keep_metadata(no_network):
    night, grain = read_inputs([str(WEB / "night_of_sirens.html"), str(WEB / "grain_port.html")])
    assert night.id == "night_of_sirens"
    assert dict(night.metadata) == {"date": "2024-03-05", "author": "Olena Testwriter",
                                    "site": "The Borderland Ledger",
                                    "url": "http://news.example/world/night-of-sirens"}
    assert grain.title == "Grain port reopens in Kherson"
    assert grain.metadata["date"] == "2024-03-07" and grain.metadata["site"] == "The Southern Courier"
    for doc in (night, grain):
        for boilerplate in ("Related articles", "You may also like", "Share on", "Tweet", "Comments",
                            "comments", "Paris", "Atlanta", "Louisiana", "Georgia", "Izium", "Copyright",
                            "Newsletter", "Home", "Front page", "window.analytics"):
            assert boilerplate not in doc.text, (doc.id, boilerplate)


def test_feed_files_become_documents_without_fetching_links(no_network):
    docs = list(read_inputs([str(WEB / "ledger_feed.xml"), str(WEB / "courier_atom.xml")], follow=False))
    assert [d.id for d in docs] == ["ledger-0001", "ledger-0002", "ledger-0003",
                                    "urn:example:courier:ferry", "urn:example:courier:power"]
    assert [d.metadata["date"] for d in docs] == [
        "2024-03-05T06:30:00+02:00", "2024-03-07T09:00:00+00:00", "2024-03-09T12:15:00+00:00",
        "2024-03-08T07:45:00+02:00", "2024-03-02T18:00:00+00:00"]
    first = docs[0]
    assert first.title == "Sirens over Kharkiv"
    assert first.text == "Sirens over Kharkiv\n\nResidents of Kharkiv spent the night in shelters as sirens sounded."
    assert dict(first.metadata) == {"date": "2024-03-05T06:30:00+02:00", "author": "Olena Testwriter",
                                    "url": "http://news.example/articles/night-of-sirens",
                                    "site": "The Borderland Ledger: Ukraine"}
    assert "<b>" not in docs[1].text and "river port of Kherson loaded" in docs[1].text
    assert docs[4].metadata["site"] == "The Southern Courier"


def test_a_feed_without_items_and_a_broken_feed(tmp_path):
    empty = tmp_path / "empty.rss"
    empty.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>',
                     encoding="utf-8")
    with pytest.raises(InputError, match="feed with no items"):
        list(read_inputs([str(empty)]))
    broken = tmp_path / "broken.xml"
    broken.write_text("this is not <xml at all", encoding="utf-8")
    with pytest.raises(InputError, match="not a valid RSS or Atom feed"):
        list(read_inputs([str(broken)]))


_HOSTILE_FEED = """<?xml version="1.0"?>
<!DOCTYPE rss [
  <!ENTITY secret SYSTEM "file://SECRET_PATH">
  <!ENTITY remote SYSTEM "http://127.0.0.1:9/dtd">
  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>Hostile</title>
<item><title>Kyiv &secret;</title><description>Kharkiv &lol9; &remote;</description></item>
</channel></rss>
""".encode()


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_a_feed_with_entities_reads_no_file_fetches_nothing_and_expands_nothing(tmp_path, how, no_network):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-7f3a")
    feed = _HOSTILE_FEED.replace(b"SECRET_PATH", str(secret).encode())
    if how == "file":
        path = tmp_path / "hostile.rss"
        path.write_bytes(feed)
        [doc] = read_inputs([str(path)])
    else:
        [doc] = read_inputs(["-"], stdin=io.BytesIO(feed))
    assert doc.metadata["site"] == "Hostile"  # read as a feed, the DOCTYPE notwithstanding
    assert doc.title.startswith("Kyiv") and "Kharkiv" in doc.text
    assert "TOPSECRET" not in doc.text and "TOPSECRET" not in doc.title
    assert "lollol" not in doc.text and len(doc.text) < 200


# -- dates --------------------------------------------------------------------------------------


def test_parse_iso_and_days():
    assert parse_iso("2024-03-05T06:30:00Z").utcoffset().total_seconds() == 0
    assert parse_iso("2024-03-05T06:30:00").tzinfo is not None      # naive is taken as UTC
    assert parse_iso("5 March 2024") is None and parse_iso(None) is None and parse_iso("2024-13-01") is None
    assert document_day("2024-03-05T23:30:00-05:00") == "2024-03-05"
    with pytest.raises(ValueError, match="not a date"):
        parse_bound("yesterday")


def test_date_range_bounds_are_inclusive():
    march = DateRange(parse_bound("2024-03-01"), parse_bound("2024-03-31"))
    assert march.contains("2024-03-01") and march.contains("2024-03-31T23:59:00+05:00")
    assert not march.contains("2024-02-29T23:59:59+00:00") and not march.contains("2024-04-01")
    assert march.contains("sometime") is None
    noon = DateRange(since=parse_bound("2024-03-05T12:00:00+00:00"))
    assert noon.contains("2024-03-05")            # a day-only date counts as the whole day
    assert not noon.contains("2024-03-05T11:00:00+00:00")
    assert noon.contains("2024-03-05T13:00:00+02:00") is False  # 11:00 UTC
    with pytest.raises(ValueError, match="is after"):
        DateRange(parse_bound("2024-04-01"), parse_bound("2024-03-01"))


def test_date_filter_counts():
    docs = [SourceDocument("a", "x", metadata={"date": "2024-03-02"}),
            SourceDocument("b", "x", metadata={"date": "2024-03-09T10:00:00+00:00"}),
            SourceDocument("c", "x"),
            SourceDocument("d", "x", metadata={"date": "not a date"})]
    keep = DateFilter(DateRange(until=parse_bound("2024-03-05")))
    assert [d.id for d in keep(docs)] == ["a"]
    assert (keep.kept, keep.outside, keep.undated) == (1, 1, 2)
    everything = DateFilter(DateRange())
    assert len(list(everything(docs))) == 4


def test_cli_since_until_on_feeds(capsys, tiny_gazetteer_path, no_network):
    code, out, err = run(capsys, "places", WEB / "ledger_feed.xml", WEB / "courier_atom.xml", "--format", "jsonl",
                         "--since", "2024-03-05", "--until", "2024-03-08", "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["ledger-0001", "ledger-0002", "urn:example:courier:ferry"]
    assert all({"title", "date", "url", "site"} <= set(r) for r in records)
    assert "kept 3 of 5 document(s) dated between 2024-03-05 and 2024-03-08 (left out: 2 outside the range)" in err


def test_cli_date_range_that_keeps_nothing(capsys, tmp_path, tiny_gazetteer_path):
    article = tmp_path / "undated.txt"
    article.write_text("Kyiv", encoding="utf-8")
    code, out, err = run(capsys, "map", article, WEB / "ledger_feed.xml", "--since", "2025-01-01",
                         "-o", tmp_path / "m.html", "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and not (tmp_path / "m.html").exists()
    assert err.strip() == ("geomap: error: none of the 4 document(s) is dated on or after 2025-01-01 "
                           "(3 outside the range, 1 undated): widen --since/--until")


@pytest.mark.parametrize(("argv", "needle"), [
    (["--since", "last week"], "argument --since: 'last week' is not a date"),
    (["--until", "2024-02-30"], "argument --until: '2024-02-30' is not a date"),
    (["--timeout", "0"], "argument --timeout: '0' must be a positive number"),
    (["--max-size", "lots"], "argument --max-size: 'lots' must be a positive number"),
])
def test_cli_bad_date_and_limit_options(capsys, tmp_path, argv, needle):
    with pytest.raises(SystemExit) as exit_info:
        main(["places", str(tmp_path / "a.txt"), *argv])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_cli_since_after_until(capsys, tmp_path, tiny_gazetteer_path):
    article = tmp_path / "a.txt"
    article.write_text("Kyiv", encoding="utf-8")
    code, out, err = run(capsys, "places", article, "--since", "2024-04-01", "--until", "2024-03-01",
                         "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "--since 2024-04-01 is after --until 2024-03-01: swap them" in err


# -- on the map: title, date, site and link; the time control ---------------------------------


def _dated_documents():
    from geomap.model import Document

    return [
        Document("a", "x", title="Sirens over Kharkiv", metadata={
            "date": "2024-03-07T09:00:00+00:00", "site": "The Ledger", "url": "https://news.example/a"}),
        Document("b", "x", title="Grain port", metadata={"date": "2024-03-05", "url": "javascript:alert(1)"}),
        Document("c", "x"),
        Document("d", "x", metadata={"date": "2024-03-05T23:00:00-05:00", "site": "<b>Courier</b>"}),
    ]


def test_map_data_carries_each_articles_title_date_site_and_link():
    from geomap.outputs.map import map_data

    assert map_data(_dated_documents())["docs"] == [
        {"id": "a", "t": "Sirens over Kharkiv", "dt": "2024-03-07T09:00:00+00:00", "st": "The Ledger",
         "u": "https://news.example/a"},
        {"id": "b", "t": "Grain port", "dt": "2024-03-05"},            # a javascript: link is dropped
        {"id": "c"},
        {"id": "d", "dt": "2024-03-05T23:00:00-05:00", "st": "<b>Courier</b>"},
    ]


def test_time_control_days_and_when_a_map_gets_one():
    from geomap.model import Document
    from geomap.outputs.map import page_html, render
    from geomap.timeline import time_control_days

    dates = [d.metadata.get("date") for d in _dated_documents()]
    assert time_control_days(dates) == (["2024-03-05", "2024-03-07"], [1, 0, -1, 0])
    page = page_html(render(_dated_documents(), tiles=None))
    assert 'var days = ["2024-03-05", "2024-03-07"], dayOf = [1, 0, -1, 0];' in page
    assert page.index("geomap-time-control") > page.index("geomapRender(")  # after the runtime drew the map
    assert "geomap-time-control" not in page_html(render(_dated_documents(), tiles=None, static=True))
    one_day = [Document("a", "x", metadata={"date": "2024-03-05"}), Document("b", "x", metadata={"date": "2024-03-05"})]
    assert "geomap-time-control" not in page_html(render(one_day, tiles=None))


@pytest.mark.model
@pytest.mark.browser
def test_popups_show_title_date_site_and_link_and_the_time_control_steps_through_days(tiny_pipeline, tmp_path,
                                                                                      browser):
    """In Chromium: the feed's articles on one self-contained map, opened with no network."""
    from geomap.outputs.map import page_html, render

    sources = list(read_inputs([str(WEB / "ledger_feed.xml"), str(WEB / "grain_port.html")]))
    docs = list(tiny_pipeline.parse_many(sources))
    assert [d.metadata["date"][:10] for d in docs] == ["2024-03-05", "2024-03-07", "2024-03-09", "2024-03-07"]
    page_path = tmp_path / "map.html"
    page_path.write_text(page_html(render(docs, tiles=None), self_contained=True), encoding="utf-8")
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    try:
        page.set_default_timeout(15000)
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
        page.goto(page_path.as_uri())
        page.wait_for_function("() => document.querySelector('[data-geomap-ready]')")
        api = "Object.values(window.geomapMaps)[0]"
        shown = f"{api}.places.filter(e => e.visible).map(e => e.p.n).sort()"
        assert page.evaluate(shown) == ["Donbas", "Kharkiv", "Kherson", "Kherson Oblast", "Mariupol"]

        page.evaluate(f"{api}.goTo('Kharkiv')")
        page.wait_for_selector(".leaflet-popup-content .geomap-popup-source")
        popup = page.locator(".leaflet-popup-content")
        assert popup.locator(".geomap-popup-article").all_inner_texts() == ["Sirens over Kharkiv"]
        assert popup.locator(".geomap-popup-source").all_inner_texts() == [
            "2024-03-05 · The Borderland Ledger: Ukraine · link"]
        link = popup.locator("a.geomap-popup-link")
        assert link.get_attribute("href") == "http://news.example/articles/night-of-sirens"
        assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")

        labels = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_text_contents()]
        assert labels[:4] == ["2024-03-05 · Sirens over Kharkiv", "2024-03-07 · Grain port reopens in Kherson",
                              "2024-03-09 · Aid convoy reaches Mariupol", "2024-03-07 · Grain port reopens in Kherson"]

        page.evaluate(f"{api}.map.closePopup()")
        control = page.locator(".geomap-time-control")
        assert control.locator(".geomap-time-label").inner_text() == "All dates"
        control.locator(".geomap-time-next").click()
        assert control.locator(".geomap-time-label").inner_text() == "2024-03-05"
        assert page.evaluate(shown) == ["Kharkiv"]
        control.locator(".geomap-time-next").click()
        assert control.locator(".geomap-time-label").inner_text() == "2024-03-07"
        assert page.evaluate(shown) == ["Donbas", "Kherson", "Kherson Oblast"]
        control.locator(".geomap-time-next").click()
        assert page.evaluate(shown) == ["Mariupol"]
        control.locator(".geomap-time-next").click()  # past the last day: stays there
        assert control.locator(".geomap-time-label").inner_text() == "2024-03-09"
        page.evaluate(f"{api}.showDate(0)")
        assert control.locator(".geomap-time-label").inner_text() == "All dates"
        assert len(page.evaluate(shown)) == 5
        assert errors == []
    finally:
        page.close()
