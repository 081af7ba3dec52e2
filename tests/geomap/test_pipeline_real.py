"""End to end with the real spaCy model and the real embedded gazetteer."""

from __future__ import annotations

import json

import pytest

from gazetteer import PlaceKind

pytestmark = [pytest.mark.model, pytest.mark.gazetteer]


def features(doc):
    """{(place name, kind): set of surfaces}."""
    out: dict[tuple[str, str], set[str]] = {}
    for pm in doc.mentions:
        if pm.place is not None:
            out.setdefault((pm.place.name, pm.place.kind.value), set()).add(pm.mention.surface)
    return out


def test_example_article_has_the_expected_features(real_pipeline, example_article):
    doc = real_pipeline.parse(example_article.read_text("utf-8"), id="example")
    found = features(doc)
    assert {"Kiev", "KYIV", "Kyiv"} <= found[("Kyiv", "city")]
    assert ("Kherson", "city") in found
    assert ("Kherson Oblast", "admin1") in found
    assert "Kherson region" in found[("Kherson Oblast", "admin1")]
    assert ("Donbas", "region") in found
    assert ("Kharkiv Oblast", "admin1") in found
    assert ("Mariupol", "city") in found
    assert ("Bakhmut", "city") in found
    for pm in doc.mentions:
        assert doc.text[pm.mention.start:pm.mention.end] == pm.mention.surface


def test_demonyms_and_people_are_not_places(real_pipeline):
    doc = real_pipeline.parse("Ukrainian and Russian officials met. President Jordan Peterson spoke to "
                              "reporters in Kyiv.")
    surfaces = [pm.mention.surface for pm in doc.mentions]
    assert "Ukrainian" not in surfaces and "Russian" not in surfaces
    assert "Jordan" not in surfaces
    assert "Kyiv" in surfaces


def test_spelling_variants_map_to_one_place(real_pipeline):
    doc = real_pipeline.parse("Shelling was reported in Kharkov. Later, Kharkiv's mayor spoke. "
                              "Trains left Nikolaev and Zaporozhye.")
    names = {pm.mention.surface: pm.place.name for pm in doc.mentions if pm.place}
    assert names["Kharkov"] == names["Kharkiv"] == "Kharkiv"
    assert names["Nikolaev"].startswith("Myk")
    assert names["Zaporozhye"].startswith("Zapori")


def test_places_jsonl_on_the_ukraine_dev_corpus(capsys, tmp_path):
    from pathlib import Path

    from geomap.cli import main

    corpus = Path(__file__).parents[3] / "shared" / "eval" / "dev" / "ukraine_dev.jsonl"
    if not corpus.exists():
        pytest.skip("../shared/eval/dev is not beside the project")
    code = main(["places", str(corpus), "--format", "jsonl", "-q"])
    out = capsys.readouterr().out
    assert code == 0
    lines = out.splitlines()
    ids = [json.loads(line)["id"] for line in corpus.read_text("utf-8").splitlines() if line.strip()]
    assert [json.loads(line)["id"] for line in lines] == ids
    for line in lines:
        for place in json.loads(line)["places"]:
            assert place["kind"] in (None, "country", "admin1", "admin2", "region", "city", "physical",
                                     "continent", "other")


def test_state_abbreviations_and_names_that_contain_a_qualifier(real_pipeline):
    doc = real_pipeline.parse("An officer was dragged in Kansas City, Kan., on Monday. "
                              "The suspect, of Lawrence, Kan., was charged.")
    places = [(pm.mention.surface, pm.place.name if pm.place else None, pm.place.admin1 if pm.place else None)
              for pm in doc.mentions]
    assert ("Kansas City", "Kansas City", "Kansas") in places
    assert ("Kan.", "Kansas", "Kansas") in places


def test_a_country_is_not_read_as_its_capital_alternate_name(real_pipeline):
    doc = real_pipeline.parse("Migrants camped in Matias Romero, Oaxaca State, Mexico, on Wednesday.")
    mexico = next(pm for pm in doc.mentions if pm.mention.surface == "Mexico")
    assert mexico.place.kind.value == "country"


