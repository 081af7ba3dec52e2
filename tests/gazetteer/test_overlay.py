"""Overlays: a user's places, aliases and suppressions laid over a gazetteer as a cached copy."""

from __future__ import annotations

import hashlib
import json

import pytest

from gazetteer import GazetteerDataError, MatchOrigin, PlaceKind
from gazetteer.overlay import KEEP_COPIES, load_overlay, with_overlay


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
    assert gaz.name_kinds("Cherson") == () and [k.kind for k in gaz.name_kinds("Kherson")] == [PlaceKind.CITY]
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
    made = []
    for i in range(KEEP_COPIES + 2):
        overlay = tmp_path / f"o{i}.yaml"
        overlay.write_text(f"aliases:\n  - {{place: 't:kyiv', names: [Kyiv Number {i}]}}\n", "utf-8")
        made.append(with_overlay(tiny_gazetteer, overlay, cache_dir=tmp_path / "cache").path)
    kept = sorted((tmp_path / "cache").glob("*.sqlite"))
    assert len(kept) == KEEP_COPIES and made[-1] in kept and made[0] not in kept
