"""The readings of a mention that take the whole document: qualifiers shared by coordinated
names ("the Zaporozhye and Kherson regions"), possessives ("Luhansk's Pervomaisk") and
containers ("Alexandria, Louisiana"; "Dover is a small town in Pope County").

Each works on the mentions of one text, in text order, read on their own first (see
:func:`geomap.qualifiers.reading`), and looks only at the text between neighbours.
"""

from __future__ import annotations

import re
from dataclasses import replace

from gazetteer import PlaceKind

from .model import Mention

__all__ = ["in_context"]

_DEFINED_IN = re.compile(
    r"(?:,| is| was)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,4}?"
    r"(?:city|town|village|suburb|community|settlement|hamlet|borough|township|municipality|neighbou?rhood|"
    r"district|place|locality|port|capital|county|county seat|region|province|commune|parish)"
    r"\s+(?:\w+\s+){0,3}?(?:in|of|within)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|northeastern|northwestern|"
    r"southeastern|southwestern)\s+)?", re.I)


def in_context(text: str, mentions: list[Mention]) -> list[Mention]:
    """The readings that take the whole document: qualifiers shared by coordinated names,
    possessives, containers."""
    return _with_containers(text, _possessive_containers(text, _spread_qualifiers(text, mentions)))


def _possessive_containers(text: str, mentions: list[Mention]) -> list[Mention]:
    """A name in the possessive before another place holds it: in "Luhansk's Pervomaisk",
    Luhansk is the region, not the city."""
    out = list(mentions)
    for i in range(len(out) - 1):
        owner, owned = out[i], out[i + 1]
        if owner.hint is None and text[owner.end:owned.start] in {"'s ", "’s "} and owned.name != owner.name:
            out[i] = replace(owner, hint=PlaceKind.ADMIN1, qualifier=text[owner.end:owned.start].strip())
    return out


def _spread_qualifiers(text: str, mentions: list[Mention]) -> list[Mention]:
    """Coordinated names share a qualifier: "the Zaporozhye and Kherson regions",
    "the Donetsk and Luhansk region", "the regions of Donetsk and Luhansk"."""
    out = list(mentions)
    coordinated = [text[out[i].end:out[i + 1].start].strip().lower() in {"and", ",", "or", "&", ", and", ", or"}
                   for i in range(len(out) - 1)]
    for i in range(len(out) - 2, -1, -1):  # backwards: a qualifier after the last name
        later, earlier = out[i + 1], out[i]
        if coordinated[i] and earlier.hint is None and later.hint is not None and later.qualifier \
                and not later.qualifier.endswith(" of") and later.end > later.start + len(later.name):
            out[i] = replace(earlier, hint=later.hint, qualifier=later.qualifier)
    for i in range(len(out) - 1):  # forwards: a qualifier before the first name
        earlier, later = out[i], out[i + 1]
        if coordinated[i] and later.hint is None and earlier.qualifier and earlier.qualifier.endswith(" of"):
            out[i + 1] = replace(later, hint=earlier.hint, qualifier=earlier.qualifier)
    return out


def _with_containers(text: str, mentions: list[Mention]) -> list[Mention]:
    """"Alexandria, Louisiana": the second names the first's container."""
    out = list(mentions)
    for i in range(len(out) - 1):
        first, second = out[i], out[i + 1]
        if first.container is not None:
            continue
        between = text[first.end:second.start]
        if between in {", ", ","} and first.hint is None:
            out[i] = replace(first, container=second.name)
        elif _DEFINED_IN.fullmatch(between):
            # "Dover is a small town in Pope County", "Hudson, a city in Texas"
            out[i] = replace(first, container=second.name)
    return out
