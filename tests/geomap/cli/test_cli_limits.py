"""The bound on text per document at the command line: one line and exit status 2 above it,
nothing written; long outputs written a record at a time."""

from __future__ import annotations

import gzip
import json

import pytest

from geomap.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.fixture()
def report(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("Shelling hit Kherson. Sirens sounded in Kyiv.\n" * 40, encoding="utf-8")
    return path


def test_a_text_above_max_chars_gets_one_line_and_nothing_is_written(capsys, tmp_path, report, tiny_gazetteer_path):
    out = tmp_path / "places.json"
    code, _, err = run(capsys, "places", report, "--max-chars", "1k", "--format", "json", "-o", out,
                       "--gazetteer", tiny_gazetteer_path)
    assert code == 2
    line = one_line(err)
    assert str(report) in line and "1,000 characters" in line and "--max-chars" in line
    assert not out.exists() and list(tmp_path.iterdir()) == [report]


def test_the_bound_can_come_from_the_environment(capsys, monkeypatch, tmp_path, report, tiny_gazetteer_path):
    monkeypatch.setenv("GEOMAP_MAX_CHARS", "500")
    code, _, err = run(capsys, "map", report, "-o", tmp_path / "m.html", "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and "500 characters" in one_line(err)
    monkeypatch.setenv("GEOMAP_MAX_CHARS", "many")
    code, _, err = run(capsys, "places", report, "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and "GEOMAP_MAX_CHARS=many" in one_line(err)


def test_a_bad_max_chars_is_a_usage_error(capsys, report):
    with pytest.raises(SystemExit) as caught:
        main(["places", str(report), "--max-chars", "lots"])
    assert caught.value.code == 2
    assert "positive number of characters" in capsys.readouterr().err


def test_a_gzip_bomb_is_refused_while_decompressing(capsys, tmp_path, tiny_gazetteer_path):
    bomb = tmp_path / "corpus.jsonl.gz"
    bomb.write_bytes(gzip.compress(b"\0" * (64 << 20), compresslevel=9) * 4)  # 256 MiB of zeros in ~250 kB
    code, _, err = run(capsys, "places", bomb, "--format", "json", "--max-chars", "1M",
                       "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and "line longer than" in one_line(err)


def test_a_page_too_large_for_the_bound_is_refused_unread(capsys, tmp_path, tiny_gazetteer_path):
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body>" + "<p>Kyiv.</p>" * 2000 + "</body></html>", encoding="utf-8")
    code, _, err = run(capsys, "places", page, "--max-chars", "5000", "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and "page.html is 24,041 bytes" in one_line(err)


def test_a_streamed_corpus_reports_a_record_above_the_bound_and_goes_on(capsys, tmp_path, tiny_gazetteer_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": i, "text": text}) for i, text in
                                enumerate(["Sirens in Kyiv.", "Kherson " * 300, "Shelling near Kherson."])) + "\n",
                      encoding="utf-8")
    out = tmp_path / "places.jsonl"
    code, _, err = run(capsys, "places", corpus, "--format", "jsonl", "-o", out, "--max-chars", "1000", "-q",
                       "--gazetteer", tiny_gazetteer_path)
    assert code == 2
    assert "corpus.jsonl:2" in err and "--max-chars" in err
    assert [json.loads(line)["id"] for line in out.read_text("utf-8").splitlines()] == ["0", "2"]


def test_json_to_a_file_is_what_goes_to_standard_output(capsys, tmp_path, report, tiny_gazetteer_path):
    out = tmp_path / "places.json"
    code, printed, _ = run(capsys, "places", report, "--format", "json", "--gazetteer", tiny_gazetteer_path)
    assert code == 0
    code, _, _ = run(capsys, "places", report, "--format", "json", "-o", out, "--gazetteer", tiny_gazetteer_path)
    assert code == 0 and out.read_text("utf-8") == printed
    assert len(json.loads(printed)[0]["places"]) == 80
