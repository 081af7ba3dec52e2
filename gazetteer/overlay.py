"""Overlay files: places, aliases and suppressions laid over a gazetteer.

An overlay is a YAML or CSV file (``--gazetteer-overlay FILE``). It can

- add places (``id``, ``name``, ``kind``, and ``lat``/``lon`` or an outline: a GeoJSON
  ``geometry``, or the union of other places' outlines, ``union_of: [gn:709716, ...]``);
- add aliases: more names for an existing place (``place`` and ``names``);
- suppress: remove a place (``place``), a name everywhere (``name``: "Reading" stops
  matching any place), or one name of one place (both).

YAML::

    places:
      - {id: "user:camp-bastion", name: Camp Bastion, kind: other, lat: 31.86, lon: 64.22,
         country_code: AF, names: [Bastion, Camp Shorabak]}
    aliases:
      - {place: "gn:703448", names: [Kyjiw]}
    suppress:
      - {name: Reading}                       # the word, not the town
      - {place: "gn:4508722"}                 # this place altogether
      - {name: Mobile, place: "gn:4076598"}   # one name of one place

CSV (a header row, then one entry a row; ``names`` separated by ``|``)::

    action,id,name,kind,lat,lon,country_code,admin1,population,names,place
    place,user:camp-bastion,Camp Bastion,other,31.86,64.22,AF,,,Bastion|Camp Shorabak,
    alias,,,,,,,,,Kyjiw,gn:703448
    suppress,,Reading,,,,,,,,

Every entry is checked before anything is applied; a problem is one error naming the file,
the entry (CSV: the line) and the fix. The gazetteer file itself is never changed: the
overlaid database is a copy in the cache, made once per (gazetteer, overlay) pair; the
four most recently used copies are kept.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from .errors import GazetteerDataError
from .files import ENV_CACHE, database_beside, default_cache_dir, identity
from .model import PlaceKind
from .normalize import normalize_name
from .sources import curated_overlay_data, natural_earth
from .store import FUZZY_MIN_LENGTH, Gazetteer, MatchOrigin, fuzzy_bucket, write_key_filters
from .forms import strong_keys
from .romanise import romanised_probe
from .translit import spelling_key

__all__ = [
    "Overlay",
    "OverlayPlace",
    "OverlayAlias",
    "Suppression",
    "OverlayReport",
    "load_overlay",
    "parse_overlay",
    "curated_overlay",
    "apply_overlay",
    "apply_overlay_to_file",
    "with_overlay",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class OverlayPlace:
    """A place the overlay adds."""

    id: str
    name: str
    kind: PlaceKind
    lat: float | None = None
    lon: float | None = None
    country_code: str | None = None
    admin1_code: str | None = None
    admin1: str | None = None
    population: int | None = None
    geonameid: int | None = None
    names: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    union_of: tuple[str, ...] = ()
    union_of_admin1: tuple[str, ...] = ()
    union_of_countries: tuple[str, ...] = ()
    geometry: dict | None = None
    where: str = ""


@dataclass(frozen=True, slots=True)
class OverlayAlias:
    """Extra names (and nationality words) for an existing place."""

    place: str
    names: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    where: str = ""


@dataclass(frozen=True, slots=True)
class Suppression:
    """Remove a place (``place``), a name (``name``), or one name of one place (both)."""

    place: str | None = None
    name: str | None = None
    where: str = ""


@dataclass(frozen=True, slots=True)
class Overlay:
    """A validated overlay file."""

    origin: str
    places: tuple[OverlayPlace, ...] = ()
    aliases: tuple[OverlayAlias, ...] = ()
    suppress: tuple[Suppression, ...] = ()
    digest: str = ""


@dataclass(frozen=True, slots=True)
class OverlayReport:
    """What :func:`apply_overlay` did."""

    places: int
    aliases: int
    suppressed_places: int
    suppressed_names: int
    #: Entries left out because their place is absent (only with ``strict=False``).
    skipped: int


# -- reading and checking -------------------------------------------------------------------

_PLACE_KEYS = {"id", "name", "kind", "lat", "lon", "country_code", "admin1_code", "admin1", "population",
               "geonameid", "names", "demonyms", "union_of", "union_of_admin1", "union_of_countries",
               "geometry", "source", "note"}
_ALIAS_KEYS = {"place", "names", "demonyms", "source", "note"}
_SUPPRESS_KEYS = {"place", "name", "source", "note"}
_TOP_KEYS = {"places", "aliases", "suppress"}
_CSV_COLUMNS = ("action", "id", "name", "kind", "lat", "lon", "country_code", "admin1", "population",
                "names", "place", "source", "note")
_KINDS = ", ".join(k.value for k in PlaceKind)


def _fail(origin: str, where: str, problem: str) -> GazetteerDataError:
    return GazetteerDataError(f"gazetteer overlay {origin}, {where}: {problem}")


def _text(value: object, origin: str, where: str, key: str, *, required: bool = False) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _fail(origin, where, f"`{key}` is missing: every entry of this sort needs one")
        return None
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise _fail(origin, where, f"`{key}` must be a text, not {type(value).__name__}")
    return str(value).strip()


def _number(value: object, origin: str, where: str, key: str, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _fail(origin, where, f"`{key}` {value!r} is not a number") from None
    if not low <= number <= high:
        raise _fail(origin, where, f"`{key}` {number:g} is out of range ({low:g} to {high:g})")
    return number


def _list(value: object, origin: str, where: str, key: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        items = [v for v in value.split("|")]
    elif isinstance(value, list):
        items = value
    else:
        raise _fail(origin, where, f"`{key}` must be a list of texts (in CSV: separated by |)")
    out = []
    for item in items:
        text = _text(item, origin, where, key)
        if text:
            out.append(text)
    return tuple(out)


def _check_keys(entry: object, allowed: set[str], origin: str, where: str) -> dict:
    if not isinstance(entry, dict):
        raise _fail(origin, where, "must be a mapping of keys to values")
    unknown = sorted(set(map(str, entry)) - allowed)
    if unknown:
        raise _fail(origin, where, f"unknown key {unknown[0]!r}: the keys are {', '.join(sorted(allowed))}")
    return entry


def _place(entry: dict, origin: str, where: str) -> OverlayPlace:
    entry = _check_keys(entry, _PLACE_KEYS, origin, where)
    place_id = _text(entry.get("id"), origin, where, "id", required=True)
    name = _text(entry.get("name"), origin, where, "name", required=True)
    where = f"{where} (id {place_id!r})"
    kind_text = _text(entry.get("kind"), origin, where, "kind") or "other"
    try:
        kind = PlaceKind(kind_text.lower())
    except ValueError:
        raise _fail(origin, where, f"kind {kind_text!r} is not one of {_KINDS}") from None
    lat = _number(entry.get("lat"), origin, where, "lat", -90, 90)
    lon = _number(entry.get("lon"), origin, where, "lon", -180, 180)
    if (lat is None) != (lon is None):
        raise _fail(origin, where, "give both `lat` and `lon`, or neither")
    country = _text(entry.get("country_code"), origin, where, "country_code")
    if country is not None and not re.fullmatch(r"[A-Za-z]{2}", country):
        raise _fail(origin, where, f"country_code {country!r} must be an ISO 3166 alpha-2 code such as UA")
    population = _number(entry.get("population"), origin, where, "population", 0, 1e10)
    geonameid = _number(entry.get("geonameid"), origin, where, "geonameid", 1, 1e10)
    geometry = entry.get("geometry")
    if geometry is not None:
        from shapely.geometry import shape

        try:
            shape(geometry)
        except Exception as exc:  # shapely raises several types for bad GeoJSON
            raise _fail(origin, where, f"`geometry` is not a GeoJSON geometry ({exc})") from None
    place = OverlayPlace(
        id=place_id, name=name, kind=kind, lat=lat, lon=lon,  # type: ignore[arg-type]
        country_code=country.upper() if country else None,
        admin1_code=_text(entry.get("admin1_code"), origin, where, "admin1_code"),
        admin1=_text(entry.get("admin1"), origin, where, "admin1"),
        population=int(population) if population is not None else None,
        geonameid=int(geonameid) if geonameid is not None else None,
        names=_list(entry.get("names"), origin, where, "names"),
        demonyms=_list(entry.get("demonyms"), origin, where, "demonyms"),
        union_of=_list(entry.get("union_of"), origin, where, "union_of"),
        union_of_admin1=_list(entry.get("union_of_admin1"), origin, where, "union_of_admin1"),
        union_of_countries=_list(entry.get("union_of_countries"), origin, where, "union_of_countries"),
        geometry=geometry, where=where,
    )
    if lat is None and not (place.geometry or place.union_of or place.union_of_admin1 or place.union_of_countries):
        raise _fail(origin, where, "needs `lat` and `lon`, a `geometry`, or a `union_of` list of place ids")
    return place


def _alias(entry: dict, origin: str, where: str) -> OverlayAlias:
    entry = _check_keys(entry, _ALIAS_KEYS, origin, where)
    place = _text(entry.get("place"), origin, where, "place", required=True)
    alias = OverlayAlias(place=place, names=_list(entry.get("names"), origin, where, "names"),  # type: ignore[arg-type]
                         demonyms=_list(entry.get("demonyms"), origin, where, "demonyms"), where=where)
    if not alias.names and not alias.demonyms:
        raise _fail(origin, where, "an alias entry needs `names` (or `demonyms`) for its place")
    return alias


def _suppression(entry: dict, origin: str, where: str) -> Suppression:
    entry = _check_keys(entry, _SUPPRESS_KEYS, origin, where)
    place = _text(entry.get("place"), origin, where, "place")
    name = _text(entry.get("name"), origin, where, "name")
    if place is None and name is None:
        raise _fail(origin, where, "a suppress entry needs `place` (an id), `name`, or both")
    if name is not None and not normalize_name(name):
        raise _fail(origin, where, f"name {name!r} holds no letters")
    return Suppression(place=place, name=name, where=where)


def parse_overlay(data: object, origin: str = "overlay", *, digest: str = "") -> Overlay:
    """Check an overlay given as data (the YAML form) and return it.

    Raises
    ------
    GazetteerDataError
        Naming ``origin``, the entry and the problem.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise GazetteerDataError(f"gazetteer overlay {origin}: the file must hold a mapping with `places`, "
                                 "`aliases` and/or `suppress` lists")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise GazetteerDataError(f"gazetteer overlay {origin}: unknown section {unknown[0]!r}: the sections "
                                 "are places, aliases and suppress")
    sections = {}
    for key in _TOP_KEYS:
        value = data.get(key) or []
        if not isinstance(value, list):
            raise GazetteerDataError(f"gazetteer overlay {origin}: `{key}` must be a list of entries")
        sections[key] = value
    places = tuple(_place(e, origin, f"places entry {i + 1}") for i, e in enumerate(sections["places"]))
    seen: dict[str, str] = {}
    for place in places:
        if place.id in seen:
            raise _fail(origin, place.where, f"id {place.id!r} is used twice (also by {seen[place.id]})")
        seen[place.id] = place.where
    return Overlay(
        origin=origin, places=places,
        aliases=tuple(_alias(e, origin, f"aliases entry {i + 1}") for i, e in enumerate(sections["aliases"])),
        suppress=tuple(_suppression(e, origin, f"suppress entry {i + 1}")
                       for i, e in enumerate(sections["suppress"])),
        digest=digest,
    )


