"""``geomap train``: learn the resolver's ranker from gold corpora, or adapt it to decisions."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace

from gazetteer import default_scorer

from ..errors import InputError
from ..outputs.write import check_output
from ..review.decisions import load_decisions
from ..training.train import TrainOptions, train_from_files, write_model
from .session import Session


def _cmd_train(session: Session) -> int:
    args = session.args
    if not args.gold and not args.decisions:
        raise InputError("nothing to learn from: give gold JSONL files, or --decisions FILE with --articles")
    if args.decisions and not args.articles:
        raise InputError("--decisions needs the articles they were made on: add --articles ARTICLE ...")
    if args.folds < 2:
        raise InputError(f"--folds {args.folds}: give at least 2 folds")
    if importlib.util.find_spec("scipy") is None:
        raise InputError("geomap train needs scipy: pip install 'geomap[train]'")
    out = check_output(args.output, list(args.gold) + list(args.articles))
    pipeline = session.pipeline()
    decisions = [load_decisions(path, gazetteer=pipeline.gazetteer) for path in args.decisions]
    documents = []
    if args.articles:
        args.inputs = args.articles
        documents = list(pipeline.parse_many(session.sources()))
    try:
        model = train_from_files(args.gold, pipeline.gazetteer, extractor=pipeline.extractor, decisions=decisions,
                                 documents=documents, base=session.scorer() or default_scorer(),
                                 options=replace(TrainOptions(), folds=args.folds), cache_dir=args.cache)
    except FileNotFoundError as exc:
        raise InputError(f"{exc.filename} does not exist: check the path") from None
    except InputError:
        raise
    except ValueError as exc:  # nothing the ranker could learn from
        raise InputError(f"{exc}: give gold files or decisions that pin places the resolver had as candidates") from None
    write_model(model, out)
    if not args.quiet:
        print(f"geomap: use it with --ranker {out} (or GEOMAP_RANKER={out})", file=sys.stderr)
    print(out)
    return session.status()
