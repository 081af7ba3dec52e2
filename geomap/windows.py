"""Long texts through the model in windows of bounded size.

spaCy's working memory grows with the words of a document, and several of the extractor's
passes look at a whole document, so a long report, transcript or book chapter goes through
the model in *windows*: runs of whole paragraphs of at most ``limit`` characters. A paragraph
longer than a window is cut between sentences (else at a line break, else at a space, else
anywhere), and then the two windows overlap: each sees ``overlap`` characters of the other's
text, so that a name cut by a wrong sentence break is still read whole by one of them. Each
window *owns* the mentions that start in its own part of the text; a mention of the next
window that overlaps one already kept is a duplicate and is dropped.

A text no longer than ``limit`` is one window: it goes through the model whole, as before.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from .model import Mention

__all__ = ["Window", "Piece", "windows", "pieces", "joined", "WINDOW_CHARS", "OVERLAP_CHARS"]

#: A text longer than this many characters goes through the model in windows. It is above the
#: longest document of the gold corpora (33,773 characters), so news articles go whole.
WINDOW_CHARS = 50_000
#: Characters of context that two windows cut inside a paragraph share.
OVERLAP_CHARS = 1_000

_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_SENTENCE = re.compile(r"[.!?][\"'”’»)\]]*\s+")
_LINE = re.compile(r"\n\s*")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Window:
    """A piece of a text that goes through the model on its own.

    Parameters
    ----------
    start, end
        The characters the model sees: ``text[start:end]``.
    own_start, own_end
        The part of the text whose mentions this window reports: a mention starting in
        ``[own_start, own_end)``. Outside it, the window only gives context.
    """

    start: int
    end: int
    own_start: int
    own_end: int

    def owns(self, offset: int) -> bool:
        """Whether a mention starting at ``offset`` (in the whole text) is this window's."""
        return self.own_start <= offset < self.own_end


def windows(text: str, limit: int = WINDOW_CHARS, overlap: int = OVERLAP_CHARS) -> Iterator[Window]:
    """Cut ``text`` into windows of at most ``limit`` characters.

    Whole paragraphs are packed greedily while they fit; a paragraph too long for a window is
    cut inside, and the windows on either side of such a cut share ``overlap`` characters of
    context (at most a quarter of ``limit``). The owned parts tile the text.

    Examples
    --------
    >>> text = "Kyiv is big.\\n\\nLviv is west.\\n\\nOdesa is south."
    >>> [text[w.start:w.end] for w in windows(text, limit=30)]
    ['Kyiv is big.\\n\\nLviv is west.', 'Odesa is south.']
    >>> [text[w.own_start:w.own_end] for w in windows(text, limit=1000)] == [text]
    True
    """
    if limit < 2:
        raise ValueError(f"a window must hold at least 2 characters, not {limit}")
    overlap = max(0, min(overlap, limit // 4))
    n = len(text)
    start, before = 0, 0  # before: characters of context the window takes from the one before
    while True:
        budget = limit - before  # characters of its own the window may hold
        if n - start <= budget:
            yield _window(text, start, n, n, before, 0)
            return
        text_end, cut, paragraph = _cut(text, start, start + budget, start + budget - overlap)
        yield _window(text, start, text_end, cut, before, 0 if paragraph else overlap)
        start, before = cut, 0 if paragraph else overlap


def _cut(text: str, start: int, stop: int, soft_stop: int) -> tuple[int, int, bool]:
    """Where the window that starts at ``start`` ends: the end of its text, the start of the
    next window, and whether the cut is a paragraph break (no context need cross it).

    The latest paragraph break before ``stop`` that keeps the window at least half full (the
    blank lines belong to neither window); else the latest end of a sentence, line or word
    before ``soft_stop`` (which leaves room for the context after the cut), in the window's
    second half; else ``soft_stop`` itself.
    """
    for pattern in (_PARAGRAPH, _SENTENCE, _LINE, _SPACE):
        end = stop if pattern is _PARAGRAPH else soft_stop
        last = None
        for last in pattern.finditer(text, start + (end - start) // 2, end):
            pass
        if last is not None:
            if pattern is _PARAGRAPH:
                return last.start(), last.end(), True
            return last.end(), last.end(), False
    return soft_stop, soft_stop, False


def _window(text: str, own_start: int, text_end: int, own_end: int, before: int, after: int) -> Window:
    """The window owning ``[own_start, own_end)`` (its own text ending at ``text_end``), with up
    to ``before`` and ``after`` characters of context on either side (to a word boundary)."""
    start = _word_start(text, own_start - before, own_start) if before else own_start
    end = _word_end(text, own_end, own_end + after) if after else text_end
    return Window(start, min(end, len(text)), own_start, own_end)


def _word_start(text: str, low: int, high: int) -> int:
    """The first offset in ``[low, high]`` after white space (``low`` when there is none)."""
    match = _SPACE.search(text, low, high)
    return match.end() if match is not None else low


def _word_end(text: str, low: int, high: int) -> int:
    """The last white space offset in ``[low, high]`` (``high`` when there is none)."""
    last = None
    for last in _SPACE.finditer(text, low, high):
        pass
    return last.start() if last is not None and last.start() > low else high


# -- mentions of windows ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Piece:
    """What goes through the model: a whole text (``window`` is ``None``), or one window of a
    long text (``last``: the text's last window)."""

    text: str
    window: Window | None = None
    last: bool = True


def pieces(texts: Iterable[str], limit: int) -> Iterator[Piece]:
    """Each text of at most ``limit`` characters whole; each longer one in :func:`windows`."""
    for text in texts:
        if len(text) <= limit:
            yield Piece(text)
            continue
        cuts = list(windows(text, limit))  # a few numbers per window; the text is never copied whole
        for i, window in enumerate(cuts):
            yield Piece(text[window.start:window.end], window, i == len(cuts) - 1)


def joined(found: Iterable[tuple[Piece, list[Mention]]]) -> Iterator[list[Mention]]:
    """The mentions of each text, from those of its pieces (in order, offsets in the piece).

    A window keeps the mentions that start in its own part of the text and do not overlap
    one an earlier window kept; their offsets become the whole text's.
    """
    kept: list[Mention] = []
    for piece, mentions in found:
        window = piece.window
        if window is None:
            yield mentions
            continue
        last_end = kept[-1].end if kept else -1
        for mention in mentions:
            shifted = _shifted(mention, window.start)
            if window.owns(shifted.start) and shifted.start >= last_end:
                kept.append(shifted)
                last_end = shifted.end
        if piece.last:
            yield kept
            kept = []


def _shifted(mention: Mention, offset: int) -> Mention:
    """The mention with its offsets (and its sentence's) moved by ``offset`` characters."""
    if offset == 0:
        return mention
    s_start, s_end = mention.sentence
    return replace(mention, start=mention.start + offset, end=mention.end + offset,
                   sentence=(s_start + offset, s_end + offset))
