"""Plain-text helpers: sentence bounds and excerpts around mentions."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

__all__ = ["sentence_bounds", "sentence_around"]

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets) before white
# space and an upper-case letter, digit or opening quote; a blank line or a line break
# before a short line (a headline) also ends one.
_BOUNDARY = re.compile(
    r"(?<=[.!?])[\"'”’»)\]]*\s+(?=[\"'“‘«(\[]?[A-Z0-9\u0400-\u04FF])"
    r"|\n\s*\n"
    r"|\n(?=[^\n]{0,80}\n)"
)
# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Capt|Rep|Sen|Gov|St|Mt|Ft|Jr|Sr|No|vs|etc|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|U\.N|[A-Z])\.)$"
)


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each sentence, without surrounding white space.

    Examples
    --------
    >>> text = "Troops left Kyiv. Mr. Smith stayed in Kharkiv.\\n\\nNew heading"
    >>> [text[s:e] for s, e in sentence_bounds(text)]
    ['Troops left Kyiv.', 'Mr. Smith stayed in Kharkiv.', 'New heading']
    """
    bounds = _Bounds()
    start = 0
    for match in _BOUNDARY.finditer(text):
        # The abbreviation ends the sentence and is at most six characters long: its last eight
        # hold it and the character before it (which settles its leading \b), so that a long
        # sentence is not searched from its start at every full stop.
        if match.group(0).strip() == "" and "\n" not in match.group(0) \
                and _ABBREVIATIONS.search(text[max(start, match.start() - 8):match.start()]):
            continue
        _append(bounds, text, start, match.start())
        start = match.end()
    _append(bounds, text, start, len(text))
    return bounds


class _Bounds(list):
    """A list of sentence bounds that keeps their starts, for bisection: a text with thousands
    of sentences and mentions asks :func:`sentence_around` once per mention."""

    __slots__ = ("_starts",)

    def starts(self) -> list[int]:
        """The sentences' start offsets (worked out once the list is complete)."""
        starts = getattr(self, "_starts", None)
        if starts is None or len(starts) != len(self):
            starts = self._starts = [b[0] for b in self]
        return starts


def _append(bounds: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    segment = text[start:end]
    stripped = segment.strip()
    if not stripped:
        return
    lead = len(segment) - len(segment.lstrip())
    bounds.append((start + lead, start + lead + len(stripped)))


def sentence_around(bounds: Sequence[tuple[int, int]], start: int, end: int) -> tuple[int, int]:
    """The bounds of the sentence(s) covering ``[start, end)``; the span itself if none."""
    if not bounds:
        return (start, end)
    starts = bounds.starts() if isinstance(bounds, _Bounds) else [b[0] for b in bounds]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    last = max(bisect.bisect_right(starts, max(end - 1, start)) - 1, first)
    return (min(bounds[first][0], start), max(bounds[last][1], end))
