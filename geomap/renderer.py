"""Draw documents' places on an interactive folium map.

Cities and countries are circle markers; regions are outlines with a marker at their
representative point. Every popup holds the canonical name, the kind, the spellings the texts
used ("found as Kiev") and the excerpts that mention the place, the mention highlighted.
All article text is HTML-escaped before it reaches the page (and made safe for the
JavaScript template literals folium wraps popups and tooltips in).
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from gazetteer import Gazetteer, PlaceKind

from .model import Document, Excerpt, MappedPlace, group_places

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["render", "KIND_COLOURS", "ATTRIBUTION", "escape"]

log = logging.getLogger(__name__)

#: Marker and outline colour of each kind (colour-blind-safe Okabe-Ito palette).
KIND_COLOURS: dict[PlaceKind, str] = {
    PlaceKind.CITY: "#D55E00",
    PlaceKind.ADMIN1: "#0072B2",
    PlaceKind.ADMIN2: "#56B4E9",
    PlaceKind.REGION: "#009E73",
    PlaceKind.COUNTRY: "#CC79A7",
    PlaceKind.CONTINENT: "#999999",
    PlaceKind.PHYSICAL: "#E69F00",
    PlaceKind.OTHER: "#000000",
}

ATTRIBUTION = (
    'Places: <a href="https://www.geonames.org/">GeoNames</a> (CC BY 4.0), '
    '<a href="https://www.naturalearthdata.com/">Natural Earth</a>'
)
_OSM = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'


def escape(text: str) -> str:
    """Escape untrusted text for HTML that folium places inside a JavaScript template literal.

    Examples
    --------
    >>> escape('<script>alert(`x`)</script> ${y}')
    '&lt;script&gt;alert(&#96;x&#96;)&lt;/script&gt; &#36;{y}'
    """
    return html.escape(text, quote=True).replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def render(
    documents: Iterable[Document],
    *,
    gazetteer: Gazetteer | None = None,
    tiles: str | None = "OpenStreetMap",
    max_excerpts: int = 8,
    width: str | int = "100%",
    height: str | int = "100%",
) -> folium.Map:
    """Build a folium map of the places of ``documents``.

    Parameters
    ----------
    documents
        Parsed documents (see :func:`geomap.parse`).
    gazetteer
        Source of region outlines; without it regions are drawn as markers only.
    tiles
        A folium tile layer name, or ``None`` for no base map.
    max_excerpts
        Excerpts shown per popup (the rest are counted).

    Returns
    -------
    folium.Map
        Save it with ``.save(path)``; it also renders inline in Jupyter.

    Examples
    --------
    >>> import geomap                                     # doctest: +SKIP
    >>> m = geomap.render([geomap.parse("Kyiv and Kharkiv.")])   # doctest: +SKIP
    >>> m.save("output/example.html")                     # doctest: +SKIP
    """
    import folium

    docs = list(documents)
    places = group_places(docs)
    fmap = folium.Map(tiles=None, width=width, height=height, control_scale=True, prefer_canvas=False)
    if tiles:
        attr = _OSM + " | " + ATTRIBUTION if tiles.lower() == "openstreetmap" else ATTRIBUTION
        folium.TileLayer(tiles, attr=attr, name="Base map", control=False).add_to(fmap)
    else:
        fmap.get_root().html.add_child(folium.Element(""))
    areas = folium.FeatureGroup(name="Regions", show=True)
    points = folium.FeatureGroup(name="Places", show=True)
    for mapped in places:
        _add_place(mapped, areas, points, gazetteer, max_excerpts)
    areas.add_to(fmap)
    points.add_to(fmap)
    if not tiles:
        _attribution_only(fmap)
    _fit(fmap, places, gazetteer)
    return fmap


def _add_place(mapped: MappedPlace, areas, points, gazetteer: Gazetteer | None, max_excerpts: int) -> None:
    import folium

    place = mapped.place
    colour = KIND_COLOURS.get(place.kind, "#000000")
    popup = folium.Popup(popup_html(mapped, max_excerpts=max_excerpts), max_width=420, lazy=False)
    tooltip = folium.Tooltip(escape(f"{place.name} ({place.kind.value}) · {len(mapped.mentions)}×"))
    if place.kind in (PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.REGION) and gazetteer is not None and place.has_geometry:
        geometry = gazetteer.geometry(place.id)
        if geometry is not None:
            from shapely.geometry import mapping

            folium.GeoJson(
                {"type": "Feature", "geometry": mapping(geometry),
                 "properties": {"id": place.id, "kind": place.kind.value}},
                style_function=lambda _f, c=colour: {"color": c, "weight": 2, "fillColor": c, "fillOpacity": 0.08},
                highlight_function=lambda _f, c=colour: {"weight": 3, "fillOpacity": 0.2},
                tooltip=folium.Tooltip(escape(place.name)),
                popup=folium.Popup(popup_html(mapped, max_excerpts=max_excerpts), max_width=420),
                name=place.name,
                control=False,
            ).add_to(areas)
    radius = 9 if place.kind is PlaceKind.COUNTRY else 7
    folium.CircleMarker(
        location=[place.lat, place.lon],
        radius=radius,
        color="#ffffff",
        weight=1.5,
        fill=True,
        fill_color=colour,
        fill_opacity=0.95,
        popup=popup,
        tooltip=tooltip,
    ).add_to(points)


def popup_html(mapped: MappedPlace, *, max_excerpts: int = 8) -> str:
    """The popup of a place: name, kind, spellings, confidence and excerpts, all escaped."""
    place = mapped.place
    where = ", ".join(x for x in (place.admin1 if place.admin1 != place.name else None, place.country_code) if x)
    lines = [
        '<div class="geomap-popup" style="font:13px/1.4 system-ui,sans-serif;max-height:320px;overflow:auto">',
        f'<div style="font-weight:600;font-size:15px">{escape(place.name)}</div>',
        f'<div style="color:#555">{escape(place.kind.value)}{" · " + escape(where) if where else ""}'
        f'{" · " + escape(place.id)}</div>',
        f'<div>found as {", ".join(escape(s) for s in mapped.spellings)}</div>',
    ]
    if mapped.ambiguous:
        lines.append(f'<div style="color:#a33">ambiguous · confidence {mapped.confidence:.2f}</div>')
    excerpts = mapped.excerpts()
    lines.append('<ol class="geomap-excerpts" style="padding-left:18px;margin:6px 0">')
    many_docs = len(mapped.documents) > 1
    for excerpt in excerpts[:max_excerpts]:
        lines.append(f"<li>{_excerpt_html(excerpt, many_docs)}</li>")
    lines.append("</ol>")
    if len(excerpts) > max_excerpts:
        lines.append(f"<div>… and {len(excerpts) - max_excerpts} more</div>")
    lines.append("</div>")
    return "".join(lines)


def _excerpt_html(excerpt: Excerpt, with_document: bool) -> str:
    source = ""
    if with_document:
        source = f'<span style="color:#555">{escape(excerpt.document_title or excerpt.document_id)}: </span>'
    return (f'{source}{escape(excerpt.before)}<mark>{escape(excerpt.match)}</mark>'
            f'{escape(excerpt.after)}')


def _attribution_only(fmap) -> None:
    import folium

    script = (
        "<script>document.addEventListener('DOMContentLoaded',function(){"
        f"{fmap.get_name()}.attributionControl.addAttribution({_js_string(ATTRIBUTION)});}});</script>"
    )
    fmap.get_root().html.add_child(folium.Element(script))


def _js_string(text: str) -> str:
    import json

    return json.dumps(text).replace("</", "<\\/")


def _fit(fmap, places: Sequence[MappedPlace], gazetteer: Gazetteer | None) -> None:
    if not places:
        fmap.location = [20.0, 0.0]
        fmap.options["zoom"] = 2
        return
    lats = [mp.place.lat for mp in places]
    lons = [mp.place.lon for mp in places]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)
    if gazetteer is not None:
        for mp in places:
            if mp.place.kind in (PlaceKind.ADMIN1, PlaceKind.REGION) and mp.place.has_geometry:
                geometry = gazetteer.geometry(mp.place.id)
                if geometry is not None:
                    minx, miny, maxx, maxy = geometry.bounds
                    west, south, east, north = min(west, minx), min(south, miny), max(east, maxx), max(north, maxy)
    if north - south < 0.05 and east - west < 0.05:
        fmap.location = [(north + south) / 2, (east + west) / 2]
        fmap.options["zoom"] = 9
        return
    fmap.fit_bounds([[south, west], [north, east]], padding=(20, 20))
