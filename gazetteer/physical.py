"""Physical features of the embedded gazetteer: seas, gulfs, straits, rivers, lakes, mountains.

Two committed data files (provenance in ``data/SOURCES.md``):

- ``data/marine.geojson.gz``: Natural Earth's named marine polygons (seas, gulfs, bays,
  straits, oceans) with English aliases, converted once by ``scripts/make_marine.py``;
- ``data/physical.tsv``: a curated table of the rivers, lakes, reservoirs, peninsulas, deserts,
  mountain ranges and other features that news names most, one a line, each citing its source.

Columns of ``physical.tsv`` (tab-separated, UTF-8; lines starting with ``#`` are comments):

``id``
    A slug, unique in the table; the place id is ``geomap:<id>``.
``name``
    The English display name ("Dnieper", "Lake Chad").
``type``
    One of :data:`FEATURE_CODES` ("river", "lake", "mountains", ...).
``lat``, ``lon``
    A representative point in WGS 84 degrees (for a river, a point on its course).
``country``
    ISO 3166-1 alpha-2 code of the one country the feature lies in, or empty.
``stems``
    ``|``-separated names without the type word ("Dnieper|Dnipro"); each also gives the
    qualified forms of its type ("Dnipro River", "River Dnipro").
``bare``
    ``yes``: the stems are names on their own ("Danube"); ``no``: only their qualified forms
    are ("Don" is a first name, "Don River" is the river).
``aliases``
    ``|``-separated further names, used as written ("Empty Quarter").
``source``
    Where the point and names come from.
"""

from __future__ import annotations

import gzip
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .errors import GazetteerBuildError, GazetteerDataError
from .model import PlaceKind
from .normalize import normalize_name
from .sources import data_file
from .store import MatchOrigin
from .writer import Builder

log = logging.getLogger(__name__)

__all__ = ["PhysicalFeature", "FEATURE_CODES", "parse_table", "curated_features", "marine_features",
           "add_physical", "DATA_FILES"]

#: The committed data files read here (their content is part of the build fingerprint).
DATA_FILES = ("marine.geojson.gz", "physical.tsv")

#: Feature types of the curated table and their GeoNames feature codes.
FEATURE_CODES = {
    "river": "H.STM", "lake": "H.LK", "reservoir": "H.RSV", "dam": "S.DAM", "sea": "H.SEA",
    "lagoon": "H.LGN", "strait": "H.STRT", "canal": "H.CNL", "delta": "T.DLTA", "wetland": "H.WTLD",
    "peninsula": "T.PEN", "isthmus": "T.ISTH", "island": "T.ISL", "islands": "T.ISLS", "shoal": "H.SHOL",
    "desert": "T.DSRT", "mountains": "T.MTS", "mountain": "T.MT", "plateau": "T.PLAT", "valley": "T.VAL",
    "canyon": "T.CNYN", "pass": "T.PASS", "estuary": "H.ESTY", "bay": "H.BAY", "spit": "T.SPIT",
    "glacier": "H.GLCR", "forest": "V.FRST",
}
#: How a stem is qualified by its type: "{}" stands for the stem.
_QUALIFIED = {
    "river": ("{} River", "River {}"),
    "lake": ("Lake {}", "{} Lake"),
    "reservoir": ("{} Reservoir",),
    "dam": ("{} Dam",),
    "sea": ("{} Sea", "Sea of {}"),
    "strait": ("{} Strait", "Strait of {}"),
    "canal": ("{} Canal",),
    "delta": ("{} Delta",),
    "peninsula": ("{} Peninsula",),
    "isthmus": ("Isthmus of {}", "{} Isthmus"),
    "island": ("{} Island",),
    "islands": ("{} Islands",),
    "desert": ("{} Desert",),
    "mountains": ("{} Mountains", "{} Range", "{} mountain range"),
    "mountain": ("Mount {}",),
    "plateau": ("{} Plateau",),
    "valley": ("{} Valley",),
    "pass": ("{} Pass",),
    "shoal": ("{} Shoal",),
    "estuary": ("{} Estuary",),
    "bay": ("{} Bay", "Bay of {}"),
    "spit": ("{} Spit",),
    "glacier": ("{} Glacier",),
    "forest": ("{} Forest",),
}
COLUMNS = ("id", "name", "type", "lat", "lon", "country", "stems", "bare", "aliases", "source")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class PhysicalFeature:
    """One physical feature to add to the gazetteer.

    ``names`` are all the names it is known by, the display name first; ``geometry`` is a
    GeoJSON geometry mapping (marine features) or ``None`` (curated points).
    """

    id: str
    name: str
    feature_code: str
    lat: float
    lon: float
    names: tuple[str, ...]
    country_code: str | None = None
    source: str = ""
    geometry: dict | None = None


def _names(kind: str, stems: list[str], bare: bool, aliases: list[str], name: str) -> tuple[str, ...]:
    out = [name]
    for stem in stems:
        if bare:
            out.append(stem)
        out.extend(pattern.format(stem) for pattern in _QUALIFIED.get(kind, ()))
    out.extend(aliases)
    return tuple(dict.fromkeys(n for n in out if n))


