"""Batch runs at scale: ``geomap places --format jsonl`` streamed, in order, on several
processes or a Dask cluster, resumable, with failing documents reported and skipped.

Memory flatness and throughput are measured in ``benchmarks/bench_throughput.py``; here the
bounded read-ahead that keeps memory flat is checked by counting documents pulled.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from geomap import batch
from geomap.batch import engines
from geomap.batch import spec as spec_module
from geomap.cli import main
from geomap.model import SourceDocument
from geomap.sources.files import read_inputs

PLACES = ("Kyiv", "Kharkiv", "Kherson", "Mariupol", "Izium", "Nova Kakhovka", "Donbas", "Paris")


def _record(i: int) -> dict:
    first, second = PLACES[i % len(PLACES)], PLACES[(3 * i + 1) % len(PLACES)]
    if i % 7 == 3:
        text = f"Report {i}: nothing of note happened today."
    else:
        text = (f"Report {i}: shelling hit {first} overnight.\n\nOfficials in {second} said "
                f"that power was back by noon, and crews from {first} helped.")
    record = {"id": f"doc-{i:03d}", "text": text}
    if i % 5 == 0:
        record["title"] = f"Morning brief {i}"
        record["date"] = f"2024-03-{1 + i % 28:02d}"
    return record


def _jsonl(records) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [_record(i) for i in range(26)]


@pytest.fixture()
def corpus(tmp_path, records) -> Path:
    path = tmp_path / "corpus.jsonl"
    path.write_text(_jsonl(records), encoding="utf-8")
    return path


def places(capsys, *argv) -> tuple[int, str, str]:
    code = main(["places", *(str(a) for a in argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def reference(records, tiny_gazetteer_path, nlp) -> bytes:
    """The output of a plain one-process run over the corpus (made through the library, so
    that the CLI runs below are compared with an independent path)."""
    from geomap import Pipeline
    from geomap.outputs.export import to_jsonl_line
    from gazetteer import Gazetteer

    pipeline = Pipeline(Gazetteer(tiny_gazetteer_path), nlp=nlp)
    sources = [SourceDocument(r["id"], r["text"], r.get("title"),
                              {k: r[k] for k in ("date",) if k in r}) for r in records]
    return "".join(to_jsonl_line(d) for d in pipeline.parse_many(sources)).encode("utf-8")


# -- order and workers ----------------------------------------------------------------------------


@pytest.mark.model
def test_two_workers_write_the_same_bytes_as_one(capsys, tmp_path, corpus, records, reference,
                                                 tiny_gazetteer_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    code, out, err = places(capsys, corpus, "--format", "jsonl", "-o", one, "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    assert out.strip() == str(one)
    assert f"geomap: {len(records)} document(s) in" in err
    code, out, err = places(capsys, corpus, "--format", "jsonl", "-o", two, "--workers", "2", "--chunk-size", "3",
                            "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 0, err
    assert one.read_bytes() == two.read_bytes() == reference
    lines = one.read_text("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in records]
    assert {p["name"] for line in lines for p in json.loads(line)["places"]} >= {"Kyiv", "Kharkiv", "Mariupol"}


@pytest.mark.model
def test_each_worker_process_builds_its_pipeline_once(tiny_gazetteer_path, records):
    spec = batch.PipelineSpec(gazetteer=str(tiny_gazetteer_path))
    wire = [engines._to_wire(SourceDocument(r["id"], r["text"])) for r in records[:4]]
    before = dict(spec_module._PIPELINES)
    first = engines._work(spec, wire[:2], 0, 8)
    pipeline = batch.pipeline_for(spec)
    second = engines._work(spec, wire[2:], 2, 8)
    assert batch.pipeline_for(spec) is pipeline
    assert len(spec_module._PIPELINES) == len(before) + 1
    assert [o.index for o in first + second] == [0, 1, 2, 3]
    assert [o.id for o in first + second] == [r["id"] for r in records[:4]]


def test_read_ahead_is_bounded(tiny_pipeline):
    """Memory stays flat: while the first results come out, only a few chunks have been read."""
    pulled = 0

    def endless():
        nonlocal pulled
        for i in range(10_000):
            pulled += 1
            yield SourceDocument(f"d{i}", "Nothing happened.")

    outcomes = batch.process(endless(), pipeline=tiny_pipeline, chunk_size=5)
    first = next(outcomes)
    assert [o.index for o in first] == [0, 1, 2, 3, 4]
    assert pulled <= 10
    for _ in range(3):
        next(outcomes)
    assert pulled <= 25
    outcomes.close()


def test_the_model_gets_batch_size_documents_at_a_time(tiny_pipeline, monkeypatch):
    nlp = tiny_pipeline.extractor.nlp
    sizes: list[int] = []
    real_pipe = nlp.pipe

    def pipe(texts, **kwargs):
        texts = list(texts)
        sizes.append(len(texts))
        return real_pipe(texts, **kwargs)

    monkeypatch.setattr(nlp, "pipe", pipe)
    sources = [SourceDocument(f"d{i}", f"Shelling near Kherson, day {i}.") for i in range(23)]
    outcomes = [o for chunk in batch.process(iter(sources), pipeline=tiny_pipeline, chunk_size=10, batch_size=4)
                for o in chunk]
    assert [o.id for o in outcomes] == [s.id for s in sources]
    assert sizes == [4, 4, 2] * 2 + [3]


# -- resume ---------------------------------------------------------------------------------------


@pytest.mark.model
def test_resume_after_an_interruption_gives_exactly_the_full_output(capsys, tmp_path, corpus, reference,
                                                                    tiny_gazetteer_path):
    out = tmp_path / "places.jsonl"
    lines = reference.splitlines(keepends=True)
    # An interrupted run: 9 complete lines and the first half of the tenth.
    out.write_bytes(b"".join(lines[:9]) + lines[9][: len(lines[9]) // 2])
    code, stdout, err = places(capsys, corpus, "--format", "jsonl", "-o", out, "--resume",
                               "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    assert out.read_bytes() == reference
    assert f"geomap: {len(lines) - 9} document(s) in" in err and f"9 already in {out}" in err
    # Resuming a finished run changes nothing and processes nothing.
    code, stdout, err = places(capsys, corpus, "--format", "jsonl", "-o", out, "--resume",
                               "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    assert out.read_bytes() == reference
    assert "geomap: 0 document(s) in" in err


@pytest.mark.model
def test_an_interrupted_library_run_resumes_without_duplicates(tmp_path, records, reference, tiny_pipeline):
    out = tmp_path / "places.jsonl"

    def interrupt(state: batch.Progress) -> None:
        if state.done >= 8:
            raise KeyboardInterrupt

    out.write_text("an earlier run's output\n")
    with pytest.raises(KeyboardInterrupt):
        batch.run_jsonl(batch.stream_inputs([str(_write(tmp_path, records))]), out, pipeline=tiny_pipeline,
                        chunk_size=4, progress=interrupt)
    assert out.read_text() == "an earlier run's output\n"  # replaced only by a complete run
    partial = batch.partial_path(out)
    written = partial.read_bytes()
    assert written == b"".join(reference.splitlines(keepends=True)[:8])
    with partial.open("ab") as handle:  # and the write of the next line was torn
        handle.write(b'{"id": "doc-008", "pla')
    report = batch.run_jsonl(batch.stream_inputs([str(tmp_path / "c.jsonl")]), out, resume=True,
                             pipeline=tiny_pipeline, chunk_size=4)
    assert out.read_bytes() == reference and not partial.exists()
    assert (report.resumed, report.processed, report.written) == (8, len(records) - 8, len(records) - 8)


@pytest.mark.model
def test_an_interrupted_pool_run_stops_its_workers_and_resumes(tmp_path, records, reference, tiny_gazetteer_path):
    import multiprocessing

    corpus, out = _write(tmp_path, records), tmp_path / "places.jsonl"
    spec = batch.PipelineSpec(gazetteer=str(tiny_gazetteer_path))

    def interrupt(state: batch.Progress) -> None:
        raise KeyboardInterrupt  # Ctrl-C right after the first chunk is written

    with pytest.raises(KeyboardInterrupt):
        batch.run_jsonl(batch.stream_inputs([str(corpus)]), out, spec=spec, workers=2, chunk_size=4,
                        progress=interrupt)
    assert multiprocessing.active_children() == []  # no worker left behind
    assert not out.exists()  # only a complete run writes OUT; the records so far are in OUT.partial
    assert batch.partial_path(out).read_bytes() == b"".join(reference.splitlines(keepends=True)[:4])
    report = batch.run_jsonl(batch.stream_inputs([str(corpus)]), out, resume=True, spec=spec, workers=2,
                             chunk_size=4)
    assert out.read_bytes() == reference and report.resumed == 4
    assert multiprocessing.active_children() == []


@pytest.mark.model
@pytest.mark.slow
def test_ctrl_c_stops_a_pool_run_and_resume_completes_it(tmp_path, records, reference, tiny_gazetteer_path):
    """The real thing: Ctrl-C (SIGINT) to ``geomap places --workers 2``; the command stops
    (status 130, leaving only complete lines), and ``--resume`` completes the file."""
    import os
    import signal
    import time

    copies = 20
    big = [dict(r, id=f"{r['id']}-{n}") for n in range(copies) for r in records]
    corpus, out = tmp_path / "big.jsonl", tmp_path / "places.jsonl"
    corpus.write_text(_jsonl(big), encoding="utf-8")
    argv = [sys.executable, "-m", "geomap.cli", "places", str(corpus), "--format", "jsonl", "-o", str(out),
            "--workers", "2", "--chunk-size", "2", "--gazetteer", str(tiny_gazetteer_path)]
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    partial = batch.partial_path(out)
    for _ in range(1200):  # until the first lines are written (bounded: at most 60 s)
        if partial.exists() and partial.stat().st_size or process.poll() is not None:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=120)  # a hang guard, not a timing
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("geomap did not stop after Ctrl-C: " + process.communicate()[1])
    assert process.returncode == 130 and "geomap: interrupted" in err, err
    assert not out.exists()
    kept = partial.read_text("utf-8")
    assert kept.endswith("\n") and 0 < len(kept.splitlines()) < len(big)
    done = subprocess.run([*argv, "--resume", "-q"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert not partial.exists()
    lines = out.read_text("utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == [r["id"] for r in big]
    expected = [json.loads(line)["places"] for line in reference.decode("utf-8").splitlines()]
    assert [json.loads(line)["places"] for line in lines] == expected * copies


def test_resume_refuses_an_output_of_other_inputs(capsys, tmp_path, corpus, tiny_gazetteer_path):
    out = tmp_path / "places.jsonl"
    foreign = '{"id": "elsewhere", "places": []}\n'
    out.write_text(foreign, encoding="utf-8")
    code, stdout, err = places(capsys, corpus, "--format", "jsonl", "-o", out, "--resume",
                               "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "'elsewhere'" in err and "drop --resume" in err
    assert out.read_text("utf-8") == foreign
    out.write_text("not json\n", encoding="utf-8")
    code, stdout, err = places(capsys, corpus, "--format", "jsonl", "-o", out, "--resume",
                               "--gazetteer", tiny_gazetteer_path)
    assert code == 2 and "is not a geomap record" in err
    assert out.read_text("utf-8") == "not json\n"


def _write(tmp_path: Path, records) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text(_jsonl(records), encoding="utf-8")
    return path


# -- failures -------------------------------------------------------------------------------------


@pytest.mark.model
def test_a_bad_document_is_reported_and_skipped(capsys, tmp_path, records, tiny_gazetteer_path, monkeypatch):
    from geomap.pipeline import Pipeline

    good = records[:6]
    lines = [json.dumps(good[0]), json.dumps(good[1]), '{"id": "torn", "text": "Kyiv', json.dumps(good[2]),
             json.dumps({"id": "no-text", "body": "Kharkiv"}), json.dumps(good[3]),
             json.dumps({"id": "poison", "text": "The parser breaks on Kherson."}), json.dumps(good[4])]
    corpus = tmp_path / "mixed.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    real = Pipeline.resolve_mentions

    def fragile(self, source, mentions):
        if "parser breaks" in source.text:
            raise RuntimeError("simulated failure inside the pipeline")
        return real(self, source, mentions)

    monkeypatch.setattr(Pipeline, "resolve_mentions", fragile)
    out = tmp_path / "places.jsonl"
    code, stdout, err = places(capsys, corpus, "--format", "jsonl", "-o", out, "--chunk-size", "3",
                               "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("geomap: error: document")]
    assert len(errors) == 3
    assert f"{corpus}:3" in errors[0] and "not valid JSON" in errors[0]
    assert "no-text" in errors[1] and '"text" is missing' in errors[1]
    assert "poison" in errors[2] and "simulated failure" in errors[2]
    assert "3 document(s) failed (see above) and were skipped" in err
    written = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in written] == [r["id"] for r in good[:5]]
    assert all(r["places"] for r in written if "shelling" in next(g["text"] for g in good if g["id"] == r["id"]))

    # Recorded instead: one line per input document, the failures as error lines.
    code, stdout, err = places(capsys, corpus, "--format", "jsonl", "-o", out, "--on-error", "record",
                               "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 2
    written = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in written] == ["doc-000", "doc-001", f"{corpus}:3", "doc-002", "no-text", "doc-003",
                                          "poison", "doc-004"]
    assert [r["places"] for r in written if "error" in r] == [[], [], []]
    assert "simulated failure" in written[6]["error"]


def test_batch_options_are_checked(capsys, corpus, tiny_gazetteer_path):
    for argv, needle in [
        (["--workers", "2"], "--workers needs --format jsonl"),
        (["--format", "jsonl", "--resume"], "--resume needs -o"),
        (["--format", "jsonl", "--scheduler", "tcp://127.0.0.1:8786"], "only used with --engine dask"),
        (["--format", "csv", "--engine", "dask"], "--engine dask needs --format jsonl"),
    ]:
        code, out, err = places(capsys, corpus, *argv, "--gazetteer", tiny_gazetteer_path)
        assert code == 2 and len(err.strip().splitlines()) == 1 and needle in err, err
    with pytest.raises(SystemExit) as info:
        main(["places", str(corpus), "--format", "jsonl", "--workers", "0"])
    assert info.value.code == 2


# -- inputs ---------------------------------------------------------------------------------------


@pytest.mark.model
def test_stdin_and_gzip_corpora_stream_to_the_same_output(capsys, tmp_path, monkeypatch, records, reference,
                                                          tiny_gazetteer_path):
    data = _jsonl(records).encode("utf-8")
    compressed = tmp_path / "corpus.jsonl.gz"
    compressed.write_bytes(gzip.compress(data))
    code, out, err = places(capsys, compressed, "--format", "jsonl", "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 0, err
    assert out.encode("utf-8") == reference
    for payload in (data, gzip.compress(data)):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(payload)))
        code, out, err = places(capsys, "-", "--format", "jsonl", "--gazetteer", tiny_gazetteer_path, "-q")
        assert code == 0, err
        assert out.encode("utf-8") == reference


def test_stdin_is_read_line_by_line(tmp_path):
    """Standard input JSON Lines come out before the stream ends (nothing is read ahead)."""
    read, write = _pipe()
    write.write(b'\n{"id": "a", "text": "Kyiv"}\n{"id": "b", "text": "Kharkiv", "date": "2024-03-05"}\n')
    write.flush()
    documents = batch.stream_inputs(["-"], stdin=read)
    assert next(documents) == SourceDocument("a", "Kyiv")
    second = next(documents)
    assert (second.id, dict(second.metadata)) == ("b", {"date": "2024-03-05"})
    write.write(b'{"text": "Izium"}\n')
    write.close()
    assert [d.id for d in documents] == ["stdin-4"]


def _pipe():
    import os

    r, w = os.pipe()
    return os.fdopen(r, "rb"), os.fdopen(w, "wb")


def test_stdin_text_is_one_article():
    [document] = batch.stream_inputs(["-"], stdin=io.BytesIO("Sirens in Kyiv.\n{not json}\n".encode()))
    assert (document.id, document.text) == ("stdin", "Sirens in Kyiv.\n{not json}\n")


def test_a_directory_streams_the_documents_read_inputs_gives(tmp_path):
    root = tmp_path / "archive"
    (root / "2024").mkdir(parents=True)
    (root / "a.txt").write_text("Shelling near Kharkiv.\n", encoding="utf-8")
    (root / "2024" / "b.jsonl").write_text('{"id": "j1", "text": "Kherson"}\n{"text": "Izium"}\n', encoding="utf-8")
    with gzip.open(root / "2024" / "c.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write('{"id": "g1", "text": "Mariupol", "url": "https://news.example/m"}\n')
    (root / "page.html").write_text("<html><title>T</title><body><article><p>Sirens sounded in Kyiv "
                                    "overnight, officials said.</p></article></body></html>", encoding="utf-8")
    expected = [(d.id, d.text, d.title, dict(d.metadata)) for d in read_inputs([str(root)])]
    streamed = [(d.id, d.text, d.title, dict(d.metadata)) for d in batch.stream_inputs([str(root)])]
    assert streamed == expected
    assert [e[0] for e in expected] == ["j1", "b-2", "g1", "a.txt", "page.html"]
    # A file that cannot be read fails alone, reported through on_error.
    (root / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    failed: list[str] = []
    ids = [d.id for d in batch.stream_inputs([str(root)], on_error=lambda name, exc: failed.append(name))]
    assert ids == ["j1", "b-2", "g1", "a.txt", "page.html"] and failed == [str(root / "broken.txt")]


def test_count_documents_for_the_progress_bar(tmp_path, corpus, records):
    assert batch.count_documents([str(corpus)]) == len(records)
    assert batch.count_documents([str(corpus), str(corpus)]) == 2 * len(records)
    assert batch.count_documents(["-"]) is None
    assert batch.count_documents([str(tmp_path)]) is None


def test_the_dask_engine_is_imported_only_when_used():
    code = ("import sys, geomap.cli, geomap.batch; "
            "print(sorted(m for m in ('dask', 'distributed', 'spacy') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# -- Dask -----------------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_dask_local_cluster_with_two_worker_processes_gives_identical_output(tmp_path, records, reference,
                                                                            tiny_gazetteer_path):
    """Two worker processes on a LocalCluster: the same bytes as the local run, and each
    worker built its pipeline (gazetteer and model) exactly once for all its partitions."""
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    corpus = _write(tmp_path, records)
    out = tmp_path / "dask.jsonl"
    spec = batch.PipelineSpec(gazetteer=str(tiny_gazetteer_path))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as cluster, Client(cluster) as client:
        report = batch.run_jsonl(batch.stream_inputs([str(corpus)]), out, spec=spec, engine="dask",
                                 client=client, chunk_size=3)
        built = client.run(lambda: len(__import__("geomap.batch.spec").batch.spec._PIPELINES))
        workers = client.run(lambda: sorted({key[1] for key in __import__("geomap.batch.spec").batch.spec._PIPELINES}))
    assert out.read_bytes() == reference
    assert report.written == len(records) and report.failed == 0
    assert sorted(built.values()) == [1, 1]  # 9 partitions, both workers busy, one pipeline each
    assert len({pid for pids in workers.values() for pid in pids}) == 2


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_cli_dask_engine_starts_a_local_cluster_and_matches(capsys, tmp_path, corpus, reference,
                                                          tiny_gazetteer_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask.jsonl"
    code, stdout, err = places(capsys, corpus, "--format", "jsonl", "-o", out, "--engine", "dask",
                               "--workers", "2", "--chunk-size", "4", "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    assert out.read_bytes() == reference
    assert err.startswith("geomap: 26 document(s) in") and len(err.splitlines()) == 1  # no cluster chatter


# -- progress -------------------------------------------------------------------------------------


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.model
def test_progress_bar_only_on_a_terminal(capsys, monkeypatch, tmp_path, corpus, records, tiny_gazetteer_path):
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    code = main(["places", str(corpus), "--format", "jsonl", "-o", str(tmp_path / "a.jsonl"), "--chunk-size", "5",
                 "--gazetteer", str(tiny_gazetteer_path)])
    assert code == 0
    drawn = terminal.getvalue()
    assert f"{len(records)}/{len(records)}" in drawn and "doc/s" in drawn
    assert "geomap: 26 document(s) in" in drawn
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    assert main(["places", str(corpus), "--format", "jsonl", "-o", str(tmp_path / "b.jsonl"), "-q",
                 "--gazetteer", str(tiny_gazetteer_path)]) == 0
    assert quiet.getvalue() == ""
    monkeypatch.undo()
    code, out, err = places(capsys, corpus, "--format", "jsonl", "-o", tmp_path / "c.jsonl",
                            "--gazetteer", tiny_gazetteer_path)
    assert code == 0 and "doc/s" not in err and "\r" not in err  # not a terminal: the summary line only
