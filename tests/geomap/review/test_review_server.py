"""``geomap review --serve``: the local server that saves the decisions file (tiny gazetteer, no
model). These tests open TCP sockets on 127.0.0.1 only (``enable_socket``); nothing leaves the
machine."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest

from gazetteer import Candidate, Resolution, Toponym
from geomap.review.decisions import merge_decisions, parse_decisions
from geomap.model import Document, Mention, PlaceMention
from geomap.review import build_review, review_html
from geomap.review.server import ReviewServer, new_token

pytestmark = pytest.mark.enable_socket


def _doc(gazetteer) -> Document:
    text = "Shells fell on Kherson. Paris is quiet."
    mentions = []
    for surface, scores in (("Kherson", {"t:kherson": 0.5, "t:kherson-oblast": 0.5}), ("Paris", {"t:paris": 0.9})):
        start = text.index(surface)
        candidates = tuple(Candidate(gazetteer.get(pid), s, ()) for pid, s in scores.items())
        mentions.append(PlaceMention(Mention(start, start + len(surface), surface, surface, sentence=(0, len(text))),
                                     Resolution(Toponym(surface, position=start), candidates[0].place,
                                                candidates[0].score, candidates=candidates)))
    return Document("one", text, tuple(mentions))


@pytest.fixture()
def served(tmp_path, tiny_gazetteer):
    review = build_review([_doc(tiny_gazetteer)], gazetteer=tiny_gazetteer)
    path = tmp_path / "one.decisions.yaml"
    text = merge_decisions(None, review.proposals()).text
    path.write_text(text, "utf-8")
    token = new_token()
    page = review_html(review, gazetteer=tiny_gazetteer, tiles=None, decisions_text=text,
                       decisions_name=path.name, serve_token=token)
    server = ReviewServer(page, path, token, tiny_gazetteer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, path, token
    server.shutdown()
    thread.join(5)


def _post(server, body: dict, *, token: str | None, host: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(server.url + "decisions", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    if token is not None:
        request.add_header("X-Geomap-Token", token)
    if host is not None:
        request.add_header("Host", host)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_server_refuses_what_it_must_and_never_loses_the_file(served, tiny_gazetteer):
    server, path, token = served
    original = path.read_text("utf-8")
    good = original.replace("decisions: []", "decisions:\n  - name: Paris\n    choice: t:paris-tx\n")
    assert _post(server, {"text": good}, token=None)[0] == 403                      # no token
    assert _post(server, {"text": good}, token="guess")[0] == 403                   # wrong token
    assert _post(server, {"text": good}, token=token, host="evil.example")[0] == 403  # DNS rebinding
    status, body = _post(server, {"text": "decisions:\n  - name: Paris\n    choice: t:nowhere\n"}, token=token)
    assert status == 400 and "unknown place id 't:nowhere'" in body["error"]
    assert path.read_text("utf-8") == original
    status, body = _post(server, {"text": good}, token=token)
    assert status == 200 and body["saved"] == str(path) and path.read_text("utf-8") == good
    path.write_text(good + "# edited by hand meanwhile\n", "utf-8")
    status, body = _post(server, {"text": original}, token=token)
    assert status == 409 and "changed on disk" in body["error"]
    assert path.read_text("utf-8").endswith("# edited by hand meanwhile\n")
    with urllib.request.urlopen(server.url, timeout=10) as response:
        assert b"review-data" in response.read()


@pytest.mark.browser
def test_save_button_writes_the_decisions_the_clicks_made(served, browser, tiny_gazetteer):
    server, path, _ = served
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.url)
    page.wait_for_function("() => document.body.dataset.ready === '1'")
    page.check("#show-all")
    page.click("#item-0 input[value='t:kherson-oblast']")
    page.click("#save")
    page.wait_for_function("() => document.body.dataset.saved === '1'")
    assert page.text_content("#save-status") == f"saved {path}"
    saved = parse_decisions(path.read_text("utf-8"), gazetteer=tiny_gazetteer)
    assert [(d.name, d.choice) for d in saved.entries] == [("Kherson", "t:kherson-oblast")]
    # a second save starts from the saved file: the entry's choice line is replaced, not repeated
    page.click("#item-1 input[value='not-a-place']")
    page.click("#item-0 input[value='t:kherson']")
    page.click("#save")
    page.wait_for_function("() => document.body.dataset.saved === '2'")
    saved = parse_decisions(path.read_text("utf-8"), gazetteer=tiny_gazetteer)
    assert sorted((d.name, d.choice) for d in saved.entries) == [("Kherson", "t:kherson"), ("Paris", "not-a-place")]
    assert errors == []
    context.close()


def test_the_static_page_carries_no_token_and_hides_save(tiny_gazetteer):
    review = build_review([_doc(tiny_gazetteer)], gazetteer=tiny_gazetteer)
    page = review_html(review, tiles=None)
    assert '"serve":null' in page and '<button type="button" id="save" hidden' in page
    token = new_token()
    assert token in review_html(review, tiles=None, serve_token=token) and len(token) >= 32
