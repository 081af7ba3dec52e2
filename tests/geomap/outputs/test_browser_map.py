"""The map's output forms opened in a real browser (Playwright driving the system's Chromium).

Every test here is marked ``browser``. They need Chromium (Debian: ``apt-get install chromium``;
``$GEOMAP_CHROMIUM`` may point at another Chrome/Chromium) and the ``playwright`` Python package,
but never ``playwright install``: Playwright drives the system browser through
``executable_path``. When the browser is missing the tests FAIL with a message saying so; set
``GEOMAP_SKIP_BROWSER=1`` to skip them instead on a machine without a browser.

Pages are opened from ``file://`` URLs. A route handler sees every request the page makes:
self-contained pages must make none but their own file; the default page's CDN links are
answered with the vendored copies of the same files (the test machine has no network).
"""

from __future__ import annotations

import mimetypes
import random
import re
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from gazetteer import Gazetteer, Place, PlaceKind, Resolution, Toponym
from geomap.model import Document, Mention, PlaceMention
from geomap.outputs.offline import cdn_files
from geomap.outputs.map import fragment_html, page_html, render

from documents import make_document

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parents[2] / "fixtures"
EXAMPLES = Path(__file__).parents[3] / "examples"
ASSETS = Path(__file__).parents[3] / "geomap" / "assets"

#: Article text that would run code if it ever reached the page as HTML or as JavaScript source.
#: Each payload sets ``window.__geomapPwned`` and opens a dialog; neither may ever happen.
HOSTILE = ('<script>window.__geomapPwned=1;alert(1)</script> '
           '"><img src=x onerror="window.__geomapPwned=1;alert(2)"> '
           '<a href="javascript:window.__geomapPwned=1;alert(3)">read more</a> javascript:alert(4) '
           '`${window.__geomapPwned=1}` ${alert(5)} </script><!-- \\u003c')
HOSTILE_TITLE = '<img src=x onerror="window.__geomapPwned=1;alert(6)">`${alert(7)}`'

_KIND_COLOURS_RGB = {"city": (0xD5, 0x5E, 0x00)}
_LAND_RGB = (0xF5, 0xF3, 0xEE)



@dataclass
class Opened:
    """A page opened in the browser, with everything it did while loading and afterwards."""

    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def api(self, index: int = 0) -> str:
        """A JavaScript expression for the ``index``-th map's runtime API."""
        return f"Object.values(window.geomapMaps)[{index}]"

    def evaluate(self, expression: str):
        return self.page.evaluate(expression)


def _serve_vendored(route) -> bool:
    """Answer a CDN request with the vendored copy of the same file; False if it is not one."""
    rel = cdn_files().get(route.request.url.split("?", 1)[0])
    if rel is None:
        return False
    kind = mimetypes.guess_type(rel)[0] or "application/octet-stream"
    route.fulfill(status=200, body=(ASSETS / rel).read_bytes(), content_type=kind)
    return True


# A 1x1 transparent PNG: the answer to tile requests when a page with tiles is opened offline.
_BLANK_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                           "1f15c4890000000d4944415478da63000100000500010d0a2db40000000049454e44ae426082")


@pytest.fixture()
def open_page(browser, tmp_path):
    """``open_page(html, network=...)`` writes the page to a file and opens it in a new context.

    ``network="none"`` aborts every request that is not the page's own ``file://`` URL;
    ``network="cdn"`` answers CDN script/style requests with the vendored files and tile
    requests with a blank image (there is no real network on the test machine).
    """
    contexts = []

    def _open(html: str, *, network: str = "none", width: int = 1200, height: int = 800,
              name: str = "map.html", wait: bool = True) -> Opened:
        path = tmp_path / name
        path.write_text(html, encoding="utf-8")
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        opened = Opened(page)
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: opened.errors.append(f"uncaught: {e}"))

        def dialog(d) -> None:
            opened.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)

        def route(r) -> None:
            url = r.request.url
            opened.requests.append(url)
            if url.startswith("file:"):
                r.continue_()
            elif network == "cdn" and _serve_vendored(r):
                pass
            elif network == "cdn" and re.search(r"/\d+/\d+/\d+\.png$", url):
                r.fulfill(status=200, body=_BLANK_PNG, content_type="image/png")
            else:
                r.abort()

        context.route("**/*", route)
        page.goto(path.as_uri())
        if wait:
            page.wait_for_function(
                "() => window.geomapMaps && document.querySelectorAll('[data-geomap-ready]').length"
                " === document.querySelectorAll('.folium-map').length")
        return opened

    yield _open
    for context in contexts:
        context.close()


