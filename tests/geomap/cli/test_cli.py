"""The command line: outputs, and one-line errors with exit status 2 for bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from geomap.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean_error(code, err, *needles):
    assert code == 2
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture()
def article(tmp_path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text("Shelling was reported in the Kherson region and near Kharkiv. "
                    "Residents of Kiev heard sirens.\n", encoding="utf-8")
    return path


def test_missing_file(capsys, tmp_path, tiny_gazetteer_path):
    missing = tmp_path / "nope.txt"
    code, out, err = run(capsys, "map", missing, "--gazetteer", tiny_gazetteer_path, "-o", tmp_path / "m.html")
    assert_clean_error(code, err, str(missing), "does not exist")
    assert not (tmp_path / "m.html").exists()


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("empty.txt", b"", "is empty"),
        ("blank.txt", b"   \n\n", "is empty"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("garbage.txt", bytes(range(1, 256)) * 4, "not text in any encoding"),
        ("bad.jsonl", b'{"id": 1, "text": "Kyiv"}\n{"id": 2, "text": \n', "bad.jsonl:2"),
        ("notext.jsonl", b'{"id": 1, "body": "Kyiv"}\n', '"text"'),
    ],
)
def test_bad_inputs_get_one_line_errors(capsys, tmp_path, tiny_gazetteer_path, name, content, needle):
    path = tmp_path / name
    path.write_bytes(content)
    out_path = tmp_path / "map.html"
    code, out, err = run(capsys, "map", path, "--gazetteer", tiny_gazetteer_path, "-o", out_path)
    assert_clean_error(code, err, name, needle)
    assert not out_path.exists()


def test_non_utf8_article_is_decoded_with_a_logged_guess(capsys, caplog, tmp_path, tiny_gazetteer_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Sirens sounded in Kyiv — and in Kharkiv, near the café.\n".encode("cp1252"))
    with caplog.at_level("DEBUG", logger="geomap.sources.decode"):
        code, out, err = run(capsys, "places", path, "--format", "jsonl", "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    [record] = [json.loads(line) for line in out.splitlines()]
    assert [p["surface"] for p in record["places"]] == ["Kyiv", "Kharkiv"]
    # cp1250 and cp1252 agree on every byte of this text; either guess decodes it exactly.
    assert f"{path}: not UTF-8; decoded as cp125" in caplog.text


def test_output_that_is_an_input_is_refused(capsys, article, tiny_gazetteer_path):
    before = article.read_bytes()
    code, out, err = run(capsys, "map", article, "--gazetteer", tiny_gazetteer_path, "-o", article)
    assert_clean_error(code, err, "also an input")
    assert article.read_bytes() == before


def _without_root_powers() -> list[str]:
    """A command prefix under which root obeys file permissions (setpriv), or [] when not root."""
    import shutil

    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "running as root needs setpriv (util-linux) to test an unwritable directory"
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps",
            "-dac_override,-dac_read_search", "--securebits", "+noroot,+noroot_locked"]


def test_unwritable_output_path(article, tmp_path, tiny_gazetteer_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    command = [*_without_root_powers(), sys.executable, "-m", "geomap.cli", "map", str(article),
               "--gazetteer", str(tiny_gazetteer_path), "-o", str(locked / "m.html")]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    finally:
        locked.chmod(0o700)
    assert_clean_error(done.returncode, done.stderr, "cannot write")
    assert list(locked.iterdir()) == []


def test_output_under_a_file_is_refused(capsys, article, tmp_path, tiny_gazetteer_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("keep me")
    code, out, err = run(capsys, "map", article, "--gazetteer", tiny_gazetteer_path, "-o", blocker / "m.html")
    assert_clean_error(code, err, "cannot write")
    assert blocker.read_text() == "keep me"


def test_html_output_named_png_is_refused_with_the_fix(capsys, article, tmp_path, tiny_gazetteer_path):
    picture = tmp_path / "map.PNG"
    code, out, err = run(capsys, "map", article, "--gazetteer", tiny_gazetteer_path, "-o", picture)
    assert_clean_error(code, err, f"--png {picture}")
    assert not picture.exists()


def test_usage_errors_exit_2(capsys):
    code, out, err = run(capsys, "map")
    assert_clean_error(code, err, "no INPUT given")
    with pytest.raises(SystemExit) as info:
        main(["places", "x.txt", "--bbox", "1,2,3"])
    assert info.value.code == 2
    assert "W,S,E,N" in capsys.readouterr().err


@pytest.mark.model
def test_map_writes_html_and_prints_its_path(capsys, article, tmp_path, tiny_gazetteer_path):
    out_path = tmp_path / "maps" / "report.html"
    code, out, err = run(capsys, "map", article, "--gazetteer", tiny_gazetteer_path, "-o", out_path)
    assert code == 0, err
    assert out.strip() == str(out_path)
    html = out_path.read_text("utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', html, re.S).group(1))
    spellings = {p["n"]: p["s"] for p in data["p"]}
    assert spellings == {"Kherson Oblast": ["Kherson"], "Kharkiv": ["Kharkiv"], "Kyiv": ["Kiev"]}


@pytest.mark.model
def test_places_jsonl_one_line_per_document(capsys, tmp_path, tiny_gazetteer_path):
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(
        json.dumps({"id": "a", "text": "Sirens in Kiev."}) + "\n"
        + json.dumps({"id": "b", "text": "Nothing happened today."}) + "\n"
        + json.dumps({"id": "c", "text": "Fighting near Mariupol and in Donbass.", "extra": 1}) + "\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "places", corpus, "--format", "jsonl", "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert records[1]["places"] == []
    assert [p["name"] for p in records[2]["places"]] == ["Mariupol", "Donbas"]


@pytest.mark.model
def test_console_script_runs_as_a_subprocess(tmp_path, article, tiny_gazetteer_path):
    result = subprocess.run(
        [sys.executable, "-m", "geomap.cli", "places", str(article), "--gazetteer", str(tiny_gazetteer_path),
         "--format", "csv"],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("document,start,end,surface")
