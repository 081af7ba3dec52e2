"""Spans given from outside: toponyms that another recogniser or an annotation tool marked.

Instead of finding the places of a text, :meth:`geomap.Pipeline.parse` can resolve spans it
is given (``spans=[(start, end), ...]``): the output keeps exactly those offsets, one mention
per span, and each still gets the qualifier, container and sentence the extractor reads for
the places it finds itself. This module holds the span type and its validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Union

from .errors import SpanError

__all__ = ["Span", "SpanLike", "check_spans", "trimmed"]


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
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        raise SpanError(f"document {document_id!r}: span ({start!r}, {end!r}) does not hold int offsets: {_FIX}")
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