# -- documents --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def map_gazetteer(tmp_path_factory) -> Gazetteer:
    """The tiny test gazetteer, with rough country outlines so that the base layer has shapes."""
    from gazetteer.build import build_from_records

    records = yaml.safe_load((FIXTURES / "tiny_gazetteer.yaml").read_text("utf-8"))
    boxes = {"t:ua": (22.1, 44.4, 40.2, 52.4), "t:ru": (27.3, 41.2, 180.0, 81.9), "t:us": (-125.0, 24.5, -66.9, 49.4),
             "t:ge": (40.0, 41.0, 46.7, 43.6)}
    for place in records["places"]:
        if place["id"] in boxes:
            west, south, east, north = boxes[place["id"]]
            place["geometry"] = {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north],
                                                                     [west, north], [west, south]]]}
    path = tmp_path_factory.mktemp("mapgaz") / "map.sqlite"
    return Gazetteer(build_from_records(path, records, name="browser-test"))


@pytest.fixture(scope="module")
def articles(map_gazetteer) -> list[Document]:
    """Three articles: Kyiv is in two of them (spelt Kiev in one), Donbas is a region with an outline."""
    morning = make_document(
        map_gazetteer,
        "Officials in Kiev said trains to Kharkiv were running again. Shelling was reported in Donbas.",
        [("Kiev", None), ("Kharkiv", PlaceKind.CITY), ("Donbas", None)], "morning", "Morning briefing",
        all_resolved=True)
    evening = make_document(
        map_gazetteer,
        "A convoy left Kyiv at dawn. It reached Mariupol by night.",
        [("Kyiv", None), ("Mariupol", None)], "evening", "Evening digest", all_resolved=True)
    south = make_document(
        map_gazetteer, "Ferries stopped in Kherson. Power returned to Nova Kakhovka.",
        [("Kherson", PlaceKind.CITY), ("Nova Kakhovka", None)], "south", "Southern front", all_resolved=True)
    return [morning, evening, south]


@pytest.fixture(scope="module")
def hostile_article(map_gazetteer) -> Document:
    """Hostile text around Kiev, a hostile title, and a place whose very name is hostile (as an
    online geocoder could return)."""
    doc = make_document(map_gazetteer, f"{HOSTILE} Sirens sounded in Kiev. {HOSTILE} Then Evilton.", [("Kiev", None)],
                        "evil", HOSTILE_TITLE, all_resolved=True)
    start = doc.text.index("Evilton")
    place = Place("x:evil", HOSTILE_TITLE, PlaceKind.CITY, 47.5, 35.5, "UA", admin1=HOSTILE_TITLE)
    mention = Mention(start, start + 7, "Evilton", "Evilton", None, None, None, "GPE", (start - 5, len(doc.text)))
    extra = PlaceMention(mention, Resolution(Toponym("Evilton", None, start), place, 0.5))
    return Document(doc.id, doc.text, (*doc.mentions, extra), title=doc.title)


