"""Machine-readable outputs: JSON Lines, JSON, GeoJSON (RFC 7946), CSV and a text table.

The JSON Lines record of a document is a stable, documented schema (see the README)::

    {"id": ..., "places": [{"start", "end", "surface", "name", "kind", "lat", "lon",
      "country_code", "admin1", "geonameid", "confidence", "ambiguous",
      "candidates": [{"name", "kind", "lat", "lon", "score"}]}]}

Every key is always present; ``lat``/``lon`` (and the other place fields) are ``null`` when the
mention is unresolved.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

from gazetteer import Gazetteer
from gazetteer.model import REGION_KINDS

from ..model import Document, PlaceMention, group_places

__all__ = ["place_record", "document_record", "to_jsonl_line", "write_json", "to_geojson", "to_csv", "to_table", "to_kml", "FORMATS"]

FORMATS = ("table", "json", "jsonl", "geojson", "csv", "kml")

CSV_COLUMNS = ("document", "start", "end", "surface", "name", "kind", "lat", "lon", "country_code",
               "admin1", "geonameid", "place_id", "confidence", "ambiguous")


def place_record(pm: PlaceMention) -> dict[str, Any]:
    """The JSON record of one mention (the ``places`` items of the JSON Lines schema)."""
    mention, resolution, place = pm.mention, pm.resolution, pm.place
    return {
        "start": mention.start,
        "end": mention.end,
        "surface": mention.surface,
        "name": place.name if place else None,
        "kind": place.kind.value if place else None,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
        "country_code": place.country_code if place else None,
        "admin1": place.admin1 if place else None,
        "geonameid": place.geonameid if place else None,
        "place_id": place.id if place else None,
        "confidence": round(resolution.confidence, 4),
        "ambiguous": resolution.ambiguous,
        "candidates": [
            {"name": c.place.name, "kind": c.place.kind.value, "lat": c.place.lat, "lon": c.place.lon,
             "score": c.score, "id": c.place.id, "country_code": c.place.country_code}
            for c in resolution.candidates
        ],
    }


def document_record(doc: Document) -> dict[str, Any]:
    """The JSON Lines record of one document."""
    record: dict[str, Any] = {"id": doc.id}
    if doc.title:
        record["title"] = doc.title
    for key in ("date", "url", "site"):  # where the article says (pages, feeds, JSONL input)
        if doc.metadata.get(key):
            record[key] = doc.metadata[key]
    record["places"] = [place_record(pm) for pm in doc.mentions]
    return record


def to_jsonl_line(doc: Document) -> str:
    """One line (with its newline) of the JSON Lines output."""
    return json.dumps(document_record(doc), ensure_ascii=False) + "\n"


def to_json(documents: Iterable[Document]) -> str:
    """All documents as one JSON array (what :func:`write_json` writes)."""
    buffer = io.StringIO()
    write_json(documents, buffer)
    return buffer.getvalue()


# -- JSON, streamed ------------------------------------------------------------------------------
# ``json.dumps(records, ensure_ascii=False, indent=2)`` builds the whole text in memory, and its
# indenting encoder is pure Python: a long report with hundreds of thousands of mentions took
# minutes and gigabytes. The writer below writes the very same text one mention at a time; the
# part of a mention's record that its resolution decides (place, confidence, candidates) is
# encoded once per resolution and reused for each mention of the same sense.

_INDENT = "  "
_HEAD_KEYS = ("start", "end", "surface")  # the keys of place_record that vary between mentions of one sense


def write_json(documents: Iterable[Document], out: TextIO) -> None:
    """Write all documents as one JSON array to ``out``, byte for byte what
    ``json.dumps([document_record(d) for d in documents], ensure_ascii=False, indent=2)``
    followed by a newline gives, without holding more than one mention's record at a time."""
    first = True
    for doc in documents:
        out.write("[\n" + _INDENT if first else ",\n" + _INDENT)
        first = False
        _write_document(doc, out)
    out.write("[]\n" if first else "\n]\n")