def _parse_csv(text: str, origin: str, digest: str) -> Overlay:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if "action" not in header:
        raise GazetteerDataError(f"gazetteer overlay {origin}: the first line must be a header with an `action` "
                                 f"column; the columns are {', '.join(_CSV_COLUMNS)}")
    unknown = [h for h in header if h not in _CSV_COLUMNS]
    if unknown:
        raise GazetteerDataError(f"gazetteer overlay {origin}, line 1: unknown column {unknown[0]!r}: the "
                                 f"columns are {', '.join(_CSV_COLUMNS)}")
    data: dict[str, list] = {"places": [], "aliases": [], "suppress": []}
    wheres: dict[str, list[str]] = {"places": [], "aliases": [], "suppress": []}
    for row in reader:
        line = reader.line_num
        if None in row:
            raise GazetteerDataError(f"gazetteer overlay {origin}, line {line}: more values than columns: "
                                     "quote values that hold commas")
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        action = row.pop("action", "").lower()
        if not action or action.startswith("#"):
            continue
        section = {"place": "places", "alias": "aliases", "suppress": "suppress"}.get(action)
        if section is None:
            raise GazetteerDataError(f"gazetteer overlay {origin}, line {line}: action {action!r} is not "
                                     "place, alias or suppress")
        keep = {"places": _PLACE_KEYS, "aliases": _ALIAS_KEYS, "suppress": _SUPPRESS_KEYS}[section]
        stray = [k for k, v in row.items() if v and k not in keep]
        if stray:
            raise GazetteerDataError(f"gazetteer overlay {origin}, line {line}: column {stray[0]!r} does not "
                                     f"apply to a {action} row: leave it empty")
        data[section].append({k: v for k, v in row.items() if v and k in keep})
        wheres[section].append(f"line {line}")
    # Check entry by entry so that errors name CSV lines rather than entry numbers.
    places = tuple(_place(e, origin, w) for e, w in zip(data["places"], wheres["places"]))
    aliases = tuple(_alias(e, origin, w) for e, w in zip(data["aliases"], wheres["aliases"]))
    suppress = tuple(_suppression(e, origin, w) for e, w in zip(data["suppress"], wheres["suppress"]))
    seen: dict[str, str] = {}
    for place in places:
        if place.id in seen:
            raise _fail(origin, place.where, f"id {place.id!r} is used twice (also on {seen[place.id]})")
        seen[place.id] = place.where
    return Overlay(origin=origin, places=places, aliases=aliases, suppress=suppress, digest=digest)