def synthetic_documents(n_places: int, n_docs: int, *, seed: int = 7) -> list[Document]:
    """``n_docs`` documents over ``n_places`` distinct made-up places in eastern Europe; every
    seventh place is also named in the next document."""
    rnd = random.Random(seed)
    places = [Place(f"syn:{i}", f"Town {i}", PlaceKind.CITY, round(rnd.uniform(45.0, 51.5), 4),
                    round(rnd.uniform(23.0, 39.0), 4), "UA") for i in range(n_places)]
    per_doc: list[list[Place]] = [[] for _ in range(n_docs)]
    for i, place in enumerate(places):
        per_doc[i % n_docs].append(place)
        if i % 7 == 0:
            per_doc[(i + 1) % n_docs].append(place)
    documents = []
    for d, chosen in enumerate(per_doc):
        text, mentions = "", []
        for place in chosen:
            sentence = f"Reports came from {place.name} today. "
            start = len(text) + len("Reports came from ")
            mention = Mention(start, start + len(place.name), place.name, place.name, None, None, None, "GPE",
                              (len(text), len(text) + len(sentence) - 1))
            mentions.append(PlaceMention(mention, Resolution(Toponym(place.name, None, start), place, 0.9)))
            text += sentence
        documents.append(Document(f"doc{d}", text, tuple(mentions), title=f"Article {d}"))
    return documents


# -- helpers ---------------------------------------------------------------------------------------


def _count(opened: Opened, selector: str, within: str = "") -> int:
    return opened.evaluate(f"document.querySelectorAll({(within + ' ' + selector).strip()!r}).length")


def _click_place(opened: Opened, name: str, index: int = 0) -> None:
    """Centre the map on a place's marker and click the marker itself (the SVG circle); on a
    clustered map, zoom in all the way first so that the marker is out of its cluster."""
    opened.evaluate(f"""(() => {{
        const api = {opened.api(index)};
        const entry = api.places.find(e => e.p.n === {name!r});
        const clustered = !!api.layers.places.getVisibleParent;
        api.map.closePopup();
        api.map.setView(entry.marker.getLatLng(), clustered ? api.map.getMaxZoom() : api.map.getZoom(),
                        {{animate: false}});
        document.querySelectorAll('[data-test-target]').forEach(e => e.removeAttribute('data-test-target'));
        entry.marker.getElement().setAttribute('data-test-target', '1');
    }})()""")
    opened.page.wait_for_function(f"() => !{opened.api(index)}.map.getContainer().querySelector('.leaflet-popup')")
    opened.page.locator("[data-test-target]").click()


def _popup_text(opened: Opened) -> str:
    opened.page.wait_for_selector(".leaflet-popup-content .geomap-popup")
    return opened.page.inner_text(".leaflet-popup-content")


def _open_layers(opened: Opened, index: int = 0) -> None:
    opened.page.locator(".leaflet-control-layers").nth(index).hover()


def _set_article(opened: Opened, title: str, on: bool) -> None:
    box = opened.page.locator(".leaflet-control-layers-overlays label", has_text=title).locator("input")
    box.check() if on else box.uncheck()


def _shown(opened: Opened, index: int = 0) -> dict:
    """What the map shows: unclustered markers, clusters and the places they hold."""
    return opened.evaluate(f"""(() => {{
        const api = {opened.api(index)};
        const root = api.map.getContainer();
        let clustered = 0;
        root.querySelectorAll('.marker-cluster').forEach(c => clustered += parseInt(c.textContent, 10));
        return {{markers: root.querySelectorAll('path.geomap-marker').length,
                 clusters: root.querySelectorAll('.marker-cluster').length, clustered: clustered,
                 held: api.layers.places.getLayers().length}};
    }})()""")


def _png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) without Pillow:
    ``(width, height, pixels)``, the pixels as 3-byte RGB values, row by row."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            upper_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                line[x] = (line[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else upper_left)) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, [bytes(r[i:i + 3]) for r in rows for i in range(0, stride, channels)]


# -- output forms ----------------------------------------------------------------------------------


