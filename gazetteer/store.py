"""Read access to a gazetteer database: name lookup, places by id, outlines.

The database is an SQLite file written by :mod:`gazetteer.build` (the embedded default) or by
the GeoNames importer. :class:`Gazetteer` opens it read-only and checks its schema; it never
writes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import sqlite3
import sys
import threading
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from .errors import GazetteerCorrupt, GazetteerNotFound, UnknownPlaceError
from .model import Place, PlaceKind
from .normalize import normalize_name
from .romanise import romanised_probe
from .translit import spelling_key

__all__ = ["Gazetteer", "NameMatch", "NameKind", "MatchOrigin", "GazetteerInfo", "SCHEMA_VERSION"]

log = logging.getLogger(__name__)

#: Bumped whenever the tables change; a database with another version is rebuilt.
SCHEMA_VERSION = 5

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
    source TEXT NOT NULL,
    feature_code TEXT
);
CREATE TABLE names (key TEXT NOT NULL, pk INTEGER NOT NULL, origin INTEGER NOT NULL);
CREATE TABLE spellings (key TEXT NOT NULL, pk INTEGER NOT NULL);
CREATE TABLE demonyms (key TEXT NOT NULL, pk INTEGER);
CREATE TABLE fuzzy (key TEXT NOT NULL, bucket TEXT NOT NULL);
CREATE TABLE shapes (
    pk INTEGER PRIMARY KEY, wkb BLOB NOT NULL,
    minx REAL NOT NULL, miny REAL NOT NULL, maxx REAL NOT NULL, maxy REAL NOT NULL
);
"""

# The name indexes carry the columns a lookup reads, so that a lookup reads no table row of them.
INDEXES = """
CREATE INDEX names_key ON names (key, pk, origin);
CREATE INDEX spellings_key ON spellings (key, pk);
CREATE INDEX places_geonameid ON places (geonameid);
CREATE INDEX places_admin1 ON places (admin1_code);
CREATE INDEX demonyms_key ON demonyms (key);
CREATE INDEX fuzzy_bucket ON fuzzy (bucket);
"""

_PLACE_COLUMNS = (
    "p.pk, p.id, p.name, p.kind, p.lat, p.lon, p.country_code, p.admin1_code, p.admin1, "
    "p.population, p.geonameid, (SELECT 1 FROM shapes s WHERE s.pk = p.pk), p.feature_code"
)


#: Fuzzy matching: shortest name tried, towns below this population are not searched, and at
#: most this many distinct closest names are returned.
FUZZY_MIN_LENGTH = 4
FUZZY_MIN_POPULATION = 1000
FUZZY_MAX_KEYS = 8


def fuzzy_max_edits(length: int) -> int:
    """Edit budget of a fuzzy match: 1 up to 5 letters, 2 up to 10, then 3."""
    return 1 if length <= 5 else 2 if length <= 10 else 3


def fuzzy_bucket(key: str) -> str:
    """The fuzzy index bucket of a normalised key: its first character."""
    return key[:1]


