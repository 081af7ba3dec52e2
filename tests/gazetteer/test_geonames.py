"""The GeoNames importer, on small fixture files in the exact GeoNames dump formats.

``tests/fixtures/geonames/full`` holds allCountries.txt (19 columns), countryInfo.txt (with its
``#`` comment header), admin1CodesASCII.txt, admin2Codes.txt and alternateNamesV2.txt (10
columns); ``tests/fixtures/geonames/cities`` holds only cities500.txt and the two required code
files, as a user who downloaded the small dump would have.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest

from gazetteer import Gazetteer, GazetteerBuildError, GazetteerDataError, MatchOrigin, PlaceKind, Resolver, Toponym
from gazetteer.geonames import import_geonames
from gazetteer.geonames_files import find_files, kind_of_feature
from geomap.cli import main

FIXTURES = Path(__file__).parents[1] / "fixtures" / "geonames"


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Gazetteer:
    path = tmp_path_factory.mktemp("gn") / "full.sqlite"
    import_geonames(FIXTURES / "full", path)
    return Gazetteer(path)


@pytest.fixture(scope="module")
def cities(tmp_path_factory) -> Gazetteer:
    path = tmp_path_factory.mktemp("gn") / "cities.sqlite"
    import_geonames(FIXTURES / "cities", path)
    return Gazetteer(path)


def _copy(tmp_path: Path, which: str = "full") -> Path:
    target = tmp_path / which
    shutil.copytree(FIXTURES / which, target)
    return target


def _ids(gazetteer: Gazetteer, name: str, **kwargs) -> set[str]:
    return {m.place.id for m in gazetteer.lookup(name, **kwargs)}


@pytest.mark.parametrize(("feature", "kind"), [
    ("A.PCLI", PlaceKind.COUNTRY), ("A.ADM1", PlaceKind.ADMIN1), ("A.ADM2", PlaceKind.ADMIN2),
    ("A.ADM3", PlaceKind.ADMIN2), ("P.PPLC", PlaceKind.CITY), ("L.CONT", PlaceKind.CONTINENT),
    ("L.RGN", PlaceKind.REGION), ("H.SEA", PlaceKind.PHYSICAL), ("T.MT", PlaceKind.PHYSICAL),
    ("S.HTL", PlaceKind.OTHER), ("A.ADMD", PlaceKind.OTHER),
])
def test_feature_codes_map_to_kinds(feature, kind):
    assert kind_of_feature(*feature.split(".")) is kind


def test_full_import_keeps_ids_kinds_admin1_country_and_population(full):
    kharkiv = full.get("gn:706483")
    assert (kharkiv.name, kharkiv.kind, kharkiv.country_code, kharkiv.admin1_code, kharkiv.admin1,
            kharkiv.population, kharkiv.geonameid, kharkiv.feature_code) == (
        "Kharkiv", PlaceKind.CITY, "UA", "UA.07", "Kharkiv Oblast", 1433886, 706483, "P.PPLA")
    assert full.get("gn:630673").kind is PlaceKind.PHYSICAL  # the Black Sea
    assert full.get("gn:686987").kind is PlaceKind.PHYSICAL  # Hoverla, a mountain
    assert full.get("gn:4279155").kind is PlaceKind.ADMIN2 and full.get("gn:4279155").admin1 == "Kansas"
    assert full.get("gn:6255148").kind is PlaceKind.CONTINENT
    counts = full.info().counts
    assert (counts["country"], counts["admin1"], counts["physical"]) == (2, 5, 3)
    assert full.info().kind == "geonames"


def test_admin1_gets_its_english_name_and_keeps_the_geonames_one(full):
    oblast = full.get("gn:706482")
    assert oblast.name == "Kharkiv Oblast" and oblast.has_geometry
    assert _ids(full, "Kharkivs’ka Oblast’") == {"gn:706482"}
    assert "gn:706482" in _ids(full, "Kharkiv")  # the bare name, from admin1CodesASCII.txt


def test_alternate_names_file_adds_names_but_not_codes_or_links(full):
    (artemivsk,) = full.lookup("Artemivsk")  # a historic name (isHistoric=1, to 2016)
    assert artemivsk.place.name == "Bakhmut" and artemivsk.origin <= MatchOrigin.ALTERNATE
    assert _ids(full, "Euxine Sea") == {"gn:630673"}
    assert "gn:706448" in _ids(full, "Cherson")  # (Natural Earth also names the oblast so)
    for code in ("HRK", "67202", "https://en.wikipedia.org/wiki/Kharkiv"):
        assert full.lookup(code) == [], code
    assert full.lookup("Nowhere In Particular") == []  # its geonameid is not in allCountries.txt


def test_spots_are_left_out_unless_asked_for(full, tmp_path):
    assert full.lookup("Hotel Kharkiv Palace") == []
    path = import_geonames(FIXTURES / "full", tmp_path / "s.sqlite", feature_classes=frozenset("PS")).path
    only = Gazetteer(path)
    assert _ids(only, "Hotel Kharkiv Palace") == {"gn:6941155"}
    assert only.lookup("Black Sea") == []


def test_curated_overlay_and_variants_apply_to_the_import(full):
    origins = {m.place.id: m.origin for m in full.lookup("Kharkov")}
    assert origins == {"gn:706483": MatchOrigin.ALIAS, "gn:706482": MatchOrigin.ALTERNATE}  # city, oblast
    assert _ids(full, "Artemovsk") == {"gn:713174"}  # a rename kept in the curated overlay
    assert _ids(full, "Ukrainians", demonyms=True) == {"gn:690791"}
    resolution = Resolver(full).resolve(Toponym("Kharkov"))
    assert resolution.place is not None and resolution.place.id == "gn:706483"


def test_fuzzy_fallback_works_on_the_import(full):
    matches = full.lookup("Kharkiw", spelling=False, fuzzy=True)
    assert {m.place.id for m in matches} >= {"gn:706483"}
    assert all(m.origin is MatchOrigin.FUZZY and m.similarity < 1 for m in matches)


def test_outlines_attach_by_geonames_id(full):
    assert full.get("gn:690791").has_geometry
    assert full.country_at(49.98, 36.25) == "UA"
    assert full.contains("gn:706482", 49.98081, 36.25272)
    assert full.contains("gn:4279155", 37.69224, -97.33754)  # Wichita in its county's Census outline
    assert not full.contains("gn:4279155", 38.04668, -97.34504)  # Newton is in Harvey County


def test_macro_regions_are_built_from_their_member_countries(full):
    (region,) = full.lookup("East Europe")  # "Eastern Europe", UN M49 151
    assert (region.place.id, region.place.kind) == ("region:151", PlaceKind.REGION)
    assert full.contains("region:151", 50.45466, 30.5238)
    assert full.contains("gn:6255148", 50.45466, 30.5238)  # Europe gets the union as its outline


def test_cities_dump_gets_countries_divisions_and_continents_from_the_code_files(cities):
    ukraine = cities.get("gn:690791")
    assert ukraine.kind is PlaceKind.COUNTRY and ukraine.has_geometry and ukraine.population == 44622516
    oblast = cities.get("gn:706482")
    assert (oblast.name, oblast.kind, oblast.admin1_code) == ("Kharkiv Oblast", PlaceKind.ADMIN1, "UA.07")
    assert cities.contains("gn:706482", oblast.lat, oblast.lon)  # Natural Earth's label point
    kansas = cities.get("gn:4273857")
    assert cities.contains("gn:4273857", kansas.lat, kansas.lon)
    assert {p.name for p in cities.places_in(PlaceKind.CONTINENT)} >= {"Europe", "Asia", "Africa"}
    assert cities.lookup("Black Sea") == []  # cities500 has no physical features


def test_zipped_dumps_are_read_as_they_are(tmp_path):
    directory = _copy(tmp_path)
    with zipfile.ZipFile(directory / "allCountries.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(directory / "allCountries.txt", "allCountries.txt")
    (directory / "allCountries.txt").unlink()
    report = import_geonames(directory, tmp_path / "z.sqlite")
    assert report.files.places.name == "allCountries.zip"
    assert _ids(Gazetteer(report.path), "Kharkiv") == {"gn:706482", "gn:706483"}


def test_zip_with_several_files_gives_its_namesake(tmp_path):
    directory = _copy(tmp_path)
    with zipfile.ZipFile(directory / "alternateNamesV2.zip", "w") as archive:
        archive.writestr("iso-languagecodes.txt", "ISO 639-3\tISO 639-2\tISO 639-1\tLanguage Name\n")
        archive.write(directory / "alternateNamesV2.txt", "alternateNamesV2.txt")
    (directory / "alternateNamesV2.txt").unlink()
    report = import_geonames(directory, tmp_path / "z.sqlite")
    assert report.skipped == {} and _ids(Gazetteer(report.path), "Euxine Sea") == {"gn:630673"}


def test_small_towns_can_be_left_out(tmp_path):
    gazetteer = Gazetteer(import_geonames(FIXTURES / "full", tmp_path / "m.sqlite", min_population=100_000).path)
    assert gazetteer.lookup("Newton") == [] and _ids(gazetteer, "Wichita") == {"gn:4281730"}
    assert _ids(gazetteer, "Black Sea") == {"gn:630673"}  # other kinds are kept


def test_damaged_zip_is_an_error_naming_the_file(tmp_path):
    directory = _copy(tmp_path)
    (directory / "allCountries.txt").unlink()
    (directory / "allCountries.zip").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(GazetteerDataError, match="allCountries.zip.*download it again"):
        import_geonames(directory, tmp_path / "z.sqlite")
    assert not (tmp_path / "z.sqlite").exists()


def test_malformed_lines_are_skipped_counted_and_named(tmp_path, caplog):
    directory = _copy(tmp_path)
    places = directory / "allCountries.txt"
    lines = places.read_text("utf-8").splitlines()
    lines.insert(3, "\t".join(lines[3].split("\t")[:7]))  # a row cut to 7 columns
    broken = lines[5].split("\t")
    broken[4] = "north"  # a latitude that is not a number
    lines[5] = "\t".join(broken)
    places.write_text("\n".join(lines) + "\n", "utf-8")
    with caplog.at_level(logging.WARNING, logger="gazetteer.geonames"):
        report = import_geonames(directory, tmp_path / "bad.sqlite")
    assert report.skipped == {"allCountries.txt": 2}
    assert "allCountries.txt, line 4: 7 columns where 19 are expected" in caplog.text
    assert "line 6" in caplog.text
    gazetteer = Gazetteer(report.path)
    assert gazetteer.meta["geonames.skipped_lines"] == "2"
    assert gazetteer.lookup("Kherson")  # the rest was imported


def test_too_many_bad_lines_fail_and_keep_the_existing_database(tmp_path):
    directory = _copy(tmp_path)
    target = tmp_path / "kept.sqlite"
    import_geonames(directory, target)
    before = hashlib.sha256(target.read_bytes()).hexdigest()
    names = directory / "alternateNamesV2.txt"
    names.write_text(names.read_text("utf-8") + "1\t2\t3\n", "utf-8")
    with pytest.raises(GazetteerDataError, match=r"alternateNamesV2.txt has more than 0 bad lines .*line 11"):
        import_geonames(directory, target, max_bad_lines=0)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == before
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_truncated_file_is_an_error_naming_the_line(tmp_path):
    directory = _copy(tmp_path)
    places = directory / "allCountries.txt"
    data = places.read_bytes()
    places.write_bytes(data[: len(data) - 40])  # cut inside the last row
    with pytest.raises(GazetteerDataError, match=r"allCountries.txt, line 17: the file ends in the middle of a line"):
        import_geonames(directory, tmp_path / "t.sqlite")
    assert not (tmp_path / "t.sqlite").exists()


@pytest.mark.parametrize(("remove", "needle"), [
    ("allCountries.txt", "allCountries.txt \\(or cities500.txt\\)"),
    ("countryInfo.txt", "countryInfo.txt"),
    ("admin1CodesASCII.txt", "admin1CodesASCII.txt"),
])
def test_missing_required_file_is_named(tmp_path, remove, needle):
    directory = _copy(tmp_path)
    (directory / remove).unlink()
    with pytest.raises(GazetteerDataError, match=f"lacks {needle}"):
        find_files(directory)


def test_optional_files_may_be_absent(tmp_path):
    directory = _copy(tmp_path)
    (directory / "alternateNamesV2.txt").unlink()
    (directory / "admin2Codes.txt").unlink()
    gazetteer = Gazetteer(import_geonames(directory, tmp_path / "o.sqlite").path)
    assert gazetteer.lookup("Euxine Sea") == []
    assert gazetteer.lookup("Harvey County") == []
    assert _ids(gazetteer, "Sedgwick County") == {"gn:4279155"}


def test_a_file_that_is_not_a_gazetteer_is_never_replaced(tmp_path):
    precious = tmp_path / "notes.sqlite"
    precious.write_text("my notes", "utf-8")
    with pytest.raises(GazetteerBuildError, match="not a geomap gazetteer"):
        import_geonames(FIXTURES / "full", precious)
    assert precious.read_text("utf-8") == "my notes"


def test_import_streams_names_through_sqlite(tmp_path):
    """The staging tables are gone and every name is stored once per place."""
    path = import_geonames(FIXTURES / "full", tmp_path / "s.sqlite").path
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not {"names_raw", "spellings_raw"} & tables
        assert conn.execute("SELECT count(*) FROM (SELECT key, pk FROM names GROUP BY key, pk HAVING count(*) > 1)"
                            ).fetchone()[0] == 0


# -- the command line --------------------------------------------------------------------------


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_imports_then_looks_up_and_reports(capsys, tmp_path):
    target = tmp_path / "gn.sqlite"
    code, out, err = run(capsys, "gazetteer", "build", "--geonames", FIXTURES / "full", "-o", target, "-q")
    assert code == 0, err
    assert f"into {target}" in out and f"--gazetteer {target}" in out
    code, out, err = run(capsys, "gazetteer", "lookup", "Kharkov", "--gazetteer", target, "--format", "json")
    assert code == 0, err
    found = {c["id"]: (c["kind"], c["matched_as"]) for c in json.loads(out)["candidates"]}
    assert found == {"gn:706483": ("city", "alias"), "gn:706482": ("admin1", "alternate")}
    code, out, err = run(capsys, "gazetteer", "info", "--gazetteer", target, "--format", "json")
    info = json.loads(out)
    assert info["kind"] == "geonames" and info["counts"]["physical"] == 3
    assert "allCountries.txt" in info["sources"]["geonames"]


def test_cli_import_errors_are_one_line(capsys, tmp_path):
    code, out, err = run(capsys, "gazetteer", "build", "--geonames", tmp_path / "absent", "-o", tmp_path / "x.sqlite")
    assert code == 2 and err.count("\n") == 1 and "is not a directory" in err
    code, out, err = run(capsys, "gazetteer", "build", "--geonames", FIXTURES / "full", "-o", tmp_path / "x.sqlite",
                         "--feature-classes", "XYZ")
    assert code == 2 and "--feature-classes" in err


def test_cli_import_applies_a_user_overlay_checked_before_the_import(capsys, tmp_path):
    overlay = tmp_path / "mine.csv"
    overlay.write_text("action,name,names,place\nalias,,Kharkiv-on-Lopan,gn:706483\nsuppress,,,gn:686987\n", "utf-8")
    target = tmp_path / "gn.sqlite"
    code, out, err = run(capsys, "gazetteer", "build", "--geonames", FIXTURES / "full", "-o", target,
                         "--gazetteer-overlay", overlay, "-q")
    assert code == 0, err
    assert "0 places added, 1 aliases, 1 places and 0 names suppressed" in out
    gazetteer = Gazetteer(target)
    assert _ids(gazetteer, "Kharkiv on Lopan") == {"gn:706483"} and gazetteer.lookup("Hoverla") == []
    assert "mine.csv" in gazetteer.info().sources["user_overlay"]
    broken = tmp_path / "broken.yaml"
    broken.write_text("places:\n  - {id: x, name: X, kind: city}\n", "utf-8")
    code, out, err = run(capsys, "gazetteer", "build", "--geonames", FIXTURES / "full", "-o", tmp_path / "new.sqlite",
                         "--gazetteer-overlay", broken)
    assert code == 2 and "broken.yaml, places entry 1" in err and not (tmp_path / "new.sqlite").exists()


def test_cli_output_without_geonames_is_refused(capsys, tmp_path):
    code, out, err = run(capsys, "gazetteer", "build", "-o", tmp_path / "x.sqlite")
    assert code == 2 and "-o/--output is for --geonames imports" in err and not (tmp_path / "x.sqlite").exists()
