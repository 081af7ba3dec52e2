"""Physical features in the real embedded gazetteer, through the resolver."""

from __future__ import annotations

import pytest

from gazetteer import PlaceKind, Resolver, Toponym

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
