"""Benchmark (not a test): batch throughput and memory of ``geomap places --format jsonl``.

Usage::

    python benchmarks/bench_throughput.py [--docs 1000] [--memory-docs 10000] [--repeat 2]
        [--corpora ../shared/eval/dev] [--gazetteer PATH] [--skip-dask] [--skip-memory]
        [--json results.json]

What it measures, in one run, on the same documents (news texts of the gold corpora in
``--corpora``, shuffled with a fixed seed and repeated to reach the count):

1. bare spaCy: ``nlp.pipe`` with the very model and components geomap loads, in a fresh
   process (model load included), reading the same JSON Lines file and doing nothing else;
   and once more fed the batches geomap makes (32 documents, fewer when they are long);
2. ``geomap places CORPUS --format jsonl -o OUT`` with 1 worker, in a fresh process;
3. the same with ``--workers 2``;
4. the same with ``--engine dask --workers 2`` (a local Dask cluster of two processes).

Runs 1 and 2 alternate ``--repeat`` times and the fastest of each counts (the machine may be
shared); the throughput ratio is geomap (1 worker) over plain bare spaCy and must be at least
0.85. The ratio over bare spaCy fed geomap's batches is printed too.
For each run: documents and words per second by the wall clock, CPU seconds (the process and
all its children), and peak memory (the summed resident memory of the process tree, sampled
every 50 ms). Finally geomap (1 worker) runs on ``--memory-docs`` documents: its peak memory
must be within 10% of the run on ``--docs`` documents (memory stays flat: streaming).

The gazetteer must already be built (``geomap gazetteer build``; set ``GEOMAP_CACHE_DIR`` as
for any run), or given with ``--gazetteer PATH`` (a copy keeps the figures clean of a rebuild
started by a code change elsewhere in the tree). psutil is needed (it comes with ``pip install 'geomap[dask]'``).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import measure as measure_command  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPORA = ROOT.parent / "shared" / "eval" / "dev"

BARE_SPACY = """
import json, sys
from geomap.extract import load_model
nlp = load_model()  # the model and components geomap uses
texts = (json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8"))
entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=32))
print(entities)
"""

# The same, fed the batches geomap makes (at most BATCH_SIZE documents and BATCH_CHARS
# characters), to show how much of geomap's speed comes from that batching rather than from
# its own work.
BARE_SPACY_SAME_BATCHES = """
import json, sys
from geomap.extract import BATCH_CHARS, BATCH_SIZE, _batches, load_model
nlp = load_model()
texts = (json.loads(line)["text"] for line in open(sys.argv[1], encoding="utf-8"))
entities = sum(len(doc.ents) for batch in _batches(texts, BATCH_SIZE, BATCH_CHARS)
               for doc in nlp.pipe(batch, batch_size=len(batch)))
print(entities)
"""


@dataclass(frozen=True)
class Run:
    """One measured run."""

    name: str
    documents: int
    words: int
    seconds: float
    cpu_seconds: float
    peak_mb: float

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.seconds

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds


def build_corpus(corpora: Path, count: int, path: Path) -> int:
    """Write ``count`` documents made of the corpora's texts to ``path``; returns the words."""
    texts = []
    for name in sorted(glob.glob(str(corpora / "*.jsonl"))):
        with open(name, encoding="utf-8") as handle:
            texts.extend(json.loads(line)["text"] for line in handle if line.strip())
    if not texts:
        raise SystemExit(f"no .jsonl corpora in {corpora}: pass --corpora DIR")
    random.Random(0).shuffle(texts)
    words = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            text = texts[i % len(texts)]
            words += len(text.split())
            out.write(json.dumps({"id": f"bench-{i:06d}", "text": text}, ensure_ascii=False) + "\n")
    return words


def measure(name: str, argv: list[str], documents: int, words: int) -> Run:
    """Run ``argv`` to completion, sampling the memory of its process tree."""
    measured = measure_command(argv, name=name)
    seconds, cpu = measured.seconds, measured.cpu_seconds
    run = Run(name, documents, words, seconds, cpu, measured.peak_mb)
    print(f"  {name:<28} {run.seconds:7.1f} s  {run.docs_per_second:6.1f} docs/s  "
          f"{run.words_per_second:7,.0f} words/s  cpu {cpu:6.1f} s  peak {run.peak_mb:6.0f} MB", flush=True)
    return run


GAZETTEER: list[str] = []


