"""What every command shares: logging, progress bars, the gazetteer and pipeline, the inputs read
and checked, online look-ups, decisions, default output paths and the exit status."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from tqdm import tqdm

from gazetteer import Gazetteer, ResolverOptions, open_default
from gazetteer.build import check_file, default_path
from gazetteer.overlay import with_overlay

from ..errors import InputError
from ..online import NominatimGeocoder, resolve_unresolved
from ..pipeline import Pipeline
from ..review.decisions import apply_decisions, load_decisions
from ..sources.files import read_file_list, read_inputs
from ..sources.web import FetchOptions, url_stem
from ..timeline import DateFilter, DateRange

log = logging.getLogger("geomap")

EXIT_USAGE = 2


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.WARNING if args.quiet else (logging.INFO if args.verbose == 1 else
                                                logging.DEBUG if args.verbose > 1 else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def _progress(args: argparse.Namespace):
    """A ``progress(stage, done, total)`` callback drawing tqdm bars on a terminal, else None."""
    if args.quiet or not sys.stderr.isatty():
        return None
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
    gazetteer = None
    if args.gazetteer and not rebuild:
        path = Path(args.gazetteer)
        if path.exists():
            check_file(path)
            gazetteer = Gazetteer(path)
    if gazetteer is None:
        if not rebuild and not args.quiet:
            target = Path(args.gazetteer) if args.gazetteer else default_path()
            if not target.exists():
                print(f"geomap: building the gazetteer in {target} (once; about a minute)", file=sys.stderr)
        gazetteer = open_default(args.gazetteer, progress=_progress(args), rebuild=rebuild)
    overlay = getattr(args, "gazetteer_overlay", None)
    if overlay:
        gazetteer = with_overlay(gazetteer, overlay)
    return gazetteer


def _pipeline(args: argparse.Namespace):
    options = ResolverOptions(prefer_country=args.prefer_country, bbox=args.bbox)
    return Pipeline(_open_gazetteer(args), model=args.model, options=options)


def _input_names(args: argparse.Namespace) -> list[str]:
    """The inputs given as arguments, then those listed by ``--files-from``."""
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
        stem = url_stem(first)
    if len(inputs) > 1:
        stem = f"{stem}-and-{len(inputs) - 1}-more"
    return Path("output") / f"{stem}{suffix}"


def _load_decisions(args: argparse.Namespace, gazetteer):
    """The ``--decisions`` file, validated against the gazetteer (``None`` without the option)."""
    if not getattr(args, "decisions", None):
        return None
    return load_decisions(args.decisions, gazetteer=gazetteer)


def _apply_decisions(decisions, documents: list, gazetteer) -> list:
    """Apply decisions; each stale one is a warning line on standard error."""
    if decisions is None:
        return documents
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
        logging.getLogger("geomap.review.decisions").addFilter(self._filter)

    def __exit__(self, *exc) -> None:
        logging.getLogger("geomap.review.decisions").removeFilter(self._filter)
