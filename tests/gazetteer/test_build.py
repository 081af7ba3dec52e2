"""The real embedded gazetteer: what the build puts in it (marked ``gazetteer``)."""

from __future__ import annotations

import pytest

from gazetteer import MatchOrigin, PlaceKind


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
