"""``geomap places --spans FILE`` and ``geomap eval --gold-spans``: resolving marked spans."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from geomap.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, *needles):
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture()
def span_file(tmp_path) -> Path:
    first = "Shelling hit the Kherson region, not Kherson itself. Sirens in Kiev."
    second = "He grew up in Alexandria, Louisiana."
    path = tmp_path / "marked.jsonl"
    path.write_text(
        json.dumps({"id": "a", "text": first, "title": "Front",
                    "toponyms": [{"start": 17, "end": 24, "surface": "Kherson", "lat": 46.6, "lon": 33.4},
                                 {"start": 37, "end": 44, "surface": "Kherson", "lat": 46.6354, "lon": 32.6169},
                                 {"start": 63, "end": 67, "surface": "Kiev", "lat": 50.4547, "lon": 30.5238}]}) + "\n"
        + json.dumps({"id": "b", "text": second,
                      "toponyms": [{"start": 14, "end": 24, "surface": "Alexandria", "lat": 31.3, "lon": -92.4}]})
        + "\n", encoding="utf-8")
    return path


def test_a_bad_span_is_one_line_naming_the_file_line_document_and_span(capsys, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({"id": "d9", "text": "Kyiv", "toponyms": [{"start": 3, "end": 1}]}) + "\n", "utf-8")
    code, _, err = run(capsys, "places", "--spans", path)
    assert_one_line_error(code, err, "bad.jsonl:1", "document 'd9'", "span (3, 1)", "give spans as (start, end)")


@pytest.mark.parametrize("extra", [["x.txt"], ["--workers", "2", "--format", "jsonl"], ["--since", "2024-01-01"]])
def test_spans_refuse_inputs_and_batch_options_in_one_line(capsys, span_file, extra):
    code, _, err = run(capsys, "places", "--spans", span_file, *extra)
    assert_one_line_error(code, err, "--spans", "drop")


def test_an_empty_span_file_says_so(capsys, tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text("\n", "utf-8")
    code, _, err = run(capsys, "places", "--spans", path)
    assert_one_line_error(code, err, "holds no documents")


def test_eval_gold_spans_stops_in_one_line_on_overlapping_gold(capsys, tmp_path, tiny_gazetteer_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g", "text": "Kherson Oblast", "toponyms": [
        {"start": 0, "end": 14, "surface": "Kherson Oblast"}, {"start": 0, "end": 7, "surface": "Kherson"}]}) + "\n",
        "utf-8")
    code, _, err = run(capsys, "eval", gold, "--gold-spans", "--gazetteer", tiny_gazetteer_path)
    assert_one_line_error(code, err, "document 'g'", "overlap")


@pytest.mark.model
def test_places_spans_resolves_exactly_the_marked_spans_with_no_other_input(span_file, tiny_gazetteer_path):
    result = subprocess.run(
        [sys.executable, "-m", "geomap.cli", "places", "--spans", str(span_file), "--format", "jsonl",
         "--gazetteer", str(tiny_gazetteer_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == ["a", "b"]
    assert [(p["start"], p["end"], p["surface"], p["place_id"]) for p in records[0]["places"]] == [
        (17, 24, "Kherson", "t:kherson-oblast"), (37, 44, "Kherson", "t:kherson"), (63, 67, "Kiev", "t:kyiv")]
    # Louisiana is no marked span, yet it places Alexandria as the context of the document.
    assert [(p["surface"], p["place_id"]) for p in records[1]["places"]] == [("Alexandria", "t:alexandria-la")]
    assert set(records[0]["places"][0]) == set(records[1]["places"][0])  # the one JSON Lines schema


@pytest.mark.model
def test_eval_gold_spans_reports_resolution_only(capsys, span_file, tiny_gazetteer_path):
    code, out, err = run(capsys, "eval", span_file, "--gold-spans", "--json", "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    report = json.loads(out)
    assert report["gold_spans"] is True and report["recognition"] is None
    assert report["resolution"]["pairs"] == 4 and report["resolution"]["accuracy_at_161"] == 1.0
    code, out, err = run(capsys, "eval", span_file, "--gold-spans", "--gazetteer", tiny_gazetteer_path)
    assert "recognition not scored" in out and "\nrecognition " not in out
