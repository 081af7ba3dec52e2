"""Gold corpora for ``geomap eval``: the format, the scoring constants, and the loader.

Gold corpora are JSON Lines files, one document per line::

    {"id": "40450848", "text": "...",
     "toponyms": [{"start": 0, "end": 10, "surface": "Alexandria",
                   "lat": 31.3113, "lon": -92.4451, ...}]}

where ``text[start:end] == surface`` holds for every toponym (Python ``str``
offsets). Optional toponym keys read here: ``type`` (the gold kind), ``name``
(canonical name), ``embedded`` (inside an organisation name: not scored) and
``country_code``. Other keys are ignored. The scoring conventions are in
:mod:`geomap.evaluation.metrics`.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import GoldFormatError

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
