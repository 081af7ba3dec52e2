"""Scoring a geoparser against gold corpora: the metrics behind ``geomap eval``.

The gold format and its loader are in :mod:`geomap.evaluation.gold`.

This module imports nothing else from :mod:`geomap`; it uses the standard
library and :mod:`geopy` only. Everything here is a pure function or a frozen
dataclass.

Scoring conventions
-------------------
Recognition
    A prediction matches a gold toponym *leniently* when their character spans
    overlap (share at least one character) and *strictly* when the spans are
    equal. Matching is one-to-one and greedy: all overlapping (gold,
    prediction) pairs of a document are sorted by overlap length (largest
    first), then by how far the span boundaries differ (smallest first), then
    by position, and taken in that order whenever neither side is matched yet.
    Precision is ``tp / (tp + fp)``, recall ``tp / (tp + fn)`` and F1
    ``2 tp / (2 tp + fp + fn)``, which equals the harmonic mean of precision
    and recall whenever both are defined. A ratio whose denominator is zero is
    ``None`` (undefined), never a made-up 0 or 1.
Embedded gold toponyms
    Gold toponyms with ``embedded: true`` (a place name inside an organisation
    name) are not scored: they are neither gold to find (no false negative)
    nor do predictions on them count as false positives. Predictions are first
    matched against the scored gold; a prediction left unmatched that overlaps
    an embedded gold span is ignored.
Resolution-only corpora (``resolution_only=True``)
    Only some toponyms are annotated (WikToR: the title toponym), so precision
    and F1 are not computed (``None``), recall is the share of annotated
    toponyms found, and predictions that overlap no gold span are ignored
    (as are surplus predictions overlapping an already-matched gold span).
Resolution
    Computed on the lenient matches whose gold toponym has coordinates. The
    error is the great-circle distance in km (:func:`geopy.distance.great_circle`,
    a sphere of radius 6371.009 km). A matched prediction without coordinates
    (found but unresolved) is kept in the pairs with the maximal error
    :data:`MAX_ERROR_KM` = 20039 km, so it counts as wrong in accuracy@161 and
    weighs on mean, median and AUC. Accuracy@161 counts errors ``<= 161`` km.
AUC (Gritta et al. 2018, "What's missing in geographical parsing?"; EUPEG)
    With the ``n`` errors sorted ascending, ``x_i = min(1, ln(1 + e_i) /
    ln(20039))`` and the trapezoid rule with unit spacing::

        AUC = sum_{i=1}^{n-1} (x_{i-1} + x_i) / 2  /  (n - 1)

    i.e. the area under the sorted, log-scaled error curve normalised by the
    area of the worst possible curve, so 0 is perfect and 1 worst. This is
    the reference code's ``np.trapz(np.log(1 + e)) / (np.log(20039) * (n -
    1))`` on sorted errors. For ``n == 1`` the curve is a single point and the
    AUC is that point's ``x``; for ``n == 0`` it is ``None``.
Country-aware accuracy@161
    As accuracy@161, but a prediction whose (normalised) kind is ``country``
    also counts as right when it names the country the gold point lies in.
    The gold country is ``country_of(gold.lat, gold.lon)`` when ``country_of``
    is given, else the gold toponym's own ``country_code`` (when it has none,
    the rule cannot apply). The predicted country is ``predicted.country_code``,
    or, when that is missing and ``country_of`` is given,
    ``country_of(predicted.lat, predicted.lon)``. Codes compare
    case-insensitively. The rule applies whatever the gold kind is, as the
    project's conventions state it.
End-to-end accuracy@161
    Correct resolutions (error <= 161 km) divided by ALL scored gold toponyms
    with coordinates, found or not; a system that finds few is not flattered.
    A country-aware variant uses the country rule above.
Kinds
    On lenient matches whose gold toponym has a ``type``, the predicted kind is
    normalised (:func:`normalize_kind`) to city, admin1, admin2, region,
    country, physical, continent or other (a missing kind becomes ``"none"``);
    it is right when it equals the gold kind, and gold ``region`` also accepts
    admin1 and admin2. The confusion table counts (gold kind, normalised
    predicted kind) pairs.
Error cases
    Scored gold toponyms left unmatched (misses, error ``None``) and lenient
    matches with coordinates whose error exceeds 161 km (unresolved ones at
    20039 km included), sorted worst first: misses, then by error descending,
    ties by document id and offset. Lenient false positives form a separate
    list, in document order.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from .gold import ACCURACY_KM, MAX_ERROR_KM, GoldDocument, GoldToponym, _gold_dict
from .matching import Predicted, _context, _overlaps, _pred_dict, distance_km, match_spans, normalize_kind

__all__ = [
    "ErrorCase",
    "EvalReport",
    "FalsePositive",
    "RecognitionScores",
    "Calibration",
    "auc_of_errors",
    "calibration",
    "kind_aware_calibration",
    "evaluate",
]

@dataclass(frozen=True)
class RecognitionScores:
    """Precision, recall and F1 with their counts.

    Attributes
    ----------
    tp : int
        Gold toponyms matched (equivalently, predictions matched).
    fp : int or None
        Predictions matched to nothing; ``None`` when not computed
        (resolution-only corpora).
    fn : int
        Gold toponyms matched to nothing.
    precision, recall, f1 : float or None
        ``None`` when undefined (zero denominator) or not computed.
    """

    tp: int
    fp: int | None
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None

    @classmethod
    def from_counts(cls, tp: int, fp: int | None, fn: int) -> "RecognitionScores":
        """Build the scores from counts.

        Parameters
        ----------
        tp, fn : int
            True positives and false negatives.
        fp : int or None
            False positives; ``None`` leaves precision and F1 uncomputed.

        Returns
        -------
        RecognitionScores
        """
        recall = _ratio(tp, tp + fn)
        if fp is None:
            return cls(tp, None, fn, None, recall, None)
        precision = _ratio(tp, tp + fp)
        f1 = _ratio(2 * tp, 2 * tp + fp + fn)
        return cls(tp, fp, fn, precision, recall, f1)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
        }


@dataclass(frozen=True)
class ErrorCase:
    """A gold toponym the system missed or placed more than 161 km away.

    Attributes
    ----------
    doc_id : str
        Document id.
    gold : GoldToponym
        The gold toponym.
    predicted : Predicted or None
        The matched prediction; ``None`` for a miss.
    error_km : float or None
        Great-circle error; ``None`` for a miss, :data:`MAX_ERROR_KM` for a
        matched prediction without coordinates.
    reason : str
        ``"missed"``, ``"unresolved"`` or ``"far"``.
    country_match : bool
        Whether the country-aware rule accepts it anyway.
    context : str
        About :data:`CONTEXT_CHARS` characters each side of the gold span,
        whitespace flattened, with the span marked ``[[...]]``.
    """

    doc_id: str
    gold: GoldToponym
    predicted: Predicted | None
    error_km: float | None
    reason: str
    country_match: bool
    context: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "doc_id": self.doc_id,
            "reason": self.reason,
            "error_km": self.error_km,
            "country_match": self.country_match,
            "gold": _gold_dict(self.gold),
            "predicted": _pred_dict(self.predicted) if self.predicted else None,
            "context": self.context,
        }


@dataclass(frozen=True)
class FalsePositive:
    """A prediction that matched no gold toponym (lenient matching).

    Attributes
    ----------
    doc_id : str
        Document id.
    predicted : Predicted
        The prediction.
    context : str
        Context with the predicted span marked ``[[...]]``.
    """

    doc_id: str
    predicted: Predicted
    context: str

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "doc_id": self.doc_id,
            "predicted": _pred_dict(self.predicted),
            "context": self.context,
        }


@dataclass(frozen=True)
class EvalReport:
    """Every figure of one evaluation run.

    Attributes
    ----------
    resolution_only : bool
        Whether precision was left out (partially annotated corpus).
    documents : int
        Gold documents scored.
    gold_toponyms : int
        Scored gold toponyms (embedded ones excluded).
    embedded_gold : int
        Embedded gold toponyms, not scored.
    predicted_toponyms : int
        Predictions on the gold documents, all of them.
    ignored_predictions : int
        Predictions neither true nor false positives under lenient matching
        (on an embedded toponym, or, resolution-only, off the annotations).
    unknown_documents : int
        Keys of ``predicted`` that name no gold document (not scored).
    lenient, strict : RecognitionScores
        Recognition with overlapping / equal spans.
    gold_with_coordinates : int
        Scored gold toponyms with coordinates (end-to-end denominator).
    resolution_pairs : int
        Lenient matches whose gold has coordinates.
    unresolved_pairs : int
        Of those, predictions without coordinates (error 20039 km).
    accuracy_at_161 : float or None
        Share of resolution pairs with error <= 161 km.
    country_aware_accuracy_at_161 : float or None
        Same, with the country rule.
    mean_error_km, median_error_km : float or None
        Over the resolution pairs.
    auc : float or None
        Area under the sorted log-error curve, 0 best, 1 worst.
    correct_at_161, country_aware_correct_at_161 : int
        Numerators of the accuracies.
    end_to_end_accuracy_at_161 : float or None
        ``correct_at_161 / gold_with_coordinates``.
    country_aware_end_to_end_accuracy_at_161 : float or None
        ``country_aware_correct_at_161 / gold_with_coordinates``.
    kind_pairs, kind_correct : int
        Lenient matches whose gold has a kind, and those with the right kind.
    kind_accuracy : float or None
        ``kind_correct / kind_pairs``.
    kind_confusion : tuple of (str, str, int)
        (gold kind, normalised predicted kind, count), sorted.
    errors_km : tuple of float
        The resolution errors, sorted ascending.
    error_cases : tuple of ErrorCase
        Misses and far resolutions, worst first.
    false_positives : tuple of FalsePositive
        Lenient false positives in document order.
    gold_spans : bool
        Whether the predictions came from the gold spans (recognition perfect by
        construction, so not reported).
    """

    resolution_only: bool
    documents: int
    gold_toponyms: int
    embedded_gold: int
    predicted_toponyms: int
    ignored_predictions: int
    unknown_documents: int
    lenient: RecognitionScores
    strict: RecognitionScores
    gold_with_coordinates: int
    resolution_pairs: int
    unresolved_pairs: int
    correct_at_161: int
    country_aware_correct_at_161: int
    accuracy_at_161: float | None
    country_aware_accuracy_at_161: float | None
    mean_error_km: float | None
    median_error_km: float | None
    auc: float | None
    end_to_end_accuracy_at_161: float | None
    country_aware_end_to_end_accuracy_at_161: float | None
    kind_pairs: int
    kind_correct: int
    kind_accuracy: float | None
    kind_confusion: tuple[tuple[str, str, int], ...]
    errors_km: tuple[float, ...]
    error_cases: tuple[ErrorCase, ...]
    false_positives: tuple[FalsePositive, ...]
    calibration: "Calibration | None" = None
    gold_spans: bool = False

    def to_dict(self, *, cases: bool = True) -> dict[str, Any]:
        """Return the report as JSON-ready data with stable keys.

        Parameters
        ----------
        cases : bool, default True
            Include ``errors_km``, ``error_cases`` and ``false_positives``
            (long lists); the keys are present either way.

        Returns
        -------
        dict
            Plain dicts, lists, strings, numbers, booleans and ``None``.
        """
        confusion: dict[str, dict[str, int]] = {}
        for gold_kind, pred_kind, count in self.kind_confusion:
            confusion.setdefault(gold_kind, {})[pred_kind] = count
        out = {
            "resolution_only": self.resolution_only,
            "documents": self.documents,
            "gold_toponyms": self.gold_toponyms,
            "embedded_gold": self.embedded_gold,
            "predicted_toponyms": self.predicted_toponyms,
            "ignored_predictions": self.ignored_predictions,
            "unknown_documents": self.unknown_documents,
            "recognition": {
                "lenient": self.lenient.to_dict(),
                "strict": self.strict.to_dict(),
            },
            "resolution": {
                "gold_with_coordinates": self.gold_with_coordinates,
                "pairs": self.resolution_pairs,
                "unresolved_pairs": self.unresolved_pairs,
                "correct_at_161": self.correct_at_161,
                "country_aware_correct_at_161": self.country_aware_correct_at_161,
                "accuracy_at_161": self.accuracy_at_161,
                "country_aware_accuracy_at_161": self.country_aware_accuracy_at_161,
                "mean_error_km": self.mean_error_km,
                "median_error_km": self.median_error_km,
                "auc": self.auc,
                "end_to_end_accuracy_at_161": self.end_to_end_accuracy_at_161,
                "country_aware_end_to_end_accuracy_at_161": (
                    self.country_aware_end_to_end_accuracy_at_161
                ),
            },
            "kinds": {
                "pairs": self.kind_pairs,
                "correct": self.kind_correct,
                "accuracy": self.kind_accuracy,
                "confusion": confusion,
            },
            "errors_km": list(self.errors_km) if cases else [],
            "error_cases": [c.to_dict() for c in self.error_cases] if cases else [],
            "false_positives": (
                [f.to_dict() for f in self.false_positives] if cases else []
            ),
        }
        if self.calibration is not None:  # only when the predictions carry review flags
            out["calibration"] = self.calibration.to_dict()
        if self.gold_spans:  # recognition was given, not measured
            out["gold_spans"], out["recognition"] = True, None
        return out


# --------------------------------------------------------------------------
# Building blocks


def auc_of_errors(errors_km: Iterable[float]) -> float | None:
    """Area under the curve of sorted log-scaled errors (Gritta et al. 2018).

    Parameters
    ----------
    errors_km : iterable of float
        Errors in km, any order.

    Returns
    -------
    float or None
        ``sum_{i=1}^{n-1} (x_{i-1} + x_i) / 2 / (n - 1)`` with ``x`` the
        errors sorted ascending and mapped to ``min(1, ln(1 + e) /
        ln(20039))``: 0 when every error is 0, 1 when every error is 20039 km
        or more. ``x_0`` for a single error, ``None`` for none.
    """
    scaled = sorted(
        min(1.0, math.log1p(max(0.0, e)) / math.log(MAX_ERROR_KM)) for e in errors_km
    )
    n = len(scaled)
    if n == 0:
        return None
    if n == 1:
        return scaled[0]
    area = sum((a + b) / 2.0 for a, b in zip(scaled, scaled[1:]))
    return min(1.0, max(0.0, area / (n - 1)))


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# --------------------------------------------------------------------------
# Evaluation


def evaluate(
    gold: Sequence[GoldDocument],
    predicted: Mapping[str, Sequence[Predicted]],
    *,
    resolution_only: bool = False,
    country_of: Callable[[float, float], str | None] | None = None,
    gold_spans: bool = False,
) -> EvalReport:
    """Score predictions against gold documents.

    Parameters
    ----------
    gold : sequence of GoldDocument
        The gold corpus (see :func:`load_gold`).
    predicted : mapping of str to sequence of Predicted
        Predictions by document id; a gold document without an entry has no
        predictions. Entries for unknown ids are counted, not scored.
    resolution_only : bool, default False
        The corpus annotates only some toponyms: precision and F1 are
        ``None``, predictions overlapping no gold span are ignored.
    country_of : callable (lat, lon) -> str or None, optional
        Reverse geocoder to ISO country codes, for country-aware accuracy;
        without it the gold toponyms' own ``country_code`` is used.
    gold_spans : bool, default False
        The predictions are the gold spans resolved (:func:`predict` with
        ``gold_spans``): the report leaves recognition out.

    Returns
    -------
    EvalReport
        See the module docstring for every convention.
    """
    gold_ids = {doc.id for doc in gold}
    unknown_documents = sum(1 for key in predicted if key not in gold_ids)

    n_gold = n_embedded = n_pred = n_ignored = 0
    lenient_tp = lenient_fp = strict_tp = strict_fp = 0
    gold_with_coords = correct = country_correct = 0
    unresolved = 0
    errors: list[float] = []
    kind_pairs = kind_correct = 0
    confusion: dict[tuple[str, str], int] = {}
    error_cases: list[ErrorCase] = []
    false_positives: list[FalsePositive] = []

    for doc in gold:
        preds = list(predicted.get(doc.id, ()))
        n_pred += len(preds)
        scored = [t for t in doc.toponyms if not t.embedded]
        embedded_spans = [(t.start, t.end) for t in doc.toponyms if t.embedded]
        n_gold += len(scored)
        n_embedded += len(embedded_spans)
        gold_with_coords += sum(1 for t in scored if t.has_coordinates)
        gold_offsets = [(t.start, t.end) for t in scored]
        pred_spans = [(p.start, p.end) for p in preds]

        lenient = dict(match_spans(gold_offsets, pred_spans))
        strict = dict(match_spans(gold_offsets, pred_spans, strict=True))
        lenient_tp += len(lenient)
        strict_tp += len(strict)

        lenient_matched_preds = set(lenient.values())
        strict_matched_preds = set(strict.values())
        for pi, span in enumerate(pred_spans):
            on_embedded = any(_overlaps(span, e) for e in embedded_spans)
            if resolution_only:
                ignored_lenient = pi not in lenient_matched_preds
            else:
                ignored_lenient = pi not in lenient_matched_preds and on_embedded
                if pi not in strict_matched_preds and not (
                    on_embedded and pi not in lenient_matched_preds
                ):
                    strict_fp += 1
            if ignored_lenient:
                n_ignored += 1
            elif pi not in lenient_matched_preds:
                lenient_fp += 1
                false_positives.append(
                    FalsePositive(doc.id, preds[pi], _context(doc.text, *span))
                )

        for gi, tgold in enumerate(scored):
            pi = lenient.get(gi)
            pred = preds[pi] if pi is not None else None
            if pred is None:
                error_cases.append(
                    ErrorCase(doc.id, tgold, None, None, "missed", False,
                              _context(doc.text, tgold.start, tgold.end))
                )
            else:
                if tgold.kind is not None:
                    pred_kind = normalize_kind(pred.kind)
                    kind_pairs += 1
                    if _kind_right(tgold.kind, pred.kind):
                        kind_correct += 1
                    key = (tgold.kind, pred_kind)
                    confusion[key] = confusion.get(key, 0) + 1
                if tgold.has_coordinates:
                    if pred.has_coordinates:
                        error = distance_km(
                            tgold.lat, tgold.lon, pred.lat, pred.lon  # type: ignore[arg-type]
                        )
                        reason = "far"
                    else:
                        error = MAX_ERROR_KM
                        unresolved += 1
                        reason = "unresolved"
                    errors.append(error)
                    country_match = _country_match(tgold, pred, country_of)
                    within = error <= ACCURACY_KM
                    correct += within
                    country_correct += within or country_match
                    if not within:
                        error_cases.append(
                            ErrorCase(doc.id, tgold, pred, error, reason, country_match,
                                      _context(doc.text, tgold.start, tgold.end))
                        )

    lenient_fn = n_gold - lenient_tp
    strict_fn = n_gold - strict_tp
    fp_lenient: int | None = None if resolution_only else lenient_fp
    fp_strict: int | None = None if resolution_only else strict_fp
    n_pairs = len(errors)
    error_cases.sort(
        key=lambda c: (
            -math.inf if c.error_km is None else -c.error_km,
            c.doc_id,
            c.gold.start,
        )
    )
    return EvalReport(
        calibration=calibration(gold, predicted),
        gold_spans=gold_spans,
        resolution_only=resolution_only,
        documents=len(gold),
        gold_toponyms=n_gold,
        embedded_gold=n_embedded,
        predicted_toponyms=n_pred,
        ignored_predictions=n_ignored,
        unknown_documents=unknown_documents,
        lenient=RecognitionScores.from_counts(lenient_tp, fp_lenient, lenient_fn),
        strict=RecognitionScores.from_counts(strict_tp, fp_strict, strict_fn),
        gold_with_coordinates=gold_with_coords,
        resolution_pairs=n_pairs,
        unresolved_pairs=unresolved,
        correct_at_161=correct,
        country_aware_correct_at_161=country_correct,
        accuracy_at_161=_ratio(correct, n_pairs),
        country_aware_accuracy_at_161=_ratio(country_correct, n_pairs),
        mean_error_km=statistics.fmean(errors) if errors else None,
        median_error_km=statistics.median(errors) if errors else None,
        auc=auc_of_errors(errors),
        end_to_end_accuracy_at_161=_ratio(correct, gold_with_coords),
        country_aware_end_to_end_accuracy_at_161=_ratio(country_correct, gold_with_coords),
        kind_pairs=kind_pairs,
        kind_correct=kind_correct,
        kind_accuracy=_ratio(kind_correct, kind_pairs),
        kind_confusion=tuple(sorted((g, p, n) for (g, p), n in confusion.items())),
        errors_km=tuple(sorted(errors)),
        error_cases=tuple(error_cases),
        false_positives=tuple(false_positives),
    )


@dataclass(frozen=True)
class Calibration:
    """How well the review flags pick out the wrong resolutions.

    Counted over the predictions whose ``flagged`` is known. A *pair* is a lenient match
    with a gold toponym that has coordinates (as in the resolution figures); it is *wrong*
    when its error exceeds 161 km (an unresolved prediction counts as wrong).

    Attributes
    ----------
    predictions, flagged : int
        Predictions with a known flag, and those flagged.
    flagged_pairs, unflagged_pairs : int
        Resolution pairs whose prediction is flagged / not flagged.
    flagged_wrong, unflagged_wrong : int
        Of those, the wrong ones.
    flagged_share : float or None
        ``flagged / predictions``: how much an analyst has to review.
    flagged_error_rate, unflagged_error_rate : float or None
        ``flagged_wrong / flagged_pairs`` and ``unflagged_wrong / unflagged_pairs``.
    error_ratio : float or None
        ``flagged_error_rate / unflagged_error_rate`` (``None`` when undefined).
    """

    predictions: int
    flagged: int
    flagged_pairs: int
    unflagged_pairs: int
    flagged_wrong: int
    unflagged_wrong: int
    flagged_share: float | None
    flagged_error_rate: float | None
    unflagged_error_rate: float | None
    error_ratio: float | None

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict with stable keys."""
        return {
            "predictions": self.predictions,
            "flagged": self.flagged,
            "flagged_share": self.flagged_share,
            "flagged_pairs": self.flagged_pairs,
            "unflagged_pairs": self.unflagged_pairs,
            "flagged_wrong": self.flagged_wrong,
            "unflagged_wrong": self.unflagged_wrong,
            "flagged_error_rate": self.flagged_error_rate,
            "unflagged_error_rate": self.unflagged_error_rate,
            "error_ratio": self.error_ratio,
        }


