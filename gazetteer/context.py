"""What the rest of a document says about each of its names, for the resolver's passes.

In each pass every name is ranked in the light of the current answers of the *other* names
(a name never votes for itself): the countries and first-level regions they lie in, the
regions they name and the towns they name. The document's tallies are counted once and each
name sees them less its own share, so a text with thousands of distinct names costs time
linear in them (the context used to be rebuilt from all other names for every name).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import REGION_KINDS, Place, PlaceKind, Resolution

__all__ = ["DocumentContext", "contexts_by_name", "listed_kinds"]


@dataclass
class DocumentContext:
    """What the rest of the document says: countries in focus and regions named."""

    countries: Counter[str] | Difference = field(default_factory=Counter)
    admin1s: Counter[str] | Difference = field(default_factory=Counter)
    regions: list[Place] | Others = field(default_factory=list)
    points: list[Place] | Others = field(default_factory=list)
    #: The text's first-pass candidates (the resolver's nearby index), for coherence with the
    #: names other than ``name``.
    nearby: Any = None
    name: str = ""
    #: Shares of the places the name is listed with ("Kherson, Mykolaiv and Odesa") that are
    #: currently towns, and first- or second-level regions (``(0, 0)`` outside a list).
    listed: tuple[float, float] = (0.0, 0.0)
    _total: int | None = None

    @property
    def total(self) -> int:
        if self._total is None:
            self._total = sum(self.countries.values())
        return self._total


def contexts_by_name(current: Mapping[tuple, Resolution], senses: Mapping[tuple, Sequence[int]]
                     ) -> dict[str, DocumentContext]:
    """The context of each name of a document from the current answer of each sense.

    ``current`` maps each sense ``(name, hint, container)`` to its answer, ``senses`` each
    sense to the indices of its mentions (the weight of its vote). Answers below 0.5
    confidence or without a country say nothing.
    """
    countries: Counter[str] = Counter()
    admin1s: Counter[str] = Counter()
    regions: list[tuple[str, Place]] = []
    points: list[tuple[str, Place]] = []
    own: dict[str, tuple[Counter[str], Counter[str], list[int]]] = {}
    for key, resolution in current.items():
        place = resolution.place
        if place is None or resolution.confidence < 0.5 or not place.country_code:
            continue
        name, weight = key[0], len(senses[key])
        mine = own.get(name)
        if mine is None:  # (a Counter costs more to make than to fill)
            mine = own[name] = (Counter(), Counter(), [0, 0])
        own_countries, own_admin1s, own_places = mine
        countries[place.country_code] += weight
        own_countries[place.country_code] += weight
        if place.admin1_code and place.kind is not PlaceKind.COUNTRY:
            admin1s[place.admin1_code] += weight
            own_admin1s[place.admin1_code] += weight
        if place.kind in (PlaceKind.ADMIN1, PlaceKind.REGION) and place.has_geometry:
            regions.append((name, place))
            own_places[0] += 1
        elif place.kind is PlaceKind.CITY:
            points.append((name, place))
            own_places[1] += 1
    total = sum(countries.values())
    nobody: tuple[Counter[str], Counter[str], list[int]] = (Counter(), Counter(), [0, 0])
    contexts = {}
    for name in {key[0] for key in senses}:
        own_countries, own_admin1s, (own_regions, own_points) = own.get(name, nobody)
        contexts[name] = DocumentContext(
            countries=Difference(countries, own_countries), admin1s=Difference(admin1s, own_admin1s),
            regions=Others(regions, name, len(regions) - own_regions),
            points=Others(points, name, len(points) - own_points),
            _total=total - sum(own_countries.values()))
    return contexts


class Difference:
    """Counts of the whole document less those of one name (read with ``get``, like a Counter)."""

    __slots__ = ("_whole", "_part")

    def __init__(self, whole: Counter[str], part: Counter[str]) -> None:
        self._whole, self._part = whole, part

    def get(self, key: str, default: int = 0) -> int:
        count = self._whole.get(key, 0) - self._part.get(key, 0)
        return count if count > 0 else default


class Others:
    """The places of the document's names but one, in document order (iterable, and false
    when there are none). The resolver goes through them for every candidate of the name:
    they are picked out once, on the first pass through them."""

    __slots__ = ("_items", "_name", "_count", "_places")

    def __init__(self, items: list[tuple[str, Place]], name: str, count: int) -> None:
        self._items, self._name, self._count = items, name, count
        self._places: list[Place] | None = None

    def __bool__(self) -> bool:
        return self._count > 0

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Place]:
        if self._places is None:
            name = self._name
            self._places = [place for owner, place in self._items if owner != name]
        return iter(self._places)


def listed_kinds(peers: Sequence[str], kinds: Mapping[str, PlaceKind]) -> tuple[float, float]:
    """The shares of the answered ``peers`` (names a name is listed with) whose current answer
    (``kinds``, by name) is a town, and a first- or second-level region."""
    answered = [kinds[p] for p in peers if p in kinds]
    if not answered:
        return 0.0, 0.0
    towns = sum(1 for k in answered if k is PlaceKind.CITY)
    areas = sum(1 for k in answered if k in REGION_KINDS)
    return towns / len(answered), areas / len(answered)
