"""The gazetteer store, on the tiny fixture database."""

from __future__ import annotations

import json
import shutil
import sqlite3

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gazetteer import (Gazetteer, GazetteerCorrupt, GazetteerDataError, GazetteerNotFound, MatchOrigin,
                       PlaceKind, UnknownPlaceError, normalize_name)
from gazetteer.overlay import load_overlay, with_overlay
from gazetteer.store import KeyFilter


@pytest.mark.parametrize(
    ("a", "b"),
    [("Kryvyi Rih", "Kryvyi-Rih"), ("St. Petersburg", "Saint Petersburg"), ("The Hague", "Hague"),
     ("Bila Tserkva’", "Bila Tserkva'"), ("São Paulo", "Sao Paulo"), ("KHERSON", "kherson"),
     ("Ivano‐Frankivsk", "Ivano Frankivsk")],
)
def test_normalize_name_folds_spelling_differences(a, b):
    assert normalize_name(a) == normalize_name(b)


def test_normalize_name_keeps_different_names_apart():
    assert normalize_name("Kherson") != normalize_name("Kharkiv")
    assert normalize_name("...") == ""


def test_lookup_finds_names_aliases_and_case_variants(tiny_gazetteer):
    kinds = {m.place.id: m.origin for m in tiny_gazetteer.lookup("KHERSON")}
    assert kinds == {"t:kherson": MatchOrigin.NAME, "t:kherson-oblast": MatchOrigin.ALIAS}
    (kiev,) = tiny_gazetteer.lookup("Kiev")
    assert kiev.place.name == "Kyiv" and kiev.origin is MatchOrigin.ALIAS
    assert tiny_gazetteer.lookup("Atlantis") == []


def test_get_and_unknown_id(tiny_gazetteer):
    place = tiny_gazetteer.get("t:kharkiv")
    assert (place.name, place.kind, place.country_code) == ("Kharkiv", PlaceKind.CITY, "UA")
    with pytest.raises(UnknownPlaceError, match="t:nowhere"):
        tiny_gazetteer.get("t:nowhere")


def test_geometry_and_containment(tiny_gazetteer):
    assert tiny_gazetteer.get("t:kherson-oblast").has_geometry
    assert tiny_gazetteer.geometry("t:kherson") is None
    assert tiny_gazetteer.contains("t:kherson-oblast", 46.6354, 32.6169)
    assert not tiny_gazetteer.contains("t:kherson-oblast", 49.98, 36.25)
    assert not tiny_gazetteer.contains("t:kherson", 46.6354, 32.6169)  # a point has no outline


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(GazetteerNotFound, match="gazetteer build"):
        Gazetteer(tmp_path / "absent.sqlite")


def test_truncated_or_foreign_file_is_detected(tmp_path, tiny_gazetteer_path):
    truncated = tmp_path / "truncated.sqlite"
    truncated.write_bytes(tiny_gazetteer_path.read_bytes()[:5000])
    with pytest.raises(GazetteerCorrupt):
        Gazetteer(truncated)
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(GazetteerCorrupt):
        Gazetteer(garbage)


def test_older_schema_and_unfinished_build_are_refused(tmp_path, tiny_gazetteer_path):
    for key, value, message in (("schema_version", "1", "schema"), ("complete", "0", "unfinished")):
        copy = tmp_path / f"{key}.sqlite"
        copy.write_bytes(tiny_gazetteer_path.read_bytes())
        with sqlite3.connect(copy) as conn:
            conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
        with pytest.raises(GazetteerCorrupt, match=message):
            Gazetteer(copy)


def test_gazetteer_is_picklable_for_worker_processes(tiny_gazetteer):
    import pickle

    clone = pickle.loads(pickle.dumps(tiny_gazetteer))
    assert clone.get("t:kyiv").name == "Kyiv"


def test_info_counts(tiny_gazetteer):
    info = tiny_gazetteer.info()
    assert info.counts["city"] == 12
    assert info.counts["admin1"] == 4
    assert info.size_bytes > 0


def test_info_reports_kind_and_build_time(tiny_gazetteer):
    info = tiny_gazetteer.info()
    assert info.kind == "records" and info.built_at and info.built_at.endswith("Z")


