"""Review: which mentions an analyst should check (:mod:`~geomap.review.report`), and the
decisions file that settles them (:mod:`~geomap.review.decisions`)."""

from __future__ import annotations

from .decisions import Decisions, apply_decisions, load_decisions, merge_decisions, parse_decisions
from .report import FlagRule, Review, build_review, format_summary, is_flagged, review_html

__all__ = ["FlagRule", "Review", "build_review", "format_summary", "is_flagged", "review_html", "Decisions",
           "apply_decisions", "load_decisions", "merge_decisions", "parse_decisions"]
