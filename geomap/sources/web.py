"""Articles where they live: web addresses, saved pages and RSS/Atom feeds.

- :func:`fetch` downloads an ``http(s)://`` address with a user agent, a timeout, a size limit
  and a bounded number of redirects. It is called only for an address the user gave (or, with
  ``follow``, the links of a feed the user gave): a file input never touches the network.
- :func:`extract_article` takes the main text of an HTML page and its metadata (title, date,
  author, site, canonical URL) with trafilatura, leaving out menus, comments, "Related
  articles" lists and share buttons.
- :func:`feed_documents` turns each item of an RSS or Atom feed into a document (title, link,
  date, and the item's text, or with ``follow`` the linked page's main text).

Every failure is an :class:`~geomap.errors.InputError` with a one-line message that names the
address and the fix.
"""

from __future__ import annotations

import email.utils
import http.client
import io
import logging
import re
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType

from .._version import __version__
from ..errors import InputError
from ..model import SourceDocument
from .decode import binary_kind, decode_text, declared_charset, html_to_text

__all__ = ["FetchOptions", "Fetched", "Article", "is_url", "url_stem", "fetch", "extract_article", "is_feed",
           "feed_documents", "url_documents", "url_article", "USER_AGENT"]

log = logging.getLogger(__name__)


def _user_agent() -> str:
    return f"geomap/{__version__} (article place mapper; Python urllib)"


#: The User-Agent header sent with every request.
USER_AGENT = _user_agent()

_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
               "text/xml", "application/x-rss+xml"}
_TEXT_TYPES = {"text/plain"}
_ACCEPT = ("text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
           "application/xml;q=0.9,text/xml;q=0.9,text/plain;q=0.8,*/*;q=0.1")
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """How addresses are fetched.

    Parameters
    ----------
    timeout
        Seconds allowed to connect and to receive the whole answer.
    max_bytes
        Largest answer accepted, in bytes (after gzip decompression).
    max_redirects
        Redirects followed before giving up.
    user_agent
        The User-Agent header.

    Examples
    --------
    >>> FetchOptions(timeout=5).max_bytes
    10000000
    """

    timeout: float = 20.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    user_agent: str = field(default_factory=lambda: USER_AGENT)

    def __post_init__(self) -> None:
        if not self.timeout > 0:
            raise ValueError(f"timeout must be positive, not {self.timeout!r}")
        if self.max_bytes < 1:
            raise ValueError(f"max_bytes must be positive, not {self.max_bytes!r}")
        if self.max_redirects < 0:
            raise ValueError(f"max_redirects must be zero or more, not {self.max_redirects!r}")


@dataclass(frozen=True, slots=True)
class Fetched:
    """A downloaded answer: the address asked for, the final one after redirects, the media
    type and charset of its Content-Type header, and the body (decompressed)."""

    url: str
    final_url: str
    media_type: str
    charset: str | None
    body: bytes


@dataclass(frozen=True, slots=True)
class Article:
    """The main text of a page, its title, and its metadata (``date``, ``url``, ``site``,
    ``author``, each only when found)."""

    title: str | None
    text: str
    metadata: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


def is_url(name: str) -> bool:
    """Whether an input names a web address (``http://`` or ``https://``).

    Examples
    --------
    >>> is_url("https://example.org/a"), is_url("article.html")
    (True, False)
    """
    return name[:8].lower().startswith(("http://", "https://"))


def url_stem(url: str) -> str:
    """A file-name stem for an address: its last path segment, else its host.

    Examples
    --------
    >>> url_stem("https://news.example/world/night-of-sirens.html?page=2"), url_stem("https://news.example/")
    ('night-of-sirens', 'news.example')
    """
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "page"
    segments = [s for s in parts.path.split("/") if s]
    stem = urllib.parse.unquote(segments[-1]).rsplit(".", 1)[0] if segments else host
    stem = re.sub(r"[^\w.-]+", "-", stem).strip(".-")
    return stem[:80] or host or "page"


# -- fetching -----------------------------------------------------------------------------------


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int) -> None:
        super().__init__()
        self.max_redirections = limit
        self.max_repeats = min(limit, 4)

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102 - urllib's hook
        if self.max_redirections == 0:
            return None  # urllib then raises the 3xx as an HTTPError
        target = urllib.parse.urljoin(req.full_url, newurl)
        if not is_url(target):  # urllib would also follow ftp:// (and file:// is refused later)
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(options: FetchOptions, host: str) -> urllib.request.OpenerDirector:
    loopback = host in ("localhost", "127.0.0.1", "::1")
    proxies = urllib.request.ProxyHandler({}) if loopback else urllib.request.ProxyHandler()
    return urllib.request.build_opener(proxies, _Redirects(options.max_redirects))


