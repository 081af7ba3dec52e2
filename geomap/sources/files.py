"""Reading articles and writing outputs safely.

Inputs (see :func:`read_inputs`):

- a text file (``.txt``, ``.md``, anything else that is text), in any common encoding;
- an HTML page saved to disk (its main text and metadata are extracted with trafilatura,
  boilerplate left out);
- an RSS or Atom feed file (``.rss``, ``.atom``, ``.xml``, or sniffed), one document per item;
- a ``.jsonl`` (or ``.jsonl.gz``) file of ``{"id": ..., "text": ...}`` objects;
- a directory, read recursively for the files above;
- an ``http(s)://`` address (fetched only because the user gave it; see :mod:`geomap.web`);
- ``-`` for standard input.

Every problem is an :class:`~geomap.errors.InputError` naming the input (and line) and the fix.

Outputs are written atomically: to a temporary file beside the destination, then renamed, so
that a failure never leaves a half-written file or destroys the previous one.
"""

from __future__ import annotations

import codecs
import gzip
import json
import logging
import os
import re
import sys
import tempfile
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING

from .errors import InputError, OutputError

if TYPE_CHECKING:  # pragma: no cover
    from .web import FetchOptions

__all__ = ["SourceDocument", "read_inputs", "read_file_list", "read_text", "decode_text", "html_to_text",
           "write_atomic", "check_output", "DIRECTORY_SUFFIXES"]

log = logging.getLogger(__name__)

_EMPTY: Mapping[str, str] = MappingProxyType({})
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_FEED_SUFFIXES = (".rss", ".atom", ".xml")
_MARKDOWN_SUFFIXES = (".md", ".markdown")
#: The files a directory input is searched (recursively) for.
DIRECTORY_SUFFIXES = (".txt", ".text", *_MARKDOWN_SUFFIXES, *_HTML_SUFFIXES, *_JSONL_SUFFIXES, ".rss", ".atom")
#: The metadata keys carried from JSONL records, pages and feeds.
METADATA_KEYS = ("date", "url", "site", "author", "source")


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """A document to process: its id, text and metadata.

    ``metadata`` holds strings under the keys ``date`` (ISO 8601: ``2024-03-05`` or
    ``2024-03-05T06:30:00+02:00``), ``url`` (the article's canonical address), ``site`` (the
    publication), ``author`` and ``source``, each only when known.
    """

    id: str
    text: str
    title: str | None = None
    metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


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
) -> Iterator[SourceDocument]:
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
        :class:`geomap.web.FetchOptions`). Nothing is fetched unless an input is an address
        (or ``follow`` is set and a feed has links).
    on_error
        Called as ``on_error(input, error)`` when an input fails; reading then goes on with
        the next input (each file of a directory counts as one). Without it the first error
        is raised.

    Raises
    ------
    InputError
        An input is missing, empty, binary, undecodable, malformed, unreachable or not a page
        (only when ``on_error`` is ``None``).

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
                yield from _guarded(str(path), _read_path(path, doc_id, follow, fetch_options), on_error)
            continue
        yield from _guarded(name, _read_one(name, stdin, follow, fetch_options), on_error)


def _guarded(name: str, documents: Iterator[SourceDocument], on_error: ErrorHandler | None) -> Iterator[SourceDocument]:
    if on_error is None:
        yield from documents
        return
    try:
        yield from documents
    except InputError as exc:
        on_error(name, exc)


def _read_one(name: str, stdin: IO[bytes] | None, follow: bool,
              fetch_options: FetchOptions | None) -> Iterator[SourceDocument]:
    from . import web

    if name == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        yield from _documents_from_bytes("<stdin>", "stdin", stream.read(), follow=follow, fetch_options=fetch_options)
    elif web.is_url(name):
        yield from web.url_documents(name, follow=follow, options=fetch_options)
    else:
        path = Path(name)
        yield from _read_path(path, path.stem or "document", follow, fetch_options)


def _read_path(path: Path, doc_id: str, follow: bool, fetch_options: FetchOptions | None) -> Iterator[SourceDocument]:
    if path.name.lower().endswith(_JSONL_SUFFIXES):
        yield from _read_jsonl(path)
    else:
        yield from _documents_from_bytes(str(path), doc_id, _read_bytes(path), follow=follow,
                                         fetch_options=fetch_options)


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


