"""How much text geomap takes per document, and reading that stops at that bound.

A document's text may hold at most ``max_chars`` characters (``--max-chars``, or the
``GEOMAP_MAX_CHARS`` environment variable; default :data:`MAX_CHARS`). The bound is checked
while reading, before anything is held whole: a file is refused on its size, standard input
and compressed data are read only up to the bound, so a decompression bomb or a huge page is
never materialised.

No text of more than ``max_chars`` characters fits in :func:`byte_bound` bytes or fewer in any
encoding geomap reads (UTF-8 takes at most four bytes a character, as do UTF-16 and UTF-32),
so a file beyond the byte bound holds too much text whatever its encoding; under it, the
decoded text is checked again.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from ..errors import InputError, TooLong

__all__ = ["MAX_CHARS", "ENV_VAR", "TooLong", "max_chars_from", "byte_bound", "line_bound", "check_text",
           "read_bounded", "read_file_bounded", "gunzip_lines", "bounded_lines", "parse_chars"]

#: Characters of text per document at most, unless told otherwise (20 million: a long book).
MAX_CHARS = 20_000_000
#: The environment variable that sets the bound when ``--max-chars`` is not given.
ENV_VAR = "GEOMAP_MAX_CHARS"
#: A compressed input that grows more than this many times is refused (news text gzips 3-5x).
MAX_RATIO = 50
_CHUNK = 1 << 20


def parse_chars(value: str) -> int:
    """A character count written as ``20000000``, ``20_000_000``, ``20M`` or ``500k``.

    Examples
    --------
    >>> parse_chars("20M"), parse_chars("500k"), parse_chars("1_000")
    (20000000, 500000, 1000)
    """
    text = value.strip().lower().replace("_", "").replace(",", "")
    scale = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}.get(text[-1:], 1)
    digits = text[:-1] if scale != 1 else text
    if not digits.isdigit() or int(digits) * scale < 1:
        raise ValueError(f"{value!r} is not a positive number of characters (e.g. 20000000 or 20M)")
    return int(digits) * scale


def max_chars_from(environ: Mapping[str, str] | None = None) -> int:
    """The bound set by ``GEOMAP_MAX_CHARS`` in ``environ`` (default: the process's), else
    :data:`MAX_CHARS`.

    Raises
    ------
    InputError
        The variable is set to something other than a positive number.
    """
    raw = (os.environ if environ is None else environ).get(ENV_VAR, "").strip()
    if not raw:
        return MAX_CHARS
    try:
        return parse_chars(raw)
    except ValueError as exc:
        raise InputError(f"{ENV_VAR}={raw}: {exc}; set it to a number of characters or unset it") from None


def byte_bound(max_chars: int) -> int:
    """Bytes that may hold a text of ``max_chars`` characters in any encoding (and a BOM)."""
    return 4 * max_chars + 4


def _message(name: str, what: str, max_chars: int) -> str:
    return (f"{name} {what}, more than the limit of {max_chars:,} characters a document: split it into "
            f"smaller files, or raise the limit with --max-chars (or {ENV_VAR})")


def line_bound(max_chars: int) -> int:
    """Bytes that may hold one JSON Lines record whose text has ``max_chars`` characters (JSON
    may escape a character in six bytes), with room for its id and metadata."""
    return 6 * max_chars + 1024


def too_long_line(name: str, max_chars: int) -> str:
    """Why a JSON Lines line beyond :func:`line_bound` is refused."""
    return _message(name, f"has a line longer than {line_bound(max_chars):,} bytes", max_chars)


def check_text(name: str, text: str, max_chars: int) -> str:
    """``text``, or :class:`TooLong` when it holds more than ``max_chars`` characters."""
    if len(text) > max_chars:
        raise TooLong(_message(name, f"holds {len(text):,} characters", max_chars))
    return text


def read_bounded(name: str, stream: IO[bytes], max_chars: int) -> bytes:
    """All of ``stream``, read only up to the byte bound (:class:`TooLong` beyond it)."""
    limit = byte_bound(max_chars)
    pieces: list[bytes] = []
    size = 0
    while size <= limit:  # a stream may return less than asked before its end
        piece = stream.read(limit + 1 - size)
        if not piece:
            break
        pieces.append(piece)
        size += len(piece)
    data = b"".join(pieces)
    if len(data) > limit:
        raise TooLong(_message(name, f"is larger than {limit:,} bytes", max_chars))
    return data


def read_file_bounded(path: Path, max_chars: int) -> bytes:
    """The bytes of a file, refused on its size when it is beyond the byte bound.

    Raises
    ------
    TooLong
        The file is larger than :func:`byte_bound` bytes (it is not read).
    OSError
        As :meth:`pathlib.Path.open` raises it.
    """
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size > byte_bound(max_chars):
            raise TooLong(_message(str(path), f"is {size:,} bytes", max_chars))
        return read_bounded(str(path), handle, max_chars)  # a file that grows while read stops at the bound


def gunzip_lines(name: str, compressed: bytes, max_chars: int, *, max_ratio: int = MAX_RATIO) -> Iterator[bytes]:
    """The lines (without their ``\\n``) of gzip data, decompressed a piece at a time.

    A line may hold up to :func:`byte_bound` bytes plus JSON's escapes (six bytes a
    character); the whole may grow to ``max_ratio`` times the compressed size (or the byte
    bound, if more). Beyond either, :class:`TooLong` stops the reading: the data is never
    decompressed whole.

    Raises
    ------
    TooLong
        A line or the whole is beyond its bound.
    InputError
        The data is not valid gzip.

    Examples
    --------
    >>> import gzip
    >>> list(gunzip_lines("x.gz", gzip.compress(b'{"text": "Kyiv"}\\n\\n{}'), 100))
    [b'{"text": "Kyiv"}', b'', b'{}']
    """
    if not compressed:
        yield b""
        return
    line_limit = line_bound(max_chars)
    total_limit = max(byte_bound(max_chars), max_ratio * len(compressed))
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
    pending = b""
    total = 0
    data = compressed
    try:
        while True:
            piece = inflater.decompress(data, _CHUNK)
            data = inflater.unconsumed_tail
            if not piece and inflater.eof and inflater.unused_data:
                # another gzip member follows (gzip files may be concatenated)
                data = inflater.unused_data
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
                continue
            total += len(piece)
            if total > total_limit:
                raise TooLong(f"{name} decompresses to more than {total_limit:,} bytes ({max_ratio} times its "
                              f"size or the --max-chars bound): it looks like a decompression bomb; "
                              f"decompress it yourself if you trust it")
            lines = (pending + piece).split(b"\n")
            pending = lines.pop()
            if len(pending) > line_limit or any(len(line) > line_limit for line in lines):
                raise TooLong(too_long_line(name, max_chars))
            yield from lines
            if not piece and (inflater.eof or not data):
                break
    except zlib.error as exc:
        raise InputError(f"{name} is not a valid gzip file ({exc}): give a .jsonl.gz made with gzip") from None
    if not inflater.eof:
        raise InputError(f"{name} is not a valid gzip file (it ends early): give a .jsonl.gz made with gzip")
    yield pending


def bounded_lines(handle: IO[bytes], max_chars: int) -> Iterator[bytes | None]:
    """The lines of a binary stream (with their ``\\n``), each read only up to
    :func:`line_bound` bytes: a longer line is skipped a piece at a time and stands as
    ``None``, so that a reader can report it and go on with the next line.

    Examples
    --------
    >>> import io
    >>> list(bounded_lines(io.BytesIO(b"ab\\n" + b"x" * 7000 + b"\\ncd"), 1))
    [b'ab\\n', None, b'cd']
    """
    limit = line_bound(max_chars)
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        while line and not line.endswith(b"\n"):  # skip the rest of the line, never holding it
            line = handle.readline(_CHUNK)
        yield None
