"""Where a map opens: the box around the places that carry the story.

An article about fighting around Kherson and in the Donbas also names Washington, Moscow,
Russia and the United States. Fitting the first view to every place shows the whole world and
leaves the story a speck; :func:`story_places` picks the places the view should fit instead,
and :func:`fit_bounds` turns them into a box. Everything stays on the map: only the initial
view changes.

The rule (no names, only kinds, coordinates and mention counts):

1. Countries and continents are left out: they are named in passing far more often than they
   are the scene, and their representative points (the middle of Russia) are not where
   anything happened.
2. Each remaining place weighs as many mentions as it has. The *centre* is the weighted
   median latitude and longitude (longitudes unwrapped around the heaviest place, so a story
   across the antimeridian is not centred on the far side of the Earth).
3. The *radius* is :data:`RADIUS_FACTOR` times the median distance from the centre, at least
   :data:`MIN_RADIUS_KM`: the places within it are the story. The median is the larger of the
   one weighted by mentions (so at least half of the weight is always inside, and the story is
   never empty) and the one over the places, each counted once (so a town named again and
   again does not shrink the story to itself: Kherson named four times, Mariupol, the Donbas
   and Kharkiv once each, are one story). A place twice as far out as the typical one (a
   capital named for its government, a distant comparison) is left out.
4. With fewer than :data:`MIN_LOCAL` such places there is no story to find: every place
   (countries included) is fitted, as ``fit="all"`` does.

The box is read on the circle (:meth:`Bounds.around`): a story across the antimeridian (Fiji and
Samoa, Chukotka and Alaska) gets a box that runs on beyond 180 degrees east (``west=177,
east=189``), as Leaflet takes it, not one around the globe; the map then draws every place and
outline within half a turn of the box's middle (:func:`unwrap`), so the PNG shows the same view.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum

from gazetteer import Place, PlaceKind

from ..errors import InputError
from ..model import MappedPlace

__all__ = ["Bounds", "Fit", "story_places", "fit_bounds", "places_bounds", "parse_fit", "unwrap", "RADIUS_FACTOR",
           "MIN_RADIUS_KM", "MIN_LOCAL"]

#: Places farther from the centre than this many times the median distance are left out.
RADIUS_FACTOR = 2.0
#: The story's radius is never smaller than this (km): a story in one city still shows its region.
MIN_RADIUS_KM = 250.0
#: Fewer local places (not countries or continents) than this: fit every place.
MIN_LOCAL = 2

_PASSING_KINDS = frozenset({PlaceKind.COUNTRY, PlaceKind.CONTINENT})
_EARTH_RADIUS_KM = 6371.0088


class Fit(str, Enum):
    """How the first view of a map is chosen."""

    STORY = "story"  #: the places that carry the story (:func:`story_places`)
    ALL = "all"      #: every place on the map

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class Bounds:
    """A box in degrees: ``south <= north``, ``west <= east``; ``west`` within -180..180 and
    ``east`` at most a turn further, so that a box across the antimeridian runs on beyond 180
    (Fiji to Samoa is ``west=177, east=188``), as Leaflet takes it.

    Examples
    --------
    >>> Bounds.parse("22,44,41,53")
    Bounds(west=22.0, south=44.0, east=41.0, north=53.0)
    >>> Bounds(22, 44, 41, 53).leaflet()
    [[44.0, 22.0], [53.0, 41.0]]
    >>> Bounds.parse("177,-21,-171,-13")          # W > E: across the antimeridian
    Bounds(west=177.0, south=-21.0, east=189.0, north=-13.0)
    >>> Bounds(177, -21, 189, -13).contains(-13.8, -171.8)
    True
    """

    west: float
    south: float
    east: float
    north: float

    def __post_init__(self) -> None:
        values = (self.west, self.south, self.east, self.north)
        if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in values):
            raise ValueError(f"bounds must be finite numbers, not {values!r}")
        if not (-180.0 <= self.west <= 180.0 and self.west <= self.east <= self.west + 360.0
                and -90.0 <= self.south <= self.north <= 90.0):
            raise ValueError(f"bounds {values!r} are not W,S,E,N with -180 <= W <= 180, W <= E <= W + 360 and "
                             "-90 <= S <= N <= 90")

    @property
    def crosses_antimeridian(self) -> bool:
        """Whether the box runs on beyond 180 degrees east."""
        return self.east > 180.0

    @classmethod
    def parse(cls, text: str) -> Bounds:
        """Read ``"W,S,E,N"`` (decimal degrees); ``W`` greater than ``E`` is a box across the
        antimeridian (the GeoJSON convention, RFC 7946 section 5.2).

        Raises
        ------
        InputError
            Not four numbers, or not a box; the message shows the expected form.
        """
        parts = [p.strip() for p in str(text).split(",")]
        try:
            numbers = [float(p) for p in parts]
        except ValueError:
            numbers = []
        if len(numbers) != 4:
            raise InputError(f"--bounds {text!r} is not W,S,E,N: give four numbers in degrees, "
                             "e.g. --bounds 22,44,41,53")
        west, south, east, north = numbers
        if west > east and -180.0 <= east <= 180.0:
            east += 360.0
        try:
            return cls(west, south, east, north)
        except ValueError:
            raise InputError(f"--bounds {text!r} is not a box: W and E within -180..180 (W > E crosses the "
                             "antimeridian) and S <= N within -90..90, e.g. --bounds 22,44,41,53") from None

    @classmethod
    def around(cls, boxes: Iterable[tuple[float, float, float, float]]) -> Bounds | None:
        """The smallest box holding every ``(west, south, east, north)``, or ``None`` for none.

        Longitudes are read on the circle: the box may cross the antimeridian (``east`` beyond
        180) when that makes it narrower and it then spans at most a hemisphere; a wider spread
        keeps the box that does not cross (a world map centred as usual).
        """
        boxes = list(boxes)
        if not boxes:
            return None
        south = max(-90.0, min(b[1] for b in boxes))
        north = min(90.0, max(b[3] for b in boxes))
        plain_west = max(-180.0, min(b[0] for b in boxes))
        plain_east = max(b[2] for b in boxes)
        if plain_east > 180.0:  # a box that crosses already: without crossing, only the world holds it
            plain_west, plain_east = -180.0, 180.0
        across = _narrowest_arc([(b[0], b[2]) for b in boxes])
        if across is not None and across[1] > 180.0 and across[1] - across[0] <= 180.0 \
                and across[1] - across[0] < plain_east - plain_west:
            return cls(across[0], south, across[1], north)
        return cls(plain_west, south, plain_east, north)

    def leaflet(self) -> list[list[float]]:
        """``[[south, west], [north, east]]``, rounded to 4 decimals, as Leaflet's fitBounds takes it."""
        return [[round(self.south, 4), round(self.west, 4)], [round(self.north, 4), round(self.east, 4)]]

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point is inside (edges included), its longitude read on the circle."""
        if not self.south <= lat <= self.north:
            return False
        return self.west <= lon <= self.east or self.west <= lon + 360.0 <= self.east \
            or self.west <= lon - 360.0 <= self.east

    def unwrap(self, lon: float) -> float:
        """``lon`` shifted by whole turns to lie within 180 degrees of the box's middle: where a
        map opened on this box draws it (Samoa, -172, at 188 beside Fiji)."""
        return unwrap(lon, (self.west + self.east) / 2.0)


def _narrowest_arc(spans: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """The narrowest ``(west, east)`` arc of the circle that holds every ``(west, east)`` span,
    with ``west`` in -180..180 and ``east`` possibly beyond 180; ``None`` when the spans cover
    the whole circle. The arc is the circle less the widest gap between the spans."""
    arcs: list[tuple[float, float]] = []
    for west, east in spans:
        if east - west >= 360.0:
            return None
        start = west if -180.0 <= west < 180.0 else (west + 180.0) % 360.0 - 180.0
        end = start + (east - west)
        if end > 180.0:
            arcs += [(start, 180.0), (-180.0, end - 360.0)]
        else:
            arcs.append((start, end))
    arcs.sort()
    merged = [list(arcs[0])]
    for start, end in arcs[1:]:
        if start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    # The gap across the antimeridian (after the last arc, before the first) comes first, so
    # that of equal gaps the arc that does not cross wins.
    gaps = [(merged[0][0] + 360.0 - merged[-1][1], merged[0][0], merged[-1][1])]
    gaps += [(merged[i + 1][0] - merged[i][1], merged[i + 1][0], merged[i][1] + 360.0) for i in range(len(merged) - 1)]
    width, west, east = max(gaps, key=lambda g: g[0])
    if width <= 0.0:
        return None
    return west, east


def parse_fit(text: str) -> Fit | Bounds:
    """``"story"``, ``"all"`` or ``"W,S,E,N"`` as a :class:`Fit` or :class:`Bounds`.

    Raises
    ------
    InputError
        Neither.
    """
    value = str(text).strip().lower()
    for fit in Fit:
        if value == fit.value:
            return fit
    if "," in value:
        return Bounds.parse(text)
    raise InputError(f"--fit {text!r} is not story, all or W,S,E,N: use --fit story (the default), --fit all, "
                     "or --bounds W,S,E,N")


def _weighted_median(values: Sequence[float], weights: Sequence[float]) -> float:
    """The smallest value whose cumulative weight reaches half the total."""
    pairs = sorted(zip(values, weights))
    half = sum(weights) / 2.0
    running = 0.0
    for value, weight in pairs:
        running += weight
        if running >= half:
            return value
    return pairs[-1][0]  # pragma: no cover - only reached through rounding


def _distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def unwrap(lon: float, around: float) -> float:
    """``lon`` shifted by whole turns to lie within 180 degrees of ``around``."""
    return (lon - around + 180.0) % 360.0 - 180.0 + around


def story_places(
    places: Sequence[MappedPlace],
    *,
    radius_factor: float = RADIUS_FACTOR,
    min_radius_km: float = MIN_RADIUS_KM,
    min_local: int = MIN_LOCAL,
) -> list[MappedPlace]:
    """The places the first view should fit (see the module docstring for the rule).

    Parameters
    ----------
    places
        The places of the map (:func:`geomap.model.group_places`), with their mentions.
    radius_factor, min_radius_km, min_local
        The rule's constants (defaults :data:`RADIUS_FACTOR`, :data:`MIN_RADIUS_KM`,
        :data:`MIN_LOCAL`).

    Returns
    -------
    list of MappedPlace
        A non-empty subset of ``places`` in their order (empty only when ``places`` is).

    Examples
    --------
    >>> [mp.place.name for mp in story_places(places)]       # doctest: +SKIP
    ['Kherson', 'Mariupol', 'Donbas', 'Kharkiv Oblast', 'Kyiv', 'Kherson Oblast']
    """
    local = [mp for mp in places if mp.place.kind not in _PASSING_KINDS]
    if len(local) < max(1, min_local):
        return list(places)
    weights = [float(max(1, len(mp.mentions))) for mp in local]
    heaviest = local[max(range(len(local)), key=lambda i: weights[i])].place.lon
    lons = [unwrap(mp.place.lon, heaviest) for mp in local]
    lat0 = _weighted_median([mp.place.lat for mp in local], weights)
    lon0 = _weighted_median(lons, weights)
    distances = [_distance_km(lat0, lon0, mp.place.lat, lon) for mp, lon in zip(local, lons)]
    typical = max(_weighted_median(distances, weights), _weighted_median(distances, [1.0] * len(distances)))
    radius = max(radius_factor * typical, min_radius_km)
    chosen = {id(mp) for mp, d in zip(local, distances) if d <= radius}
    return [mp for mp in places if id(mp) in chosen]


def fit_bounds(
    places: Sequence[MappedPlace],
    fit: Fit | Bounds | str = Fit.STORY,
    *,
    extent: Callable[[Place], tuple[float, float, float, float] | None] | None = None,
) -> Bounds | None:
    """The box the first view fits.

    Parameters
    ----------
    places
        The places of the map.
    fit
        :attr:`Fit.STORY` (the places of :func:`story_places`), :attr:`Fit.ALL`, or a fixed
        :class:`Bounds` (returned as is).
    extent
        ``(west, south, east, north)`` of a place's outline where it has one (regions are
        fitted whole), or ``None``; without it places are points.

    Returns
    -------
    Bounds or None
        ``None`` when there is nothing to fit.
    """
    if isinstance(fit, Bounds):
        return fit
    fit = Fit(fit)
    chosen = story_places(places) if fit is Fit.STORY else list(places)
    return places_bounds((mp.place for mp in chosen), extent=extent)


def places_bounds(
    places: Iterable[Place],
    *,
    extent: Callable[[Place], tuple[float, float, float, float] | None] | None = None,
) -> Bounds | None:
    """The box around ``places`` (:meth:`Bounds.around`: across the antimeridian where that is
    narrower), each place its point and, where ``extent`` gives one, its outline's box.

    Returns
    -------
    Bounds or None
        ``None`` for no places.
    """
    boxes = []
    for place in places:
        boxes.append((place.lon, place.lat, place.lon, place.lat))
        box = extent(place) if extent is not None else None
        if box is not None:
            boxes.append(box)
    return Bounds.around(boxes)
