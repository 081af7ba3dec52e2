"""Rendering and exports, on documents assembled by hand (no model needed)."""

from __future__ import annotations

import json
import re

import pytest

from gazetteer import PlaceKind
from geomap.outputs.export import document_record, to_csv, to_geojson, to_jsonl_line, to_table
from geomap.model import Document
from geomap.outputs.map import escape, popup_html, render

from documents import make_document

HOSTILE = ('<script>alert(1)</script> "><img src=x onerror=alert(1)> '
           '<a href="javascript:alert(1)">x</a> `${alert(1)}` \\u003c')


@pytest.fixture()
def document(tiny_gazetteer):
    text = (f"Sirens sounded in Kiev. {HOSTILE}. Shelling hit Kherson overnight. "
            "Officials in the Kherson region reported outages. Atlantis was quiet.")
    return make_document(tiny_gazetteer, text, [("Kiev", None), ("Kherson", None), ("Kherson", PlaceKind.ADMIN1),
                                                ("Atlantis", None)])


def test_escape_neutralises_html_and_template_literals():
    escaped = escape(HOSTILE)
    assert "<" not in escaped and ">" not in escaped and "`" not in escaped and "${" not in escaped
    assert '"' not in escaped


def test_popup_shows_name_kind_spellings_and_escaped_excerpt(document):
    kyiv = next(mp for mp in document.places() if mp.place.name == "Kyiv")
    html = popup_html(kyiv)
    assert "Kyiv" in html and "city" in html and "found as Kiev" in html
    assert "<mark>Kiev</mark>" in html


def _blob(page: str) -> dict:
    """The JSON data block the map runtime reads."""
    match = re.search(r'<script type="application/json" id="[^"]+">(.*?)</script>', page, re.S)
    assert match, "no data block in the page"
    return json.loads(match.group(1))


def test_hostile_article_text_never_reaches_the_page_unescaped(document, tiny_gazetteer):
    document = make_document(tiny_gazetteer, f"{HOSTILE} Kherson was shelled. {HOSTILE}", [("Kherson", None)],
                             title=HOSTILE)
    page = render([document], gazetteer=tiny_gazetteer).get_root().render()
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page
    assert 'href="javascript:' not in page
    outside_data = re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.S)
    assert "`${alert(1)}`" not in outside_data
    # The text travels as JSON with < > & escaped, and arrives intact when parsed.
    data = _blob(page)
    assert data["docs"][0]["t"] == HOSTILE
    [kherson] = data["p"]
    assert HOSTILE in kherson["e"][0][1]


def test_map_draws_cities_as_markers_and_regions_as_outlines(document, tiny_gazetteer):
    page = render([document], gazetteer=tiny_gazetteer).get_root().render()
    data = _blob(page)
    by_name = {p["n"]: p for p in data["p"]}
    assert set(by_name) == {"Kyiv", "Kherson", "Kherson Oblast"}
    assert by_name["Kyiv"]["k"] == "city" and "g" not in by_name["Kyiv"]
    oblast = by_name["Kherson Oblast"]
    assert oblast["k"] == "admin1" and data["shapes"][oblast["g"]]  # the oblast's outline
    assert by_name["Kyiv"]["s"] == ["Kiev"]
    assert "GeoNames" in page and "Natural Earth" in page
    south, west = data["bounds"][0]
    north, east = data["bounds"][1]
    for place in data["p"]:
        assert south <= place["y"] <= north and west <= place["x"] <= east


def test_unresolved_mentions_stay_in_the_records(document):
    record = document_record(document)
    assert [p["surface"] for p in record["places"]] == ["Kiev", "Kherson", "Kherson", "Atlantis"]
    atlantis = record["places"][-1]
    assert atlantis["lat"] is None and atlantis["lon"] is None and atlantis["name"] is None
    assert atlantis["candidates"] == []


def test_jsonl_record_has_the_documented_keys(document):
    record = json.loads(to_jsonl_line(document))
    assert set(record) == {"id", "places"}
    required = {"start", "end", "surface", "name", "kind", "lat", "lon", "country_code", "admin1", "geonameid",
                "confidence", "ambiguous", "candidates"}
    for place in record["places"]:
        assert required <= set(place)
        assert document.text[place["start"]:place["end"]] == place["surface"]
        for candidate in place["candidates"]:
            assert {"name", "kind", "lat", "lon", "score"} <= set(candidate)
    kinds = [p["kind"] for p in record["places"]]
    assert kinds[:3] == ["city", "city", "admin1"]


def test_geojson_is_rfc7946(document, tiny_gazetteer):
    collection = json.loads(to_geojson([document], gazetteer=tiny_gazetteer))
    assert collection["type"] == "FeatureCollection"
    by_name = {f["properties"]["name"]: f for f in collection["features"]}
    assert by_name["Kyiv"]["geometry"] == {"type": "Point", "coordinates": [30.5238, 50.4547]}
    oblast = by_name["Kherson Oblast"]["geometry"]
    assert oblast["type"] in ("Polygon", "MultiPolygon")
    ring = oblast["coordinates"][0] if oblast["type"] == "Polygon" else oblast["coordinates"][0][0]
    assert ring[0] == ring[-1]
    signed_area = sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))
    assert signed_area > 0  # exterior ring counter-clockwise
    assert by_name["Kyiv"]["properties"]["spellings"] == ["Kiev"]
    assert "Sirens sounded in Kiev." in by_name["Kyiv"]["properties"]["excerpts"][0]["text"]


