"""The network: nothing by default; ``--online nominatim`` against a fake server on 127.0.0.1
(moved from test_reliability.py with issue #15)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trafilatura  # noqa: F401 - imported here: urllib3 probes IPv6 with a socket on first import

from geomap.cli import main


# -- the network: nothing by default; --online nominatim against a fake server ------------------

_ONLINE_ARTICLE = ("Shelling hit Zhytomyr overnight, and Kharkiv too. Officials in Vinnytsia said Zhytomyr "
                   "had no power.\n")
_NOMINATIM_ANSWERS = {
    "zhytomyr": [{"place_id": 1, "osm_type": "relation", "osm_id": 2000001, "lat": "50.2547", "lon": "28.6587",
                  "class": "boundary", "type": "administrative", "addresstype": "city", "importance": 0.61,
                  "name": "Zhytomyr", "display_name": "Zhytomyr, Zhytomyr Oblast, Ukraine",
                  "address": {"city": "Zhytomyr", "state": "Zhytomyr Oblast", "country_code": "ua"}}],
}


class _FakeClock:
    """The rate limiter's clock and sleep: time passes only when it sleeps (no real waiting)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture()
def nominatim(monkeypatch, tmp_path):
    """A fake Nominatim on 127.0.0.1 that records each request (path, query, user agent, fake time)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, urlsplit

    from geopy.extra.rate_limiter import RateLimiter

    clock = _FakeClock()
    # Bound methods of the fake clock: the limiter calls them as self._clock() and self._sleep(s).
    monkeypatch.setattr(RateLimiter, "_clock", clock.clock)
    monkeypatch.setattr(RateLimiter, "_sleep", clock.sleep)
    state = {"requests": [], "status": 200}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            return

        def do_GET(self):  # noqa: N802
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            state["requests"].append({"path": parts.path, "query": query, "agent": self.headers.get("User-Agent"),
                                      "at": clock.now})
            if state["status"] != 200:
                body = b'{"error": "overloaded"}'
                self.send_response(state["status"])
            else:
                body = json.dumps(_NOMINATIM_ANSWERS.get(query.get("q", "").lower(), [])).encode()
                self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("GEOMAP_NOMINATIM_URL", f"http://127.0.0.1:{server.server_address[1]}")
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))
    for proxy in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    state["clock"] = clock
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.model
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_online_is_off_by_default(nominatim, tmp_path, tiny_gazetteer_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(_ONLINE_ARTICLE)
    code = main(["places", str(article), "--format", "jsonl", "--gazetteer", str(tiny_gazetteer_path), "-q"])
    out = capsys.readouterr().out
    assert code == 0
    assert nominatim["requests"] == []
    places = json.loads(out)["places"]
    assert [(p["surface"], p["name"]) for p in places] == [("Zhytomyr", None), ("Kharkiv", "Kharkiv"),
                                                           ("Vinnytsia", None), ("Zhytomyr", None)]


@pytest.mark.model
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_online_nominatim_asks_each_name_once_with_a_user_agent_at_most_once_a_second(
        nominatim, tmp_path, tiny_gazetteer_path, capsys):
    article = tmp_path / "a.txt"
    article.write_text(_ONLINE_ARTICLE)
    argv = ["places", str(article), "--format", "jsonl", "--gazetteer", str(tiny_gazetteer_path),
            "--online", "nominatim", "--user-agent", "geomap-tests (tests@example.org)"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    requests = nominatim["requests"]
    assert [r["query"]["q"] for r in requests] == ["Zhytomyr", "Vinnytsia"]   # each distinct name once
    assert {r["path"] for r in requests} == {"/search"}
    assert {r["agent"] for r in requests} == {"geomap-tests (tests@example.org)"}
    assert all(r["query"]["format"] == "json" for r in requests)
    # geopy's RateLimiter spaced the requests by at least a second (of the limiter's own clock)
    assert requests[1]["at"] - requests[0]["at"] >= 1.0 and nominatim["clock"].slept
    places = json.loads(out)["places"]
    found = [(p["surface"], p["name"], p["place_id"]) for p in places]
    assert found == [("Zhytomyr", "Zhytomyr", "osm:relation/2000001"), ("Kharkiv", "Kharkiv", "t:kharkiv"),
                     ("Vinnytsia", None, None), ("Zhytomyr", "Zhytomyr", "osm:relation/2000001")]
    assert "2 name(s) asked, 0 from the cache" in err

    # A second run (a new process would do the same) answers from the persistent cache.
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0 and len(nominatim["requests"]) == 2
    assert "0 name(s) asked, 2 from the cache" in err
    assert (tmp_path / "cache" / "online-cache.sqlite").is_file()
    assert [p["name"] for p in json.loads(out)["places"]] == ["Zhytomyr", "Kharkiv", None, "Zhytomyr"]


@pytest.mark.model
@pytest.mark.allow_hosts(["127.0.0.1"])
def test_a_failing_online_service_leaves_the_names_unresolved(nominatim, tmp_path, tiny_gazetteer_path, capsys,
                                                              caplog):
    nominatim["status"] = 503
    article = tmp_path / "a.txt"
    article.write_text(_ONLINE_ARTICLE)
    code = main(["places", str(article), "--format", "jsonl", "--gazetteer", str(tiny_gazetteer_path),
                 "--online", "nominatim"])
    out, err = capsys.readouterr()
    assert code == 0 and "Traceback" not in err
    assert [p["name"] for p in json.loads(out)["places"]] == [None, "Kharkiv", None, None]
    assert any("online geocoding with" in r.getMessage() and "stopped" in r.getMessage() for r in caplog.records)
    assert {r["query"]["q"] for r in nominatim["requests"]} == {"Zhytomyr"}  # retried, then given up
    assert len(nominatim["requests"]) == 3  # the first try and geopy's two retries, rate limited too
    assert all(b["at"] - a["at"] >= 1.0 for a, b in zip(nominatim["requests"], nominatim["requests"][1:]))
    from geomap.online import AnswerCache

    cache = AnswerCache(tmp_path / "cache" / "online-cache.sqlite")
    assert len(cache) == 0  # a failure is never cached as "not found"
    cache.close()


def test_a_broken_online_cache_is_replaced(tmp_path, caplog):
    from geomap.online import AnswerCache

    path = tmp_path / "online-cache.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    cache = AnswerCache(path)
    cache.put("nominatim", "k", [{"lat": "1"}])
    cache.close()
    assert "unusable" in caplog.text
    again = AnswerCache(path)
    assert again.get("nominatim", "k") == [{"lat": "1"}]
    again.close()


def test_the_online_url_and_user_agent_are_checked(monkeypatch):
    from geomap.online import NominatimGeocoder, OnlineError

    monkeypatch.setenv("GEOMAP_NOMINATIM_URL", "file:///etc/passwd")
    with pytest.raises(OnlineError, match="must look like https://host"):
        NominatimGeocoder()
    monkeypatch.setenv("GEOMAP_NOMINATIM_URL", "http://127.0.0.1:9")
    with pytest.raises(OnlineError, match="one line"):
        NominatimGeocoder(user_agent="geomap\r\nX-Injected: 1")


@pytest.mark.model
@pytest.mark.gazetteer
@pytest.mark.disable_socket
def test_the_whole_pipeline_runs_with_sockets_disabled(tmp_path, capsys):
    """Real model, real embedded gazetteer, every output form: no socket is ever opened.

    pytest-socket blocks sockets and name look-ups and warns on each attempt; the warnings are
    recorded so that an attempt whose error was swallowed still fails the test.
    """
    import socket
    import warnings

    with pytest.warns(UserWarning), pytest.raises(Exception, match="socket"):  # the guard is on
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    article = tmp_path / "report.html"
    article.write_bytes((Path(__file__).parents[1] / "fixtures" / "web" / "night_of_sirens.html").read_bytes())
    feed = Path(__file__).parents[1] / "fixtures" / "web" / "ledger_feed.xml"
    out = tmp_path / "out"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for argv in (["map", "-o", out / "map.html"], ["map", "--self-contained", "-o", out / "offline.html"],
                     ["places", "--format", "geojson", "-o", out / "places.geojson"],
                     ["places", "--format", "jsonl", "-o", out / "places.jsonl"]):
            code = main([str(a) for a in [argv[0], article, feed, *argv[1:], "-q"]])
            err = capsys.readouterr().err
            assert code == 0, err
    assert [str(w.message) for w in caught if "tried to use socket" in str(w.message)] == []
    records = [json.loads(line) for line in (out / "places.jsonl").read_text().splitlines()]
    assert {p["name"] for p in records[0]["places"]} >= {"Kharkiv", "Kyiv", "Mariupol"}
    assert json.loads((out / "places.geojson").read_text())["features"]
    assert "geomapRender" in (out / "offline.html").read_text()
