"""Tests for the vendored web assets (geomap/assets) and geomap.outputs.offline.inline_html."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from importlib.resources import files

import folium
import folium.folium
import pytest
from folium.plugins import MarkerCluster

from geomap.outputs import offline
from geomap.outputs.offline import MissingAssetError, inline_html, vendored_file_for_url

ASSETS = files("geomap") / "assets"
MANIFEST = json.loads((ASSETS / "manifest.json").read_text(encoding="utf-8"))


def _read(rel: str) -> bytes:
    node = ASSETS
    for part in rel.split("/"):
        node = node / part
    return node.read_bytes()


def _exists(rel: str) -> bool:
    node = ASSETS
    for part in rel.split("/"):
        node = node / part
    return node.is_file()


ALL_FILES = sorted((rel, f) for a in MANIFEST["assets"].values() for rel, f in a["files"].items())


class _Tags(HTMLParser):
    """Collects <script>, <link> and <style> elements the way a browser tokenizes them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict, str]] = []
        self.links: list[dict] = []
        self.styles: list[tuple[dict, str]] = []
        self._open: tuple[str, dict] | None = None
        self._data: list[str] = []

    def handle_starttag(self, tag, attrs):
        d = dict(attrs)
        if tag == "link":
            self.links.append(d)
        elif tag in ("script", "style"):
            self._open, self._data = (tag, d), []

    def handle_data(self, data):
        if self._open is not None:
            self._data.append(data)

    def handle_endtag(self, tag):
        if self._open is not None and tag == self._open[0]:
            target = self.scripts if tag == "script" else self.styles
            target.append((self._open[1], "".join(self._data)))
            self._open = None


def _tags(page: str) -> _Tags:
    p = _Tags()
    p.feed(page)
    p.close()
    return p


def _folium_page() -> str:
    m = folium.Map(location=[48.85, 2.35], zoom_start=5, tiles=None)
    folium.Marker([48.85, 2.35], popup=folium.Popup("Paris <b>popup</b>"), tooltip="Paris").add_to(m)
    cluster = MarkerCluster().add_to(m)
    for i in range(3):
        folium.Marker([45 + i / 100, 5 + i / 100], popup=f"clustered {i}").add_to(cluster)
    return m.get_root().render()


def _folium_cdn_urls() -> set[str]:
    urls = {u for _, u in folium.folium._default_js} | {u for _, u in folium.folium._default_css}
    urls |= {u for _, u in MarkerCluster.default_js} | {u for _, u in MarkerCluster.default_css}
    return urls


# ------------------------------------------------------------ the files ---


@pytest.mark.parametrize("rel,entry", ALL_FILES, ids=[r for r, _ in ALL_FILES])
def test_manifest_file_exists_and_matches_sha256(rel, entry):
    assert _exists(rel), rel
    data = _read(rel)
    assert len(data) == entry["size"]
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("name", sorted(MANIFEST["assets"]))
def test_every_package_has_its_licence_and_provenance(name):
    a = MANIFEST["assets"][name]
    for key in ("package", "version", "registry", "license", "license_file", "files", "urls"):
        assert a[key], (name, key)
    assert a["registry"] in {"npm", "pypi-sdist"}
    assert a["license_file"].startswith(name + "/")
    licence = _read(a["license_file"])
    assert hashlib.sha256(licence).hexdigest() == a["license_file_sha256"]
    text = licence.decode("utf-8")
    assert len(text) > 200
    assert re.search(r"licen[cs]e|permission", text, re.I)
    for url, rel in a["urls"].items():
        assert url.startswith("https://")
        assert rel in a["files"]


def test_manifest_lists_no_stray_files():
    listed = {rel for rel, _ in ALL_FILES} | {a["license_file"] for a in MANIFEST["assets"].values()}
    on_disk = set()
    root = ASSETS

    def walk(node, prefix):
        for child in node.iterdir():
            rel = prefix + child.name
            if child.is_dir():
                walk(child, rel + "/")
            else:
                on_disk.add(rel)

    walk(root, "")
    assert on_disk - listed == {"manifest.json", "README.md"}