def test_normalize_name_folds_apostrophes_hyphens_saint_and_the():
    assert normalize_name("Bila Tserkva’") == normalize_name("Bila Tserkvaʼ") == normalize_name("Bila Tserkva")
    assert normalize_name("Ivano-Frankivsk") == normalize_name("Ivano Frankivsk")
    assert normalize_name("St. Louis") == normalize_name("Saint Louis") == normalize_name("st louis")
    assert normalize_name("the Hague") == normalize_name("Hague")
    assert normalize_name("Cafe\u0301") == normalize_name("Café") == "cafe"  # NFD and NFC alike
    assert normalize_name("Mt. Pleasant") == normalize_name("Mount Pleasant")
    assert normalize_name("Ft. Worth") == normalize_name("Fort Worth")
    assert normalize_name("N.Y") == normalize_name("N.Y.") == normalize_name("NY")
    assert normalize_name("U.S.A") == normalize_name("USA") and normalize_name("A.B.C") == "abc"
    assert normalize_name("Democratic Republic of Congo") == normalize_name("Democratic Republic of the Congo")
    assert normalize_name("Mtskheta") == "mtskheta"  # only the whole word is an abbreviation


def test_fuzzy_fallback_is_marked_and_only_when_asked(tiny_gazetteer):
    assert tiny_gazetteer.lookup("Kharkiw", spelling=False) == []
    (match,) = tiny_gazetteer.lookup("Kharkiw", spelling=False, fuzzy=True)[:1]
    assert match.origin is MatchOrigin.FUZZY and 0 < match.similarity < 1


# -- overlays ----------------------------------------------------------------------------------

_YAML_OVERLAY = """
places:
  - {id: "user:camp", name: Camp Azov Steppe, kind: other, lat: 46.9, lon: 35.1, country_code: ua,
     names: [Azov Steppe Camp]}
  - {id: "user:slobozhanshchyna", name: Slobozhanshchyna, kind: region,
     union_of: ["t:kharkiv-oblast"], names: [Sloboda Ukraine]}
aliases:
  - {place: "t:kyiv", names: [Kyjiw]}
suppress:
  - {name: Cherson}
  - {place: "t:izium-far"}
  - {name: Kherson, place: "t:kherson-oblast"}
"""


def _sha(path):
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_yaml_overlay_adds_aliases_and_suppresses(tmp_path, tiny_gazetteer, tiny_gazetteer_path):
    before = _sha(tiny_gazetteer_path)
    overlay = tmp_path / "mine.yaml"
    overlay.write_text(_YAML_OVERLAY, "utf-8")
    gaz = with_overlay(tiny_gazetteer, overlay, cache_dir=tmp_path / "cache")
    assert [m.place.id for m in gaz.lookup("Azov Steppe Camp")] == ["user:camp"]
    assert gaz.get("user:camp").country_code == "UA"
    assert gaz.contains("user:slobozhanshchyna", 49.98, 36.25)  # the union of its members' outlines
    assert [m.origin for m in gaz.lookup("Kyjiw")] == [MatchOrigin.ALIAS]
    assert gaz.lookup("Cherson") == [] and gaz.lookup("Cherson", fuzzy=True) == []  # not even fuzzily
    assert gaz.lookup("Kherzon", fuzzy=True)  # other misspellings are still matched
    assert [m.place.id for m in gaz.lookup("Izium")] == ["t:izium"]
    assert [m.place.id for m in gaz.lookup("Kherson")] == ["t:kherson"]
    assert "mine.yaml" in gaz.info().sources["user_overlay"]
    # The gazetteer itself is untouched, and the overlaid copy is made once.
    assert _sha(tiny_gazetteer_path) == before and len(tiny_gazetteer.lookup("Kherson")) == 2
    assert with_overlay(tiny_gazetteer, overlay, cache_dir=tmp_path / "cache").path == gaz.path


