"""The extractor's rules on hand-labelled documents: a blank spaCy pipeline, entities set by the
test, the tiny gazetteer. No statistical model, so each rule is tested whatever a model tags."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import Span

from geomap.extract import PlaceExtractor, _batches


@pytest.fixture(scope="module")
def blank():
    return spacy.blank("en")


def labelled(blank, text: str, entities: list[tuple[str, str]]):
    """A Doc of ``text`` whose entities are the given (surface, label) pairs, found in order."""
    doc = blank(text)
    spans, position = [], 0
    for surface, label in entities:
        start = text.index(surface, position)
        position = start + len(surface)
        span = doc.char_span(start, position, label=label)
        assert span is not None, surface
        spans.append(span)
    doc.ents = spans
    return doc


def surfaces(extractor, doc):
    return [m.surface for m in extractor.mentions(doc)]


def test_an_unknown_name_tagged_as_a_place_but_borne_by_a_person_is_dropped(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Mikheil Saakashvili met troops. Later Saakashvili said Kyiv would hold.",
                   [("Mikheil Saakashvili", "PERSON"), ("Saakashvili", "GPE"), ("Kyiv", "GPE")])
    assert surfaces(extractor, doc) == ["Kyiv"]


def test_an_unknown_name_tagged_as_a_place_is_otherwise_kept_unresolved(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Troops reached Hardeetown near Kyiv.", [("Hardeetown", "GPE"), ("Kyiv", "GPE")])
    assert surfaces(extractor, doc) == ["Hardeetown", "Kyiv"]


def test_a_place_entity_that_is_no_name_is_split_into_the_names_it_holds(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Aid reached Kyiv Kharkiv overnight.", [("Kyiv Kharkiv", "GPE")])
    assert surfaces(extractor, doc) == ["Kyiv", "Kharkiv"]


def test_a_named_feature_is_not_split(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Boats crossed the Kherson Harbour at dawn.", [("Kherson Harbour", "LOC")])
    assert surfaces(extractor, doc) == ["Kherson Harbour"]


def test_a_possessive_that_the_entity_takes_in_stays_out_of_the_mention(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    text = "Kyiv's mayor praised Kharkiv’s defenders and aid reached Kharkiv."
    doc = labelled(blank, text, [("Kyiv's", "GPE"), ("Kharkiv’s", "GPE"), ("Kharkiv", "GPE")])
    mentions = extractor.mentions(doc)
    assert [(m.surface, m.name) for m in mentions] == [("Kyiv", "Kyiv"), ("Kharkiv", "Kharkiv"), ("Kharkiv", "Kharkiv")]
    assert [text[m.start:m.end] for m in mentions] == ["Kyiv", "Kharkiv", "Kharkiv"]


def test_a_definition_names_the_container(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Alexandria is a small city in Louisiana. Alexandria grew.",
                   [("Alexandria", "GPE"), ("Louisiana", "GPE"), ("Alexandria", "GPE")])
    containers = [(m.surface, m.container) for m in extractor.mentions(doc)]
    assert containers == [("Alexandria", "Louisiana"), ("Louisiana", None), ("Alexandria", None)]


@given(st.lists(st.text(max_size=40), max_size=30), st.integers(1, 8), st.integers(1, 100))
def test_model_batches_keep_every_text_in_order_within_both_limits(texts, size, chars):
    batches = list(_batches(texts, size, chars))
    assert [t for batch in batches for t in batch] == texts
    for batch in batches:
        assert 1 <= len(batch) <= size
        assert len(batch) == 1 or sum(map(len, batch)) <= chars
