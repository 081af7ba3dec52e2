"""Draw documents' places on an interactive folium map, and turn it into a page, a fragment or a PNG.

How the map is built
--------------------
:func:`render` returns a :class:`folium.Map` (it displays inline in Jupyter). Instead of one
folium object per place (folium issue #1814: over 30 s for 10,000 markers), the places are
serialised into **one JSON data blob** (``<script type="application/json">``, with ``<``,
``>``, ``&``, U+2028 and U+2029 escaped) and a small runtime (``geomap/templates/geomap.js``)
creates the Leaflet layers in the browser. Article text never passes through ``innerHTML``:
the runtime builds popups, tooltips, the legend and the places panel with ``textContent``.

What the map shows
------------------
- Cities and countries are circle markers (bigger when mentioned more); regions are outlines
  with a marker at their representative point. Colours by kind are :data:`KIND_COLOURS`.
- Popups: canonical name, kind, where, id, the spellings found ("found as Kiev"), the
  mention count, and the excerpts with the mention highlighted, **grouped by article** when
  the map holds several.
- **One marker per place, one toggle per article.** A place named in several articles gets a
  single marker whose popup lists every article's excerpts. Each article is an overlay in the
  layer control; a marker (and its outline) is shown while at least one of the articles that
  mention it is switched on. This keeps one marker per place (no stacked duplicates, correct
  cluster counts) while the layer control still filters by article.
- Clustering (leaflet.markercluster, without its zoom animation, which cannot show circle
  markers again) for large maps, a legend of kinds, and a panel listing the places by mention
  count; clicking a row flies to the place (zooming in until it leaves its cluster) and opens
  its popup.
- Static maps (for pictures) label the most mentioned places; a label goes right, left, above
  or below its marker, wherever it covers no other label, marker or control, or is left out.
- Without tiles, a light base layer of country outlines (Natural Earth, from the gazetteer),
  coarse for the world and finer around the mapped places, with admin-1 lines of the mapped
  countries when zoomed in.

Output forms
------------
- :func:`page_html`: a full HTML page. By default it loads Leaflet from folium's CDN links;
  ``self_contained=True`` inlines every script, style sheet and image (no network at all when
  the map has no tiles).
- :func:`fragment_html`: a ``<div>`` with its styles and scripts, to paste into another page.
  Several fragments on one page do not collide: ids are unique, Leaflet is loaded once.
- :func:`geomap.outputs.screenshot.screenshot`: a PNG taken with headless Chromium.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from gazetteer import Gazetteer, Place, PlaceKind
from gazetteer.model import REGION_KINDS

from ..errors import InputError
from ..model import Document, Excerpt, MappedPlace, group_places
from ..timeline import add_time_control, document_entry
from .framing import Bounds, Fit, fit_bounds, unwrap
from .markup import _script_text, _template_text, escape, script_json
from .offline import guard_for_url, inline_html

if TYPE_CHECKING:  # pragma: no cover
    import folium

__all__ = ["render", "page_html", "fragment_html", "map_data", "KIND_COLOURS", "ATTRIBUTION", "escape",
           "popup_html", "script_json", "area_outline", "outline_extent", "turned"]

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

#: Maps with more places than this are clustered unless ``cluster`` says otherwise.
CLUSTER_THRESHOLD = 60
#: Above this many unclustered markers, they are drawn on a canvas instead of as SVG paths.
CANVAS_THRESHOLD = 2000

_KIND_ORDER = [PlaceKind.COUNTRY, PlaceKind.REGION, PlaceKind.ADMIN1, PlaceKind.ADMIN2, PlaceKind.CITY,
               PlaceKind.PHYSICAL, PlaceKind.CONTINENT, PlaceKind.OTHER]


def _classes():
    """The folium element classes (:mod:`geomap.outputs.elements`), imported on first use:
    importing geomap must not import folium."""
    from . import elements

    return elements.GeomapMap, elements.GeomapLayer, elements.Figure


# -- the data blob --------------------------------------------------------------------------------


def map_data(
    documents: Sequence[Document],
    *,
    gazetteer: Gazetteer | None = None,
    max_excerpts: int = 8,
    cluster: bool | None = None,
    outlines: bool = False,
    static: bool = False,
    labels: int = 40,
    open_place: str | None = None,
    places: Sequence[MappedPlace] | None = None,
    fit: Fit | Bounds | str = "story",
    heat: bool = False,
    helpers: bool = True,
) -> dict[str, Any]:
    """The data the map runtime draws: documents, places, outlines, options (plain JSON types).

    Exposed for tests and for callers that want to draw the places with their own code.
    """
    docs = list(documents)
    mapped = list(places) if places is not None else group_places(docs)
    doc_index = {d.id: i for i, d in enumerate(docs)}
    every, view_box = _boxes(mapped, gazetteer, fit)
    # Across the antimeridian everything is drawn around the middle of the boxes, longitudes
    # beyond 180 included (Leaflet draws them there): Samoa at -172 beside Fiji at 178.
    centre = _centre(every, view_box)
    shapes: list[list] = []
    records = []
    kind_counts: dict[PlaceKind, int] = {}
    for mp in mapped:
        shape_index = None
        geometry = area_outline(mp.place, gazetteer)
        if geometry is not None:
            encoded = _encode_polygons(turned(geometry, centre), 100)
            if encoded:
                shape_index = len(shapes)
                shapes.append(encoded)
        records.append(_place_record(mp, doc_index, max_excerpts, shape_index, centre))
        kind_counts[mp.place.kind] = kind_counts.get(mp.place.kind, 0) + 1
    if cluster is None:
        cluster = len(mapped) > CLUSTER_THRESHOLD and not static
    bounds = _leaflet(every, centre)
    view = _leaflet(view_box, centre)
    base = _basemap(gazetteer, mapped, view, centre) if outlines and gazetteer is not None else None
    return {
        "v": 1,
        "docs": [document_entry(d) for d in docs],  # id, title, date, site, link (geomap.timeline)
        "kinds": [[k.value, KIND_COLOURS.get(k, "#000000"), k.value, kind_counts[k]]
                  for k in _KIND_ORDER if k in kind_counts],
        "p": records,
        "shapes": shapes,
        "base": base,
        "bounds": bounds,
        "view": view,
        "opt": {
            "cluster": bool(cluster),
            "canvas": not cluster and len(mapped) > CANVAS_THRESHOLD,
            "static": static,
            "labels": labels if static else 0,
            "panel": not static,
            "padding": 40 if static else 30,
            "fitZoom": 9,
            "maxZoom": 9,
            "open": open_place,
            "attribution": ATTRIBUTION,
            "search": helpers and not static,
            "fullscreen": helpers and not static,
            "heat": bool(heat) and not static,
        },
    }


def _place_record(mp: MappedPlace, doc_index: dict[str, int], max_excerpts: int,
                  shape_index: int | None, centre: float | None = None) -> dict[str, Any]:
    place = mp.place
    excerpts = mp.excerpts()
    chosen = _choose_excerpts(excerpts, max_excerpts)
    docs = [doc_index[d.id] for d in mp.documents]
    shown_docs = {doc_index[e.document_id] for e in chosen}
    where = ", ".join(x for x in (place.admin1 if place.admin1 != place.name else None, place.country_code) if x)
    record: dict[str, Any] = {
        "n": place.name,
        "k": place.kind.value,
        "y": round(place.lat, 5),
        "x": round(place.lon if centre is None else unwrap(place.lon, centre), 5),
        "i": place.id,
        "w": where,
        "s": list(mp.spellings),
        "c": len(mp.mentions),
        "f": round(mp.confidence, 3),
        "d": docs,
        "e": [[doc_index[e.document_id], e.before, e.match, e.after] for e in chosen],
    }
    if mp.ambiguous:
        record["a"] = 1
    if len(excerpts) > len(chosen):
        record["m"] = len(excerpts) - len(chosen)
    others = [i for i in docs if i not in shown_docs]
    if others:
        record["o"] = others
    if shape_index is not None:
        record["g"] = shape_index
    return record


def _choose_excerpts(excerpts: list[Excerpt], limit: int) -> list[Excerpt]:
    """Up to ``limit`` excerpts: first one excerpt from each article, then the rest in order."""
    if len(excerpts) <= limit:
        return excerpts
    picked: set[int] = set()
    seen_docs: set[str] = set()
    for i, e in enumerate(excerpts):
        if len(picked) >= limit:
            break
        if e.document_id not in seen_docs:
            seen_docs.add(e.document_id)
            picked.add(i)
    for i in range(len(excerpts)):
        if len(picked) >= limit:
            break
        picked.add(i)
    return [excerpts[i] for i in sorted(picked)]


def _boxes(places: Sequence[MappedPlace], gazetteer: Gazetteer | None,
           fit: Fit | Bounds | str) -> tuple[Bounds | None, Bounds | None]:
    """The box around every place and the box the first view fits
    (:func:`geomap.outputs.framing.fit_bounds`); an area with an outline counts whole."""
    def extent(place):
        return outline_extent(area_outline(place, gazetteer))

    return fit_bounds(places, Fit.ALL, extent=extent), fit_bounds(places, fit, extent=extent)


def area_outline(place: Place, gazetteer: Gazetteer | None):
    """The outline a map draws for ``place`` (a shapely geometry): a first- or second-level
    region's or a macro-region's, where the gazetteer has one; ``None`` for any other place."""
    if gazetteer is None or place.kind not in REGION_KINDS or not place.has_geometry:
        return None
    return gazetteer.geometry(place.id)


def outline_extent(geometry) -> tuple[float, float, float, float] | None:
    """``(west, south, east, north)`` of an outline (``None`` for none), read part by part: an
    outline cut at the antimeridian (Chukotka, Fiji) is narrow, not the world
    (:meth:`geomap.outputs.framing.Bounds.around`)."""
    if geometry is None or geometry.is_empty:
        return None
    box = Bounds.around(p.bounds for p in _polygons(geometry) or [geometry])
    return None if box is None else (box.west, box.south, box.east, box.north)


def _centre(every: Bounds | None, view: Bounds | None) -> float | None:
    """The longitude the map is drawn around when a box crosses the antimeridian, else ``None``
    (longitudes stay as they are)."""
    for box in (every, view):
        if box is not None and box.crosses_antimeridian:
            return (box.west + box.east) / 2.0
    return None


def _leaflet(box: Bounds | None, centre: float | None) -> list[list[float]] | None:
    """A box as Leaflet bounds, moved by whole turns around ``centre`` where there is one."""
    if box is None:
        return None
    (south, west), (north, east) = box.leaflet()
    if centre is not None:
        shift = unwrap((west + east) / 2.0, centre) - (west + east) / 2.0
        west, east = round(west + shift, 4), round(east + shift, 4)
    return [[south, west], [north, east]]


def turned(geometry, centre: float | None):
    """``geometry`` with each polygon or line moved by whole turns to lie around ``centre``
    (unchanged without one)."""
    if centre is None or geometry is None or geometry.is_empty:
        return geometry
    import shapely
    from shapely import affinity

    parts = _polygons(geometry) or _lines(geometry)
    if not parts:
        return geometry
    moved = []
    for part in parts:
        west, _, east, _ = part.bounds
        middle = (west + east) / 2.0
        shift = unwrap(middle, centre) - middle
        moved.append(affinity.translate(part, xoff=shift) if shift else part)
    if moved[0].geom_type == "Polygon":
        # Parts cut at 180 degrees meet again: one outline, without a seam along the antimeridian.
        return shapely.union_all(moved)
    return shapely.MultiLineString([list(m.coords) for m in moved])


# -- geometry encoding -------------------------------------------------------------------------


def _polygons(geometry) -> list:
    """The polygons of a (Multi)Polygon or GeometryCollection."""
    kind = geometry.geom_type
    if kind == "Polygon":
        return [] if geometry.is_empty else [geometry]
    if kind in ("MultiPolygon", "GeometryCollection"):
        return [p for g in geometry.geoms for p in _polygons(g)]
    return []


def _lines(geometry) -> list:
    kind = geometry.geom_type
    if kind in ("LineString", "LinearRing"):
        return [] if geometry.is_empty else [geometry]
    if kind in ("MultiLineString", "GeometryCollection", "MultiPolygon", "Polygon"):
        if kind == "Polygon":
            return [geometry.exterior, *geometry.interiors]
        return [line for g in geometry.geoms for line in _lines(g)]
    return []


def _encode_coords(coords, q: int, *, ring: bool) -> list[int]:
    """Flat integer deltas ``[dx0, dy0, dx1, dy1, ...]`` in units of ``1/q`` degree."""
    out: list[int] = []
    px = py = 0
    points = list(coords)
    if ring and len(points) > 1 and points[0] == points[-1]:
        points = points[:-1]
    first = True
    for x, y, *_ in points:
        ix, iy = round(x * q), round(y * q)
        if not first and ix == px and iy == py:
            continue
        out += (ix - px, iy - py)
        px, py, first = ix, iy, False
    return out


def _encode_polygons(geometry, q: int) -> list[list[list[int]]]:
    encoded = []
    for poly in _polygons(geometry):
        rings = [_encode_coords(poly.exterior.coords, q, ring=True)]
        if len(rings[0]) < 6:
            continue
        rings += [r for r in (_encode_coords(i.coords, q, ring=True) for i in poly.interiors) if len(r) >= 6]
        encoded.append(rings)
    return encoded


def _encode_lines(geometry, q: int) -> list[list[int]]:
    return [e for e in (_encode_coords(line.coords, q, ring=False) for line in _lines(geometry)) if len(e) >= 4]


# -- the country-outline base layer ---------------------------------------------------------------

_COARSE_TOLERANCE = 0.1     # degrees, world outlines
_COARSE_MIN_AREA = 0.1      # square degrees: smaller islands are dropped from the world layer
_DETAIL_TOLERANCE = 0.02    # degrees, outlines around the mapped places
_DETAIL_MAX_SPAN = (100.0, 60.0)  # no detail layer when the places span more than this (lon, lat)
_ADMIN1_ZOOM = 5


@functools.lru_cache(maxsize=4)
def _world(gazetteer: Gazetteer) -> tuple[tuple[str, str, Any, Any], ...]:
    """``(id, country code, coarse outline, full outline)`` of every country with a shape."""
    import shapely

    out = []
    for place in gazetteer.places_in(PlaceKind.COUNTRY):
        if not place.has_geometry:
            continue
        full = gazetteer.geometry(place.id)
        if full is None or full.is_empty:
            continue
        parts = _polygons(full)
        if not parts:
            continue
        kept = [p for p in parts if p.area >= _COARSE_MIN_AREA] or [max(parts, key=lambda p: p.area)]
        coarse = shapely.simplify(shapely.MultiPolygon(kept), _COARSE_TOLERANCE, preserve_topology=True)
        out.append((place.id, place.country_code or place.name, coarse, full))
    return tuple(out)


@functools.lru_cache(maxsize=512)
def _detail(gazetteer: Gazetteer, place_id: str, box: tuple[float, float, float, float], centre: float | None = None):
    """A place's outline clipped near ``box`` and simplified for the detail layer (drawn around
    ``centre``, see :func:`turned`)."""
    import shapely

    geometry = turned(gazetteer.geometry(place_id), centre)
    if geometry is None:
        return None
    west, south, east, north = box
    clipped = shapely.clip_by_rect(geometry, west - 0.5, south - 0.5, east + 0.5, north + 0.5)
    if clipped.is_empty:
        return None
    return shapely.simplify(clipped, _DETAIL_TOLERANCE, preserve_topology=True)


def _detail_box(bounds: list[list[float]] | None,
                centre: float | None = None) -> tuple[float, float, float, float] | None:
    if bounds is None:
        return None
    (south, west), (north, east) = bounds
    low, high = (-180.0, 180.0) if centre is None else (centre - 180.0, centre + 180.0)
    # A screen is wider than the fitted box in one direction: keep the seam between the detailed
    # and the coarse outlines out of the first view.
    margin_x = max(8.0, east - west, 1.5 * (north - south))
    margin_y = max(5.0, north - south, 0.5 * (east - west))
    box = (max(low, west - margin_x), max(-85.0, south - margin_y),
           min(high, east + margin_x), min(85.0, north + margin_y))
    if box[2] - box[0] > _DETAIL_MAX_SPAN[0] or box[3] - box[1] > _DETAIL_MAX_SPAN[1]:
        return None
    return tuple(round(v, 2) for v in box)  # type: ignore[return-value]


def _basemap(gazetteer: Gazetteer, places: Sequence[MappedPlace], bounds,
             centre: float | None = None) -> dict[str, Any] | None:
    """Country fills and borders (coarse worldwide, finer inside the box around the places) and
    the admin-1 lines of the mapped places' countries inside that box, drawn around ``centre``
    where the map crosses the antimeridian."""
    import shapely

    world = _world(gazetteer)
    if not world:
        return None
    box = _detail_box(bounds, centre)
    box_shape = shapely.box(*box) if box else None
    countries = []
    for place_id, code, coarse, full in world:
        coarse, full = turned(coarse, centre), turned(full, centre)
        fill_coarse, lines_coarse = coarse, coarse.boundary
        fill_detail: list = []
        lines_detail: list = []
        if box_shape is not None and shapely.intersects(full, box_shape):
            fill_coarse = shapely.difference(coarse, box_shape)
            lines_coarse = shapely.difference(coarse.boundary, box_shape)
            detail = _detail(gazetteer, place_id, box, centre)
            if detail is not None:
                fill_detail = _encode_polygons(shapely.clip_by_rect(detail, *box), 100)
                lines_detail = _encode_lines(shapely.clip_by_rect(detail.boundary, *box), 100)
        countries.append([code, _encode_polygons(fill_coarse, 10), fill_detail,
                          _encode_lines(lines_coarse, 10), lines_detail])
    admin1 = []
    if box is not None:
        codes = {mp.place.country_code for mp in places if mp.place.country_code}
        for region in gazetteer.places_in(PlaceKind.ADMIN1):
            if region.country_code not in codes or not region.has_geometry:
                continue
            detail = _detail(gazetteer, region.id, box, centre)
            if detail is None:
                continue
            lines = _encode_lines(shapely.clip_by_rect(detail.boundary, *box), 100)
            if lines:
                admin1.append([region.name, lines])
    return {"q": [10, 100], "countries": countries, "admin1": admin1, "admin1Zoom": _ADMIN1_ZOOM,
            "box": list(box) if box else None}


# -- render -----------------------------------------------------------------------------------------


def render(
    documents: Iterable[Document],
    *,
    gazetteer: Gazetteer | None = None,
    tiles: str | None = "OpenStreetMap",
    max_excerpts: int = 8,
    width: str | int = "100%",
    height: str | int = "100%",
    cluster: bool | None = None,
    outlines: bool | None = None,
    static: bool = False,
    labels: int = 40,
    open_place: str | None = None,
    fit: Fit | Bounds | str = "story",
    heat: bool = False,
) -> folium.Map:
    """Build a folium map of the places of ``documents``.

    Parameters
    ----------
    documents
        Parsed documents (see :func:`geomap.parse`); each becomes a toggle in the layer control.
    gazetteer
        Source of region outlines and of the country-outline base layer; without it regions are
        drawn as markers only.
    tiles
        A folium tile layer name (``"OpenStreetMap"``, ``"CartoDB positron"``), a URL template
        with ``{z}/{x}/{y}``, or ``None`` for no tiles (the map then needs no network).
    max_excerpts
        Excerpts shown per popup (at least one per article while there is room; the rest are
        counted).
    width, height
        Size of the map element (``"100%"`` or pixels).
    cluster
        Cluster markers (leaflet.markercluster); ``None`` clusters maps of more than
        :data:`CLUSTER_THRESHOLD` places (never static ones).
    outlines
        Draw the country-outline base layer; ``None`` draws it when there are no tiles.
    static
        Tune the map for a picture (:mod:`geomap.outputs.screenshot`): no zoom buttons, layer control or
        panel, no animations, permanent labels for the ``labels`` most mentioned places (those
        that would overlap a label already placed are left out).
    open_place
        Name or id of a place whose popup opens when the map loads.
    fit
        The first view: ``"story"`` (default) fits the places that carry the articles
        (:func:`geomap.outputs.framing.story_places`: not countries or far-off places named in
        passing), ``"all"`` fits every place, a :class:`~geomap.outputs.framing.Bounds` fixes the box.
        Every place is on the map either way.
    heat
        Add a heat layer of the mentions (switchable in the layer control), for maps of many
        articles.

    Returns
    -------
    folium.Map
        Turn it into HTML with :func:`page_html` or :func:`fragment_html` (or ``.save(path)``);
        it also renders inline in Jupyter.

    Raises
    ------
    InputError
        ``tiles`` names no known tile provider.

    Examples
    --------
    >>> import geomap                                            # doctest: +SKIP
    >>> m = geomap.render([geomap.parse("Kyiv and Kharkiv.")])   # doctest: +SKIP
    >>> m.save("output/example.html")                            # doctest: +SKIP
    """
    import folium

    GeomapMap, GeomapLayer, _ = _classes()
    docs = list(documents)
    places = group_places(docs)
    if outlines is None:
        outlines = not tiles
    data = map_data(docs, gazetteer=gazetteer, max_excerpts=max_excerpts, cluster=cluster, outlines=outlines,
                    static=static, labels=labels, open_place=open_place, places=places, fit=fit, heat=heat)
    options: dict[str, Any] = {}
    if static:
        options.update(fade_animation=False, zoom_animation=False, marker_zoom_animation=False)
    centre, zoom = _initial_view(data["view"])
    # Leaflet's world copy jump keeps the view within half a turn of Greenwich: not for a map
    # drawn around the antimeridian.
    across = any(box is not None and box[1][1] > 180.0 for box in (data["view"], data["bounds"]))
    fmap = GeomapMap(location=centre, zoom_start=zoom, tiles=None, width=width, height=height,
                     control_scale=True, zoom_control=not static, world_copy_jump=not across, **options)
    # Leaflet (and the cluster plugin) need the map's own zoom range when there is no tile layer.
    fmap.options["min_zoom"] = 1
    fmap.options["max_zoom"] = 18 if tiles else 12
    title = _page_title(docs)
    fmap.get_root().title = escape(title)
    tiles_name = None
    if tiles:
        layer = _tile_layer(tiles)
        layer.add_to(fmap)
        tiles_name = layer.get_name()
    GeomapLayer(data, tiles_name).add_to(fmap)
    if not static:  # a control stepping through the articles' days, where they have dates
        add_time_control(fmap, [d.metadata.get("date") for d in docs])
    log.debug("rendered %d places from %d documents", len(places), len(docs))
    return fmap


def _tile_layer(tiles: str):
    import folium

    if "{z}" in tiles or "{x}" in tiles:
        from urllib.parse import urlsplit

        host = urlsplit(tiles).hostname or "custom tiles"
        return folium.TileLayer(tiles, attr=f"Tiles: {escape(host)}", name="Base map", control=False)
    try:
        return folium.TileLayer(tiles, name="Base map", control=False)
    except ValueError:
        raise InputError(f"--tiles {tiles!r} is not a tile provider folium knows: use a name such as "
                         "OpenStreetMap or 'CartoDB positron', a URL template with {z}/{x}/{y}, or none") from None


def _initial_view(bounds) -> tuple[list[float], int]:
    if bounds is None:
        return [20.0, 0.0], 2
    (south, west), (north, east) = bounds
    span = max(north - south, east - west, 0.01)
    return [(north + south) / 2, (east + west) / 2], max(2, min(9, int(round(math.log2(360 / span)))))


def _page_title(docs: Sequence[Document]) -> str:
    if not docs:
        return "geomap"
    first = docs[0].title or docs[0].id
    more = f" and {len(docs) - 1} more" if len(docs) > 1 else ""
    return f"Map: {first}{more}"


# -- output forms --------------------------------------------------------------------------------------


def page_html(fmap: folium.Map, *, self_contained: bool = False) -> str:
    """The whole HTML page of a map.

    With ``self_contained=True`` every script, style sheet, font and image is inlined from
    ``geomap/assets`` (see :mod:`geomap.outputs.offline`): the page makes no request at all unless the
    map has tiles. Otherwise Leaflet loads from the CDN links folium uses.

    Examples
    --------
    >>> page = page_html(render([]), self_contained=True)           # doctest: +SKIP
    """
    page = fmap.get_root().render()
    if self_contained:
        page = inline_html(page)
    return page


def fragment_html(fmap: folium.Map, *, self_contained: bool = False) -> str:
    """An HTML fragment holding the map, to paste into another page.

    The fragment is one ``<div class="geomap-embed">`` with the map's styles, its data and its
    scripts. It does not style the host page, its ids are unique, and several fragments can
    share a page: Leaflet (and the cluster plugin) load once, the first fragment that needs them
    loads them, and each map waits for them. Give the map a pixel ``height`` in :func:`render`.

    With ``self_contained=True`` the scripts and styles are inlined (no network needed);
    otherwise they load from the CDN.
    """
    _, _, Figure = _classes()
    from branca.element import JavascriptLink

    figure = fmap.get_root()
    if not isinstance(figure, Figure):  # pragma: no cover - render() always makes a Figure
        raise TypeError("fragment_html needs a map that belongs to a folium Figure")
    figure.render(geomap_fragment=True)
    head: list[str] = []
    scripts: list[str] = []
    for name, child in figure.header._children.items():
        if name == "meta_http":
            continue
        if isinstance(child, JavascriptLink) and not self_contained:
            scripts.append(child.url)
            continue
        head.append(child.render())
    body = figure.html.render()
    code = figure.script.render()
    if self_contained:
        assets = inline_html("\n".join(head), guard=True)
        run = f"<script>\n(function () {{\n{code}\n}})();\n</script>"
    else:
        assets = "\n".join(head)
        loader = _script_text(_template_text("loader.js"))
        needs = [[url, guard_for_url(url)] for url in scripts]
        run = (f"<script>\n{loader}\n</script>\n<script>\ngeomapLoad({script_json(needs)}, function () {{\n"
               f"{code}\n}});\n</script>")
    return f'<div class="geomap-embed">\n{assets}\n{body}\n{run}\n</div>\n'


# -- popups as HTML strings (for other tools; the map builds its popups in the browser) ----------


def popup_html(mapped: MappedPlace, *, max_excerpts: int = 8) -> str:
    """The popup of a place as an HTML string: name, kind, spellings, confidence and excerpts,
    all escaped. The interactive map builds the same content in the browser."""
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
