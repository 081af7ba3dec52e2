"""Maps that open on the story, the map helpers, and deciding by clicking, in a real browser.

Marked ``browser`` (Playwright driving the system's Chromium, see tests/test_browser_map.py);
the end-to-end tests also load the real model and gazetteer. The article is our own
(``fixtures/story_article.txt``): Kherson, the Donbas, Mariupol and the Kharkiv region carry it;
Washington is named once in passing, Moscow twice for its government, and a retired colonel,
Sydney Moss, is a person (neither the Australian city nor the Norwegian town).

Every page is opened with every request but its own file aborted: all of it works offline.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parents[2] / "fixtures"
ARTICLE = FIXTURES / "story_article.txt"


@dataclass
class Opened:
    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture()
def open_file(browser) -> Iterator:
    """``open_file(path)`` opens a page offline (every request but the page's own aborted)."""
    contexts = []

    def _open(path: Path, *, ready: str = "() => document.querySelector('[data-geomap-ready]')") -> Opened:
        context = browser.new_context(viewport={"width": 1200, "height": 800}, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        opened = Opened(page, path.as_uri())
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: opened.errors.append(f"uncaught: {e}"))

        def route(r) -> None:
            opened.requests.append(r.request.url)
            r.continue_() if r.request.url == opened.url else r.abort()

        context.route("**/*", route)
        page.goto(opened.url)
        page.wait_for_function(ready)
        return opened

    yield _open
    for context in contexts:
        context.close()


def _cli(*args: str) -> None:
    from geomap.cli import main

    assert main([*args, "-q"]) == 0


def _png_page(open_file, tmp_path: Path, monkeypatch, article: Path) -> Opened:
    """Run ``geomap map ARTICLE --png`` with the screenshot faked, and open the one page it
    would have photographed."""
    import geomap.cli.map

    pages: list[str] = []

    def fake_screenshot(html, path, **kwargs):
        pages.append(html)
        Path(path).write_bytes(b"")
        return Path(path)

    monkeypatch.setattr(geomap.cli.map, "screenshot", fake_screenshot)
    _cli("map", str(article), "--png", str(tmp_path / f"{article.stem}.png"))
    [html] = pages
    page = tmp_path / "png.html"
    page.write_text(html, "utf-8")
    return open_file(page)


def _view(opened: Opened) -> dict:
    """The map's first view: its bounds and the markers' places."""
    return opened.page.evaluate("""() => {
      const api = Object.values(window.geomapMaps)[0], b = api.map.getBounds();
      return {south: b.getSouth(), west: b.getWest(), north: b.getNorth(), east: b.getEast(),
              places: api.places.map(e => e.p.n), zoom: api.map.getZoom()};
    }""")


def _inside(view: dict, lat: float, lon: float) -> bool:
    return view["south"] <= lat <= view["north"] and view["west"] <= lon <= view["east"]


KHERSON, KHARKIV, DONBAS, MARIUPOL = (46.64, 32.61), (49.98, 36.25), (48.51, 38.34), (47.10, 37.54)
WASHINGTON = (38.90, -77.04)


@pytest.fixture(scope="module")
def story_page(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("story") / "story.html"
    _cli("map", str(ARTICLE), "--self-contained", "--heat", "-o", str(out))
    return out


# -- open on the story -------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
def test_map_opens_on_ukraine_not_the_americas_with_washington_still_on_it(open_file, story_page, tmp_path):
    opened = open_file(story_page)
    view = _view(opened)
    for lat, lon in (KHERSON, KHARKIV, DONBAS, MARIUPOL):
        assert _inside(view, lat, lon)
    assert not _inside(view, *WASHINGTON) and view["west"] > -30  # no part of the Americas
    assert view["zoom"] >= 5
    assert "Washington" in view["places"]  # still on the map
    assert opened.requests == [opened.url] and opened.errors == []

    everything = tmp_path / "all.html"
    _cli("map", str(ARTICLE), "--self-contained", "--fit", "all", "-o", str(everything))
    assert _inside(_view(open_file(everything)), *WASHINGTON)
    fixed = tmp_path / "fixed.html"
    _cli("map", str(ARTICLE), "--self-contained", "--bounds=-80,35,-70,42", "-o", str(fixed))
    view = _view(open_file(fixed))
    assert _inside(view, *WASHINGTON) and not _inside(view, *KHERSON)


@pytest.mark.model
@pytest.mark.gazetteer
def test_png_page_is_framed_on_the_story_too(open_file, tmp_path, monkeypatch):
    view = _view(_png_page(open_file, tmp_path, monkeypatch, ARTICLE))
    assert _inside(view, *KHERSON) and _inside(view, *DONBAS) and not _inside(view, *WASHINGTON)


# -- map helpers ----------------------------------------------------------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
def test_search_box_flies_to_a_place_and_opens_its_popup(open_file, story_page):
    opened = open_file(story_page)
    page = opened.page
    page.click(".leaflet-control-search .search-button")
    search = page.locator(".leaflet-control-search input.search-input")
    assert search.get_attribute("aria-label") == "Find a place on the map"
    search.press_sequentially("washing", delay=20)
    tips = page.locator(".search-tooltip .search-tip")
    tips.first.wait_for()
    assert tips.all_inner_texts() == ["Washington"]
    tips.first.click()
    page.wait_for_selector(".leaflet-popup-content .geomap-popup-name")
    assert page.text_content(".leaflet-popup-content .geomap-popup-name") == "Washington"
    page.wait_for_function("""() => { const m = Object.values(window.geomapMaps)[0].map, c = m.getCenter();
      return Math.abs(c.lng + 77.04) < 3 && Math.abs(c.lat - 38.9) < 3; }""")
    assert _inside(_view(opened), *WASHINGTON)
    assert opened.requests == [opened.url] and opened.errors == []


@pytest.mark.model
@pytest.mark.gazetteer
def test_fullscreen_toggles_and_heat_layer_draws_offline(open_file, story_page):
    opened = open_file(story_page)
    page = opened.page
    button = page.locator(".leaflet-control-zoom-fullscreen")
    assert button.count() == 1 and button.get_attribute("title") == "Full screen"
    button.click()
    page.wait_for_function("() => Object.values(window.geomapMaps)[0].map._isFullscreen === true")
    assert "leaflet-fullscreen-on" in button.get_attribute("class")
    assert button.get_attribute("title") == "Exit full screen"
    button.click()
    page.wait_for_function("() => Object.values(window.geomapMaps)[0].map._isFullscreen === false")
    assert "leaflet-fullscreen-on" not in button.get_attribute("class")
    # --heat: a heat canvas, listed in the layer control
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1
    assert "Heat map (mentions)" in page.text_content(".leaflet-control-layers")
    assert opened.requests == [opened.url] and opened.errors == []


# -- click to decide --------------------------------------------------------------------------------


def _places(decisions: Path | None = None, tmp: Path | None = None) -> Counter:
    """``(place name, kind) -> mentions`` of the article, as ``geomap places`` gives them."""
    import contextlib
    import io

    from geomap.cli import main

    args = ["places", str(ARTICLE), "--format", "json", "-q"]
    if decisions is not None:
        args += ["--decisions", str(decisions)]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(args) == 0
    [doc] = json.loads(buffer.getvalue())
    return Counter((p["name"], p["kind"]) for p in doc["places"] if p.get("name"))


def _card(page, surface: str, nth: int = 0) -> str:
    """The id of the ``nth`` card whose mention reads ``surface``."""
    ids = page.evaluate("""(surface) => Array.from(document.querySelectorAll('article.item'))
      .filter(c => c.querySelector('.surface').textContent === surface).map(c => c.id)""", surface)
    return "#" + ids[nth]


@pytest.mark.model
@pytest.mark.gazetteer
def test_clicks_in_the_review_page_make_a_decisions_file_the_next_run_follows(open_file, tmp_path):
    before = _places()
    assert before[("Kherson", "city")] >= 3 and before[("Moscow", "city")] == 2
    assert not {name for name, _ in before} & {"Moss", "Sydney"}  # Colonel Sydney Moss is a person
    page_path, decisions = tmp_path / "review.html", tmp_path / "story.decisions.yaml"
    _cli("review", str(ARTICLE), "--tiles", "none", "-o", str(page_path), "--decisions", str(decisions))
    written = decisions.read_text("utf-8")
    opened = open_file(page_path, ready="() => document.body.dataset.ready === '1'")
    page = opened.page

    # nothing is flagged, yet every mention can be settled behind the switch
    page.check("#show-all")
    kherson = _card(page, "Kherson")
    page.click(kherson)
    oblast = page.locator(f"{kherson} .choices input[type=radio]").nth(1)
    oblast_id = oblast.get_attribute("value")
    page.click(f"{kherson} .choices label:has(input[value='{oblast_id}'])")
    assert "Kherson Oblast" in page.text_content(f"{kherson} .decide-status")
    # the map shows the oblast as this mention's chosen place at once
    assert page.evaluate(f"window.geomapReview.effective({page.get_attribute(kherson, 'data-index')}).choice") \
        == oblast_id
    tips = page.evaluate("""() => { const out = [];
      window.geomapReview.focus.eachLayer(l => out.push(l.getTooltip().getContent().textContent)); return out; }""")
    assert any(t.startswith("Kherson Oblast (admin1, UA) (chosen)") for t in tips)

    # "Moscow" stands for its government here: a reviewer mapping only where things happen
    # says "not a place", with the keyboard (every mention of the name)
    moscow = _card(page, "Moscow")
    not_a_place = page.locator(f"{moscow} input[type=radio][value=not-a-place]")
    not_a_place.focus()
    page.keyboard.press("Space")
    assert page.text_content(f"{moscow} .decide-status").endswith("not a place")
    # the other Moscow card follows the same decision
    assert page.locator(f"{_card(page, 'Moscow', 1)} input[value=not-a-place]").is_checked()

    # a place typed by name, for one mention only: "supplies through Kharkiv" means the region
    kharkiv = _card(page, "Kharkiv")
    page.select_option(f"{kharkiv} .decide-scope", "mention")
    page.fill(f"{kharkiv} .decide-other", "Kharkiv Oblast (admin1, UA)")
    page.press(f"{kharkiv} .decide-other", "Enter")
    assert "Kharkiv Oblast" in page.text_content(f"{kharkiv} .decide-status")

    with page.expect_download() as download:
        page.click("#download")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "story.decisions.yaml"
    text = saved.read_text("utf-8")
    assert text.startswith(written.split("version:")[0])  # the file's comments are kept
    assert opened.errors == [] and opened.requests == [opened.url]

    after = _places(saved)
    assert ("Moscow", "city") not in after
    assert after[("Kherson Oblast", "admin1")] > before[("Kherson Oblast", "admin1")]
    assert after[("Kherson", "city")] == 1  # "the city of Kherson" keeps its own qualifier
    assert after[("Kharkiv", "city")] == before[("Kharkiv", "city")] - 1
    assert after[("Kharkiv Oblast", "admin1")] == before[("Kharkiv Oblast", "admin1")] + 1

    # and the review run on the downloaded file lists the three decisions as decided
    again = tmp_path / "again.html"
    _cli("review", str(ARTICLE), "--tiles", "none", "-o", str(again), "--decisions", str(saved))
    reopened = open_file(again, ready="() => document.body.dataset.ready === '1'")
    assert reopened.page.text_content("label:has(input.filter-flag[value=decided]) .count") == "7"


@pytest.mark.model
@pytest.mark.gazetteer
def test_a_story_across_the_antimeridian_opens_on_it_in_the_png_page_too(open_file, tmp_path, monkeypatch):
    article = tmp_path / "cyclone.txt"
    article.write_text("Cyclone Winston hit Suva in Fiji and moved towards Nukualofa in Tonga. Apia in Samoa and "
                       "Pago Pago braced for the storm.", "utf-8")
    opened = _png_page(open_file, tmp_path, monkeypatch, article)
    view = _view(opened)
    # Fiji to Samoa, across 180 degrees: a box a few degrees wide, not the whole globe.
    assert view["east"] - view["west"] < 40 and view["zoom"] >= 4
    assert _inside(view, -18.14, 178.44) and _inside(view, -13.83, -171.77 + 360)
    outside = opened.page.evaluate("""() => {
      const api = Object.values(window.geomapMaps)[0], b = api.map.getBounds();
      return api.places.filter(e => e.p.k !== "country" && !b.contains(e.marker.getLatLng())).map(e => e.p.n);
    }""")
    assert outside == [] and opened.errors == []  # each town drawn where the view shows it (Apia at 188)
