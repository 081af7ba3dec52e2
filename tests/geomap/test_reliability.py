"""Storage and limits: the gazetteer cache is never used broken, builds are atomic and happen
once under concurrency, outputs are replaced only in full, inputs that are not text or are
longer than the model accepts are handled.

The embedded build reads 200,000 GeoNames places; here a tiny stand-in (the same
``gazetteer.writer.write_database`` machinery, a one-town overlay) replaces the source-reading part, so
that every test exercises the real ``open_default``: its checks, lock, temporary file and
rename.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import trafilatura  # noqa: F401 - imported here: urllib3 probes IPv6 with a socket on first import

import gazetteer.build as gbuild
import gazetteer.files as gfiles
from gazetteer import Gazetteer, GazetteerBuildError, GazetteerCorrupt
from gazetteer.steps import add_overlay
from gazetteer.writer import write_database
from geomap.cli import main
from geomap.errors import InputError, OutputError
from geomap.outputs.write import check_output, write_atomic
from geomap.sources.files import read_inputs

TINY = {"places": [{"id": "t:testville", "name": "Testville", "kind": "city", "lat": 10.0, "lon": 20.0,
                    "country_code": "UA", "population": 1234}]}

# Run in a subprocess: the real open_default, with the source-reading part of the build
# replaced by the tiny overlay. Optional pauses widen the race window and let a test kill a
# build halfway.
_WORKER = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    import gazetteer.build as b
    from gazetteer.steps import add_overlay
    from gazetteer.writer import write_database

    target, ready_dir, log_path, pause, hang = sys.argv[1:6]
    records = {"places": [{"id": "t:testville", "name": "Testville", "kind": "city",
                           "lat": 10.0, "lon": 20.0, "country_code": "UA"}]}

    def tiny_build(path, *, progress=None, fingerprint=None):
        with open(log_path, "a") as log:
            log.write(f"{os.getpid()}\\n")
        def fill(builder):
            add_overlay(builder, records, origin="test")
            time.sleep(float(pause))
            if hang == "1":
                Path(ready_dir, "building").write_text("")
                time.sleep(600)
        return write_database(Path(path), fill, {"fingerprint": fingerprint, "kind": "embedded"}, progress)

    b.build_embedded = tiny_build
    Path(ready_dir, f"ready-{os.getpid()}").write_text("")
    deadline = time.time() + 20
    while len(list(Path(ready_dir).glob("ready-*"))) < 2 and hang != "1" and time.time() < deadline:
        time.sleep(0.01)  # start together
    gaz = b.open_default(target)
    print(json.dumps({"pid": os.getpid(), "place": gaz.lookup("Testville")[0].place.id}))
""")


@pytest.fixture()
def builds(monkeypatch):
    """Replace the source-reading part of the embedded build; record every build."""
    calls: list[Path] = []

    def tiny_build(path, *, progress=None, fingerprint=None):
        calls.append(Path(path))
        return write_database(Path(path), lambda builder: add_overlay(builder, TINY, origin="test"),
                             {"fingerprint": fingerprint or gbuild.embedded_fingerprint(), "kind": "embedded"},
                             progress)

    monkeypatch.setattr(gbuild, "build_embedded", tiny_build)
    return calls


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def _assert_sound(path: Path) -> None:
    gaz = Gazetteer(path)
    assert gaz.lookup("Testville")[0].place.id == "t:testville"
    assert gaz.meta["complete"] == "1"
    gaz.close()


# -- the gazetteer cache ------------------------------------------------------------------------


def test_missing_database_is_built_once_then_reused(tmp_path, builds):
    target = tmp_path / "cache" / "gazetteer.sqlite"
    gbuild.open_default(target).close()
    gbuild.open_default(target).close()
    assert builds == [target]
    _assert_sound(target)
    assert _leftovers(target.parent) == []


@pytest.mark.parametrize("content", [b"", b"hello, I am not a database\n", b"SQLite format 3\x00" + b"\xff" * 84,
                                     os.urandom(8192)], ids=["empty", "text", "bad-header", "random"])