def test_every_cdn_url_folium_uses_is_vendored():
    vendored = {u for a in MANIFEST["assets"].values() for u in a["urls"]}
    missing = _folium_cdn_urls() - vendored
    assert not missing, f"folium {folium.__version__} loads assets that are not vendored: {sorted(missing)}"


def test_versions_match_what_folium_asks_for():
    versions = {a["package"]: a["version"] for a in MANIFEST["assets"].values()}
    assert versions["leaflet"] == "1.9.3"
    assert versions["jquery"] == "3.7.1"
    assert versions["bootstrap"] == "5.2.2"
    assert versions["@fortawesome/fontawesome-free"] == "6.2.0"
    assert versions["drmonty-leaflet-awesome-markers"] == "2.0.2"
    assert versions["leaflet.markercluster"] == "1.1.0"


def test_fontawesome_is_trimmed_to_woff2():
    css = _read("fontawesome-free/css/all.min.css").decode()
    refs = re.findall(r"url\(([^)]*)\)", css)
    assert refs and all(r.endswith(".woff2") for r in refs)
    assert len(refs) == len(set(refs)) == 3  # each font once
    fa_files = MANIFEST["assets"]["fontawesome-free"]["files"]
    assert not [f for f in fa_files if f.endswith((".ttf", ".eot", ".svg", ".woff"))]


# ------------------------------------------------------------- inlining ---


def test_inline_html_on_a_real_folium_page_leaves_no_remote_scripts_or_stylesheets():
    raw = _folium_page()
    assert 'src="https://' in raw  # folium really does load from CDNs
    out = inline_html(raw)

    tags = _tags(out)
    remote = re.compile(r"^\s*(https?:)?//", re.I)
    assert [a["src"] for a, _ in tags.scripts if a.get("src") and remote.match(a["src"])] == []
    assert [
        ln["href"]
        for ln in tags.links
        if "stylesheet" in (ln.get("rel") or "").lower() and remote.match(ln.get("href") or "")
    ] == []
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", out, re.I):  # the literal check, on tags only
        assert 'src="http' not in tag and "href=\"http" not in tag, tag

    inlined_js = [a["data-geomap-asset"] for a, _ in tags.scripts if "data-geomap-asset" in a]
    inlined_css = [a["data-geomap-asset"] for a, _ in tags.styles if "data-geomap-asset" in a]
    assert inlined_js[:2] == ["leaflet/leaflet.js", "leaflet-default-icon"]
    assert "jquery/jquery.min.js" in inlined_js
    assert "leaflet-markercluster/leaflet.markercluster.js" in inlined_js
    assert "leaflet-markercluster/MarkerCluster.Default.css" in inlined_css
    assert "fontawesome-free/css/all.min.css" in inlined_css

    # the inlined code is the vendored code
    leaflet_js = next(body for a, body in tags.scripts if a.get("data-geomap-asset") == "leaflet/leaflet.js")
    assert 't.version="1.9.3"' in leaflet_js
    assert "sourceMappingURL" not in leaflet_js

    # every url() in the inlined stylesheets is now a data: URI (or a #fragment)
    for attrs, css in tags.styles:
        for ref in re.findall(r"""url\(\s*["']?([^"')]*)""", css):
            assert ref.startswith(("data:", "#")), (attrs, ref[:80])

    # the map's own scripts survive untouched
    assert out.count("L.marker(") == raw.count("L.marker(") == 4
    assert "L.markerClusterGroup(" in out


def test_default_marker_icon_uses_data_uris():
    out = inline_html(_folium_page())
    fix = next(body for a, body in _tags(out).scripts if a.get("data-geomap-asset") == "leaflet-default-icon")
    assert 'L.Icon.Default.imagePath=""' in fix
    opts = json.loads(re.search(r"mergeOptions\((\{.*\})\)", fix).group(1))
    assert set(opts) == {"iconUrl", "iconRetinaUrl", "shadowUrl"}
    assert all(v.startswith("data:image/png;base64,") for v in opts.values())