def load_overlay(path: str | os.PathLike[str]) -> Overlay:
    """Read and check an overlay file: YAML (``.yaml``/``.yml``) or CSV (``.csv``).

    Raises
    ------
    GazetteerDataError
        The file is missing, unreadable, of another type, or holds an invalid entry.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise GazetteerDataError(f"gazetteer overlay {path} does not exist: check the path") from None
    except OSError as exc:
        raise GazetteerDataError(f"gazetteer overlay {path} cannot be read ({exc.strerror or exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise GazetteerDataError(f"gazetteer overlay {path} is not UTF-8 text (byte {exc.start}): save it as "
                                 "UTF-8") from None
    digest = hashlib.sha256(raw).hexdigest()
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _parse_csv(text, str(path), digest)
    if suffix in (".yaml", ".yml"):
        import yaml

        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f", line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise GazetteerDataError(f"gazetteer overlay {path}{where}: not valid YAML ({problem})") from None
        return parse_overlay(data, str(path), digest=digest)
    raise GazetteerDataError(f"gazetteer overlay {path}: unknown file type {suffix or '(none)'}: use a .yaml, "
                             ".yml or .csv file")


def curated_overlay() -> Overlay:
    """geomap's own curated overlay, ``gazetteer/data/overlay.yaml``."""
    return parse_overlay(curated_overlay_data(), "gazetteer/data/overlay.yaml")


