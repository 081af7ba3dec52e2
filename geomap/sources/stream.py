"""Streaming mode of the reader: a corpus of any size read lazily, one document at a time.

The same inputs as :func:`geomap.sources.files.read_inputs`, with the same ids; only JSON Lines
(files, files in directories, standard input) are read line by line, a malformed line becoming
an :class:`~geomap.model.UnreadableDocument` instead of stopping the run.
"""

from __future__ import annotations

import gzip
import json
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from ..errors import InputError
from ..model import Item, SourceDocument, UnreadableDocument
from . import files as gio
from .files import METADATA_KEYS, _documents_from_bytes
from .web import is_url

__all__ = ["stream_inputs", "count_documents"]


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

InputErrorHandler = Callable[[str, InputError], None]


def stream_inputs(
    inputs: Iterable[str],
    *,
    stdin: IO[bytes] | None = None,
    on_error: InputErrorHandler | None = None,
    follow: bool = False,
    fetch_options: Any = None,
) -> Iterator[Item]:
    """The documents of the inputs, read lazily and in order, for a batch run.

    The same inputs as :func:`geomap.sources.files.read_inputs`, with the same ids, but nothing is held
    in memory beyond the document being read:

    - a ``.jsonl`` (or ``.jsonl.gz``) file is read line by line; a malformed line becomes an
      :class:`UnreadableDocument` (id ``FILE:LINE``, or the record's id when it has one) and
      reading goes on;
    - a directory is walked and each article file in it read in turn (a JSON Lines file in it
      line by line);
    - ``-`` (standard input) is read line by line when it holds JSON Lines (plain or gzip),
      else as one article, page or feed;
    - everything else (text, HTML, feeds, addresses) goes through
      :func:`~geomap.sources.files.read_inputs`.

    Parameters
    ----------
    inputs
        Paths (files or directories), ``http(s)://`` addresses, or ``-``.
    stdin
        The stream ``-`` reads (default: the process's standard input).
    on_error
        Called as ``on_error(input, error)`` when an input (a named file, a file of a
        directory, an address) cannot be read; reading goes on with the next. Without it the
        error is raised.
    follow, fetch_options
        As for :func:`geomap.sources.files.read_inputs`.

    Raises
    ------
    InputError
        An input cannot be read (only without ``on_error``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> corpus = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = corpus.write_text('{"id": "a", "text": "Kyiv"}\\n{"id": \\n', encoding="utf-8")
    >>> [(type(d).__name__, d.id) for d in stream_inputs([str(corpus)])]   # doctest: +ELLIPSIS
    [('SourceDocument', 'a'), ('UnreadableDocument', '...c.jsonl:2')]
    """
    def guarded(name: str, items: Iterator[Item]) -> Iterator[Item]:
        try:
            yield from items
        except InputError as exc:
            if on_error is None:
                raise
            on_error(name, exc)

    for name in inputs:
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from guarded("-", _stream_stdin(stream, follow, fetch_options))
            continue
        path = Path(name)
        if is_url(name):
            yield from gio.read_inputs([name], follow=follow, fetch_options=fetch_options, on_error=on_error)
        elif path.is_dir():
            try:
                files = list(gio._walk(path))
            except InputError as exc:
                if on_error is None:
                    raise
                on_error(name, exc)
                continue
            for file, doc_id in files:
                if file.name.lower().endswith(_JSONL_NAMES):
                    yield from guarded(str(file), _stream_jsonl(file))
                else:
                    yield from guarded(str(file), gio._read_path(file, doc_id, follow, fetch_options))
        elif name.lower().endswith(_JSONL_NAMES) and path.is_file():
            yield from guarded(name, _stream_jsonl(path))
        else:
            yield from gio.read_inputs([name], follow=follow, fetch_options=fetch_options, on_error=on_error)


def _jsonl_stem(name: str) -> str:
    for suffix in _JSONL_NAMES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _stream_jsonl(path: Path) -> Iterator[Item]:
    """The documents of a JSON Lines file (``.gz`` too), one line at a time."""
    try:
        if path.name.lower().endswith(".gz"):
            handle: IO[bytes] = gzip.open(path, "rb")
        else:
            handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}): check the path") from None
    with handle:
        yield from _jsonl_lines(handle, str(path), _jsonl_stem(path.name), broken=(OSError, EOFError, zlib.error))


def _jsonl_lines(lines: Iterable[bytes], where: str, stem: str, *,
                 broken: tuple[type[BaseException], ...] = (OSError,)) -> Iterator[Item]:
    """The documents of JSON Lines read from ``lines``; ``where`` names the source in messages."""
    number = documents = 0
    iterator = iter(lines)
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            break
        except broken as exc:  # unreadable, or a broken compressed stream
            after = f"after line {number}" if number else "at all"
            raise InputError(f"{where} cannot be read {after} ({exc}): give an intact, readable file") from None
        number += 1
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        documents += 1
        yield _jsonl_record(raw, f"{where}:{number}", f"{stem}-{number}", METADATA_KEYS)
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
        if self._head:
            cut = self._head.find(b"\n")
            if cut >= 0:
                data, self._head = self._head[:cut + 1], self._head[cut + 1:]
                return data
            data, self._head = self._head + self._rest.readline(), b""
            return data
        return self._rest.readline()

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def _stream_stdin(stream: IO[bytes], follow: bool, fetch_options: Any) -> Iterator[Item]:
    """Standard input: JSON Lines (plain or gzip) line by line, else one article, page or feed."""
    head = stream.read(2)
    source: Any = _Prefixed(head, stream)
    compressed = head.startswith(_GZIP_MAGIC)
    if compressed:
        source = gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[arg-type]
        yield from _jsonl_lines(source, "<stdin>", "stdin", broken=(OSError, EOFError, zlib.error))
        return
    skipped = b""
    line = source.readline()
    while line and not line.strip():  # blank lines before the first record
        skipped += line
        line = source.readline()
    if _is_json_object(line):
        yield from _jsonl_lines(_Prefixed(skipped + line, source), "<stdin>", "stdin")
        return
    data = skipped + line + source.read()
    yield from _documents_from_bytes("<stdin>", "stdin", data, follow=follow, fetch_options=fetch_options)


def _is_json_object(line: bytes) -> bool:
    if not line.lstrip(b"\xef\xbb\xbf \t").startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(line.decode("utf-8-sig")), dict)
    except (UnicodeDecodeError, ValueError):
        return False


def _jsonl_record(raw: bytes, where: str, default_id: str, metadata_keys: Sequence[str]) -> Item:
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
    title = record.get("title")
    metadata = {k: str(v) for k, v in record.items() if k in metadata_keys and v is not None}
    return SourceDocument(doc_id, body, title if isinstance(title, str) else None, MappingProxyType(metadata))
