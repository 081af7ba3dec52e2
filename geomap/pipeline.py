"""The pipeline: text in, :class:`~geomap.model.Document` with resolved places out.

Everything heavy (the spaCy model, the gazetteer) is injected or loaded lazily on first use,
so constructing a :class:`Pipeline` costs nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import zip_longest
from types import MappingProxyType
from typing import TYPE_CHECKING

from gazetteer import Gazetteer, Resolver, ResolverOptions, Toponym, open_default

from .errors import SpanError
from .extract import BATCH_SIZE, PlaceExtractor
from .io import SourceDocument
from .model import Document, Mention, PlaceMention
from .spans import Span, SpanLike, check_spans

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["Pipeline"]

log = logging.getLogger(__name__)


class Pipeline:
    """Extract and resolve the places of texts.

    Parameters
    ----------
    gazetteer
        An open :class:`~gazetteer.Gazetteer`; the embedded one (built on first use) when
        ``None``.
    nlp
        A loaded spaCy pipeline; loaded lazily (``model``) when ``None``.
    model
        spaCy package name or path to load when ``nlp`` is not given.
    options
        Resolver bias and thresholds.

    Examples
    --------
    >>> pipeline = Pipeline()                                   # doctest: +SKIP
    >>> doc = pipeline.parse("Shelling hit Kharkiv and the Kherson region.")   # doctest: +SKIP
    >>> [(m.mention.surface, m.place.kind.value) for m in doc.mentions]        # doctest: +SKIP
    [('Kharkiv', 'city'), ('Kherson region', 'admin1')]
    """

    def __init__(
        self,
        gazetteer: Gazetteer | None = None,
        *,
        nlp: Language | None = None,
        model: str | None = None,
        options: ResolverOptions | None = None,
    ) -> None:
        self._gazetteer = gazetteer
        self._nlp = nlp
        self._model = model
        self.options = options or ResolverOptions()
        self._extractor: PlaceExtractor | None = None
        self._resolver: Resolver | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer, opened (and built if need be) on first use."""
        if self._gazetteer is None:
            self._gazetteer = open_default()
        return self._gazetteer

    @property
    def extractor(self) -> PlaceExtractor:
        """The :class:`~geomap.extract.PlaceExtractor`."""
        if self._extractor is None:
            self._extractor = PlaceExtractor(self.gazetteer, self._nlp, model=self._model)
        return self._extractor

    @property
    def resolver(self) -> Resolver:
        """The :class:`~gazetteer.Resolver`."""
        if self._resolver is None:
            self._resolver = Resolver(self.gazetteer, self.options)
        return self._resolver

    @property
    def nlp(self) -> Language:
        """The spaCy pipeline."""
        return self.extractor.nlp

    def parse(
        self,
        text: str,
        *,
        id: str = "document",
        title: str | None = None,
        metadata: Mapping[str, str] | None = None,
        spans: Iterable[SpanLike] | None = None,
    ) -> Document:
        """Find and resolve the places of one text, or resolve the ``spans`` given.

        ``spans`` (:class:`~geomap.spans.Span` or ``(start, end)`` str offsets, from another
        recogniser or an annotation tool) replace the places the extractor would find: one
        mention per span, with exactly its offsets (see
        :meth:`~geomap.extract.PlaceExtractor.extract_at`). Invalid spans raise
        :class:`~geomap.errors.SpanError`.
        """
        source = SourceDocument(id=id, text=text, title=title,
                                metadata=MappingProxyType(dict(metadata or {})))
        return next(self.parse_many([source], spans=None if spans is None else [spans]))

    def parse_many(self, sources: Iterable[SourceDocument], *, spans: Iterable[Iterable[SpanLike]] | None = None,
                   batch_size: int = BATCH_SIZE, window: int = 64) -> Iterator[Document]:
        """Find and resolve the places of many documents, streamed, in input order.

        ``window`` documents at a time go through the model, in batches of at most
        ``batch_size`` (fewer when they are long: see
        :meth:`~geomap.extract.PlaceExtractor.extract_many`), and are then resolved. A wider
        window holds more documents' mentions and ran faster here: 1,000 news articles took
        about 1.5 s less (in 42 s) with a window of 64 than with 32.

        With ``spans`` (one sequence of spans per document, in the same order), the given
        spans are resolved instead of the places found (see :meth:`parse`); a
        :class:`~geomap.errors.SpanError` names a document whose spans are invalid, or says
        that the documents and the span sequences do not pair up.
        """
        if spans is not None:
            yield from self._parse_given(sources, spans, batch_size, window)
            return
        pending: list[SourceDocument] = []
        for source in sources:
            pending.append(source)
            if len(pending) >= window:
                yield from self._parse_batch(pending, batch_size)
                pending = []
        if pending:
            yield from self._parse_batch(pending, batch_size)

    def _parse_batch(self, sources: list[SourceDocument], batch_size: int) -> Iterator[Document]:
        max_length = self.nlp.max_length
        pieces: list[tuple[int, int, str]] = []  # (source index, offset, text)
        for index, source in enumerate(sources):
            for offset, chunk in _chunks(source.text, max_length):
                pieces.append((index, offset, chunk))
        mentions: list[list[Mention]] = [[] for _ in sources]
        texts = (chunk for _, _, chunk in pieces)
        for (index, offset, _), found in zip(pieces, self.extractor.extract_many(texts, batch_size=batch_size)):
            mentions[index].extend(_shift(m, offset) for m in found)
        for source, found in zip(sources, mentions):
            yield self.resolve_mentions(source, found)

    def _parse_given(self, sources: Iterable[SourceDocument], spans: Iterable[Iterable[SpanLike]],
                     batch_size: int, window: int) -> Iterator[Document]:
        pending: list[tuple[SourceDocument, tuple[Span, ...]]] = []
        for source, given in _paired(sources, spans):
            pending.append((source, check_spans(source.id, source.text, given)))
            if len(pending) >= window:
                yield from self._resolve_given(pending, batch_size)
                pending = []
        if pending:
            yield from self._resolve_given(pending, batch_size)

    def _resolve_given(self, pending: list[tuple[SourceDocument, tuple[Span, ...]]],
                       batch_size: int) -> Iterator[Document]:
        max_length = self.nlp.max_length
        pieces: list[tuple[int, int, str, tuple[Span, ...]]] = []  # (source index, offset, text, spans)
        for index, (source, given) in enumerate(pending):
            for offset, chunk, local in _span_chunks(source.text, given, max_length):
                pieces.append((index, offset, chunk, local))
        mentions: list[list[Mention]] = [[] for _ in pending]
        items = ((chunk, local) for _, _, chunk, local in pieces)
        for (index, offset, _, _), found in zip(pieces, self.extractor.extract_at_many(items, batch_size=batch_size)):
            mentions[index].extend(_shift(m, offset) for m in found)
        for (source, _), found in zip(pending, mentions):
            yield self.resolve_mentions(source, found)

    def resolve_mentions(self, source: SourceDocument, mentions: list[Mention]) -> Document:
        """Resolve already extracted mentions of one document."""
        toponyms = [Toponym(m.name, m.hint, m.start, m.container) for m in mentions]
        resolutions = self.resolver.resolve_all(toponyms)
        return Document(
            id=source.id,
            text=source.text,
            mentions=tuple(PlaceMention(m, r) for m, r in zip(mentions, resolutions)),
            title=source.title,
            metadata=source.metadata,
        )


