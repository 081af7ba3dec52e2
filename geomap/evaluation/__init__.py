"""Scoring a geoparser against gold corpora: what ``geomap eval`` runs.

- :mod:`~geomap.evaluation.gold`: the gold format, the scoring constants, :func:`load_gold`;
- :mod:`~geomap.evaluation.matching`: :class:`Predicted`, span matching, distances, kinds, and
  :func:`predict` (a pipeline over the gold texts);
- :mod:`~geomap.evaluation.metrics`: :func:`evaluate`, :class:`EvalReport`, calibration, and the
  scoring conventions;
- :mod:`~geomap.evaluation.report`: :func:`format_report`, the text form.
"""

from __future__ import annotations

from .gold import (
    ACCURACY_KM,
    CONTEXT_CHARS,
    KIND_VOCABULARY,
    MAX_ERROR_KM,
    GoldDocument,
    GoldFormatError,
    GoldToponym,
    load_gold,
)
from .matching import Predicted, distance_km, match_spans, normalize_kind, predict
from .metrics import (
    Calibration,
    ErrorCase,
    EvalReport,
    FalsePositive,
    RecognitionScores,
    auc_of_errors,
    calibration,
    evaluate,
    kind_aware_calibration,
)
from .report import format_report

__all__ = [
    "ACCURACY_KM",
    "CONTEXT_CHARS",
    "KIND_VOCABULARY",
    "MAX_ERROR_KM",
    "ErrorCase",
    "EvalReport",
    "FalsePositive",
    "GoldDocument",
    "GoldFormatError",
    "GoldToponym",
    "Predicted",
    "RecognitionScores",
    "Calibration",
    "auc_of_errors",
    "calibration",
    "kind_aware_calibration",
    "distance_km",
    "evaluate",
    "format_report",
    "load_gold",
    "match_spans",
    "normalize_kind",
    "predict",
]
