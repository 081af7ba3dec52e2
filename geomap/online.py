"""Optional online geocoding for the places the gazetteer lacks (off by default).

geomap never touches the network unless asked. With ``--online nominatim`` (or
:func:`resolve_unresolved` in Python), the names of mentions that the embedded gazetteer left
unresolved, and only those, are looked up with OpenStreetMap's Nominatim through geopy.
Nominatim's usage policy (https://operations.osmfoundation.org/policies/nominatim/) is kept:

- every request carries a user agent that identifies geomap (add a contact with
  ``--user-agent``);
- geopy's :class:`~geopy.extra.rate_limiter.RateLimiter` allows at most one request per second;
- every answer, including "nothing found", is cached in an SQLite file in the user cache
  directory, so that a name is asked once, ever.

``$GEOMAP_NOMINATIM_URL`` points geomap at another Nominatim server (a self-hosted one, or a
fake one on 127.0.0.1 in the tests). Results are © OpenStreetMap contributors, under the ODbL.

Examples
--------
>>> from geomap.online import NominatimGeocoder, resolve_unresolved    # doctest: +SKIP
>>> geocoder = NominatimGeocoder(user_agent="geomap/0.1 (me@example.org)")   # doctest: +SKIP
>>> documents = resolve_unresolved(documents, geocoder)                  # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from gazetteer import Candidate, Place, PlaceKind, Resolution, normalize_name
from gazetteer.files import default_cache_dir

from ._version import __version__
from .errors import OnlineError
from .model import Document, PlaceMention

__all__ = [
    "SERVICES",
    "ENV_NOMINATIM_URL",
    "PUBLIC_NOMINATIM",
    "MIN_DELAY_SECONDS",
    "OnlineError",
    "OnlineMatch",
    "OnlineStats",
    "AnswerCache",
    "NominatimGeocoder",
    "place_from_nominatim",
    "resolve_unresolved",
]

log = logging.getLogger(__name__)

#: The online services ``--online`` accepts.
SERVICES = ("nominatim",)
#: Environment variable with the base URL of another Nominatim server ("http://host:port").
ENV_NOMINATIM_URL = "GEOMAP_NOMINATIM_URL"
#: The public OpenStreetMap Nominatim server.
PUBLIC_NOMINATIM = "https://nominatim.openstreetmap.org"
#: Nominatim's usage policy: at most one request per second.
MIN_DELAY_SECONDS = 1.0
#: The reason recorded on every candidate that came from Nominatim.
REASON = "online: nominatim"

_CACHE_SCHEMA = "1"
# Names that are not worth a request: too short, too long, or without a letter.
_MIN_NAME, _MAX_NAME = 2, 120


@dataclass
class OnlineStats:
    """What one geocoder did: names asked over the network, answered from the cache, found."""

    requests: int = 0
    cached: int = 0
    found: int = 0
    failed: int = 0


# -- the persistent cache -----------------------------------------------------------------------


class AnswerCache:
    """Nominatim answers by query, in a small SQLite file (in memory when none can be written).

    Parameters
    ----------
    path
        The SQLite file; ``None`` keeps answers for this process only.

    Examples
    --------
    >>> cache = AnswerCache(None)
    >>> cache.get("svc", "k") is None
    True
    >>> cache.put("svc", "k", [{"lat": "1"}]); cache.get("svc", "k")
    [{'lat': '1'}]
    """

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        self._conn = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path is not None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                self._ensure_schema(conn)
                return conn
            except (OSError, sqlite3.Error) as exc:
                if isinstance(exc, sqlite3.DatabaseError) and self.path.is_file():
                    # A cache is disposable: a broken one is replaced, never trusted.
                    log.warning("online cache %s is unusable (%s); starting a new one", self.path, exc)
                    try:
                        self.path.unlink()
                        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                        self._ensure_schema(conn)
                        return conn
                    except (OSError, sqlite3.Error) as again:
                        exc = again
                log.warning("online cache %s cannot be written (%s): answers are kept for this run only; "
                            "set GEOMAP_CACHE_DIR to a writable directory", self.path, exc)
        conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._ensure_schema(conn)
        return conn

    @staticmethod
    def _ensure_schema(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None or row[0] != _CACHE_SCHEMA:
            conn.execute("DROP TABLE IF EXISTS answers")
            conn.execute("CREATE TABLE answers (service TEXT NOT NULL, key TEXT NOT NULL, "
                         "value TEXT NOT NULL, fetched_at TEXT NOT NULL, PRIMARY KEY (service, key))")
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (_CACHE_SCHEMA,))
        conn.commit()

    def get(self, service: str, key: str) -> list[dict[str, Any]] | None:
        """The cached answer (a list, possibly empty), or ``None`` when never asked."""
        with self._lock:
            try:
                row = self._conn.execute("SELECT value FROM answers WHERE service = ? AND key = ?",
                                         (service, key)).fetchone()
            except sqlite3.Error as exc:
                log.warning("online cache %s cannot be read (%s)", self.path, exc)
                return None
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except ValueError:
            return None
        return value if isinstance(value, list) else None

    def put(self, service: str, key: str, value: list[dict[str, Any]]) -> None:
        """Remember an answer (best effort: a failure to write is logged, not raised)."""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self._lock:
            try:
                self._conn.execute("INSERT OR REPLACE INTO answers VALUES (?,?,?,?)",
                                   (service, key, json.dumps(value, ensure_ascii=False), stamp))
                self._conn.commit()
            except sqlite3.Error as exc:
                log.warning("online cache %s cannot be written (%s)", self.path, exc)

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT count(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()


def default_cache_path() -> Path:
    """``online-cache.sqlite`` in the gazetteer's cache directory (``$GEOMAP_CACHE_DIR``)."""
    return default_cache_dir() / "online-cache.sqlite"


