"""``geomap review``: a review page of the mentions to check, a summary, and a decisions file."""

from __future__ import annotations

import sys

from ..errors import InputError
from ..outputs.write import check_output, write_atomic
from ..review.decisions import merge_decisions, parse_decisions, read_decisions_text
from ..review.report import FlagRule, build_review, format_summary, review_html
from .session import Session, _stale_reported_here


def _cmd_review(session: Session) -> int:
    args = session.args
    out = check_output(args.output or session.default_output(".review.html"), session.inputs)
    decisions_path = check_output(args.decisions or session.default_output(".decisions.yaml"), session.inputs)
    if out.resolve() == decisions_path.resolve():
        raise InputError(f"the review page and the decisions file are both {out}: give another -o or --decisions")
    existing = read_decisions_text(decisions_path) if decisions_path.exists() else None
    sources = session.sources()
    pipeline = session.pipeline()
    decisions = (parse_decisions(existing, source=str(decisions_path), gazetteer=pipeline.gazetteer)
                 if existing is not None else None)
    documents = session.online(list(pipeline.parse_many(sources)))
    rule = FlagRule(margin=args.margin, min_confidence=args.min_confidence)
    with _stale_reported_here():
        review = build_review(documents, gazetteer=pipeline.gazetteer, decisions=decisions, rule=rule)
    tiles = None if args.tiles.lower() == "none" else args.tiles
    page = review_html(review, gazetteer=pipeline.gazetteer, tiles=tiles,
                       title=f"geomap review: {session.default_output('').name}")
    merged = merge_decisions(existing, review.proposals(args.scope, decisions), source=str(decisions_path))
    write_atomic(out, page)
    write_atomic(decisions_path, merged.text)
    for stale in review.stale:
        print(f"geomap: warning: {stale.message}", file=sys.stderr)
    print(format_summary(review, worst=args.worst))
    if not args.quiet:
        print(f"geomap: decisions file: {merged.added} name(s) added, {merged.refreshed} refreshed, "
              f"{merged.kept} kept as they were", file=sys.stderr)
    print(out)
    print(decisions_path)
    return session.status()