def _write_document(doc: Document, out: TextIO) -> None:
    """One document's record at nesting level 1 (its ``places`` streamed)."""
    record = document_record(Document(doc.id, doc.text, (), doc.title, doc.metadata))
    if list(record)[-1] != "places":  # pragma: no cover - document_record's layout changed
        raise AssertionError("document_record must end with 'places'")
    inner = "\n" + _INDENT * 2
    for key, value in record.items():
        if key != "places":
            out.write(("{" if key == next(iter(record)) else ",") + inner + _encode_str(key) + ": "
                      + _indented(value, 2))
    out.write(("{" if len(record) == 1 else ",") + inner + '"places": ')
    if not doc.mentions:
        out.write("[]\n" + _INDENT + "}")
        return
    tails: dict[tuple, tuple[str, object]] = {}
    item = "\n" + _INDENT * 3
    for i, pm in enumerate(doc.mentions):
        out.write(("[" if i == 0 else ",") + item + _place_json(pm, tails))
    out.write("\n" + _INDENT * 2 + "]\n" + _INDENT + "}")


def _place_json(pm: PlaceMention, tails: dict[tuple, tuple[str, object]]) -> str:
    """:func:`place_record` of one mention encoded at nesting level 3."""
    resolution, place = pm.resolution, pm.place
    key = (id(resolution.candidates), place.id if place else None, resolution.confidence, resolution.ambiguous)
    head = (pm.mention.start, pm.mention.end, pm.mention.surface)
    cached = tails.get(key)
    if cached is None or cached[1] is not resolution.candidates:
        record = place_record(pm)
        items = list(record.items())
        if tuple(k for k, _ in items[:3]) != _HEAD_KEYS or tuple(v for _, v in items[:3]) != head:
            raise AssertionError("place_record must begin with start, end, surface")  # pragma: no cover
        inner = ",\n" + _INDENT * 4
        tail = "".join(inner + _encode_str(k) + ": " + _indented(v, 4) for k, v in items[3:])
        cached = tails[key] = (tail + "\n" + _INDENT * 3 + "}", resolution.candidates)
    inner = "\n" + _INDENT * 4
    return ("{" + inner + '"start": ' + int.__repr__(head[0]) + "," + inner + '"end": ' + int.__repr__(head[1])
            + "," + inner + '"surface": ' + _encode_str(head[2]) + cached[0])


def _indented(value: object, level: int) -> str:
    """``value`` as ``json.dumps(..., ensure_ascii=False, indent=2)`` writes it at nesting ``level``."""
    if isinstance(value, str):
        return _encode_str(value)
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    inner = "\n" + _INDENT * (level + 1)
    if isinstance(value, dict):
        if not value:
            return "{}"
        body = ("," + inner).join(_encode_str(str(k)) + ": " + _indented(v, level + 1) for k, v in value.items())
        return "{" + inner + body + "\n" + _INDENT * level + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        body = ("," + inner).join(_indented(v, level + 1) for v in value)
        return "[" + inner + body + "\n" + _INDENT * level + "]"
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


_encode_str = json.encoder.encode_basestring  # ensure_ascii=False: JSON escapes, non-ASCII kept


def to_geojson(documents: Iterable[Document], *, gazetteer: Gazetteer | None = None) -> str:
    """A GeoJSON FeatureCollection (RFC 7946) with one feature per distinct place.

    Regions with an outline in ``gazetteer`` are (Multi)Polygons; other places are Points.
    Properties carry the kind, ids, the spellings found, the mention count, the documents and
    the excerpts.
    """
    features = []
    for mapped in group_places(documents):
        place = mapped.place
        geometry: dict[str, Any] = {"type": "Point", "coordinates": [round(place.lon, 6), round(place.lat, 6)]}
        if gazetteer is not None and place.has_geometry and place.kind in REGION_KINDS:
            shape = gazetteer.geometry(place.id)
            if shape is not None:
                from shapely.geometry import mapping, polygon
                import shapely

                oriented = shapely.force_2d(_orient(shape))
                geometry = json.loads(json.dumps(mapping(oriented)))
        features.append({
            "type": "Feature",
            "id": place.id,
            "geometry": geometry,
            "properties": {
                "id": place.id,
                "name": place.name,
                "kind": place.kind.value,
                "country_code": place.country_code,
                "admin1": place.admin1,
                "geonameid": place.geonameid,
                "lat": place.lat,
                "lon": place.lon,
                "mentions": len(mapped.mentions),
                "spellings": list(mapped.spellings),
                "documents": [d.id for d in mapped.documents],
                "articles": [_article(d) for d in mapped.documents],  # title, date, site, url where known
                "confidence": round(mapped.confidence, 4),
                "ambiguous": mapped.ambiguous,
                "excerpts": [{"document": e.document_id, "text": e.text, "match": e.match} for e in mapped.excerpts()],
            },
        })
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n"


def _article(doc: Document) -> dict[str, str]:
    record = {"id": doc.id}
    if doc.title:
        record["title"] = doc.title
    for key in ("date", "url", "site"):
        if doc.metadata.get(key):
            record[key] = doc.metadata[key]
    return record