def test_self_contained_page_works_with_every_network_request_aborted(open_page, articles, map_gazetteer):
    fmap = render(articles, gazetteer=map_gazetteer, tiles=None)
    opened = open_page(page_html(fmap, self_contained=True), network="none")

    assert len(opened.requests) == 1 and opened.requests[0].startswith("file:"), opened.requests
    assert opened.errors == []
    places = {pm.place.id for d in articles for pm in d.mentions}
    assert _count(opened, "path.geomap-marker") == len(places) == 6
    assert _count(opened, "path.geomap-region") == 1          # Donbas has an outline
    # The base layer of country outlines stands in for the tiles: one fill per country with a shape.
    assert _count(opened, ".leaflet-tile") == 0
    assert _count(opened, "path.geomap-country") == 4
    assert _count(opened, "path.geomap-border") == 4
    legend = opened.page.locator(".geomap-legend-row").all_inner_texts()
    assert legend == ["region (1)", "city (5)"]
    # Admin-1 lines of the mapped countries appear when zoomed in, and go when zoomed out.
    def admin1_lines_at(zoom: int) -> int:
        opened.evaluate(f"{opened.api()}.map.setView([48.5, 35.0], {zoom}, {{animate: false}})")
        return _count(opened, "path.geomap-admin1-line")

    assert admin1_lines_at(6) == 2                             # Kherson and Kharkiv oblasts
    assert admin1_lines_at(3) == 0
    # Leaflet's own stylesheet was inlined and applied (a control sits in its corner).
    assert opened.evaluate("getComputedStyle(document.querySelector('.leaflet-control-zoom')).position") != "static"


def test_default_page_loads_leaflet_from_the_cdn_and_draws_tiles(open_page, articles, map_gazetteer):
    page = page_html(render(articles, gazetteer=map_gazetteer))
    opened = open_page(page, network="cdn")

    assert any(u.endswith("/leaflet@1.9.3/dist/leaflet.js") for u in opened.requests)
    assert any("tile.openstreetmap.org" in u for u in opened.requests)
    assert opened.errors == []
    assert _count(opened, "path.geomap-marker") == 6
    assert _count(opened, "path.geomap-country") == 0        # tiles give the context instead


def test_popup_opens_on_click_and_highlights_the_spelling_found(open_page, articles, map_gazetteer):
    opened = open_page(page_html(render(articles, gazetteer=map_gazetteer, tiles=None), self_contained=True))

    _click_place(opened, "Kharkiv")
    text = _popup_text(opened)
    assert text.startswith("Kharkiv")
    assert "Officials in Kiev said trains to Kharkiv were running again." in text
    assert opened.page.locator(".leaflet-popup-content mark").all_inner_texts() == ["Kharkiv"]


def test_place_named_in_several_articles_has_one_marker_with_excerpts_grouped_by_article(
        open_page, articles, map_gazetteer):
    opened = open_page(page_html(render(articles, gazetteer=map_gazetteer, tiles=None), self_contained=True))

    assert opened.evaluate(f"{opened.api()}.places.filter(e => e.p.n === 'Kyiv').length") == 1
    _click_place(opened, "Kyiv")
    text = _popup_text(opened)
    assert "found as Kiev, Kyiv" in text and "2 mentions in 2 articles" in text
    headings = opened.page.locator(".leaflet-popup-content .geomap-popup-article").all_inner_texts()
    assert headings == ["Morning briefing", "Evening digest"]
    groups = opened.page.locator(".leaflet-popup-content ol.geomap-excerpts").all_inner_texts()
    assert "Officials in Kiev said" in groups[0] and "A convoy left Kyiv at dawn." in groups[1]
    assert opened.page.locator(".leaflet-popup-content mark").all_inner_texts() == ["Kiev", "Kyiv"]


def test_layer_control_has_one_toggle_per_article_that_hides_its_places(open_page, articles, map_gazetteer):
    opened = open_page(page_html(render(articles, gazetteer=map_gazetteer, tiles=None), self_contained=True))
    _open_layers(opened)
    labels = opened.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert [s.strip() for s in labels][:3] == ["Morning briefing", "Evening digest", "Southern front"]

    _set_article(opened, "Morning briefing", False)
    # Kharkiv and Donbas are only in the morning article; Kyiv is also in the evening one.
    assert _count(opened, "path.geomap-marker") == 4
    assert _count(opened, "path.geomap-region") == 0
    visible = opened.evaluate(f"{opened.api()}.places.filter(e => e.visible).map(e => e.p.n).sort()")
    assert visible == ["Kherson", "Kyiv", "Mariupol", "Nova Kakhovka"]
    assert opened.page.locator(".geomap-row.geomap-hidden .geomap-row-name").all_inner_texts() == ["Donbas", "Kharkiv"]
    _set_article(opened, "Evening digest", False)
    assert _count(opened, "path.geomap-marker") == 2          # Kherson and Nova Kakhovka
    _set_article(opened, "Morning briefing", True)
    _set_article(opened, "Evening digest", True)
    assert _count(opened, "path.geomap-marker") == 6
    assert _count(opened, "path.geomap-region") == 1


