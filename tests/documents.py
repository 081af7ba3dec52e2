"""Documents assembled by hand for the rendering, export and browser tests (no model needed)."""

from __future__ import annotations

from gazetteer import Gazetteer, PlaceKind, Resolver, Toponym
from geomap.model import Document, Mention, PlaceMention
from geomap.text import sentence_around, sentence_bounds


def make_document(gazetteer: Gazetteer, text: str, names: list[tuple[str, PlaceKind | None]], doc_id: str = "d1",
                  title: str | None = None, *, all_resolved: bool = False) -> Document:
    """A document whose mentions are ``names``, found in that order in ``text`` and resolved;
    ``all_resolved`` checks that every name found its place in ``gazetteer``."""
    bounds = sentence_bounds(text)
    mentions, position = [], 0
    for name, hint in names:
        start = text.index(name, position)
        end = start + len(name)
        position = end
        mentions.append(Mention(start, end, name, name, hint, None, None, "GPE", sentence_around(bounds, start, end)))
    resolutions = Resolver(gazetteer).resolve_all([Toponym(m.name, m.hint, m.start) for m in mentions])
    if all_resolved:
        assert all(r.place is not None for r in resolutions), "a test name did not resolve in the tiny gazetteer"
    return Document(doc_id, text, tuple(PlaceMention(m, r) for m, r in zip(mentions, resolutions)), title=title)
