"""geomap: find the places a news article mentions and map them with the article's words.

The public API is small and pinned by a test::

    import geomap
    doc = geomap.parse("Russian forces were routed from Kiev ...")   # -> geomap.Document
    fmap = geomap.render([doc])                                        # -> folium.Map
    fmap.save("output/article.html")

For many documents or custom components, build a :class:`Pipeline` once
(``Pipeline(gazetteer, nlp=..., options=ResolverOptions(prefer_country="UA"))``) and call
``parse`` / ``parse_many``. Nothing heavy happens at import time: the spaCy model and the
gazetteer load on first use.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from gazetteer import Place, PlaceKind, Resolution, ResolverOptions

from ._version import __version__
from .errors import DecisionError, GeomapError, InputError, ModelError, OutputError, SpanError
from .model import Document, Excerpt, MappedPlace, Mention, PlaceMention, SourceDocument, group_places
from .outputs.map import render as _render
from .pipeline import Pipeline
from .spans import Span, SpanLike

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = [
    "DecisionError",
    "Document",
    "Excerpt",
    "GeomapError",
    "InputError",
    "MappedPlace",
    "Mention",
    "ModelError",
    "OutputError",
    "Pipeline",
    "Place",
    "PlaceKind",
    "PlaceMention",
    "Resolution",
    "ResolverOptions",
    "SourceDocument",
    "Span",
    "SpanError",
    "__version__",
    "default_pipeline",
    "group_places",
    "parse",
    "render",
]

_default: Pipeline | None = None


def default_pipeline() -> Pipeline:
    """The shared :class:`Pipeline` used by :func:`parse` (embedded gazetteer, default model)."""
    global _default
    if _default is None:
        _default = Pipeline()
    return _default


def parse(text: str, *, id: str = "document", title: str | None = None,
          metadata: Mapping[str, str] | None = None, pipeline: Pipeline | None = None,
          spans: Iterable[SpanLike] | None = None) -> Document:
    """Find and resolve the places of ``text``; or, given ``spans`` (``(start, end)`` str
    offsets marked by another recogniser or an annotation tool), resolve exactly those.

    Examples
    --------
    >>> doc = parse("Shelling hit Kharkiv and the Kherson region.")   # doctest: +SKIP
    >>> [(m.mention.surface, m.place.kind.value) for m in doc.mentions]   # doctest: +SKIP
    [('Kharkiv', 'city'), ('Kherson region', 'admin1')]
    >>> doc = parse("Shelling hit the Kherson region.", spans=[(17, 24)])   # doctest: +SKIP
    >>> [(m.mention.surface, m.place.kind.value) for m in doc.mentions]   # doctest: +SKIP
    [('Kherson', 'admin1')]
    """
    return (pipeline or default_pipeline()).parse(text, id=id, title=title, metadata=metadata, spans=spans)


def render(documents: Iterable[Document] | Document, *, pipeline: Pipeline | None = None, **options) -> folium.Map:
    """Draw documents on a folium map (see :func:`geomap.outputs.map.render` for the options)."""
    docs = [documents] if isinstance(documents, Document) else list(documents)
    gazetteer = (pipeline or default_pipeline()).gazetteer
    return _render(docs, gazetteer=gazetteer, **options)