def test_panel_row_click_flies_to_the_place_and_opens_its_popup(open_page, articles, map_gazetteer):
    opened = open_page(page_html(render(articles, gazetteer=map_gazetteer, tiles=None), self_contained=True))
    rows = opened.page.locator(".geomap-row").all_inner_texts()
    assert rows[0].split() == ["Kyiv", "2"] and len(rows) == 6

    before = opened.evaluate(f"{opened.api()}.map.getCenter()")
    opened.page.locator(".geomap-row-name", has_text=re.compile("^Nova Kakhovka$")).click()
    assert _popup_text(opened).startswith("Nova Kakhovka")
    after = opened.evaluate(f"[{opened.api()}.map.getCenter(), {opened.api()}.map.getZoom()]")
    assert abs(after[0]["lat"] - 46.7546) < 0.05 and abs(after[0]["lng"] - 33.3486) < 0.05, (before, after)
    assert after[1] >= 8


def test_clustering_keeps_article_layers_and_panel_working(open_page):
    documents = synthetic_documents(240, 3)
    fmap = render(documents, tiles=None, cluster=True)
    opened = open_page(page_html(fmap, self_contained=True))
    assert opened.errors == []

    shown = _shown(opened)
    assert shown["clusters"] > 0 and shown["held"] == 240
    assert shown["markers"] + shown["clustered"] == 240      # every place once, clustered or not

    _open_layers(opened)
    _set_article(opened, "Article 0", False)
    only_in_0 = {pm.place.id for pm in documents[0].mentions} - {
        pm.place.id for d in documents[1:] for pm in d.mentions}
    shown = _shown(opened)
    assert shown["held"] == 240 - len(only_in_0)
    assert shown["markers"] + shown["clustered"] == 240 - len(only_in_0)
    _set_article(opened, "Article 0", True)
    assert _shown(opened)["markers"] + _shown(opened)["clustered"] == 240
    # Unclustered circle markers stay drawn after a zoom (markercluster's zoom animation hid
    # markers without an _icon for good).
    opened.evaluate(f"""new Promise(done => {{ const map = {opened.api()}.map;
        map.once('zoomend', () => setTimeout(done, 600)); map.zoomIn(1); }})""")
    opacities = opened.evaluate(
        "Array.from(document.querySelectorAll('path.geomap-marker')).map(p => p.getAttribute('fill-opacity'))")
    assert len(opacities) > 20 and set(opacities) == {"0.95"}

    opened.page.mouse.move(10, 400)
    opened.page.locator(".geomap-panel-filter").fill("Town 123")
    opened.page.locator(".geomap-row-name", has_text=re.compile("^Town 123$")).click()
    assert _popup_text(opened).startswith("Town 123")
    assert opened.evaluate(f"{opened.api()}.map.getZoom()") > 6


