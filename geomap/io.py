"""Reading articles and writing outputs safely.

Inputs: a text file, an HTML file (its main text is extracted), ``-`` for standard input, or
a ``.jsonl`` file of ``{"id": ..., "text": ...}`` objects. Every problem is an
:class:`~geomap.errors.InputError` naming the input (and line) and the fix.

Outputs are written atomically: to a temporary file beside the destination, then renamed, so
that a failure never leaves a half-written file or destroys the previous one.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import IO

from .errors import InputError, OutputError

__all__ = ["SourceDocument", "read_inputs", "read_text", "html_to_text", "write_atomic", "check_output"]

_EMPTY: Mapping[str, str] = MappingProxyType({})
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A document to process: its id, text and metadata."""

    id: str
    text: str
    title: str | None = None
    metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


def read_inputs(inputs: Sequence[str], *, stdin: IO[bytes] | None = None) -> Iterator[SourceDocument]:
    """Yield the documents of each input in order.

    Raises
    ------
    InputError
        An input is missing, empty, binary, not UTF-8, or a malformed JSONL line.
    """
    for name in inputs:
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read()
            yield from _documents_from_bytes("<stdin>", "stdin", data)
            continue
        path = Path(name)
        if path.suffix.lower() in _JSONL_SUFFIXES:
            yield from _read_jsonl(path)
        else:
            yield from _documents_from_bytes(name, path.stem or "document", _read_bytes(path))


def _read_bytes(path: Path) -> bytes:
    try:
        if path.is_dir():
            raise InputError(f"{path} is a directory: give the article files inside it")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path} does not exist: check the path") from None
    except PermissionError:
        raise InputError(f"{path} cannot be read (permission denied): check its permissions") from None
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}): check the path") from None


def _decode(name: str, data: bytes) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} is a binary file, not text: give a .txt, .html or .jsonl article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} is not valid UTF-8 (byte {exc.start}): convert it, e.g. "
            f"`iconv -f cp1252 -t utf-8 {name}`"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 text file with the same checks as the CLI applies to inputs."""
    path = Path(path)
    return _decode(str(path), _read_bytes(path))


def _documents_from_bytes(name: str, doc_id: str, data: bytes) -> Iterator[SourceDocument]:
    text = _decode(name, data)
    if not text.strip():
        raise InputError(f"{name} is empty: give an article with some text")
    title = None
    if name.lower().endswith(tuple(_HTML_SUFFIXES)) or _looks_like_html(text):
        title, text = html_to_text(text)
        if not text.strip():
            raise InputError(f"{name} is an HTML page with no article text: save the article's page")
    yield SourceDocument(id=doc_id, text=text, title=title)


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:512].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _read_jsonl(path: Path) -> Iterator[SourceDocument]:
    data = _read_bytes(path)
    text = _decode(str(path), data)
    if not text.strip():
        raise InputError(f"{path} is empty: give one JSON object per line")
    seen: set[str] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not valid JSON ({exc.msg}): fix or remove that line") from None
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object with \"id\" and \"text\"")
        body = record.get("text")
        if not isinstance(body, str):
            raise InputError(f"{where}: \"text\" is missing or not a string")
        doc_id = record.get("id", f"{path.stem}-{number}")
        if not isinstance(doc_id, (str, int)):
            raise InputError(f"{where}: \"id\" must be a string or a number")
        doc_id = str(doc_id)
        if doc_id in seen:
            raise InputError(f"{where}: duplicate id {doc_id!r}: ids must be unique")
        seen.add(doc_id)
        title = record.get("title")
        metadata = {k: str(v) for k, v in record.items()
                    if k in ("date", "url", "source", "author", "site") and v is not None}
        yield SourceDocument(doc_id, body, title if isinstance(title, str) else None,
                             MappingProxyType(metadata))


# -- HTML ---------------------------------------------------------------------------------------

_SKIP_TAGS = {"script", "style", "noscript", "nav", "header", "footer", "aside", "form",
              "button", "svg", "iframe", "template", "select"}
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "article", "section", "tr", "pre", "figcaption", "dd", "dt"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title_parts: list[str] = []
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n" if tag != "br" else "\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS and self._skip:
            self._skip -= 1
        elif tag == "title":
            self._in_title = False
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str | None, str]:
    """Return ``(title, main text)`` of an HTML page, leaving scripts, menus and footers out.

    Examples
    --------
    >>> html_to_text("<title>T</title><nav>Menu</nav><p>Kyiv &amp; Kharkiv.</p>")
    ('T', 'Kyiv & Kharkiv.')
    """
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    title = " ".join("".join(parser.title_parts).split()) or None
    return title, text


# -- outputs ------------------------------------------------------------------------------------


def check_output(path: str | os.PathLike[str], inputs: Sequence[str] = ()) -> Path:
    """Refuse an output path that is an input or whose directory cannot be created."""
    out = Path(path)
    for name in inputs:
        if name != "-" and Path(name).exists() and out.exists() and out.resolve() == Path(name).resolve():
            raise OutputError(f"output {out} is also an input: choose another -o path")
    if out.exists() and out.is_dir():
        raise OutputError(f"output {out} is a directory: give a file name")
    return out


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` completely or not at all.

    Raises
    ------
    OutputError
        The directory cannot be created or written.
    """
    out = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    except OSError as exc:
        raise OutputError(
            f"cannot write {out} ({exc.strerror or exc}): choose a writable -o path"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {out} ({exc.strerror or exc}): choose a writable -o path") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
