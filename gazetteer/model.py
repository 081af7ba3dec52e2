"""Domain objects of the gazetteer: places, candidates and resolutions.

All are small frozen dataclasses. A :class:`Resolution` whose ``place`` is ``None`` is the
explicit "unresolved" state; there is no sentinel coordinate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = ["PlaceKind", "REGION_KINDS", "Place", "Candidate", "Resolution", "Toponym"]


class PlaceKind(str, Enum):
    """What sort of place a gazetteer entry is.

    The values are the stable vocabulary of geomap's outputs.
    """

    COUNTRY = "country"
    ADMIN1 = "admin1"
    ADMIN2 = "admin2"
    REGION = "region"
    CITY = "city"
    PHYSICAL = "physical"
    CONTINENT = "continent"
    OTHER = "other"

    @property
    def is_area(self) -> bool:
        """Whether places of this kind are drawn as areas (outlines) rather than points."""
        return self in _AREA_KINDS

    def agrees_with(self, kind: PlaceKind) -> bool:
        """Whether a qualifier's kind hint (``self``) agrees with a place of ``kind``: the same
        kind, or two kinds of administrative area (admin1, admin2, region).

        Examples
        --------
        >>> PlaceKind.ADMIN1.agrees_with(PlaceKind.ADMIN2), PlaceKind.PHYSICAL.agrees_with(PlaceKind.CITY)
        (True, False)
        """
        return self is kind or (self in REGION_KINDS and kind in REGION_KINDS)

    def __str__(self) -> str:
        return self.value


_AREA_KINDS = frozenset(
    {PlaceKind.COUNTRY, PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION, PlaceKind.CONTINENT}
)
#: The areas below a country: first- and second-level divisions and named regions (Donbas), the
#: side of the town-versus-region choice that is not the town.
REGION_KINDS = frozenset({PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION})


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry.

    Parameters
    ----------
    id
        Stable identifier: ``"gn:<geonameid>"`` for GeoNames places, ``"ne:<iso_3166_2>"`` for a
        Natural Earth region without a GeoNames id, ``"geomap:<slug>"`` for curated entries.
    name
        Canonical English name.
    kind
        The :class:`PlaceKind`.
    lat, lon
        Representative point in WGS 84 degrees.
    country_code
        ISO 3166-1 alpha-2 code, or ``None`` (continents, some physical features).
    admin1_code, admin1
        GeoNames admin-1 code (``"UA.08"``) and its name, where known.
    population
        Population where the source gives one, else ``None``.
    geonameid
        The GeoNames id, where there is one.
    has_geometry
        Whether the gazetteer holds an outline for this place.
    feature_code
        The GeoNames feature class and code (``"P.PPLC"``, ``"A.ADM2"``, ``"H.SEA"``) where the
        source gives one, else ``None``.

    Examples
    --------
    >>> kyiv = Place("gn:703448", "Kyiv", PlaceKind.CITY, 50.4547, 30.5238, "UA",
    ...              "UA.12", "Kyiv City", 2797553, 703448)
    >>> kyiv.kind.is_area
    False
    """

    id: str
    name: str
    kind: PlaceKind
    lat: float
    lon: float
    country_code: str | None = None
    admin1_code: str | None = None
    admin1: str | None = None
    population: int | None = None
    geonameid: int | None = None
    has_geometry: bool = False
    feature_code: str | None = None

    @property
    def point(self) -> tuple[float, float]:
        """``(lat, lon)``, the order geopy uses."""
        return (self.lat, self.lon)

    def coded_in(self, area: Place) -> bool:
        """Whether this place lies in ``area`` by their codes: a country holds the places of its
        country code, a first-level region those of its admin-1 code. Outlines are not read, and
        other kinds of area hold nothing here.

        Examples
        --------
        >>> oblast = Place("gn:706442", "Kherson Oblast", PlaceKind.ADMIN1, 46.7, 33.6, "UA", "UA.08")
        >>> Place("gn:706448", "Kherson", PlaceKind.CITY, 46.6, 32.6, "UA", "UA.08").coded_in(oblast)
        True
        """
        if area.kind is PlaceKind.COUNTRY:
            return self.country_code == area.country_code
        if area.kind is PlaceKind.ADMIN1:
            return bool(area.admin1_code) and self.admin1_code == area.admin1_code
        return False

    def describe(self) -> str:
        """A one-line human description, e.g. ``"Kherson (city, UA, Kherson Oblast)"``."""
        where = ", ".join(x for x in (self.country_code, self.admin1) if x and x != self.name)
        return f"{self.name} ({self.kind.value}{', ' + where if where else ''})"


@dataclass(frozen=True, slots=True)
class Toponym:
    """What the resolver is asked to resolve: a name found in a text, with its context.

    Parameters
    ----------
    name
        The name as it should be looked up (qualifier words such as "region" removed).
    hint
        A kind suggested by the words around the mention ("the city of X" gives
        :attr:`PlaceKind.CITY`, "X Oblast" gives :attr:`PlaceKind.ADMIN1`), else ``None``.
    position
        Character offset of the mention in its document.
    container
        The name of a place that the text says contains this one ("Alexandria, Louisiana"
        gives ``"Louisiana"``), else ``None``.
    cues
        What the mention's place in the text says (``list``: a name in a list of names; see
        :data:`gazetteer.ranker.CUES`), else empty.
    listed_with
        The names of the other places a list names it with ("Kherson, Mykolaiv and Odesa").
    found_by
        How the name was found in the text, where the caller knows: a named-entity label
        (``"GPE"``, ``"LOC"``, ``"FAC"``), ``"GAZETTEER"`` when only a gazetteer match found it,
        else ``None``. The confidence model reads it (a name only the gazetteer saw is more
        often not a place at all); the ranking does not.
    """

    name: str
    hint: PlaceKind | None = None
    position: int = 0
    container: str | None = None
    cues: tuple[str, ...] = ()
    listed_with: tuple[str, ...] = ()
    found_by: str | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place that a name could refer to, with the resolver's score and its reasons."""

    place: Place
    score: float
    reasons: tuple[str, ...] = ()
    fuzzy: bool = False


@dataclass(frozen=True, slots=True)
class Resolution:
    """The resolver's answer for one toponym.

    ``place`` is ``None`` when nothing fitted: the toponym stays in the output, unresolved.
    ``candidates`` are ranked best first and include the chosen place; the others are the
    alternatives that were rejected.
    """

    toponym: Toponym
    place: Place | None
    confidence: float
    ambiguous: bool = False
    candidates: tuple[Candidate, ...] = field(default_factory=tuple)
    fuzzy: bool = False

    @property
    def resolved(self) -> bool:
        """Whether a place was chosen."""
        return self.place is not None

    @property
    def alternatives(self) -> tuple[Candidate, ...]:
        """The candidates that were not chosen."""
        if self.place is None:
            return self.candidates
        return tuple(c for c in self.candidates if c.place.id != self.place.id)

    @classmethod
    def unresolved(cls, toponym: Toponym, candidates: tuple[Candidate, ...] = ()) -> Resolution:
        """The explicit "no place" answer."""
        return cls(toponym=toponym, place=None, confidence=0.0, candidates=candidates)
