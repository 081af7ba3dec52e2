"""Benchmark (not a test): resolution given the gold spans, beside Mordecai 3's published figures.

Usage::

    python benchmarks/gold_spans.py [GOLD.jsonl ...] [--scorer learned|hand] [--no-context] [--found]

With no files: LGL, GeoWebNews and WikToR from ``../shared/eval/dev``. Each corpus runs what
``geomap eval --gold-spans GOLD.jsonl`` runs: the pipeline resolves the gold spans instead of
finding places (recognition is perfect by construction, so only resolution is scored), with
the places it finds off the spans as context (``--no-context``: without them). ``--found``
adds the end-to-end figures of plain ``geomap eval`` for comparison; ``--scorer hand`` resolves
with the hand-tuned weights instead of the shipped learned ranker. Prints one Markdown row a
corpus, the commit and the time taken; Mordecai 3 reports gold-span accuracy@161 only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "eval" / "dev"  # from a worktree, name the files
DEFAULT = ("lgl_dev.jsonl", "geowebnews_dev.jsonl", "wiktor_dev500.jsonl")
#: Mordecai 3 (Halterman 2023), accuracy@161 given gold spans.
MORDECAI3 = {"lgl": 0.827, "geowebnews": 0.941, "trnews": 0.873}
PARTIAL = ("wiktor", "toporesolve")  # corpora that annotate only some toponyms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", nargs="*", type=Path, help="gold JSONL files (default: LGL, GeoWebNews, WikToR)")
    parser.add_argument("--no-context", action="store_true", help="resolve the gold spans without the places "
                        "found off them")
    parser.add_argument("--found", action="store_true", help="also score the pipeline's own spans (end to end)")
    parser.add_argument("--scorer", choices=("learned", "hand"), default="learned",
                        help="the resolver's scorer: the shipped learned ranker (default) or the hand-tuned weights")
    args = parser.parse_args(argv)
    files = args.gold or [DEV / name for name in DEFAULT]

    from gazetteer import HAND_TUNED
    from geomap import Pipeline
    from geomap.evaluation import evaluate, load_gold, predict

    pipeline = Pipeline(scorer=HAND_TUNED if args.scorer == "hand" else None)
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    print(f"commit {commit}; {args.scorer} scorer; gold spans {'without' if args.no_context else 'with'} context\n")
    print("| corpus | pairs | acc@161 | country-aware acc@161 | median error km | AUC | Mordecai 3 (gold spans) |"
          + (" end to end acc@161 |" if args.found else ""))
    print("|---|---|---|---|---|---|---|" + ("---|" if args.found else ""))
    for path in files:
        gold = load_gold(path)
        partial = path.name.startswith(PARTIAL)
        started = time.perf_counter()
        predicted = predict(pipeline, gold, gold_spans=True, context=not args.no_context)
        report = evaluate(gold, predicted, resolution_only=partial, country_of=pipeline.gazetteer.country_at)
        seconds = time.perf_counter() - started
        key = path.name.split("_")[0].replace("-", "").lower()
        row = (f"| {path.name} | {report.resolution_pairs} | {_f(report.accuracy_at_161)} | "
               f"{_f(report.country_aware_accuracy_at_161)} | {_f(report.median_error_km, 1)} | {_f(report.auc)} | "
               f"{_f(MORDECAI3.get(key))} |")
        if args.found:
            found = evaluate(gold, predict(pipeline, gold), resolution_only=partial,
                             country_of=pipeline.gazetteer.country_at)
            row += f" {_f(found.end_to_end_accuracy_at_161)} |"
        print(row, f"<!-- {seconds:.0f} s -->", flush=True)
    return 0


def _f(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    sys.exit(main())