# -- applying -------------------------------------------------------------------------------


_FIRST_OVERLAY_PK = 1_000_000_000
#: Bumped when :func:`apply_overlay` changes what it writes: cached overlaid copies are remade.
_APPLY_VERSION = 2


class _Skip(Exception):
    """An entry whose place is absent, in a non-strict application."""


def _admin1_ids_by_iso() -> dict[str, list[str]]:
    """ISO 3166-2 code -> the ids the embedded builder and the GeoNames import give that unit."""
    ids: dict[str, list[str]] = {}
    for feature in natural_earth("admin1.geojson.gz"):
        props = feature["properties"]
        iso = props.get("iso_3166_2")
        if iso:
            bucket = ids.setdefault(iso, [])
            if props.get("gn_id"):
                bucket.append(f"gn:{props['gn_id']}")
            bucket.append(f"ne:{iso}")
    return ids


class _Writer:
    def __init__(self, conn: sqlite3.Connection, overlay: Overlay, strict: bool) -> None:
        self.conn = conn
        self.overlay = overlay
        self.strict = strict
        self._iso: dict[str, list[str]] | None = None

    def pk(self, place_id: str, where: str) -> int:
        row = self.conn.execute("SELECT pk FROM places WHERE id = ?", (place_id,)).fetchone()
        if row is None:
            if not self.strict:
                raise _Skip
            raise _fail(self.overlay.origin, where, f"no place has the id {place_id!r} in this gazetteer: "
                        "check it with `geomap gazetteer lookup NAME --format json`")
        return int(row[0])

    def name(self, pk: int, name: str, origin: MatchOrigin) -> None:
        key = normalize_name(name)
        if not key or not key.isascii():
            return
        keys = [(key, origin)]
        if origin <= MatchOrigin.ALIAS:
            country = self.conn.execute("SELECT country_code FROM places WHERE pk = ?", (pk,)).fetchone()
            extra = strong_keys(key, country[0] if country else None)
            keys += [(v, MatchOrigin.VARIANT) for v in extra.variants]
            for skey in extra.spellings:
                if not self.conn.execute("SELECT 1 FROM spellings WHERE key = ? AND pk = ?", (skey, pk)).fetchone():
                    self.conn.execute("INSERT INTO spellings VALUES (?, ?)", (skey, pk))
        for k, o in keys:
            if not k or not k.isascii():
                continue
            existing = self.conn.execute("SELECT min(origin) FROM names WHERE key = ? AND pk = ?", (k, pk)).fetchone()[0]
            if existing is None or existing > int(o):
                self.conn.execute("DELETE FROM names WHERE key = ? AND pk = ?", (k, pk))
                self.conn.execute("INSERT INTO names VALUES (?, ?, ?)", (k, pk, int(o)))
            if o <= MatchOrigin.ALTERNATE and len(k) >= FUZZY_MIN_LENGTH and not self.conn.execute(
                    "SELECT 1 FROM fuzzy WHERE key = ?", (k,)).fetchone():
                self.conn.execute("INSERT INTO fuzzy VALUES (?, ?)", (k, fuzzy_bucket(k)))

    def demonym(self, pk: int, word: str) -> None:
        key = normalize_name(word)
        if not key:
            return
        for k in {key, key if key.endswith(("s", "sh", "ch", "ese", "i")) else key + "s"}:
            if not self.conn.execute("SELECT 1 FROM demonyms WHERE key = ? AND pk = ?", (k, pk)).fetchone():
                self.conn.execute("INSERT INTO demonyms VALUES (?, ?)", (k, pk))

    def member_pks(self, place: OverlayPlace) -> list[int]:
        pks = [self.pk(member, place.where) for member in place.union_of]
        for iso in place.union_of_admin1:
            if self._iso is None:
                self._iso = _admin1_ids_by_iso()
            found = None
            for candidate in self._iso.get(iso.upper(), []):
                row = self.conn.execute("SELECT pk FROM places WHERE id = ?", (candidate,)).fetchone()
                if row is not None:
                    found = int(row[0])
                    break
            if found is None:
                if not self.strict:
                    raise _Skip
                raise _fail(self.overlay.origin, place.where, f"no admin-1 unit has the ISO 3166-2 code {iso!r}")
            pks.append(found)
        for code in place.union_of_countries:
            row = self.conn.execute(
                "SELECT p.pk FROM places p JOIN shapes s ON s.pk = p.pk WHERE p.kind = 'country' AND "
                "p.country_code = ? LIMIT 1", (code.upper(),)).fetchone()
            if row is not None:
                pks.append(int(row[0]))
            elif self.strict:
                raise _fail(self.overlay.origin, place.where, f"no country with an outline has the code {code!r}")
        return pks

    def add_place(self, place: OverlayPlace) -> None:
        import shapely
        from shapely import union_all
        from shapely.geometry import shape

        if self.conn.execute("SELECT 1 FROM places WHERE id = ?", (place.id,)).fetchone():
            if not self.strict:
                raise _Skip
            raise _fail(self.overlay.origin, place.where, f"a place with the id {place.id!r} exists already: "
                        "give the new place another id, or add names to it under `aliases`")
        geometry = None
        members = self.member_pks(place)
        if members:
            parts = []
            for pk in members:
                row = self.conn.execute("SELECT wkb FROM shapes WHERE pk = ?", (pk,)).fetchone()
                if row is None:
                    if self.strict:
                        raise _fail(self.overlay.origin, place.where,
                                    f"place {pk} in `union_of` has no outline: give `lat`/`lon` instead")
                    continue
                parts.append(shapely.from_wkb(row[0]))
            if parts:
                geometry = shapely.make_valid(union_all(parts))
        if place.geometry:
            geometry = shape(place.geometry)
        if place.lat is not None and place.lon is not None:
            lat, lon = place.lat, place.lon
        elif geometry is not None and not geometry.is_empty:
            centre = geometry.centroid if geometry.contains(geometry.centroid) else geometry.representative_point()
            lat, lon = centre.y, centre.x
        else:
            raise _Skip
        # Above every GeoNames id, so that an overlay place's key never looks like one.
        pk = self.conn.execute("SELECT max(coalesce(max(pk), 0) + 1, ?) FROM places", (_FIRST_OVERLAY_PK,)).fetchone()[0]
        self.conn.execute(
            "INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (pk, place.id, place.name, place.kind.value, lat, lon, place.country_code, place.admin1_code,
             place.admin1, place.population, place.geonameid, self.overlay.origin, None))
        if geometry is not None and not geometry.is_empty:
            minx, miny, maxx, maxy = geometry.bounds
            self.conn.execute("INSERT INTO shapes VALUES (?,?,?,?,?,?)",
                              (pk, shapely.to_wkb(geometry), minx, miny, maxx, maxy))
        self.name(pk, place.name, MatchOrigin.NAME)
        for alt in place.names:
            self.name(pk, alt, MatchOrigin.ALIAS)
        for word in place.demonyms:
            self.demonym(pk, word)

    def suppress(self, entry: Suppression) -> tuple[int, int]:
        if entry.name is None:
            pk = self.pk(entry.place, entry.where)  # type: ignore[arg-type]
            for table in ("places", "names", "spellings", "shapes", "demonyms"):
                self.conn.execute(f"DELETE FROM {table} WHERE pk = ?", (pk,))
            return 1, 0
        key = normalize_name(entry.name)
        skeys = (spelling_key(entry.name), romanised_probe(entry.name))
        if entry.place is not None:
            pk = self.pk(entry.place, entry.where)
            removed = self.conn.execute("DELETE FROM names WHERE key = ? AND pk = ?", (key, pk)).rowcount
            self.conn.executemany("DELETE FROM spellings WHERE key = ? AND pk = ?", [(k, pk) for k in skeys])
        else:
            removed = self.conn.execute("DELETE FROM names WHERE key = ?", (key,)).rowcount
            self.conn.executemany("DELETE FROM spellings WHERE key = ?", [(k,) for k in skeys])
            self.conn.execute("DELETE FROM demonyms WHERE key = ?", (key,))
            # Remembered, so that the fuzzy fallback does not find the name's neighbours
            # ("Reading" suppressed must not come back as "Redding").
            row = self.conn.execute("SELECT value FROM meta WHERE key = 'suppressed_names'").fetchone()
            keys = sorted(set(json.loads(row[0]) if row else []) | {key})
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('suppressed_names', ?)", (json.dumps(keys),))
        if not removed and self.strict:
            raise _fail(self.overlay.origin, entry.where, f"no place {'of that id ' if entry.place else ''}is "
                        f"called {entry.name!r}: nothing to suppress; check the spelling")
        return 0, removed


