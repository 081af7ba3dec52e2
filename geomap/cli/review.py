"""``geomap review``: a review page of the mentions to check, a summary, and a decisions file."""

from __future__ import annotations

import sys
from pathlib import Path

from gazetteer import Gazetteer

from ..errors import InputError
from ..outputs.write import check_output, write_atomic
from ..review.decisions import merge_decisions, parse_decisions, read_decisions_text
from ..review.page import review_html
from ..review.report import FlagRule, build_review, format_summary
from ..review.server import ReviewServer, new_token
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
    merged = merge_decisions(existing, review.proposals(args.scope, decisions), source=str(decisions_path))
    token = new_token() if args.serve else None
    page = review_html(review, gazetteer=pipeline.gazetteer, tiles=tiles,
                       title=f"geomap review: {session.default_output('').name}",
                       decisions_text=merged.text, decisions_name=decisions_path.name, scope=args.scope,
                       serve_token=token)
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
    if token is not None:
        _serve(args.port, page, decisions_path, token, pipeline.gazetteer)
    return session.status()


def _serve(port: int, page: str, decisions_path: Path, token: str, gazetteer: Gazetteer) -> None:
    """Serve the page on 127.0.0.1 until Ctrl-C (``--serve``)."""
    if not 0 <= port <= 65535:
        raise InputError(f"--port {port} is not a port: give 1 to 65535, or 0 for a free one")
    try:
        server = ReviewServer(page, decisions_path, token, gazetteer, port=port,
                              on_save=lambda p: print(f"geomap: saved {p}", file=sys.stderr))
    except OSError as exc:
        raise InputError(f"cannot serve on 127.0.0.1:{port} ({exc.strerror or exc}): pick another --port") from None
    print(f"geomap: review page at {server.url} (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
