"""The pipeline: text in, :class:`~geomap.model.Document` with resolved places out.

Everything heavy (the spaCy model, the gazetteer) is injected or loaded lazily on first use,
so constructing a :class:`Pipeline` costs nothing.

:func:`open_gazetteer` and :func:`open_pipeline` are the one way geomap opens a gazetteer and
builds a pipeline: the CLI, batch workers (:class:`geomap.batch.PipelineSpec`) and the Python
API (:func:`geomap.default_pipeline`, a :class:`Pipeline` without a gazetteer) all go through
them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from itertools import zip_longest
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from gazetteer import Gazetteer, Resolver, ResolverOptions, Scorer, open_default
from gazetteer.files import check_file
from gazetteer.overlay import with_overlay

from .errors import SpanError
from .cues import toponyms_of
from .extract import BATCH_SIZE, GIVEN, PlaceExtractor
from .model import Document, Mention, PlaceMention, SourceDocument
from .spans import Span, SpanLike, check_spans

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

__all__ = ["Pipeline", "open_gazetteer", "open_pipeline"]

log = logging.getLogger(__name__)


def open_gazetteer(
    path: str | os.PathLike[str] | None = None,
    *,
    overlay: str | os.PathLike[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    rebuild: bool = False,
) -> Gazetteer:
    """Open a gazetteer: the database at ``path``, else the embedded one, with an overlay laid over.

    Parameters
    ----------
    path
        A gazetteer database. When it exists it is checked (a cut-short or foreign file fails
        at once) and opened as it is; when it does not, the embedded gazetteer is built there.
        ``None``: the embedded gazetteer in the user cache (``GEOMAP_GAZETTEER`` names another
        path), built on first use.
    overlay
        A YAML or CSV overlay file (places, aliases, suppressions) laid over the gazetteer in
        a private copy; the database itself is never changed.
    progress
        ``progress(stage, done, total)`` while the embedded gazetteer is built.
    rebuild
        Build the embedded gazetteer (at ``path``, or in the cache) even when it exists.

    Raises
    ------
    gazetteer.GazetteerError
        The database is damaged, cannot be built, or the overlay is invalid.
    """
    gazetteer = None
    if path and not rebuild:
        path = Path(path)
        if path.exists():
            check_file(path)
            gazetteer = Gazetteer(path)
    if gazetteer is None:
        gazetteer = open_default(path, progress=progress, rebuild=rebuild)
    if overlay:
        gazetteer = with_overlay(gazetteer, overlay)
    return gazetteer


def open_pipeline(
    gazetteer: str | os.PathLike[str] | None = None,
    *,
    overlay: str | os.PathLike[str] | None = None,
    model: str | None = None,
    options: ResolverOptions | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    scorer: Scorer | None = None,
) -> Pipeline:
    """A :class:`Pipeline` over the gazetteer :func:`open_gazetteer` opens now (the spaCy model
    loads on first use), resolving with ``scorer`` (the shipped ranker when ``None``)."""
    return Pipeline(open_gazetteer(gazetteer, overlay=overlay, progress=progress), model=model, options=options,
                    scorer=scorer)


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
    scorer
        The resolver's ranker (:mod:`gazetteer.ranker`): the learned one shipped in the package
        when ``None`` (:func:`gazetteer.default_scorer`); ``geomap train`` writes others
        (:func:`gazetteer.load_scorer` reads them).

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
        scorer: Scorer | None = None,
    ) -> None:
        self._gazetteer = gazetteer
        self._nlp = nlp
        self._model = model
        self.options = options or ResolverOptions()
        self.scorer = scorer
        self._extractor: PlaceExtractor | None = None
        self._resolver: Resolver | None = None

    @property
    def gazetteer(self) -> Gazetteer:
        """The gazetteer, opened (and built if need be) on first use."""
        if self._gazetteer is None:
            self._gazetteer = open_gazetteer()
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
            self._resolver = Resolver(self.gazetteer, self.options, scorer=self.scorer)
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
        context: bool = True,
    ) -> Document:
        """Find and resolve the places of one text, or resolve the ``spans`` given.

        ``spans`` (:class:`~geomap.spans.Span` or ``(start, end)`` str offsets, from another
        recogniser or an annotation tool) replace the places the extractor would find: one
        mention per span, with exactly its offsets (see
        :meth:`~geomap.extract.PlaceExtractor.extract_at`). Invalid spans raise
        :class:`~geomap.errors.SpanError`. With ``context`` (the default) the places the
        extractor finds off the spans are resolved alongside, as the document's context for
        the given ones ("Victoria" beside "Kansas"), and left out of the result; without it
        the given spans are each other's only context.
        """
        source = SourceDocument(id=id, text=text, title=title,
                                metadata=MappingProxyType(dict(metadata or {})))
        return next(self.parse_many([source], spans=None if spans is None else [spans], context=context))

    def parse_many(self, sources: Iterable[SourceDocument], *, spans: Iterable[Iterable[SpanLike]] | None = None,
                   context: bool = True, batch_size: int = BATCH_SIZE, window: int = 64) -> Iterator[Document]:
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
            yield from self._parse_given(sources, spans, context, batch_size, window)
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
        # A long text goes through the model in windows (see geomap.windows) and is resolved
        # whole: one name keeps one sense in the whole document.
        found = list(self.extractor.extract_many((source.text for source in sources), batch_size=batch_size))
        for source, mentions in zip(sources, found):
            yield self.resolve_mentions(source, mentions)

    def _parse_given(self, sources: Iterable[SourceDocument], spans: Iterable[Iterable[SpanLike]],
                     context: bool, batch_size: int, window: int) -> Iterator[Document]:
        pending: list[tuple[SourceDocument, tuple[Span, ...]]] = []
        for source, given in _paired(sources, spans):
            pending.append((source, check_spans(source.id, source.text, given)))
            if len(pending) >= window:
                yield from self._resolve_given(pending, context, batch_size)
                pending = []
        if pending:
            yield from self._resolve_given(pending, context, batch_size)

    def _resolve_given(self, pending: list[tuple[SourceDocument, tuple[Span, ...]]], context: bool,
                       batch_size: int) -> Iterator[Document]:
        max_length = self.nlp.max_length
        pieces: list[tuple[int, int, str, tuple[Span, ...]]] = []  # (source index, offset, text, spans)
        for index, (source, given) in enumerate(pending):
            for offset, chunk, local in _span_chunks(source.text, given, max_length):
                pieces.append((index, offset, chunk, local))
        mentions: list[list[Mention]] = [[] for _ in pending]
        items = ((chunk, local) for _, _, chunk, local in pieces)
        extracted = self.extractor.extract_at_many(items, context=context, batch_size=batch_size)
        for (index, offset, _, _), found in zip(pieces, extracted):
            mentions[index].extend(_shift(m, offset) for m in found)
        for (source, _), found in zip(pending, mentions):
            document = self.resolve_mentions(source, found)  # the context, if any, resolved alongside
            yield replace(document, mentions=tuple(m for m in document.mentions if m.mention.label == GIVEN))

    def resolve_mentions(self, source: SourceDocument, mentions: list[Mention]) -> Document:
        """Resolve already extracted mentions of one document."""
        toponyms = toponyms_of(mentions, source.text)
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
