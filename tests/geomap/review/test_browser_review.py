"""The review page in a real browser (Playwright driving the system's Chromium).

Every test here is marked ``browser``. They need Chromium (Debian: ``apt-get install chromium``;
``$GEOMAP_CHROMIUM`` may point at another Chrome/Chromium) and the ``playwright`` package, but
never ``playwright install``. When the browser is missing the tests FAIL saying so; set
``GEOMAP_SKIP_BROWSER=1`` to skip them instead on a machine without a browser.

The page is written without tiles, so it must load nothing but its own file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from documents import pacific_document, picked_document
from geomap.review.decisions import parse_decisions
from geomap.review.page import review_html
from geomap.review.report import build_review

pytestmark = pytest.mark.browser

#: Text that would run code if it ever reached the page as HTML or as script source.
HOSTILE = ('<script>window.__geomapPwned=1;alert(1)</script> '
           '"><img src=x onerror="window.__geomapPwned=1;alert(2)"> '
           '<a href="javascript:window.__geomapPwned=1;alert(3)">more</a> '
           '`${window.__geomapPwned=1}` </script><!-- \\u003c \u2028')


@dataclass
class Opened:
    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def visible(self) -> list[tuple[str, str]]:
        """``(data-doc, data-reasons)`` of the cards shown."""
        return [tuple(x) for x in self.page.evaluate(
            "Array.from(document.querySelectorAll('article.item')).filter(c => !c.hidden)"
            ".map(c => [c.dataset.doc, c.dataset.reasons])")]


def _open(browser, path: Path) -> Iterator[Opened]:
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    page = context.new_page()
    opened = Opened(page, path.as_uri())

    def route(r):
        opened.requests.append(r.request.url)
        if r.request.url == opened.url:
            r.continue_()
        else:
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))

    def on_dialog(dialog):
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(opened.url)
    page.wait_for_function("document.body.dataset.ready === '1'", timeout=10_000)
    try:
        yield opened
    finally:
        context.close()


@pytest.fixture(scope="module")
def review_page(tmp_path_factory, tiny_gazetteer) -> Path:
    one = picked_document(tiny_gazetteer, "one", f"{HOSTILE} Shells fell on Kherson. Nobody knows Atlantis. {HOSTILE}", [
        ("Kherson", {"t:kherson": 0.5, "t:kherson-oblast": 0.5}),
        ("Atlantis", {}),
    ], title=HOSTILE)
    two = picked_document(tiny_gazetteer, "two", "Paris might be any Paris. Mariupool is misspelt. Izium is settled.", [
        ("Paris", {"t:paris": 0.24, "t:paris-tx": 0.2, "t:kyiv": 0.19, "t:kharkiv": 0.19, "t:mariupol": 0.18}),
        ("Mariupool", {"t:mariupol": 1.0}),
        ("Izium", {"t:izium-far": 0.6, "t:izium": 0.4}),
    ])
    decisions = parse_decisions("decisions:\n  - name: Izium\n    choice: t:izium\n", source="d.yaml",
                                gazetteer=tiny_gazetteer)
    review = build_review([one, two], gazetteer=tiny_gazetteer, decisions=decisions)
    assert [i.reasons for i in review.items] == [("ambiguous",), ("unresolved",), ("low-confidence",), ("fuzzy",),
                                                 ("decided",)]
    path = tmp_path_factory.mktemp("review") / "review.html"
    path.write_text(review_html(review, gazetteer=tiny_gazetteer, tiles=None, title=HOSTILE), encoding="utf-8")
    return path


@pytest.fixture()
def opened(browser, review_page) -> Iterator[Opened]:
    yield from _open(browser, review_page)


def test_loads_offline_without_errors_and_hostile_text_stays_text(opened):
    page = opened.page
    assert opened.errors == []
    assert opened.dialogs == []
    assert opened.requests == [opened.url]
    assert page.evaluate("window.__geomapPwned") is None
    assert page.evaluate("typeof L") == "object"
    assert page.title() == HOSTILE
    excerpt = page.text_content("#item-0 .excerpt")
    assert '"><img src=x onerror="window.__geomapPwned=1;alert(2)">' in excerpt and "Kherson" in excerpt
    assert page.text_content("#item-0 .where").endswith(HOSTILE)
    assert page.evaluate("document.querySelectorAll('img, a[href^=javascript]').length") == 0
    assert page.text_content("#shown") == "5"
    # the overview draws the chosen places of the listed mentions
    assert page.evaluate("window.geomapReview.overview.getLayers().length") >= 3


def test_filters_by_document_and_by_reason(opened):
    page = opened.page
    assert opened.visible() == [("one", "ambiguous"), ("one", "unresolved"), ("two", "low-confidence"),
                                ("two", "fuzzy"), ("two", "decided")]
    page.select_option("#filter-doc", "two")
    assert opened.visible() == [("two", "low-confidence"), ("two", "fuzzy"), ("two", "decided")]
    assert page.text_content("#shown") == "3"
    page.uncheck("input.filter-flag[value=fuzzy]")
    page.uncheck("input.filter-flag[value=decided]")
    assert opened.visible() == [("two", "low-confidence")]
    page.select_option("#filter-doc", "")
    assert opened.visible() == [("one", "ambiguous"), ("one", "unresolved"), ("two", "low-confidence")]
    for flag in ("ambiguous", "low-confidence"):
        page.uncheck(f"input.filter-flag[value={flag}]")
    assert opened.visible() == [("one", "unresolved")]
    assert page.text_content("#shown") == "1"
    assert opened.errors == []


def test_map_draws_the_chosen_place_and_its_alternatives_distinctly(opened):
    page = opened.page
    page.uncheck("input.filter-flag[value=ambiguous]")  # empty the overview: only the focus is drawn
    page.check("input.filter-flag[value=ambiguous]")
    page.click("#item-0")
    assert page.evaluate("document.body.dataset.selected") == "0"
    assert "selected" in page.get_attribute("#item-0", "class")
    focus = page.evaluate("""() => {
      const out = [];
      window.geomapReview.focus.eachLayer(l => {
        const tip = l.getTooltip() ? l.getTooltip().getContent().textContent : '';
        const layers = l.getLayers ? l.getLayers() : [l];
        layers.forEach(x => out.push({cls: x.options.className, dash: x.options.dashArray || null,
                                      fill: x.options.fill !== false, fillOpacity: x.options.fillOpacity,
                                      poly: !!x.getLatLngs && !x.getRadius, tip: tip}));
      });
      return out;
    }""")
    chosen = [f for f in focus if "geomap-chosen" in f["cls"]]
    alternatives = [f for f in focus if "geomap-alternative" in f["cls"]]
    # the city (chosen) is a filled point; the oblast (alternative) is a dashed outline and a hollow point
    assert [(f["cls"], f["dash"], f["fill"]) for f in chosen] == [("geomap-point geomap-chosen", None, True)]
    assert "Kherson (city, UA, Kherson Oblast) (chosen)" in chosen[0]["tip"]
    areas = [f for f in alternatives if "geomap-area" in f["cls"]]
    points = [f for f in alternatives if "geomap-point" in f["cls"]]
    assert len(areas) == 1 and areas[0]["poly"] and areas[0]["dash"] == "6 5" and areas[0]["fillOpacity"] == 0
    assert len(points) == 1 and points[0]["dash"] and points[0]["fill"] is False
    assert "Kherson Oblast (admin1, UA) (alternative)" in areas[0]["tip"]
    # and in the drawn SVG: the outline is dashed, the chosen marker solid
    svg = page.evaluate("""() => Array.from(document.querySelectorAll('#map path'))
      .map(p => [p.getAttribute('class'), p.getAttribute('stroke-dasharray')])""")
    assert any("geomap-area geomap-alternative" in c and d == "6 5" for c, d in svg)
    assert any("geomap-point geomap-chosen" in c and d is None for c, d in svg)

    # selecting the unresolved mention draws no chosen place, and clears the previous one
    page.click("#item-1")
    assert page.evaluate("window.geomapReview.focus.getLayers().length") == 0
    # the decided mention draws the decision as chosen and geomap's own answer as an alternative
    page.click("#item-4")
    tips = page.evaluate("""() => { const out = [];
      window.geomapReview.focus.eachLayer(l => out.push(l.getTooltip().getContent().textContent)); return out; }""")
    assert any(t.startswith("Izium (city, UA) (chosen)") for t in tips)
    assert any(t.startswith("Izium (city, RS) (alternative)") for t in tips)
    assert opened.errors == [] and opened.dialogs == []
    assert page.evaluate("window.__geomapPwned") is None



@pytest.fixture()
def pacific(browser, tmp_path) -> Iterator[Opened]:
    """The review page of Suva and Apia, across the antimeridian."""
    path = tmp_path / "pacific.html"
    path.write_text(review_html(build_review([pacific_document()]), tiles=None), encoding="utf-8")
    yield from _open(browser, path)


def _view(page) -> dict:
    """The map's first view, and how many of the overview's markers lie outside it."""
    return page.evaluate("""() => { const m = window.geomapReview.map, b = m.getBounds();
      const markers = window.geomapReview.overview.getLayers().filter(l => l.getLatLng);
      return {west: b.getWest(), east: b.getEast(), south: b.getSouth(), north: b.getNorth(), zoom: m.getZoom(),
              jump: m.options.worldCopyJump, markers: markers.length,
              outside: markers.filter(l => !b.contains(l.getLatLng())).length}; }""")


def test_places_across_the_antimeridian_open_on_their_own_box(pacific, opened):
    view = _view(pacific.page)
    # Suva (178.44 E) and Apia (171.77 W): a box a few degrees across 180, not the whole globe
    assert view["east"] - view["west"] < 40 and view["zoom"] >= 4
    assert view["west"] < 178.44 < view["east"] and view["west"] < -171.77 + 360 < view["east"]
    assert view["south"] < -18.14 and -13.83 < view["north"]
    # both drawn where the view shows them (Apia at 188), and no world copy jump pulls the view back
    assert view["markers"] == 2 and view["outside"] == 0 and view["jump"] is False
    assert pacific.errors == [] and pacific.requests == [pacific.url]
    # a page that does not cross keeps the world copy jump and opens on its places
    ordinary = _view(opened.page)
    assert ordinary["jump"] is True and ordinary["markers"] >= 3 and ordinary["outside"] == 0
    assert ordinary["east"] - ordinary["west"] < 90