class MatchOrigin(IntEnum):
    """How a name matched a place, from most to least trustworthy."""

    NAME = 0  #: the place's canonical name
    ALIAS = 1  #: a curated alias (exonym, old transliteration, former name)
    ALTERNATE = 2  #: one of the source's alternate names
    VARIANT = 3  #: a generated transliteration variant
    SPELLING = 4  #: same phonetic spelling key (a romanisation the index lacks)
    FUZZY = 5  #: edit-distance match of a misspelling
    DEMONYM = 6  #: a nationality word of the place ("Ukrainian"); only with ``demonyms=True``


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A place that a looked-up name matched, and how it matched."""

    place: Place
    origin: MatchOrigin
    matched: str
    #: 1.0 for exact, variant and spelling-key matches; the normalised edit similarity
    #: (0..1) of the closest name for :attr:`MatchOrigin.FUZZY` matches.
    similarity: float = 1.0


@dataclass(frozen=True, slots=True)
class NameKind:
    """The places of one kind that a name matched in one way, summed up (:meth:`Gazetteer.name_kinds`)."""

    kind: PlaceKind
    origin: MatchOrigin
    #: The largest population among those places; ``None`` when none has one.
    population: int | None


@dataclass(frozen=True, slots=True)
class GazetteerInfo:
    """What ``geomap gazetteer info`` reports."""

    path: Path
    size_bytes: int
    schema_version: int
    sources: dict[str, str]
    counts: dict[str, int]
    #: ``embedded``, ``geonames`` (an import) or ``records``.
    kind: str = "embedded"
    built_at: str | None = None


class KeyFilter:
    """A Bloom filter of the keys of a name table: a key it lacks is certainly absent.

    Most names the extractor asks about ("Mark Davis", "Civil War") are no place's name;
    the filter answers those without SQLite (about 1% of absent keys still go to the table).

    Examples
    --------
    >>> names = KeyFilter.of(["kyiv", "kharkiv"], 2)
    >>> "kyiv" in names, "mark davis" in names
    (True, False)
    """

    __slots__ = ("bits", "hashes", "_size")

    def __init__(self, bits: bytes, hashes: int) -> None:
        self.bits = bits
        self.hashes = hashes
        self._size = len(bits) * 8

    @classmethod
    def of(cls, keys: Iterable[str], count: int, *, error_rate: float = 0.01) -> KeyFilter:
        """The filter of ``count`` distinct keys with the given false-positive rate."""
        count = max(count, 1)
        size = max(64, math.ceil(-count * math.log(error_rate) / math.log(2) ** 2 / 8) * 8)
        hashes = max(1, round(size / count * math.log(2)))
        bits = bytearray(size // 8)
        for key in keys:
            for position in _bit_positions(key, size, hashes):
                bits[position >> 3] |= 1 << (position & 7)
        return cls(bytes(bits), hashes)

    def __contains__(self, key: str) -> bool:
        # _bit_positions written out: the extractor asks about tens of thousands of names.
        digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
        position = int.from_bytes(digest[:8], "little")
        step = int.from_bytes(digest[8:], "little") | 1
        bits, size = self.bits, self._size
        for _ in range(self.hashes):
            bit = position % size
            if not bits[bit >> 3] >> (bit & 7) & 1:
                return False  # most absent keys stop at the first or second bit
            position += step
        return True


def _bit_positions(key: str, size: int, hashes: int) -> Iterator[int]:
    """The key's bits: double hashing of a 128-bit BLAKE2b digest (stable across runs)."""
    digest = hashlib.blake2b(key.encode(), digest_size=16).digest()
    position = int.from_bytes(digest[:8], "little")
    step = int.from_bytes(digest[8:], "little") | 1
    for _ in range(hashes):
        yield position % size
        position += step


#: The tables whose keys get a :class:`KeyFilter`.
FILTERED_TABLES = ("names", "spellings")


def write_key_filters(conn: sqlite3.Connection) -> None:
    """(Re)compute the key filters of a database whose name tables are complete.

    Every writer of names calls this last; a filter also records the table's last rowid, so
    that a table changed afterwards is read without its (stale) filter.
    """
    conn.execute("CREATE TABLE IF NOT EXISTS key_filters (name TEXT PRIMARY KEY, bits BLOB NOT NULL, "
                 "hashes INTEGER NOT NULL, last_rowid INTEGER NOT NULL)")
    for table in FILTERED_TABLES:
        keys = [key for (key,) in conn.execute(f"SELECT DISTINCT key FROM {table}")]
        key_filter = KeyFilter.of(keys, len(keys))
        conn.execute("INSERT OR REPLACE INTO key_filters VALUES (?, ?, ?, ?)",
                     (table, key_filter.bits, key_filter.hashes, _last_rowid(conn, table)))


def _last_rowid(conn: sqlite3.Connection, table: str) -> int:
    """The table's largest rowid: a key filter is current while this has not changed."""
    return conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]