def fetch(url: str, options: FetchOptions | None = None) -> Fetched:
    """Download ``url`` within the limits of ``options``.

    Raises
    ------
    InputError
        The address is malformed or unreachable, answers with an HTTP error, redirects too
        often, takes longer than the timeout, or is larger than the size limit.

    Examples
    --------
    >>> page = fetch("https://example.org/")       # doctest: +SKIP
    >>> page.media_type                             # doctest: +SKIP
    'text/html'
    """
    options = options or FetchOptions()
    try:
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise InputError(f"{url} is not a valid web address: give an http:// or https:// URL")
    request = urllib.request.Request(url, headers={
        "User-Agent": options.user_agent, "Accept": _ACCEPT, "Accept-Encoding": "gzip",
        "Accept-Language": "en;q=1.0, *;q=0.5"})
    deadline = time.monotonic() + options.timeout
    started = time.monotonic()
    try:
        with _opener(options, host).open(request, timeout=options.timeout) as response:
            final_url = response.geturl()
            headers = response.headers
            length = headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > options.max_bytes:
                raise InputError(_too_large(url, options, int(length)))
            body = _read_limited(url, response, options, deadline)
            encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
            body = _decompress(url, body, encoding, options)
            media_type = headers.get_content_type().lower() if headers.get("Content-Type") else ""
            charset = headers.get_content_charset()
    except InputError:
        raise
    except urllib.error.HTTPError as exc:
        exc.close()
        if 300 <= exc.code < 400:
            raise InputError(f"{url}: too many redirects, or a redirect to a non-web address (HTTP {exc.code}; "
                             f"at most {options.max_redirects} followed): open it in a browser and give "
                             f"the final address") from None
        reason = exc.reason or http.client.responses.get(exc.code, "")
        raise InputError(f"{url}: the server answered HTTP {exc.code} {reason}: check the address") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, TimeoutError):
            raise InputError(_timed_out(url, options)) from None
        raise InputError(f"{url} cannot be reached ({_reason(exc.reason)}): check the address and the "
                         f"network connection") from None
    except TimeoutError:
        raise InputError(_timed_out(url, options)) from None
    except (http.client.HTTPException, ssl.SSLError, ConnectionError) as exc:
        raise InputError(f"{url}: the connection failed ({_reason(exc)}): try again later") from None
    except ValueError as exc:  # urllib's own checks of malformed addresses
        raise InputError(f"{url} is not a valid web address ({exc}): check it") from None
    log.debug("fetched %s (%d bytes, %s) in %.2f s%s", url, len(body), media_type or "no type",
              time.monotonic() - started, f" via {final_url}" if final_url != url else "")
    return Fetched(url, final_url, media_type, charset, body)


def _read_limited(url: str, response, options: FetchOptions, deadline: float) -> bytes:
    # read1 returns what has arrived (one system call) rather than waiting for 64 KiB: a server
    # that trickles bytes is stopped at the deadline, not when it chooses to finish.
    read = getattr(response, "read1", None) or response.read
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise InputError(_timed_out(url, options))
        chunk = read(65536)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > options.max_bytes:
            raise InputError(_too_large(url, options))
        chunks.append(chunk)


def _decompress(url: str, body: bytes, encoding: str, options: FetchOptions) -> bytes:
    if encoding in ("identity", ""):
        return body
    if encoding not in ("gzip", "x-gzip"):
        raise InputError(f"{url}: the server used an unsupported Content-Encoding {encoding!r}: "
                         f"save the page in a browser and give the file")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, options.max_bytes + 1)
    except zlib.error as exc:
        raise InputError(f"{url}: the server sent broken gzip data ({exc}): try again later") from None
    if len(out) > options.max_bytes:
        raise InputError(_too_large(url, options))
    return out


def _too_large(url: str, options: FetchOptions, size: int | None = None) -> str:
    what = f" ({size / 1e6:.1f} MB)" if size else ""
    return (f"{url} is larger than the {options.max_bytes / 1e6:g} MB limit{what}: raise --max-size, "
            f"or save the article's page and give the file")


def _timed_out(url: str, options: FetchOptions) -> str:
    return (f"{url}: no complete answer within {options.timeout:g} s: try again later, or raise --timeout")


def _reason(reason: object) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return " ".join(str(text).split())


# -- pages --------------------------------------------------------------------------------------


#: Elements that are never the article, whatever trafilatura's heuristics say of a short page.
_PRUNE = ["//nav", "//aside", "//footer", "//form",
          "//*[@role='navigation' or @role='complementary' or @role='contentinfo' or @role='search']"]


