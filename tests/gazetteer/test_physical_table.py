"""The committed curated table (``gazetteer/data/physical.tsv``) checked against independent
data, offline: each point lies in (or a few km from) the outline of the country it names, in
the committed Natural Earth shapes; points of features without a country lie on land where
their type says they must; ids and names are unique across the table and the marine polygons.

The points were written from knowledge (see ``data/SOURCES.md``): these checks catch swapped
or mistyped coordinates, a wrong sign, a feature filed under the wrong country."""

from __future__ import annotations

import gzip
import json
import math
from collections import Counter, defaultdict

import pytest
from shapely import STRtree
from shapely.geometry import Point, shape

from gazetteer.normalize import normalize_name
from gazetteer.physical import FEATURE_CODES, PhysicalFeature, curated_features, marine_features
from gazetteer.sources import data_file

#: How far (km) a point may lie outside its country's outline. Natural Earth's 10m outlines,
#: simplified, leave out islets and shoals (Snake Island lies 50 km from the nearest Ukrainian
#: outline) and cut a coast a little inside the shore line (a spit, a river mouth).
TOLERANCE_KM = 10.0
SEA_TOLERANCE_KM = 60.0
_AT_SEA = {FEATURE_CODES[t] for t in ("island", "islands", "shoal", "strait", "sea", "bay", "lagoon", "estuary",
                                       "spit")}
#: Types that are on land (or a lake or river on it): a point without a country must still be
#: within the tolerance of some country's outline.
_ON_LAND = {FEATURE_CODES[t] for t in ("river", "lake", "reservoir", "dam", "canal", "delta", "wetland",
                                       "peninsula", "isthmus", "desert", "mountains", "mountain", "plateau",
                                       "valley", "canyon", "pass", "forest", "glacier")}
_KM_PER_DEGREE = 111.2


def _features(name: str) -> list[dict]:
    with data_file(name).open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
        return json.load(handle)["features"]


@pytest.fixture(scope="module")
def outlines() -> dict[str, list]:
    """Each country's outlines: its Natural Earth country shape and the admin-1 units whose ISO
    3166-2 code is the country's (so Crimea, UA-43, counts for Ukraine although Natural Earth
    files it under Russia)."""
    shapes: dict[str, list] = defaultdict(list)
    for feature in _features("countries.geojson.gz"):
        shapes[feature["properties"]["country_code"]].append(shape(feature["geometry"]))
    for feature in _features("admin1.geojson.gz"):
        iso = feature["properties"]["iso_3166_2"] or ""
        if "-" in iso:
            shapes[iso.split("-")[0]].append(shape(feature["geometry"]))
    return dict(shapes)


@pytest.fixture(scope="module")
def curated() -> list[PhysicalFeature]:
    return curated_features()


def _km_outside(point: Point, geometries) -> float:
    """Distance from ``point`` to the nearest of ``geometries`` in km, measured in degrees (an
    upper bound away from the poles: a degree of longitude is never longer than one of latitude)."""
    return min(g.distance(point) for g in geometries) * _KM_PER_DEGREE


def _tolerance(feature: PhysicalFeature) -> float:
    return SEA_TOLERANCE_KM if feature.feature_code in _AT_SEA else TOLERANCE_KM


def test_the_table_holds_the_features_news_names_most(curated):
    kinds = Counter(f.feature_code for f in curated)
    assert len(curated) >= 300
    assert kinds["H.STM"] >= 100 and kinds["T.MTS"] + kinds["T.MT"] >= 50 and kinds["H.LK"] >= 40
    names = {n for f in curated for n in f.names}
    assert {"Kalmius", "Molochna", "Seym", "Blue Nile River", "Tabqa Dam", "Siachen Glacier",
            "Sambisa Forest", "Dniester Estuary", "Taganrog Bay", "Arabat Spit"} <= names


def test_every_point_lies_in_the_country_it_names(curated, outlines):
    far = []
    for feature in curated:
        if feature.country_code is None:
            continue
        assert feature.country_code in outlines, f"{feature.id}: no outline for {feature.country_code}"
        km = _km_outside(Point(feature.lon, feature.lat), outlines[feature.country_code])
        if km > _tolerance(feature):
            far.append(f"{feature.id} ({feature.lat}, {feature.lon}) is {km:.0f} km outside {feature.country_code}")
    assert not far, "\n".join(far)


def test_points_without_a_country_lie_on_land_where_their_type_says(curated, outlines):
    land = [g for geometries in outlines.values() for g in geometries]
    tree = STRtree(land)
    off = []
    for feature in curated:
        if feature.country_code is not None or feature.feature_code not in _ON_LAND:
            continue
        point = Point(feature.lon, feature.lat)
        km = land[int(tree.nearest(point))].distance(point) * _KM_PER_DEGREE
        if km > TOLERANCE_KM:
            off.append(f"{feature.id} ({feature.lat}, {feature.lon}) is {km:.0f} km off the land")
    assert not off, "\n".join(off)


def test_the_outline_check_would_catch_a_swapped_or_mistyped_point(outlines):
    # The Kalmius at Mariupol, then with its latitude and longitude swapped and with a sign lost.
    assert _km_outside(Point(37.58, 47.2), outlines["UA"]) == 0.0
    assert _km_outside(Point(47.2, 37.58), outlines["UA"]) > 500
    assert _km_outside(Point(-37.58, 47.2), outlines["UA"]) > 500
    # Crimea counts for Ukraine through its ISO code.
    assert _km_outside(Point(34.3, 44.7), outlines["UA"]) == 0.0


def test_ids_are_unique_across_the_table_and_the_marine_polygons(curated):
    ids = [f.id for f in curated] + [f.id for f in marine_features()]
    assert [i for i, n in Counter(ids).items() if n > 1] == []


def test_no_name_denotes_two_features(curated):
    owners: dict[str, set[str]] = defaultdict(set)
    for feature in [*curated, *marine_features()]:
        for name in feature.names:
            owners[normalize_name(name)].add(feature.id)
    shared = {name: sorted(ids) for name, ids in owners.items() if len(ids) > 1}
    assert shared == {}


def test_degree_distances_never_understate_kilometres():
    # The tolerance is in km while shapely measures degrees: degrees x 111.2 must be an upper
    # bound of the true distance, or the check would pass points farther out than it says.
    lat, lon = 47.2, 37.58
    for dlat, dlon in ((0.1, 0.0), (0.0, 0.1), (0.07, 0.07)):
        p1, p2 = math.radians(lat), math.radians(lat + dlat)
        h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(dlon) / 2) ** 2
        true_km = 2 * 6371.0 * math.asin(math.sqrt(h))
        assert math.hypot(dlat, dlon) * _KM_PER_DEGREE >= true_km * 0.999