def test_a_file_that_is_not_a_database_is_rebuilt(tmp_path, builds, content):
    target = tmp_path / "gazetteer.sqlite"
    target.write_bytes(content)
    gbuild.open_default(target).close()
    assert builds == [target]
    _assert_sound(target)


def test_a_truncated_database_is_detected_and_rebuilt(tmp_path, builds):
    target = tmp_path / "gazetteer.sqlite"
    gbuild.open_default(target).close()
    size = target.stat().st_size
    with target.open("r+b") as handle:
        handle.truncate(size // 2)
    with pytest.raises(GazetteerCorrupt, match="truncated"):
        gbuild.check_file(target)
    gbuild.open_default(target).close()
    assert len(builds) == 2
    assert target.stat().st_size == size
    _assert_sound(target)


def _damage_table(path: Path, table: str) -> None:
    """Overwrite the root page of ``table`` with garbage, keeping the file's size."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    conn.close()
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))
    # Corruption happens long after a build: on filesystems with coarse timestamps a write in
    # the same tick as the build would keep the modification time.
    later = time.time() + 5
    os.utime(path, (later, later))


def test_a_damaged_database_is_detected_at_open_and_rebuilt(tmp_path, builds):
    target = tmp_path / "gazetteer.sqlite"
    gbuild.open_default(target).close()
    _damage_table(target, "names")
    Gazetteer(target).close()  # the metadata still reads: only the full check finds the damage
    with pytest.raises(GazetteerCorrupt, match="damaged"):
        gbuild.verify(target)
    gbuild.open_default(target).close()
    assert len(builds) == 2
    _assert_sound(target)


def test_a_database_built_elsewhere_is_checked_once(tmp_path, builds, monkeypatch):
    target = tmp_path / "gazetteer.sqlite"
    gbuild.open_default(target).close()
    stamp = target.with_name(target.name + ".verified")
    stamp.unlink()  # as if copied from another machine, or built by an older geomap
    checks = []
    real_check = gfiles.quick_check
    monkeypatch.setattr(gfiles, "quick_check", lambda path: checks.append(path) or real_check(path))
    gbuild.open_default(target).close()
    assert stamp.exists() and checks == [target]
    gbuild.open_default(target).close()
    gbuild.open_default(target).close()
    assert checks == [target]  # the stamp names this very file: no second full check
    later = time.time() + 5
    os.utime(target, (later, later))  # touched (or replaced): checked again
    gbuild.open_default(target).close()
    assert checks == [target, target] and builds == [target]


def _write_database(path: Path, meta: dict[str, str], schema: str | None = None) -> None:
    from gazetteer.store import SCHEMA

    conn = sqlite3.connect(path)
    conn.executescript(schema or SCHEMA)
    conn.executemany("INSERT INTO meta VALUES (?, ?)", sorted(meta.items()))
    conn.commit()
    conn.close()


def test_a_database_of_an_older_schema_is_rebuilt(tmp_path, builds):
    target = tmp_path / "gazetteer.sqlite"
    old_schema = "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); CREATE TABLE places (pk INTEGER);"
    _write_database(target, {"schema_version": "1", "complete": "1", "kind": "embedded",
                             "fingerprint": gbuild.embedded_fingerprint()}, old_schema)
    gbuild.open_default(target).close()
    assert builds == [target]
    _assert_sound(target)


def test_a_half_written_database_is_never_used(tmp_path, builds):
    """An older geomap, or a copy cut short, can leave a database without its completion mark."""
    from gazetteer.store import SCHEMA_VERSION

    target = tmp_path / "gazetteer.sqlite"
    _write_database(target, {"schema_version": str(SCHEMA_VERSION), "kind": "embedded",
                             "fingerprint": gbuild.embedded_fingerprint()})
    with pytest.raises(GazetteerCorrupt, match="unfinished"):
        Gazetteer(target)
    gbuild.open_default(target).close()
    assert builds == [target]
    _assert_sound(target)


def test_a_database_from_other_sources_is_rebuilt(tmp_path, builds):
    target = tmp_path / "gazetteer.sqlite"
    gbuild.open_default(target).close()
    conn = sqlite3.connect(target)
    conn.execute("UPDATE meta SET value = 'older-sources' WHERE key = 'fingerprint'")
    conn.commit()
    conn.close()
    gbuild.open_default(target).close()
    assert len(builds) == 2
    assert Gazetteer(target).meta["fingerprint"] == gbuild.embedded_fingerprint()


def test_a_users_own_database_is_never_rebuilt_over(tmp_path, builds):
    """$GEOMAP_GAZETTEER may name a custom database: it is used as it is, or refused, never replaced."""
    target = tmp_path / "custom.sqlite"
    gbuild.build_from_records(target, TINY, name="mine")
    before = target.read_bytes()
    gaz = gbuild.open_default(target)
    assert gaz.meta["kind"] == "records"
    gaz.close()
    conn = sqlite3.connect(target)  # now make it unreadable for this geomap (an older schema)
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    changed = target.read_bytes()
    with pytest.raises(GazetteerCorrupt, match="schema"):
        gbuild.open_default(target)
    assert builds == []
    assert target.read_bytes() == changed != before


def test_an_interrupted_build_leaves_the_old_database_intact(tmp_path, builds):
    """A build killed halfway (SIGKILL: no cleanup runs) never replaces or damages the database;
    the next build removes its leftovers."""
    target = tmp_path / "gazetteer.sqlite"
    gbuild.open_default(target).close()
    conn = sqlite3.connect(target)  # the sources changed: the next open rebuilds
    conn.execute("UPDATE meta SET value = 'older-sources' WHERE key = 'fingerprint'")
    conn.commit()
    conn.close()
    before = target.read_bytes()
    ready = tmp_path / "ready"
    ready.mkdir()
    worker = subprocess.Popen(
        [sys.executable, "-c", _WORKER, str(target), str(ready), str(tmp_path / "log"), "0", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (ready / "building").exists():
            assert worker.poll() is None, worker.stderr.read().decode()
            assert time.monotonic() < deadline, "the worker never started building"
            time.sleep(0.05)
        assert _leftovers(tmp_path), "the build writes to a temporary file"
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert target.read_bytes() == before  # untouched: the half-built file never took its place
    gbuild.open_default(target).close()  # the killed process's lock died with it
    assert len(builds) == 2
    _assert_sound(target)
    assert _leftovers(tmp_path) == []


def test_two_processes_starting_without_a_cache_build_it_once(tmp_path):
    target = tmp_path / "cache" / "gazetteer.sqlite"
    ready = tmp_path / "ready"
    ready.mkdir()
    log = tmp_path / "builds.log"
    workers = [subprocess.Popen([sys.executable, "-c", _WORKER, str(target), str(ready), str(log), "1.0", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [w.communicate(timeout=120) for w in workers]
    for worker, (out, err) in zip(workers, results):
        assert worker.returncode == 0, err
        assert json.loads(out.strip().splitlines()[-1])["place"] == "t:testville"
    assert len(log.read_text().split()) == 1  # one build; the other process waited and opened it
    _assert_sound(target)
    assert _leftovers(target.parent) == []


def test_a_cache_directory_that_cannot_be_created_gives_a_clear_error(tmp_path, builds, monkeypatch, capsys):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory should be")
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(blocker / "geomap"))
    monkeypatch.delenv("GEOMAP_GAZETTEER", raising=False)
    with pytest.raises(GazetteerBuildError, match="GEOMAP_CACHE_DIR"):
        gbuild.open_default()
    article = tmp_path / "a.txt"
    article.write_text("Shelling hit Kharkiv.\n")
    code = main(["places", str(article), "-q"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "cannot build the gazetteer" in err and "GEOMAP_CACHE_DIR" in err
    assert builds == []


_READ_ONLY_WORKER = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    import gazetteer.build as b
    from gazetteer import GazetteerBuildError

    cache = Path(sys.argv[1])
    result = {"writable": os.access(cache, os.W_OK)}
    gaz = b.open_default(cache / "gazetteer.sqlite")  # sound and current: used read-only
    result["place"] = gaz.lookup("Testville")[0].place.id
    gaz.close()
    try:
        b.open_default(cache / "other.sqlite")          # missing: would need a build
    except GazetteerBuildError as exc:
        result["error"] = str(exc)
    os.environ["GEOMAP_CACHE_DIR"] = str(cache)
    os.environ.pop("GEOMAP_GAZETTEER", None)
    article = cache.parent / "a.txt"
    from geomap.cli import main
    import io, contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        result["cli_code"] = main(["places", str(article), "-q"])
    result["cli_err"] = err.getvalue()
    print(json.dumps(result))
""")


