"""Review: which mentions an analyst should check (:mod:`~geomap.review.report`), the page to
check and settle them on (:mod:`~geomap.review.page`, served by :mod:`~geomap.review.server`),
and the decisions file that settles them (:mod:`~geomap.review.decisions`)."""

from __future__ import annotations

from .decisions import Decisions, apply_decisions, load_decisions, merge_decisions, parse_decisions
from .page import review_html
from .report import FlagRule, Review, build_review, format_summary, is_flagged

__all__ = ["FlagRule", "Review", "build_review", "format_summary", "is_flagged", "review_html", "Decisions",
           "apply_decisions", "load_decisions", "merge_decisions", "parse_decisions"]