def test_csv_overlay(tmp_path, tiny_gazetteer):
    overlay = tmp_path / "mine.csv"
    overlay.write_text(
        "action,id,name,kind,lat,lon,country_code,names,place\n"
        "place,user:depot,Lozova Depot,other,48.89,36.31,UA,Lozova Rail Depot|Depot 7,\n"
        "alias,,,,,,,Charkow,t:kharkiv\n"
        "suppress,,Donbass,,,,,,\n", "utf-8")
    gaz = with_overlay(tiny_gazetteer, overlay, cache_dir=tmp_path)
    assert [m.place.id for m in gaz.lookup("Depot 7")] == ["user:depot"]
    assert [m.place.id for m in gaz.lookup("Charkow")] == ["t:kharkiv"]
    assert gaz.lookup("Donbass") == [] and gaz.lookup("Donbas")


@pytest.mark.parametrize(("text", "suffix", "needle"), [
    ("places:\n  - {id: a, name: A, kind: town, lat: 1, lon: 2}\n", "yaml", "places entry 1 .*kind 'town' is not one of"),
    ("places:\n  - {id: a, name: A, lat: 95, lon: 2}\n", "yaml", "`lat` 95 is out of range"),
    ("places:\n  - {id: a, name: A}\n", "yaml", "needs `lat` and `lon`"),
    ("places:\n  - {id: a, name: A, lat: 1, lon: 2, colour: red}\n", "yaml", "unknown key 'colour'"),
    ("places:\n  - {id: a, name: A, lat: 1, lon: 2}\n  - {id: a, name: B, lat: 1, lon: 2}\n", "yaml",
     "id 'a' is used twice"),
    ("aliases:\n  - {place: t:kyiv}\n", "yaml", "aliases entry 1: an alias entry needs `names`"),
    ("suppress:\n  - {note: why}\n", "yaml", "suppress entry 1: a suppress entry needs"),
    ("placez: []\n", "yaml", "unknown section 'placez'"),
    ("places: [\n", "yaml", "line 2: not valid YAML"),
    ("action,id,name\nplace,a,A\n", "csv", "line 2 .*needs `lat` and `lon`"),
    ("action,id,name\nmove,a,A\n", "csv", "line 2: action 'move' is not place, alias or suppress"),
    ("id,name\na,A\n", "csv", "header with an `action` column"),
    ("action,id,name,lat,lon\nalias,a,A,,\n", "csv", "line 2: column 'id' does not apply to a alias row"),
    ("places: []\n", "json", "unknown file type .json"),
])
def test_invalid_overlays_are_one_clear_error(tmp_path, text, suffix, needle):
    path = tmp_path / f"bad.{suffix}"
    path.write_text(text, "utf-8")
    with pytest.raises(GazetteerDataError, match=f"bad.{suffix}.*{needle}"):
        load_overlay(path)


def test_overlay_naming_an_unknown_place_fails_without_leaving_a_copy(tmp_path, tiny_gazetteer):
    path = tmp_path / "bad.yaml"
    path.write_text("aliases:\n  - {place: 't:atlantis', names: [Poseidonia]}\n", "utf-8")
    with pytest.raises(GazetteerDataError, match="aliases entry 1.*no place has the id 't:atlantis'"):
        with_overlay(tiny_gazetteer, path, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []
    with pytest.raises(GazetteerDataError, match="does not exist"):
        load_overlay(tmp_path / "absent.yaml")


def test_cli_lookup_with_overlay_and_table_format(capsys, tmp_path, tiny_gazetteer_path, monkeypatch):
    from geomap.cli import main

    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path))
    overlay = tmp_path / "o.yaml"
    overlay.write_text("aliases:\n  - {place: 't:kharkiv', names: [Charkow]}\n", "utf-8")
    code = main(["gazetteer", "lookup", "Charkow", "--gazetteer", str(tiny_gazetteer_path),
                 "--gazetteer-overlay", str(overlay)])
    out, err = capsys.readouterr()
    assert code == 0, err
    header, row = out.splitlines()[:2]
    assert header.split()[:3] == ["score", "id", "kind"] and "t:kharkiv" in row and row.endswith("alias")
    code = main(["gazetteer", "lookup", "Kharkiw", "--gazetteer", str(tiny_gazetteer_path), "--format", "json"])
    out, _ = capsys.readouterr()
    candidates = json.loads(out)["candidates"]
    assert candidates[0]["id"] == "t:kharkiv" and candidates[0]["matched_as"] in ("spelling", "fuzzy")
    bad = tmp_path / "bad.csv"
    bad.write_text("action\nfly\n", "utf-8")
    code = main(["gazetteer", "info", "--gazetteer", str(tiny_gazetteer_path), "--gazetteer-overlay", str(bad)])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "bad.csv, line 2" in err


