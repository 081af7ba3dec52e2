"""``geomap eval``: score the pipeline on a gold corpus."""

from __future__ import annotations

import argparse
import json

from ..errors import InputError
from ..evaluation import GoldFormatError, evaluate, format_report, load_gold, predict
from .session import _pipeline


def _cmd_eval(args: argparse.Namespace) -> int:
    try:
        gold = load_gold(args.gold)
    except GoldFormatError as exc:
        raise InputError(str(exc)) from None
    except FileNotFoundError:
        raise InputError(f"{args.gold} does not exist: check the path") from None
    pipeline = _pipeline(args)
    predicted = predict(pipeline, gold, gold_spans=args.gold_spans)
    report = evaluate(gold, predicted, resolution_only=args.resolution_only,
                      country_of=pipeline.gazetteer.country_at, gold_spans=args.gold_spans)
    if args.json:
        print(json.dumps(report.to_dict(cases=args.errors > 0), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, errors=args.errors))
    return 0