def test_a_read_only_cache_directory(tmp_path, builds):
    """A sound database in a read-only cache is used; a build there fails with a one-line error.

    As root (who may write anywhere) the check runs in a process stripped of the capabilities
    that bypass file permissions (setpriv), so that the directory really is read-only to it.
    """
    import shutil

    cache = tmp_path / "cache"
    cache.mkdir()
    target = cache / "gazetteer.v-test.sqlite"
    gbuild.open_default(cache / "gazetteer.sqlite").close()  # the current embedded build (tiny)
    (tmp_path / "a.txt").write_text("Shelling hit Kharkiv.\n")
    command = [sys.executable, "-c", _READ_ONLY_WORKER, str(cache)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: a read-only directory cannot be simulated")
        drop = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps",
                "-dac_override,-dac_read_search", "--securebits", "+noroot,+noroot_locked"]
        probe = subprocess.run([*drop, "true"], capture_output=True, text=True, check=False)
        if probe.returncode != 0:
            pytest.skip(f"running as root and setpriv cannot drop capabilities here: {probe.stderr.strip()}")
        command = [*drop, *command]
    before = sorted(p.name for p in cache.iterdir())
    cache.chmod(0o555)
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    finally:
        cache.chmod(0o755)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["writable"] is False
    assert result["place"] == "t:testville"
    assert "cannot build the gazetteer in" in result["error"] and "writable location" in result["error"]
    assert "GEOMAP_CACHE_DIR" in result["error"] and "\n" not in result["error"]
    assert result["cli_code"] == 2 and result["cli_err"].count("\n") == 1
    assert result["cli_err"].startswith("geomap: error: cannot build the gazetteer in")
    assert sorted(p.name for p in cache.iterdir()) == before  # nothing written, nothing removed
    assert len(builds) == 1 and not target.exists()


