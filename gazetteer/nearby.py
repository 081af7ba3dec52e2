"""The places a text's other names may denote, as the resolver's context: how near a candidate
lies to them (its coherence with the text) and how far the nearest of them is."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import Counter

from .model import Candidate, Place, PlaceKind
from .ranker import FEATURE_INDEX as _F

__all__ = ["Nearby", "km_between"]

_NEARBY = ((50.0, 1.0), (150.0, 0.6), (400.0, 0.25))  # km to a place of another name: weight
_MAX_SUPPORT = 3.0


class Nearby:
    """The first-pass candidate points of a text's names (countries and continents left out),
    one list for the whole text, sorted by latitude so that a candidate's neighbours are found
    by bisection. A name's support is the points of the other names; the coherence of each
    place is worked out once for all the passes."""

    __slots__ = ("groups", "lats", "points", "tops", "top_lats", "_groups_named", "_coherence", "_nearest", "_features")

    def __init__(self, support: list[tuple[str, tuple[Candidate, ...]]]) -> None:
        """``support``: (name, first-pass candidates) of each toponym sense that has candidates."""
        points = sorted(
            (c.place.lat, c.place.lon, group, math.sqrt(c.score), c.place.id, name)
            for group, (name, candidates) in enumerate(support) for c in candidates
            if c.place.kind not in (PlaceKind.COUNTRY, PlaceKind.CONTINENT)
        )
        self.groups = len(support)
        self.lats = [p[0] for p in points]
        self.points = points
        self._groups_named = Counter(name for name, _ in support)
        self._coherence: dict[tuple[str, str], float] = {}
        #: Each name's first-pass answer (countries and continents left out), by latitude.
        self.tops = sorted((cands[0].place.lat, cands[0].place.lon, name) for name, cands in support
                           if cands[0].place.kind not in (PlaceKind.COUNTRY, PlaceKind.CONTINENT))
        self.top_lats = [t[0] for t in self.tops]
        self._nearest: dict[tuple[str, str], float | None] = {}
        self._features: dict[tuple[str, str], tuple[tuple[int, float], ...]] = {}

    def others(self, name: str) -> int:
        """How many senses of other names than ``name`` have candidates."""
        return self.groups - self._groups_named[name]

    def coherence(self, place: Place, name: str) -> float:
        """:func:`_coherence` of the place, a candidate for ``name``, remembered."""
        key = (place.id, name)
        value = self._coherence.get(key)
        if value is None:
            value = self._coherence[key] = _coherence(place, self, name)
        return value

    def features(self, place: Place, name: str) -> tuple[tuple[int, float], ...]:
        """The candidate's features that the other names' places give (the same in every
        pass), remembered: nearness to them, or that there are none."""
        key = (place.id, name)
        found = self._features.get(key)
        if found is None:
            found = self._features[key] = self._features_uncached(place, name)
        return found

    def _features_uncached(self, place: Place, name: str) -> tuple[tuple[int, float], ...]:
        if not self.others(name):
            return ((_F["alone in the text"], 1.0),)
        if place.kind in (PlaceKind.COUNTRY, PlaceKind.CONTINENT):
            return ()
        features = []
        coherence = self.coherence(place, name)
        if coherence >= 0.05:
            feature = "near other places" if place.kind is PlaceKind.CITY else "area near other places"
            features.append((_F[feature], min(coherence, _MAX_SUPPORT)))
        nearest = self.nearest_km(place, name)
        if nearest is not None:
            features.append((_F["nearest other place (log10 km)"], math.log10(1.0 + nearest)))
        return tuple(features)

    def nearest_km(self, place: Place, name: str) -> float | None:
        """Distance from the place, a candidate for ``name``, to the nearest first-pass answer of
        another name (``None`` when there is none), remembered."""
        key = (place.id, name)
        if key in self._nearest:
            return self._nearest[key]
        # The nearest by a flat-earth distance (cheap), then its great-circle distance. The
        # answers are sorted by latitude: scan out from the place's latitude both ways, and
        # stop each way once the latitude alone is farther than the best so far.
        lat0, lon0 = place.lat, place.lon
        squeeze = math.cos(math.radians(lat0)) ** 2
        best, nearest = math.inf, None
        tops, start = self.tops, bisect_left(self.top_lats, lat0)
        for indices in (range(start, len(tops)), range(start - 1, -1, -1)):
            for i in indices:
                lat, lon, other = tops[i]
                dlat2 = (lat - lat0) ** 2
                if dlat2 >= best:
                    break
                if other == name:
                    continue
                dlon = abs(lon - lon0) % 360.0
                dlon = min(dlon, 360.0 - dlon)
                d2 = dlat2 + squeeze * dlon * dlon
                if d2 < best:
                    best, nearest = d2, (lat, lon)
        km = None if nearest is None else km_between(lat0, lon0, nearest[0], nearest[1])
        self._nearest[key] = km
        return km

    def within_latitude(self, lat: float, degrees: float) -> list[tuple[float, float, int, float, str, str]]:
        """The points within (a little more than) ``degrees`` of latitude of ``lat``."""
        margin = degrees + 1e-6
        return self.points[bisect_left(self.lats, lat - margin):bisect_right(self.lats, lat + margin)]


def _coherence(place: Place, nearby: Nearby, name: str) -> float:
    """How many other names of the text could denote a place near this one, a candidate for
    ``name``: for each other name, the best of (distance weight x square root of that
    candidate's score)."""
    best: dict[int, float] = {}  # by group; the senses of ``name`` itself stay out
    reach = _NEARBY[-1][0]
    km_per_lon_degree = 111.2 * max(0.05, math.cos(math.radians(place.lat)))
    lat0, lon0, own = place.lat, place.lon, place.id
    for lat, lon, group, root_score, other_id, other_name in nearby.within_latitude(lat0, 4.0):
        if other_name == name or other_id == own or abs(lat - lat0) > 4.0:
            continue
        dlon = abs(lon - lon0) % 360.0
        if min(dlon, 360.0 - dlon) * km_per_lon_degree > reach * 1.01:  # cheaper than the haversine
            continue
        distance = km_between(lat0, lon0, lat, lon)
        for limit, weight in _NEARBY:
            if distance <= limit:
                best[group] = max(best.get(group, 0.0), weight * root_score)
                break
    return sum(best[group] for group in sorted(best))  # in group order: the same sum as over all groups


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
