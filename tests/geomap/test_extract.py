"""The extractor's rules on hand-labelled documents: a blank spaCy pipeline, entities set by the
test, the tiny gazetteer. No statistical model, so each rule is tested whatever a model tags."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given
from hypothesis import strategies as st
from spacy.tokens import Span

from gazetteer import Gazetteer, MatchOrigin, PlaceKind, Resolver
from gazetteer.build import build_from_records
from gazetteer.writer import write_database
from geomap.cues import toponyms_of
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


def test_a_place_the_model_runs_into_a_lower_case_word_is_no_personal_name(blank, tiny_gazetteer):
    # "Kherson overnight"/PERSON: one capitalised word is no person's name, so Kherson stays a
    # place here and wherever else the text names it (tagged PERSON too).
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Drones struck Kherson overnight. Residents of Kherson sheltered.",
                   [("Kherson overnight", "PERSON"), ("Kherson", "PERSON")])
    assert surfaces(extractor, doc) == ["Kherson", "Kherson"]


def test_a_two_word_personal_name_still_makes_its_words_a_person_s(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Ivan Izium said on Monday. Later Izium said Kyiv would hold.",
                   [("Ivan Izium", "PERSON"), ("Izium", "PERSON"), ("Kyiv", "GPE")])
    assert surfaces(extractor, doc) == ["Kyiv"]


def test_a_personal_name_made_of_strong_place_names_is_a_person_s(blank, tiny_gazetteer):
    # "Alexandria Paris": two strong names, but no Alexandria lies in a Paris: a person
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Police said Alexandria Paris left. Later Paris said Kyiv would hold.",
                   [("Alexandria Paris", "PERSON"), ("Paris", "PERSON"), ("Kyiv", "GPE")])
    assert surfaces(extractor, doc) == ["Kyiv"]


def test_a_run_of_places_each_inside_the_next_is_places_whatever_the_label(blank, tiny_gazetteer):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, "Police said Atlanta Georgia was calm.", [("Atlanta Georgia", "PERSON")])
    assert surfaces(extractor, doc) == ["Atlanta", "Georgia"]


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


@pytest.mark.parametrize("definition", [", a department in eastern ", " is the county seat of ", ", a parish in "])
def test_every_noun_that_defines_a_place_names_its_container(blank, tiny_gazetteer, definition):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    text = f"Izium{definition}Kharkiv."
    doc = labelled(blank, text, [("Izium", "GPE"), ("Kharkiv", "GPE")])
    assert [(m.surface, m.container) for m in extractor.mentions(doc)] == [("Izium", "Kharkiv"), ("Kharkiv", None)]


def _hints(extractor, doc):
    return [(m.name, m.hint) for m in extractor.mentions(doc)]


@pytest.mark.parametrize(("text", "entities", "hints"), [
    # what the words after a name define it as: the last defining noun of a lower-case phrase
    ("Fighting spread to Kherson, a province on the river.", ["Kherson"], [("Kherson", PlaceKind.ADMIN1)]),
    ("Convoys reached Kherson, the region's largest city, on Sunday.", ["Kherson"], [("Kherson", PlaceKind.CITY)]),
    ("Convoys reached Kherson, the besieged state capital.", ["Kherson"], [("Kherson", PlaceKind.CITY)]),
    ("Kharkiv was the first key city to be shelled.", ["Kharkiv"], [("Kharkiv", PlaceKind.CITY)]),
    ("Aid reached Izium, the county seat, on Sunday.", ["Izium"], [("Izium", PlaceKind.CITY)]),  # a seat is a town
    ("Aid reached Kherson, a quiet parish on the river.", ["Kherson"], [("Kherson", None)]),  # a place, no kind
    # not a definition of the first name: it introduces the next one, or names another place
    ("In Kherson, the town of Izium is quiet.", ["Kherson", "Izium"],
     [("Kherson", None), ("Izium", PlaceKind.CITY)]),
    ("Aid reached Kyiv, where the city council met.", ["Kyiv"], [("Kyiv", None)]),
    ("Aid reached Kyiv, President Zelensky said.", ["Kyiv"], [("Kyiv", None)]),
    # plural and rural qualifiers, shared by coordinated names
    ("Fighting spread across the Kherson and Kharkiv territories.", ["Kherson", "Kharkiv"],
     [("Kherson", PlaceKind.ADMIN1), ("Kharkiv", PlaceKind.ADMIN1)]),
    ("Shells fell on the districts of Kherson and Izium.", ["Kherson", "Izium"],
     [("Kherson", PlaceKind.ADMIN1), ("Izium", PlaceKind.ADMIN1)]),
    ("Farmers in the Kherson countryside fled.", ["Kherson"], [("Kherson", PlaceKind.ADMIN1)]),
    ("Farmers in the countryside of Kherson fled.", ["Kherson"], [("Kherson", PlaceKind.ADMIN1)]),
    ("Rebels hold much of rural Kherson.", ["Kherson"], [("Kherson", PlaceKind.ADMIN1)]),
    ("Drones hit the port of Kherson and Kharkiv port.", ["Kherson", "Kharkiv"],
     [("Kherson", PlaceKind.CITY), ("Kharkiv", PlaceKind.CITY)]),
    ("The department of Kherson asked for aid.", ["Kherson"], [("Kherson", PlaceKind.ADMIN1)]),
    ("The Department of Kherson asked for aid.", ["Kherson"], [("Kherson", None)]),  # a body's name
])
def test_the_words_around_a_name_give_its_kind(blank, tiny_gazetteer, text, entities, hints):
    extractor = PlaceExtractor(tiny_gazetteer, blank)
    doc = labelled(blank, text, [(name, "GPE") for name in entities])
    assert _hints(extractor, doc) == hints


#: Names whose last word is a qualifier: the whole is a state, a city, a river, or no name at all.
_QUALIFIED_NAMES = {"places": [
    {"id": "q:ri", "name": "Rhode Island", "kind": "admin1", "lat": 41.7, "lon": -71.5, "country_code": "US"},
    {"id": "q:rhode", "name": "Rhode", "kind": "city", "lat": 53.3, "lon": -7.2, "country_code": "IE", "population": 600},
    {"id": "q:green-bay", "name": "Green Bay", "kind": "city", "lat": 44.52, "lon": -88.02, "country_code": "US",
     "population": 107000},
    {"id": "q:kansas", "name": "Kansas", "kind": "admin1", "lat": 38.5, "lon": -98.0, "country_code": "US"},
    {"id": "q:kansas-city", "name": "Kansas City", "kind": "city", "lat": 39.1, "lon": -94.58, "country_code": "US",
     "population": 508000},
    {"id": "q:dnipro", "name": "Dnipro", "kind": "city", "lat": 48.45, "lon": 34.98, "country_code": "UA",
     "population": 980000},
    {"id": "q:dnieper", "name": "Dnieper", "kind": "physical", "lat": 46.5, "lon": 32.3, "names": ["Dnipro River"]},
    {"id": "q:seym", "name": "Seym", "kind": "physical", "lat": 51.4, "lon": 33.4},
    {"id": "q:kherson", "name": "Kherson", "kind": "city", "lat": 46.64, "lon": 32.62, "country_code": "UA",
     "admin1_code": "UA.08", "population": 290000},
    {"id": "q:kherson-oblast", "name": "Kherson Oblast", "kind": "admin1", "lat": 46.6, "lon": 33.4,
     "country_code": "UA", "admin1_code": "UA.08", "names": ["Kherson"]},
    {"id": "q:don-river", "name": "Don River", "kind": "physical", "lat": 47.1, "lon": 39.4},
    {"id": "q:don", "name": "Don", "kind": "city", "lat": 53.0, "lon": -1.1, "country_code": "GB", "population": 1164},
    {"id": "q:parana", "name": "Paraná River", "kind": "physical", "lat": -25.5, "lon": -54.6},
]}


@pytest.fixture(scope="module")
def qualified_gazetteer(tmp_path_factory):
    return Gazetteer(build_from_records(tmp_path_factory.mktemp("q") / "q.sqlite", _QUALIFIED_NAMES))


def test_a_qualifier_word_of_a_known_whole_name_gives_no_hint(blank, qualified_gazetteer):
    extractor = PlaceExtractor(qualified_gazetteer, blank)
    text = "Flights from Rhode Island and Green Bay reached Kansas City, the Dnipro River, the Seym river " \
           "and the Kherson region."
    doc = labelled(blank, text, [("Rhode Island", "GPE"), ("Green Bay", "GPE"), ("Kansas City", "GPE"),
                                 ("Dnipro River", "LOC"), ("Seym", "LOC"), ("Kherson", "GPE")])
    read = [(m.surface, m.name, m.hint) for m in extractor.mentions(doc)]
    assert read == [
        ("Rhode Island", "Rhode Island", None),  # a state: "Island" is part of its name
        ("Green Bay", "Green Bay", None),  # a city
        ("Kansas City", "Kansas City", PlaceKind.CITY),  # a city: the word says so too
        ("Dnipro River", "Dnipro River", PlaceKind.PHYSICAL),  # a river's name
        ("Seym river", "Seym", PlaceKind.PHYSICAL),  # "Seym river" names nothing: a qualifier
        ("Kherson region", "Kherson", PlaceKind.ADMIN1),
    ]


def test_a_known_whole_name_ending_in_a_qualifier_word_resolves_to_its_place(blank, qualified_gazetteer):
    extractor = PlaceExtractor(qualified_gazetteer, blank)
    text = "Flights from Rhode Island and Green Bay crossed the Dnipro River and the Kherson region."
    doc = labelled(blank, text, [("Rhode Island", "GPE"), ("Green Bay", "GPE"), ("Dnipro River", "LOC"),
                                 ("Kherson", "GPE")])
    resolutions = Resolver(qualified_gazetteer).resolve_all(toponyms_of(extractor.mentions(doc), text))
    assert [r.place.id if r.place else None for r in resolutions] == ["q:ri", "q:green-bay", "q:dnieper",
                                                                      "q:kherson-oblast"]


_DON = "Don river crossing attempted. Shelling near the Don river, said Don Smith, a farmer."


def test_a_feature_name_with_its_qualifier_in_lower_case_is_found_whole(blank, qualified_gazetteer):
    """"Don" alone is a village (too small to count without more) and here a first name; "Don
    river" is the river's own name."""
    extractor = PlaceExtractor(qualified_gazetteer, blank)
    doc = labelled(blank, _DON, [("Don", "PERSON"), ("Don Smith", "PERSON")])
    read = [(m.surface, m.name, m.hint) for m in extractor.mentions(doc)]
    assert read == [("Don river", "Don river", PlaceKind.PHYSICAL)] * 2
    resolutions = Resolver(qualified_gazetteer).resolve_all(toponyms_of(extractor.mentions(doc), _DON))
    assert [r.place.id if r.place else None for r in resolutions] == ["q:don-river"] * 2


