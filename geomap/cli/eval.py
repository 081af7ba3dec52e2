"""``geomap eval``: score the pipeline on a gold corpus."""

from __future__ import annotations

import json

from ..errors import InputError
from ..evaluation import evaluate, format_report, load_gold, predict
from .session import Session


def _cmd_eval(session: Session) -> int:
    args = session.args
    try:
        gold = load_gold(args.gold)  # a malformed line is a GoldFormatError, an InputError
    except FileNotFoundError:
        raise InputError(f"{args.gold} does not exist: check the path") from None
    pipeline = session.pipeline()
    predicted = predict(pipeline, gold, gold_spans=args.gold_spans)
    report = evaluate(gold, predicted, resolution_only=args.resolution_only,
                      country_of=pipeline.gazetteer.country_at, gold_spans=args.gold_spans)
    if args.json:
        print(json.dumps(report.to_dict(cases=args.errors > 0), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, errors=args.errors))
    return 0
