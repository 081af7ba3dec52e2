"""``geomap train`` and ``--ranker``: one-line errors, and a model trained on a small gold file
that the next run follows."""

from __future__ import annotations

import json

import pytest

from geomap.cli import main

pytest.importorskip("scipy")


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, err, needle):
    lines = [line for line in err.splitlines() if line.strip()]
    return code == 2 and len(lines) == 1 and needle in lines[0] and "Traceback" not in err


def test_nothing_to_learn_from_is_one_line(capsys, tmp_path):
    code, _, err = run(capsys, "train", "-o", tmp_path / "m.json")
    assert one_line_error(code, err, "nothing to learn from")


def test_decisions_need_their_articles(capsys, tmp_path):
    code, _, err = run(capsys, "train", "--decisions", tmp_path / "d.yaml", "-o", tmp_path / "m.json")
    assert one_line_error(code, err, "--articles")


def test_a_missing_gold_file_is_one_line(capsys, tmp_path, tiny_gazetteer_path):
    code, _, err = run(capsys, "train", tmp_path / "gold.jsonl", "-o", tmp_path / "m.json",
                       "--gazetteer", tiny_gazetteer_path)
    assert one_line_error(code, err, "does not exist")


def test_a_bad_ranker_file_is_one_line(capsys, tmp_path, tiny_gazetteer_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": 1, "weights": {"shoe size": 2}}', encoding="utf-8")
    article = tmp_path / "a.txt"
    article.write_text("Shelling near Kherson.\n", encoding="utf-8")
    code, _, err = run(capsys, "places", article, "--ranker", bad, "--gazetteer", tiny_gazetteer_path)
    assert one_line_error(code, err, "geomap train")


def _gold(text: str, spans: list[tuple[str, float, float, str]]) -> dict:
    toponyms, start = [], 0
    for surface, lat, lon, kind in spans:
        start = text.index(surface, start)
        toponyms.append({"start": start, "end": start + len(surface), "surface": surface,
                         "lat": lat, "lon": lon, "type": kind})
        start += len(surface)
    return {"text": text, "toponyms": toponyms}


@pytest.mark.model
def test_a_model_trained_on_gold_is_written_and_followed(capsys, tmp_path, tiny_gazetteer_path):
    city, oblast = (46.6354, 32.6169, "city"), (46.6, 33.4, "admin1")
    kcity, koblast = (49.9808, 36.2527, "city"), (49.5, 36.5, "admin1")
    docs = [
        _gold("Fighting went on across Kherson for a week.", [("Kherson", *oblast)]),
        _gold("Villages across Kharkiv were shelled again.", [("Kharkiv", *koblast)]),
        _gold("Farms across Kherson lost power.", [("Kherson", *oblast)]),
        _gold("The mayor of Kharkiv spoke to reporters in Kharkiv.", [("Kharkiv", *kcity), ("Kharkiv", *kcity)]),
        _gold("Trams stopped in Kherson after the blast.", [("Kherson", *city)]),
        _gold("Schools in Kharkiv reopened.", [("Kharkiv", *kcity)]),
    ]
    gold = tmp_path / "gold.jsonl"
    docs = docs * 2  # twelve documents: every fold has something to learn from
    gold.write_text("".join(json.dumps({"id": f"d{i}", **d}) + "\n" for i, d in enumerate(docs)), encoding="utf-8")
    model = tmp_path / "model.json"
    code, out, err = run(capsys, "train", gold, "-o", model, "--folds", "2", "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    assert out.strip() == str(model)
    data = json.loads(model.read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["weights"] and data["metadata"]["documents"] == len(docs)

    article = tmp_path / "a.txt"
    article.write_text("Shelling near Kherson and Kharkiv.\n", encoding="utf-8")
    code, out, err = run(capsys, "places", article, "--format", "jsonl", "--ranker", model,
                         "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    places = json.loads(out.splitlines()[0])["places"]
    assert {p["surface"] for p in places} == {"Kherson", "Kharkiv"}
    assert all(0.0 < p["confidence"] <= 1.0 for p in places)