def test_a_feature_found_with_its_qualifier_lends_its_name_to_no_bare_word(blank, qualified_gazetteer):
    """One sense per discourse takes "Don river" again, never "Don" alone (a man's name here)."""
    extractor = PlaceExtractor(qualified_gazetteer, blank)
    text = "Shelling near the Don river. Don said the water rose."
    doc = labelled(blank, text, [("Don", "GPE"), ("Don", "PERSON")])
    assert [(m.surface, m.hint) for m in extractor.mentions(doc)] == [("Don river", PlaceKind.PHYSICAL)]


def test_a_feature_name_is_completed_only_from_a_word_s_start(blank, qualified_gazetteer):
    """The Ji-Paraná is not the Paraná: a qualifier completes no name begun inside a word."""
    extractor = PlaceExtractor(qualified_gazetteer, blank)
    doc = labelled(blank, "Boats sailed the Ji-Parana river and the Parana river.", [])
    assert [(m.surface, m.hint) for m in extractor.mentions(doc)] == [("Parana river", PlaceKind.PHYSICAL)]


@pytest.fixture(scope="module")
def alternate_gazetteer(tmp_path_factory):
    """Whole names ending in a qualifier word that places bear only as an alternate name: a town
    lists the river beside it, a province and a country their English names."""
    def fill(builder) -> None:
        clyde = builder.add_place("a:clyde", "Clyde", PlaceKind.CITY, 35.53, -82.84, country_code="US",
                                   population=4190, source="test")
        builder.add_name(clyde, "Pigeon River", MatchOrigin.ALTERNATE)
        canarias = builder.add_place("a:canarias", "Canarias", PlaceKind.ADMIN1, 28.3, -15.7, country_code="ES",
                                     source="test")
        builder.add_name(canarias, "Canary Islands", MatchOrigin.ALTERNATE)
        tonga = builder.add_place("a:tonga", "Tonga", PlaceKind.COUNTRY, -21.2, -175.2, country_code="TO",
                                  population=103197, source="test")
        builder.add_name(tonga, "Friendly Islands", MatchOrigin.ALTERNATE)

    path = tmp_path_factory.mktemp("alternate") / "alternate.sqlite"
    write_database(path, fill, {"kind": "records", "fingerprint": "test"}, None)
    return Gazetteer(path)


