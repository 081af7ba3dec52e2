"""The qualifier words around a mention and the kind hint they give.

"the city of X", "X region", "X oblast", "the river X", "a Donetsk village", "X governor":
the words before and after a name say what kind of place it is. :func:`reading` reads them
for the tokens of a mention: the name to look up (without the qualifier, unless the
qualifier is part of a known name: "Kansas City"), the hint, the qualifier as written, and
where the mention ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gazetteer import PlaceKind

from .names import NameEvidence

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

__all__ = ["Reading", "reading", "qualifier", "hint_for", "PLACE_LABELS", "AREA_AFTER", "CITY_AFTER",
           "PHYSICAL_AFTER", "QUALIFIERS_AFTER", "AREA_BEFORE", "CITY_BEFORE"]

#: The statistical model's labels for places.
PLACE_LABELS = {"GPE", "LOC"}
AREA_AFTER = {
    "region", "regions", "oblast", "oblasts", "province", "provinces", "state", "county",
    "counties", "district", "districts", "area", "areas", "governorate", "governorates", "prefecture",
    "krai", "kray", "territory", "territories", "voivodeship", "canton", "raion", "hromada",
    "countryside",
}
CITY_AFTER = {"city", "town", "village", "settlement", "port"}
PHYSICAL_AFTER = {"river", "mountains", "sea", "lake", "valley", "desert", "island", "islands", "peninsula", "bay", "gulf", "strait"}
AREA_BEFORE = {"region", "province", "oblast", "state", "county", "district", "governorate", "prefecture", "territory",
               "countryside"}
CITY_BEFORE = {"city", "town", "village", "suburb", "outskirts", "suburbs", "centre", "center", "port"}
QUALIFIERS_AFTER = AREA_AFTER | CITY_AFTER | PHYSICAL_AFTER
_SETTLEMENT_NOUNS = frozenset({"village", "villages", "town", "towns", "settlement", "settlements"})
#: Plural area nouns before "of" ("the districts of Sirwah and al-Juba"); "department" only in
#: lower case ("the department of Arauca", not "the Department of Justice" nor "department store").
_AREAS_BEFORE_OF = frozenset({"regions", "provinces", "oblasts", "states", "governor", "districts", "governorates",
                              "territories", "counties"})
_LOWER_CASE_AREA_BEFORE_OF = frozenset({"department", "departments"})
_REGIONAL_AFTER_POSSESSIVE = frozenset({"governor", "territory", "administrative", "regional", "oblast", "region"})


@dataclass(frozen=True, slots=True)
class Reading:
    """What a mention's words and the words around them say."""

    name: str
    hint: PlaceKind | None
    qualifier: str | None
    end: int  # token after the mention, a qualifier written after the name included


def reading(names: NameEvidence, doc: Doc, start: int, end: int, *, given: bool = False) -> Reading | None:
    """What the words of tokens ``[start, end)`` and the words around them say: the name to
    look up, the kind hint and qualifier, and the token where the mention ends with a
    qualifier written after it ("the Kherson *region*"); ``None`` when they name nothing
    ("City", "the District").

    With ``given`` (a span marked by someone else), the name keeps to the span's own words:
    a qualifier after the span still gives its hint but never joins the name.
    """
    span = doc[start:end]
    name = span.text
    end_token = end
    last = span[-1].lower_
    if len(span) > 1 and last in QUALIFIERS_AFTER:
        # Qualifier inside the entity: "Kherson Oblast", "Dnipro River".
        name = doc[start:end - 1].text
        hint, written = hint_for(last), span[-1].text
    else:
        hint, written, extend = qualifier(doc, start, end)
        end_token += extend
    if end_token > start + 1 and written == doc[end_token - 1].text and not (given and end_token > end):
        whole = doc[start:end_token].text
        if names.name_strength(whole) > 0.0:
            name = whole  # the qualifier may be part of the name itself: "Kansas City" is not the state
            # and no kind when no place the whole name names has it: "Rhode Island", "Green Bay"; a
            # town that lists a river's name among its alternate names is no such place ("Pigeon River")
            if hint and (kinds := names.named_kinds(names.lookup_name(whole)[0])) and not any(map(hint.agrees_with, kinds)):
                hint, written = None, None
    name, prefix_hint = names.lookup_name(name)
    hint = hint or prefix_hint
    if hint is None and start > 0 and doc[start - 1].lower_ == "the" and names.physical_name(name):
        # "the Atlantic", "across the Dnipro": a town takes no article, a river or a sea does
        hint, written = PlaceKind.PHYSICAL, doc[start - 1].text
    words = name.lower().split()
    if not words or not any(ch.isalpha() for ch in name) or words[-1] in {"of", "de", "del"}:
        return None
    if all(w in QUALIFIERS_AFTER or w in CITY_BEFORE or w == "the" for w in words):
        return None  # "City", "the District": a qualifier with no name
    return Reading(name, hint, written, end_token)


def qualifier(doc: Doc, start: int, end: int) -> tuple[PlaceKind | None, str | None, int]:
    """The kind hint that the words around tokens ``[start, end)`` give, the qualifier as
    written, and how many tokens after the name belong to the mention ("the Kherson *region*")."""
    after = doc[end] if end < len(doc) else None
    before = doc[start - 1] if start > 0 else None
    if after is not None and after.lower_ in QUALIFIERS_AFTER and after.ent_type_ not in PLACE_LABELS:
        if after.lower_ in _SETTLEMENT_NOUNS and before is not None and before.lower_ in {"a", "an"}:
            return PlaceKind.ADMIN1, f"{before.text} … {after.text}", 0  # "a Donetsk village"
        return hint_for(after.lower_), after.text, 1
    if after is not None:
        if after.lower_ in {"governor", "regional", "oblast's"}:  # "Mykolaiv Regional Administration"
            return PlaceKind.ADMIN1, after.text, 0
        if after.lower_ == "mayor":
            return PlaceKind.CITY, after.text, 0
        if after.text in {"'s", "’s"} and end + 1 < len(doc) and doc[end + 1].lower_ in _REGIONAL_AFTER_POSSESSIVE:
            return PlaceKind.ADMIN1, f"{after.text} {doc[end + 1].text}", 0
    if before is not None and before.text == "rural":  # "rural Idlib": the countryside of a region, not its town
        return PlaceKind.ADMIN1, before.text, 0
    if before is not None and before.text == "river":  # "the river Dnipro" (a capitalised "River" is part of the name)
        return PlaceKind.PHYSICAL, before.text, 0
    if before is not None and before.lower_ == "of" and start >= 2:
        word = doc[start - 2].lower_
        if word in AREA_BEFORE or word in _AREAS_BEFORE_OF or doc[start - 2].text in _LOWER_CASE_AREA_BEFORE_OF:
            return PlaceKind.ADMIN1, f"{doc[start - 2].text} of", 0
        if word in {"republic", "republics"} and "people" in doc[max(0, start - 5):start - 2].text.lower():
            return PlaceKind.REGION, f"{doc[start - 2].text} of", 0  # "the people's republics of"
        if word in CITY_BEFORE or word in {"mayor", "cities", "towns", "villages"}:
            return PlaceKind.CITY, f"{doc[start - 2].text} of", 0
    return None, None, 0


def hint_for(word: str) -> PlaceKind:
    """The kind that a qualifier word written after a name gives."""
    if word in CITY_AFTER:
        return PlaceKind.CITY
    if word in PHYSICAL_AFTER:
        return PlaceKind.PHYSICAL
    return PlaceKind.ADMIN1
