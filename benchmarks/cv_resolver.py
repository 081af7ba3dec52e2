"""Document-level cross-validation of the learned ranker beside the hand-tuned one (a
measurement, not a test).

For every gold file (default: every ``*.jsonl`` in ``../shared/eval/dev``) the pipeline's own
mentions are extracted once (spaCy) and cached under ``--cache``. The documents of all files are
split into ``--folds`` folds by a stable hash of ``file/document id``; each fold is answered by
a ranker trained on the other folds (weights, then calibration and review threshold from the
other folds' held-out answers), and by the hand-tuned scorer. Per file it prints:

* accuracy@161, country-aware accuracy@161 and kind accuracy (``geomap eval``'s figures);
* city/area: of the answers matched to a gold city or region (by the gold's kind, else its
  GeoNames feature code: LGL and TUD-Loc give them), the share on the gold's side of the
  city-versus-region divide, and how many such answers there are;
* the flagged share of all predictions, and the share of the wrong answers flagged (wrong:
  unresolved, more than 161 km off -- a country counts when the gold point lies in it -- or of
  the wrong kind where the gold gives one);
* the reliability table of the learned ranker (confidence bins against observed accuracy);
* the log loss of the learned confidence per file and pooled;
* over the files whose gold names every toponym, the share of the errors a reviewer should see
  that are flagged: wrong answers and places drawn where the gold names none;
* pooled over all files, the flagged share and the wrong answers flagged, and where the flags
  go (wrong, right, false places, mentions no gold judges);
* with ``--held-in MODEL.json``, that model's figures on all documents (it saw them).

Usage::

    python benchmarks/cv_resolver.py [FILE.jsonl ...] [--folds 5] [--cache DIR] [--json OUT]
                                     [--held-in gazetteer/data/ranker.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_options import DEFAULT_CACHE, add_arguments, load_corpora, train_options  # noqa: E402


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def _row(name: str, f) -> str:
    r = f.report
    return (f"  {name:<10} acc@161 {_fmt(r.accuracy_at_161)}  country-aware {_fmt(r.country_aware_accuracy_at_161)}"
            f"  kind {_fmt(r.kind_accuracy)}  city/area {_fmt(f.city_or_area_accuracy)} ({f.city_or_area[0]})  flagged {_fmt(f.flagged_share)}"
            f"  wrong flagged {_fmt(f.wrong_flagged_share)} ({f.wrong_flagged}/{f.wrong})")


def _log_loss(judged) -> float:
    """Mean log loss of the confidence as a probability of being right, over judged answers."""
    import math

    rows = [(min(max(j.confidence, 1e-4), 1 - 1e-4), j.right) for j in judged if j.right is not None]
    return -sum(math.log(p if right else 1 - p) for p, right in rows) / len(rows) if rows else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--folds", type=int, default=5)
    add_arguments(parser)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where the extracted mentions are kept (default {DEFAULT_CACHE})")
    parser.add_argument("--held-in", type=Path, default=None, help="a model file to score on all documents")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)

    from gazetteer import HAND_TUNED, load_scorer
    from geomap.training.cv import FLAG_USES, RESOLUTION_ONLY, answer, cross_validate, figures, flag_uses, trade_off

    gazetteer, corpora = load_corpora(parser, args.files, args.cache)
    options = train_options(args, folds=args.folds)
    started = time.perf_counter()
    results = cross_validate(corpora, gazetteer, options, baseline=HAND_TUNED)
    seconds = time.perf_counter() - started
    held_in = {}
    if args.held_in:
        model = load_scorer(args.held_in)
        for corpus in corpora:
            predicted, judged = answer(corpus, gazetteer, model, {d.id for d in corpus.documents})
            held_in[corpus.name] = figures(corpus, gazetteer, predicted, judged)

    print(f"{args.folds}-fold document-level cross-validation, {options}, {seconds:.0f} s")
    for corpus in corpora:
        print(corpus.name, f"({len(corpus.documents)} documents)")
        print(_row("hand-tuned", results["baseline"][corpus.name]))
        print(_row("learned", results["learned"][corpus.name]))
        if corpus.name in held_in:
            print(_row("held-in", held_in[corpus.name]))
    print("reliability of the learned ranker's confidence (all files, held-out folds)")
    pooled: dict[tuple[float, float], list[int]] = {}
    for f in results["learned"].values():
        for low, high, n, right in f.reliability:
            pooled.setdefault((low, high), [0, 0])
            pooled[(low, high)][0] += n
            pooled[(low, high)][1] += right
    for (low, high), (n, right) in pooled.items():
        print(f"  {low:.2f}-{high:.2f}  answers {n:5d}  right {right / n if n else 0:.3f}")
    print("log loss of the confidence (gold-matched answers, held-out folds; unresolved at 0.0001):")
    for corpus in corpora:
        print(f"  {corpus.name:<22} {_log_loss(results['learned'][corpus.name].judged):.3f}")
    print(f"  {'pooled':<22} {_log_loss([j for f in results['learned'].values() for j in f.judged]):.3f}")
    print("review threshold trade-off of the learned ranker (all files pooled, held-out folds; the shipped")
    print("threshold is chosen by training on held-out answers, see the model's flag_below)")
    pooled_judged = [j for f in results["learned"].values() for j in f.judged]
    for t, share, caught in trade_off(pooled_judged, (0.0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)):
        print(f"  flag below {t:.1f}: flagged {share:.3f} of all predictions, {caught:.3f} of wrong answers")
    print("errors a reviewer should see, in the corpora whose gold names every toponym (not "
          + ", ".join(sorted(RESOLUTION_ONLY)) + "):")
    print("  wrong answers, and places drawn where the gold names none (a name that is no place here)")
    for name, res in results.items():
        judged = [j for c, f in res.items() if c not in RESOLUTION_ONLY for j in f.judged]
        errors = [j for j in judged if j.right is False or j.unmatched]
        spurious = [j for j in judged if j.unmatched]
        print(f"  {name}: flagged {sum(j.flagged for j in judged) / len(judged):.3f} of predictions; "
              f"errors flagged {sum(j.flagged for j in errors)}/{len(errors)} = "
              f"{sum(j.flagged for j in errors) / len(errors):.3f} (of which spurious places "
              f"{sum(j.flagged for j in spurious)}/{len(spurious)})")
    totals = {name: (sum(f.wrong for f in res.values()), sum(f.wrong_flagged for f in res.values()))
              for name, res in results.items()}
    for name, (wrong, flagged) in totals.items():
        print(f"  pooled {name}: wrong flagged {flagged}/{wrong} = {flagged / wrong if wrong else 0:.3f}")
    print("where the flags go (all files pooled, held-out folds): mentions, flagged, share of all flags")
    for name, res in results.items():
        uses = {use: [0, 0] for use in FLAG_USES}
        for c, f in res.items():
            for use, (n, flagged) in flag_uses(f.judged, gold_names_every_toponym=c not in RESOLUTION_ONLY).items():
                uses[use][0] += n
                uses[use][1] += flagged
        mentions = sum(n for n, _ in uses.values())
        flags = sum(k for _, k in uses.values())
        print(f"  {name}: flagged {flags}/{mentions} = {flags / mentions if mentions else 0:.3f} of all mentions")
        for use, (n, flagged) in uses.items():
            print(f"    {use:<20} {n:6d} mentions, {flagged:5d} flagged ({flagged / flags if flags else 0:.3f} of the flags)")
    if args.json:
        payload = {name: {c: {"accuracy_at_161": f.report.accuracy_at_161,
                              "country_aware_accuracy_at_161": f.report.country_aware_accuracy_at_161,
                              "kind_accuracy": f.report.kind_accuracy,
                              "city_or_area_accuracy": f.city_or_area_accuracy, "flagged_share": f.flagged_share,
                              "wrong_flagged_share": f.wrong_flagged_share, "reliability": f.reliability,
                              "log_loss": _log_loss(f.judged)}
                          for c, f in res.items()} for name, res in {**results, "held-in": held_in}.items()}
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