def apply_overlay(conn: sqlite3.Connection, overlay: Overlay, *, strict: bool = True) -> OverlayReport:
    """Apply ``overlay`` to an open gazetteer database (places, then aliases, then suppressions).

    With ``strict`` (the default, for user overlays) an entry whose place is absent is an
    error; without, it is skipped and counted (geomap's curated overlay laid over a GeoNames
    import that lacks some of its places). The caller commits.
    """
    writer = _Writer(conn, overlay, strict)
    places = aliases = dropped = names = skipped = 0
    for place in overlay.places:
        try:
            writer.add_place(place)
            places += 1
        except _Skip:
            skipped += 1
    for alias in overlay.aliases:
        try:
            pk = writer.pk(alias.place, alias.where)
        except _Skip:
            skipped += 1
            continue
        for alt in alias.names:
            writer.name(pk, alt, MatchOrigin.ALIAS)
        for word in alias.demonyms:
            writer.demonym(pk, word)
        aliases += 1
    for entry in overlay.suppress:
        try:
            p, n = writer.suppress(entry)
        except _Skip:
            skipped += 1
            continue
        dropped += p
        names += n
    if overlay.suppress:
        conn.execute("DELETE FROM fuzzy WHERE key NOT IN (SELECT key FROM names)")
    if skipped:
        log.info("%s: %d entries skipped, their places are not in this gazetteer", overlay.origin, skipped)
    return OverlayReport(places=places, aliases=aliases, suppressed_places=dropped, suppressed_names=names,
                         skipped=skipped)


