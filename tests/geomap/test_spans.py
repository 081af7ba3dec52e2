"""Given spans: resolving toponyms that another recogniser or an annotation tool marked.

A blank spaCy pipeline (tokens only) and the tiny gazetteer: what is tested is the reading of
the words in and around each span, the offsets kept, and the errors for invalid spans.
"""

from __future__ import annotations

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap import Pipeline, PlaceKind, SourceDocument, Span, SpanError
from geomap.extract import GIVEN, PlaceExtractor
from geomap.pipeline import _span_chunks
from geomap.spans import check_spans


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


@pytest.fixture(scope="module")
def extractor(blank, tiny_gazetteer):
    return PlaceExtractor(tiny_gazetteer, blank)


@pytest.fixture(scope="module")
def pipeline(blank, tiny_gazetteer):
    return Pipeline(tiny_gazetteer, nlp=blank)


def at(text: str, *surfaces: str) -> list[tuple[int, int]]:
    """The spans of the surfaces, each found after the previous one."""
    spans, position = [], 0
    for surface in surfaces:
        start = text.index(surface, position)
        position = start + len(surface)
        spans.append((start, position))
    return spans


def test_a_mention_keeps_the_given_offsets_even_where_a_qualifier_follows(extractor):
    text = "Shelling hit the Kherson region overnight."
    (mention,) = extractor.extract_at(text, at(text, "Kherson"))
    assert (mention.start, mention.end, mention.surface) == (17, 24, "Kherson")
    assert (mention.name, mention.hint, mention.qualifier) == ("Kherson", PlaceKind.ADMIN1, "region")
    assert mention.label == GIVEN


def test_a_qualifier_inside_the_span_gives_the_bare_name_and_the_hint(extractor):
    text = "Shelling hit the Kherson region and the city of Kharkiv."
    region, city = extractor.extract_at(text, at(text, "the Kherson region", "the city of Kharkiv"))
    assert (region.surface, region.name, region.hint) == ("the Kherson region", "Kherson", PlaceKind.ADMIN1)
    assert (city.surface, city.name, city.hint) == ("the city of Kharkiv", "Kharkiv", PlaceKind.CITY)


def test_a_qualifier_before_the_span_gives_the_hint(extractor):
    text = "Drones struck the city of Kherson."
    (mention,) = extractor.extract_at(text, at(text, "Kherson"))
    assert (mention.hint, mention.qualifier) == (PlaceKind.CITY, "city of")


def test_coordinated_spans_share_the_qualifier_after_the_last(extractor):
    text = "Russia annexed the Kharkiv and Kherson regions."
    kharkiv, kherson = extractor.extract_at(text, at(text, "Kharkiv", "Kherson"))
    assert kharkiv.hint is kherson.hint is PlaceKind.ADMIN1
    assert (kharkiv.end, kherson.end) == (26, 38)


def test_a_place_named_after_a_span_is_its_container(extractor):
    text = "Floods hit Alexandria, Louisiana on Monday."
    town, state = extractor.extract_at(text, at(text, "Alexandria", "Louisiana"))
    assert town.container == "Louisiana"
    assert state.container is None


def test_the_mentions_are_the_spans_in_text_order_whatever_order_they_come_in(extractor):
    text = "From Kyiv to Kharkiv."
    spans = at(text, "Kyiv", "Kharkiv")
    assert [m.surface for m in extractor.extract_at(text, reversed(spans))] == ["Kyiv", "Kharkiv"]


def test_a_span_inside_a_token_is_cut_out_of_it(extractor):
    text = "The Kherson-based brigade and Kyivans."
    mentions = extractor.extract_at(text, [(4, 11), (30, 34)])
    assert [(m.start, m.end, m.surface, m.name) for m in mentions] == [
        (4, 11, "Kherson", "Kherson"), (30, 34, "Kyiv", "Kyiv")]


def test_a_span_of_no_name_keeps_its_words_and_white_space_is_trimmed_from_the_name(extractor):
    text = "The region said  Kyiv  was calm."
    spans = [(4, 10), (15, 21), (21, 23)]
    region, kyiv, blank = extractor.extract_at(text, spans)
    assert (region.surface, region.name, region.hint) == ("region", "region", None)
    assert (kyiv.start, kyiv.end, kyiv.surface, kyiv.name) == (15, 21, "  Kyiv", "Kyiv")
    assert (blank.surface, blank.hint) == ("  ", None)


