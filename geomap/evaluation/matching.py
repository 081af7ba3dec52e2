"""How predictions meet the gold: :class:`Predicted`, :func:`match_spans` (the one-to-one
greedy matching described in :mod:`geomap.evaluation.metrics`), distances, kinds, and
:func:`predict`, which runs a pipeline over the gold texts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from ..model import SourceDocument
from ..review.report import is_flagged
from .gold import _NO_KIND, CONTEXT_CHARS, KIND_VOCABULARY, GoldDocument


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
        (:func:`geomap.review.report.is_flagged`); ``None`` when unknown.
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
    from geopy.distance import great_circle  # geopy (with requests) loads here, not with the CLI

    return float(great_circle((lat1, lon1), (lat2, lon2)).km)


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


# --------------------------------------------------------------------------------------------
# Running the pipeline over a gold corpus
# --------------------------------------------------------------------------------------------


def predict(pipeline: Any, gold: Sequence[GoldDocument], *, gold_spans: bool = False,
            context: bool = True) -> dict[str, list[Predicted]]:
    """Run ``pipeline`` (a :class:`geomap.Pipeline`) on the gold texts only.

    With ``gold_spans`` the pipeline resolves the gold toponyms' spans instead of finding
    places (``Pipeline.parse_many(..., spans=...)``; ``context`` as there), so that
    resolution can be compared with resolvers that report accuracy given gold spans.

    Returns the predictions keyed by document id, ready for :func:`evaluate`.
    """
    gazetteer = getattr(pipeline, "gazetteer", None)
    sources = (SourceDocument(doc.id, doc.text) for doc in gold)
    spans = [[(t.start, t.end) for t in doc.toponyms] for doc in gold] if gold_spans else None
    predicted: dict[str, list[Predicted]] = {}
    documents = pipeline.parse_many(sources, spans=spans, context=context) if gold_spans else pipeline.parse_many(sources)
    for doc in documents:
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