def parse_table(text: str, origin: str = "physical.tsv") -> list[PhysicalFeature]:
    """Parse the curated table (see the module docstring for its columns).

    Raises
    ------
    GazetteerDataError
        Naming ``origin``, the line and what to fix.

    Examples
    --------
    >>> table = "\\t".join(COLUMNS) + "\\n" + "\\t".join(
    ...     ["don", "Don", "river", "49.6", "41.7", "RU", "Don", "no", "", "Wikipedia: Don (river)"])
    >>> parse_table(table)[0].names
    ('Don', 'Don River', 'River Don')
    """
    features: list[PhysicalFeature] = []
    seen: dict[str, int] = {}
    header_seen = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        where = f"{origin} line {lineno}"
        if not header_seen:
            if tuple(cells) != COLUMNS:
                raise GazetteerDataError(
                    f"{where}: the header must be the tab-separated columns {', '.join(COLUMNS)}"
                )
            header_seen = True
            continue
        if len(cells) != len(COLUMNS):
            raise GazetteerDataError(
                f"{where}: {len(cells)} tab-separated cells where there must be {len(COLUMNS)} "
                f"({', '.join(COLUMNS)}); leave an empty cell between two tabs rather than dropping it"
            )
        row = dict(zip(COLUMNS, (c.strip() for c in cells)))
        if not _SLUG.fullmatch(row["id"]):
            raise GazetteerDataError(f"{where}: id {row['id']!r} must be a lower-case slug such as 'lake-chad'")
        if row["id"] in seen:
            raise GazetteerDataError(f"{where}: id {row['id']!r} is already used on line {seen[row['id']]}: rename one")
        seen[row["id"]] = lineno
        if row["type"] not in FEATURE_CODES:
            raise GazetteerDataError(
                f"{where}: type {row['type']!r} is not one of {', '.join(sorted(FEATURE_CODES))}"
            )
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except ValueError:
            raise GazetteerDataError(f"{where}: lat {row['lat']!r} and lon {row['lon']!r} must be decimal degrees") from None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise GazetteerDataError(f"{where}: ({lat}, {lon}) is not a point on Earth: lat in -90..90, lon in -180..180")
        if row["country"] and not re.fullmatch(r"[A-Z]{2}", row["country"]):
            raise GazetteerDataError(f"{where}: country {row['country']!r} must be an ISO alpha-2 code or empty")
        if row["bare"] not in ("yes", "no"):
            raise GazetteerDataError(f"{where}: bare must be 'yes' or 'no', not {row['bare']!r}")
        if not row["name"] or not row["source"]:
            raise GazetteerDataError(f"{where}: name and source must not be empty")
        stems = [s.strip() for s in row["stems"].split("|") if s.strip()]
        if row["bare"] == "no" and row["name"] in stems:
            raise GazetteerDataError(
                f"{where}: name {row['name']!r} is one of the stems, which bare=no keeps from being names "
                f"on their own: give the qualified name (e.g. '{row['name']} River') or set bare to yes"
            )
        aliases = [a.strip() for a in row["aliases"].split("|") if a.strip()]
        features.append(PhysicalFeature(
            id=f"geomap:{row['id']}", name=row["name"], feature_code=FEATURE_CODES[row["type"]],
            lat=lat, lon=lon, names=_names(row["type"], stems, row["bare"] == "yes", aliases, row["name"]),
            country_code=row["country"] or None, source=row["source"],
        ))
    if not header_seen:
        raise GazetteerDataError(f"{origin}: no header line: the first line must be {', '.join(COLUMNS)}")
    return features


def curated_features() -> list[PhysicalFeature]:
    """The features of the committed ``data/physical.tsv``."""
    try:
        text = data_file("physical.tsv").read_text("utf-8")
    except OSError as exc:
        raise GazetteerBuildError(f"gazetteer data file physical.tsv is missing ({exc}): reinstall geomap") from exc
    return parse_table(text)


def marine_features() -> Iterator[PhysicalFeature]:
    """The Natural Earth marine polygons of the committed ``data/marine.geojson.gz``."""
    try:
        with data_file("marine.geojson.gz").open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            collection = json.load(handle)
    except (OSError, ValueError) as exc:
        raise GazetteerBuildError(
            f"gazetteer data file marine.geojson.gz is missing or unreadable ({exc}): reinstall geomap "
            "or regenerate it with scripts/make_marine.py"
        ) from exc
    for feature in collection["features"]:
        props = feature["properties"]
        slug = re.sub(r"[^a-z0-9]+", "-", normalize_name(props["name"])).strip("-")
        yield PhysicalFeature(
            id=f"ne-marine:{slug}", name=props["name"], feature_code=props["feature_code"],
            lat=float(props["label_lat"]), lon=float(props["label_lon"]),
            names=tuple(dict.fromkeys([props["name"], *props["names"]])),
            source="naturalearth-marine", geometry=feature["geometry"],
        )


def add_physical(builder: Builder) -> None:
    """The build step that adds the marine and curated features as :attr:`PlaceKind.PHYSICAL`
    places: a feature's display name is its canonical name, its other names curated aliases."""
    from shapely.geometry import shape

    counts = {"marine": 0, "curated": 0}
    for group, features in (("marine", marine_features()), ("curated", curated_features())):
        for feature in features:
            pk = builder.add_place(
                feature.id, feature.name, PlaceKind.PHYSICAL, feature.lat, feature.lon,
                country_code=feature.country_code,
                source="physical.tsv" if group == "curated" else "naturalearth-marine",
                feature_code=feature.feature_code,
            )
            if feature.geometry is not None:
                builder.add_shape(pk, shape(feature.geometry))
            for name in feature.names[1:]:
                builder.add_name(pk, name, MatchOrigin.ALIAS)
            counts[group] += 1
    log.info("physical features: %d marine, %d curated", counts["marine"], counts["curated"])