def _chunks(text: str, max_length: int) -> Iterator[tuple[int, str]]:
    """Split a text longer than the model accepts at paragraph, then line, then space breaks."""
    if len(text) <= max_length:
        yield 0, text
        return
    start = 0
    while start < len(text):
        end = min(start + max_length, len(text))
        if end < len(text):
            window = text[start:end]
            # The latest break of the strongest kind that keeps the chunk at least half full.
            for separator in ("\n\n", "\n", ". ", " "):
                cut = window.rfind(separator)
                if cut > max_length // 2:
                    end = start + cut + len(separator)
                    break
        yield start, text[start:end]
        start = end


def _span_chunks(text: str, spans: Sequence[Span], max_length: int) -> Iterator[tuple[int, str, tuple[Span, ...]]]:
    """:func:`_chunks` with the spans that fall in each, shifted to it; a cut that would fall
    inside a span moves to the span's start (or its end, if it starts the chunk)."""
    cuts = [offset for offset, _ in _chunks(text, max_length)][1:] + [len(text)]
    start = 0
    for cut in cuts:
        inside = [s for s in spans if s.start < cut < s.end]
        if inside:
            cut = inside[0].start if inside[0].start > start else inside[0].end
        if cut <= start:
            continue
        local = tuple(Span(s.start - start, s.end - start) for s in spans if start <= s.start and s.end <= cut)
        yield start, text[start:cut], local
        start = cut


def _paired(sources: Iterable[SourceDocument], spans: Iterable[Iterable[SpanLike]]
            ) -> Iterator[tuple[SourceDocument, Iterable[SpanLike]]]:
    missing = object()
    for count, (source, given) in enumerate(zip_longest(sources, spans, fillvalue=missing), 1):
        if source is missing or given is missing:
            more = "spans than documents" if source is missing else "documents than span sequences"
            raise SpanError(f"parse_many got more {more} (at document {count}): give one sequence of spans "
                            "per document, in the same order (an empty one for a document without places)")
        yield source, given  # type: ignore[misc]


def _shift(mention: Mention, offset: int) -> Mention:
    if offset == 0:
        return mention
    s_start, s_end = mention.sentence
    return replace(mention, start=mention.start + offset, end=mention.end + offset,
                   sentence=(s_start + offset, s_end + offset))