def test_the_sentence_is_the_one_around_the_span(extractor):
    text = "Calm in Kyiv. Shelling in Kharkiv."
    _, second = extractor.extract_at(text, at(text, "Kyiv", "Kharkiv"))
    assert text[slice(*second.sentence)] == "Shelling in Kharkiv."


def test_the_pipeline_resolves_the_given_spans_only_with_their_hints(pipeline):
    text = "Shelling hit the Kherson region, not Kherson itself, nor Kyiv."
    doc = pipeline.parse(text, spans=at(text, "Kherson", "Kherson"), id="d1")
    assert [(m.mention.start, m.mention.surface) for m in doc.mentions] == [(17, "Kherson"), (37, "Kherson")]
    assert [m.place.id for m in doc.mentions] == ["t:kherson-oblast", "t:kherson"]


def test_a_container_after_a_given_span_settles_the_place(pipeline):
    text = "He grew up in Alexandria, Louisiana."
    doc = pipeline.parse(text, spans=at(text, "Alexandria", "Louisiana"))
    assert [m.place.id for m in doc.mentions] == ["t:alexandria-la", "t:louisiana"]


def test_an_unknown_name_at_a_given_span_stays_explicitly_unresolved(pipeline):
    text = "They reached Hardeetown."
    (mention,) = pipeline.parse(text, spans=[Span(13, 23)]).mentions
    assert mention.place is None and mention.mention.surface == "Hardeetown"


def test_the_places_found_off_the_spans_are_context_not_output(pipeline):
    text = "He grew up in Alexandria, Louisiana."
    with_context = pipeline.parse(text, spans=at(text, "Alexandria"))
    alone = pipeline.parse(text, spans=at(text, "Alexandria"), context=False)
    assert [(m.mention.surface, m.place.id) for m in with_context.mentions] == [("Alexandria", "t:alexandria-la")]
    assert [(m.mention.surface, m.place.id) for m in alone.mentions] == [("Alexandria", "t:alexandria-eg")]


def test_the_extractor_gives_the_context_mentions_with_their_own_labels(extractor):
    text = "He grew up in Alexandria, Louisiana."
    town, state = extractor.extract_at_many([(text, at(text, "Alexandria"))], context=True).__next__()
    assert (town.label, town.container) == (GIVEN, "Louisiana")
    assert state.label != GIVEN and state.surface == "Louisiana"


def test_a_nationality_word_given_as_a_toponym_stands_for_its_country(pipeline):
    text = "Georgian troops left Atlanta."
    (mention,) = pipeline.parse(text, spans=at(text, "Georgian")).mentions
    assert (mention.mention.surface, mention.mention.name, mention.mention.hint) == ("Georgian", "Georgia", PlaceKind.COUNTRY)
    assert mention.place.id == "t:ge"


def test_no_spans_give_no_mentions(pipeline):
    assert pipeline.parse("Shelling hit Kyiv.", spans=[]).mentions == ()


def test_parse_many_pairs_each_document_with_its_spans(pipeline):
    sources = [SourceDocument("a", "Kyiv is calm."), SourceDocument("b", "Sirens in Kharkiv.")]
    docs = list(pipeline.parse_many(sources, spans=[[(0, 4)], [(10, 17)]]))
    assert [(d.id, [m.place.id for m in d.mentions]) for d in docs] == [("a", ["t:kyiv"]), ("b", ["t:kharkiv"])]


def test_parse_many_refuses_documents_and_spans_that_do_not_pair_up(pipeline):
    sources = [SourceDocument("a", "Kyiv."), SourceDocument("b", "Kharkiv.")]
    with pytest.raises(SpanError, match="more documents than span sequences .*one sequence of spans per document"):
        list(pipeline.parse_many(sources, spans=[[(0, 4)]]))


