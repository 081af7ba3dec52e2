"""geomap.outputs.framing: which places the first view of a map fits, and the box around them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazetteer import Place, PlaceKind, Resolution, Toponym
from geomap.errors import InputError
from geomap.outputs.framing import Bounds, Fit, fit_bounds, parse_fit, story_places
from geomap.model import Document, MappedPlace, Mention, PlaceMention


def _mapped(name: str, kind: PlaceKind, lat: float, lon: float, mentions: int = 1) -> MappedPlace:
    place = Place(f"t:{name.lower()}", name, kind, lat, lon, "XX")
    doc = Document("d", name)
    items = tuple((doc, PlaceMention(Mention(i, i + 1, name, name), Resolution(Toponym(name, None, i), place, 1.0)))
                  for i in range(mentions))
    return MappedPlace(place, items)


C, A, R, N = PlaceKind.CITY, PlaceKind.ADMIN1, PlaceKind.REGION, PlaceKind.COUNTRY

#: Shaped like a report on the war in Ukraine: countries and far-off capitals named in passing.
STORY = [
    _mapped("Ukraine", N, 49.0, 32.0, 13), _mapped("Russia", N, 60.0, 100.0, 12),
    _mapped("United States", N, 38.0, -97.0, 6), _mapped("Kherson", C, 46.64, 32.61, 5),
    _mapped("Moscow", C, 55.75, 37.62, 5), _mapped("Mariupol", C, 47.10, 37.54, 3),
    _mapped("Donbas", R, 48.51, 38.34, 2), _mapped("Kharkiv Oblast", A, 49.47, 36.46, 2),
    _mapped("Kyiv", C, 50.45, 30.52, 2), _mapped("Washington", C, 38.90, -77.04, 2),
    _mapped("Europe", PlaceKind.CONTINENT, 48.69, 9.14, 1), _mapped("Kherson Oblast", A, 46.70, 33.58, 1),
]


def _names(places) -> set[str]:
    return {mp.place.name for mp in places}


def test_the_story_is_the_local_places_not_countries_or_far_capitals():
    chosen = _names(story_places(STORY))
    assert {"Kherson", "Mariupol", "Donbas", "Kharkiv Oblast", "Kherson Oblast"} <= chosen
    assert not chosen & {"Ukraine", "Russia", "United States", "Europe", "Washington", "Moscow"}


def test_story_bounds_frame_eastern_and_southern_ukraine_and_leave_out_the_americas():
    box = fit_bounds(STORY, Fit.STORY)
    assert box.contains(46.64, 32.61) and box.contains(48.51, 38.34) and box.contains(49.47, 36.46)
    assert not box.contains(38.9, -77.04)
    assert box.west > 20 and box.east < 45 and box.south > 40 and box.north < 55


def test_fit_all_keeps_every_place_and_fixed_bounds_win():
    box = fit_bounds(STORY, "all")
    assert box.contains(38.9, -77.04) and box.contains(60.0, 100.0)
    fixed = Bounds(10, 20, 30, 40)
    assert fit_bounds(STORY, fixed) is fixed


def test_outlines_widen_the_box_through_extent():
    def extent(place):
        return (37.0, 47.0, 40.2, 49.9) if place.name == "Donbas" else None

    assert fit_bounds(STORY, extent=extent).east == pytest.approx(40.2)


def test_few_local_places_fall_back_to_every_place():
    places = [_mapped("Ukraine", N, 49.0, 32.0, 9), _mapped("United States", N, 38.0, -97.0, 3),
              _mapped("Kherson", C, 46.64, 32.61, 2)]
    assert story_places(places) == places
    assert story_places(places[:2]) == places[:2]
    assert story_places([]) == [] and fit_bounds([]) is None


def test_a_story_in_one_city_keeps_its_neighbourhood():
    places = [_mapped("Kherson", C, 46.64, 32.61, 10), _mapped("Nova Kakhovka", C, 46.75, 33.37, 1),
              _mapped("Tokyo", C, 35.68, 139.69, 1)]
    assert _names(story_places(places)) == {"Kherson", "Nova Kakhovka"}


def test_a_town_named_again_and_again_does_not_shrink_the_story_to_itself():
    places = [_mapped("Kherson", C, 46.64, 32.61, 4), _mapped("Kherson Oblast", A, 46.70, 33.58, 1),
              _mapped("Dnipro", PlaceKind.PHYSICAL, 46.8, 33.4, 1), _mapped("Donbas", R, 48.51, 38.34, 1),
              _mapped("Mariupol", C, 47.10, 37.54, 1), _mapped("Kharkiv", C, 49.98, 36.25, 1),
              _mapped("Kharkiv Oblast", A, 49.47, 36.46, 1), _mapped("Washington", C, 38.90, -77.04, 1)]
    assert _names(story_places(places)) == _names(places) - {"Washington"}


def test_a_story_across_the_antimeridian_is_centred_on_it():
    places = [_mapped("Suva", C, -18.14, 178.44, 3), _mapped("Apia", C, -13.83, -171.77, 3),
              _mapped("Nukualofa", C, -21.14, -175.2, 2), _mapped("Madrid", C, 40.4, -3.7, 1)]
    assert _names(story_places(places)) == {"Suva", "Apia", "Nukualofa"}


def test_bounds_parse_and_errors():
    assert Bounds.parse(" -10.5, 35 ,40,60 ") == Bounds(-10.5, 35.0, 40.0, 60.0)
    assert Bounds.parse("177,-21,-171,-13") == Bounds(177.0, -21.0, 189.0, -13.0)  # W > E: across the antimeridian
    for bad in ("1,2,3", "a,b,c,d", "200,35,210,60", "0,80,10,95", "10,35,400,60"):
        with pytest.raises(InputError, match="--bounds"):
            Bounds.parse(bad)
    assert parse_fit("STORY") is Fit.STORY and parse_fit("all") is Fit.ALL
    assert parse_fit("1,2,3,4") == Bounds(1, 2, 3, 4)
    with pytest.raises(InputError, match="--fit"):
        parse_fit("world")


_points = st.lists(
    st.tuples(st.sampled_from([C, A, R, N, PlaceKind.CONTINENT]), st.floats(-80, 80), st.floats(-179.9, 179.9),
              st.integers(1, 20)),
    min_size=0, max_size=25)


@settings(max_examples=150, deadline=None)
@given(_points)
def test_story_is_a_non_empty_subset_holding_at_least_half_the_local_weight(points):
    places = [_mapped(f"P{i}", kind, lat, lon, n) for i, (kind, lat, lon, n) in enumerate(points)]
    chosen = story_places(places)
    assert [mp for mp in places if mp in chosen] == chosen  # a subset, in map order
    assert bool(chosen) == bool(places)
    local = [mp for mp in places if mp.place.kind not in (N, PlaceKind.CONTINENT)]
    if len(local) >= 2:
        assert all(mp in local for mp in chosen)
        weight = sum(len(mp.mentions) for mp in chosen)
        assert 2 * weight >= sum(len(mp.mentions) for mp in local)
    box = fit_bounds(places, Fit.STORY)
    assert (box is None) == (not places)
    if box is not None:
        assert all(box.contains(mp.place.lat, mp.place.lon) for mp in chosen)


SUVA, APIA, NUKUALOFA = (-18.14, 178.44), (-13.83, -171.77), (-21.14, -175.2)


def test_a_story_across_the_antimeridian_is_fitted_across_it_not_around_the_globe():
    places = [_mapped("Suva", C, *SUVA, 3), _mapped("Apia", C, *APIA, 3), _mapped("Nukualofa", C, *NUKUALOFA, 2),
              _mapped("Fiji", N, -17.7, 178.1, 4), _mapped("Samoa", N, -13.8, -172.1, 2)]
    box = fit_bounds(places, Fit.STORY)
    assert box.crosses_antimeridian and box.west == pytest.approx(178.44) and box.east == pytest.approx(188.23)
    assert all(box.contains(*point) for point in (SUVA, APIA, NUKUALOFA)) and not box.contains(-18.0, 0.0)
    assert box.leaflet() == [[-21.14, 178.44], [-13.83, 188.23]]
    assert box.unwrap(APIA[1]) == pytest.approx(188.23) and box.unwrap(SUVA[1]) == pytest.approx(178.44)
    everything = fit_bounds(places, Fit.ALL)
    assert everything.crosses_antimeridian and everything.east - everything.west < 12


def test_chukotka_and_alaska_with_outlines_cut_at_the_antimeridian():
    chukotka = _mapped("Chukotka", A, 66.0, 171.0, 3)
    places = [chukotka, _mapped("Anadyr", C, 64.73, 177.51, 2), _mapped("Nome", C, 64.5, -165.41, 2),
              _mapped("Anchorage", C, 61.22, -149.9, 1)]

    def extent(place):  # Chukotka's outline in two parts, as Natural Earth cuts it at 180
        if place is not chukotka.place:
            return None
        box = Bounds.around([(158.0, 61.8, 180.0, 71.6), (-180.0, 64.3, -168.9, 68.0)])
        return box.west, box.south, box.east, box.north

    box = fit_bounds(places, Fit.ALL, extent=extent)
    assert (box.west, box.east) == (pytest.approx(158.0), pytest.approx(-149.9 + 360))
    assert box.north == pytest.approx(71.6)
    story = fit_bounds(places, extent=extent)
    assert story.crosses_antimeridian and story.contains(66.5, -170.0) and story.east - story.west < 40


def test_a_spread_over_more_than_a_hemisphere_keeps_the_usual_box():
    places = [_mapped("Washington", C, 38.9, -77.04, 2), _mapped("Beijing", C, 39.9, 116.4, 2),
              _mapped("Moscow", C, 55.75, 37.62, 2)]
    box = fit_bounds(places, Fit.ALL)
    assert not box.crosses_antimeridian and (box.west, box.east) == (-77.04, 116.4)
    # Narrower across the Pacific, but wider than a hemisphere: a world map centred as usual.
    pacific = [_mapped("Tokyo", C, 35.68, 139.69, 1), _mapped("Los Angeles", C, 34.05, -118.24, 1)]
    assert fit_bounds(pacific, Fit.ALL).crosses_antimeridian
    assert not fit_bounds([*pacific, _mapped("London", C, 51.5, -0.13, 1)], Fit.ALL).crosses_antimeridian


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(-179.9, 179.9), st.floats(0, 30)), min_size=1, max_size=12))
def test_the_box_holds_every_span_and_is_never_wider_than_the_usual_one(spans):
    boxes = [(west, 0.0, west + width, 1.0) for west, width in spans]
    box = Bounds.around(boxes)
    for west, width in spans:
        east = west + width if west + width <= 180 else west + width - 360
        assert box.contains(0.5, west) and box.contains(0.5, east)
    if all(b[2] <= 180.0 for b in boxes):  # else only the world holds them without crossing
        assert box.east - box.west <= max(b[2] for b in boxes) - min(b[0] for b in boxes) + 1e-9
