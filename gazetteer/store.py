"""Read access to a gazetteer database: name lookup, places by id, outlines.

The database is an SQLite file written by :mod:`gazetteer.build` (the embedded default) or by
the GeoNames importer. :class:`Gazetteer` opens it read-only and checks its schema; it never
writes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .errors import GazetteerCorrupt, GazetteerNotFound, UnknownPlaceError
from .model import Place, PlaceKind
from .normalize import normalize_name

__all__ = ["Gazetteer", "NameMatch", "MatchOrigin", "GazetteerInfo", "SCHEMA_VERSION"]

log = logging.getLogger(__name__)

#: Bumped whenever the tables change; a database with another version is rebuilt.
SCHEMA_VERSION = 4

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE places (
    pk INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    lat REAL NOT NULL,
    lon REAL NOT NULL,
    country_code TEXT,
    admin1_code TEXT,
    admin1 TEXT,
    population INTEGER,
    geonameid INTEGER,
    source TEXT NOT NULL
);
CREATE TABLE names (key TEXT NOT NULL, pk INTEGER NOT NULL, origin INTEGER NOT NULL);
CREATE TABLE spellings (key TEXT NOT NULL, pk INTEGER NOT NULL);
CREATE TABLE demonyms (key TEXT PRIMARY KEY);
CREATE TABLE shapes (
    pk INTEGER PRIMARY KEY, wkb BLOB NOT NULL,
    minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL
);
"""

INDEXES = """
CREATE INDEX names_key ON names (key);
CREATE INDEX spellings_key ON spellings (key);
CREATE INDEX places_geonameid ON places (geonameid);
"""

_PLACE_COLUMNS = (
    "p.pk, p.id, p.name, p.kind, p.lat, p.lon, p.country_code, p.admin1_code, p.admin1, "
    "p.population, p.geonameid, (SELECT 1 FROM shapes s WHERE s.pk = p.pk)"
)


