"""Bytes to text: binary data refused, the encoding detected, HTML reduced to its words.

Every problem is an :class:`~geomap.errors.InputError` naming the input and the fix.
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata
from html.parser import HTMLParser

from ..errors import InputError

__all__ = ["binary_kind", "decode_text", "declared_charset", "html_to_text"]

log = logging.getLogger(__name__)

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