def calibration(
    gold: Sequence[GoldDocument],
    predicted: Mapping[str, Sequence[Predicted]],
) -> Calibration | None:
    """Error rates of flagged and unflagged predictions (see :class:`Calibration`).

    Returns ``None`` when no prediction carries a ``flagged`` value.

    Examples
    --------
    >>> doc = GoldDocument("d", "Paris", (GoldToponym(0, 5, "Paris", 48.85, 2.35),))
    >>> far = Predicted(0, 5, "Paris", 33.66, -95.56, "city", flagged=True)
    >>> calibration([doc], {"d": [far]}).flagged_error_rate
    1.0
    """
    return _calibrate(gold, predicted, kinds=False)


def _kind_right(gold_kind: str, predicted_kind: str | None) -> bool:
    """The kind rule of :func:`evaluate`: equal, or gold ``region`` for admin1/admin2."""
    pred = normalize_kind(predicted_kind)
    return pred == gold_kind or (gold_kind == "region" and pred in ("admin1", "admin2"))


def kind_aware_calibration(
    gold: Sequence[GoldDocument],
    predicted: Mapping[str, Sequence[Predicted]],
) -> Calibration | None:
    """As :func:`calibration`, but a pair is also wrong when its kind is wrong.

    A *pair* is a lenient match with a gold toponym that has coordinates or a kind. It is
    wrong when the prediction is unresolved, lies more than 161 km from the gold point (when
    the gold has coordinates), or has the wrong kind (when the gold has a ``type``; the kind
    rule of :func:`evaluate`: equal, or gold ``region`` for a predicted admin1 or admin2).

    Returns ``None`` when no prediction carries a ``flagged`` value.

    Examples
    --------
    >>> doc = GoldDocument("d", "Kherson", (GoldToponym(0, 7, "Kherson", 46.64, 32.61, "city"),))
    >>> oblast = Predicted(0, 7, "Kherson", 46.70, 33.58, "admin1", flagged=False)
    >>> kind_aware_calibration([doc], {"d": [oblast]}).unflagged_error_rate
    1.0
    """
    return _calibrate(gold, predicted, kinds=True)