@pytest.mark.parametrize("form", ["page", "self-contained", "fragment", "fragment-cdn"])
def test_hostile_article_text_is_shown_as_text_and_never_runs(open_page, hostile_article, articles, map_gazetteer,
                                                              form):
    fmap = render([hostile_article, articles[1]], gazetteer=map_gazetteer, tiles=None, height=500)
    if form.startswith("fragment"):
        fragment = fragment_html(fmap, self_contained=form == "fragment")
        html = f"<!doctype html><html><body><h1>Host</h1>{fragment}</body></html>"
    else:
        html = page_html(fmap, self_contained=form == "self-contained")
    opened = open_page(html, network="cdn" if form in ("page", "fragment-cdn") else "none")
    page = opened.page

    _click_place(opened, "Kyiv")
    text = _popup_text(opened)
    page.mouse.move(5, 5)
    _open_layers(opened)
    page.locator(".geomap-row-button").first.hover()
    _click_place(opened, HOSTILE_TITLE)                             # a place with a hostile name
    name_popup = _popup_text(opened)
    page.locator("[data-test-target]").hover()
    page.wait_for_selector(".leaflet-tooltip")
    tooltip = page.locator(".leaflet-tooltip").inner_text()
    page.wait_for_timeout(200)

    # The payloads are visible, character for character, as text ...
    assert "<script>window.__geomapPwned=1;alert(1)</script>" in text
    assert '"><img src=x onerror="window.__geomapPwned=1;alert(2)">' in text
    assert "`${window.__geomapPwned=1}`" in text
    assert HOSTILE_TITLE in page.locator(".leaflet-control-layers-overlays").inner_text()
    assert HOSTILE_TITLE in text                                   # the article heading in the popup
    assert name_popup.startswith(HOSTILE_TITLE) and tooltip.startswith(HOSTILE_TITLE)
    assert HOSTILE_TITLE in page.locator(".geomap-panel").inner_text()
    if not form.startswith("fragment"):
        assert HOSTILE_TITLE in opened.evaluate("document.title")
    # ... and nothing ran, no element was made from them, no dialog opened.
    assert opened.evaluate("window.__geomapPwned") is None
    assert opened.dialogs == []
    assert opened.evaluate("document.querySelectorAll('img[src=\"x\"], a[href^=\"javascript:\"]').length") == 0
    assert opened.evaluate("Array.from(document.scripts).filter(s => s.textContent.includes('__geomapPwned'))"
                           ".every(s => s.type === 'application/json')")
    assert opened.errors == []


@pytest.mark.parametrize("self_contained", [True, False], ids=["self-contained", "cdn"])
def test_two_fragments_share_a_page_without_colliding(open_page, articles, map_gazetteer, self_contained):
    first = fragment_html(render(articles, gazetteer=map_gazetteer, tiles=None, height=360),
                          self_contained=self_contained)
    second = fragment_html(render(synthetic_documents(100, 2), tiles=None, height=360, cluster=True),
                           self_contained=self_contained)
    host = ("<!doctype html><html><head><title>Report</title><style>body{font-family:serif}</style></head>"
            f"<body><h1>Report</h1><p>First map:</p>{first}<p>Second map:</p>{second}<p>The end.</p></body></html>")
    opened = open_page(host, network="none" if self_contained else "cdn")

    assert opened.errors == []
    if self_contained:
        assert len(opened.requests) == 1
    else:  # each library once, however many fragments need it
        assert sum(u.endswith("/leaflet.js") for u in opened.requests) == 1
        assert sum(u.endswith("/leaflet.markercluster.js") for u in opened.requests) == 1
    ids = opened.evaluate("Array.from(document.querySelectorAll('[id]')).map(e => e.id)")
    assert len(ids) == len(set(ids))
    maps = opened.evaluate("Array.from(document.querySelectorAll('.folium-map')).map(e => e.id)")
    assert len(maps) == 2 and set(maps) == set(opened.evaluate("Object.keys(window.geomapMaps)"))
    assert _count(opened, "path.geomap-marker", f"#{maps[0]}") == 6
    second_shown = _shown(opened, 1)
    assert second_shown["markers"] + second_shown["clustered"] == 100
    # The host page keeps its own look, and each map its own size.
    assert opened.evaluate("getComputedStyle(document.body).fontFamily") == "serif"
    assert opened.evaluate("Array.from(document.querySelectorAll('.folium-map')).map(e => e.offsetHeight)") == [360, 360]
    # On maps this small the places panel starts as a button that opens it.
    panel = opened.page.locator(f"#{maps[0]} .geomap-panel")
    assert not panel.locator(".geomap-row").first.is_visible()
    panel.locator(".geomap-panel-head").click()
    assert panel.locator(".geomap-row").first.is_visible()
    # Clicking in the second map opens a popup in the second map only.
    _click_place(opened, "Town 1", index=1)
    _popup_text(opened)
    assert _count(opened, ".leaflet-popup", f"#{maps[1]}") == 1
    assert _count(opened, ".leaflet-popup", f"#{maps[0]}") == 0


