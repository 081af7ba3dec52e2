"""Leave-one-corpus-out figures of the learned ranker (a measurement, not a test).

Each gold file is answered by a ranker trained on the *other* files only (none of its
documents, none of its genre), beside the hand-tuned scorer: how the ranker may fare on a
corpus nobody trained it for. Per file it prints accuracy@161, country-aware accuracy@161 and
kind accuracy (``geomap eval``'s figures), and city/area: the share of
answers matched to a gold city or region (by its kind or GeoNames feature code) that fall on
the gold's side of the city-versus-region divide. Mentions are extracted once and cached as in
``benchmarks/cv_resolver.py``.

Usage::

    python benchmarks/loco_resolver.py [FILE.jsonl ...] [--cache DIR] [--without all] [--only ukraine_dev]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "eval" / "dev"


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--cache", type=Path, default=Path("/work/tmp/l-rank/mentions"))
    parser.add_argument("--without", default="", help="cue families held at zero (as in cv_resolver.py)")
    parser.add_argument("--only", default="", help="comma-separated corpus names to hold out (default: each)")
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)

    from gazetteer import HAND_TUNED, LinearScorer, open_default
    from gazetteer.ranker import CUE_FEATURES
    from geomap.extract import PlaceExtractor
    from geomap.training.corpus import extracted
    from geomap.training.cv import answer, figures
    from geomap.training.train import TrainOptions, fit_model

    files = args.files or sorted(DEFAULT_DIR.glob("*.jsonl"))
    if not files:
        parser.error(f"no gold files given and none in {DEFAULT_DIR}: name them")
    gazetteer = open_default()
    extractor = PlaceExtractor(gazetteer)
    corpora = [extracted(f, extractor, args.cache) for f in files]
    options = TrainOptions()
    if args.without:
        prefixes = tuple(p.strip() for p in args.without.split(",") if p.strip())
        held = tuple(f for f in CUE_FEATURES if "all" in prefixes or f.startswith(prefixes))
        options = replace(options, fit=replace(options.fit, without=held))
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    started = time.perf_counter()
    print(f"leave-one-corpus-out, {options.fit}")
    for corpus in corpora:
        if only and corpus.name not in only:
            continue
        weights = fit_model(corpora, gazetteer, options, keep=lambda d, c=corpus.name: not d.startswith(f"{c}/"))
        docs = {d.id for d in corpus.documents}
        print(corpus.name, f"({len(corpus.documents)} documents)")
        for name, scorer in (("hand-tuned", HAND_TUNED), ("learned", LinearScorer("loco", weights))):
            predicted, judged = answer(corpus, gazetteer, scorer, docs)
            f = figures(corpus, gazetteer, predicted, judged)
            r = f.report
            print(f"  {name:<10} acc@161 {_fmt(r.accuracy_at_161)}  country-aware "
                  f"{_fmt(r.country_aware_accuracy_at_161)}  kind {_fmt(r.kind_accuracy)}  "
                  f"city/area {_fmt(f.city_or_area_accuracy)} ({f.city_or_area[0]})", flush=True)
    print(f"{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