def _orient(shape):
    """RFC 7946: exterior rings counter-clockwise, holes clockwise."""
    from shapely.geometry import MultiPolygon, Polygon
    from shapely.geometry.polygon import orient

    if isinstance(shape, Polygon):
        return orient(shape, 1.0)
    if isinstance(shape, MultiPolygon):
        return MultiPolygon([orient(p, 1.0) for p in shape.geoms])
    return shape


def to_csv(documents: Iterable[Document]) -> str:
    """One CSV row per mention (RFC 4180: CRLF line ends, so that a field holding a lone CR is quoted)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for doc in documents:
        for pm in doc.mentions:
            r = place_record(pm)
            writer.writerow([doc.id, r["start"], r["end"], r["surface"], r["name"], r["kind"], r["lat"], r["lon"],
                             r["country_code"], r["admin1"], r["geonameid"], r["place_id"], r["confidence"],
                             r["ambiguous"]])
    return buffer.getvalue()


def to_table(documents: Iterable[Document]) -> str:
    """A plain-text table of the distinct places, for a terminal."""
    docs = list(documents)
    rows = [("place", "kind", "country", "lat", "lon", "mentions", "found as", "conf")]
    for mapped in group_places(docs):
        p = mapped.place
        flag = "?" if mapped.ambiguous else ""
        rows.append((p.name, p.kind.value, p.country_code or "", f"{p.lat:.4f}", f"{p.lon:.4f}",
                     str(len(mapped.mentions)), ", ".join(mapped.spellings), f"{mapped.confidence:.2f}{flag}"))
    unresolved = sorted({pm.mention.surface for d in docs for pm in d.unresolved})
    widths = [min(max(len(row[i]) for row in rows), 40) for i in range(len(rows[0]))]
    lines = ["  ".join(cell[:40].ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    if unresolved:
        lines.append(f"unresolved: {', '.join(unresolved)}")
    return "\n".join(lines) + "\n"


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def to_kml(documents: Iterable[Document], *, gazetteer: Gazetteer | None = None) -> str:
    """A KML 2.2 document with one Placemark per distinct place, for Google Earth and GIS tools.

    Regions with an outline in ``gazetteer`` are Polygons (a MultiGeometry for several parts);
    other places are Points. The description holds the spellings found and the excerpts, as
    text (KML viewers render descriptions as HTML, so everything is escaped).

    Examples
    --------
    >>> to_kml([]).startswith('<?xml version="1.0" encoding="UTF-8"?>')
    True
    """
    from xml.sax.saxutils import escape as xml_escape

    def text(value: object) -> str:
        # XML 1.0 cannot carry most control characters, even escaped: they are dropped.
        return xml_escape(_XML_INVALID.sub("", str(value)), {'"': "&quot;"})

    def ring(coords) -> str:
        return " ".join(f"{round(x, 6)},{round(y, 6)}" for x, y, *_ in coords)

    def polygon(poly) -> str:
        inner = "".join(f"<innerBoundaryIs><LinearRing><coordinates>{ring(r.coords)}</coordinates></LinearRing>"
                        f"</innerBoundaryIs>" for r in poly.interiors)
        return (f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{ring(poly.exterior.coords)}</coordinates>"
                f"</LinearRing></outerBoundaryIs>{inner}</Polygon>")

    marks = []
    for mapped in group_places(documents):
        place = mapped.place
        geometry = f"<Point><coordinates>{round(place.lon, 6)},{round(place.lat, 6)}</coordinates></Point>"
        if gazetteer is not None and place.has_geometry and place.kind in REGION_KINDS:
            shape = gazetteer.geometry(place.id)
            if shape is not None and shape.geom_type in ("Polygon", "MultiPolygon"):
                parts = [shape] if shape.geom_type == "Polygon" else list(shape.geoms)
                body = "".join(polygon(p) for p in parts)
                geometry = body if len(parts) == 1 else f"<MultiGeometry>{body}</MultiGeometry>"
        lines = [f"{place.kind.value}; found as {', '.join(mapped.spellings)}; {len(mapped.mentions)} mention(s)"]
        lines += [f"[{e.document_id}] {e.text}" for e in mapped.excerpts()]
        description = text("\n".join(lines))
        marks.append(f'<Placemark id="{text(place.id)}"><name>{text(place.name)}</name>'
                     f"<description>{description}</description>{geometry}</Placemark>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            + "".join(marks) + "</Document></kml>\n")
