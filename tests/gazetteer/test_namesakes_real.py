"""Cities and the admin-1 regions named like them, in the real embedded gazetteer."""

from __future__ import annotations

import pytest

from gazetteer import PlaceKind, Resolver, Toponym

pytestmark = pytest.mark.gazetteer


@pytest.fixture(scope="module")
def resolver(real_gazetteer):
    return Resolver(real_gazetteer)


@pytest.mark.parametrize(("name", "hint", "kind", "expected"), [
    ("Basra", None, PlaceKind.CITY, "Basrah"),      # GeoNames: governorate "Basra", city "Basrah"
    ("Hama", None, PlaceKind.CITY, "Ḩamāh"),
    ("Basra", PlaceKind.ADMIN1, PlaceKind.ADMIN1, "Basra"),
    ("Oklahoma", None, PlaceKind.ADMIN1, "Oklahoma"),  # not Oklahoma City
])
def test_a_capital_and_its_namesake_region(resolver, name, hint, kind, expected):
    place = resolver.resolve(Toponym(name, hint)).place
    assert (place.kind, place.name) == (kind, expected)