_ALTERNATES = "Anglers fished the Pigeon River above Clyde, then flew to the Canary Islands and the Friendly Islands."
_ALTERNATE_ENTITIES = [("Pigeon River", "LOC"), ("Clyde", "GPE"), ("Canary Islands", "LOC"),
                       ("Friendly Islands", "LOC")]


def test_a_qualifier_word_keeps_its_hint_when_only_a_town_lists_the_whole_name(blank, alternate_gazetteer):
    extractor = PlaceExtractor(alternate_gazetteer, blank)
    read = [(m.surface, m.name, m.hint) for m in extractor.mentions(labelled(blank, _ALTERNATES, _ALTERNATE_ENTITIES))]
    assert read == [
        ("Pigeon River", "Pigeon River", PlaceKind.PHYSICAL),  # a river: the town of Clyde merely lists its name
        ("Clyde", "Clyde", None),
        ("Canary Islands", "Canary Islands", None),  # a province's own name in English
        ("Friendly Islands", "Friendly Islands", None),  # a country's former name
    ]


def test_a_river_a_town_lists_is_not_placed_at_the_town(blank, alternate_gazetteer):
    extractor = PlaceExtractor(alternate_gazetteer, blank)
    doc = labelled(blank, _ALTERNATES, _ALTERNATE_ENTITIES)
    resolutions = Resolver(alternate_gazetteer).resolve_all(toponyms_of(extractor.mentions(doc), _ALTERNATES))
    assert [r.place.id if r.place else None for r in resolutions] == [None, "a:clyde", "a:canarias", "a:tonga"]