# -- Nominatim ----------------------------------------------------------------------------------


def _default_user_agent() -> str:
    return f"geomap/{__version__} (news-article geoparser, via geopy)"


class NominatimGeocoder:
    """Look names up with Nominatim, at most once per second, each name once (cached).

    Parameters
    ----------
    user_agent
        Identifies the application to the service; geomap's own by default. Nominatim's policy
        asks for one that lets them reach you: add an address, e.g. ``"geomap (me@example.org)"``.
    url
        Base URL of the Nominatim server; ``$GEOMAP_NOMINATIM_URL`` or the public server.
    cache
        Where answers are remembered; :func:`default_cache_path` by default.
    language
        Preferred language of the names returned.
    limit
        Results asked per name (the best is chosen, the others are its alternatives).
    timeout
        Seconds to wait for one answer.

    Raises
    ------
    OnlineError
        The URL is not an ``http``/``https`` address.
    """

    service = "nominatim"

    def __init__(
        self,
        *,
        user_agent: str | None = None,
        url: str | None = None,
        cache: AnswerCache | None = None,
        language: str = "en",
        limit: int = 3,
        timeout: float = 10.0,
    ) -> None:
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        base = (url or os.environ.get(ENV_NOMINATIM_URL) or PUBLIC_NOMINATIM).strip()
        parts = urlsplit(base)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise OnlineError(f"Nominatim URL {base!r} must look like https://host[:port]: "
                              f"fix ${ENV_NOMINATIM_URL}")
        agent = (user_agent or "").strip() or _default_user_agent()
        if any(ch in agent for ch in "\r\n"):
            raise OnlineError("--user-agent must be one line of text, e.g. 'geomap (me@example.org)'")
        self.url = f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
        self.user_agent = agent
        self.language = language
        self.limit = limit
        self.cache = cache if cache is not None else AnswerCache(default_cache_path())
        self.stats = OnlineStats()
        self._service_key = f"nominatim@{parts.netloc}{parts.path.rstrip('/')}"
        self._nominatim = Nominatim(user_agent=agent, domain=parts.netloc + parts.path.rstrip("/"),
                                    scheme=parts.scheme, timeout=timeout)
        #: The rate limiter every request goes through (one per second, two retries).
        self.limiter = RateLimiter(self._nominatim.geocode, min_delay_seconds=MIN_DELAY_SECONDS,
                                   max_retries=2, error_wait_seconds=2.0, swallow_exceptions=False)

    def __repr__(self) -> str:
        return f"NominatimGeocoder(url={self.url!r})"

    @staticmethod
    def _featuretype(hint: PlaceKind | None) -> str | None:
        return {PlaceKind.CITY: "settlement", PlaceKind.ADMIN1: "state",
                PlaceKind.COUNTRY: "country"}.get(hint) if hint else None

    def _key(self, name: str, hint: PlaceKind | None) -> str:
        return json.dumps([normalize_name(name), self._featuretype(hint), self.language, self.limit])

    def lookup(self, name: str, *, hint: PlaceKind | None = None) -> tuple[OnlineMatch, ...]:
        """The places Nominatim gives for ``name``, most important first.

        The answer comes from the cache when the name was asked before (by any run);
        otherwise one request is made, through the rate limiter, and its answer cached,
        including an empty one.

        Raises
        ------
        geopy.exc.GeopyError
            The service failed after the rate limiter's retries (nothing is cached then).
        """
        key = self._key(name, hint)
        raws = self.cache.get(self._service_key, key)
        if raws is not None:
            self.stats.cached += 1
        else:
            self.stats.requests += 1
            locations = self.limiter(name, exactly_one=False, limit=self.limit, addressdetails=True,
                                     language=self.language, featuretype=self._featuretype(hint))
            raws = [dict(location.raw) for location in locations or []]
            self.cache.put(self._service_key, key, raws)
        matches: dict[str, OnlineMatch] = {}
        for raw in raws:
            place = place_from_nominatim(raw) if isinstance(raw, dict) else None
            if place is not None and place.id not in matches:
                matches[place.id] = OnlineMatch(place, _importance(raw))
        return tuple(sorted(matches.values(), key=lambda m: -m.importance))


