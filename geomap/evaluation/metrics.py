"""Scoring a geoparser against gold corpora: the metrics behind ``geomap eval``.

Gold corpora are JSON Lines files, one document per line::

    {"id": "40450848", "text": "...",
     "toponyms": [{"start": 0, "end": 10, "surface": "Alexandria",
                   "lat": 31.3113, "lon": -92.4451, ...}]}

where ``text[start:end] == surface`` holds for every toponym (Python ``str``
offsets). Optional toponym keys read here: ``type`` (the gold kind), ``name``
(canonical name), ``embedded`` (inside an organisation name: not scored) and
``country_code``. Other keys are ignored.

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

import json
import math
import os
import statistics
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

from geopy.distance import great_circle

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
]

#: Distance threshold of accuracy@k, in km (100 miles).
ACCURACY_KM: float = 161.0
#: Largest error, in km (about half the Earth's circumference); also the
#: penalty given to a matched prediction that has no coordinates.
MAX_ERROR_KM: float = 20039.0
#: Characters of context shown on each side of an error case's span.
CONTEXT_CHARS: int = 60
#: The kinds predictions are normalised to.
KIND_VOCABULARY: tuple[str, ...] = (
    "city",
    "admin1",
    "admin2",
    "region",
    "country",
    "physical",
    "continent",
    "other",
)
_NO_KIND = "none"


class GoldFormatError(ValueError):
    """A gold file line that is not a valid gold document.

    Parameters
    ----------
    path : str
        The gold file.
    line : int
        The 1-based line number.
    message : str
        What is wrong.
    """

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.reason = message
        super().__init__(f"{path}:{line}: {message}")


@dataclass(frozen=True)
class GoldToponym:
    """One annotated toponym of a gold document.

    Attributes
    ----------
    start, end : int
        Character offsets: ``text[start:end] == surface``.
    surface : str
        The toponym as written.
    lat, lon : float or None
        Gold coordinates, ``None`` where the corpus gives none.
    kind : str or None
        Gold kind (the corpus's ``type``), lower-cased.
    name : str or None
        Canonical name, where given.
    embedded : bool
        Inside an organisation name: not scored.
    country_code : str or None
        ISO 3166-1 alpha-2 code, where given.
    """

    start: int
    end: int
    surface: str
    lat: float | None = None
    lon: float | None = None
    kind: str | None = None
    name: str | None = None
    embedded: bool = False
    country_code: str | None = None

    @property
    def has_coordinates(self) -> bool:
        """bool: whether both latitude and longitude are known."""
        return self.lat is not None and self.lon is not None


@dataclass(frozen=True)
class GoldDocument:
    """One gold document.

    Attributes
    ----------
    id : str
        Document id (unique within a file).
    text : str
        The document text.
    toponyms : tuple of GoldToponym
        Annotations, in file order.
    """

    id: str
    text: str
    toponyms: tuple[GoldToponym, ...]


@dataclass(frozen=True)
class Predicted:
    """One toponym predicted by the system under evaluation.

    Attributes
    ----------
    start, end : int
        Character offsets into the document text.
    surface : str
        The text found.
    lat, lon : float or None
        Resolved coordinates, ``None`` when unresolved.
    kind : str or None
        Predicted kind (any spelling; see :func:`normalize_kind`).
    country_code : str or None
        ISO 3166-1 alpha-2 code of the resolved place, where known.
    flagged : bool or None
        Whether the system flagged the prediction for human review
        (:func:`geomap.review.is_flagged`); ``None`` when unknown.
    """

    start: int
    end: int
    surface: str
    lat: float | None
    lon: float | None
    kind: str | None
    country_code: str | None = None
    flagged: bool | None = None

    @property
    def has_coordinates(self) -> bool:
        """bool: whether both latitude and longitude are known."""
        return self.lat is not None and self.lon is not None


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
        return out


# --------------------------------------------------------------------------
# Loading


def load_gold(path: str | os.PathLike[str]) -> list[GoldDocument]:
    """Read and validate a gold JSON Lines file.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.jsonl`` file, UTF-8, one document per line; blank lines are
        skipped.

    Returns
    -------
    list of GoldDocument
        In file order. Numeric ids become strings.

    Raises
    ------
    GoldFormatError
        Naming the file and 1-based line, for a line that is not a JSON
        object, lacks ``id``/``text``/``toponyms``, repeats an id, or has a
        toponym with bad offsets (``text[start:end] != surface``), a
        half-given or out-of-range coordinate, or a wrongly typed field.
    OSError
        When the file cannot be read.
    """
    name = os.fspath(path)
    documents: list[GoldDocument] = []
    seen: set[str] = set()
    with open(name, encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            doc = _parse_line(name, lineno, line)
            if doc.id in seen:
                raise GoldFormatError(name, lineno, f"duplicate document id {doc.id!r}")
            seen.add(doc.id)
            documents.append(doc)
    return documents


def _parse_line(path: str, lineno: int, line: str) -> GoldDocument:
    def fail(message: str) -> GoldFormatError:
        return GoldFormatError(path, lineno, message)

    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise fail(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(data, dict):
        raise fail("not a JSON object")
    for key in ("id", "text", "toponyms"):
        if key not in data:
            raise fail(f"missing key {key!r}")
    doc_id = data["id"]
    if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)):
        raise fail("'id' must be a string or an integer")
    text = data["text"]
    if not isinstance(text, str):
        raise fail("'text' must be a string")
    raw = data["toponyms"]
    if not isinstance(raw, list):
        raise fail("'toponyms' must be a list")
    toponyms = []
    for index, item in enumerate(raw):
        try:
            toponyms.append(_parse_toponym(item, text))
        except ValueError as exc:
            raise fail(f"toponym {index}: {exc}") from None
    return GoldDocument(id=str(doc_id), text=text, toponyms=tuple(toponyms))


def _parse_toponym(item: Any, text: str) -> GoldToponym:
    if not isinstance(item, dict):
        raise ValueError("not a JSON object")
    for key in ("start", "end", "surface"):
        if key not in item:
            raise ValueError(f"missing key {key!r}")
    start, end, surface = item["start"], item["end"], item["surface"]
    if not _is_int(start) or not _is_int(end):
        raise ValueError("'start' and 'end' must be integers")
    if not isinstance(surface, str):
        raise ValueError("'surface' must be a string")
    if not 0 <= start < end <= len(text):
        raise ValueError(
            f"offsets {start}:{end} out of range for a text of {len(text)} characters"
        )
    if text[start:end] != surface:
        raise ValueError(
            f"offset mismatch: text[{start}:{end}] is {text[start:end]!r}, "
            f"surface is {surface!r}"
        )
    lat, lon = item.get("lat"), item.get("lon")
    if (lat is None) != (lon is None):
        raise ValueError("'lat' and 'lon' must both be given or both be null")
    if lat is not None:
        if not _is_number(lat) or not _is_number(lon):
            raise ValueError("'lat' and 'lon' must be numbers")
        lat, lon = float(lat), float(lon)
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise ValueError(f"coordinates out of range: {lat}, {lon}")
    kind = _optional_str(item, "type")
    embedded = item.get("embedded", False)
    if embedded is None:
        embedded = False
    if not isinstance(embedded, bool):
        raise ValueError("'embedded' must be true, false or null")
    return GoldToponym(
        start=start,
        end=end,
        surface=surface,
        lat=lat,
        lon=lon,
        kind=kind.strip().lower() if kind else None,
        name=_optional_str(item, "name"),
        embedded=embedded,
        country_code=_optional_str(item, "country_code"),
    )


def _optional_str(item: Mapping[str, Any], key: str) -> str | None:
    value = item.get(key)
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{key!r} must be a string or null")
    return value or None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


# --------------------------------------------------------------------------
# Building blocks


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points.

    Parameters
    ----------
    lat1, lon1, lat2, lon2 : float
        Decimal degrees.

    Returns
    -------
    float
        Kilometres, by :func:`geopy.distance.great_circle` (a sphere of
        radius 6371.009 km).
    """
    return float(great_circle((lat1, lon1), (lat2, lon2)).km)


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


def normalize_kind(kind: str | None) -> str:
    """Map a predicted kind to the evaluation vocabulary.

    Parameters
    ----------
    kind : str or None
        Any spelling: the vocabulary itself, common synonyms (``state``,
        ``oblast``, ``county``, ``town``, ``river``...), GeoNames feature codes
        (``PPLA``, ``ADM1``, ``PCLI``, ``CONT``) or class-dot-code (``P.PPL``).

    Returns
    -------
    str
        One of :data:`KIND_VOCABULARY`, or ``"none"`` for a missing kind.
        Unknown kinds become ``"other"``.
    """
    if kind is None or not kind.strip():
        return _NO_KIND
    raw = kind.strip()
    key = raw.lower().replace("-", "_").replace(" ", "_")
    if key in KIND_VOCABULARY:
        return key
    if key in _KIND_SYNONYMS:
        return _KIND_SYNONYMS[key]
    code = raw.upper()
    feature_class = ""
    if "." in code:
        feature_class, code = code.split(".", 1)
    if code == "ADM1" or code.startswith("ADM1"):
        return "admin1"
    if code.startswith("ADM") and code[3:4].isdigit():
        return "admin2"
    if code.startswith("PCL") or code in ("TERR",):
        return "country"
    if code == "CONT":
        return "continent"
    if code.startswith("PPL") or feature_class == "P":
        return "city"
    if code in ("RGN", "RGNE", "RGNH", "ZN", "AREA"):
        return "region"
    if feature_class in ("H", "T", "U", "V") or code in _PHYSICAL_CODES:
        return "physical"
    return "other"


_KIND_SYNONYMS: dict[str, str] = {
    **{k: "city" for k in (
        "town", "village", "hamlet", "locality", "settlement", "municipality",
        "capital", "populated_place", "suburb", "neighbourhood", "neighborhood",
        "borough", "district_of_city", "place", "gpe_city",
    )},
    **{k: "admin1" for k in (
        "state", "province", "oblast", "admin_1", "adm1", "first_order_division",
        "prefecture", "governorate", "canton", "krai",
    )},
    **{k: "admin2" for k in (
        "county", "admin_2", "adm2", "raion", "rayon", "district", "parish",
        "department", "hromada", "admin3", "admin_3", "adm3",
    )},
    **{k: "region" for k in ("area", "zone", "historical_region", "macroregion")},
    **{k: "country" for k in ("nation", "sovereign_state", "state_country", "pcli")},
    **{k: "physical" for k in (
        "river", "lake", "sea", "ocean", "mountain", "mountains", "mountain_range",
        "island", "islands", "peninsula", "bay", "gulf", "strait", "desert",
        "forest", "valley", "natural", "natural_feature", "landform", "water",
        "waterbody", "body_of_water", "reservoir", "canal", "coast", "cape",
        "lagoon", "loc_physical",
    )},
    **{k: "continent" for k in ("cont",)},
}

_PHYSICAL_CODES = frozenset(
    {"STM", "LK", "SEA", "OCN", "MT", "MTS", "ISL", "ISLS", "PEN", "BAY", "GULF",
     "STRT", "DSRT", "FRST", "VAL", "RSV", "CNL", "CAPE", "LGN", "PLN", "PLAT"}
)


def match_spans(
    gold: Sequence[tuple[int, int]],
    predicted: Sequence[tuple[int, int]],
    *,
    strict: bool = False,
) -> list[tuple[int, int]]:
    """One-to-one greedy matching of gold and predicted character spans.

    Parameters
    ----------
    gold, predicted : sequence of (start, end)
        Half-open spans.
    strict : bool, default False
        Match only equal spans; otherwise any overlap of at least one
        character.

    Returns
    -------
    list of (int, int)
        (gold index, predicted index) pairs. Candidates are taken by largest
        overlap, then smallest boundary difference ``|s1-s2| + |e1-e2|``, then
        gold index, then predicted index, skipping any whose gold or
        prediction is already matched.
    """
    candidates = []
    for gi, (gs, ge) in enumerate(gold):
        for pi, (ps, pe) in enumerate(predicted):
            if strict:
                if gs == ps and ge == pe and ge > gs:
                    candidates.append((-(ge - gs), 0, gi, pi))
                continue
            overlap = min(ge, pe) - max(gs, ps)
            if overlap > 0:
                candidates.append((-overlap, abs(gs - ps) + abs(ge - pe), gi, pi))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, _, gi, pi in candidates:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        pairs.append((gi, pi))
    return pairs


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return min(a[1], b[1]) - max(a[0], b[0]) > 0


def _context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> str:
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    left_from = max(0, start - width)
    right_to = min(len(text), end + width)
    snippet = (
        ("…" if left_from > 0 else "")
        + text[left_from:start]
        + "[["
        + text[start:end]
        + "]]"
        + text[end:right_to]
        + ("…" if right_to < len(text) else "")
    )
    return " ".join(snippet.split())


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
        gold_spans = [(t.start, t.end) for t in scored]
        pred_spans = [(p.start, p.end) for p in preds]

        lenient = dict(match_spans(gold_spans, pred_spans))
        strict = dict(match_spans(gold_spans, pred_spans, strict=True))
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


# --------------------------------------------------------------------------
# Output


def _gold_dict(t: GoldToponym) -> dict[str, Any]:
    return {
        "start": t.start,
        "end": t.end,
        "surface": t.surface,
        "lat": t.lat,
        "lon": t.lon,
        "kind": t.kind,
        "name": t.name,
        "embedded": t.embedded,
        "country_code": t.country_code,
    }


def _pred_dict(p: Predicted) -> dict[str, Any]:
    return {
        "start": p.start,
        "end": p.end,
        "surface": p.surface,
        "lat": p.lat,
        "lon": p.lon,
        "kind": p.kind,
        "country_code": p.country_code,
    }


def _fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _fmt_int(value: int | None) -> str:
    return "—" if value is None else str(value)


def format_report(report: EvalReport, *, errors: int = 0) -> str:
    """Render a report as plain text for a terminal.

    Parameters
    ----------
    report : EvalReport
        The report.
    errors : int, default 0
        How many of the worst error cases, and of the false positives, to
        list after the tables.

    Returns
    -------
    str
        Lines joined with ``\\n``, no trailing newline. Undefined figures
        show as ``—``.
    """
    r = report
    lines = [
        f"documents {r.documents}   gold toponyms {r.gold_toponyms}"
        f" (+{r.embedded_gold} embedded, not scored)   predicted {r.predicted_toponyms}"
        f" ({r.ignored_predictions} ignored)"
        + ("   [resolution only: no precision]" if r.resolution_only else ""),
    ]
    if r.unknown_documents:
        lines.append(f"predictions for {r.unknown_documents} unknown document ids ignored")
    lines += [
        "",
        "recognition      P      R      F1       TP     FP     FN",
    ]
    for label, s in (("lenient", r.lenient), ("strict", r.strict)):
        lines.append(
            f"  {label:<9} {_fmt(s.precision):>6} {_fmt(s.recall):>6} {_fmt(s.f1):>6}"
            f" {s.tp:>8} {_fmt_int(s.fp):>6} {s.fn:>6}"
        )
    lines += [
        "",
        f"resolution (lenient matches with gold coordinates: {r.resolution_pairs},"
        f" of which unresolved: {r.unresolved_pairs})",
        f"  accuracy@161 km                {_fmt(r.accuracy_at_161):>8}"
        f"   ({r.correct_at_161}/{r.resolution_pairs})",
        f"  country-aware accuracy@161     {_fmt(r.country_aware_accuracy_at_161):>8}"
        f"   ({r.country_aware_correct_at_161}/{r.resolution_pairs})",
        f"  mean error km                  {_fmt(r.mean_error_km, 1):>8}",
        f"  median error km                {_fmt(r.median_error_km, 1):>8}",
        f"  AUC (0 best)                   {_fmt(r.auc):>8}",
        f"  end-to-end accuracy@161        {_fmt(r.end_to_end_accuracy_at_161):>8}"
        f"   ({r.correct_at_161}/{r.gold_with_coordinates})",
        f"  end-to-end country-aware       "
        f"{_fmt(r.country_aware_end_to_end_accuracy_at_161):>8}"
        f"   ({r.country_aware_correct_at_161}/{r.gold_with_coordinates})",
    ]
    if r.kind_pairs:
        lines += [
            "",
            f"kinds: accuracy {_fmt(r.kind_accuracy)} ({r.kind_correct}/{r.kind_pairs})",
        ]
        gold_kinds = sorted({g for g, _, _ in r.kind_confusion})
        pred_kinds = [k for k in (*KIND_VOCABULARY, _NO_KIND)
                      if any(p == k for _, p, _ in r.kind_confusion)]
        counts = {(g, p): n for g, p, n in r.kind_confusion}
        width = max(9, *(len(k) + 1 for k in pred_kinds))
        lines.append("  gold \\ pred " + "".join(f"{k:>{width}}" for k in pred_kinds))
        for g in gold_kinds:
            lines.append(
                f"  {g:<11} "
                + "".join(f"{counts.get((g, p), 0):>{width}}" for p in pred_kinds)
            )
    c = r.calibration
    if c is not None:
        lines += [
            "",
            f"review flags (geomap review): {c.flagged} of {c.predictions} predictions flagged"
            f" ({_fmt(c.flagged_share)})",
            f"  wrong@161 among flagged        {_fmt(c.flagged_error_rate):>8}"
            f"   ({c.flagged_wrong}/{c.flagged_pairs})",
            f"  wrong@161 among unflagged      {_fmt(c.unflagged_error_rate):>8}"
            f"   ({c.unflagged_wrong}/{c.unflagged_pairs})",
            f"  ratio flagged / unflagged      {_fmt(c.error_ratio, 2):>8}",
        ]
    if errors > 0:
        lines += ["", f"worst errors ({min(errors, len(r.error_cases))} of {len(r.error_cases)})"]
        for case in r.error_cases[:errors]:
            if case.predicted is None:
                what = "missed"
            else:
                where = (
                    "no coordinates" if not case.predicted.has_coordinates
                    else f"{case.predicted.lat:.3f},{case.predicted.lon:.3f}"
                )
                what = f"{case.error_km:.0f} km ({where}; {case.reason}"
                what += ", country ok)" if case.country_match else ")"
            lines.append(f"  {case.doc_id}  {case.gold.surface!r}: {what}")
            lines.append(f"      {case.context}")
        if r.false_positives:
            shown = min(errors, len(r.false_positives))
            lines += ["", f"false positives ({shown} of {len(r.false_positives)})"]
            for fp in r.false_positives[:errors]:
                lines.append(f"  {fp.doc_id}  {fp.predicted.surface!r}")
                lines.append(f"      {fp.context}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Running the pipeline over a gold corpus
# --------------------------------------------------------------------------------------------


def predict(pipeline: Any, gold: Sequence[GoldDocument]) -> dict[str, list[Predicted]]:
    """Run ``pipeline`` (a :class:`geomap.Pipeline`) on the gold texts only.

    Returns the predictions keyed by document id, ready for :func:`evaluate`.
    """
    from .io import SourceDocument
    from .review import is_flagged

    gazetteer = getattr(pipeline, "gazetteer", None)
    sources = (SourceDocument(doc.id, doc.text) for doc in gold)
    predicted: dict[str, list[Predicted]] = {}
    for doc in pipeline.parse_many(sources):
        predicted[doc.id] = [
            Predicted(
                start=pm.mention.start,
                end=pm.mention.end,
                surface=pm.mention.surface,
                lat=pm.place.lat if pm.place else None,
                lon=pm.place.lon if pm.place else None,
                kind=pm.place.kind.value if pm.place else None,
                country_code=pm.place.country_code if pm.place else None,
                flagged=is_flagged(pm, gazetteer=gazetteer),
            )
            for pm in doc.mentions
        ]
    return predicted
