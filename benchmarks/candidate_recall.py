"""Candidate recall of the gazetteer on gold corpora (a measurement, not a test).

For every gold toponym with coordinates, the surface name is looked up the way a user would
type it into ``geomap gazetteer lookup``, and the toponym counts as recalled when the gold point
lies within 161 km of at least one candidate:

* the surface is looked up as it is, with ``Gazetteer.lookup(surface, fuzzy=True)``;
* when that finds nothing, qualifier words are stripped and the rest is looked up again:
  a leading "the", a possessive "'s", and trailing or leading generic words ("Kherson region",
  "Oblast of Kherson", "Dnipro River", "city of Kherson", "Lake Michigan" is kept whole first);
* the distance to a candidate is the great-circle distance to its point, or 0 when the candidate
  is an area whose outline contains the gold point (a country's or an oblast's representative
  point can lie far from the gold annotator's point for the same place). ``--points-only``
  measures against points alone.

Usage::

    python benchmarks/candidate_recall.py [FILE.jsonl ...] [--misses 25] [--points-only]

Without files it reads every ``*.jsonl`` in ``../shared/eval/dev`` (relative to the project).
The last column is the recall among the gold toponyms that carry a GeoNames id (GeoWebNews and
TUD-Loc also annotate streets, buildings and organisations that no gazetteer of places holds).

A list of names and the GeoNames places they mean (``benchmarks/data/conflict_names.tsv``) is
measured by identity instead::

    python benchmarks/candidate_recall.py --names benchmarks/data/conflict_names.tsv [--misses 40]

For every name it asks which origin (name, alias, alternate, variant, spelling, fuzzy) brings the
intended place among the candidates, twice: as the resolver looks names up (exact names, then
the spelling keys; no fuzzy fallback) and with the fuzzy fallback (as ``geomap gazetteer
lookup`` does). It also counts the other candidates the name gets ("crowd").
"""

from __future__ import annotations

import argparse
import collections
import json
import math
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DIR = ROOT.parent / "shared" / "eval" / "dev"
RADIUS_KM = 161.0

#: Generic words a user would drop when looking a name up ("Kherson region" -> "Kherson").
QUALIFIERS = (
    "region", "regions", "oblast", "oblasts", "province", "provinces", "state", "county",
    "counties", "district", "city", "town", "village", "river", "governorate", "prefecture",
    "territory", "republic", "krai", "area", "municipality", "parish", "borough", "township",
)
_LEADING = re.compile(r"^(?:the\s+)?(?:(?:city|town|village|region|province|state|county|oblast)\s+of\s+)",
                      re.IGNORECASE)
