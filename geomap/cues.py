"""What a mention's place in the text says, for the resolver: list membership.

A name in a list of names ("Kherson, Mykolaiv and Odesa": mentions joined by commas, "and",
"or") carries the cue ``list`` and the names of the others (``Toponym.listed_with``); the
resolver weighs the cue, and the shares of the other listed names it currently answers as
towns and as regions, against the kind of each candidate place (:data:`gazetteer.ranker.CUES`),
with weights learned by ``geomap train``. Reading them costs a few string comparisons per
mention: no parsing, no lookup.

Only what helped out of fold is read. The words before and after the name ("near X",
"shelling of X", "X-based"), a dateline and a headline were tried as cues of the same kind
and left out: in 5-fold document-level cross-validation they moved no corpus up and LGL and
WikToR down (see the README's ranker section).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from gazetteer import Toponym

from .model import Mention

__all__ = ["listed_with", "mention_cues", "toponyms_of"]

_LIST_GAP = re.compile(r"\s*(?:,|,?\s+and|,?\s+or|;)\s*")
_MAX_GAP = 8  # characters between two listed names (", and ")


def toponyms_of(mentions: Sequence[Mention], text: str) -> list[Toponym]:
    """The resolver's questions for a document's mentions, in order, with their cues, the
    names each is listed with and how each was found (its label).

    Parameters
    ----------
    mentions
        The document's mentions, in text order.
    text
        The document's text (the mentions' offsets index it).
    """
    peers = listed_with(text, mentions)
    return [Toponym(m.name, m.hint, m.start, m.container, cues, listed, m.label)
            for m, cues, listed in zip(mentions, mention_cues(peers), peers)]


def mention_cues(peers: Sequence[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The cues of each mention, from the names each is listed with (:func:`listed_with`)."""
    return [("list",) if listed else () for listed in peers]


def listed_with(text: str, mentions: Sequence[Mention]) -> list[tuple[str, ...]]:
    """For each mention, the names of the other mentions of its list (a run of mentions joined
    by commas, "and", "or"); empty outside a list. Linear in the number of mentions."""
    out: list[tuple[str, ...]] = [()] * len(mentions)
    start = 0
    for i in range(1, len(mentions) + 1):
        if i < len(mentions) and _joined(text, mentions[i - 1], mentions[i]):
            continue
        if i - start > 1:
            names = [m.name for m in mentions[start:i]]
            for j in range(start, i):
                out[j] = tuple(n for k, n in enumerate(names) if k != j - start)
        start = i
    return out


def _joined(text: str, first: Mention, second: Mention) -> bool:
    return 0 < second.start - first.end <= _MAX_GAP and _LIST_GAP.fullmatch(text, first.end, second.start) is not None