# The caps of an open gazetteer's caches. A batch run over a news archive fills them within its
# first few hundred documents, after which its memory stays where it is (README, "Large corpora").
_LOOKUP_CACHE = 4096  # name lookups; each holds the places its name matched
_ADMIN1_CACHE = 8192  # admin-1 regions by code (a few thousand in all)
_BOUNDS_CACHE = 4096  # bounding boxes of outlines: four floats each
_GEOMETRY_CACHE = 128  # prepared outlines, the largest objects (tens of kilobytes to megabytes)

_KINDS = {kind.value: kind for kind in PlaceKind}  # a dict lookup costs a tenth of PlaceKind(value)
_ORIGINS = {origin.value: origin for origin in MatchOrigin}


def _shared(text: str | None) -> str | None:
    """One copy of a string that many places repeat (country and region codes and names)."""
    return None if text is None else sys.intern(text)


def _first_per_place(rows: Iterable[tuple]) -> list[tuple]:
    """The first of each run of rows of one place (their first column, ``pk``): rows ordered by
    ``pk`` and then by match origin give each place once, by its best origin."""
    out: list[tuple] = []
    last = None
    for row in rows:
        if row[0] != last:
            out.append(row)
            last = row[0]
    return out


def _larger(population: int | None, than: int | None) -> bool:
    """Whether a population is larger than another, an unknown one (``None``) being the smallest."""
    return population is not None and (than is None or population > than)


