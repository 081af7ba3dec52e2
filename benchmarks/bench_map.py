"""Benchmark (not a test): first-use gazetteer build time and `geomap map` on one article.

Usage::

    python benchmarks/bench_map.py [ARTICLE] [--repeat 3] [--build]

``--build`` also times a from-scratch build of the embedded gazetteer into a temporary cache.
The map timing runs the real CLI in a fresh process each time (model load included), with
the gazetteer already built, as a user would see it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("article", nargs="?", default=str(ROOT / "examples" / "frontline_report.txt"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build", action="store_true", help="also time a from-scratch gazetteer build")
    args = parser.parse_args()

    if args.build:
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "GEOMAP_CACHE_DIR": cache}
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "geomap.cli", "gazetteer", "build", "-q"], check=True, env=env,
                           stdout=subprocess.DEVNULL)
            size = sum(p.stat().st_size for p in Path(cache).glob("*.sqlite"))
            print(f"gazetteer build: {time.perf_counter() - started:.1f} s, {size / 1e6:.0f} MB")

    subprocess.run([sys.executable, "-m", "geomap.cli", "gazetteer", "info", "-q"], check=True,
                   stdout=subprocess.DEVNULL)  # make sure the cache exists before timing
    times = []
    with tempfile.TemporaryDirectory() as out_dir:
        for _ in range(args.repeat):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "geomap.cli", "map", args.article, "-q", "-o",
                            str(Path(out_dir) / "map.html")], check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - started)
        size = (Path(out_dir) / "map.html").stat().st_size
    print(f"geomap map {Path(args.article).name}: median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)}), HTML {size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
