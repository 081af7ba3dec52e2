"""Write a gazetteer database: the :class:`Builder` that steps fill, and :func:`write_database`.

A build step (:mod:`gazetteer.steps`) adds places, names, demonyms and outlines to a
:class:`Builder`; :meth:`Builder.write` then derives the transliteration variants, spelling
keys and fuzzy search space and writes everything in bulk in the schema of
:mod:`gazetteer.store`. :func:`write_database` does this in a temporary file beside the
destination and renames it into place only when complete.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GazetteerDataError
from .files import ENV_CACHE, database_beside
from .model import PlaceKind
from .normalize import normalize_name
from .store import (FUZZY_MIN_LENGTH, FUZZY_MIN_POPULATION, INDEXES, SCHEMA, SCHEMA_VERSION, MatchOrigin,
                    fuzzy_bucket, write_key_filters)
from .forms import strong_keys

__all__ = ["Builder", "Progress", "Step", "no_progress", "write_database"]

log = logging.getLogger(__name__)

#: Callback ``progress(stage, done, total)`` for long builds; the CLI draws it.
Progress = Callable[[str, int, int], None]


def no_progress(stage: str, done: int, total: int) -> None:
    """A :data:`Progress` that reports nothing."""
    return None


@dataclass
class Builder:
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
    #: GeoNames admin-1 code -> Natural Earth's English name only (towns' admin-1 names).
    ne_admin1_names: dict[str, str] = field(default_factory=dict)
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
            raise GazetteerDataError(f"{source}: the place id {id!r} is used twice: give each place its own id")
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
            raise GazetteerDataError(f"place {self.places[pk - 1][1]!r} ({self.places[pk - 1][11]}) was given two "
                                     "outlines: a build step must add a place's outline once")
        minx, miny, maxx, maxy = geometry.bounds
        wkb = shapely.to_wkb(geometry)
        self.shape_index[pk] = wkb
        self.shapes.append((pk, wkb, minx, miny, maxx, maxy))

    def write(self, meta: dict[str, str]) -> None:
        self.progress("variants", 0, len(self.places))
        # Transliteration variants and spelling keys of the canonical and curated names only:
        # alternate names are many and already hold most attested romanisations. Names of places
        # in countries whose names are romanised from Arabic, Persian, Ethiopic... scripts also
        # get their article variants and romanised key (gazetteer.romanise).
        strong = [(k, pk) for (k, pk, o) in self.names if o <= MatchOrigin.ALIAS]
        for i, (key, pk) in enumerate(strong):
            keys = strong_keys(key, self.places[pk - 1][6])
            self.names.update((vkey, pk, int(MatchOrigin.VARIANT)) for vkey in keys.variants)
            self.spellings.update((skey, pk) for skey in keys.spellings)
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


#: A build step: adds one source's places, names and outlines to the builder.
Step = Callable[[Builder], None]


def write_database(target: Path, fill: Step, meta: dict[str, str], progress: Progress | None) -> Path:
    """Create the database in a temporary file, fill it, and rename it into place."""
    progress = progress or no_progress
    started = time.perf_counter()
    with database_beside(target, "the gazetteer", f"set {ENV_CACHE} or --gazetteer to a writable location") as tmp:
        conn = sqlite3.connect(tmp)
        conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;")
        conn.executescript(SCHEMA)
        builder = Builder(conn, progress)
        fill(builder)
        meta = {**meta, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        builder.write(meta)
        conn.execute("VACUUM")
        conn.close()
    log.info("built gazetteer %s in %.1f s", target, time.perf_counter() - started)
    return target
