"""The gazetteer store, on the tiny fixture database."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from gazetteer import (Gazetteer, GazetteerCorrupt, GazetteerNotFound, MatchOrigin, NameKind, PlaceKind,
                       UnknownPlaceError)
from gazetteer.store import KeyFilter

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_lookup_finds_names_aliases_and_case_variants(tiny_gazetteer):
    kinds = {m.place.id: m.origin for m in tiny_gazetteer.lookup("KHERSON")}
    assert kinds == {"t:kherson": MatchOrigin.NAME, "t:kherson-oblast": MatchOrigin.ALIAS}
    (kiev,) = tiny_gazetteer.lookup("Kiev")
    assert kiev.place.name == "Kyiv" and kiev.origin is MatchOrigin.ALIAS
    assert tiny_gazetteer.lookup("Atlantis") == []


def _summed(matches):
    """Lookup's matches summed up by hand: (kind, origin) -> the largest population (None if none)."""
    groups: dict = {}
    for m in matches:
        key = (m.place.kind, m.origin)
        populations = [p for p in (groups.get(key), m.place.population) if p is not None]
        groups[key] = max(populations) if populations else None
    return groups


def _fixture_names():
    records = yaml.safe_load((FIXTURES / "tiny_gazetteer.yaml").read_text("utf-8"))
    names = {r["name"] for r in records["places"]}
    names |= {n for r in records["places"] + records["aliases"] for n in r.get("names", ())}
    names |= {n for r in records["aliases"] for n in r.get("demonyms", ())}
    return sorted(names | {"KHERSON", "Kharkov", "Kharkiw", "Khersonn", "Izyum", "Kherzon", "Atlantis", "the Donbass", ""})


def test_name_kinds_sum_up_what_lookup_finds(tiny_gazetteer):
    for name in _fixture_names():
        for spelling in (True, False):
            found = tiny_gazetteer.name_kinds(name, spelling=spelling)
            assert {(k.kind, k.origin): k.population for k in found} == \
                _summed(tiny_gazetteer.lookup(name, spelling=spelling)), (name, spelling)
            assert list(found) == sorted(found, key=lambda k: (k.origin, k.kind.value))
            assert len(set(found)) == len(found)


def test_name_kinds_of_shared_names_spelling_keys_and_unknown_names(tiny_gazetteer):
    assert tiny_gazetteer.name_kinds("Alexandria") == (NameKind(PlaceKind.CITY, MatchOrigin.NAME, 3800000),)
    assert {(k.kind, k.origin) for k in tiny_gazetteer.name_kinds("Georgia")} == {
        (PlaceKind.COUNTRY, MatchOrigin.NAME), (PlaceKind.ADMIN1, MatchOrigin.NAME)}
    assert [(k.kind, k.origin) for k in tiny_gazetteer.name_kinds("KHERSON")] == [
        (PlaceKind.CITY, MatchOrigin.NAME), (PlaceKind.ADMIN1, MatchOrigin.ALIAS)]
    assert tiny_gazetteer.name_kinds("United States") == (NameKind(PlaceKind.COUNTRY, MatchOrigin.NAME, None),)
    # A spelling key only when no name matches exactly, and only with ``spelling``.
    assert tiny_gazetteer.name_kinds("Izium") == (NameKind(PlaceKind.CITY, MatchOrigin.NAME, 60000),)
    assert tiny_gazetteer.name_kinds("Izyum") == (NameKind(PlaceKind.CITY, MatchOrigin.SPELLING, 60000),)
    assert tiny_gazetteer.name_kinds("Izyum", spelling=False) == ()
    assert tiny_gazetteer.name_kinds("Georgian") == ()  # a demonym is no name
    assert tiny_gazetteer.name_kinds("Atlantis") == tiny_gazetteer.name_kinds("") == ()


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
    # The box test that settles most questions without the outline
    assert tiny_gazetteer.may_contain("t:kherson-oblast", 46.6354, 32.6169)
    assert not tiny_gazetteer.may_contain("t:kherson-oblast", 49.98, 36.25)  # Kharkiv: outside the box
    assert not tiny_gazetteer.may_contain("t:kherson", 46.6354, 32.6169)
    west, south, east, north = tiny_gazetteer.geometry("t:kherson-oblast").bounds
    assert tiny_gazetteer.may_contain("t:kherson-oblast", south - 0.01, west - 0.01)  # within the tolerance
    assert not tiny_gazetteer.may_contain("t:kherson-oblast", south - 0.03, west)


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


def test_fuzzy_fallback_is_marked_and_only_when_asked(tiny_gazetteer):
    assert tiny_gazetteer.lookup("Kharkiw", spelling=False) == []
    (match,) = tiny_gazetteer.lookup("Kharkiw", spelling=False, fuzzy=True)[:1]
    assert match.origin is MatchOrigin.FUZZY and 0 < match.similarity < 1


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
        assert tiny_gazetteer.name_kinds(name) == unfiltered.name_kinds(name)
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
