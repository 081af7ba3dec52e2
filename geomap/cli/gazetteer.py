"""``geomap gazetteer build|info|lookup``: build, import, inspect and query the gazetteer."""

from __future__ import annotations

import json
import time
from pathlib import Path

from gazetteer import Resolver, Toponym
from gazetteer.files import default_cache_dir
from gazetteer.geonames import import_geonames
from gazetteer.overlay import apply_overlay_to_file, load_overlay
from gazetteer.store import SCHEMA_VERSION

from ..errors import InputError
from .session import Session


def _cmd_gazetteer_build(session: Session) -> int:
    args = session.args
    if args.geonames:
        return _cmd_gazetteer_import(session)
    if args.output:
        raise InputError("-o/--output is for --geonames imports: the embedded gazetteer is built at --gazetteer "
                         "PATH, or in the cache")
    started = time.perf_counter()
    gazetteer = session.gazetteer(rebuild=True)
    info = gazetteer.info()
    print(f"built {info.path} ({info.size_bytes / 1e6:.0f} MB, "
          f"{sum(v for k, v in info.counts.items() if k != 'names'):,} places) in "
          f"{time.perf_counter() - started:.0f} s")
    return 0


def _cmd_gazetteer_import(session: Session) -> int:
    args = session.args
    classes = frozenset(args.feature_classes.upper().replace(",", ""))
    if not classes or not classes <= frozenset("ADHLPRSTUV"):
        raise InputError(f"--feature-classes {args.feature_classes!r} must be GeoNames feature class letters "
                         "among A, H, L, P, R, S, T, U, V, e.g. AHLPTUV")
    if args.max_bad_lines < 0 or args.min_population < 0:
        raise InputError("--max-bad-lines and --min-population must be 0 or more")
    overlay = None
    if args.gazetteer_overlay:
        overlay = load_overlay(args.gazetteer_overlay)  # checked before the long import
    target = Path(args.output or args.gazetteer or default_cache_dir() / f"geonames-v{SCHEMA_VERSION}.sqlite")
    report = import_geonames(args.geonames, target, progress=session.progress(), feature_classes=classes,
                             max_bad_lines=args.max_bad_lines, min_population=args.min_population)
    if overlay is not None:
        applied = apply_overlay_to_file(target, overlay)
        print(f"overlay {overlay.origin}: {applied.places} places added, {applied.aliases} aliases, "
              f"{applied.suppressed_places} places and {applied.suppressed_names} names suppressed")
    skipped = sum(report.skipped.values())
    print(f"imported {report.places:,} places and {report.names:,} names into {report.path} "
          f"({report.path.stat().st_size / 1e6:.1f} MB) in {report.seconds:.0f} s"
          + (f"; {skipped:,} bad lines skipped ({', '.join(f'{k}: {v}' for k, v in report.skipped.items())})"
             if skipped else ""))
    print(f"use it with --gazetteer {report.path} or GEOMAP_GAZETTEER={report.path}")
    return 0


def _cmd_gazetteer_info(session: Session) -> int:
    args = session.args
    info = session.gazetteer().info()
    if args.format == "json":
        print(json.dumps({"path": str(info.path), "size_bytes": info.size_bytes, "schema": info.schema_version,
                          "kind": info.kind, "built_at": info.built_at, "sources": info.sources,
                          "counts": info.counts}, ensure_ascii=False, indent=2))
        return 0
    print(f"path:    {info.path}")
    print(f"size:    {info.size_bytes / 1e6:.1f} MB")
    print(f"schema:  {info.schema_version}")
    print(f"kind:    {info.kind} (built {info.built_at or 'at an unknown time'})")
    for name, value in sorted(info.sources.items()):
        print(f"source:  {name}: {value}")
    for name, value in sorted(info.counts.items()):
        print(f"count:   {name}: {value:,}")
    return 0


def _cmd_gazetteer_lookup(session: Session) -> int:
    args = session.args
    gazetteer = session.gazetteer()
    resolution = Resolver(gazetteer).resolve(Toponym(args.name))
    scores = {c.place.id: c.score for c in resolution.candidates}
    matches = sorted(gazetteer.lookup(args.name, fuzzy=True), key=lambda m: -scores.get(m.place.id, 0.0))
    rows = [{"id": m.place.id, "name": m.place.name, "kind": m.place.kind.value,
             "country_code": m.place.country_code, "admin1": m.place.admin1,
             "lat": m.place.lat, "lon": m.place.lon, "population": m.place.population,
             "matched_as": m.origin.name.lower(), "similarity": m.similarity,
             "score": scores.get(m.place.id)} for m in matches]
    if args.format == "json":
        print(json.dumps({"name": args.name, "candidates": rows}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"no place is called {args.name!r} (nor anything spelled like it)")
        return 0
    print(f"{'score':>6}  {'id':<14} {'kind':<9} {'name':<30} {'cc':<3} {'admin1':<24} {'lat':>9} {'lon':>9}  matched as")
    for r in rows[:25]:
        score = f"{r['score']:6.3f}" if r["score"] is not None else "     -"
        how = r["matched_as"] + (f" ({r['similarity']:.2f})" if r["matched_as"] == "fuzzy" else "")
        print(f"{score}  {r['id']:<14} {r['kind']:<9} {r['name'][:30]:<30} {r['country_code'] or '':<3} "
              f"{(r['admin1'] or '')[:24]:<24} {r['lat']:9.4f} {r['lon']:9.4f}  {how}")
    if len(rows) > 25:
        print(f"... {len(rows) - 25} more (use --format json)")
    return 0
