"""How surely some words name a place, by the gazetteer alone: the extractor's name evidence.

:class:`NameEvidence` asks the gazetteer about names and remembers the answers: the kinds and
origins of the places that bear a name exactly, how strongly a name denotes a place (a
country or a region surely, a town by its population, a match by spelling key alone only as a
guess), the form of a mention's words to look up ("New York’s" -> "New York"), and whether
the name is a physical feature's own, a place's own, or a nationality word.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from gazetteer import Gazetteer, MatchOrigin, NameKind, PlaceKind

__all__ = ["NameEvidence", "GENERIC", "SPELLING_ONLY", "CARDINAL_POINTS", "INTERCARDINAL_POINTS",
           "CARDINAL_ADJECTIVES", "INTERCARDINAL_ADJECTIVES"]

_STRENGTH_CACHE = 8192  # names whose place strength is remembered; a run's memory stays flat once full
SPELLING_ONLY = 0.5  # weight of a match by spelling key alone: below the recogniser's ENOUGH, so it needs a cue
#: The compass, in the forms the extractor reads: its points ("north", "northeast") and
#: their adjectives ("northern", "north-eastern").
CARDINAL_POINTS = ("north", "south", "east", "west")
INTERCARDINAL_POINTS = ("northeast", "northwest", "southeast", "southwest")
CARDINAL_ADJECTIVES = ("northern", "southern", "eastern", "western")
INTERCARDINAL_ADJECTIVES = ("northeastern", "northwestern", "southeastern", "southwestern",
                            "north-eastern", "north-western", "south-eastern", "south-western")
#: Words that name directions or parts of the world only with context ("the West").
GENERIC = frozenset({*CARDINAL_POINTS, *INTERCARDINAL_POINTS, *CARDINAL_ADJECTIVES, "central", "upper", "lower",
                     "north east", "north west", "south east", "south west", "centre", "center"})
_POSSESSIVE = re.compile(r"\s*['’]s?$")
_OF_PREFIX = re.compile(r"(city|town|village|port|state|commonwealth|county|province|region|republic)\s+of\s+", re.I)
#: Words before a name that name a part of it ("North Kharkiv", "downtown Aleppo").
_PART_PREFIX = re.compile(
    "(?:" + "|".join((*CARDINAL_POINTS, *INTERCARDINAL_POINTS, *CARDINAL_ADJECTIVES, "central", "upper", "lower",
                      "greater", "historic", "downtown", "old", "inner", "outer", "mid", "midtown", "uptown"))
    + r")[\s-]+", re.I)


class NameEvidence:
    """The gazetteer's evidence that a name denotes a place, remembered per name.

    Parameters
    ----------
    gazetteer
        Asked for the kinds and origins of the places that bear a name
        (:meth:`~gazetteer.Gazetteer.name_kinds`) and for nationality words.
    """

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.strength = lru_cache(maxsize=_STRENGTH_CACHE)(self._strength_uncached)
        self.exact = lru_cache(maxsize=_STRENGTH_CACHE)(self._exact_uncached)
        self.is_demonym = lru_cache(maxsize=_STRENGTH_CACHE)(gazetteer.is_demonym)

    def plausible(self, name: str) -> bool:
        """Whether a mention's name may be a place: not a nationality word nor a bare compass
        word that the model tagged as a place."""
        if name.lower() in GENERIC:
            return False
        if not any(ch.isupper() for ch in name):  # "n’t", "city": English capitalises place names
            return False
        if not self.is_demonym(name):
            return True
        # Some demonyms are the place's own name ("Gibraltar"): those are places.
        return any(k.origin in (MatchOrigin.NAME, MatchOrigin.ALIAS) and k.kind is not PlaceKind.CITY
                   for k in self.exact(name))

    def lookup_name(self, name: str) -> tuple[str, PlaceKind | None]:
        """The form of a mention's words to look up, and any kind its dropped words imply.

        "New York’s" -> "New York"; "Northeast Georgia" -> "Georgia" (only when the full
        phrase is not itself a name); "City of Norfolk" -> ("Norfolk", city).
        """
        name = _POSSESSIVE.sub("", name).strip()
        match = _OF_PREFIX.match(name)
        if match and self.strength(name) == 0.0:
            word = match.group(1).lower()
            return name[match.end():], (PlaceKind.CITY if word in {"city", "town", "village", "port"} else PlaceKind.ADMIN1)
        match = _PART_PREFIX.match(name)
        if match and self.strength(name) == 0.0 and self.strength(name[match.end():]) > 0.0:
            return name[match.end():], None
        return name, None

    def name_strength(self, words: str) -> float:
        """:meth:`strength` of the name that some words of the text stand for ("New York’s")."""
        return self.strength(self.lookup_name(words)[0])

    def reaches(self, name: str, threshold: float) -> bool:
        """Whether :meth:`strength` of ``name`` is at least ``threshold``. Above
        :data:`SPELLING_ONLY` only a name some place bears exactly can be: a match by spelling key
        alone weighs at most that, so its keys are not worked out (most capitalised runs of a text
        name nothing, and the keys cost more than the exact look-up)."""
        if threshold > SPELLING_ONLY and not self.exact(name):
            return False
        return self.strength(name) >= threshold

    def name_reaches(self, words: str, threshold: float) -> bool:
        """:meth:`reaches` for the name that some words of the text stand for (:meth:`name_strength`)."""
        return self.reaches(self.lookup_name(words)[0], threshold)

    def _strength_uncached(self, name: str) -> float:
        """How surely a name denotes a place: 1 for countries and regions, less for towns (by the
        kinds, origins and largest populations of :meth:`~gazetteer.Gazetteer.name_kinds`);
        remembered as :meth:`strength`."""
        best = 0.0  # a name no place bears exactly falls back to its spelling key if long enough
        found = self.exact(name) or (self.gazetteer.name_kinds(name) if len(name) >= 6 else ())
        for match in found:
            if match.kind is PlaceKind.CITY:
                population = match.population or 0
                value = min(1.0, max(0.0, (math.log10(population + 1) - 2.5) / 3.0))
            elif match.kind is PlaceKind.ADMIN2 and match.origin is not MatchOrigin.NAME:
                value = 0.5  # a county's bare name ("Brown", "Day") is mostly something else
            else:
                value = 1.0
            if match.origin >= MatchOrigin.SPELLING:
                value *= SPELLING_ONLY  # a guess: enough only with a cue ("Hartmann" is a surname)
            elif match.origin >= MatchOrigin.ALTERNATE:
                value *= 0.85
            best = max(best, value)
        return best

    def holds(self, container: str, name: str) -> bool:
        """Whether a country or first-level region that bears ``container`` exactly holds, by
        their codes (:meth:`~gazetteer.Place.coded_in`), a place that bears ``name`` exactly
        ("Ukraine" holds "Kherson"; "Henderson" holds no "Jordan")."""
        areas = [m.place for m in self.gazetteer.lookup(container, spelling=False) if m.place.country_code]
        if not areas:
            return False
        return any(match.place.id != area.id and match.place.coded_in(area)
                   for match in self.gazetteer.lookup(name, spelling=False) for area in areas)

    def _exact_uncached(self, name: str) -> tuple[NameKind, ...]:
        """The kinds and origins of the places that bear ``name`` exactly (remembered: :meth:`exact`)."""
        return self.gazetteer.name_kinds(name, spelling=False)

    def exact_kinds(self, name: str) -> frozenset[PlaceKind]:
        """The kinds of the places that bear ``name`` exactly."""
        return frozenset(k.kind for k in self.exact(name))

    def physical_name(self, name: str) -> bool:
        """Whether a physical feature bears ``name`` as its own name or a curated alias."""
        return any(k.origin <= MatchOrigin.ALIAS and k.kind is PlaceKind.PHYSICAL for k in self.exact(name))

    def own_name(self, name: str) -> bool:
        """Whether some place bears ``name`` as its own name or a curated alias."""
        return any(k.origin <= MatchOrigin.ALIAS for k in self.exact(name))

    def named_kinds(self, name: str) -> frozenset[PlaceKind]:
        """The kinds of the places that ``name`` itself names: those that bear it as their own
        name or a curated alias, and areas and features that bear it as an alternate name.

        A town's alternate names also list the features it stands by or was named after
        (Canton, North Carolina, lists "Pigeon River"; Algoma, Wisconsin, "Wolf River"): that
        alone does not make the river's name the town's. An area's alternate names are its own
        in other words ("Canary Islands" for Canarias, "Friendly Islands" for Tonga).
        """
        return frozenset(k.kind for k in self.exact(name)
                         if k.origin <= MatchOrigin.ALIAS or k.kind is not PlaceKind.CITY)
