"""Benchmark (not a test): time and peak memory of ``geomap places`` on one long text.

Usage::

    python benchmarks/bench_long.py [--sizes 1,5,20] [--format json] [--text FILE]
        [--gazetteer PATH] [--json results.json]

For each size (in MB, 10**6 characters) a plain-text report is written from this folder's own
sentences (:mod:`longtext`: paragraphs of three to six sentences naming places, people and
dates; never the seed article), then ``geomap places REPORT.txt --format FORMAT -o OUT``
runs in a fresh process (model and gazetteer loading included). For each run: wall-clock
seconds, CPU seconds (user + system of the process and its children), the peak resident
memory of the process tree (sampled every 50 ms), the mentions found and the output size.
Each run passes ``--max-chars`` with the text's own length (a "20 MB" report is a paragraph
longer than the default bound of 20,000,000 characters). ``--text FILE`` measures a text of your own instead, repeated (whole) to each size.
``--hostile`` measures instead three hostile inputs: 100,000 distinct capitalised words, a
1 MB line without a space, and an HTML page nested 100,000 elements deep.

The machine may be shared: CPU seconds are the steadier figure; the load average before each
run is printed. psutil is needed (it comes with ``pip install 'geomap[dask]'``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from longtext import capitalised_words, long_text, nested_html, unbroken_line  # noqa: E402
from measure import measure as measured  # noqa: E402

MB = 1_000_000


@dataclass(frozen=True)
class Run:
    """One measured run of ``geomap places``."""

    megabytes: float
    characters: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    mentions: int
    output_mb: float
    load_before: float

    @property
    def seconds_per_mb(self) -> float:
        return self.seconds / self.megabytes


def measure(argv: list[str]) -> tuple[float, float, float]:
    """Run ``argv`` to completion; its wall-clock and CPU seconds and the peak RSS (MB) of its tree."""
    run = measured(argv)
    return run.seconds, run.cpu_seconds, run.peak_mb


def _text(chars: int, own: str | None) -> str:
    if own is None:
        return long_text(chars)
    repeats = -(-chars // len(own))
    return (own * repeats)[:chars]


def _mentions(out: Path, output_format: str) -> int:
    if output_format == "json":
        return sum(len(doc["places"]) for doc in json.loads(out.read_text("utf-8")))
    if output_format == "jsonl":
        return sum(len(json.loads(line)["places"]) for line in out.open(encoding="utf-8"))
    if output_format == "csv":
        return sum(1 for _ in out.open(encoding="utf-8")) - 1
    return -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,5,20", help="text sizes in MB, comma-separated (default 1,5,20)")
    parser.add_argument("--format", default="json", choices=("json", "jsonl", "csv", "geojson", "table"))
    parser.add_argument("--text", type=Path, help="a text of your own, repeated to each size")
    parser.add_argument("--gazetteer", type=Path, help="gazetteer database (default: the embedded one)")
    parser.add_argument("--keep", type=Path, help="keep the texts and outputs in this folder")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--hostile", action="store_true", help="measure the three hostile inputs instead")
    args = parser.parse_args()
    own = args.text.read_text("utf-8") if args.text else None
    extra = ["--gazetteer", str(args.gazetteer.resolve())] if args.gazetteer else []
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-long-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        if args.hostile:
            inputs = [("capitalised_words.txt", capitalised_words), ("unbroken_line.txt", unbroken_line),
                      ("nested.html", nested_html)]
        else:
            inputs = [(f"report_{size:g}mb.txt", lambda size=size: _text(int(size * MB), own))
                      for size in (float(s) for s in args.sizes.split(","))]
        for filename, make in inputs:
            text = make()
            size = len(text.encode("utf-8")) / MB
            path = folder / filename
            path.write_text(text, encoding="utf-8")
            out = folder / f"{path.stem}.{args.format}"
            load = os.getloadavg()[0]
            seconds, cpu, peak = measure([sys.executable, "-m", "geomap.cli", "places", str(path), "--format",
                                          args.format, "-o", str(out), "-q", "--max-chars", str(len(text)), *extra])
            run = Run(size, len(text), seconds, cpu, peak, _mentions(out, args.format), out.stat().st_size / MB, load)
            runs.append(run)
            print(f"{filename:<24} {size:5.2f} MB  {run.seconds:7.1f} s  cpu {run.cpu_seconds:7.1f} s  peak {run.peak_mb:6.0f} MB  "
                  f"{run.mentions:8,d} mentions  output {run.output_mb:7.1f} MB  ({run.seconds_per_mb:5.1f} s/MB; "
                  f"load before {load:.1f})", flush=True)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in runs], indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
