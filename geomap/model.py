"""geomap's domain objects: the documents read (the pipeline's input), the mentions found in a
text, the documents that hold them, and the places of a map with their excerpts.

All are frozen dataclasses. A :class:`PlaceMention` whose resolution has no place is an
explicitly unresolved toponym: it stays in every output, with null coordinates.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from gazetteer import Place, PlaceKind, Resolution

__all__ = ["METADATA_KEYS", "SourceDocument", "UnreadableDocument", "Item", "Mention", "PlaceMention", "Document", "Excerpt",
           "MappedPlace", "group_places"]

_EMPTY: Mapping[str, str] = MappingProxyType({})
#: The metadata keys carried from JSONL records, pages and feeds.
METADATA_KEYS = ("date", "url", "site", "author", "source")


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A document to process: its id, text and metadata.

    ``metadata`` holds strings under the keys ``date`` (ISO 8601: ``2024-03-05`` or
    ``2024-03-05T06:30:00+02:00``), ``url`` (the article's canonical address), ``site`` (the
    publication), ``author`` and ``source``, each only when known.
    """

    id: str
    text: str
    title: str | None = None
    metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True, slots=True)
class UnreadableDocument:
    """A document of a corpus that could not be read (a malformed JSON line, an undecodable
    file in a directory): it flows through a run like a document and comes out as a failure.
    """

    id: str
    error: str


Item = SourceDocument | UnreadableDocument


@dataclass(frozen=True, slots=True)
class Mention:
    """A toponym found in a text.

    Parameters
    ----------
    start, end
        Character offsets: ``text[start:end] == surface``.
    surface
        The words of the text, including a trailing qualifier ("Kherson region").
    name
        The name looked up in the gazetteer, qualifier words removed ("Kherson").
    hint
        The kind the qualifier suggests, or ``None``.
    qualifier
        The qualifier words as written ("region", "city of"), or ``None``.
    container
        A containing place named right after it ("Alexandria, Louisiana"), or ``None``.
    label
        How it was found: a spaCy entity label (``GPE``, ``LOC``, ``FAC``) or ``GAZETTEER``
        when the gazetteer recognised a name the statistical model missed or mislabelled.
    sentence
        ``(start, end)`` of the sentence that holds the mention.
    """

    start: int
    end: int
    surface: str
    name: str
    hint: PlaceKind | None = None
    qualifier: str | None = None
    container: str | None = None
    label: str = "GPE"
    sentence: tuple[int, int] = (0, 0)


@dataclass(frozen=True, slots=True)
class PlaceMention:
    """A mention and the place it was resolved to (or not)."""

    mention: Mention
    resolution: Resolution

    @property
    def place(self) -> Place | None:
        """The chosen place, or ``None`` when unresolved."""
        return self.resolution.place


@dataclass(frozen=True, slots=True)
class Excerpt:
    """The sentence around a mention, split so that the mention can be highlighted."""

    document_id: str
    document_title: str | None
    before: str
    match: str
    after: str

    @property
    def text(self) -> str:
        """The whole sentence."""
        return self.before + self.match + self.after


@dataclass(frozen=True)
class Document:
    """An article and the places found in it.

    Parameters
    ----------
    id
        The document's identifier (a file stem, a JSONL ``id``).
    text
        The text that offsets refer to.
    mentions
        Every toponym found, in text order, resolved or not.
    title
        The article's title, where known.
    metadata
        Other string metadata (date, url, source).
    """

    id: str
    text: str
    mentions: tuple[PlaceMention, ...] = ()
    title: str | None = None
    metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def resolved(self) -> tuple[PlaceMention, ...]:
        """The mentions that have a place."""
        return tuple(m for m in self.mentions if m.place is not None)

    @property
    def unresolved(self) -> tuple[PlaceMention, ...]:
        """The mentions that found no place."""
        return tuple(m for m in self.mentions if m.place is None)

    def excerpt(self, mention: Mention, *, max_chars: int = 400) -> Excerpt:
        """The sentence holding ``mention``, trimmed to about ``max_chars`` around it."""
        s_start, s_end = mention.sentence if mention.sentence != (0, 0) else (mention.start, mention.end)
        s_start = min(s_start, mention.start)
        s_end = max(s_end, mention.end)
        before = self.text[s_start:mention.start]
        after = self.text[mention.end:s_end]
        room = max(max_chars - (mention.end - mention.start), 40) // 2
        if len(before) > room:
            before = "…" + before[-room:].lstrip()
        if len(after) > room:
            after = after[:room].rstrip() + "…"
        return Excerpt(self.id, self.title, " ".join(before.split(" ")), self.text[mention.start:mention.end], after)

    def places(self) -> list[MappedPlace]:
        """The distinct places of this document, with their mentions grouped."""
        return group_places([self])


@dataclass(frozen=True)
class MappedPlace:
    """One place of a map: every mention of it across the documents drawn.

    Parameters
    ----------
    place
        The gazetteer place.
    mentions
        ``(document, mention)`` pairs, in document then text order.
    """

    place: Place
    mentions: tuple[tuple[Document, PlaceMention], ...]

    @property
    def spellings(self) -> tuple[str, ...]:
        """The distinct names the texts used for it ("Kiev", "Kyiv"), in order of appearance."""
        seen: dict[str, None] = {}
        for _, pm in self.mentions:
            seen.setdefault(pm.mention.name, None)
        return tuple(seen)

    @property
    def documents(self) -> tuple[Document, ...]:
        """The documents that mention it, in order."""
        seen: dict[str, Document] = {}
        for doc, _ in self.mentions:
            seen.setdefault(doc.id, doc)
        return tuple(seen.values())

    @property
    def confidence(self) -> float:
        """The lowest confidence among its mentions."""
        return min(pm.resolution.confidence for _, pm in self.mentions)

    @property
    def ambiguous(self) -> bool:
        """Whether any of its mentions was flagged ambiguous."""
        return any(pm.resolution.ambiguous for _, pm in self.mentions)

    def excerpts(self, *, max_chars: int = 400) -> list[Excerpt]:
        """One excerpt per distinct sentence that mentions the place."""
        out: list[Excerpt] = []
        seen: set[tuple[str, tuple[int, int]]] = set()
        for doc, pm in self.mentions:
            key = (doc.id, pm.mention.sentence)
            if key in seen:
                continue
            seen.add(key)
            out.append(doc.excerpt(pm.mention, max_chars=max_chars))
        return out


def group_places(documents: Iterable[Document]) -> list[MappedPlace]:
    """Group the resolved mentions of ``documents`` by place, most mentioned first."""
    groups: dict[str, list[tuple[Document, PlaceMention]]] = {}
    places: dict[str, Place] = {}
    for doc in documents:
        for pm in doc.mentions:
            if pm.place is None:
                continue
            groups.setdefault(pm.place.id, []).append((doc, pm))
            places[pm.place.id] = pm.place
    mapped = [MappedPlace(places[pid], tuple(items)) for pid, items in groups.items()]
    mapped.sort(key=lambda mp: (-len(mp.mentions), mp.place.name))
    return mapped