@dataclass(frozen=True, slots=True)
class OnlineMatch:
    """A place an online service gave for a name, with its importance (0 to 1)."""

    place: Place
    importance: float


def _importance(raw: dict[str, Any]) -> float:
    try:
        value = float(raw.get("importance", 0.0))
    except (TypeError, ValueError):
        return 0.0
    return min(max(value, 0.0), 1.0)


_CITY_TYPES = frozenset({"city", "town", "village", "hamlet", "suburb", "borough", "quarter",
                         "neighbourhood", "city_district", "isolated_dwelling", "locality", "municipality"})
_ADMIN1_TYPES = frozenset({"state", "province", "state_district"})
_ADMIN2_TYPES = frozenset({"county", "district"})
_PHYSICAL_CLASSES = frozenset({"natural", "waterway", "water"})


def _kind(raw: dict[str, Any]) -> PlaceKind:
    address_type = str(raw.get("addresstype") or "")
    cls, typ = str(raw.get("class") or ""), str(raw.get("type") or "")
    for value in (address_type, typ):
        if value == "country":
            return PlaceKind.COUNTRY
        if value == "continent":
            return PlaceKind.CONTINENT
        if value in _ADMIN1_TYPES:
            return PlaceKind.ADMIN1
        if value in _ADMIN2_TYPES:
            return PlaceKind.ADMIN2
        if value == "region":
            return PlaceKind.REGION
        if value in _CITY_TYPES:
            return PlaceKind.CITY
    if cls in _PHYSICAL_CLASSES or cls == "place" and typ in ("island", "islet", "archipelago"):
        return PlaceKind.PHYSICAL
    if cls == "boundary" and typ == "administrative":
        try:
            rank = int(raw.get("place_rank", 0))
        except (TypeError, ValueError):
            rank = 0
        if rank == 4:
            return PlaceKind.COUNTRY
        if 5 <= rank <= 9:
            return PlaceKind.ADMIN1
        if 10 <= rank <= 12:
            return PlaceKind.ADMIN2
        if rank > 12:
            return PlaceKind.CITY
    return PlaceKind.OTHER


