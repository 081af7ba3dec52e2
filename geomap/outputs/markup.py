"""Markup made safe, and the browser side of a map: text escaped for HTML, JSON safe inside a
``<script>``, the runtime's templates (``geomap/templates``) and the CDN addresses of Leaflet.

No folium here: :mod:`geomap.outputs.map` and :mod:`geomap.review.report` use these without
loading it.
"""

from __future__ import annotations

import functools
import html
import json
import re
from importlib.resources import files
from typing import Any

__all__ = ["escape", "script_json", "LEAFLET_JS", "LEAFLET_CSS", "MARKERCLUSTER_JS", "MARKERCLUSTER_CSS",
           "MARKERCLUSTER_DEFAULT_CSS", "FULLSCREEN_JS", "FULLSCREEN_CSS", "SEARCH_JS", "SEARCH_CSS", "HEAT_JS"]

# The CDN files a geomap page loads (the same URLs folium 0.20 uses; vendored in geomap/assets).
LEAFLET_JS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"
LEAFLET_CSS = "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"
MARKERCLUSTER_JS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/leaflet.markercluster.js"
MARKERCLUSTER_CSS = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.css"
MARKERCLUSTER_DEFAULT_CSS = \
    "https://cdnjs.cloudflare.com/ajax/libs/leaflet.markercluster/1.1.0/MarkerCluster.Default.css"
# The map helpers: the files folium.plugins Fullscreen, Search and HeatMap load (also vendored).
FULLSCREEN_JS = "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.min.js"
FULLSCREEN_CSS = "https://cdn.jsdelivr.net/npm/leaflet.fullscreen@3.0.0/Control.FullScreen.css"
SEARCH_JS = "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.js"
SEARCH_CSS = "https://cdn.jsdelivr.net/npm/leaflet-search@2.9.7/dist/leaflet-search.min.css"
HEAT_JS = "https://cdn.jsdelivr.net/gh/python-visualization/folium@main/folium/templates/leaflet_heat.min.js"


def escape(text: str) -> str:
    """Escape untrusted text for HTML, including inside a JavaScript template literal.

    Examples
    --------
    >>> escape('<script>alert(`x`)</script> ${y}')
    '&lt;script&gt;alert(&#96;x&#96;)&lt;/script&gt; &#36;{y}'
    """
    return html.escape(text, quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def script_json(obj: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` become ``\\u003c``, ``\\u003e`` and ``\\u0026`` (so no ``</script>``
    or ``<!--`` can appear), and U+2028/U+2029 are escaped. ``JSON.parse`` reads it back
    unchanged.

    Examples
    --------
    >>> script_json({"t": "</script><!--"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
    # folium compiles each element's rendered HTML as a Jinja template once more: a "{{", "{%"
    # or "{#" from an article would be evaluated (code execution). JSON's own braces are never
    # followed by those characters, so only braces inside strings become \u007b.
    return _JINJA_OPENER.sub(r"\\u007b", text)


_JINJA_OPENER = re.compile(r"\{(?=[{%#])")


@functools.lru_cache(maxsize=None)
def _template_text(name: str) -> str:
    return (files("geomap") / "templates" / name).read_text(encoding="utf-8")


def _script_text(js: str) -> str:
    """JavaScript source made safe inside ``<script>``: no ``</script`` and no ``<!--``."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.I).replace("<!--", "<\\!--")
