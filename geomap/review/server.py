"""``geomap review --serve``: the review page on a local server that saves the decisions file.

The static page saves decisions as a download. Served, it has a "Save" button that sends the
file's new text to this server, which checks it and writes it in place, so the next
``geomap map --decisions FILE`` follows at once.

Safety:

- the server listens on 127.0.0.1 only, answers only requests whose ``Host`` is that address
  or ``localhost`` (no DNS rebinding), and takes a save only with the random token the page
  carries (a page from elsewhere cannot save);
- the text is validated as a decisions file (against the gazetteer) before it is written, and
  written atomically; a file that changed on disk since the server last read or wrote it is
  never overwritten (the page says to reload);
- it serves nothing but the page.
"""

from __future__ import annotations

import json
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from gazetteer import Gazetteer

from ..errors import DecisionError
from ..outputs.write import write_atomic
from .decisions import parse_decisions
from .page import decision_lines

__all__ = ["ReviewServer", "new_token"]

log = logging.getLogger(__name__)

_MAX_BODY = 20 * 1024 * 1024


def new_token() -> str:
    """A random token for :func:`geomap.review.page.review_html` (``serve_token``)."""
    return secrets.token_urlsafe(24)


@dataclass
class _State:
    page: bytes
    path: Path
    token: str
    base: str | None
    gazetteer: Gazetteer | None
    lock: threading.Lock


class ReviewServer:
    """A local HTTP server for one review page and its decisions file.

    Parameters
    ----------
    page
        The review page (made with the same ``token`` as ``serve_token``).
    decisions_path
        The decisions file the page edits; its current text is the base the page started from.
    token
        The page's token (:func:`new_token`).
    gazetteer
        Checks the place ids of a saved file.
    port
        0 picks a free port.

    Examples
    --------
    >>> server = ReviewServer(page, path, token, gazetteer)      # doctest: +SKIP
    >>> server.url                                                # doctest: +SKIP
    'http://127.0.0.1:40123/'
    >>> server.serve_forever()                                    # doctest: +SKIP
    """

    def __init__(self, page: str, decisions_path: str | Path, token: str, gazetteer: Gazetteer | None = None,
                 *, port: int = 0, on_save: Callable[[Path], None] | None = None) -> None:
        path = Path(decisions_path)
        base = path.read_text("utf-8-sig") if path.exists() else None
        state = _State(page.encode("utf-8"), path, token, base, gazetteer, threading.Lock())
        handler = type("Handler", (_Handler,), {"state": state, "on_save": staticmethod(on_save or (lambda p: None))})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self._httpd.daemon_threads = True

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT/``."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/"

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (from another thread) or KeyboardInterrupt."""
        self._httpd.serve_forever()

    def shutdown(self) -> None:
        """Stop serving and close the socket."""
        self._httpd.shutdown()
        self._httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    state: _State
    on_save: Callable[[Path], None]
    server_version = "geomap-review"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        log.debug("review server: " + format, *args)

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]").lower()
        return host in ("127.0.0.1", "localhost")

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self' 'unsafe-inline' data: blob:; "
                         "connect-src 'self'; img-src * data: blob:")
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: HTTPStatus, obj: dict) -> None:
        self._send(status, json.dumps(obj).encode("utf-8"), "application/json")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if not self._host_ok():
            return self._send(HTTPStatus.FORBIDDEN, b"forbidden", "text/plain")
        if self.path.split("?", 1)[0] not in ("/", "/index.html"):
            return self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
        self._send(HTTPStatus.OK, self.state.page, "text/html; charset=utf-8")

    def do_POST(self) -> None:  # noqa: N802
        state = self.state
        if not self._host_ok() or self.path != "/decisions":
            return self._json(HTTPStatus.FORBIDDEN, {"error": "forbidden"})
        if not secrets.compare_digest(self.headers.get("X-Geomap-Token", ""), state.token):
            return self._json(HTTPStatus.FORBIDDEN, {"error": "this page may not save: reload it from the server"})
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= _MAX_BODY:
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "no decisions sent"})
        try:
            text = json.loads(self.rfile.read(length).decode("utf-8"))["text"]
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return self._json(HTTPStatus.BAD_REQUEST, {"error": "expected {\"text\": ...}"})
        with state.lock:
            current = state.path.read_text("utf-8-sig") if state.path.exists() else None
            if current != state.base:
                return self._json(HTTPStatus.CONFLICT, {
                    "error": f"{state.path} changed on disk since this page was made: run geomap review "
                             "again and reload, so that its edits are not lost"})
            try:
                parse_decisions(text, source=str(state.path), gazetteer=state.gazetteer)
                entries, tail, _ = decision_lines(text)
            except DecisionError as exc:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            write_atomic(state.path, text)
            state.base = text
        log.info("saved %s", state.path)
        self.on_save(state.path)
        self._json(HTTPStatus.OK, {"saved": str(state.path), "text": text, "tail": tail,
                                   "entries": [{"key": e.key, "start": e.start, "end": e.end, "indent": e.indent,
                                                "choice": e.choice} for e in entries]})
