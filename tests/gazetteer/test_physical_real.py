"""Physical features in the real embedded gazetteer, through the resolver."""

from __future__ import annotations

import pytest

from gazetteer import MatchOrigin, PlaceKind, Resolver, Toponym

pytestmark = pytest.mark.gazetteer


@pytest.fixture(scope="module")
def resolver(real_gazetteer):
    return Resolver(real_gazetteer)


@pytest.mark.parametrize(("name", "hint", "expected"), [
    ("Danube", None, "Danube"),                  # not Podunavlje, the Serbian district
    ("Sea of Azov", None, "Sea of Azov"),        # not the town of Azov
    ("Dnipro", PlaceKind.PHYSICAL, "Dnieper"),   # "the Dnipro River", "the river Dnipro"
    ("Dnipro River", PlaceKind.PHYSICAL, "Dnieper"),
    ("Oskol", PlaceKind.PHYSICAL, "Oskil"),
    ("Kakhovka Reservoir", None, "Kakhovka Reservoir"),
    ("Kerch Strait", PlaceKind.PHYSICAL, "Kerch Strait"),
    ("Black Sea", PlaceKind.PHYSICAL, "Black Sea"),
    ("Bosphorus", None, "Bosporus"),
    ("Euphrates", None, "Euphrates"),
    # From the December 2026 extension of the curated table: each would fail without its row.
    ("Kalmius", None, "Kalmius"),
    ("Seym", PlaceKind.PHYSICAL, "Seym"),
    ("Kremenchuk Reservoir", None, "Kremenchuk Reservoir"),
    ("DniproHES", None, "Dnieper Hydroelectric Station"),
    ("Arabat Spit", None, "Arabat Spit"),
    ("Taganrog Bay", None, "Taganrog Bay"),
    ("Dniester Estuary", None, "Dniester Estuary"),
    ("Tabqa Dam", None, "Tabqa Dam"),
    ("Mosul Dam", None, "Mosul Dam"),            # not the city of Mosul
    ("Mount Sinjar", None, "Mount Sinjar"),      # not the town of Sinjar
    ("Blue Nile", PlaceKind.PHYSICAL, "Blue Nile"),
    ("Renaissance Dam", None, "Grand Ethiopian Renaissance Dam"),
    ("Siachen Glacier", None, "Siachen Glacier"),
    ("Galwan Valley", None, "Galwan Valley"),
    ("Sambisa Forest", None, "Sambisa Forest"),
    ("Kharg Island", None, "Kharg Island"),
    ("Second Thomas Shoal", None, "Second Thomas Shoal"),
    ("Sumatra", None, "Sumatra"),
    ("Diaoyu Islands", None, "Senkaku Islands"),
    ("Narva River", None, "Narva River"),        # not the town of Narva
])
def test_physical_features_resolve_to_themselves(resolver, name, hint, expected):
    place = resolver.resolve(Toponym(name, hint)).place
    assert place is not None and (place.name, place.kind) == (expected, PlaceKind.PHYSICAL)


def test_the_bare_name_of_a_city_on_a_river_is_still_the_city(resolver):
    place = resolver.resolve(Toponym("Dnipro")).place
    assert (place.name, place.kind, place.country_code) == ("Dnipro", PlaceKind.CITY, "UA")


def test_a_sea_has_its_outline_and_its_point_inside(resolver):
    azov = resolver.resolve(Toponym("Sea of Azov")).place
    assert azov.has_geometry and 45.0 < azov.lat < 47.5 and 34.5 < azov.lon < 39.5


@pytest.mark.parametrize(("name", "kind"), [
    ("Sinjar", PlaceKind.CITY), ("Mosul", PlaceKind.CITY), ("Narva", PlaceKind.CITY), ("Jhelum", PlaceKind.CITY),
    ("Irpin", PlaceKind.CITY), ("Blue Nile", PlaceKind.ADMIN1), ("Limpopo", PlaceKind.ADMIN1),
    ("Helmand", PlaceKind.ADMIN1),
])
def test_a_place_named_like_a_feature_stays_that_place_without_a_cue(resolver, name, kind):
    place = resolver.resolve(Toponym(name)).place
    assert place is not None and place.kind is kind


def test_no_feature_name_shadows_a_country_region_or_large_city(real_gazetteer, resolver):
    """Every name of the curated table that is also the own name of a country, a region or a city
    of 100,000 people still resolves, alone and without a cue, to that place (the river Dnipro
    does not take the city's name; "the Dnipro", "Dnipro River" do): the table says a stem may
    stand alone (``bare``), never that it outranks a namesake."""
    from gazetteer.physical import curated_features

    checked, shadowed = 0, []
    for feature in curated_features():
        for name in feature.names:
            namesakes = [
                m.place for m in real_gazetteer.lookup(name, spelling=False, remember=False)
                if m.origin <= MatchOrigin.ALIAS and m.place.kind is not PlaceKind.PHYSICAL
                and (m.place.kind in (PlaceKind.COUNTRY, PlaceKind.ADMIN1, PlaceKind.REGION)
                     or (m.place.kind is PlaceKind.CITY and (m.place.population or 0) >= 100_000))
            ]
            if namesakes:
                checked += 1
                answer = resolver.resolve(Toponym(name)).place
                if answer is None or answer.id == feature.id:
                    shadowed.append(f"{name!r}: {feature.id} over {namesakes[0].name} ({namesakes[0].kind.value})")
    assert checked >= 15 and shadowed == []
