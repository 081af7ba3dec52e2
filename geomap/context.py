"""The readings of a mention that take the whole document: qualifiers shared by coordinated
names ("the Zaporozhye and Kherson regions"), what the words after a name define it as
("Arauca, a department on the border"), possessives ("Luhansk's Pervomaisk") and containers
("Alexandria, Louisiana"; "Dover is a small town in Pope County").

Each works on the mentions of one text, in text order, read on their own first (see
:func:`geomap.qualifiers.reading`), and looks only at the text between neighbours.
"""

from __future__ import annotations

import re
from dataclasses import replace

from gazetteer import PlaceKind

from .model import Mention
from .names import CARDINAL_ADJECTIVES, CARDINAL_POINTS, INTERCARDINAL_ADJECTIVES

__all__ = ["in_context"]

#: The nouns that say what a place is in a definition after its name ("Goris, a town near the
#: border", "Hudson, a city in Texas", "Arauca, a department on the border") and the kind each
#: settles; ``None`` for a place noun that settles none ("community", "parish", "municipality").
_DEFINING_NOUNS: dict[str, PlaceKind | None] = {
    **dict.fromkeys(("town", "city", "village", "settlement", "hamlet", "capital", "port", "suburb", "seat"),
                    PlaceKind.CITY),
    **dict.fromkeys(("region", "province", "governorate", "department", "district", "state", "oblast",
                     "county", "territory", "prefecture"), PlaceKind.ADMIN1),
    **dict.fromkeys(("community", "borough", "township", "municipality", "neighborhood", "neighbourhood",
                     "place", "locality", "commune", "parish"), None),
}
#: The words between a name and the next when they say the next holds it ("Dover is a small
#: town in Pope County", "Hudson, a city in Texas", "Arauca, a department in eastern Colombia").
_DEFINED_IN = re.compile(
    r"(?:,| is| was)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,4}?"
    r"(?:" + "|".join(sorted(_DEFINING_NOUNS, key=len, reverse=True)) + r")"
    r"\s+(?:\w+\s+){0,3}?(?:in|of|within)\s+(?:the\s+)?"
    r"(?:(?:" + "|".join((*CARDINAL_POINTS, "central", *CARDINAL_ADJECTIVES, *INTERCARDINAL_ADJECTIVES)) + r")\s+)?",
    re.I)
_DEFINITION = re.compile(r"(?:,|\s+(?:is|was))\s+(?:(?:a|an|the)\s+)?")
_WORD = re.compile(r"[A-Za-z][\w'’-]*|\S")
_PHRASE_WORDS = 5
#: Words that end the noun phrase of a definition ("a town *in* ...", "a department *on* ...").
_PHRASE_ENDS = frozenset({
    "in", "of", "on", "at", "near", "by", "for", "from", "with", "where", "which", "that", "whose", "who",
    "and", "or", "but", "about", "the", "a", "an", "as", "to", "under", "some", "its", "their", "is", "was",
})


def in_context(text: str, mentions: list[Mention]) -> list[Mention]:
    """The readings that take the whole document: qualifiers shared by coordinated names,
    what a name is defined as, possessives, containers."""
    mentions = _defined_kinds(text, _spread_qualifiers(text, mentions))
    return _with_containers(text, _possessive_containers(text, mentions))


def _defined_kinds(text: str, mentions: list[Mention]) -> list[Mention]:
    """A name defined by the words after it takes their kind: "Arauca, a department on the
    border" is the department, "Goris, a town in Armenia" the town. Only lower-case words
    between the name and the next mention count (so "Kherson, Zaporizhzhia region" lends no
    kind), and only for a name that no qualifier of its own already settles."""
    out = list(mentions)
    for i, mention in enumerate(out):
        if mention.hint is not None:
            continue
        limit = out[i + 1].start if i + 1 < len(out) else len(text)
        match = _DEFINITION.match(text, mention.end, limit)
        if match is not None and (kind := _defined_kind(text, match.end(), limit)) is not None:
            out[i] = replace(mention, hint=kind[1], qualifier=kind[0])
    return out


def _defined_kind(text: str, start: int, limit: int) -> tuple[str, PlaceKind] | None:
    """The defining noun of the lower-case noun phrase at ``text[start:limit]`` and its kind:
    the last such noun ("the region's largest *city*", "the besieged state *capital*");
    ``None`` without one, or where the noun introduces the next name ("the town of Kadugli")."""
    phrase: list[str] = []
    for word in _WORD.finditer(text, start, limit):
        token = word.group()
        if len(phrase) == _PHRASE_WORDS or not token.islower() or token in _PHRASE_ENDS:
            if token == "of" and text[word.end():limit].strip() == "" and phrase and phrase[-1] != "capital":
                return None  # "South Kordofan, the town of Kadugli": the town is Kadugli
            break
        phrase.append(token)
    nouns = [word for word in phrase if _DEFINING_NOUNS.get(word) is not None]
    return (nouns[-1], _DEFINING_NOUNS[nouns[-1]]) if nouns else None  # type: ignore[return-value]


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
