"""The gazetteer store, on the tiny fixture database."""

from __future__ import annotations

import sqlite3

import pytest

from gazetteer import (Gazetteer, GazetteerCorrupt, GazetteerNotFound, MatchOrigin, PlaceKind,
                       UnknownPlaceError, normalize_name)


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