def place_from_nominatim(raw: dict[str, Any]) -> Place | None:
    """A :class:`~gazetteer.Place` from one Nominatim JSON result, or ``None`` if unusable.

    Examples
    --------
    >>> place_from_nominatim({"osm_type": "relation", "osm_id": 71789, "lat": "46.7", "lon": "32.6",
    ...     "class": "boundary", "type": "administrative", "addresstype": "state",
    ...     "name": "Kherson Oblast", "address": {"country_code": "ua", "state": "Kherson Oblast"}}).describe()
    'Kherson Oblast (admin1, UA)'
    """
    try:
        lat, lon = float(raw["lat"]), float(raw["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        return None
    address = raw.get("address") if isinstance(raw.get("address"), dict) else {}
    display = str(raw.get("display_name") or "")
    name = str(raw.get("name") or display.split(",")[0]).strip()
    if not name:
        return None
    osm_type, osm_id = str(raw.get("osm_type") or ""), str(raw.get("osm_id") or "")
    if osm_type in ("node", "way", "relation") and osm_id.isdigit():
        place_id = f"osm:{osm_type}/{osm_id}"
    else:  # the id is shown on the map: only what the service is known to send
        place_id = f"nominatim:{lat:.5f},{lon:.5f}"
    country = address.get("country_code")
    kind = _kind(raw)
    admin1 = address.get("state") or address.get("province") or address.get("region")
    if kind is PlaceKind.ADMIN1:
        admin1 = name
    return Place(
        id=place_id,
        name=name[:200],
        kind=kind,
        lat=lat,
        lon=lon,
        country_code=str(country).upper()[:2] if isinstance(country, str) and len(country) == 2 else None,
        admin1=str(admin1)[:200] if admin1 and kind not in (PlaceKind.COUNTRY, PlaceKind.CONTINENT) else None,
    )


# -- filling the gaps of the gazetteer ----------------------------------------------------------


def _worth_asking(name: str) -> bool:
    stripped = name.strip()
    return _MIN_NAME <= len(stripped) <= _MAX_NAME and any(ch.isalpha() for ch in stripped)


def resolve_unresolved(documents: Iterable[Document], geocoder: NominatimGeocoder) -> list[Document]:
    """Give the unresolved mentions of ``documents`` a place from the online geocoder.

    Only mentions the gazetteer left unresolved are looked up; each distinct name (and kind
    hint) once. A found place becomes a real :class:`~gazetteer.Resolution` whose candidates
    carry the reason ``"online: nominatim"``; its confidence is Nominatim's importance. A
    name Nominatim does not know stays unresolved. When the service fails (unreachable,
    refusing the user agent, rate limiting), the error is logged once and the remaining
    mentions stay unresolved: the documents are never lost.

    Returns
    -------
    list[Document]
        The documents, in order, with the online resolutions filled in.
    """
    from geopy.exc import GeopyError

    docs = list(documents)
    answers: dict[tuple[str, PlaceKind | None], tuple[OnlineMatch, ...]] = {}
    broken: str | None = None
    out: list[Document] = []
    for doc in docs:
        mentions: list[PlaceMention] = []
        changed = False
        for pm in doc.mentions:
            if pm.place is not None or not _worth_asking(pm.mention.name) or broken is not None:
                mentions.append(pm)
                continue
            key = (normalize_name(pm.mention.name), pm.mention.hint)
            if not key[0]:
                mentions.append(pm)
                continue
            if key not in answers:
                try:
                    answers[key] = geocoder.lookup(pm.mention.name, hint=pm.mention.hint)
                except GeopyError as exc:
                    geocoder.stats.failed += 1
                    broken = f"{type(exc).__name__}: {exc}".splitlines()[0]
                    log.warning("online geocoding with %s stopped (%s); the remaining names stay "
                                "unresolved", geocoder.url, broken)
                    mentions.append(pm)
                    continue
            matches = answers[key]
            if not matches:
                mentions.append(pm)
                continue
            mentions.append(PlaceMention(pm.mention, _resolution(pm.resolution, matches)))
            geocoder.stats.found += 1
            changed = True
        out.append(replace(doc, mentions=tuple(mentions)) if changed else doc)
    return out


def _resolution(previous: Resolution, matches: Sequence[OnlineMatch]) -> Resolution:
    candidates = tuple(
        Candidate(m.place, round(m.importance, 4), reasons=(REASON, f"importance {m.importance:.2f}"))
        for m in matches
    )
    best = matches[0]
    runner_up = matches[1].importance if len(matches) > 1 else 0.0
    return Resolution(
        toponym=previous.toponym,
        place=best.place,
        confidence=round(best.importance, 4),
        ambiguous=len(matches) > 1 and best.importance - runner_up < 0.1,
        candidates=candidates,
    )
