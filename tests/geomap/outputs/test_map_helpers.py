"""The map's first view and its helpers (search, full screen, heat) in the page geomap writes,
and the vendored files they need (fast: no browser, no model)."""

from __future__ import annotations

import json
import re

import folium
import pytest
from folium.plugins import Fullscreen, HeatMap, Search

from gazetteer import Place, PlaceKind, Resolution, Toponym
from geomap.outputs.framing import Bounds
from geomap.model import Document, Mention, PlaceMention
from geomap.outputs.offline import inline_html, vendored_file_for_url
from geomap.outputs.map import map_data, page_html, render


def _doc(places: list[tuple[str, PlaceKind, float, float, int]]) -> Document:
    text, mentions = "", []
    for name, kind, lat, lon, n in places:
        place = Place(f"t:{name.lower()}", name, kind, lat, lon, "XX")
        for _ in range(n):
            start = len(text)
            text += name + ". "
            mentions.append(PlaceMention(Mention(start, start + len(name), name, name),
                                         Resolution(Toponym(name, None, start), place, 0.9)))
    return Document("d", text, tuple(mentions))


STORY = _doc([("Kherson", PlaceKind.CITY, 46.64, 32.61, 4), ("Mariupol", PlaceKind.CITY, 47.1, 37.54, 2),
              ("Kharkiv", PlaceKind.CITY, 49.98, 36.25, 2), ("Washington", PlaceKind.CITY, 38.9, -77.04, 1),
              ("Ukraine", PlaceKind.COUNTRY, 49.0, 32.0, 6), ("United States", PlaceKind.COUNTRY, 38.0, -97.0, 2)])


def _data(page: str) -> dict:
    [blob] = re.findall(r'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S)
    return json.loads(blob)


def test_view_fits_the_story_and_bounds_keep_every_place():
    data = map_data([STORY])
    (south, west), (north, east) = data["view"]
    assert west == pytest.approx(32.61) and east == pytest.approx(37.54)
    assert south == pytest.approx(46.64) and north == pytest.approx(49.98)
    assert data["bounds"][0][1] == pytest.approx(-97.0)  # all places, for the layers
    assert len(data["p"]) == 6
    assert map_data([STORY], fit="all")["view"] == data["bounds"]
    assert map_data([STORY], fit=Bounds(20, 40, 45, 55))["view"] == [[40, 20], [55, 45]]


def test_the_folium_map_starts_on_the_story():
    fmap = render([STORY], tiles=None)
    lat, lon = fmap.location
    assert 46 < lat < 50 and 32 < lon < 38
    assert render([STORY], tiles=None, fit="all").location[1] < 0


PACIFIC = _doc([("Suva", PlaceKind.CITY, -18.14, 178.44, 3), ("Apia", PlaceKind.CITY, -13.83, -171.77, 3),
                ("Nukualofa", PlaceKind.CITY, -21.14, -175.2, 2)])


def test_a_map_across_the_antimeridian_draws_its_places_beside_each_other():
    data = map_data([PACIFIC])
    (south, west), (north, east) = data["view"]
    assert west == pytest.approx(178.44) and east == pytest.approx(188.23)
    xs = {p["n"]: p["x"] for p in data["p"]}
    assert xs == {"Suva": 178.44, "Apia": pytest.approx(188.23), "Nukualofa": pytest.approx(184.8)}
    assert all(west <= x <= east for x in xs.values()) and data["bounds"] == data["view"]
    fmap = render([PACIFIC], tiles=None)
    assert 178 < fmap.location[1] < 189 and fmap.options["world_copy_jump"] is False
    assert render([STORY], tiles=None).options["world_copy_jump"] is True
    # A map that does not cross keeps its longitudes as they are.
    assert {p["n"]: p["x"] for p in map_data([STORY])["p"]}["Washington"] == -77.04


def test_helpers_load_only_what_they_use_and_inline_offline():
    page = page_html(render([STORY], tiles=None), self_contained=True)
    assert 'data-geomap-asset="leaflet-search/dist/leaflet-search.min.js"' in page
    assert 'data-geomap-asset="leaflet-fullscreen/Control.FullScreen.js"' in page
    assert "leaflet_heat" not in page
    data = _data(page)
    assert data["opt"]["search"] and data["opt"]["fullscreen"] and not data["opt"]["heat"]
    heat = page_html(render([STORY], tiles=None, heat=True), self_contained=True)
    assert 'data-geomap-asset="folium-leaflet-heat/leaflet_heat.min.js"' in heat and _data(heat)["opt"]["heat"]
    assert not re.search(r'<(script|link)\b[^>]*(src|href)="https?:', heat)
    static = page_html(render([STORY], tiles=None, static=True), self_contained=True)
    assert "data-geomap-asset=\"leaflet-search/" not in static  # pictures need no buttons
    assert "data-geomap-asset=\"leaflet-fullscreen/" not in static


@pytest.mark.parametrize("plugin", [Fullscreen, Search, HeatMap])
def test_folium_plugin_files_are_vendored_at_the_versions_folium_links(plugin):
    for _, url in list(plugin.default_js) + list(plugin.default_css):
        assert vendored_file_for_url(url) is not None, url


def test_a_folium_page_with_the_plugins_inlines_completely():
    fmap = folium.Map(tiles=None)
    layer = folium.GeoJson({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "Kherson"}, "geometry": {"type": "Point",
                                                                         "coordinates": [32.61, 46.64]}}]})
    layer.add_to(fmap)
    Fullscreen().add_to(fmap)
    Search(layer=layer, search_label="name").add_to(fmap)
    HeatMap([[46.64, 32.61, 1.0]]).add_to(fmap)
    page = inline_html(fmap.get_root().render())
    assert not re.search(r'<(script|link)\b[^>]*(src|href)="https?:', page)
    assert 'data-geomap-asset="leaflet-search/dist/leaflet-search.min.js"' in page
    assert "image/svg+xml;base64" in page  # the full-screen icon, inlined from its stylesheet