def test_map_renders_in_a_notebook_iframe(open_page, articles, map_gazetteer):
    """Jupyter shows ``_repr_html_``: an iframe whose document is the whole map page."""
    fmap = render(articles, gazetteer=map_gazetteer, tiles=None)
    html = f"<!doctype html><html><body><div style='width:900px'>{fmap._repr_html_()}</div></body></html>"
    opened = open_page(html, network="cdn", wait=False)
    frame = next(f for f in opened.page.frames if f != opened.page.main_frame)
    frame.wait_for_function("() => document.querySelector('[data-geomap-ready]') !== null")
    assert frame.evaluate("document.querySelectorAll('path.geomap-marker').length") == 6
    assert opened.errors == []


# -- pictures ------------------------------------------------------------------------------------


def test_png_has_the_requested_size_and_shows_markers_on_country_outlines(tmp_path, articles, map_gazetteer,
                                                                           chromium_path):
    from geomap.outputs.screenshot import png_size, screenshot

    picture = render(articles, gazetteer=map_gazetteer, tiles=None, static=True)
    out = screenshot(page_html(picture, self_contained=True), tmp_path / "map.png", width=640, height=400)
    data = out.read_bytes()
    assert png_size(data) == (640, 400)
    width, height, pixels = _png_pixels(data)
    counts: dict[bytes, int] = {}
    for px in pixels:
        counts[px] = counts.get(px, 0) + 1
    assert counts.get(bytes(_KIND_COLOURS_RGB["city"]), 0) > 50   # city markers are drawn ...
    assert counts.get(bytes(_LAND_RGB), 0) > 10000                 # ... on the country-outline base layer


def test_static_map_labels_do_not_overlap(open_page, map_gazetteer):
    crowded = make_document(
        map_gazetteer, "Kherson, Nova Kakhovka, Kharkiv, Izium, Mariupol and Kyiv were named. Donbas too.",
        [("Kherson", PlaceKind.CITY), ("Nova Kakhovka", None), ("Kharkiv", PlaceKind.CITY), ("Izium", None),
         ("Mariupol", None), ("Kyiv", None), ("Donbas", None)], "crowded", "Crowded", all_resolved=True)
    opened = open_page(page_html(render([crowded], gazetteer=map_gazetteer, tiles=None, static=True),
                                 self_contained=True), width=420, height=300)
    rects = opened.evaluate("""Array.from(document.querySelectorAll('.geomap-label'))
        .filter(e => e.style.display !== 'none').map(e => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom]; })""")
    assert len(rects) >= 3
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            overlap = a[0] < b[2] - 1 and b[0] < a[2] - 1 and a[1] < b[3] - 1 and b[1] < a[3] - 1
            assert not overlap, (a, b)


# -- the command line, end to end (real model and gazetteer) ------------------------------------------


@pytest.mark.model
@pytest.mark.gazetteer
def test_cli_self_contained_map_of_the_example_opens_offline(open_page, tmp_path):
    from geomap.cli import main

    out = tmp_path / "report.html"
    assert main(["map", str(EXAMPLES / "frontline_report.txt"), "--self-contained", "-q", "-o", str(out)]) == 0
    opened = open_page(out.read_text("utf-8"), network="none")
    assert len(opened.requests) == 1 and opened.errors == []
    assert _count(opened, "path.geomap-country") > 150           # Natural Earth countries from the gazetteer
    assert _count(opened, "path.geomap-marker") >= 6
    _click_place(opened, "Kyiv")
    assert "Kiev" in opened.page.locator(".leaflet-popup-content mark").all_inner_texts()


@pytest.mark.model
@pytest.mark.gazetteer
def test_cli_png_of_the_example_has_the_requested_size(tmp_path, chromium_path):
    from geomap.cli import main
    from geomap.outputs.screenshot import png_size

    out = tmp_path / "report.png"
    assert main(["map", str(EXAMPLES / "frontline_report.txt"), "-q", "--png", str(out), "--width", "800",
                 "--height", "500"]) == 0
    assert png_size(out.read_bytes()) == (800, 500)