def test_inline_html_is_idempotent_and_keeps_local_references():
    page = (
        "<html><head>"
        '<script src="local/app.js"></script>'
        '<link rel="stylesheet" href="style.css"/>'
        '<link rel="icon" href="https://example.org/favicon.ico"/>'
        "<script>var s = '<script src=\"https://example.org/x.js\"><\\/script>';</script>"
        "<!-- <script src=\"https://example.org/commented.js\"></script> -->"
        '<script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
        "</head><body></body></html>"
    )
    once = inline_html(page)
    assert inline_html(once) == once
    assert '<script src="local/app.js"></script>' in once
    assert '<link rel="stylesheet" href="style.css"/>' in once
    assert '<link rel="icon" href="https://example.org/favicon.ico"/>' in once
    assert "https://example.org/x.js" in once and "https://example.org/commented.js" in once


def test_scheme_relative_and_http_cdn_urls_map_to_the_same_file():
    rel = "jquery/jquery.min.js"
    assert vendored_file_for_url("https://code.jquery.com/jquery-3.7.1.min.js") == rel
    assert vendored_file_for_url("http://code.jquery.com/jquery-3.7.1.min.js") == rel
    assert vendored_file_for_url("//code.jquery.com/jquery-3.7.1.min.js") == rel
    assert vendored_file_for_url("https://code.jquery.com/jquery-3.6.0.min.js") is None
    assert vendored_file_for_url("jquery.min.js") is None


@pytest.mark.parametrize(
    "tag,url",
    [
        ('<script src="{}"></script>', "https://cdn.example.com/unknown-lib@1.0.0/unknown.js"),
        ("<script type='text/javascript' src='{}'></script>", "//cdn.example.com/other.js"),
        ('<link href="{}" rel="stylesheet">', "https://cdn.example.com/unknown.css"),
    ],
)
def test_unknown_cdn_asset_raises_missing_asset_error_naming_it(tag, url):
    page = _folium_page().replace("</head>", tag.format(url) + "\n</head>")
    with pytest.raises(MissingAssetError) as info:
        inline_html(page)
    err = info.value
    assert isinstance(err, RuntimeError) and isinstance(err, LookupError)
    assert err.url == url
    assert url in str(err)


def test_inlined_script_end_tags_are_escaped(monkeypatch):
    evil = (
        'var a = "</script><script>alert(1)</script>";\n'
        "var b = '</SCRIPT >';\n"
        "var c = '<!--<script>';\n"
        "var re = /<\\/script>/;\n"
        "window.ok = a.length + b.length + c.length;\n"
    )
    real = offline._asset_text
    monkeypatch.setattr(
        offline, "_asset_text", lambda rel: evil if rel == "jquery/jquery.min.js" else real(rel)
    )
    page = (
        "<html><head>"
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>'
        "<script>var after = 1;</script>"
        "</head><body><p>still here</p></body></html>"
    )
    out = inline_html(page)
    tags = _tags(out)
    bodies = [body for _, body in tags.scripts]
    assert len(bodies) == 2, bodies  # the inlined script did not end early
    inlined = bodies[0]
    assert "</script" not in inlined.lower()
    assert "<!--" not in inlined
    assert '"<\\/script><script>alert(1)<\\/script>"' in inlined
    assert "'<\\/SCRIPT >'" in inlined
    assert "\\x3C!--<script>" in inlined
    assert bodies[1] == "var after = 1;"
    assert "<p>still here</p>" in out


def test_inlined_style_end_tags_are_escaped(monkeypatch):
    real = offline._asset_text
    monkeypatch.setattr(
        offline,
        "_asset_text",
        lambda rel: '.x::after{content:"</style><b>"}' if rel == "leaflet/leaflet.css" else real(rel),
    )
    page = '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/><p>x</p>'
    out = inline_html(page)
    assert "</style><b>" not in out
    assert '<\\/style><b>' in out
    assert out.endswith("</style><p>x</p>")
