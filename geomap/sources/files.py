"""Reading articles: files, directories, standard input, addresses.

Inputs (see :func:`read_inputs`):

- a text file (``.txt``, ``.md``, anything else that is text), in any common encoding;
- an HTML page saved to disk (its main text and metadata are extracted with trafilatura,
  boilerplate left out);
- an RSS or Atom feed file (``.rss``, ``.atom``, ``.xml``, or sniffed), one document per item;
- a ``.jsonl`` (or ``.jsonl.gz``) file of ``{"id": ..., "text": ...}`` objects;
- a directory, read recursively for the files above;
- an ``http(s)://`` address (fetched only because the user gave it; see :mod:`geomap.sources.web`);
- ``-`` for standard input.

Every problem is an :class:`~geomap.errors.InputError` naming the input (and line) and the fix.
Decoding bytes is :mod:`geomap.sources.decode`'s job; writing outputs is :mod:`geomap.outputs.write`'s.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import re
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from ..errors import InputError
from ..model import METADATA_KEYS, Item, SourceDocument
from . import web
from .decode import binary_kind, decode_text, declared_charset
from .limits import MAX_CHARS, check_text, gunzip_lines, line_bound, read_bounded, read_file_bounded
from .stream import _GZIP_MAGIC, _is_json_object, _jsonl_lines, _Prefixed, _stream_jsonl
from .web import FetchOptions

__all__ = ["read_inputs", "stream_inputs", "read_file_list", "read_text", "DIRECTORY_SUFFIXES", "METADATA_KEYS"]

log = logging.getLogger(__name__)

_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_FEED_SUFFIXES = (".rss", ".atom", ".xml")
_MARKDOWN_SUFFIXES = (".md", ".markdown")
#: The files a directory input is searched (recursively) for.
DIRECTORY_SUFFIXES = (".txt", ".text", *_MARKDOWN_SUFFIXES, *_HTML_SUFFIXES, *_JSONL_SUFFIXES, ".rss", ".atom")


ErrorHandler = Callable[[str, InputError], None]
#: Whether to fetch the pages feed items link to: for every item, or for those a test accepts.
Follow = bool | Callable[[Mapping[str, str]], bool]


def read_inputs(
    inputs: Iterable[str],
    *,
    stdin: IO[bytes] | None = None,
    follow: Follow = False,
    fetch_options: FetchOptions | None = None,
    on_error: ErrorHandler | None = None,
    stream: bool = False,
    max_chars: int = MAX_CHARS,
) -> Iterator[Item]:
    """Yield the documents of each input in order, lazily.

    Parameters
    ----------
    inputs
        Paths (files or directories), ``http(s)://`` addresses, or ``-`` for ``stdin``.
    stdin
        The stream ``-`` reads (default: the process's standard input).
    follow
        For feed items, fetch each item's link and map the linked page's main text instead of
        the item's own summary. A callable ``follow(metadata)`` follows only the items it
        accepts (the CLI passes its ``--since``/``--until`` test, so that the pages of items
        left out are never fetched).
    fetch_options
        Timeout, size limit, redirects and user agent for addresses (see
        :class:`geomap.sources.web.FetchOptions`). Nothing is fetched unless an input is an address
        (or ``follow`` is set and a feed has links).
    on_error
        Called as ``on_error(input, error)`` when an input fails; reading then goes on with
        the next input (each file of a directory counts as one). Without it the first error
        is raised.
    stream
        Streaming mode, for corpora of any size (batch runs): nothing is held in memory beyond
        the document being read. JSON Lines (files, files of a directory, and standard input
        when it holds JSON Lines, plain or gzip) are read line by line, and a malformed line
        becomes an :class:`~geomap.model.UnreadableDocument` (id ``FILE:LINE``, or the record's
        id when it has one) instead of an error; duplicate ids are not looked for. Without it,
        a JSON Lines file is checked in full before its first document is yielded.
    max_chars
        Characters of text a document may hold at most: an input with more is refused while
        it is read, never held whole (see :mod:`geomap.sources.limits`); in streaming mode a
        JSON Lines record beyond it becomes an unreadable document.

    Raises
    ------
    InputError
        An input is missing, empty, binary, undecodable, malformed, unreachable, not a page
        or too long (:class:`~geomap.sources.limits.TooLong`) (only when ``on_error`` is
        ``None``).

    Examples
    --------
    >>> docs = list(read_inputs(["examples/frontline_report.txt"]))   # doctest: +SKIP
    >>> docs[0].id                                                     # doctest: +SKIP
    'frontline_report'
    """
    for name in inputs:
        if not name.startswith(("http://", "https://", "HTTP://", "HTTPS://")) and name != "-" \
                and Path(name).is_dir():
            try:
                files = list(_walk(Path(name)))
            except InputError as exc:
                if on_error is None:
                    raise
                on_error(name, exc)
                continue
            for path, doc_id in files:
                yield from _guarded(str(path), _read_path(path, doc_id, follow, fetch_options, stream, max_chars),
                                    on_error)
            continue
        yield from _guarded(name, _read_one(name, stdin, follow, fetch_options, stream, max_chars), on_error)


def stream_inputs(
    inputs: Iterable[str],
    *,
    stdin: IO[bytes] | None = None,
    on_error: ErrorHandler | None = None,
    follow: Follow = False,
    fetch_options: FetchOptions | None = None,
    max_chars: int = MAX_CHARS,
) -> Iterator[Item]:
    """:func:`read_inputs` in streaming mode (``stream=True``), for a batch run.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> corpus = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = corpus.write_text('{"id": "a", "text": "Kyiv"}\\n{"id": \\n', encoding="utf-8")
    >>> [(type(d).__name__, d.id) for d in stream_inputs([str(corpus)])]   # doctest: +ELLIPSIS
    [('SourceDocument', 'a'), ('UnreadableDocument', '...c.jsonl:2')]
    """
    return read_inputs(inputs, stdin=stdin, follow=follow, fetch_options=fetch_options, on_error=on_error,
                       stream=True, max_chars=max_chars)


def _guarded(name: str, documents: Iterator[Item], on_error: ErrorHandler | None) -> Iterator[Item]:
    if on_error is None:
        yield from documents
        return
    try:
        yield from documents
    except InputError as exc:
        on_error(name, exc)


def _read_one(name: str, stdin: IO[bytes] | None, follow: bool, fetch_options: FetchOptions | None,
              streaming: bool = False, max_chars: int = MAX_CHARS) -> Iterator[Item]:
    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        if streaming:
            yield from _stream_stdin(stream, follow, fetch_options, max_chars)
            return
        yield from _documents_from_bytes("<stdin>", "stdin", read_bounded("<stdin>", stream, max_chars),
                                         follow=follow, fetch_options=fetch_options, max_chars=max_chars)
    elif web.is_url(name):
        yield from _checked(name, web.url_documents(name, follow=follow, options=fetch_options), max_chars)
    else:
        path = Path(name)
        yield from _read_path(path, path.stem or "document", follow, fetch_options, streaming, max_chars)


def _read_path(path: Path, doc_id: str, follow: bool, fetch_options: FetchOptions | None,
               stream: bool = False, max_chars: int = MAX_CHARS) -> Iterator[Item]:
    if path.name.lower().endswith(_JSONL_SUFFIXES):
        yield from _stream_jsonl(path, max_chars) if stream and path.is_file() else _read_jsonl(path, max_chars)
    else:
        yield from _documents_from_bytes(str(path), doc_id, _read_bytes(path, max_chars), follow=follow,
                                         fetch_options=fetch_options, max_chars=max_chars)


def _checked(name: str, documents: Iterable[SourceDocument], max_chars: int) -> Iterator[SourceDocument]:
    """The documents, each refused (:class:`~geomap.sources.limits.TooLong`) when its text is
    longer than ``max_chars``."""
    for doc in documents:
        yield SourceDocument(doc.id, check_text(name if name.endswith(doc.id) else f"{name} (document {doc.id})",
                                                doc.text, max_chars), doc.title, doc.metadata)


def _stream_stdin(stream: IO[bytes], follow: bool, fetch_options: Any, max_chars: int = MAX_CHARS) -> Iterator[Item]:
    """Standard input: JSON Lines (plain or gzip) line by line, else one article, page or feed
    (each line, and the article, read only up to the bound on text)."""
    head = stream.read(2)
    source: Any = _Prefixed(head, stream)
    compressed = head.startswith(_GZIP_MAGIC)
    if compressed:
        source = gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[arg-type]
        yield from _jsonl_lines(source, "<stdin>", "stdin", broken=(OSError, EOFError, zlib.error),
                                max_chars=max_chars)
        return
    skipped = b""
    limit = line_bound(max_chars)
    line = source.readline(limit)
    while line.endswith(b"\n") and not line.strip() and len(skipped) <= limit:  # blank lines before the first record
        skipped += line
        line = source.readline(limit)
    if _is_json_object(line):
        yield from _jsonl_lines(_Prefixed(skipped + line, source), "<stdin>", "stdin", max_chars=max_chars)
        return
    data = read_bounded("<stdin>", _Prefixed(skipped + line, source), max_chars)
    yield from _documents_from_bytes("<stdin>", "stdin", data, follow=follow, fetch_options=fetch_options,
                                     max_chars=max_chars)


def _walk(root: Path) -> Iterator[tuple[Path, str]]:
    """The article files under ``root`` with their ids (paths relative to ``root``), sorted by
    that path; hidden files and folders are skipped, symbolic links to folders not followed."""
    found: list[tuple[str, Path]] = []
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for filename in filenames:
            if filename.startswith(".") or not filename.lower().endswith(DIRECTORY_SUFFIXES):
                continue
            path = Path(directory) / filename
            found.append((path.relative_to(root).as_posix(), path))
    for relative, path in sorted(found):
        yield path, relative
    if not found:
        kinds = ", ".join(DIRECTORY_SUFFIXES)
        raise InputError(f"{root} is a directory with no article files ({kinds}): give another directory or the files")


def read_file_list(source: str, *, stdin: IO[bytes] | None = None) -> list[str]:
    """The inputs listed in ``source`` (a file, or ``-`` for standard input), one per line.

    Blank lines and lines starting with ``#`` are skipped; surrounding white space is removed.
    Relative paths are taken relative to the current directory.

    Examples
    --------
    >>> import io
    >>> read_file_list("-", stdin=io.BytesIO(b"a.txt\\n\\n# notes\\nhttps://example.org/x\\n"))
    ['a.txt', 'https://example.org/x']
    """
    if source == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        name, data = "the file list on standard input", stream.read()
    else:
        name, data = f"file list {source}", _read_bytes(Path(source))
    text = decode_text(name, data)
    names = [line.strip() for line in text.split("\n")]
    names = [n for n in names if n and not n.startswith("#")]
    if "-" in names:
        raise InputError(f"{name} lists '-': standard input cannot be read from a file list")
    if not names:
        raise InputError(f"{name} lists no inputs: give one path or address per line")
    return names


def _read_bytes(path: Path, max_chars: int | None = None) -> bytes:
    """The file's bytes; with ``max_chars``, refused unread when too large for that much text."""
    try:
        if path.is_dir():
            raise InputError(f"{path} is a directory: give the article files inside it")
        return path.read_bytes() if max_chars is None else read_file_bounded(path, max_chars)
    except FileNotFoundError:
        raise InputError(f"{path} does not exist: check the path") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied): check its permissions") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}): check the path") from None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a text file (any common encoding) with the same checks as the CLI applies to inputs."""
    path = Path(path)
    return decode_text(str(path), _read_bytes(path))


# -- documents from bytes -----------------------------------------------------------------------


def _documents_from_bytes(name: str, doc_id: str, data: bytes, *, follow: bool = False,
                          fetch_options: FetchOptions | None = None,
                          max_chars: int = MAX_CHARS) -> Iterator[SourceDocument]:
    yield from _checked(name, _parsed(name, doc_id, data, follow, fetch_options), max_chars)


def _parsed(name: str, doc_id: str, data: bytes, follow: bool,
            fetch_options: FetchOptions | None) -> Iterator[SourceDocument]:
    lower = name.lower()
    if lower.endswith(_FEED_SUFFIXES) or web.is_feed(data):
        if binary_kind(data) is not None:
            decode_text(name, data)  # raises the binary-file error
        yield from web.feed_documents(data, name=name, doc_id=doc_id, follow=follow, options=fetch_options)
        return
    text = decode_text(name, data, declared=declared_charset(data))
    if not text.strip():
        raise InputError(f"{name} is empty: give an article with some text")
    if lower.endswith(_HTML_SUFFIXES) or _looks_like_html(text):
        article = web.extract_article(text)
        if not article.text.strip():
            raise InputError(f"{name} is an HTML page with no article text: save the article's page")
        yield SourceDocument(id=doc_id, text=article.text, title=article.title, metadata=article.metadata)
        return
    if lower.endswith(_MARKDOWN_SUFFIXES):
        title, metadata, text = _markdown(text)
        if not text.strip():
            raise InputError(f"{name} has front matter but no text: give an article with some text")
        yield SourceDocument(id=doc_id, text=text, title=title, metadata=metadata)
        return
    yield SourceDocument(id=doc_id, text=text)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)


def _markdown(text: str) -> tuple[str | None, Mapping[str, str], str]:
    """Title and metadata from YAML front matter; links and images reduced to their words."""
    title: str | None = None
    metadata: dict[str, str] = {}
    match = _FRONT_MATTER.match(text)
    if match:
        import yaml

        try:
            front = yaml.safe_load(match.group(1))
        except yaml.YAMLError:
            front = None
        if isinstance(front, dict):
            text = text[match.end():]
            if isinstance(front.get("title"), str):
                title = front["title"].strip() or None
            for key in METADATA_KEYS:
                value = front.get(key)
                if key == "date" and value is not None and hasattr(value, "isoformat"):
                    value = value.isoformat()
                if isinstance(value, (str, int, float)) and str(value).strip():
                    metadata[key] = str(value).strip()
    text = _MD_IMAGE.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub(r"\1", text)
    return title, MappingProxyType(metadata), text.strip("\n")


def jsonl_stem(name: str) -> str:
    """A JSON Lines file's name without its suffix ("news.jsonl.gz" -> "news"): the stem of the
    ids of its lines that have none."""
    for suffix in _JSONL_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def document_from_record(where: str, record: object, default_id: str) -> SourceDocument:
    """The document of one JSON Lines record (``text``, ``id``, ``title`` and the
    :data:`METADATA_KEYS`); ``where`` (file:line) names the record in errors."""
    if not isinstance(record, dict):
        raise InputError(f"{where}: expected a JSON object with \"id\" and \"text\"")
    body = record.get("text")
    if not isinstance(body, str):
        raise InputError(f"{where}: \"text\" is missing or not a string")
    doc_id = record.get("id", default_id)
    if not isinstance(doc_id, (str, int)):
        raise InputError(f"{where}: \"id\" must be a string or a number")
    title = record.get("title")
    metadata = {k: str(v) for k, v in record.items() if k in METADATA_KEYS and v is not None}
    return SourceDocument(str(doc_id), body, title if isinstance(title, str) else None, MappingProxyType(metadata))


def _read_jsonl(path: Path, max_chars: int = MAX_CHARS) -> Iterator[SourceDocument]:
    """All the documents of a JSON Lines file, checked in full before the first is yielded (a
    ``.gz`` one decompressed a piece at a time, within the bounds of :func:`gunzip_lines`)."""
    data = _read_bytes(path)
    if path.name.lower().endswith(".gz"):
        data = b"\n".join(gunzip_lines(str(path), data, max_chars))
    text = decode_text(str(path), data)
    if not text.strip():
        raise InputError(f"{path} is empty: give one JSON object per line")
    stem = jsonl_stem(path.name)
    seen: set[str] = set()
    documents: list[SourceDocument] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg}): fix or remove that line") from None
        document = document_from_record(where, record, f"{stem}-{number}")
        check_text(where, document.text, max_chars)
        if document.id in seen:
            raise InputError(f"{where}: duplicate id {document.id!r}: ids must be unique")
        seen.add(document.id)
        documents.append(document)
    yield from documents