_TRAILING = re.compile(rf"\s+(?:{'|'.join(QUALIFIERS)})$", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s?$")


def strip_qualifiers(surface: str) -> str:
    """``"the Kherson region"`` -> ``"Kherson"``; ``"city of Kherson"`` -> ``"Kherson"``."""
    text = surface.strip()
    text = re.sub(r"^the\s+", "", text, flags=re.IGNORECASE)
    text = _POSSESSIVE.sub("", text)
    text = _LEADING.sub("", text)
    previous = None
    while previous != text:
        previous = text
        text = _TRAILING.sub("", text)
    return text.strip()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def candidates(gazetteer, surface: str, *, fuzzy: bool = True):
    try:
        found = gazetteer.lookup(surface, fuzzy=fuzzy, demonyms=True)
    except TypeError:  # a gazetteer without the fuzzy fallback
        found = gazetteer.lookup(surface)
    if not found:
        bare = strip_qualifiers(surface)
        if bare and bare != surface:
            try:
                found = gazetteer.lookup(bare, fuzzy=fuzzy, demonyms=True)
            except TypeError:
                found = gazetteer.lookup(bare)
    return found


def recalled(gazetteer, matches, lat: float, lon: float, *, points_only: bool) -> bool:
    for match in matches:
        place = match.place
        if haversine_km(lat, lon, place.lat, place.lon) <= RADIUS_KM:
            return True
    if points_only:
        return False
    for match in matches:
        place = match.place
        if place.has_geometry and gazetteer.contains(place.id, lat, lon, tolerance=0.05):
            return True
    return False


def measure(gazetteer, path: Path, *, points_only: bool, fuzzy: bool = True):
    total = hits = gn_total = gn_hits = 0
    misses: collections.Counter[str] = collections.Counter()
    no_candidate: collections.Counter[str] = collections.Counter()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            doc = json.loads(line)
            for toponym in doc.get("toponyms", []):
                if toponym.get("lat") is None or toponym.get("lon") is None:
                    continue
                if toponym.get("embedded"):
                    continue
                total += 1
                in_geonames = toponym.get("geonameid") is not None
                gn_total += in_geonames
                surface = toponym["surface"]
                found = candidates(gazetteer, surface, fuzzy=fuzzy)
                if recalled(gazetteer, found, toponym["lat"], toponym["lon"], points_only=points_only):
                    hits += 1
                    gn_hits += in_geonames
                else:
                    misses[surface] += 1
                    if not found:
                        no_candidate[surface] += 1
    return total, hits, misses, no_candidate, gn_total, gn_hits


ORIGIN_NAMES = ("name", "alias", "alternate", "variant", "spelling", "fuzzy", "demonym")


def read_names(path: Path) -> list[tuple[frozenset[int], str, str]]:
    """The rows of a names file: (intended GeoNames ids, the place's GeoNames name, one name).

    The file is tab-separated with a header; columns ``geonameids`` (comma-separated: any of
    them counts), ``geonames_name`` and ``names`` (``|``-separated spellings) are read.
    """
    rows = []
    with path.open(encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        ids_col, name_col, names_col = (header.index(c) for c in ("geonameids", "geonames_name", "names"))
        for line in handle:
            if not line.strip() or line.startswith("#"):
                continue
            cells = line.rstrip("\n").split("\t")
            ids = frozenset(int(i) for i in cells[ids_col].split(","))
            for name in cells[names_col].split("|"):
                rows.append((ids, cells[name_col], name.strip()))
    return rows


def intended_origin(matches, ids: frozenset[int]) -> str:
    """The best origin by which one of the intended places matched, or ``"miss"``."""
    found = [m.origin for m in matches if m.place.geonameid in ids]
    return ORIGIN_NAMES[int(min(found))] if found else "miss"


def measure_names(gazetteer, path: Path, *, misses: int) -> None:
    """Print the recall of a names file by origin, resolver-style and with the fuzzy fallback."""
    rows = read_names(path)
    plain: collections.Counter[str] = collections.Counter()
    fuzzy: collections.Counter[str] = collections.Counter()
    crowd = {"plain": 0, "fuzzy": 0}
    missed = []
    for ids, gn_name, name in rows:
        found_plain = gazetteer.lookup(name, remember=False)
        found_fuzzy = gazetteer.lookup(name, fuzzy=True, remember=False)
        origin_plain = intended_origin(found_plain, ids)
        origin_fuzzy = intended_origin(found_fuzzy, ids)
        plain[origin_plain] += 1
        fuzzy[origin_fuzzy] += 1
        crowd["plain"] += sum(m.place.geonameid not in ids for m in found_plain)
        crowd["fuzzy"] += sum(m.place.geonameid not in ids for m in found_fuzzy)
        if origin_plain in ("miss", "spelling", "fuzzy"):
            missed.append(f"{name} ({gn_name}): {origin_plain}/{origin_fuzzy}")
    total = len(rows)
    print(f"{path.name}: {total} names of {len({r[0] for r in rows})} places")
    for label, counts in (("resolver lookup (no fuzzy)", plain), ("with the fuzzy fallback", fuzzy)):
        recalled = total - counts["miss"]
        parts = ", ".join(f"{o} {counts[o]}" for o in (*ORIGIN_NAMES[:6], "miss") if counts[o])
        print(f"  {label:<28} recall {recalled / max(total, 1):.3f} ({recalled}/{total}): {parts}")
    print(f"  other candidates a name gets, mean: {crowd['plain'] / max(total, 1):.2f} without fuzzy, "
          f"{crowd['fuzzy'] / max(total, 1):.2f} with")
    if misses:
        print(f"  matched by spelling key or fuzzy only, or missed (origin without/with fuzzy), first {misses}:")
        for line in missed[:misses]:
            print(f"    {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--gazetteer", help="gazetteer database (default: the embedded one)")
    parser.add_argument("--misses", type=int, default=15, help="how many of the commonest misses to list")
    parser.add_argument("--points-only", action="store_true", help="ignore outlines: distance to points only")
    parser.add_argument("--no-fuzzy", action="store_true", help="exact and spelling-key matches only")
    parser.add_argument("--names", type=Path, help="a names file (TSV, benchmarks/data/) measured by identity")
    args = parser.parse_args(argv)

    from gazetteer import Gazetteer, open_default

    gazetteer = Gazetteer(args.gazetteer) if args.gazetteer else open_default()
    if args.names:
        measure_names(gazetteer, args.names, misses=args.misses)
        return 0
    files = args.files or sorted(DEFAULT_DIR.glob("*.jsonl"))
    if not files:
        print(f"no gold files in {DEFAULT_DIR}", file=sys.stderr)
        return 2
    print(f"gazetteer: {gazetteer.path}")
    print(f"{'file':<28} {'toponyms':>8} {'recalled':>8} {'recall':>7}  {'with a geonameid':>18}  seconds")
    details = []
    for path in files:
        started = time.perf_counter()
        total, hits, misses, none, gn_total, gn_hits = measure(gazetteer, path, points_only=args.points_only,
                                                               fuzzy=not args.no_fuzzy)
        elapsed = time.perf_counter() - started
        gn = f"{gn_hits / gn_total:.3f} of {gn_total:>5}" if gn_total else "-"
        print(f"{path.stem:<28} {total:>8} {hits:>8} {hits / max(total, 1):>7.3f}  {gn:>18}  {elapsed:6.1f}")
        details.append((path.stem, misses, none))
    if args.misses:
        for stem, misses, none in details:
            common = ", ".join(
                f"{surface}{'*' if surface in none else ''} x{count}" for surface, count in misses.most_common(args.misses)
            )
            print(f"\n{stem} commonest misses (* = no candidate at all): {common}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