def extract_article(html: str, *, url: str | None = None) -> Article:
    """The main text and metadata of an HTML page, boilerplate left out.

    trafilatura finds the article body (menus, comments, related links and share buttons are
    left out) and the metadata: ``date`` (ISO 8601, from the page's markup only, never guessed
    from its text), ``author``, ``site`` and ``url`` (the canonical address, else ``url``).
    When trafilatura finds no body, geomap's plain tag stripper is used.

    Examples
    --------
    >>> page = "<html><head><title>T</title></head><body><nav>Menu</nav><p>Kyiv.</p></body></html>"
    >>> extract_article(page).text
    'Kyiv.'
    """
    import trafilatura

    try:
        found = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=True,
            include_images=False, include_links=False, include_formatting=False, prune_xpath=_PRUNE,
            date_extraction_params={"extensive_search": False, "original_date": True,
                                    "outputformat": "%Y-%m-%d"})
    except Exception as exc:  # noqa: BLE001 - hostile markup must not crash the run
        log.debug("trafilatura failed on %s: %s", url or "page", exc)
        found = None
    fallback_title, fallback_text = html_to_text(html) if found is None or not (found.text or "").strip() \
        else (None, "")
    text = (found.text or "").strip() if found is not None else ""
    if not text:
        log.debug("trafilatura found no main text in %s; using the plain text of the page", url or "page")
        text = fallback_text
    title = _clean(found.title) if found is not None else None
    metadata: dict[str, str] = {}
    if found is not None:
        for key, value in (("date", found.date), ("author", found.author),
                           ("site", found.sitename or found.hostname), ("url", found.url)):
            value = _clean(value)
            if value:
                metadata[key] = value
    if url and "url" not in metadata:
        metadata["url"] = url
    if "url" in metadata and not is_url(metadata["url"]):
        del metadata["url"]  # only web addresses are kept as links
    return Article(title or fallback_title, _paragraphs(text), MappingProxyType(metadata))


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _paragraphs(text: str) -> str:
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n\n".join(line for line in lines if line)


# -- feeds --------------------------------------------------------------------------------------

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")


def is_feed(data: bytes) -> bool:
    """Whether the bytes look like an RSS or Atom feed (its root element, near the start).

    Examples
    --------
    >>> is_feed(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>'), is_feed(b"<html>")
    (True, False)
    """
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<?xml"):
        end = head.find(b"?>")
        head = head[end + 2:] if end >= 0 else head
    head = re.sub(rb"<!--.*?-->|<\?.*?\?>|<!DOCTYPE[^>\[]*(?:\[.*?\])?[^>]*>", b"", head, flags=re.DOTALL).lstrip()
    return _FEED_ROOT.match(head) is not None


def feed_documents(
    data: bytes,
    *,
    name: str,
    doc_id: str | None = None,
    base_url: str | None = None,
    content_type: str | None = None,
    follow: bool | Callable[[Mapping[str, str]], bool] = False,
    options: FetchOptions | None = None,
) -> Iterator[SourceDocument]:
    """One document per item of an RSS or Atom feed.

    Each document has the item's title, its link as ``url``, its date as ``date`` (ISO 8601,
    the offset as the feed gives it), the feed's title as ``site`` and the item's author.
    Its text is the item's content (or summary), or with ``follow`` the main text of the page
    the item links to; when that page cannot be fetched the item's own text is kept and a
    warning is logged. A callable ``follow(metadata)`` follows only the items it accepts
    (given the item's ``date``, ``url``, ``site`` and ``author``).

    Raises
    ------
    InputError
        The data is not a feed, or a feed with no item that has text.
    """
    import feedparser

    headers = {}
    if base_url:
        headers["content-location"] = base_url
    if content_type:
        headers["content-type"] = content_type
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers or None, sanitize_html=True,
                              resolve_relative_uris=True)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            problem = " ".join(str(parsed.get("bozo_exception", "not XML")).split())
            raise InputError(f"{name} is not a valid RSS or Atom feed ({problem}): give the feed's file or address")
        raise InputError(f"{name} is a feed with no items: nothing to map")
    site = _clean(parsed.feed.get("title"))
    prefix = doc_id or name
    yielded = 0
    seen: set[str] = set()
    for number, entry in enumerate(parsed.entries, start=1):
        title = _clean(entry.get("title"))
        link = entry.get("link") if is_url(entry.get("link") or "") else None
        item_id = str(entry.get("id") or link or f"{prefix}#{number}")
        if item_id in seen:
            item_id = f"{item_id}#{number}"
        seen.add(item_id)
        text = _entry_text(entry)
        metadata: dict[str, str] = {}
        date = _entry_date(entry)
        if date:
            metadata["date"] = date
        if link:
            metadata["url"] = link
        if site:
            metadata["site"] = site
        author = _clean(entry.get("author"))
        if author:
            metadata["author"] = author
        followed = False
        if follow and link and (not callable(follow) or follow(MappingProxyType(metadata))):
            try:
                page = url_article(link, options)
            except InputError as exc:
                log.warning("%s; kept the feed item's own text", exc)
            else:
                followed = bool(page.text.strip())
                text = page.text if followed else text
                title = title or page.title
                for key in ("url", "site", "author", "date"):
                    if key in page.metadata and (key in ("url", "site") or key not in metadata):
                        metadata[key] = page.metadata[key]
        if not followed and title and not text.startswith(title):
            text = f"{title}\n\n{text}" if text else title  # the headline names places too
        if not text.strip():
            log.warning("%s: item %d has no title or text: skipped", name, number)
            continue
        yielded += 1
        yield SourceDocument(item_id, text, title, MappingProxyType(metadata))
    if not yielded:
        raise InputError(f"{name}: no item of the feed has any text: nothing to map")