def test_surnames_and_common_words_are_not_places(real_pipeline):
    doc = real_pipeline.parse("Police said Brown had left the house. Officer Brown drove to Topeka, "
                              "and Day said the case was closed.")
    assert [pm.mention.surface for pm in doc.mentions] == ["Topeka"]


def test_regions_named_by_possessive_and_peoples_republic(real_pipeline):
    doc = real_pipeline.parse("Two people were injured in shelling of Luhansk's Pervomaisk. Moscow backed "
                              "the people's republics of Donetsk and Lugansk. Units left the Zaporozhye area.")
    kinds = {pm.mention.surface: pm.place.kind.value for pm in doc.mentions if pm.place}
    assert kinds["Luhansk"] == "admin1"
    assert kinds["Donetsk"] in ("admin1", "region") and kinds["Lugansk"] in ("admin1", "region")
    assert kinds["Pervomaisk"] == "city"
    assert kinds["Zaporozhye area"] == "admin1"


def test_a_definition_names_the_container_and_the_name_keeps_that_sense(real_pipeline):
    doc = real_pipeline.parse("Dover is a small town in Pope County, Arkansas, United States. Its population "
                              "was 1,300 in 2000. Dover has one high school.")
    dovers = [pm for pm in doc.mentions if pm.mention.name == "Dover"]
    assert len(dovers) == 2
    assert [(pm.place.country_code, pm.place.admin1) for pm in dovers] == [("US", "Arkansas")] * 2
    assert dovers[0].mention.container == "Pope County"


def test_batching_by_characters_finds_the_same_places(real_pipeline, example_article):
    # A long text is sent through the model in a smaller batch; the places found must not change.
    extractor = real_pipeline.extractor
    article = example_article.read_text("utf-8")
    texts = [article[:400], article, "Fighting went on near Kharkiv and Izium.", article[200:]]
    one_by_one = [extractor.extract(t) for t in texts]
    assert any(one_by_one)
    for chars in (1, len(article), 10 * len(article)):
        assert list(extractor.extract_many(texts, batch_size=3, batch_chars=chars)) == one_by_one


def test_a_name_ending_in_a_qualifier_word_is_the_place_of_that_whole_name(real_pipeline):
    doc = real_pipeline.parse("Visitors from Rhode Island and the Cayman Islands toured Green Bay and Staten Island. "
                              "Troops crossed the Dnipro river in the Kherson region.")
    placed = {pm.mention.surface: (pm.place.name, pm.place.kind.value) if pm.place else None for pm in doc.mentions}
    assert placed["Rhode Island"] == ("Rhode Island", "admin1")
    assert placed["Cayman Islands"] == ("Cayman Islands", "country")
    assert placed["Green Bay"] == ("Green Bay", "city")
    assert placed["Staten Island"] is not None and placed["Staten Island"][0] == "Staten Island"
    assert placed["Dnipro river"] == ("Dnieper", "physical")
    assert placed["Kherson region"] == ("Kherson Oblast", "admin1")


def test_a_river_that_only_a_town_lists_by_name_is_not_placed_at_the_town(real_pipeline):
    """Canton, North Carolina lists "Pigeon River" among its alternate names: the river keeps its
    qualifier (a river, or unresolved); the Canary Islands are the province that bears that name."""
    doc = real_pipeline.parse("Anglers fished the Pigeon River, then flew to the Canary Islands.")
    placed = {pm.mention.surface: (pm.mention.hint, pm.place) for pm in doc.mentions}
    hint, place = placed["Pigeon River"]
    assert hint is PlaceKind.PHYSICAL and (place is None or place.kind is PlaceKind.PHYSICAL)
    hint, place = placed["Canary Islands"]
    assert hint is None and (place.name, place.kind) == ("Canarias", PlaceKind.ADMIN1)