def _calibrate(
    gold: Sequence[GoldDocument],
    predicted: Mapping[str, Sequence[Predicted]],
    *,
    kinds: bool,
) -> Calibration | None:
    """:func:`calibration` (``kinds=False``) and :func:`kind_aware_calibration` (``kinds=True``)."""
    n_pred = n_flagged = f_pairs = u_pairs = f_wrong = u_wrong = 0
    for doc in gold:
        preds = list(predicted.get(doc.id, ()))
        known = [p for p in preds if p.flagged is not None]
        n_pred += len(known)
        n_flagged += sum(1 for p in known if p.flagged)
        scored = [t for t in doc.toponyms if not t.embedded]
        pairs = match_spans([(t.start, t.end) for t in scored], [(p.start, p.end) for p in preds])
        for gi, pi in pairs:
            tgold, pred = scored[gi], preds[pi]
            judge_kind = kinds and tgold.kind is not None
            if pred.flagged is None or not (tgold.has_coordinates or judge_kind):
                continue
            wrong = not pred.has_coordinates
            if not wrong and tgold.has_coordinates:
                wrong = distance_km(
                    tgold.lat, tgold.lon, pred.lat, pred.lon  # type: ignore[arg-type]
                ) > ACCURACY_KM
            if not wrong and judge_kind:
                wrong = not _kind_right(tgold.kind, pred.kind)  # type: ignore[arg-type]
            if pred.flagged:
                f_pairs += 1
                f_wrong += wrong
            else:
                u_pairs += 1
                u_wrong += wrong
    if n_pred == 0:
        return None
    f_rate, u_rate = _ratio(f_wrong, f_pairs), _ratio(u_wrong, u_pairs)
    ratio = f_rate / u_rate if f_rate is not None and u_rate else None
    return Calibration(
        predictions=n_pred, flagged=n_flagged, flagged_pairs=f_pairs, unflagged_pairs=u_pairs,
        flagged_wrong=f_wrong, unflagged_wrong=u_wrong, flagged_share=_ratio(n_flagged, n_pred),
        flagged_error_rate=f_rate, unflagged_error_rate=u_rate, error_ratio=ratio,
    )


def _country_match(
    gold: GoldToponym,
    pred: Predicted,
    country_of: Callable[[float, float], str | None] | None,
) -> bool:
    if normalize_kind(pred.kind) != "country":
        return False
    if country_of is not None:
        gold_cc = country_of(gold.lat, gold.lon)  # type: ignore[arg-type]
    else:
        gold_cc = gold.country_code
    pred_cc = pred.country_code
    if not pred_cc and country_of is not None and pred.has_coordinates:
        pred_cc = country_of(pred.lat, pred.lon)  # type: ignore[arg-type]
    if not gold_cc or not pred_cc:
        return False
    return gold_cc.strip().upper() == pred_cc.strip().upper()
