"""Physical features: the curated table's loader, the committed marine file, and how the
resolver reads a physical hint and a feature's own name (tiny databases, no real gazetteer)."""

from __future__ import annotations

import pytest
from shapely.geometry import Point, shape

from gazetteer import GazetteerDataError, Gazetteer, MatchOrigin, PlaceKind, Resolver, Toponym
from gazetteer.physical import COLUMNS, curated_features, marine_features, parse_table
from gazetteer.writer import write_database

HEADER = "\t".join(COLUMNS)


def _row(**cells: str) -> str:
    row = {"id": "dnieper", "name": "Dnieper", "type": "river", "lat": "46.8", "lon": "33.4", "country": "UA",
           "stems": "Dnieper|Dnipro", "bare": "yes", "aliases": "", "source": "Wikipedia: Dnieper"}
    row.update(cells)
    return "\t".join(row[c] for c in COLUMNS)


def test_a_row_gives_its_names_with_the_qualified_forms_of_its_type():
    (feature,) = parse_table(f"# comment\n{HEADER}\n{_row()}\n")
    assert feature.id == "geomap:dnieper" and feature.feature_code == "H.STM"
    assert feature.names == ("Dnieper", "Dnieper River", "River Dnieper", "Dnipro", "Dnipro River", "River Dnipro")
    assert (feature.lat, feature.lon, feature.country_code) == (46.8, 33.4, "UA")


def test_a_stem_that_is_not_bare_is_only_a_name_with_its_qualifier():
    (feature,) = parse_table(f"{HEADER}\n{_row(id='don', name='Don River', stems='Don', bare='no', country='')}\n")
    assert "Don" not in feature.names and {"Don River", "River Don"} <= set(feature.names)
    assert feature.country_code is None


@pytest.mark.parametrize(("line", "message"), [
    (_row(type="brook"), r"physical.tsv line 3: type 'brook' is not one of .*river"),
    (_row(lat="north"), r"line 3: lat 'north' and lon '33.4' must be decimal degrees"),
    (_row(lat="95"), r"line 3: \(95.0, 33.4\) is not a point on Earth"),
    (_row(id="Dnieper River"), r"line 3: id 'Dnieper River' must be a lower-case slug"),
    (_row(bare="maybe"), r"line 3: bare must be 'yes' or 'no'"),
    (_row(country="Ukraine"), r"line 3: country 'Ukraine' must be an ISO alpha-2 code"),
    (_row(source=""), r"line 3: name and source must not be empty"),
    (_row(name="Dnipro", bare="no"), r"line 3: name 'Dnipro' is one of the stems.*'Dnipro River'"),
    ("dnieper\tDnieper\triver", r"line 3: 3 tab-separated cells where there must be 10"),
])
def test_a_bad_row_is_named_by_its_line_with_the_fix(line, message):
    with pytest.raises(GazetteerDataError, match=message):
        parse_table(f"{HEADER}\n{_row(id='first')}\n{line}\n")


def test_a_duplicate_id_names_both_lines():
    with pytest.raises(GazetteerDataError, match=r"line 3: id 'dnieper' is already used on line 2: rename one"):
        parse_table(f"{HEADER}\n{_row()}\n{_row()}\n")


def test_a_table_without_its_header_is_refused():
    with pytest.raises(GazetteerDataError, match=r"line 1: the header must be the tab-separated columns id, name"):
        parse_table(f"{_row()}\n")


def test_the_committed_data_parse_and_hold_the_features_news_names():
    curated = {f.id: f for f in curated_features()}
    marine = {f.name: f for f in marine_features()}
    assert len(curated) >= 150 and len(marine) == 291
    assert "Dnipro" in curated["geomap:dnieper"].names
    assert {"Danube", "Sahara", "Alps"} <= {n for f in curated.values() for n in f.names}
    azov = marine["Sea of Azov"]
    assert shape(azov.geometry).contains(Point(azov.lon, azov.lat))
    assert "Atlantic" in marine["Atlantic Ocean"].names
    assert {f.id for f in curated.values()}.isdisjoint(f.id for f in marine.values())


@pytest.fixture(scope="module")
def river_gazetteer(tmp_path_factory) -> Gazetteer:
    """A city and a river that share a name, and a district that lists a river's name among its
    alternate names."""
    def fill(builder) -> None:
        builder.add_place("t:dnipro", "Dnipro", PlaceKind.CITY, 48.45, 34.98, country_code="UA",
                          population=968502, source="test")
        river = builder.add_place("t:dnieper", "Dnieper", PlaceKind.PHYSICAL, 46.8, 33.4, country_code="UA",
                                  source="test", feature_code="H.STM")
        builder.add_name(river, "Dnipro", MatchOrigin.ALIAS)
        builder.add_place("t:danube", "Danube", PlaceKind.PHYSICAL, 45.25, 19.9, source="test")
        district = builder.add_place("t:podunavlje", "Podunavlje", PlaceKind.ADMIN1, 44.5, 20.9,
                                     country_code="RS", source="test")
        builder.add_name(district, "Danube", MatchOrigin.ALTERNATE)

    path = tmp_path_factory.mktemp("physical") / "rivers.sqlite"
    write_database(path, fill, {"kind": "records", "fingerprint": "test"}, None)
    return Gazetteer(path)


def _resolve(gazetteer: Gazetteer, name: str, hint: PlaceKind | None = None):
    return Resolver(gazetteer).resolve(Toponym(name, hint)).place


def test_a_physical_hint_picks_the_river_and_no_hint_the_city(river_gazetteer):
    assert _resolve(river_gazetteer, "Dnipro", PlaceKind.PHYSICAL).id == "t:dnieper"
    assert _resolve(river_gazetteer, "Dnipro").id == "t:dnipro"


def test_a_features_own_name_beats_a_region_that_lists_it_as_an_alternate_name(river_gazetteer):
    assert _resolve(river_gazetteer, "Danube").id == "t:danube"
    assert _resolve(river_gazetteer, "Podunavlje").id == "t:podunavlje"