def _place_from_row(row: tuple) -> Place:
    return Place(
        id=row[1],
        name=row[2],
        kind=_KINDS[row[3]],
        lat=row[4],
        lon=row[5],
        country_code=_shared(row[6]),
        admin1_code=_shared(row[7]),
        admin1=_shared(row[8]),
        population=row[9],
        geonameid=row[10],
        has_geometry=bool(row[11]),
        feature_code=_shared(row[12]),
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
        #: Name keys an overlay suppressed: no lookup of them finds anything, fuzzy included.
        self._suppressed = frozenset(json.loads(self._meta.get("suppressed_names", "[]")))
        self._cache_lookup = lru_cache(maxsize=_LOOKUP_CACHE)(self._lookup_uncached)
        self._cache_admin1 = lru_cache(maxsize=_ADMIN1_CACHE)(self._admin1_place_uncached)
        self._fuzzy_buckets: dict[str, dict[int, list[str]]] = {}
        self._filters: dict[str, KeyFilter] | None = None  # read on the first lookup

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

    def _read_key_filters(self) -> dict[str, KeyFilter]:
        """The current key filters; none for a database without them or changed since."""
        try:
            rows = self._conn.execute("SELECT name, bits, hashes, last_rowid FROM key_filters").fetchall()
        except sqlite3.OperationalError:  # built before the filters existed
            return {}
        filters = {}
        for table, bits, hashes, last_rowid in rows:
            if table not in FILTERED_TABLES:
                continue
            if _last_rowid(self._conn, table) == last_rowid:
                filters[table] = KeyFilter(bits, hashes)
            else:
                log.info("gazetteer %s: the %s table changed after its key filter was made; not used",
                         self.path, table)
        return filters

    def _may_hold(self, table: str, key: str) -> bool:
        """False when ``key`` is certainly not in ``table`` (by its filter)."""
        if self._filters is None:
            self._filters = self._read_key_filters()
        key_filter = self._filters.get(table)
        return key_filter is None or key in key_filter

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

    def lookup(self, name: str, *, spelling: bool = True, fuzzy: bool = False,
               demonyms: bool = False, remember: bool = True) -> list[NameMatch]:
        """Return the places a name can refer to, best match origin first per place.

        The fallbacks are tried in order, each only when everything before it found nothing:

        1. exact normalised names (canonical, curated aliases, alternate names, generated
           transliteration variants);
        2. with ``demonyms``, the places whose nationality word this is ("Ukrainian" ->
           Ukraine, ``MatchOrigin.DEMONYM``), added to the exact matches ("Canadian" is also
           a town);
        3. with ``spelling``, the transliteration-insensitive spelling key and, for places in the
           countries of :data:`~gazetteer.romanise.ROMANISED_COUNTRIES`, the romanised key
           (both ``MatchOrigin.SPELLING``);
        4. with ``fuzzy``, names within a small edit distance (``MatchOrigin.FUZZY``, with a
           :attr:`NameMatch.similarity` below 1), beside any spelling-key matches (a spelling
           key is a guess too: "Kharov" shares its key with Khyriv, a town, and is one edit
           from "Kharkov", Kharkiv). The search space is the names of countries,
           regions, admin areas, continents, physical features and towns of 1,000+
           inhabitants (a GeoNames import leaves physical features and other kinds out:
           it has millions); names shorter than four letters are never matched fuzzily.

        Parameters
        ----------
        name
            A place name in any common spelling ("Kiev", "Kyiv", "KYIV").
        spelling
            Fall back to the transliteration-insensitive spelling key.
        fuzzy
            Fall back to edit-distance matches of a misspelling ("Zaporizhzia", "Kharov").
            Off by default: a test of whether some text is a place name wants exact matches.
        demonyms
            Fall back to the countries or continents a nationality word refers to.
        remember
            Keep the answer in the gazetteer's bounded cache of recent lookups. Pass ``False``
            for one-off probes whose answer the caller keeps in a smaller form of its own (the
            extractor remembers how strongly each name it tried denotes a place), so that they
            do not push out the lookups worth keeping.

        Examples
        --------
        >>> gaz.lookup("Kharov")                              # doctest: +SKIP
        []
        >>> [m.place.name for m in gaz.lookup("Kharov", fuzzy=True)][:1]   # doctest: +SKIP
        ['Kharkiv']
        """
        if remember:
            return list(self._cache_lookup(name, spelling, fuzzy, demonyms))
        return list(self._lookup_uncached(name, spelling, fuzzy, demonyms))

    def _lookup_uncached(self, name: str, spelling: bool, fuzzy: bool = False,
                         demonyms: bool = False) -> tuple[NameMatch, ...]:
        key = normalize_name(name)
        if not key or key in self._suppressed:
            return ()
        # In the index's order (key, pk, origin): a place's first row holds its best origin.
        # (Cheaper than GROUP BY p.pk with min(n.origin), which gives the same rows in this order.)
        rows = _first_per_place(self._conn.execute(
            f"SELECT {_PLACE_COLUMNS}, n.origin FROM names n JOIN places p ON p.pk = n.pk "
            "WHERE n.key = ? ORDER BY n.pk, n.origin",
            (key,),
        )) if self._may_hold("names", key) else []
        found = [NameMatch(_place_from_row(r), _ORIGINS[r[13]], name) for r in rows]
        if demonyms:
            # Added to the exact matches: "Canadian" is a town's name and Canada's demonym.
            seen = {m.place.id for m in found}
            for r in self._conn.execute(
                f"SELECT {_PLACE_COLUMNS} FROM demonyms d JOIN places p ON p.pk = d.pk "
                "WHERE d.key = ? GROUP BY p.pk",
                (key,),
            ):
                place = _place_from_row(r)
                if place.id not in seen:
                    found.append(NameMatch(place, MatchOrigin.DEMONYM, name))
        if found:
            return tuple(found)
        if spelling:
            rows = self._spelling_rows(name, _PLACE_COLUMNS)
            found = [NameMatch(_place_from_row(r), MatchOrigin.SPELLING, name) for r in rows]
        if fuzzy:
            # A spelling-key match is itself a guess ("Kharov" shares its key with the town of
            # Khyriv): with ``fuzzy`` the edit-distance matches are offered beside it.
            seen = {m.place.id for m in found}
            found += [m for m in self._fuzzy(name, key) if m.place.id not in seen]
        return tuple(found)

    def name_kinds(self, name: str, *, spelling: bool = True) -> tuple[NameKind, ...]:
        """What :meth:`lookup` (without ``fuzzy`` and ``demonyms``) finds, summed up per kind and
        match origin, without reading the places themselves.

        One :class:`NameKind` per (kind, origin) pair of the places that ``lookup(name,
        spelling=spelling)`` returns, each place counted under the origin ``lookup`` gives it
        (its best), with the largest population among them; ordered by origin, then kind.
        The extractor asks how strongly every capitalised run of words names a place, and needs
        no more than this: a name that a thousand villages bear is one row, not a thousand
        places built and dropped. Nothing is cached here.

        Examples
        --------
        >>> [(k.kind.value, k.origin.name) for k in gaz.name_kinds("Kherson")]   # doctest: +SKIP
        [('city', 'NAME'), ('admin1', 'ALIAS')]
        """
        key = normalize_name(name)
        if not key or key in self._suppressed:
            return ()
        # Summed up here: cheaper than SQLite's GROUP BY.
        rows = _first_per_place(self._conn.execute(
            "SELECT n.pk, n.origin, p.kind, p.population FROM names n JOIN places p ON p.pk = n.pk "
            "WHERE n.key = ? ORDER BY n.pk, n.origin",
            (key,),
        )) if self._may_hold("names", key) else []
        if not rows and spelling:
            rows = self._spelling_rows(name, f"s.pk, {int(MatchOrigin.SPELLING)}, p.kind, p.population")
        largest: dict[tuple[str, int], int | None] = {}
        for _, origin, kind, population in rows:
            group = (kind, origin)
            if group not in largest or _larger(population, largest[group]):
                largest[group] = population
        found = [NameKind(_KINDS[kind], _ORIGINS[origin], population) for (kind, origin), population in largest.items()]
        return tuple(sorted(found, key=lambda k: (k.origin, k.kind)))  # a kind compares as its value

    def _spelling_probe(self, name: str) -> tuple[str, ...]:
        """The spelling keys under which :meth:`lookup` and :meth:`name_kinds` look ``name`` up
        when no place bears it exactly: its spelling key (:func:`~gazetteer.translit.spelling_key`)
        and its marked romanised key (:func:`~gazetteer.romanise.romanised_probe`), each unless
        it is not worth asking (too short to tell names apart, or surely absent)."""
        skey = spelling_key(name)
        rkey = romanised_probe(name)
        return tuple(k for k in (skey if len(skey) >= 4 else "", rkey) if k and self._may_hold("spellings", k))

    def _spelling_rows(self, name: str, columns: str) -> list[tuple]:
        """The ``columns`` (the place's ``pk`` first) of each place that ``name``'s spelling keys
        (:meth:`_spelling_probe`) match, once per place: the one query :meth:`lookup` and
        :meth:`name_kinds` share, so that the two agree."""
        keys = self._spelling_probe(name)
        if not keys:
            return []
        return _first_per_place(self._conn.execute(
            f"SELECT {columns} FROM spellings s JOIN places p ON p.pk = s.pk "
            f"WHERE s.key IN ({', '.join('?' * len(keys))}) ORDER BY s.pk",
            keys,
        ))

    # -- fuzzy fallback ---------------------------------------------------------------------

    def _fuzzy_bucket(self, bucket: str) -> dict[int, list[str]]:
        """The fuzzy-searchable keys starting with ``bucket``, grouped by length (cached)."""
        buckets = self.__dict__.setdefault("_fuzzy_buckets", {})
        found = buckets.get(bucket)
        if found is None:
            found = {}
            for (k,) in self._conn.execute("SELECT key FROM fuzzy WHERE bucket = ?", (bucket,)):
                found.setdefault(len(k), []).append(k)
            buckets[bucket] = found
        return found

    def _fuzzy(self, name: str, key: str) -> tuple[NameMatch, ...]:
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        if len(key) < FUZZY_MIN_LENGTH:
            return ()
        budget = fuzzy_max_edits(len(key))
        by_length = self._fuzzy_bucket(fuzzy_bucket(key))
        choices = [k for n in range(len(key) - budget, len(key) + budget + 1) for k in by_length.get(n, ())]
        if not choices:
            return ()
        hits = process.extract(key, choices, scorer=Levenshtein.distance, score_cutoff=budget,
                               limit=None)
        if not hits:
            return ()
        best = min(distance for _, distance, _ in hits)
        keys = {k: distance for k, distance, _ in sorted(hits, key=lambda h: (h[1], h[0]))
                if distance == best}
        keys = dict(list(keys.items())[:FUZZY_MAX_KEYS])
        rows = self._conn.execute(
            f"SELECT {_PLACE_COLUMNS}, n.key FROM names n JOIN places p ON p.pk = n.pk "
            f"WHERE n.key IN ({','.join('?' * len(keys))}) "
            f"AND (p.kind != 'city' OR coalesce(p.population, 0) >= {FUZZY_MIN_POPULATION})",
            list(keys),
        ).fetchall()
        matches: dict[str, NameMatch] = {}
        for row in rows:
            place = _place_from_row(row)
            distance = keys[row[13]]
            similarity = 1.0 - distance / max(len(key), len(row[13]))
            if place.id not in matches:
                matches[place.id] = NameMatch(place, MatchOrigin.FUZZY, name, round(similarity, 3))
        return tuple(matches.values())

    def has_name(self, name: str) -> bool:
        """Whether any place carries this exact (normalised) name."""
        key = normalize_name(name)
        return bool(key) and self._may_hold("names", key) and (
            self._conn.execute("SELECT 1 FROM names WHERE key = ? LIMIT 1", (key,)).fetchone()
            is not None
        )

    def admin1_place(self, country_code: str, admin1_code: str) -> Place | None:
        """The admin-1 region with this GeoNames admin-1 code (``"UA.08"``), if the gazetteer has it."""
        return self._cache_admin1(country_code, admin1_code)

    def _admin1_place_uncached(self, country_code: str, admin1_code: str) -> Place | None:
        row = self._conn.execute(
            f"SELECT {_PLACE_COLUMNS} FROM places p WHERE p.kind = 'admin1' AND p.admin1_code = ? "
            "AND p.country_code = ? LIMIT 1",
            (admin1_code, country_code),
        ).fetchone()
        return None if row is None else _place_from_row(row)

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

        if not self.may_contain(area_id, lat, lon, tolerance=tolerance):
            return False  # most questions are about far-away namesakes: answered without the outline
        geom = self.geometry(area_id)
        point = shapely.Point(lon, lat)
        return bool(shapely.contains(geom, point) or shapely.dwithin(geom, point, tolerance))

    def may_contain(self, area_id: str, lat: float, lon: float, *, tolerance: float = 0.02) -> bool:
        """Whether the point lies within ``tolerance`` degrees of the bounding box of the outline
        of ``area_id`` (``False`` without an outline): :meth:`contains` is ``False`` otherwise.
        Answered from a cache of boxes, without reading the outline."""
        bounds = _bounds_cached(self, area_id)
        if bounds is None:
            return False
        west, south, east, north = bounds
        return west - tolerance <= lon <= east + tolerance and south - tolerance <= lat <= north + tolerance

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
            kind=self._meta.get("kind", "embedded"),
            built_at=self._meta.get("built_at"),
        )


@lru_cache(maxsize=_BOUNDS_CACHE)
def _bounds_cached(gazetteer: Gazetteer, area_id: str) -> tuple[float, float, float, float] | None:
    """The bounding box of an area's outline (``None`` without one), as stored beside it, kept
    for many more areas than the outlines themselves: most containment questions are settled
    by the box, without reading the outline."""
    return gazetteer._conn.execute(
        "SELECT s.minx, s.miny, s.maxx, s.maxy FROM shapes s JOIN places p ON p.pk = s.pk WHERE p.id = ?",
        (area_id,),
    ).fetchone()


@lru_cache(maxsize=_GEOMETRY_CACHE)
def _geometry_cached(gazetteer: Gazetteer, place_id: str):
    import shapely

    wkb = gazetteer._geometry_wkb(place_id)
    if wkb is None:
        return None
    geom = shapely.from_wkb(wkb)
    shapely.prepare(geom)
    return geom
