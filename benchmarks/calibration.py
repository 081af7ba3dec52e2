"""Calibration of the review flags on gold corpora (a measurement, not a test).

``geomap review`` flags the mentions an analyst should check (unresolved, ambiguous,
low-confidence, fuzzy-matched; see :mod:`geomap.review`). The flags are useful when they pick
out the wrong answers and are few enough to read. For each gold file this runs the real
pipeline (:func:`geomap.evaluation.predict`, which flags each prediction with
:func:`geomap.review.is_flagged`, the rule the review page uses) and reports, over the
predictions matched to a gold toponym (lenient span overlap):

* the share of all predictions that are flagged (target: at most 25 %);
* the error rate among flagged and among unflagged predictions, where a prediction is wrong
  when it is unresolved, lies more than 161 km from the gold point, or has the wrong kind
  (where the gold gives one) -- :func:`geomap.evaluation.kind_aware_calibration`;
* their ratio (target: at least 3).

The distance-only figures (:func:`geomap.evaluation.calibration`, what ``geomap eval``
reports) are shown alongside.

Usage::

    python benchmarks/calibration.py [FILE.jsonl ...] [--json] [--prefer-country CC]

Without files it reads every ``*.jsonl`` in ``../shared/eval/dev`` (relative to the project).
Exit status 0 when every file and the pooled total meet both targets, else 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "eval" / "dev"
MAX_SHARE = 0.25
MIN_RATIO = 3.0


@dataclass(frozen=True)
class Row:
    """The figures of one gold file (or the pooled total)."""

    name: str
    documents: int
    predictions: int
    flagged: int
    flagged_pairs: int
    flagged_wrong: int
    unflagged_pairs: int
    unflagged_wrong: int
    distance_ratio: float | None
    seconds: float

    @property
    def share(self) -> float | None:
        return self.flagged / self.predictions if self.predictions else None

    @property
    def flagged_rate(self) -> float | None:
        return self.flagged_wrong / self.flagged_pairs if self.flagged_pairs else None

    @property
    def unflagged_rate(self) -> float | None:
        return self.unflagged_wrong / self.unflagged_pairs if self.unflagged_pairs else None

    @property
    def ratio(self) -> float | None:
        f, u = self.flagged_rate, self.unflagged_rate
        if f is None or u is None:
            return None
        return f / u if u else float("inf")

    @property
    def ok(self) -> bool:
        return (self.share is not None and self.share <= MAX_SHARE
                and self.ratio is not None and self.ratio >= MIN_RATIO)

    def to_dict(self) -> dict:
        return {"file": self.name, "documents": self.documents, "predictions": self.predictions,
                "flagged": self.flagged, "flagged_share": self.share,
                "flagged_pairs": self.flagged_pairs, "flagged_wrong": self.flagged_wrong,
                "unflagged_pairs": self.unflagged_pairs, "unflagged_wrong": self.unflagged_wrong,
                "flagged_error_rate": self.flagged_rate, "unflagged_error_rate": self.unflagged_rate,
                "error_ratio": self.ratio, "distance_only_error_ratio": self.distance_ratio,
                "meets_targets": self.ok, "seconds": round(self.seconds, 1)}


def measure(path: Path, pipeline) -> Row:
    """Run the pipeline on one gold file and count flagged/unflagged errors."""
    from geomap.evaluation import calibration, kind_aware_calibration, load_gold, predict

    started = time.perf_counter()
    gold = load_gold(path)
    predicted = predict(pipeline, gold)
    cal = kind_aware_calibration(gold, predicted)
    plain = calibration(gold, predicted)
    seconds = time.perf_counter() - started
    if cal is None:
        return Row(path.stem, len(gold), 0, 0, 0, 0, 0, 0, None, seconds)
    return Row(path.stem, len(gold), cal.predictions, cal.flagged, cal.flagged_pairs, cal.flagged_wrong,
               cal.unflagged_pairs, cal.unflagged_wrong, plain.error_ratio if plain else None, seconds)


def pooled(rows: list[Row]) -> Row:
    """All files together (counts summed)."""
    return Row("all", *(sum(getattr(r, f) for r in rows) for f in
                        ("documents", "predictions", "flagged", "flagged_pairs", "flagged_wrong",
                         "unflagged_pairs", "unflagged_wrong")),
               None, sum(r.seconds for r in rows))


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None) -> str:
    return "-" if value is None else ("inf" if value == float("inf") else f"{value:.2f}")


def format_rows(rows: list[Row]) -> str:
    """A plain-text table."""
    head = ("file", "docs", "preds", "flagged", "share", "err flagged", "err unflagged", "ratio",
            "ratio (km only)", "ok")
    table = [head]
    for r in rows:
        table.append((r.name, str(r.documents), str(r.predictions), str(r.flagged), _pct(r.share),
                      f"{_pct(r.flagged_rate)} ({r.flagged_wrong}/{r.flagged_pairs})",
                      f"{_pct(r.unflagged_rate)} ({r.unflagged_wrong}/{r.unflagged_pairs})",
                      _num(r.ratio), _num(r.distance_ratio), "yes" if r.ok else "NO"))
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    return "\n".join("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
                     for row in table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="gold JSONL files (default: ../shared/eval/dev/*.jsonl)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.add_argument("--prefer-country", metavar="CC", help="run with this country preferred")
    args = parser.parse_args(argv)

    from gazetteer import ResolverOptions, open_default
    from geomap import Pipeline

    files = args.files or sorted(DEFAULT_DIR.glob("*.jsonl"))
    if not files:
        parser.error(f"no gold files given and none in {DEFAULT_DIR}")
    pipeline = Pipeline(open_default(), options=ResolverOptions(prefer_country=args.prefer_country))
    rows = []
    for path in files:
        rows.append(measure(path, pipeline))
        if not args.json:
            print(f"{path.name}: done in {rows[-1].seconds:.0f} s", file=sys.stderr)
    rows.append(pooled(rows))
    if args.json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
    else:
        print(format_rows(rows))
        print(f"\ntargets: flagged share <= {MAX_SHARE:.0%}; error rate flagged / unflagged >= {MIN_RATIO:g} "
              "(wrong = unresolved, > 161 km, or wrong kind where the gold gives one)")
    return 0 if all(r.ok for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