def test_only_the_most_recent_overlaid_copies_are_kept(tmp_path, tiny_gazetteer):
    from gazetteer.overlay import KEEP_COPIES

    made = []
    for i in range(KEEP_COPIES + 2):
        overlay = tmp_path / f"o{i}.yaml"
        overlay.write_text(f"aliases:\n  - {{place: 't:kyiv', names: [Kyiv Number {i}]}}\n", "utf-8")
        made.append(with_overlay(tiny_gazetteer, overlay, cache_dir=tmp_path / "cache").path)
    kept = sorted((tmp_path / "cache").glob("*.sqlite"))
    assert len(kept) == KEEP_COPIES and made[-1] in kept and made[0] not in kept


# -- the real embedded gazetteer ----------------------------------------------------------------


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


# -- key filters -------------------------------------------------------------------------------


@given(st.sets(st.text(min_size=1, max_size=30), max_size=200))
def test_a_key_filter_holds_every_key_it_was_made_of(keys):
    key_filter = KeyFilter.of(keys, len(keys))
    assert all(key in key_filter for key in keys)


def test_a_key_filter_turns_away_most_other_keys():
    key_filter = KeyFilter.of((f"place {i}" for i in range(5000)), 5000)
    false_positives = sum(f"person {i}" in key_filter for i in range(5000))
    assert false_positives / 5000 < 0.03  # made for 1%


def _copy(path, tmp_path):
    copy = tmp_path / "copy.sqlite"
    shutil.copy(path, copy)
    return copy


def test_lookups_agree_with_and_without_key_filters(tmp_path, tiny_gazetteer, tiny_gazetteer_path):
    bare = _copy(tiny_gazetteer_path, tmp_path)
    with sqlite3.connect(bare) as conn:
        assert conn.execute("SELECT count(*) FROM key_filters").fetchone()[0] == 2
        conn.execute("DROP TABLE key_filters")  # as in a database built before the filters
    unfiltered = Gazetteer(bare)
    for name in ("Kyiv", "Kiev", "Kharkov", "Kherson", "Nowhere Springs", "Zaporozhye"):
        assert [m.place.id for m in tiny_gazetteer.lookup(name)] == [m.place.id for m in unfiltered.lookup(name)]
    assert tiny_gazetteer.lookup("Kyiv") and not tiny_gazetteer.lookup("Nowhere Springs")


def test_a_name_added_after_the_key_filter_is_still_found(tmp_path, tiny_gazetteer_path):
    changed = _copy(tiny_gazetteer_path, tmp_path)
    with sqlite3.connect(changed) as conn:
        pk = conn.execute("SELECT pk FROM places WHERE id = 't:kyiv'").fetchone()[0]
        conn.execute("INSERT INTO names VALUES ('zzyzx springs', ?, 0)", (pk,))
    assert [m.place.id for m in Gazetteer(changed).lookup("Zzyzx Springs")] == ["t:kyiv"]


def test_a_lookup_not_to_remember_gives_the_same_places_and_leaves_the_cache_alone(tiny_gazetteer_path):
    gazetteer = Gazetteer(tiny_gazetteer_path)
    for remembered, name in enumerate(("Kyiv", "Kharkov", "Nowhere Springs")):
        probe = gazetteer.lookup(name, remember=False)
        assert gazetteer._cache_lookup.cache_info().currsize == remembered
        assert probe == gazetteer.lookup(name)
    assert gazetteer._cache_lookup.cache_info().currsize == 3


def test_store_doctests():
    import doctest

    from gazetteer import store

    assert doctest.testmod(store).failed == 0