def _entry_text(entry) -> str:
    parts = entry.get("content") or []
    value, kind = None, "text/html"
    for part in parts:
        if part.get("value", "").strip():
            value, kind = part["value"], part.get("type", "text/html")
            break
    if value is None:
        detail = entry.get("summary_detail") or {}
        value, kind = entry.get("summary", ""), detail.get("type", "text/html")
    if not value:
        return ""
    if kind == "text/plain":
        return _paragraphs(value)
    return _paragraphs(html_to_text(value)[1])


def _entry_date(entry) -> str | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if not raw:
            continue
        parsed = _parse_feed_date(raw)
        if parsed is not None:
            return parsed
        struct = entry.get(f"{key}_parsed")
        if struct:
            return datetime(*struct[:6], tzinfo=timezone.utc).isoformat()
    return None


def _parse_feed_date(raw: str) -> str | None:
    raw = raw.strip()
    try:  # Atom: RFC 3339
        value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
        return value.isoformat()
    except ValueError:
        pass
    try:  # RSS: RFC 822
        value = email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    return value.isoformat() if value is not None else None


# -- addresses ----------------------------------------------------------------------------------


def url_documents(url: str, *, follow: bool | Callable[[Mapping[str, str]], bool] = False,
                  options: FetchOptions | None = None) -> Iterator[SourceDocument]:
    """The documents at a web address: one for a page, one per item for a feed.

    Raises
    ------
    InputError
        Fetching fails (see :func:`fetch`), or the answer is not a page, text or feed.
    """
    fetched = fetch(url, options)
    if _is_feed_answer(fetched):
        yield from feed_documents(fetched.body, name=url, doc_id=url, base_url=fetched.final_url,
                                  content_type=fetched.media_type, follow=follow, options=options)
        return
    article = _article_of(fetched)
    yield SourceDocument(url, article.text, article.title, article.metadata)


def url_article(url: str, options: FetchOptions | None = None) -> Article:
    """Fetch a page and extract its article (used for the links of feed items)."""
    fetched = fetch(url, options)
    if _is_feed_answer(fetched):
        raise InputError(f"{url} is a feed, not an article page")
    return _article_of(fetched)


def _is_feed_answer(fetched: Fetched) -> bool:
    return binary_kind(fetched.body) is None and (
        fetched.media_type in _FEED_TYPES - {"application/xml", "text/xml"} or is_feed(fetched.body))


def _article_of(fetched: Fetched) -> Article:
    url, media_type, body = fetched.url, fetched.media_type, fetched.body
    kind = binary_kind(body)
    if kind is not None:
        label = f"labelled {media_type}" if media_type else "with no Content-Type"
        raise InputError(f"{url} sent binary data ({kind}) {label}, not a web page: give the address of "
                         f"an HTML article or an RSS/Atom feed")
    if media_type and media_type not in _HTML_TYPES | _TEXT_TYPES | _FEED_TYPES:
        raise InputError(f"{url} is not a web page (Content-Type {media_type}): give the address of an HTML "
                         f"article or an RSS/Atom feed")
    declared = fetched.charset or declared_charset(body)
    text = decode_text(url, body, declared=declared)
    if not text.strip():
        raise InputError(f"{url} answered with an empty page: check the address")
    if media_type in _TEXT_TYPES:
        return Article(None, text.strip(), MappingProxyType({"url": fetched.final_url}))
    article = extract_article(text, url=fetched.final_url)
    if not article.text.strip():
        raise InputError(f"{url} is a page with no article text: give the address of an article")
    return article
