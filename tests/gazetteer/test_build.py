"""The embedded build: what it puts in the real gazetteer (marked ``gazetteer``), and how a build
from records with a mistake fails."""

from __future__ import annotations

import pytest

from gazetteer import GazetteerDataError, MatchOrigin, PlaceKind
from gazetteer.build import EMBEDDED_STEPS, build_from_records
from gazetteer.steps import add_admin1, add_cities, add_countries, add_overlay


@pytest.mark.gazetteer
@pytest.mark.parametrize(("spelling", "place_id"), [
    ("Kharkov", "gn:706483"), ("Kharkiv", "gn:706483"), ("Nikolayev", "gn:700569"), ("Mykolaiv", "gn:700569"),
    ("Zaporozhye", "gn:687700"), ("Zaporizhzhia", "gn:687700"), ("Lugansk", "gn:702658"),
    ("Luhansk", "gn:702658"), ("Artemovsk", "gn:713174"), ("Bakhmut", "gn:713174"),
    ("Dnepropetrovsk", "gn:709930"), ("Dnipro", "gn:709930"), ("KYIV", "gn:703448"), ("Kiev", "gn:703448"),
])
def test_embedded_gazetteer_knows_the_common_spellings(real_gazetteer, spelling, place_id):
    assert place_id in {m.place.id for m in real_gazetteer.lookup(spelling)}


@pytest.mark.gazetteer
@pytest.mark.parametrize(("misspelling", "place_id"), [("Zaporizhzia", "gn:687700"), ("Kharov", "gn:706483")])
def test_embedded_gazetteer_fuzzy_fallback(real_gazetteer, misspelling, place_id):
    assert real_gazetteer.lookup(misspelling, spelling=False) == []
    matches = {m.place.id: m for m in real_gazetteer.lookup(misspelling, fuzzy=True)}
    assert place_id in matches
    assert matches[place_id].origin is MatchOrigin.FUZZY and matches[place_id].similarity < 1


@pytest.mark.gazetteer
def test_embedded_gazetteer_coverage_of_kinds(real_gazetteer):
    counts = real_gazetteer.info().counts
    assert counts["country"] >= 240 and counts["admin1"] >= 4000 and counts["city"] >= 200_000
    assert counts["admin2"] >= 3000 and counts["continent"] == 7 and counts["region"] >= 30
    kharkiv = real_gazetteer.get("gn:706483")
    assert (kharkiv.kind, kharkiv.country_code, kharkiv.admin1, kharkiv.geonameid) == (
        PlaceKind.CITY, "UA", "Kharkiv Oblast", 706483) and kharkiv.population
    assert real_gazetteer.get("gn:4279155").has_geometry  # Sedgwick County, Kansas: a Census outline
    assert "gn:5128638" in {m.place.id for m in real_gazetteer.lookup("N.Y")}  # New York State
    assert {m.place.kind for m in real_gazetteer.lookup("Democratic Republic of Congo")} == {PlaceKind.COUNTRY}


# -- records with mistakes: one error naming the record and the fix ---------------------------


def _town(place_id: str = "t:a", **extra) -> dict:
    return {"id": place_id, "name": "Aville", "kind": "city", "lat": 1.0, "lon": 2.0, **extra}


@pytest.mark.parametrize(("records", "needles"), [
    ({"places": [_town(), _town()]}, ["mine", "'t:a'", "used twice", "its own id"]),
    ({"places": [_town()], "aliases": [{"place": "t:nowhere", "names": ["Nowhere"]}]},
     ["mine", "'t:nowhere'", "geomap gazetteer lookup"]),
    ({"places": [{"id": "t:r", "name": "R", "kind": "region", "union_of_admin1": ["XX-99"]}]},
     ["'t:r'", "XX-99", "ISO 3166-2"]),
    ({"places": [{"id": "t:r", "name": "R", "kind": "region", "union_of_countries": ["QQ"]}]},
     ["'t:r'", "QQ", "ISO 3166-1"]),
    ({"places": [{"id": "t:r", "name": "R", "kind": "region"}]}, ["'t:r'", "lat and lon"]),
])
def test_records_with_a_mistake_fail_with_one_message_naming_it(tmp_path, records, needles):
    target = tmp_path / "mine.sqlite"
    with pytest.raises(GazetteerDataError) as caught:
        build_from_records(target, records, name="mine")
    message = str(caught.value)
    assert "\n" not in message and all(needle in message for needle in needles), message
    assert not target.exists() and list(tmp_path.iterdir()) == []  # nothing half-written is left


def test_the_embedded_build_runs_its_steps_in_order():
    assert EMBEDDED_STEPS[0] is add_countries and EMBEDDED_STEPS[-1] is add_overlay
    assert EMBEDDED_STEPS.index(add_admin1) < EMBEDDED_STEPS.index(add_cities)  # towns take its names
    assert len(set(EMBEDDED_STEPS)) == len(EMBEDDED_STEPS)