def test_csv_and_table(document):
    csv_text = to_csv([document])
    assert csv_text.count("\n") == 5
    table = to_table([document])
    assert "Kyiv" in table and "unresolved: Atlantis" in table


def test_excerpt_is_the_sentence_with_the_mention(document):
    kherson = next(pm for pm in document.mentions if pm.mention.surface == "Kherson" and pm.mention.hint is None)
    excerpt = document.excerpt(kherson.mention)
    assert excerpt.match == "Kherson"
    assert excerpt.text == "Shelling hit Kherson overnight."


def test_empty_map_renders(tiny_gazetteer):
    page = render([Document("empty", "Nothing here.")], gazetteer=tiny_gazetteer).get_root().render()
    assert "L.map(" in page and _blob(page)["p"] == []


# -- output forms (the browser tests in test_browser_map.py open them) ------------------------------


def test_self_contained_page_references_nothing_remote(document, tiny_gazetteer):
    from geomap.outputs.map import page_html

    page = page_html(render([document], gazetteer=tiny_gazetteer, tiles=None), self_contained=True)
    assert not re.search(r"""<(script|link|img)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "data-geomap-asset=\"leaflet/leaflet.js\"" in page
    default = page_html(render([document], gazetteer=tiny_gazetteer))
    assert '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>' in default


@pytest.mark.parametrize("self_contained", [False, True])
def test_fragments_have_unique_ids_and_leave_the_host_page_alone(document, tiny_gazetteer, self_contained):
    from geomap.outputs.map import fragment_html

    first, second = (fragment_html(render([document], gazetteer=tiny_gazetteer, height=400),
                                   self_contained=self_contained) for _ in range(2))
    for fragment in (first, second):
        assert fragment.startswith('<div class="geomap-embed">') and fragment.rstrip().endswith("</div>")
        assert not re.search(r"<(html|head|body)\b", fragment, re.I)
        assert "html, body" not in fragment
    ids = [set(re.findall(r'\bid="([^"]+)"', f)) for f in (first, second)]
    assert ids[0] and not ids[0] & ids[1]
    if not self_contained:  # Leaflet is loaded by the fragment loader, once per page
        assert "geomapLoad(" in first and "<script src=" not in first
    else:  # inlined, but only run when the page has no Leaflet yet
        assert "if (!(window.L))" in first


def test_static_map_has_labels_and_no_controls(document, tiny_gazetteer):
    page = render([document], gazetteer=tiny_gazetteer, tiles=None, static=True).get_root().render()
    options = _blob(page)["opt"]
    assert options["static"] and options["labels"] > 0 and not options["panel"] and not options["cluster"]


def test_png_without_chromium_is_a_one_line_error_before_any_work(tmp_path, capsys, monkeypatch):
    from geomap.cli import main

    article = tmp_path / "a.txt"
    article.write_text("Kyiv.", encoding="utf-8")
    monkeypatch.setenv("GEOMAP_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert main(["map", str(article), "--png", str(tmp_path / "a.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "GEOMAP_CHROMIUM" in err and "Chromium" in err
    assert not (tmp_path / "a.png").exists()


@pytest.mark.parametrize("option, value, message", [("--width", "50%", "a PNG needs pixels"),
                                                    ("--height", "5", "16 to 10000 pixels")])
def test_png_size_errors_name_the_option(tmp_path, capsys, option, value, message):
    from geomap.cli import main

    article = tmp_path / "a.txt"
    article.write_text("Kyiv.", encoding="utf-8")
    assert main(["map", str(article), "--png", str(tmp_path / "a.png"), option, value]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"geomap: error: {option} {value}") and message in err and "\n" not in err


def test_kml_has_points_and_outlines_and_escapes_text(document, tiny_gazetteer):
    import xml.etree.ElementTree as ET

    from geomap.outputs.export import to_kml

    hostile = make_document(tiny_gazetteer, f"{HOSTILE} Kherson was shelled.", [("Kherson", None)], doc_id="h")
    root = ET.fromstring(to_kml([document, hostile], gazetteer=tiny_gazetteer))
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    marks = {m.find("k:name", ns).text: m for m in root.iterfind(".//k:Placemark", ns)}
    assert set(marks) == {"Kyiv", "Kherson", "Kherson Oblast"}
    lon, lat = map(float, marks["Kyiv"].find(".//k:Point/k:coordinates", ns).text.split(","))
    assert (lat, lon) == (50.4547, 30.5238)
    assert marks["Kherson Oblast"].find(".//k:Polygon", ns) is not None
    description = marks["Kherson"].find("k:description", ns).text
    assert HOSTILE in description  # intact as text once parsed, so never markup in the file
    assert "found as Kherson" in description