@given(st.lists(st.text(max_size=40), max_size=30), st.integers(1, 8), st.integers(1, 100))
def test_model_batches_keep_every_text_in_order_within_both_limits(texts, size, chars):
    batches = list(_batches(texts, size, chars))
    assert [t for batch in batches for t in batch] == texts
    for batch in batches:
        assert 1 <= len(batch) <= size
        assert len(batch) == 1 or sum(map(len, batch)) <= chars


_WORDS = st.sampled_from(["Kherson", "Izium", ",", " ", "a", "the", "town", "region", "of", "is", "was", "city",
                          "capital", "and", "in", "'s", "rural", "districts", "Port", "port", ".", "\n"])


@given(st.lists(_WORDS, max_size=30), st.data())
def test_reading_a_text_s_context_keeps_every_mention_s_span_and_any_kind_already_given(words, data):
    from geomap.context import in_context
    from geomap.model import Mention

    text = " ".join(words)
    starts = sorted({i for i in range(len(text)) if text.startswith(("Kherson", "Izium"), i)})
    mentions = []
    for start in starts:
        name = "Kherson" if text.startswith("Kherson", start) else "Izium"
        hint = data.draw(st.sampled_from([None, PlaceKind.CITY, PlaceKind.ADMIN1]))
        mentions.append(Mention(start, start + len(name), name, name, hint))
    read = in_context(text, mentions)
    assert [(m.start, m.end, m.name) for m in read] == [(m.start, m.end, m.name) for m in mentions]
    assert all(after.hint == before.hint for before, after in zip(mentions, read) if before.hint is not None)