def apply_overlay_to_file(path: str | os.PathLike[str], overlay: Overlay) -> OverlayReport:
    """Apply a user overlay to the gazetteer database at ``path`` itself, and record it in the
    database's ``meta`` table (``source.user_overlay``, shown by ``geomap gazetteer info``).

    This changes the file (``geomap gazetteer build --geonames DIR --gazetteer-overlay FILE``
    does it to the database it has just imported); :func:`with_overlay` leaves a gazetteer
    alone and overlays a copy.

    Raises
    ------
    GazetteerDataError
        An entry names a place the gazetteer does not have.
    """
    conn = sqlite3.connect(path)
    try:
        with conn:
            applied = apply_overlay(conn, overlay)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('source.user_overlay', ?)",
                         (f"{overlay.origin} (sha256 {overlay.digest[:12]})",))
    finally:
        conn.close()
    return applied


def with_overlay(gazetteer: Gazetteer, overlay_path: str | os.PathLike[str],
                 cache_dir: str | os.PathLike[str] | None = None) -> Gazetteer:
    """The gazetteer with an overlay file laid over it, as a cached copy.

    The copy lives in ``cache_dir`` (default: the gazetteer cache's ``overlays`` directory),
    named by a hash of the gazetteer file's identity and the overlay's content, so it is made
    once and remade when either changes. The original file is never modified.

    Raises
    ------
    GazetteerDataError
        The overlay is invalid (naming the file, the entry and the fix).
    GazetteerBuildError
        The copy cannot be written.
    """
    overlay = load_overlay(overlay_path)
    base = Path(gazetteer.path)
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "overlays"
    digest = hashlib.sha256(f"{base.resolve()}|{identity(base)}|{overlay.digest}|{_APPLY_VERSION}".encode()
                            ).hexdigest()[:16]
    target = directory / f"{base.stem}.{digest}.sqlite"
    if target.is_file():
        try:
            os.utime(target)  # recently used: kept by _prune
        except OSError:
            pass
        return Gazetteer(target)
    with database_beside(target, "the overlaid gazetteer", f"set {ENV_CACHE} to a writable directory",
                         copy_of=base) as tmp:
        conn = sqlite3.connect(tmp)
        try:
            report = apply_overlay(conn, overlay, strict=True)
            write_key_filters(conn)
            summary = (f"{overlay.origin} (sha256 {overlay.digest[:12]}): {report.places} places, "
                       f"{report.aliases} aliases, {report.suppressed_places} places and "
                       f"{report.suppressed_names} names suppressed")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('source.user_overlay', ?)", (summary,))
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('overlay_of', ?)", (str(base),))
            conn.commit()
        finally:
            conn.close()
    log.info("gazetteer overlay %s applied to %s: %s", overlay.origin, base, summary)
    _prune(directory, keep=target)
    return Gazetteer(target)


#: Overlaid copies kept in the cache (each is a full copy of its gazetteer).
KEEP_COPIES = 4


def _prune(directory: Path, keep: Path) -> None:
    """Delete all but the :data:`KEEP_COPIES` most recently used overlaid copies."""
    copies = sorted((p for p in directory.glob("*.sqlite") if p != keep),
                    key=lambda p: p.stat().st_mtime, reverse=True)
    for old in copies[KEEP_COPIES - 1:]:
        try:
            old.unlink()
            log.info("removed the overlaid gazetteer %s (least recently used)", old)
        except OSError as exc:
            log.debug("cannot remove %s: %s", old, exc)
