"""Leave-one-corpus-out figures of the learned ranker (a measurement, not a test).

Each gold file is answered by a ranker trained on the *other* files only (none of its
documents, none of its genre), beside the hand-tuned scorer: how the ranker may fare on a
corpus nobody trained it for. Per file it prints accuracy@161, country-aware accuracy@161 and
kind accuracy (``geomap eval``'s figures), and city/area: the share of
answers matched to a gold city or region (by its kind or GeoNames feature code) that fall on
the gold's side of the city-versus-region divide. Then, per scorer, the mean and the worst of
each figure over the files that have it (the figures to choose training settings by), and
with ``--weights`` the weights that move most between the folds (a feature whose weight swings,
or flips sign, with the corpus left out is learned from one corpus's conventions). With
``--confidence`` the whole model is trained on the other files (weights, confidence model and
review threshold, as ``geomap train`` makes them) and the held-out file's flagged share, share
of wrong answers flagged, log loss and reliability table are printed too: how far the
confidence stays a probability on a corpus it never saw. Mentions
are extracted once and cached as in ``benchmarks/cv_resolver.py``; the training flags are
``cv_resolver.py``'s.

Usage::

    python benchmarks/loco_resolver.py [FILE.jsonl ...] [--cache DIR] [--only ukraine_dev] [--weights 12] [--confidence]
                                       [--distant-weight W] [--family-l2 kind=1] [--prior-signs on|off] ...
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cv_resolver import _log_loss  # noqa: E402
from train_options import DEFAULT_CACHE, add_arguments, load_corpora, train_options  # noqa: E402

FIGURES = ("acc@161", "country-aware", "kind", "city/area")


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help=f"where the extracted mentions are kept (default {DEFAULT_CACHE})")
    parser.add_argument("--only", default="", help="comma-separated corpus names to hold out (default: each)")
    parser.add_argument("--weights", type=int, default=0, metavar="N",
                        help="print the N weights with the widest range over the folds")
    parser.add_argument("--confidence", action="store_true",
                        help="train the confidence model and review threshold on the other files too and "
                             "print the held-out file's flags, log loss and reliability (about 6x slower)")
    add_arguments(parser)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)

    from gazetteer import HAND_TUNED, LinearScorer
    from gazetteer.ranker import FEATURES
    from geomap.training.cv import answer, figures
    from geomap.training.train import fit_model, train_scorer

    gazetteer, corpora = load_corpora(parser, args.files, args.cache)
    options = train_options(args)
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    started = time.perf_counter()
    print(f"leave-one-corpus-out, {options}")
    seen: dict[str, list[tuple[float | None, ...]]] = {"hand-tuned": [], "learned": []}
    fold_weights: dict[str, dict[str, float]] = {}
    for corpus in corpora:
        if only and corpus.name not in only:
            continue
        if args.confidence:
            learned = train_scorer([c for c in corpora if c is not corpus], gazetteer, options)
            weights = dict(learned.weight_of)
        else:
            weights = fit_model(corpora, gazetteer, options, keep=lambda d, c=corpus.name: not d.startswith(f"{c}/"))
            learned = LinearScorer("loco", weights)
        fold_weights[corpus.name] = weights
        docs = {d.id for d in corpus.documents}
        print(corpus.name, f"({len(corpus.documents)} documents)")
        for name, scorer in (("hand-tuned", HAND_TUNED), ("learned", learned)):
            predicted, judged = answer(corpus, gazetteer, scorer, docs, old_flags=name == "hand-tuned")
            f = figures(corpus, gazetteer, predicted, judged)
            r = f.report
            row = (r.accuracy_at_161, r.country_aware_accuracy_at_161, r.kind_accuracy, f.city_or_area_accuracy)
            seen[name].append(row)
            print(f"  {name:<10} acc@161 {_fmt(row[0])}  country-aware {_fmt(row[1])}  kind {_fmt(row[2])}  "
                  f"city/area {_fmt(row[3])} ({f.city_or_area[0]})", flush=True)
            if args.confidence:
                print(f"             flagged {_fmt(f.flagged_share)}  wrong flagged {_fmt(f.wrong_flagged_share)} "
                      f"({f.wrong_flagged}/{f.wrong})  log loss {_log_loss(f.judged):.3f}")
                if name == "learned":
                    print("             reliability: " + "  ".join(
                        f"{low:.2f}-{high:.2f} {right / n:.2f} ({n})" for low, high, n, right in f.reliability if n))
    for name, rows in seen.items():
        columns = [[row[i] for row in rows if row[i] is not None] for i in range(len(FIGURES))]
        print(f"{name:<10} mean  " + "  ".join(f"{label} {_fmt(sum(c) / len(c) if c else None)}"
                                               for label, c in zip(FIGURES, columns)))
        print(f"{name:<10} worst " + "  ".join(f"{label} {_fmt(min(c) if c else None)}"
                                               for label, c in zip(FIGURES, columns)))
    if args.weights and fold_weights:
        names = list(fold_weights)
        spread = sorted(FEATURES, key=lambda f: -(max(w.get(f, 0.0) for w in fold_weights.values())
                                                  - min(w.get(f, 0.0) for w in fold_weights.values())))
        print(f"weights with the widest range over the folds (column: the corpus left out; hand: the prior)")
        print(f"  {'feature':<34} {'hand':>6} " + " ".join(f"{n[:8]:>8}" for n in names))
        for f in spread[:args.weights]:
            print(f"  {f:<34} {HAND_TUNED.weight_of.get(f, 0.0):6.2f} "
                  + " ".join(f"{fold_weights[n].get(f, 0.0):8.2f}" for n in names))
    print(f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
