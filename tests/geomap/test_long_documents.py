"""Long documents: windows of bounded size, merged mentions, one sense per document, and the
streamed JSON output."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geomap.windows import Window, windows

# -- windows (no model) ---------------------------------------------------------------------

_words = st.sampled_from(["Kyiv", "and", "Kherson.", "the", "region", "Mr.", "x" * 30, "Lviv,", "said"])
_gaps = st.sampled_from([" ", " ", " ", "\n", "\n\n", "\n \n", "\r\n\r\n", "  "])
long_texts = st.lists(st.tuples(_words, _gaps), max_size=300).map(lambda parts: "".join(w + g for w, g in parts))


@settings(max_examples=200, deadline=None)
@given(long_texts, st.integers(2, 400), st.integers(0, 200))
@example("x" * 1000, 40, 10)
@example("Kyiv and Kherson. " * 100, 50, 20)
def test_windows_tile_the_text_within_the_limit(text, limit, overlap):
    cuts = list(windows(text, limit, overlap))
    assert cuts[0].own_start == 0 and cuts[-1].own_end == len(text)
    assert all(a.own_end == b.own_start for a, b in zip(cuts, cuts[1:]))  # owned parts tile the text
    for w in cuts:
        assert 0 <= w.start <= w.own_start and w.end - w.start <= limit
        assert w.own_start < w.own_end or len(text) == 0
        assert text[w.end:w.own_end].strip() == ""  # only blank lines of its own are left unseen
    assert len(cuts) <= 4 * len(text) // limit + 1  # each owns at least a quarter of a window


def test_a_text_within_the_limit_is_one_window():
    text = "Kyiv and Kherson.\n\nLviv."
    assert list(windows(text, len(text))) == [Window(0, len(text), 0, len(text))]


def test_windows_pack_whole_paragraphs_without_overlap():
    paragraphs = [f"Paragraph {i} names Kyiv and Lviv." for i in range(10)]  # 32-33 characters
    text = "\n\n".join(paragraphs)
    pieces = [text[w.start:w.end] for w in windows(text, 100)]
    assert pieces == ["\n\n".join(paragraphs[i:i + 2]) for i in range(0, 10, 2)]


def test_a_paragraph_longer_than_a_window_is_cut_between_sentences_with_shared_context():
    text = " ".join(f"Sentence {i} is about Kyiv." for i in range(100))
    cuts = list(windows(text, 500, 100))
    assert len(cuts) > 5
    for a, b in zip(cuts, cuts[1:]):
        assert text[a.own_end - 2:a.own_end] == ". "  # cut after a full stop
        assert b.start < a.own_end < a.end  # each side sees some of the other's text


def test_a_window_must_hold_something():
    with pytest.raises(ValueError, match="at least 2"):
        list(windows("abc", 1))


# -- extraction in windows (real model, tiny gazetteer) -------------------------------------

_SENTENCES = (
    "Shelling hit Kherson overnight, officials in Kyiv said.",
    "Trains from Kharkiv to Kyiv were delayed.",
    "Volunteers drove from Atlanta to Paris with medicine.",
    "The mayor of Izium met Olena Bondar in Mariupol.",
    "Farmers in the Kherson region said the harvest was small.",
    "Nothing happened in the quiet village that week.",
)


def _paragraphs(count: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choice(_SENTENCES) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def _spans(mentions):
    return [(m.start, m.end, m.surface, m.name, m.hint, m.label, m.sentence, m.container) for m in mentions]


@pytest.mark.model
@pytest.mark.gazetteer
def test_a_long_text_gives_the_mentions_of_its_paragraphs_split_by_hand(tiny_pipeline):
    extractor = tiny_pipeline.extractor
    paragraphs = _paragraphs(24)
    text = "\n\n".join(paragraphs)
    limit = 3 * max(len(p) for p in paragraphs) + 4  # at least three paragraphs a window
    # By hand: as many whole paragraphs as fit, each piece on its own, offsets moved.
    expected, offset, piece = [], 0, []
    for paragraph in paragraphs + [None]:
        if paragraph is None or piece and len("\n\n".join(piece + [paragraph])) > limit:
            chunk = "\n\n".join(piece)
            for m in extractor.extract(chunk):
                expected.append((m.start + offset, m.end + offset, m.surface, m.name, m.hint, m.label,
                                 (m.sentence[0] + offset, m.sentence[1] + offset), m.container))
            offset += len(chunk) + 2
            piece = []
        if paragraph is not None:
            piece.append(paragraph)
    assert len(text) > 3 * limit  # several windows
    found = extractor.extract(text, window_chars=limit)
    assert _spans(found) == expected
    assert all(text[m.start:m.end] == m.surface for m in found)
    assert len(expected) > 40


@pytest.mark.model
@pytest.mark.gazetteer
def test_names_cut_by_a_window_inside_a_paragraph_are_found_once(tiny_pipeline):
    extractor = tiny_pipeline.extractor
    text = "Kyiv and Kherson. " * 150  # one paragraph, no line break
    whole = extractor.extract(text, window_chars=len(text))
    windowed = extractor.extract(text, window_chars=400)
    assert _spans(windowed) == _spans(whole)
    assert Counter(m.surface for m in windowed) == {"Kyiv": 150, "Kherson": 150}


@pytest.mark.model
@pytest.mark.gazetteer
def test_one_name_keeps_one_sense_across_windows(tiny_pipeline, monkeypatch):
    import geomap.windows

    # "Alexandria, Louisiana" in the first paragraph places the bare "Alexandria" of the last.
    paragraphs = ["Storms hit Alexandria, Louisiana, on Monday."] + _paragraphs(30) + \
                 ["Repairs in Alexandria will take weeks."]
    text = "\n\n".join(paragraphs)
    monkeypatch.setattr(geomap.windows, "WINDOW_CHARS", 600)
    doc = tiny_pipeline.parse(text)
    alexandria = [pm for pm in doc.mentions if pm.mention.name == "Alexandria"]
    assert len(alexandria) == 2 and alexandria[-1].mention.start > 600 * 5
    assert {pm.place.id for pm in alexandria} == {"t:alexandria-la"}


# -- JSON output, streamed ------------------------------------------------------------------


def _documents(pipeline, texts, titles):
    from types import MappingProxyType

    from geomap.model import SourceDocument

    sources = [SourceDocument(id=f"doc {i} \u2014 \"q\"", text=t, title=title,
                              metadata=MappingProxyType({"date": "2024-03-05"} if i % 2 else {}))
               for i, (t, title) in enumerate(zip(texts, titles))]
    return list(pipeline.parse_many(sources))


_texts = st.lists(st.sampled_from(_SENTENCES + ("Kyiv.", "", "Zzyzx and \u0416\u043e\u0432\u0442\u0456 \U0001F600.",
                                                "Paris, Texas and Paris.", "Kherson \"region\"\t\\ Kyiv")),
                  max_size=6).map(" ".join)


@pytest.mark.model
@pytest.mark.gazetteer
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_texts, st.one_of(st.none(), st.text(max_size=12))), max_size=4))
def test_streamed_json_is_byte_identical_to_json_dumps(tiny_pipeline, docs):
    from geomap.outputs.export import document_record, to_json

    documents = _documents(tiny_pipeline, [t for t, _ in docs], [title for _, title in docs])
    expected = json.dumps([document_record(d) for d in documents], ensure_ascii=False, indent=2) + "\n"
    assert to_json(documents) == expected