@pytest.mark.parametrize(("spans", "message"), [
    ([(5, 3)], r"document 'd7': span \(5, 3\) is empty or reversed \(start >= end\): give spans as \(start, end\)"),
    ([(4, 4)], r"document 'd7': span \(4, 4\) is empty or reversed"),
    ([(2, 40)], r"document 'd7': span \(2, 40\) ends after the text \(13 characters\): .*not bytes"),
    ([(-1, 3)], r"document 'd7': span \(-1, 3\) starts before the text"),
    ([(0, 4), (2, 7)], r"document 'd7': spans \(0, 4\) and \(2, 7\) overlap: give each toponym once"),
    ([(0, 4), (0, 4)], r"document 'd7': spans \(0, 4\) and \(0, 4\) overlap"),
    ([("0", 4)], r"document 'd7': span \('0', 4\) does not hold int offsets"),
    ([(0.0, 4)], r"document 'd7': span \(0.0, 4\) does not hold int offsets"),
    ([(True, 4)], r"does not hold int offsets"),
    ([(0, 4, 5)], r"document 'd7': span \(0, 4, 5\) is not a \(start, end\) pair"),
    ([4], r"document 'd7': span 4 is not a \(start, end\) pair"),
])
def test_invalid_spans_raise_one_error_naming_the_document_the_span_and_the_fix(pipeline, spans, message):
    with pytest.raises(SpanError, match=message) as caught:
        pipeline.parse("Kyiv is calm.", spans=spans, id="d7")
    assert "\n" not in str(caught.value)


def test_span_error_is_an_input_error_and_a_value_error():
    from geomap import InputError

    assert issubclass(SpanError, InputError) and issubclass(SpanError, ValueError)


def test_check_spans_sorts_and_accepts_span_objects_and_pairs():
    import numpy as np

    assert check_spans("d", "Kyiv and Kharkiv", [[9, 16], Span(0, 4)]) == (Span(0, 4), Span(9, 16))
    (span,) = check_spans("d", "Kyiv", [tuple(np.array([0, 4]))])
    assert span == Span(0, 4) and type(span.start) is int


def test_a_long_text_is_cut_between_spans_never_inside_one():
    text = "Kyiv " * 10 + "Kharkiv Kharkiv " * 10
    spans = check_spans("d", text, [(50, 65), (0, 4)])  # (50, 65) crosses the cut the text alone would get
    chunks = list(_span_chunks(text, spans, max_length=60))
    assert "".join(chunk for _, chunk, _ in chunks) == text
    shifted = [(offset + s.start, offset + s.end) for offset, _, local in chunks for s in local]
    assert shifted == [(0, 4), (50, 65)]


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=120) | st.lists(
    st.sampled_from(["Kyiv", "Kherson", "region", "the", "city", "of", ",", " ", "\n", "Alexandria", "’s", "-"]),
    max_size=30).map(" ".join)


@st.composite
def text_and_spans(draw):
    text = draw(_TEXT)
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=12)))
    pairs = list(zip(cuts[::2], cuts[1::2]))
    keep = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    return text, [p for p, k in zip(pairs, keep) if k and p[0] < p[1]]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text_and_spans())
def test_any_valid_spans_on_any_text_resolve_without_crashing_and_keep_their_offsets(pipeline, case):
    text, spans = case
    doc = pipeline.parse(text, spans=spans)
    assert [(m.mention.start, m.mention.end) for m in doc.mentions] == spans
    assert all(m.mention.surface == text[m.mention.start:m.mention.end] for m in doc.mentions)
    assert all(m.mention.sentence[0] <= m.mention.start and m.mention.end <= m.mention.sentence[1] for m in doc.mentions)


def test_spans_doctests():
    import doctest

    import geomap.spans

    assert doctest.testmod(geomap.spans).failed == 0


@pytest.mark.model
def test_with_the_real_model_given_spans_are_resolved_whatever_the_model_tags_them(tiny_pipeline):
    # The small model tags Kherson as a person here; the spans say where the places are.
    text = "Kherson, which is also called Kherson, faces a siege near the Kharkiv region."
    doc = tiny_pipeline.parse(text, spans=at(text, "Kherson", "Kherson", "Kharkiv"))
    assert [(m.mention.start, m.mention.end) for m in doc.mentions] == at(text, "Kherson", "Kherson", "Kharkiv")
    assert [m.place.id for m in doc.mentions] == ["t:kherson", "t:kherson", "t:kharkiv-oblast"]