def test_waiting_for_another_build_gives_up_with_a_clear_error(tmp_path, builds, monkeypatch):
    from filelock import FileLock

    target = tmp_path / "gazetteer.sqlite"
    monkeypatch.setattr(gbuild, "_LOCK_TIMEOUT", 0.2)
    with FileLock(str(target) + ".lock"):  # another process is building
        with pytest.raises(GazetteerBuildError, match="another geomap process"):
            gbuild.open_default(target)
    assert builds == []


def test_cli_refuses_a_damaged_gazetteer_given_with_gazetteer(tmp_path, tiny_gazetteer_path, capsys):
    damaged = tmp_path / "damaged.sqlite"
    data = tiny_gazetteer_path.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    article = tmp_path / "a.txt"
    article.write_text("Shelling hit Kharkiv.\n")
    code = main(["places", str(article), "--gazetteer", str(damaged), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert str(damaged) in err and "truncated" in err
    assert damaged.read_bytes() == data[: len(data) // 2]  # the user's file is left as it was


# -- outputs ------------------------------------------------------------------------------------


def test_write_atomic_replaces_in_full(tmp_path):
    out = tmp_path / "map.html"
    write_atomic(out, "old")
    write_atomic(out, "new " * 10000)
    assert out.read_text() == "new " * 10000
    assert _leftovers(tmp_path) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["map.html"]
    assert out.stat().st_mode & 0o777 == 0o644
    out.chmod(0o600)  # a private output stays private when replaced
    write_atomic(out, "newer")
    assert out.read_text() == "newer" and out.stat().st_mode & 0o777 == 0o600


class _DiskFull:
    """A file object that takes half of what it is given, then fails as a full disk does."""

    def __init__(self, handle):
        self._handle = handle

    def write(self, data):
        self._handle.write(data[: len(data) // 2])
        self._handle.flush()
        raise OSError(28, "No space left on device")

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


@pytest.mark.parametrize("failure", ["disk-full", "rename", "interrupt"])
def test_a_failed_write_keeps_the_previous_output(tmp_path, monkeypatch, failure):
    out = tmp_path / "places.jsonl"
    out.write_text('{"id": "previous"}\n')
    real_fdopen = os.fdopen
    if failure == "disk-full":
        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: _DiskFull(real_fdopen(fd, *a, **k)))
        expected = OutputError
    elif failure == "rename":
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(os, "replace", refuse)
        expected = OutputError
    else:
        def interrupted(fd, *a, **k):
            handle = real_fdopen(fd, *a, **k)
            handle.write(b"partial")
            raise KeyboardInterrupt
        monkeypatch.setattr(os, "fdopen", interrupted)
        expected = KeyboardInterrupt
    with pytest.raises(expected) as info:
        write_atomic(out, '{"id": "new"}\n' * 1000)
    assert out.read_text() == '{"id": "previous"}\n'
    assert _leftovers(tmp_path) == []
    if expected is OutputError:
        assert str(out) in str(info.value) and "\n" not in str(info.value)


def test_a_failing_run_keeps_the_previous_map(tmp_path, tiny_gazetteer_path, monkeypatch, capsys):
    article = tmp_path / "a.txt"
    article.write_text("Shelling hit Kharkiv.\n")
    out = tmp_path / "map.html"
    out.write_text("<p>yesterday's map</p>")
    import geomap.cli.map as map_command

    def broken(*args, **kwargs):
        raise MemoryError("out of memory while rendering")

    monkeypatch.setattr(map_command, "render", broken)  # the map command's render
    code = main(["map", str(article), "--gazetteer", str(tiny_gazetteer_path), "-o", str(out), "-q"])
    assert code == 1
    assert out.read_text() == "<p>yesterday's map</p>"
    assert _leftovers(tmp_path) == []


def _same_file_variants(tmp_path: Path) -> dict[str, str]:
    article = tmp_path / "articles" / "a.txt"
    article.parent.mkdir()
    article.write_text("Shelling hit Kharkiv.\n")
    link = tmp_path / "link.txt"
    link.symlink_to(article)
    hard = tmp_path / "hard.txt"
    os.link(article, hard)
    return {"same": str(article), "relative": os.path.relpath(article), "dotted": str(article.parent / "." / "a.txt"),
            "symlink": str(link), "hardlink": str(hard)}


@pytest.mark.parametrize("variant", ["same", "relative", "dotted", "symlink", "hardlink"])
def test_output_pointing_at_an_input_is_refused(tmp_path, tiny_gazetteer_path, capsys, variant):
    paths = _same_file_variants(tmp_path)
    article = Path(paths["same"])
    before = article.read_bytes()
    code = main(["places", paths["same"], "--format", "jsonl", "--gazetteer", str(tiny_gazetteer_path),
                 "-o", paths[variant], "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "also an input" in err
    assert article.read_bytes() == before


def test_output_pointing_at_a_file_inside_an_input_directory_is_refused(tmp_path):
    paths = _same_file_variants(tmp_path)
    with pytest.raises(OutputError, match="also an input"):
        check_output(paths["same"], [str(Path(paths["same"]).parent)])
    check_output(tmp_path / "elsewhere.html", [str(Path(paths["same"]).parent)])  # fine


# -- inputs -------------------------------------------------------------------------------------


def _zip_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:t>Kyiv</w:t>")
    return buffer.getvalue()


def _sqlite_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "x.sqlite"
    _write_database(path, {"kind": "x"})
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["png", "jpeg", "pdf", "docx", "gzip", "elf", "sqlite", "nul"])
def test_a_file_that_is_not_text_is_refused(tmp_path, kind):
    import gzip

    content = {
        "png": lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64),
        "jpeg": lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + os.urandom(64),
        "pdf": lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\nstream\n\x78\x9c\xed\n",
        "docx": _zip_bytes,
        "gzip": lambda: gzip.compress("Shelling hit Kharkiv.".encode()),
        "elf": lambda: b"\x7fELF\x02\x01\x01" + bytes(64),
        "sqlite": lambda: _sqlite_bytes(tmp_path),
        "nul": lambda: "Kharkiv\x00\x00\x00 and Kyiv".encode() * 10,
    }[kind]()
    path = tmp_path / "article.txt"  # the name claims text: the content decides
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        list(read_inputs([str(path)]))
    message = str(info.value)
    assert str(path) in message and "binary" in message and "\n" not in message


def test_cli_refuses_a_binary_input_without_writing(tmp_path, tiny_gazetteer_path, capsys):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"%PDF-1.4\n" + os.urandom(256))
    out = tmp_path / "map.html"
    code = main(["map", str(path), "--gazetteer", str(tiny_gazetteer_path), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and str(path) in err
    assert not out.exists()


@pytest.mark.model
def test_a_text_longer_than_the_model_accepts_is_split_and_processed(tiny_pipeline, monkeypatch):
    paragraphs = [f"Paragraph {i}: shelling was reported near Kharkiv and in Mariupol overnight." for i in range(40)]
    text = "\n\n".join(paragraphs)
    whole = tiny_pipeline.parse(text)
    monkeypatch.setattr(tiny_pipeline.nlp, "max_length", 300)
    assert len(text) > 10 * tiny_pipeline.nlp.max_length
    split = tiny_pipeline.parse(text)
    for pm in split.mentions:
        assert text[pm.mention.start:pm.mention.end] == pm.mention.surface
        s_start, s_end = pm.mention.sentence
        assert s_start <= pm.mention.start < pm.mention.end <= s_end
    found = [(pm.mention.start, pm.mention.surface, pm.place and pm.place.id) for pm in split.mentions]
    assert found == [(pm.mention.start, pm.mention.surface, pm.place and pm.place.id) for pm in whole.mentions]
    assert sum(1 for _, surface, _ in found if surface == "Mariupol") == 40  # the last chunk too


@pytest.mark.model
def test_a_token_longer_than_the_model_accepts_does_not_crash(tiny_pipeline, monkeypatch):
    monkeypatch.setattr(tiny_pipeline.nlp, "max_length", 200)
    text = "Kharkiv " + "x" * 1000 + " Mariupol" + "ы" * 450 + " and Kyiv."
    doc = tiny_pipeline.parse(text)
    for pm in doc.mentions:
        assert text[pm.mention.start:pm.mention.end] == pm.mention.surface
    assert "Kharkiv" in {pm.mention.surface for pm in doc.mentions}


@pytest.mark.model
def test_documents_stream_through_the_pipeline(tiny_pipeline):
    """parse_many pulls its input lazily, batch by batch: a corpus never has to fit in memory."""
    from geomap.model import SourceDocument

    pulled = []

    def corpus():
        for i in range(10_000):
            pulled.append(i)
            yield SourceDocument(f"d{i}", f"Report {i} from Kharkiv.")

    stream = tiny_pipeline.parse_many(corpus(), batch_size=4, window=8)
    first = next(stream)
    assert first.id == "d0" and first.resolved[0].place.id == "t:kharkiv"
    assert len(pulled) <= 8
    for _ in range(20):
        next(stream)
    assert len(pulled) <= 32