# -- encodings ----------------------------------------------------------------------------------

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"), (b"\xff\xd8\xff", "JPEG image"), (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"), (b"%PDF-", "PDF document"), (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"), (b"\x7fELF", "executable"), (b"\xd0\xcf\x11\xe0", "Office document"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"), (b"\xfd7zXZ\x00", "xz data"), (b"ID3\x02", "MP3 audio"),
    (b"ID3\x03", "MP3 audio"), (b"ID3\x04", "MP3 audio"), (b"\xca\xfe\xba\xbe", "executable"),
    (b"MZ\x90\x00", "executable"),
)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
#: Single-byte encodings preferred, in this order, when a guess is otherwise a tie.
_PREFERRED = ("cp1252", "cp1251", "koi8_r", "iso8859_15", "iso8859_1", "cp1250", "iso8859_2", "koi8_u",
              "cp1253", "cp1254", "cp1257", "iso8859_5", "mac_cyrillic", "cp866")
_WEB_ALIASES = {"ascii": "cp1252", "iso8859_1": "cp1252"}  # as browsers do


def binary_kind(data: bytes) -> str | None:
    """What binary data looks like ("PNG image", "binary data"), or ``None`` for text.

    Examples
    --------
    >>> binary_kind(b"%PDF-1.7 ..."), binary_kind(b"Kyiv")
    ('PDF document', None)
    """
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[8:12] == b"WEBP" and data.startswith(b"RIFF"):
        return "WebP image"
    if re.match(rb"BZh[1-9]1AY&SY", data):
        return "bzip2 data"
    if b"\x00" in data[:8192]:
        return "binary data"
    return None


def decode_text(name: str, data: bytes, *, declared: str | None = None) -> str:
    """Decode bytes of text, detecting the encoding when it is not UTF-8; newlines normalised.

    The order is: a byte-order mark; the ``declared`` charset (an HTTP header or an HTML
    ``<meta charset>``) when the bytes decode with it; UTF-8; then a guess by
    charset-normalizer among single-byte encodings (cp1251, cp1252, KOI8-R, ...), logged at
    debug level. Binary data and bytes that fit no encoding are refused.

    Raises
    ------
    InputError
        The data is binary or in no encoding that fits.

    Examples
    --------
    >>> decode_text("a.txt", "Київ і Харків".encode("cp1251"))
    'Київ і Харків'
    """
    text = _decode(name, data, declared)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode(name: str, data: bytes, declared: str | None) -> str:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise InputError(f"{name} starts with a {encoding} byte-order mark but is not {encoding}: "
                                 f"convert it to UTF-8") from None
    kind = binary_kind(data)
    if kind is not None:
        what = "binary" if kind == "binary data" else f"binary ({kind})"
        raise InputError(f"{name} is a {what} file, not text: give a .txt, .html or .jsonl article")
    if declared:
        encoding = _codec(declared)
        if encoding is not None:
            encoding = _WEB_ALIASES.get(encoding, encoding)
            try:
                text = data.decode(encoding)
                log.debug("%s: decoded as declared %s", name, encoding)
                return text
            except UnicodeDecodeError:
                log.debug("%s: declared charset %s does not fit the bytes; detecting", name, declared)
        else:
            log.debug("%s: unknown declared charset %r; detecting", name, declared)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc.start
    encoding, text = _guess(data)
    if encoding is None or _control_ratio(text) > 0.02:
        raise InputError(
            f"{name} is not text in any encoding geomap recognises (not UTF-8 at byte {utf8_error}): "
            f"convert it to UTF-8, e.g. `iconv -f <its encoding> -t utf-8 {name}`")
    log.debug("%s: not UTF-8; decoded as %s (guessed by charset-normalizer)", name, encoding)
    return text


def _codec(label: str) -> str | None:
    try:
        return codecs.lookup(label.strip().strip("\"'")).name.replace("-", "_").replace("iso_", "iso")
    except (LookupError, ValueError):
        return None


def _guess(data: bytes) -> tuple[str | None, str]:
    from charset_normalizer import from_bytes

    results = list(from_bytes(data))
    candidates: dict[str, int] = {}
    if results:
        best = results[0]
        for rank, match in enumerate(results):
            if match.chaos <= best.chaos + 0.01 and match.coherence >= best.coherence - 0.02:
                candidates.setdefault(_codec(match.encoding) or match.encoding, rank)
        short = best.coherence < 0.2  # too little text for language statistics: add the usual suspects
    else:
        short = len(data) < 64
    if short:
        for encoding in ("cp1252", "cp1251", "koi8_r"):
            candidates.setdefault(encoding, len(candidates) + 100)
    scored: list[tuple[tuple[int, int, int], str, str]] = []
    for encoding, rank in candidates.items():
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        preference = _PREFERRED.index(encoding) if encoding in _PREFERRED else len(_PREFERRED)
        scored.append(((_implausibility(text[:65536]), preference, rank), encoding, text))
    if not scored:
        return None, ""
    _, encoding, text = min(scored)
    return encoding, text