def geomap_argv(corpus: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "geomap.cli", "places", str(corpus), "--format", "jsonl", "-o", str(out),
            "-q", *GAZETTEER, *extra]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1000, help="documents for the throughput runs")
    parser.add_argument("--memory-docs", type=int, default=10000, help="documents for the memory run")
    parser.add_argument("--repeat", type=int, default=2, help="alternating runs of bare spaCy and geomap")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="folder of gold .jsonl corpora")
    parser.add_argument("--gazetteer", type=Path, help="gazetteer database to use (default: the embedded one)")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.gazetteer:
        GAZETTEER[:] = ["--gazetteer", str(args.gazetteer.resolve())]

    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        corpus = tmp_path / "corpus.jsonl"
        words = build_corpus(args.corpora, args.docs, corpus)
        print(f"corpus: {args.docs} documents, {words:,} words ({words / args.docs:.0f} per document)")
        bare_runs, batched_runs, one_runs = [], [], []
        for _ in range(args.repeat):
            bare_runs.append(measure("bare spaCy nlp.pipe", [sys.executable, "-c", BARE_SPACY, str(corpus)],
                                     args.docs, words))
            batched_runs.append(measure("bare spaCy, geomap's batches",
                                        [sys.executable, "-c", BARE_SPACY_SAME_BATCHES, str(corpus)],
                                        args.docs, words))
            one_runs.append(measure("geomap places, 1 worker", geomap_argv(corpus, tmp_path / "one.jsonl"),
                                    args.docs, words))
        bare = min(bare_runs, key=lambda r: r.seconds)
        batched = min(batched_runs, key=lambda r: r.seconds)
        one = min(one_runs, key=lambda r: r.seconds)
        runs = [bare, batched, one]
        two = measure("geomap places, 2 workers", geomap_argv(corpus, tmp_path / "two.jsonl", "--workers", "2"),
                      args.docs, words)
        runs.append(two)
        same = (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "two.jsonl").read_bytes()
        if not args.skip_dask:
            dask = measure("geomap places, Dask (2 proc)",
                           geomap_argv(corpus, tmp_path / "dask.jsonl", "--engine", "dask", "--workers", "2"),
                           args.docs, words)
            runs.append(dask)
            same = same and (tmp_path / "one.jsonl").read_bytes() == (tmp_path / "dask.jsonl").read_bytes()
        ratio = one.docs_per_second / bare.docs_per_second
        batched_ratio = one.docs_per_second / batched.docs_per_second
        cpu_ratio = bare.cpu_seconds / one.cpu_seconds
        memory = None
        if not args.skip_memory:
            big = tmp_path / "big.jsonl"
            big_words = build_corpus(args.corpora, args.memory_docs, big)
            large = measure(f"geomap places, {args.memory_docs} docs", geomap_argv(big, tmp_path / "big-out.jsonl"),
                            args.memory_docs, big_words)
            runs.append(large)
            memory = large.peak_mb / one.peak_mb - 1

    print()
    print("| run | documents/s | words/s | CPU s | peak memory |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for run in runs:
        print(f"| {run.name} ({run.documents:,} docs) | {run.docs_per_second:.1f} | {run.words_per_second:,.0f} "
              f"| {run.cpu_seconds:.0f} | {run.peak_mb:.0f} MB |")
    print()
    verdict = "ok" if ratio >= 0.85 else "BELOW 0.85"
    print(f"throughput ratio geomap/bare spaCy (1 process, wall clock, best of {args.repeat}): {ratio:.2f} ({verdict}); "
          f"by CPU time: {cpu_ratio:.2f}")
    print(f"against bare spaCy fed geomap's batches: {batched_ratio:.2f}")
    print(f"outputs of 1 worker, 2 workers{'' if args.skip_dask else ' and Dask'} identical: {same}")
    if memory is not None:
        verdict = "ok" if abs(memory) <= 0.10 else "NOT FLAT"
        print(f"peak memory at {args.memory_docs:,} vs {args.docs:,} documents: {memory:+.1%} ({verdict})")
    if args.json:
        args.json.write_text(json.dumps({
            "runs": [{**asdict(r), "docs_per_second": r.docs_per_second, "words_per_second": r.words_per_second}
                     for r in runs],
            "ratio": ratio, "cpu_ratio": cpu_ratio, "ratio_same_batches": batched_ratio, "identical": same, "memory_growth": memory,
        }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