class MatchOrigin(IntEnum):
    """How a name matched a place, from most to least trustworthy."""

    NAME = 0  #: the place's canonical name
    ALIAS = 1  #: a curated alias (exonym, old transliteration, former name)
    ALTERNATE = 2  #: one of the source's alternate names
    VARIANT = 3  #: a generated transliteration variant
    SPELLING = 4  #: same phonetic spelling key (a romanisation the index lacks)
    FUZZY = 5  #: edit-distance match of a misspelling


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A place that a looked-up name matched, and how it matched."""

    place: Place
    origin: MatchOrigin
    matched: str


@dataclass(frozen=True, slots=True)
class GazetteerInfo:
    """What ``geomap gazetteer info`` reports."""

    path: Path
    size_bytes: int
    schema_version: int
    sources: dict[str, str]
    counts: dict[str, int]


def _place_from_row(row: tuple) -> Place:
    return Place(
        id=row[1],
        name=row[2],
        kind=PlaceKind(row[3]),
        lat=row[4],
        lon=row[5],
        country_code=row[6],
        admin1_code=row[7],
        admin1=row[8],
        population=row[9],
        geonameid=row[10],
        has_geometry=bool(row[11]),
    )


class Gazetteer:
    """A read-only gazetteer database.

    Opening is cheap: the file is checked and a connection made; nothing is loaded.
    Use :func:`gazetteer.open_default` for the embedded gazetteer (built on first use).

    Parameters
    ----------
    path
        An SQLite file written by geomap's gazetteer builder.

    Raises
    ------
    GazetteerNotFound
        The file does not exist.
    GazetteerCorrupt
        The file is not a geomap gazetteer of the current schema.

    Examples
    --------
    >>> from gazetteer import open_default          # doctest: +SKIP
    >>> gaz = open_default()                         # doctest: +SKIP
    >>> [m.place.describe() for m in gaz.lookup("Kharkov")][:1]   # doctest: +SKIP
    ['Kharkiv (city, UA, Kharkiv Oblast)']
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise GazetteerNotFound(
                f"gazetteer {self.path} does not exist: build it with `geomap gazetteer build`"
            )
        self._local = threading.local()
        self._meta = self._read_meta()
        self._cache_lookup = lru_cache(maxsize=16384)(self._lookup_uncached)

    # -- connection -------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        try:
            conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            conn.execute("PRAGMA cache_size = -32000")
        except sqlite3.Error as exc:
            raise GazetteerCorrupt(
                f"gazetteer {self.path} cannot be opened ({exc}): delete it and rebuild"
            ) from exc
        return conn

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = self._connect()
            self._local.conn = conn
            self._local.pid = os.getpid()
        return conn

    def _read_meta(self) -> dict[str, str]:
        try:
            rows = self._conn.execute("SELECT key, value FROM meta").fetchall()
        except sqlite3.DatabaseError as exc:
            raise GazetteerCorrupt(
                f"gazetteer {self.path} is not a readable geomap gazetteer ({exc}): "
                "delete it and run `geomap gazetteer build`"
            ) from exc
        meta = dict(rows)
        version = meta.get("schema_version")
        if version != str(SCHEMA_VERSION):
            raise GazetteerCorrupt(
                f"gazetteer {self.path} has schema {version}, this geomap needs "
                f"{SCHEMA_VERSION}: rebuild it with `geomap gazetteer build`"
            )
        if meta.get("complete") != "1":
            raise GazetteerCorrupt(
                f"gazetteer {self.path} is an unfinished build: delete it and rebuild"
            )
        return meta

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getstate__(self) -> dict[str, object]:
        # Picklable for worker processes: they reopen the file.
        return {"path": self.path}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]

    def __repr__(self) -> str:
        return f"Gazetteer({str(self.path)!r})"

    # -- lookups ----------------------------------------------------------------------------

    @property
    def meta(self) -> dict[str, str]:
        """The build's metadata (sources, versions, fingerprint)."""
        return dict(self._meta)

    def lookup(self, name: str, *, spelling: bool = True) -> list[NameMatch]:
        """Return the places a name can refer to, best match origin first per place.

        Exact normalised matches are returned when there are any; otherwise places whose
        phonetic spelling key matches (``MatchOrigin.SPELLING``) when ``spelling`` is true.
        Misspellings are :meth:`fuzzy_lookup`'s job.

        Parameters
        ----------
        name
            A place name in any common spelling ("Kiev", "Kyiv", "KYIV").
        spelling
            Fall back to the transliteration-insensitive spelling key.
        """
        return list(self._cache_lookup(name, spelling))

    def _lookup_uncached(self, name: str, spelling: bool) -> tuple[NameMatch, ...]:
        key = normalize_name(name)
        if not key:
            return ()
        rows = self._conn.execute(
            f"SELECT {_PLACE_COLUMNS}, min(n.origin) FROM names n JOIN places p ON p.pk = n.pk "
            "WHERE n.key = ? GROUP BY p.pk",
            (key,),
        ).fetchall()
        if rows:
            return tuple(NameMatch(_place_from_row(r), MatchOrigin(r[12]), name) for r in rows)
        if not spelling:
            return ()
        from .translit import spelling_key

        skey = spelling_key(name)
        if not skey or len(skey) < 4:
            return ()
        rows = self._conn.execute(
            f"SELECT {_PLACE_COLUMNS} FROM spellings s JOIN places p ON p.pk = s.pk "
            "WHERE s.key = ? GROUP BY p.pk",
            (skey,),
        ).fetchall()
        return tuple(NameMatch(_place_from_row(r), MatchOrigin.SPELLING, name) for r in rows)

    def has_name(self, name: str) -> bool:
        """Whether any place carries this exact (normalised) name."""
        key = normalize_name(name)
        return bool(key) and (
            self._conn.execute("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,)).fetchone()
            is not None
        )

    def is_demonym(self, word: str) -> bool:
        """Whether ``word`` is a nationality adjective or noun ("Ukrainian", "Russians")."""
        key = normalize_name(word)
        return bool(key) and self._conn.execute(
            "SELECT 1 FROM demonyms WHERE key = ?", (key,)).fetchone() is not None

    def get(self, place_id: str) -> Place:
        """Return the place with this id.

        Raises
        ------
        UnknownPlaceError
            No place has this id.
        """
        row = self._conn.execute(
            f"SELECT {_PLACE_COLUMNS} FROM places p WHERE p.id = ?", (place_id,)
        ).fetchone()
        if row is None:
            raise UnknownPlaceError(f"no place with id {place_id!r} in gazetteer {self.path}")
        return _place_from_row(row)

    def geometry(self, place_id: str):  # -> shapely.Geometry | None
        """The outline of an area place as a shapely geometry, or ``None`` when there is none."""
        return _geometry_cached(self, place_id)

    def _geometry_wkb(self, place_id: str) -> bytes | None:
        row = self._conn.execute(
            "SELECT s.wkb FROM shapes s JOIN places p ON p.pk = s.pk WHERE p.id = ?", (place_id,)
        ).fetchone()
        return None if row is None else row[0]

    def contains(self, area_id: str, lat: float, lon: float, *, tolerance: float = 0.02) -> bool:
        """Whether the outline of ``area_id`` contains the point; ``False`` without an outline.

        Points within ``tolerance`` degrees of the outline count as inside: simplified outlines
        follow rivers and coasts only roughly (Kherson lies on the Dnipro, at the edge of its
        oblast's outline).
        """
        import shapely

        geom = self.geometry(area_id)
        if geom is None:
            return False
        point = shapely.Point(lon, lat)
        return bool(shapely.contains(geom, point) or shapely.dwithin(geom, point, tolerance))

    def country_at(self, lat: float, lon: float) -> str | None:
        """ISO alpha-2 code of the country whose outline contains the point, else ``None``."""
        import shapely

        tree, codes = self._country_index()
        for index in tree.query(shapely.Point(lon, lat), predicate="intersects"):
            return codes[int(index)]
        return None

    def _country_index(self):
        index = getattr(self, "_countries_tree", None)
        if index is None:
            import shapely

            rows = self._conn.execute(
                "SELECT p.country_code, s.wkb FROM places p JOIN shapes s ON s.pk = p.pk "
                "WHERE p.kind = 'country' ORDER BY p.pk"
            ).fetchall()
            codes = [code for code, _ in rows]
            tree = shapely.STRtree([shapely.from_wkb(wkb) for _, wkb in rows])
            index = self._countries_tree = (tree, codes)
        return index

    def names(self, *, kinds: frozenset[PlaceKind] | None = None, min_population: int = 0,
              origins: frozenset[MatchOrigin] | None = None) -> Iterator[tuple[str, str]]:
        """Yield ``(key, kind)`` for the names of places that pass the filters.

        Used to build recognisers; a city passes when its population is at least
        ``min_population``, any other kind always passes when its kind is in ``kinds``.
        """
        query = (
            "SELECT DISTINCT n.key, p.kind FROM names n JOIN places p ON p.pk = n.pk "
            "WHERE (p.kind != 'city' OR coalesce(p.population, 0) >= ?)"
        )
        params: list[object] = [min_population]
        if kinds is not None:
            query += f" AND p.kind IN ({','.join('?' * len(kinds))})"
            params.extend(k.value for k in kinds)
        if origins is not None:
            query += f" AND n.origin IN ({','.join('?' * len(origins))})"
            params.extend(int(o) for o in origins)
        yield from self._conn.execute(query, params)

    def places_in(self, kind: PlaceKind) -> Iterator[Place]:
        """Every place of one kind (countries and regions are few; cities are many)."""
        rows = self._conn.execute(
            f"SELECT {_PLACE_COLUMNS} FROM places p WHERE p.kind = ?", (kind.value,)
        )
        for row in rows:
            yield _place_from_row(row)

    def info(self) -> GazetteerInfo:
        """Sources, counts and size of this database."""
        counts = dict(
            self._conn.execute("SELECT kind, count(*) FROM places GROUP BY kind").fetchall()
        )
        counts["names"] = self._conn.execute("SELECT count(*) FROM names").fetchone()[0]
        sources = {k[len("source."):]: v for k, v in self._meta.items() if k.startswith("source.")}
        return GazetteerInfo(
            path=self.path,
            size_bytes=self.path.stat().st_size,
            schema_version=SCHEMA_VERSION,
            sources=sources,
            counts=counts,
        )


@lru_cache(maxsize=512)
def _geometry_cached(gazetteer: Gazetteer, place_id: str):
    import shapely

    wkb = gazetteer._geometry_wkb(place_id)
    if wkb is None:
        return None
    geom = shapely.from_wkb(wkb)
    shapely.prepare(geom)
    return geom