def _script(char: str) -> str:
    code = ord(char)
    if code < 0x250:
        return "latin"
    if 0x370 <= code < 0x400:
        return "greek"
    if 0x400 <= code < 0x530:
        return "cyrillic"
    if 0x590 <= code < 0x600:
        return "hebrew"
    if 0x600 <= code < 0x700:
        return "arabic"
    return unicodedata.name(char, "other").split(" ")[0].lower()


def _implausibility(text: str) -> int:
    """A penalty for signs of a wrong decoding: words mixing scripts ("cafщ"), Latin words
    made only of accented letters ("Õàðüêîâ", Cyrillic read as cp1252), control characters."""
    penalty = 0
    for word in re.findall(r"[^\W\d_]+", text):
        scripts = {_script(c) for c in word}
        if len(scripts) > 1:
            penalty += 3
        elif scripts == {"latin"} and len(word) >= 3 and not any(c.isascii() for c in word):
            penalty += 1
    for char in text:
        category = unicodedata.category(char)
        if (category == "Cc" and char not in "\t\n\r\f\v") or category in ("Co", "Cn"):
            penalty += 5
        elif category == "So":
            penalty += 1
    return penalty


def _control_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = sum(1 for c in text if unicodedata.category(c) in ("Cc", "Co", "Cn") and c not in "\t\n\r\f\v")
    return bad / len(text)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML ``<meta>`` or an XML declaration names in the first 4 KiB, if any."""
    head = data[:4096]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a text file (any common encoding) with the same checks as the CLI applies to inputs."""
    path = Path(path)
    return decode_text(str(path), _read_bytes(path))


# -- documents from bytes -----------------------------------------------------------------------


def _documents_from_bytes(name: str, doc_id: str, data: bytes, *, follow: bool = False,
                          fetch_options: FetchOptions | None = None) -> Iterator[SourceDocument]:
    from . import web

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


def _read_jsonl(path: Path) -> Iterator[SourceDocument]:
    """All the documents of a JSON Lines file, checked in full before the first is yielded."""
    data = _read_bytes(path)
    if path.name.lower().endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError(f"{path} is not a valid gzip file ({exc}): give a .jsonl.gz made with gzip") from None
    text = decode_text(str(path), data)
    if not text.strip():
        raise InputError(f"{path} is empty: give one JSON object per line")
    stem = path.name
    for suffix in _JSONL_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
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
        if not isinstance(record, dict):
            raise InputError(f"{where}: expected a JSON object with \"id\" and \"text\"")
        body = record.get("text")
        if not isinstance(body, str):
            raise InputError(f"{where}: \"text\" is missing or not a string")
        doc_id = record.get("id", f"{stem}-{number}")
        if not isinstance(doc_id, (str, int)):
            raise InputError(f"{where}: \"id\" must be a string or a number")
        doc_id = str(doc_id)
        if doc_id in seen:
            raise InputError(f"{where}: duplicate id {doc_id!r}: ids must be unique")
        seen.add(doc_id)
        title = record.get("title")
        metadata = {k: str(v) for k, v in record.items() if k in METADATA_KEYS and v is not None}
        documents.append(SourceDocument(doc_id, body, title if isinstance(title, str) else None,
                                        MappingProxyType(metadata)))
    yield from documents


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
    """Refuse an output path that is an input or whose directory cannot be created.

    "An input" is the same file by any name (a relative path, a symbolic or hard link) or an
    article file inside an input directory.
    """
    out = Path(path)
    for name in inputs if out.is_file() else ():
        if name == "-" or "://" in name:
            continue
        source = Path(name)
        try:
            if source.is_dir():
                same = (out.resolve().is_relative_to(source.resolve())
                        and out.name.lower().endswith(DIRECTORY_SUFFIXES))
            else:
                same = source.exists() and os.path.samefile(out, source)
        except OSError:
            continue
        if same:
            raise OutputError(f"output {out} is also an input: choose another -o path")
    if out.exists() and out.is_dir():
        raise OutputError(f"output {out} is a directory: give a file name")
    return out


def _mode_for(out: Path) -> int:
    """The permissions of the file being replaced (a private file stays private), else 0o644."""
    try:
        return out.stat().st_mode & 0o7777
    except OSError:
        return 0o644


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` completely or not at all.

    The data goes to a temporary file beside ``path``, is flushed to disk, and is then renamed
    over ``path``: a reader sees the old file or the new one, never a mixture, and a failure
    (a full disk, an interruption) leaves the old file as it was. A replaced file keeps its
    permissions.

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
            handle.flush()
            os.fsync(handle.fileno())  # the data is on disk before the name points at it
        os.chmod(tmp, _mode_for(out))
        os.replace(tmp, out)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {out} ({exc.strerror or exc}): choose a writable -o path") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
