"""The folium elements of a geomap map: :class:`GeomapMap` and :class:`GeomapLayer`.

This module imports folium at its top, so it is itself imported only when a map is drawn
(:func:`geomap.outputs.map.render`): importing geomap, or running ``geomap places``, never
loads folium.
"""

from __future__ import annotations

import re
from typing import Any

import folium
from branca.element import Figure
from folium.elements import JSCSSMixin
from folium.template import Template

from .markup import (
    FULLSCREEN_CSS,
    FULLSCREEN_JS,
    HEAT_JS,
    LEAFLET_CSS,
    LEAFLET_JS,
    MARKERCLUSTER_CSS,
    MARKERCLUSTER_DEFAULT_CSS,
    MARKERCLUSTER_JS,
    SEARCH_CSS,
    SEARCH_JS,
    _script_text,
    _template_text,
    script_json,
)

__all__ = ["GeomapMap", "GeomapLayer", "Figure"]


class GeomapMap(folium.Map):
    """A folium Map that loads only Leaflet's own files (not jQuery, Bootstrap or Font Awesome)
    unless something else on it needs folium's default assets."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            {%- if not kwargs.get('geomap_fragment') %}
            <meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <style>html, body {width: 100%; height: 100%; margin: 0; padding: 0;}</style>
            {%- endif %}
            <style>
                #{{ this.get_name() }} {
                    position: {{ this.position }};
                    width: {{ this.width[0] }}{{ this.width[1] }};
                    height: {{ this.height[0] }}{{ this.height[1] }};
                    left: {{ this.left[0] }}{{ this.left[1] }};
                    top: {{ this.top[0] }}{{ this.top[1] }};
                }
            </style>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <div class="folium-map" id={{ this.get_name()|tojson }}></div>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.map(
                {{ this.get_name()|tojson }},
                {
                    center: {{ this.location|tojson }},
                    crs: L.CRS.{{ this.crs }},
                    ...{{ this.options|tojavascript }}
                }
            );
            {%- if this.control_scale %}
            L.control.scale().addTo({{ this.get_name() }});
            {%- endif %}
            {%- if this.zoom_control_position %}
            L.control.zoom({ position: {{ this.zoom_control|tojson }} }).addTo({{ this.get_name() }});
            {%- endif %}
            {% if this.objects_to_stay_in_front %}
            function objects_in_front() {
                {%- for obj in this.objects_to_stay_in_front %}
                {{ obj.get_name() }}.bringToFront();
                {%- endfor %}
            };
            {{ this.get_name() }}.on("overlayadd", objects_in_front);
            objects_in_front();
            {%- endif %}
        {% endmacro %}
    """)

    def render(self, **kwargs):
        own = (GeomapLayer, folium.TileLayer)
        foreign = [c for c in _descendants(self) if not isinstance(c, own)]
        if foreign:  # e.g. a folium.Marker added in a notebook: give it folium's assets back
            self.default_js = list(folium.Map.default_js)
            self.default_css = list(folium.Map.default_css)
        else:
            self.default_js = [("leaflet", LEAFLET_JS)]
            self.default_css = [("leaflet_css", LEAFLET_CSS)]
        super().render(**kwargs)

class GeomapLayer(JSCSSMixin):
    """The places of a geomap map: a JSON data blob plus the runtime that draws it."""

    _template = Template("""
        {% macro header(this, kwargs) %}
            <style data-geomap="css">{{ this.css }}</style>
            <script data-geomap="runtime">{{ this.runtime }}</script>
        {% endmacro %}

        {% macro html(this, kwargs) %}
            <script type="application/json" id={{ this.get_name()|tojson }}>{{ this.data_json }}</script>
        {% endmacro %}

        {% macro script(this, kwargs) %}
            geomapRender(
                {{ this._parent.get_name() }},
                JSON.parse(document.getElementById({{ this.get_name()|tojson }}).textContent),
                {{ this.tiles_name or "null" }}
            );
        {% endmacro %}
    """)

    def __init__(self, data: dict[str, Any], tiles_name: str | None) -> None:
        super().__init__()
        self._name = "GeomapLayer"
        self.data = data
        self.tiles_name = tiles_name
        opt = data["opt"]
        self.default_js, self.default_css = [], []
        if opt["cluster"]:
            self.default_js.append(("markercluster_js", MARKERCLUSTER_JS))
            self.default_css += [("markercluster_css", MARKERCLUSTER_CSS),
                                 ("markercluster_default_css", MARKERCLUSTER_DEFAULT_CSS)]
        if opt.get("fullscreen"):
            self.default_js.append(("fullscreen_js", FULLSCREEN_JS))
            self.default_css.append(("fullscreen_css", FULLSCREEN_CSS))
        if opt.get("search"):
            self.default_js.append(("search_js", SEARCH_JS))
            self.default_css.append(("search_css", SEARCH_CSS))
        if opt.get("heat"):
            self.default_js.append(("heat_js", HEAT_JS))

    @property
    def data_json(self) -> str:
        return script_json(self.data)

    @property
    def css(self) -> str:
        return re.sub(r"</(style)", r"<\\/\1", _template_text("geomap.css"), flags=re.I)

    @property
    def runtime(self) -> str:
        return _script_text(_template_text("geomap.js"))


def _descendants(element):
    for child in element._children.values():
        yield child
        yield from _descendants(child)
