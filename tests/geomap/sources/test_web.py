"""Inputs that are web addresses and feeds, against a server this module runs on 127.0.0.1
(split from test_inputs.py with issue #15)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import trafilatura  # noqa: F401 - imported here: urllib3 probes IPv6 with a socket on first import

from geomap.cli import main
from geomap.errors import InputError
from geomap.sources.files import read_inputs

WEB = Path(__file__).parents[2] / "fixtures" / "web"
CYRILLIC = "Жители Харькова провели ночь в убежищах. В Киеве также звучали сирены, сообщили власти."


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- web addresses and feeds, against a local server on 127.0.0.1 -------------------------------
#
# Every request goes to a server this test module runs on the loopback interface; pytest-socket
# lets these tests connect to 127.0.0.1 and nowhere else.

local_only = pytest.mark.allow_hosts(["127.0.0.1"])

_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
_CP1251_PAGE = ("<html><head><title>Ночь сирен</title></head><body><article>"
                f"<p>{CYRILLIC}</p><p>{CYRILLIC}</p></article></body></html>").encode("cp1251")


class _Site:
    """What the local server serves, and what it was asked."""

    def __init__(self) -> None:
        import threading

        self.requests: list[tuple[str, str]] = []   # (path, User-Agent)
        self.release = threading.Event()            # ends the slow answers at teardown
        self.base = ""

    def url(self, path: str) -> str:
        return self.base + path


def _handler(site: _Site):
    from http.server import BaseHTTPRequestHandler

    def page(name: str) -> bytes:
        return (WEB / name).read_bytes()

    def feed(name: str) -> bytes:
        data = (WEB / name).read_bytes()
        return data.replace(b"http://news.example", site.base.encode()).replace(
            b"http://courier.example", site.base.encode())

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep pytest's output clean
            return

        def _send(self, status: int, body: bytes, content_type: str | None, *, length: bool = True,
                  headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 - http.server's hook
            site.requests.append((self.path, self.headers.get("User-Agent", "")))
            path = self.path.split("?")[0]
            if path == "/articles/night-of-sirens":
                self._send(200, page("night_of_sirens.html"), "text/html; charset=utf-8")
            elif path == "/articles/grain-port":
                self._send(200, page("grain_port.html"), "text/html")
            elif path == "/ledger.rss":
                self._send(200, feed("ledger_feed.xml"), "application/rss+xml")
            elif path == "/courier.atom":
                self._send(200, feed("courier_atom.xml"), "application/xml; charset=utf-8")
            elif path == "/old-address":
                self._send(301, b"", None, headers={"Location": "/articles/night-of-sirens"})
            elif path == "/loop":
                self._send(302, b"", None, headers={"Location": "/loop"})
            elif path == "/to-ftp":
                self._send(302, b"", None, headers={"Location": "ftp://127.0.0.1:21/article.html"})
            elif path == "/to-file":
                self._send(301, b"", None, headers={"Location": "file:///etc/passwd"})
            elif path == "/photo.html":
                self._send(200, _PNG, "text/html; charset=utf-8")
            elif path == "/report.pdf":
                self._send(200, b"%PDF-1.7\n" + bytes(range(256)), "application/pdf")
            elif path == "/cyrillic.html":  # neither a header nor a <meta> names the charset
                self._send(200, _CP1251_PAGE, "text/html")
            elif path == "/huge.html":  # announces its size
                self._send(200, b"<html><body><p>" + b"Kyiv " * 40_000 + b"</p></body></html>", "text/html")
            elif path == "/endless.html":  # no Content-Length: the limit must stop the download
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"<html><body><p>")
                for _ in range(1000):
                    try:
                        self.wfile.write(b"Kharkiv " * 1000)
                    except OSError:
                        return
            elif path == "/silent.html":  # accepts the connection, never answers
                site.release.wait(30)
            elif path == "/trickle.html":  # answers, then sends a byte at a time, forever
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                self.wfile.write(b"<html><body><p>Kyiv")
                while not site.release.wait(0.05):
                    try:
                        self.wfile.write(b" ")
                        self.wfile.flush()
                    except OSError:
                        return
            else:
                self._send(404, b"<html><body><h1>Not found</h1></body></html>", "text/html")

    return Handler


@pytest.fixture()
def site():
    """A web server on 127.0.0.1 (an ephemeral port) serving the test pages and feeds."""
    import threading
    from http.server import ThreadingHTTPServer

    state = _Site()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


def _fast(**kwargs):
    from geomap.sources.web import FetchOptions

    return FetchOptions(**{"timeout": 1.0, "max_bytes": 100_000, **kwargs})


@local_only
def test_a_page_is_fetched_with_a_user_agent_and_loses_its_boilerplate(site):
    from geomap.sources.web import USER_AGENT

    [doc] = read_inputs([site.url("/articles/night-of-sirens")], fetch_options=_fast())
    assert site.requests == [("/articles/night-of-sirens", USER_AGENT)]
    assert USER_AGENT.startswith("geomap/")
    assert doc.id == site.url("/articles/night-of-sirens")
    assert doc.title == "Night of sirens in Kharkiv"
    assert dict(doc.metadata) == {"date": "2024-03-05", "author": "Olena Testwriter",
                                  "site": "The Borderland Ledger",
                                  "url": "http://news.example/world/night-of-sirens"}
    assert "Families carried blankets" in doc.text and "aid convoys waited at checkpoints" in doc.text
    for boilerplate in ("Related articles", "Share on", "Comments", "Paris", "Atlanta", "Louisiana",
                        "Copyright", "Home", "window.analytics"):
        assert boilerplate not in doc.text, boilerplate


@local_only
def test_a_redirect_is_followed_and_a_loop_is_refused(site):
    [doc] = read_inputs([site.url("/old-address")], fetch_options=_fast())
    assert doc.title == "Night of sirens in Kharkiv" and "Families carried blankets" in doc.text
    assert [path for path, _ in site.requests] == ["/old-address", "/articles/night-of-sirens"]
    with pytest.raises(InputError, match="too many redirects") as info:
        list(read_inputs([site.url("/loop")], fetch_options=_fast(max_redirects=3)))
    assert "\n" not in str(info.value)


@local_only
def test_a_page_without_a_declared_charset_is_decoded_with_a_logged_guess(site, caplog):
    with caplog.at_level(logging.DEBUG, logger="geomap.sources.decode"):
        [doc] = read_inputs([site.url("/cyrillic.html")], fetch_options=_fast())
    assert doc.title == "Ночь сирен" and CYRILLIC in doc.text
    assert f"{site.url('/cyrillic.html')}: not UTF-8; decoded as cp1251" in caplog.text


@local_only
def test_a_served_feed_becomes_dated_documents(site):
    docs = list(read_inputs([site.url("/ledger.rss"), site.url("/courier.atom")], fetch_options=_fast()))
    assert [path for path, _ in site.requests] == ["/ledger.rss", "/courier.atom"]  # links not fetched
    assert [d.id for d in docs] == ["ledger-0001", "ledger-0002", "ledger-0003",
                                    "urn:example:courier:ferry", "urn:example:courier:power"]
    assert [d.metadata["date"] for d in docs] == [
        "2024-03-05T06:30:00+02:00", "2024-03-07T09:00:00+00:00", "2024-03-09T12:15:00+00:00",
        "2024-03-08T07:45:00+02:00", "2024-03-02T18:00:00+00:00"]
    assert docs[0].metadata["url"] == site.url("/articles/night-of-sirens")
    assert docs[0].text.startswith("Sirens over Kharkiv\n\nResidents of Kharkiv spent the night")
    assert {d.metadata["site"] for d in docs} == {"The Borderland Ledger: Ukraine", "The Southern Courier"}


@local_only
def test_follow_maps_the_linked_pages_and_keeps_a_dead_links_summary(site, caplog):
    with caplog.at_level(logging.WARNING, logger="geomap.sources.web"):
        docs = list(read_inputs([site.url("/ledger.rss")], follow=True, fetch_options=_fast()))
    assert [path for path, _ in site.requests] == ["/ledger.rss", "/articles/night-of-sirens",
                                                   "/articles/grain-port", "/articles/removed-story"]
    night, grain, removed = docs
    assert "Families carried blankets" in night.text and "Related articles" not in night.text
    assert "Atlanta" not in night.text and "Paris" not in night.text
    assert night.metadata["date"] == "2024-03-05T06:30:00+02:00"   # the feed's own date is kept
    assert night.metadata["url"] == "http://news.example/world/night-of-sirens"  # the page's canonical URL
    assert "sunflower seed and wheat" in grain.text and "You may also like" not in grain.text
    assert removed.text == "Aid convoy reaches Mariupol\n\nA convoy of twelve trucks reached Mariupol after two " \
                           "days at checkpoints."
    assert removed.metadata["date"] == "2024-03-09T12:15:00+00:00"
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "removed-story" in warning and "HTTP 404" in warning and "kept the feed item's own text" in warning


@local_only
@pytest.mark.parametrize(("path", "options", "needle"), [
    ("/missing", {}, "the server answered HTTP 404 Not Found: check the address"),
    ("/photo.html", {}, "sent binary data (PNG image) labelled text/html, not a web page"),
    ("/report.pdf", {}, "sent binary data (PDF document) labelled application/pdf"),
    ("/huge.html", {}, "is larger than the 0.1 MB limit (0.2 MB): raise --max-size"),
    ("/endless.html", {}, "is larger than the 0.1 MB limit: raise --max-size"),
    ("/silent.html", {"timeout": 0.3}, "no complete answer within 0.3 s: try again later, or raise --timeout"),
    ("/trickle.html", {"timeout": 0.3}, "no complete answer within 0.3 s"),
    ("/to-ftp", {}, "a redirect to a non-web address (HTTP 302"),
    ("/to-file", {}, "a redirect to a non-web address (HTTP 301"),
], ids=["404", "binary-as-html", "pdf", "over-size", "over-size-streamed", "timeout", "trickle", "to-ftp",
        "to-file"])
def test_bad_addresses_give_one_line_errors(site, path, options, needle):
    with pytest.raises(InputError) as info:
        list(read_inputs([site.url(path)], fetch_options=_fast(**options)))
    message = str(info.value)
    assert message.startswith(site.url(path)) and needle in message and "\n" not in message


@local_only
def test_an_unreachable_address_gives_a_one_line_error():
    import socket as _socket

    with _socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(InputError, match=r"cannot be reached \(connection refused\): check the address"):
        list(read_inputs([f"http://127.0.0.1:{port}/article"], fetch_options=_fast()))


@local_only
def test_cli_bad_addresses_fail_alone_and_the_rest_still_map(site, capsys, tmp_path, tiny_gazetteer_path):
    out = tmp_path / "places.jsonl"
    bad = ["/missing", "/photo.html", "/huge.html", "/silent.html"]
    code, stdout, err = run(capsys, "places", site.url("/articles/night-of-sirens"), *map(site.url, bad),
                            site.url("/courier.atom"), "--format", "jsonl", "-o", out, "--timeout", "0.5",
                            "--max-size", "0.1", "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 2 and "Traceback" not in err
    errors = [line for line in err.splitlines() if line.startswith("geomap: error:")]
    assert [next(p for p in bad if site.url(p) in line) for line in errors] == bad  # one line each, in order
    assert "4 input(s) failed (see above); the output holds the other documents" in err
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in records] == [site.url("/articles/night-of-sirens"), "urn:example:courier:ferry",
                                          "urn:example:courier:power"]
    night = records[0]
    assert night["title"] == "Night of sirens in Kharkiv" and night["date"] == "2024-03-05"
    assert night["site"] == "The Borderland Ledger" and night["url"] == "http://news.example/world/night-of-sirens"
    assert {p["name"] for p in night["places"]} == {"Kharkiv", "Kyiv", "Mariupol"}  # no Paris, no Atlanta
    assert records[1]["date"] == "2024-03-08T07:45:00+02:00" and records[1]["url"] == site.url("/transport/ferry")


@local_only
def test_cli_follow_and_since(site, capsys, caplog, tiny_gazetteer_path):
    code, stdout, err = run(capsys, "places", site.url("/ledger.rss"), "--follow", "--since", "2024-03-06",
                            "--format", "jsonl", "--timeout", "1", "--gazetteer", tiny_gazetteer_path)
    assert code == 0, err
    records = [json.loads(line) for line in stdout.splitlines()]
    assert [r["id"] for r in records] == ["ledger-0002", "ledger-0003"]
    # the page of the item left out by --since is never fetched
    assert [path for path, _ in site.requests] == ["/ledger.rss", "/articles/grain-port", "/articles/removed-story"]
    # the followed page's text ("the Kherson region", "the Donbas"), not the item's summary
    assert {p["name"] for p in records[0]["places"]} == {"Kherson", "Kherson Oblast", "Donbas"}
    assert records[1]["places"][0]["name"] == "Mariupol"  # a dead link keeps the item's own text
    assert "kept 2 of 3 document(s) dated on or after 2024-03-06" in err
    assert any("removed-story" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


def test_cli_map_and_geojson_of_feeds_carry_the_articles_metadata(capsys, tmp_path, tiny_gazetteer_path, no_network):
    from html.parser import HTMLParser

    out = tmp_path / "feeds.html"
    code, stdout, err = run(capsys, "map", WEB / "ledger_feed.xml", WEB / "courier_atom.xml", "-o", out,
                            "--tiles", "none", "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 0, err

    class Data(HTMLParser):
        def __init__(self):
            super().__init__()
            self.blocks: list[str] = []
            self.inside = False

        def handle_starttag(self, tag, attrs):
            self.inside = ("type", "application/json") in attrs

        def handle_endtag(self, tag):
            self.inside = False

        def handle_data(self, data):
            if self.inside:
                self.blocks.append(data)

    parser = Data()
    parser.feed(out.read_text(encoding="utf-8"))
    [block] = parser.blocks
    docs = json.loads(block)["docs"]
    assert docs[0] == {"id": "ledger-0001", "t": "Sirens over Kharkiv", "dt": "2024-03-05T06:30:00+02:00",
                       "st": "The Borderland Ledger: Ukraine", "u": "http://news.example/articles/night-of-sirens"}
    assert [d["dt"][:10] for d in docs] == ["2024-03-05", "2024-03-07", "2024-03-09", "2024-03-08", "2024-03-02"]
    page = out.read_text(encoding="utf-8")
    assert '"2024-03-02", "2024-03-05", "2024-03-07", "2024-03-08", "2024-03-09"' in page  # the time control

    code, stdout, err = run(capsys, "places", WEB / "ledger_feed.xml", "--format", "geojson",
                            "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 0, err
    features = {f["properties"]["name"]: f["properties"] for f in json.loads(stdout)["features"]}
    assert features["Kherson"]["articles"] == [{"id": "ledger-0002", "title": "Grain port reopens in Kherson",
                                                "date": "2024-03-07T09:00:00+00:00",
                                                "url": "http://news.example/articles/grain-port",
                                                "site": "The Borderland Ledger: Ukraine"}]


@local_only
def test_cli_map_follows_only_the_items_in_the_date_range(site, capsys, tmp_path, tiny_gazetteer_path):
    out = tmp_path / "m.html"
    code, stdout, err = run(capsys, "map", site.url("/ledger.rss"), "--follow", "--until", "2024-03-05",
                            "-o", out, "--tiles", "none", "--timeout", "1", "--gazetteer", tiny_gazetteer_path, "-q")
    assert code == 0, err
    assert [path for path, _ in site.requests] == ["/ledger.rss", "/articles/night-of-sirens"]
    page = out.read_text(encoding="utf-8")
    assert "spent most of the night in shelters" in page and "Kherson" not in page  # the page, not the summary
