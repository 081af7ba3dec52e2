"""The resolver's document context, counted once per pass: the same as rebuilding it from the
other names for every name (the old, quadratic way), and linear in the document's names."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import Place, PlaceKind, Resolution, Toponym
from gazetteer.context import contexts_by_name

_NAMES = ["kyiv", "kherson", "lviv", "paris", "odesa"]
_KINDS = [PlaceKind.CITY, PlaceKind.ADMIN1, PlaceKind.REGION, PlaceKind.COUNTRY, PlaceKind.ADMIN2]


@st.composite
def _document(draw):
    """A document's senses (name, hint, container) -> toponym indices, and a current answer for each."""
    senses, current, index = {}, {}, 0
    for i in range(draw(st.integers(0, 12))):
        key = (draw(st.sampled_from(_NAMES)), draw(st.sampled_from([None, PlaceKind.ADMIN1])), None)
        if key in senses:
            continue
        count = draw(st.integers(1, 4))
        senses[key] = list(range(index, index + count))
        index += count
        kind = draw(st.sampled_from(_KINDS))
        place = Place(f"p{i}", key[0].title(), kind, 0.0, 0.0, draw(st.sampled_from([None, "UA", "FR", "PL"])),
                      draw(st.sampled_from([None, "UA.01", "UA.02", "FR.11"])),
                      has_geometry=draw(st.booleans()))
        resolved = draw(st.booleans())
        current[key] = Resolution(toponym=Toponym(key[0]), place=place if resolved else None,
                                  confidence=draw(st.sampled_from([0.2, 0.5, 0.9])), ambiguous=False, candidates=())
    return senses, current


def _naive(current, senses, name):
    """The context of ``name`` as the resolver built it before: from the other names' answers."""
    countries, admin1s, regions, points = Counter(), Counter(), [], []
    for key, resolution in current.items():
        place = resolution.place
        if key[0] == name or place is None or resolution.confidence < 0.5 or not place.country_code:
            continue
        countries[place.country_code] += len(senses[key])
        if place.admin1_code and place.kind is not PlaceKind.COUNTRY:
            admin1s[place.admin1_code] += len(senses[key])
        if place.kind in (PlaceKind.ADMIN1, PlaceKind.REGION) and place.has_geometry:
            regions.append(place)
        elif place.kind is PlaceKind.CITY:
            points.append(place)
    return countries, admin1s, regions, points


@settings(max_examples=300, deadline=None)
@given(_document())
def test_each_name_sees_the_answers_of_the_other_names_only(document):
    senses, current = document
    contexts = contexts_by_name(current, senses)
    assert set(contexts) == {key[0] for key in senses}
    for name, context in contexts.items():
        countries, admin1s, regions, points = _naive(current, senses, name)
        assert context.total == sum(countries.values())
        for code in ("UA", "FR", "PL", "XX"):
            assert context.countries.get(code, 0) == countries.get(code, 0)
        for code in ("UA.01", "UA.02", "FR.11", ""):
            assert context.admin1s.get(code, 0) == admin1s.get(code, 0)
        assert list(context.regions) == regions and bool(context.regions) == bool(regions)
        assert list(context.points) == points and bool(context.points) == bool(points)
