"""Spans given from outside: toponyms that another recogniser or an annotation tool marked.

Instead of finding the places of a text, :meth:`geomap.Pipeline.parse` can resolve spans it
is given (``spans=[(start, end), ...]``): the output keeps exactly those offsets, one mention
per span, and each still gets the qualifier, container and sentence the extractor reads for
the places it finds itself. This module holds the span type and its validation.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from numbers import Integral
from typing import TYPE_CHECKING, Union

from gazetteer import Gazetteer, MatchOrigin, Place, PlaceKind

from .errors import SpanError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language
    from spacy.tokens import Doc

__all__ = ["Span", "SpanLike", "Taken", "check_spans", "demonym_place", "doc_cut_at", "trimmed"]


@dataclass(frozen=True, slots=True)
class Span:
    """A toponym's place in a text, as ``str`` offsets: ``text[start:end]`` is its surface.

    Examples
    --------
    >>> text = "Shelling hit the Kherson region."
    >>> span = Span(17, 24)
    >>> text[span.start:span.end]
    'Kherson'
    """

    start: int
    end: int


#: What :func:`check_spans` accepts for one span: a :class:`Span` or a ``(start, end)`` pair.
SpanLike = Union[Span, "tuple[int, int]"]

_FIX = "give spans as (start, end) with 0 <= start < end <= len(text), in Python str offsets"


def check_spans(document_id: str, text: str, spans: Iterable[SpanLike]) -> tuple[Span, ...]:
    """Validate the spans given for one document and return them in text order.

    Parameters
    ----------
    document_id
        Named in the error messages.
    text
        The document's text; the offsets index it as a Python ``str`` (code points, not
        bytes or UTF-16 units).
    spans
        :class:`Span` objects or ``(start, end)`` pairs of ``int``, in any order.

    Raises
    ------
    SpanError
        A span is not a pair of ints, is empty or reversed, lies outside the text, or
        overlaps another; the message names the document, the span and the fix.

    Examples
    --------
    >>> check_spans("d1", "Kyiv and Kharkiv", [(9, 16), Span(0, 4)])
    (Span(start=0, end=4), Span(start=9, end=16))
    >>> check_spans("d1", "Kyiv", [(2, 9)])
    Traceback (most recent call last):
    ...
    geomap.errors.SpanError: document 'd1': span (2, 9) ends after the text (4 characters): \
give spans as (start, end) with 0 <= start < end <= len(text), in Python str offsets \
(code points, not bytes or UTF-16 units)
    """
    checked = sorted((_one(document_id, text, span) for span in spans), key=lambda s: (s.start, s.end))
    for earlier, later in zip(checked, checked[1:]):
        if later.start < earlier.end:
            raise SpanError(
                f"document {document_id!r}: spans ({earlier.start}, {earlier.end}) and "
                f"({later.start}, {later.end}) overlap: give each toponym once, without nested or "
                "repeated spans (keep the one the annotation means)")
    return tuple(checked)


def _one(document_id: str, text: str, span: object) -> Span:
    if isinstance(span, Span):
        start, end = span.start, span.end
    elif isinstance(span, (tuple, list)) and len(span) == 2:
        start, end = span
    else:
        raise SpanError(f"document {document_id!r}: span {span!r} is not a (start, end) pair: {_FIX}")
    if not all(isinstance(x, Integral) and not isinstance(x, bool) for x in (start, end)):
        raise SpanError(f"document {document_id!r}: span ({start!r}, {end!r}) does not hold int offsets: {_FIX}")
    start, end = int(start), int(end)  # numpy integers too
    if start >= end:
        raise SpanError(f"document {document_id!r}: span ({start}, {end}) is empty or reversed "
                        f"(start >= end): {_FIX}")
    if start < 0:
        raise SpanError(f"document {document_id!r}: span ({start}, {end}) starts before the text: {_FIX}")
    if end > len(text):
        raise SpanError(f"document {document_id!r}: span ({start}, {end}) ends after the text "
                        f"({len(text)} characters): {_FIX} (code points, not bytes or UTF-16 units)")
    return Span(start, end)


def trimmed(text: str, span: Span) -> tuple[int, int] | None:
    """The span's offsets without the white space at either edge; ``None`` when nothing is left.

    Examples
    --------
    >>> trimmed(" Kyiv ", Span(0, 6)), trimmed("  ", Span(0, 2))
    ((1, 5), None)
    """
    words = text[span.start:span.end]
    lead = len(words) - len(words.lstrip())
    if lead == len(words):
        return None
    return span.start + lead, span.end - (len(words) - len(words.rstrip()))


def doc_cut_at(nlp: Language, text: str, spans: Sequence[Span]) -> Doc:
    """The text's tokens (``nlp.make_doc``), a token split where a span's words (white space
    trimmed) begin or end inside it: "Kherson" in "Kherson-based" if the tokenizer kept that
    whole. Every span's trimmed words are then whole tokens; the Doc's text is ``text``."""
    doc = nlp.make_doc(text)
    cuts = {cut for span in spans for cut in (trimmed(text, span) or ())}
    edges = {t.idx for t in doc} | {t.idx + len(t.text) for t in doc}
    if cuts <= edges:
        return doc
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    for token in doc:
        inside = sorted(c - token.idx for c in cuts if token.idx < c < token.idx + len(token.text))
        pieces = [token.text[a:b] for a, b in zip([0, *inside], [*inside, len(token.text)])]
        words.extend(pieces)
        spaces.extend([False] * (len(pieces) - 1) + [bool(token.whitespace_)])
    return Doc(doc.vocab, words=words, spaces=spaces)


class Taken:
    """Stretches of a text already taken, asked whether a stretch overlaps any, in log time.

    Examples
    --------
    >>> taken = Taken([(10, 20), (0, 4)])
    >>> taken.overlaps(4, 10), taken.overlaps(19, 30), taken.overlaps(2, 3)
    (False, True, True)
    """

    def __init__(self, stretches: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(stretches)
        self._starts = [start for start, _ in ordered]
        self._reach = list(accumulate((end for _, end in ordered), max))  # furthest end so far

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` shares a character with a taken stretch."""
        last = bisect.bisect_left(self._starts, end) - 1  # the stretches that start before ``end``
        return last >= 0 and self._reach[last] > start


def demonym_place(gazetteer: Gazetteer, words: str) -> Place | None:
    """The place that a nationality word marked as a toponym stands for ("Russian": Russia; of
    several, the most populous: "American", the United States).

    ``None`` when the words are no nationality word, or also the own name of a place that is
    no town ("Gibraltar"). The extractor never takes such words as places itself; corpora
    such as LGL and GeoWebNews annotate them, and their spans arrive here.
    """
    if not gazetteer.is_demonym(words):
        return None
    matches = gazetteer.lookup(words, demonyms=True, spelling=False)
    if any(m.origin in (MatchOrigin.NAME, MatchOrigin.ALIAS) and m.place.kind is not PlaceKind.CITY for m in matches):
        return None
    places = [m.place for m in matches if m.origin is MatchOrigin.DEMONYM]
    return max(places, key=lambda place: place.population or 0, default=None)
