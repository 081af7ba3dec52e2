"""The streaming mode of the reader (:func:`geomap.sources.files.read_inputs` with
``stream=True``): JSON Lines read one line at a time, a malformed line becoming an
:class:`~geomap.model.UnreadableDocument` instead of stopping the run; and a cheap count of the
documents of the inputs, for a progress bar.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import IO

from ..errors import InputError
from ..model import METADATA_KEYS, Item, SourceDocument, UnreadableDocument
from .limits import MAX_CHARS, TooLong, bounded_lines, check_text, too_long_line

__all__ = ["count_documents"]


def count_documents(inputs: Sequence[str]) -> int | None:
    """How many documents the inputs hold, when that is cheap to know (for a progress bar).

    A ``.jsonl`` file counts its non-blank lines (one fast pass over the bytes); a text or
    HTML file counts one. Standard input, compressed files and directories are not counted
    (``None``: the progress bar then shows the count and rate without an estimate of the time
    left).
    """
    total = 0
    for name in inputs:
        path = Path(name)
        if name == "-" or not path.is_file():
            return None
        suffixes = [s.lower() for s in path.suffixes]
        if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zst"):
            return None
        if suffixes and suffixes[-1] in (".jsonl", ".ndjson"):
            try:
                total += _count_lines(path)
            except OSError:
                return None
        else:
            total += 1
    return total


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if not line.isspace())


_JSONL_NAMES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_GZIP_MAGIC = b"\x1f\x8b"

def _jsonl_stem(name: str) -> str:
    for suffix in _JSONL_NAMES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _stream_jsonl(path: Path, max_chars: int = MAX_CHARS) -> Iterator[Item]:
    """The documents of a JSON Lines file (``.gz`` too), one line at a time."""
    try:
        if path.name.lower().endswith(".gz"):
            handle: IO[bytes] = gzip.open(path, "rb")
        else:
            handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}): check the path") from None
    with handle:
        yield from _jsonl_lines(handle, str(path), _jsonl_stem(path.name), broken=(OSError, EOFError, zlib.error),
                                max_chars=max_chars)


def _jsonl_lines(handle: IO[bytes], where: str, stem: str, *, broken: tuple[type[BaseException], ...] = (OSError,),
                 max_chars: int = MAX_CHARS) -> Iterator[Item]:
    """The documents of JSON Lines read from ``handle``, each line only up to the bound on text
    (a longer one is skipped unread and reported); ``where`` names the source in messages."""
    number = documents = 0
    iterator = bounded_lines(handle, max_chars)
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            break
        except broken as exc:  # unreadable, or a broken compressed stream
            after = f"after line {number}" if number else "at all"
            raise InputError(f"{where} cannot be read {after} ({exc}): give an intact, readable file") from None
        number += 1
        if raw is None:  # a line too long for any document within the bound
            documents += 1
            yield UnreadableDocument(f"{where}:{number}", too_long_line(f"{where}:{number}", max_chars))
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        documents += 1
        yield _jsonl_record(raw, f"{where}:{number}", f"{stem}-{number}", METADATA_KEYS, max_chars)
    if documents == 0:
        raise InputError(f"{where} is empty: give one JSON object per line")


class _Prefixed:
    """A binary stream with some bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        if self._head:
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)

    def readline(self, size: int = -1) -> bytes:
        bounded = size is not None and size >= 0
        if self._head:
            cut = self._head.find(b"\n")
            end = cut + 1 if cut >= 0 else len(self._head)
            if bounded and end > size:
                end = size
            if cut >= 0 or end < len(self._head):
                data, self._head = self._head[:end], self._head[end:]
                return data
            data, self._head = self._head + self._rest.readline(size - len(self._head) if bounded else -1), b""
            return data
        return self._rest.readline(size if bounded else -1)

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def _is_json_object(line: bytes) -> bool:
    if not line.lstrip(b"\xef\xbb\xbf \t").startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(line.decode("utf-8-sig")), dict)
    except (UnicodeDecodeError, ValueError):
        return False


def _jsonl_record(raw: bytes, where: str, default_id: str, metadata_keys: Sequence[str],
                  max_chars: int = MAX_CHARS) -> Item:
    """One line of a JSONL corpus: a document, or why it is unreadable (same rules as
    :func:`geomap.sources.files.read_inputs`, except that duplicate ids are not looked for: that would
    need memory that grows with the corpus)."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return UnreadableDocument(where, f"{where}: not valid UTF-8 (byte {exc.start}): fix or remove that line")
    except json.JSONDecodeError as exc:
        return UnreadableDocument(where, f"{where}: not valid JSON ({exc.msg}): fix or remove that line")
    if not isinstance(record, dict):
        return UnreadableDocument(where, f"{where}: expected a JSON object with \"id\" and \"text\"")
    doc_id = record.get("id", default_id)
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        return UnreadableDocument(where, f"{where}: \"id\" must be a string or a number")
    doc_id = str(doc_id)
    body = record.get("text")
    if not isinstance(body, str):
        return UnreadableDocument(doc_id, f"{where}: \"text\" is missing or not a string")
    try:
        check_text(where, body, max_chars)
    except TooLong as exc:
        return UnreadableDocument(doc_id, str(exc))
    title = record.get("title")
    metadata = {k: str(v) for k, v in record.items() if k in metadata_keys and v is not None}
    return SourceDocument(doc_id, body, title if isinstance(title, str) else None, MappingProxyType(metadata))
