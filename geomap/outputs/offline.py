"""Make a folium HTML page self-contained, so it works with no network.

folium pages load Leaflet, jQuery, Bootstrap, Font Awesome, ... from CDNs.
``inline_html`` swaps every such ``<script src>`` / stylesheet ``<link>`` for
the copy vendored in ``geomap/assets`` (see ``geomap/assets/README.md`` and
``scripts/vendor_assets.py``), with fonts and images that the stylesheets
reference embedded as ``data:`` URIs.

Map *tiles* are not assets: a page whose tile layer points at a tile server
still asks that server for tiles.  Only scripts and stylesheets are handled.
"""

from __future__ import annotations

import base64
import functools
import html as _html
import json
import posixpath
import re
from importlib.resources import files

from ..errors import MissingAssetError

__all__ = ["MissingAssetError", "inline_html", "vendored_file_for_url", "guard_for_url"]


# ---------------------------------------------------------------- assets ---


def _assets_root():
    return files("geomap") / "assets"


@functools.lru_cache(maxsize=None)
def _manifest() -> dict:
    return json.loads((_assets_root() / "manifest.json").read_text(encoding="utf-8"))


def _url_key(url: str) -> str | None:
    """Scheme-less key for a remote URL (``http:``, ``https:`` or ``//``); None if not remote."""
    m = re.match(r"(?i)^\s*(?:https?:)?//([^\s]+?)\s*$", url)
    return m.group(1) if m else None


@functools.lru_cache(maxsize=None)
def _url_table() -> dict[str, str]:
    table: dict[str, str] = {}
    for asset in _manifest()["assets"].values():
        for url, rel in asset["urls"].items():
            key = _url_key(url)
            if key is None:  # the shipped manifest is broken: a packaging error, not user input
                raise RuntimeError(f"geomap/assets/manifest.json: {url!r} is not a remote URL; "
                                   "regenerate it with scripts/vendor_assets.py")
            table[key] = rel
    return table


@functools.lru_cache(maxsize=None)
def _vendored_files() -> frozenset[str]:
    return frozenset(rel for a in _manifest()["assets"].values() for rel in a["files"])


@functools.lru_cache(maxsize=None)
def cdn_files() -> dict[str, str]:
    """Every CDN URL a page may ask for -> the vendored file (relative to ``geomap/assets``)
    with the same content: the URLs the manifest lists, and the files next to them that a
    stylesheet refers to by relative URL (fonts, images). For serving pages offline in tests."""
    table: dict[str, str] = {}
    for name, asset in _manifest()["assets"].items():
        for url, rel in asset["urls"].items():
            table[url] = rel
            base_url, base_rel = url.rsplit("/", 1)[0], posixpath.dirname(rel)
            for other in asset["files"]:
                if other.startswith(base_rel + "/"):
                    table.setdefault(f"{base_url}/{other[len(base_rel) + 1:]}", other)
            inside = rel[len(name) + 1:]  # the vendored layout mirrors the package's below the URL's root
            if rel.startswith(name + "/") and url.endswith("/" + inside):
                root = url[: -len(inside)]
                for other in asset["files"]:
                    table.setdefault(root + other[len(name) + 1:], other)
    return table


def vendored_file_for_url(url: str) -> str | None:
    """The vendored file (path relative to ``geomap/assets``) standing in for a
    CDN URL, or None if that URL is not vendored."""
    key = _url_key(url)
    return None if key is None else _url_table().get(key)


@functools.lru_cache(maxsize=None)
def _asset_bytes(rel: str) -> bytes:
    if rel not in _vendored_files():
        raise MissingAssetError(rel, "not listed in geomap/assets/manifest.json")
    node = _assets_root()
    for part in rel.split("/"):
        node = node / part
    return node.read_bytes()


def _asset_text(rel: str) -> str:
    return _asset_bytes(rel).decode("utf-8")


_MIME = {
    ".png": "image/png",
    ".gif": "image/gif",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".eot": "application/vnd.ms-fontobject",
    ".css": "text/css",
}


@functools.lru_cache(maxsize=None)
def _data_uri(rel: str) -> str:
    mime = _MIME.get(posixpath.splitext(rel)[1].lower(), "application/octet-stream")
    return f"data:{mime};base64," + base64.b64encode(_asset_bytes(rel)).decode("ascii")


# -------------------------------------------------------------- escaping ---

