"""Documents assembled by hand for the rendering, export and browser tests (no model needed)."""

from __future__ import annotations

from collections.abc import Mapping

from gazetteer import Candidate, Gazetteer, Place, PlaceKind, Resolution, Resolver, Toponym
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


def picked_document(gazetteer: Gazetteer | Mapping[str, Place], doc_id: str, text: str, picks, *,
                    title: str | None = None) -> Document:
    """A document with the given mentions: ``(surface, {place id: score})``, the first place
    chosen; empty scores is unresolved. The first occurrence of each surface is used. The
    places come from ``gazetteer`` or a mapping of ids to places (:data:`PACIFIC`)."""
    bounds = sentence_bounds(text)
    mentions = []
    for surface, scores in picks:
        start = text.index(surface)
        m = Mention(start, start + len(surface), surface, surface,
                    sentence=sentence_around(bounds, start, start + len(surface)))
        candidates = tuple(Candidate(gazetteer.get(pid), s, (f"score {s}",)) for pid, s in scores.items())
        place = candidates[0].place if candidates else None
        resolution = Resolution(Toponym(surface, position=start), place, candidates[0].score if candidates else 0.0,
                                candidates=candidates)
        mentions.append(PlaceMention(m, resolution))
    mentions.sort(key=lambda pm: pm.mention.start)
    return Document(doc_id, text, tuple(mentions), title=title)


#: Places across the antimeridian, and a namesake far from it (the framing of pages across 180 degrees).
PACIFIC: dict[str, Place] = {p.id: p for p in (
    Place("t:suva", "Suva", PlaceKind.CITY, -18.14, 178.44, "FJ"),
    Place("t:apia", "Apia", PlaceKind.CITY, -13.83, -171.77, "WS"),
    Place("t:apia-co", "Apia", PlaceKind.CITY, 5.1, -75.97, "CO"),
)}


def pacific_document() -> Document:
    """Suva (Fiji, 178 E) and Apia (Samoa, 172 W), both flagged for review: Suva low-confidence,
    Apia ambiguous with its namesake in Colombia."""
    return picked_document(PACIFIC, "pacific", "Cyclone Winston hit Suva and moved towards Apia.", [
        ("Suva", {"t:suva": 0.2}),
        ("Apia", {"t:apia": 0.5, "t:apia-co": 0.49}),
    ])
