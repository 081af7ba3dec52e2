"""Which words of a processed text are toponyms: spaCy's named entities weighed against
gazetteer knowledge.

The statistical model finds most place names but mislabels some (the small English model
tags Kherson and Kiev as PERSON, Mariupol and Donbass as ORG) and misses others. The
recogniser therefore:

0. takes "X of Y" names the gazetteer knows whole ("Sea of Azov", "Bay of Bengal"), which the
   model often splits;
1. keeps the model's ``GPE`` and ``LOC`` entities, and ``FAC`` ones the gazetteer knows, except
   a one-word name that only a spelling key ties to a place and an acronym of no country or
   region, without a cue ("Hartmann said", "the MoD");
2. takes a ``PERSON``/``ORG``/``NORP`` entity as a place when its whole text is a *strong*
   gazetteer name (a country, a region, a city of 100,000 or more, a curated alias), unless it
   looks like a person (a title before it, or the same word inside a longer personal name
   elsewhere in the document);
3. takes capitalised proper-noun runs the model left untagged when they are gazetteer names
   of enough weight, skipping stop words and sentence-initial common words; a match by
   spelling key alone, an acronym, or an English word capitalised only where every word may be
   (a headline, a sentence start: "Dam", "Man") needs more weight or a cue.

The result is token spans with a label (:class:`Found`); what the words around each say is
read afterwards (:mod:`geomap.qualifiers`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from gazetteer import PlaceKind, normalize_name

from .lexicon import Lexicon
from .names import CARDINAL_ADJECTIVES, CARDINAL_POINTS, INTERCARDINAL_ADJECTIVES, INTERCARDINAL_POINTS, NameEvidence
from .qualifiers import AREA_BEFORE, CITY_BEFORE, PHYSICAL_AFTER, PLACE_LABELS, QUALIFIERS_AFTER
from .tokens import acronym as _acronym
from .tokens import headline_at as _headline_at
from .tokens import in_headline as _in_headline
from .tokens import proper_runs as _proper_runs
from .tokens import sentence_initial as _sentence_initial
from .tokens import subspans as _subspans
from .tokens import Words
from .tokens import words_of as _words

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span, Token

__all__ = ["Found", "Recogniser"]

_RELABEL = {"PERSON", "ORG", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"}
_NEVER = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "LAW", "LANGUAGE"}
_TITLES = {
    "mr", "mrs", "ms", "dr", "sir", "lord", "lady", "president", "minister", "gen", "general",
    "senator", "sen", "rep", "gov", "governor", "mayor", "judge", "king", "queen", "prince",
    "princess", "pope", "saint", "coach", "officer", "sgt", "capt", "col", "lt", "prof",
}
_STRONG = 0.8  # sentence-initial, or mislabelled by the model as a person or organisation
_COMMON_WORD = 0.8  # a capitalised word the tagger reads as a common noun or verb
_ENOUGH = 0.6  # capitalised mid-sentence with no other evidence
_LEXICON_WORD = 0.9  # an English word, capitalised, with no cue: a region's or a large city's own name
_CALENDAR_LABELS = frozenset({"DATE", "TIME"})
_CALENDAR_WORDS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "christmas",
    "easter", "ramadan", "spring", "summer", "autumn", "fall", "winter",
})
_CUED = 0.15  # after "in", "near", "city of", before "region", in a list of places
#: Kinds whose codes are written as acronyms in prose ("UAE", "DPRK", "EU", "LPR").
_ACRONYM_KINDS = frozenset({PlaceKind.COUNTRY, PlaceKind.ADMIN1, PlaceKind.REGION, PlaceKind.CONTINENT})
_LOCATIVE = frozenset({
    "in", "near", "from", "to", "towards", "toward", "around", "outside", "at", "into", "across",
    "through", "via", "inside", "between", "throughout", "within", "beyond", "entered", "enter",
    "captured", "retook", "liberated", "shelled", "visited", "left", "reached", "outskirts",
})
_COMPASS = frozenset({*CARDINAL_ADJECTIVES, "central", *INTERCARDINAL_ADJECTIVES})
#: Words before "of" that make the name after it a place ("the city of", "north of", "residents of").
_OF_PLACE = frozenset(AREA_BEFORE | CITY_BEFORE | {
    *CARDINAL_POINTS, *INTERCARDINAL_POINTS, "residents", "inhabitants", "mayor", "governor",
})
_PLACE_NOUNS = frozenset({"settlements", "villages", "towns", "cities", "regions", "places", "areas",
                          "provinces", "oblasts", "countries", "states", "districts", "localities"})
_FEATURE_NOUNS = frozenset({
    "road", "street", "avenue", "boulevard", "drive", "lane", "way", "highway", "square", "park", "bridge",
    "area", "colony", "harbor", "harbour", "creek", "fork", "falls", "hill", "hills", "heights", "beach",
    "point", "springs", "canyon", "forest", "coast", "basin", "estate", "center", "centre", "township",
})


@dataclass(frozen=True, slots=True)
class Found:
    """A toponym recognised at tokens ``[start, end)``, with the label of the evidence."""

    start: int  # token indices
    end: int
    label: str


class Recogniser:
    """Find the toponyms of a processed ``Doc`` (:meth:`recognise`).

    Parameters
    ----------
    names
        The gazetteer's evidence about names.
    lexicon
        Gives the common English words (evidence against a capitalised word being a place);
        called when first needed, so a pipeline's lexicon is read only then.
    """

    def __init__(self, names: NameEvidence, lexicon: Callable[[], Lexicon]) -> None:
        self._names = names
        self._lexicon = lexicon

    def recognise(self, doc: Doc) -> list[Found]:
        """The toponyms of ``doc``, in text order."""
        taken = [False] * len(doc)
        found: list[Found] = []
        ents = doc.ents  # spaCy builds the tuple of spans anew on every access
        entity_of: dict[int, Span] = {i: ent for ent in ents for i in range(ent.start, ent.end)}
        person_words = self._person_words(ents)
        words = _words(doc)

        def take(start: int, end: int, label: str) -> None:
            for i in range(start, end):
                taken[i] = True
            found.append(Found(start, end, label))

        def label_of(start: int, end: int) -> str:
            return next((entity_of[i].label_ for i in range(start, end) if i in entity_of
                         and entity_of[i].label_ in PLACE_LABELS), "GAZETTEER")

        runs = list(_proper_runs(words))
        # 0. Names the gazetteer knows whole that the model splits: "X of Y" ("the Bay of"/LOC,
        #    "Bengal"/GPE: "Sea of Azov" is not Azov), and a physical feature's name with its
        #    qualifier word in lower case ("the Don river", where "Don" alone is a village and a
        #    first name: the run alone would be too weak, or a person's).
        for start, end in runs:
            for s, e in _subspans(start, end):
                if "of" in words.lowers[s + 1:e - 1] and not any(taken[s:e]) \
                        and self._names.reaches(words.text(s, e), _ENOUGH) \
                        and not self._embedded_or_personal(doc, s, e, entity_of, person_words):
                    take(s, e, label_of(s, e))
            s = self._feature_start(words, start, end)
            if s is not None and not any(taken[s:end + 1]) \
                    and not self._embedded_or_personal(doc, s, end + 1, entity_of, person_words):
                take(s, end + 1, label_of(s, end + 1))
        # 1. The statistical model's places.
        for ent in ents:
            if ent.label_ in PLACE_LABELS and not any(taken[ent.start:ent.end]):
                start = ent.start + (1 if ent[0].lower_ == "the" and len(ent) > 1 else 0)
                parts = self._known_parts(doc, start, ent.end)
                if not parts and self._unknown_person(doc[start:ent.end], person_words):
                    continue  # "Saakashvili" tagged GPE here, a person's surname elsewhere in the text
                if not parts and self._unfounded(doc, start, ent.end, taken):
                    continue
                for s, e in parts or [(start, ent.end)]:
                    take(s, e, ent.label_)
        # 2. Gazetteer names: whole mislabelled entities ("Luhansk People’s Republic"/PERSON),
        #    then capitalised runs, each weighed against its context.
        for ent in ents:
            if ent.label_ in _RELABEL:
                start = ent.start + (1 if ent[0].lower_ == "the" and len(ent) > 1 else 0)
                if not any(taken[start:ent.end]) and self._accept(doc, start, ent.end, entity_of, person_words, taken):
                    take(start, ent.end, "GAZETTEER")
        for start, end in runs:
            for s, e in _subspans(start, end):
                if not any(taken[s:e]) and self._accept(doc, s, e, entity_of, person_words, taken):
                    take(s, e, "GAZETTEER")
        # 3. One sense per discourse: a name taken once is taken everywhere it recurs.
        accepted = {normalize_name(words.text(f.start, f.end)) for f in found}
        # A word the model itself tagged as a place here is not a person's name elsewhere in the
        # text just because a person bears it ("Lawton" the city, "Henry Ware Lawton").
        placed = Counter(w for f in found if f.label in PLACE_LABELS for w in words.lowers[f.start:f.end])
        named = Counter(w for ent in ents if ent.label_ == "PERSON" and len(ent) > 1
                        for w in words.lowers[ent.start:ent.end])
        person_words = frozenset(w for w in person_words if placed[w] <= named[w])
        for start, end in runs:
            for s, e in _subspans(start, end):
                if (not any(taken[s:e]) and normalize_name(words.text(s, e)) in accepted
                        and not self._embedded_or_personal(doc, s, e, entity_of, person_words)):
                    take(s, e, "GAZETTEER")
        found.sort(key=lambda f: f.start)
        return found

    def _feature_start(self, words: Words, start: int, end: int) -> int | None:
        """Where in the capitalised run ``[start, end)`` a physical feature's name begins that the
        lower-case qualifier word after the run completes ("the Don river" is the river's own
        name, "Don" alone a village's): longest first, from a word's start ("Ji-Paraná river"
        holds no "Paraná river"); ``None`` when none does."""
        if end >= len(words.texts) or words.capitalised[end] or words.lowers[end] not in PHYSICAL_AFTER:
            return None
        return next((s for s in range(max(start, end - 4), end)
                     if (s == start or (words.spaces[s - 1] and words.capitalised[s]))
                     and self._names.physical_name(words.text(s, end + 1))), None)

    def _known_parts(self, doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
        """For a multi-word place entity whose whole name no gazetteer entry bears, the
        longest parts that are names ("north west London", "Greece Italy", "St. Louis Police");
        empty when the whole is a name, or no part is."""
        words = _words(doc)
        if end - start < 2 or self._names.name_strength(words.text(start, end)) > 0.0:
            return []
        head = words.lowers[end - 1]
        if head in QUALIFIERS_AFTER or head in _FEATURE_NOUNS:
            return []  # "Neches River", "Indian Lake Road": a name of its own that we lack
        used = [False] * (end - start)
        parts = []
        for s, e in _subspans(start, end):
            if any(used[s - start:e - start]) or not words.capitalised[s]:
                continue
            if self._names.name_reaches(words.text(s, e), _ENOUGH):
                parts.append((s, e))
                for i in range(s, e):
                    used[i - start] = True
        return sorted(parts)

    def _unknown_person(self, span: Span, person_words: frozenset[str]) -> bool:
        """A name no gazetteer entry bears whose words all belong to a personal name of the text."""
        words = [t.lower_ for t in span if t.is_alpha]
        return bool(words) and all(w in person_words for w in words) and \
            self._names.name_strength(span.text) == 0.0

    def _person_words(self, ents: tuple[Span, ...]) -> frozenset[str]:
        """Words inside multi-word personal names among a document's entities ("Michael Jordan"),
        unless every word is a strong place name lying in the next (so "Kherson Ukraine",
        mislabelled, is not one).
        A personal name has two capitalised words or more: a ``PERSON`` entity with fewer is a
        name the model ran into lower-case words ("Zaporizhzhia overnight"), not a person's."""
        words: set[str] = set()
        for ent in ents:
            if ent.label_ != "PERSON" or len(ent) < 2:
                continue
            if ent[0].lower_ == "the":  # "the Tigray People's Liberation Front": a body, not a person
                continue
            if ent.start > 0 and ent.doc[ent.start - 1].lower_.rstrip(".") in _TITLES:  # "Lt. Paul Henderson"
                words.update(t.lower_ for t in ent if t.is_alpha)
                continue
            if _in_headline(ent) or self._names.reaches(ent.text, _STRONG):
                continue
            alpha = [t for t in ent if t.is_alpha and t.text[0].isupper()]
            if len(alpha) < 2:  # "Zaporizhzhia overnight": a place the model ran into the next word
                continue
            if any(not self._names.reaches(t.text, _STRONG) for t in alpha) or not self._place_then_container(alpha):
                words.update(t.lower_ for t in alpha)
        return frozenset(words)

    def _place_then_container(self, words: list[Token]) -> bool:
        """Whether strong place names in a row each lie in the next ("Kherson Ukraine", a run
        of places the model took for a name) rather than naming a person ("Michael Jordan",
        "Jordan Henderson": no Jordan lies in a Henderson)."""
        return all(inner.lower_ == outer.lower_ or self._names.holds(outer.text, inner.text)
                   for inner, outer in zip(words, words[1:]))

    def _embedded_or_personal(self, doc: Doc, start: int, end: int, entity_of: dict[int, Span],
                              person_words: frozenset[str]) -> bool:
        """Whether the tokens ``[start, end)`` are part of an organisation's or a person's name,
        or a person. (Read from the document's :class:`~geomap.tokens.Words` and the entity, not
        from a span of tokens: the recogniser asks it of every run of capitalised words.)"""
        words = _words(doc)
        if words.text(start, end).lower() in person_words:
            return True
        if start > 0 and words.lowers[start - 1].rstrip(".") in _TITLES:
            return True
        ent = entity_of.get(start)  # the words lie in one entity, or in none
        if ent is None or any(entity_of.get(i) is not ent for i in range(start + 1, end)):
            return False
        label = ent.label_
        if label in _CALENDAR_LABELS:  # "Kyiv early Friday" (DATE): the place, not the date words
            return any(words.lowers[i] in _CALENDAR_WORDS for i in range(start, end))
        if label in _NEVER:
            return True
        if _headline_at(doc, ent.start, ent.end):  # title-case headlines confuse the model's labels
            return False
        if any(words.texts[i] in {",", ";"} for i in range(ent.start, ent.end)):  # a list the model took for one name
            return False
        core_start = ent.start + (1 if words.lowers[ent.start] == "the" and ent.end - ent.start > 1 else 0)
        if (start, end) == (core_start, ent.end):
            return False
        rest = [i for i in range(core_start, ent.end) if not (start <= i < end)]
        if not any(words.capitalised[i] for i in rest):
            return False  # the rest is not a name: "Victoria /vɪkˈtɔːriə/", "Lviv early"
        if label == "PERSON":  # a mislabelled run of places ("Kherson Ukraine") is not a name
            return any(not self._names.reaches(doc[i].text, _STRONG) for i in rest if doc[i].is_alpha)
        return True  # inside a longer organisation, event or work name

    def _accept(self, doc: Doc, start: int, end: int, entity_of: dict[int, Span], person_words: frozenset[str],
                taken: list[bool]) -> bool:
        """Whether the tokens ``[start, end)``, a capitalised run or a mislabelled entity, are a
        place by the gazetteer's evidence weighed against their context."""
        words = _words(doc)
        single = end - start == 1
        first_text = words.texts[start]
        if single and (words.stop[start] or (len(first_text) < 3 and not doc[start].is_upper)):
            return False
        if self._embedded_or_personal(doc, start, end, entity_of, person_words):
            return False
        text = words.text(start, end)
        cued = _has_cue(words, start, end, taken)
        if not cued and not self._names.exact(text):
            return False  # without a cue every threshold below is above what a spelling key alone gives
        strength = self._names.strength(text)
        if strength == 0.0:
            return False
        first = doc[start]
        if single and _acronym(first_text) and not _headline_at(doc, start, end) and strength < 1.0 \
                and not self._names.exact_kinds(first_text) & _ACRONYM_KINDS:
            return False  # "BA", "OS", "SWAT": an acronym, unless a country's or region's code
        label = entity_of[start].label_ if start in entity_of else None
        if cued:
            threshold = _CUED
        elif _sentence_initial(first) or label in ("PERSON", "NORP", "ORG"):
            threshold = _STRONG
        else:
            threshold = _ENOUGH
        if single and not first.is_upper:
            if first.pos_ != "PROPN":
                threshold = max(threshold, _COMMON_WORD)  # "Police said", "Man charged"
            elif self._is_word(first) and first.lower_ not in _named_mid_sentence(doc):
                # "Dam", "Hit" in a headline: an English word, capitalised only where every word may be
                headline = _headline_at(doc, start, end)  # where every word is capitalised, cues included
                if (headline or threshold != _CUED) and not self._names.own_name(text):
                    return False  # "Free" (Free State), "Dam" (Dome): a word, and only a place's alternate name
                if threshold == _CUED:
                    threshold = _ENOUGH  # "retook Hit"
                else:  # a large place's own name
                    threshold = max(threshold, 1.0 if headline else _LEXICON_WORD)
        return strength >= threshold

    def _unfounded(self, doc: Doc, start: int, end: int, taken: list[bool]) -> bool:
        """A one-word place entity of the model that no context supports and whose gazetteer
        evidence is weak: a name that no place bears exactly but that a spelling key ties to one
        ("Hartmann said": the resolver would place it at Hartman), or an acronym of no country or
        region ("the MoD" is a town's alternate name). A name the gazetteer does not know at all
        is kept, unresolved (an online look-up may place it)."""
        if end - start != 1 or _has_cue(_words(doc), start, end, taken):
            return False
        text = _words(doc).texts[start]
        name = self._names.lookup_name(text)[0]
        kinds = self._names.exact_kinds(name)
        if not kinds:
            return self._names.strength(name) > 0.0
        if _acronym(text):
            return not kinds & _ACRONYM_KINDS and not self._names.reaches(name, _STRONG)
        return False

    def _is_word(self, token: Token) -> bool:
        """Whether a capitalised token is an English word ("Dam", "Villages") by the lexicon."""
        lower, lexicon = token.lower_, self._lexicon()
        return lower in lexicon or (lower.endswith("s") and lower[:-1] in lexicon)


_MID_SENTENCE_KEY = "geomap.mid_sentence"


def _named_mid_sentence(doc: Doc) -> frozenset[str]:
    """The lower-cased words that the document capitalises somewhere inside a sentence and
    outside a headline (and a date), and never writes in lower case: there the capital letter
    says "name" ("Hope lies on the Kenai Peninsula"; not "Alexandria Police" in a text that also
    says "police said"). Worked out once per ``Doc`` (kept in ``doc.user_data``)."""
    named = doc.user_data.get(_MID_SENTENCE_KEY)
    if named is None:
        words = _words(doc)
        lower = {text for text, low in zip(words.texts, words.lowers) if text == low}
        named = frozenset(
            words.lowers[i] for i in range(len(doc))
            if words.capitalised[i] and not words.texts[i].isupper() and words.lowers[i] not in lower
            and doc[i].ent_type_ not in _NEVER
            and not _sentence_initial(doc[i]) and not _headline_at(doc, i, i + 1)
        )
        doc.user_data[_MID_SENTENCE_KEY] = named
    return named


def _has_cue(words: Words, start: int, end: int, taken: list[bool]) -> bool:
    """Context that makes the name at tokens ``[start, end)`` a place: a locative word before it
    (across a compass adjective: "in western Khan Younis"), a qualifier, a list of places."""
    lowers = words.lowers
    if end < len(lowers) and lowers[end] in QUALIFIERS_AFTER:
        return True
    if start == 0:
        return False
    before = lowers[start - 1]
    if before in _LOCATIVE:
        return True
    if before in _COMPASS and start >= 2 and lowers[start - 2] in _LOCATIVE:
        return True
    if before == "of" and start >= 2 and lowers[start - 2] in _OF_PLACE:
        return True
    before_text = words.texts[start - 1]
    if before_text in {",", "and", "or"} and start >= 2 and taken[start - 2]:
        return True
    # "the settlements: Bezruky, Slatyne"
    return before_text == ":" and start >= 2 and lowers[start - 2] in _PLACE_NOUNS