_JS_SOURCE_MAP = re.compile(r"^[ \t]*//[#@][ \t]*sourceMappingURL=[^\r\n]*\s*\Z", re.M)
_CSS_SOURCE_MAP = re.compile(r"/\*[#@][ \t]*sourceMappingURL=.*?\*/")


def _escape_js(js: str) -> str:
    """Make JS safe inside <script>...</script>: no ``</script`` (it would end
    the element) and no ``<!--`` (it can switch the HTML parser into the
    "script data escaped" state).  ``<\\/`` and ``\\x3C`` mean the same inside
    JS strings, template literals and regular expressions."""
    js = re.sub(r"</(script)", r"<\\/\1", js, flags=re.I)
    return js.replace("<!--", "\\x3C!--")


def _escape_css(css: str) -> str:
    """Make CSS safe inside <style>...</style> (``\\/`` is ``/`` in CSS)."""
    return re.sub(r"</(style)", r"<\\/\1", css, flags=re.I)


# ----------------------------------------------------------- inlining ------

_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)""", re.I)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _inline_css(rel: str) -> str:
    css = _CSS_SOURCE_MAP.sub("", _asset_text(rel))
    base = posixpath.dirname(rel)

    def repl(m: re.Match) -> str:
        ref = next(g for g in m.groups() if g is not None)
        if not ref or ref.startswith("#") or ref[:5].lower() == "data:":
            return m.group(0)  # empty, fragment-only (e.g. #default#VML) or already inline
        if _url_key(ref) is not None or _SCHEME.match(ref):
            raise MissingAssetError(ref, f"url() in {rel}")
        target = posixpath.normpath(posixpath.join(base, ref.split("#", 1)[0].split("?", 1)[0]))
        if target not in _vendored_files():
            raise MissingAssetError(ref, f"url() in {rel} resolves to {target}")
        return f'url("{_data_uri(target)}")'

    return _escape_css(_CSS_URL.sub(repl, css))


def _inline_js(rel: str) -> str:
    return _escape_js(_JS_SOURCE_MAP.sub("", _asset_text(rel)))


_LEAFLET_JS = "leaflet/leaflet.js"


# The global a vendored script defines, as a dotted path from ``window``: when it already exists
# on the page, ``inline_html(guard=True)`` and geomap's fragment loader skip the script, so that
# several map fragments on one page (or a host page with its own Leaflet) load it once.
_GUARDS = {
    "leaflet/leaflet.js": "L",
    "leaflet-markercluster/leaflet.markercluster.js": "L.MarkerClusterGroup",
    "jquery/jquery.min.js": "jQuery",
    "bootstrap/js/bootstrap.bundle.min.js": "bootstrap",
    "leaflet-awesome-markers/leaflet.awesome-markers.js": "L.AwesomeMarkers",
    "leaflet-fullscreen/Control.FullScreen.js": "L.Control.FullScreen",
    "leaflet-search/dist/leaflet-search.min.js": "L.Control.Search",
    "folium-leaflet-heat/leaflet_heat.min.js": "L.heatLayer",
}


def guard_for_url(url: str) -> str | None:
    """The global (a dotted path from ``window``, e.g. ``"L.MarkerClusterGroup"``) whose presence
    says the library behind a CDN script URL is already loaded, or None (always load it)."""
    rel = vendored_file_for_url(url)
    return None if rel is None else _GUARDS.get(rel)


def _guard_expression(path: str) -> str:
    """``"L.MarkerClusterGroup"`` -> ``"window.L && window.L.MarkerClusterGroup"``."""
    parts = path.split(".")
    return " && ".join("window." + ".".join(parts[: i + 1]) for i in range(len(parts)))


def _leaflet_icon_fix_js() -> str:
    opts = {
        "iconUrl": _data_uri("leaflet/images/marker-icon.png"),
        "iconRetinaUrl": _data_uri("leaflet/images/marker-icon-2x.png"),
        "shadowUrl": _data_uri("leaflet/images/marker-shadow.png"),
    }
    return (
        'L.Icon.Default.imagePath="";'
        "L.Icon.Default.prototype.options.imagePath=\"\";"
        f"L.Icon.Default.mergeOptions({json.dumps(opts)});"
    )


def _leaflet_icon_fix() -> str:
    """Point L.Icon.Default at data: URIs.

    Leaflet derives the default marker's image folder from the computed
    background-image of ``.leaflet-default-icon-path`` (set in leaflet.css);
    once that is a data: URI the detection fails and markers would load
    ``"null" + "marker-icon.png"``.  Setting the static ``imagePath`` to ""
    (a string) skips the detection, and the icon options carry the images.
    """
    return f'\n<script data-geomap-asset="leaflet-default-icon">{_leaflet_icon_fix_js()}</script>'


_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_TOKEN = re.compile(
    r"(?P<comment><!--.*?-->)"
    r"|<script\b(?P<sattrs>" + _ATTRS + r")>(?P<sbody>.*?)</script\s*>"
    r"|(?P<style><style\b" + _ATTRS + r">.*?</style\s*>)"
    r"|<link\b(?P<lattrs>" + _ATTRS + r")>",
    re.I | re.S,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")

# attributes that make no sense (or would break) on an inline element
_DROP_SCRIPT_ATTRS = {"src", "integrity", "crossorigin", "referrerpolicy", "async", "defer", "charset"}
_KEEP_STYLE_ATTRS = {"media", "nonce", "id"}


def _parse_attrs(s: str) -> list[tuple[str, str | None]]:
    out = []
    for m in _ATTR.finditer(s):
        raw = next((g for g in m.groups()[1:] if g is not None), None)
        out.append((m.group(1).lower(), None if raw is None else _html.unescape(raw)))
    return out


def _attr(attrs: list[tuple[str, str | None]], name: str) -> str | None:
    for n, v in attrs:  # the first occurrence wins, as in HTML
        if n == name:
            return v
    return None


def _fmt_attrs(attrs: list[tuple[str, str | None]]) -> str:
    return "".join(f" {n}" if v is None else f' {n}="{_html.escape(v, quote=True)}"' for n, v in attrs)


def _replace(m: re.Match, guard: bool = False) -> str:
    if m.group("comment") is not None or m.group("style") is not None:
        return m.group(0)
    if m.group("sattrs") is not None:
        attrs = _parse_attrs(m.group("sattrs"))
        src = _attr(attrs, "src")
        if src is None or _url_key(src) is None:
            return m.group(0)  # inline script, or a local/relative/data: src
        rel = vendored_file_for_url(src)
        if rel is None:
            raise MissingAssetError(src.strip(), "<script src>")
        kept = [(n, v) for n, v in attrs if n not in _DROP_SCRIPT_ATTRS]
        kept.append(("data-geomap-asset", rel))
        condition = _guard_expression(_GUARDS[rel]) if guard and rel in _GUARDS else None
        if condition is not None:  # load it only if the page does not have it yet
            extra = ";\n" + _leaflet_icon_fix_js() if rel == _LEAFLET_JS else ""
            return f"<script{_fmt_attrs(kept)}>\nif (!({condition})) {{\n{_inline_js(rel)}{extra}\n}}\n</script>"
        out = f"<script{_fmt_attrs(kept)}>\n{_inline_js(rel)}\n</script>"
        if rel == _LEAFLET_JS:
            out += _leaflet_icon_fix()
        return out
    attrs = _parse_attrs(m.group("lattrs"))
    rel_tokens = (_attr(attrs, "rel") or "").lower().split()
    href = _attr(attrs, "href")
    if "stylesheet" not in rel_tokens or href is None or _url_key(href) is None:
        return m.group(0)
    rel = vendored_file_for_url(href)
    if rel is None:
        raise MissingAssetError(href.strip(), "<link rel=stylesheet>")
    kept = [(n, v) for n, v in attrs if n in _KEEP_STYLE_ATTRS]
    kept.append(("data-geomap-asset", rel))
    return f"<style{_fmt_attrs(kept)}>\n{_inline_css(rel)}\n</style>"


def inline_html(html: str, *, guard: bool = False) -> str:
    """Replace every <script src=CDN> and <link rel=stylesheet href=CDN> that
    folium emits with the inlined vendored file (scripts as
    <script>...</script>, styles as <style>...</style>, with url(...)
    references to fonts and images inside CSS rewritten as data: URIs).
    Raise geomap.outputs.offline.MissingAssetError (subclass of RuntimeError and
    LookupError) naming the URL if the page references a remote script or
    stylesheet that is not vendored.

    Inline scripts, inline styles, comments and references that are not
    remote (relative paths, data: URIs) are left as they are.  After Leaflet
    itself, a one-line script makes ``L.Icon.Default`` use embedded images.
    Each inlined element carries ``data-geomap-asset="<vendored path>"``.

    With ``guard=True`` (for page fragments) a library script runs only when the
    page does not have that library yet (``if (!(window.L)) {...}``, see
    ``_GUARDS``), so several fragments on one page load Leaflet once.
    """
    return _TOKEN.sub(lambda m: _replace(m, guard), html)
