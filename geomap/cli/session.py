"""What every command shares: one :class:`Session` per run.

A session turns the parsed options into the library's own values (a :class:`~geomap.pipeline.Pipeline`
from :func:`~geomap.pipeline.open_pipeline`, :class:`~geomap.sources.web.FetchOptions`, a
:class:`~geomap.timeline.DateRange`), reads and checks the inputs, and keeps what the run learns
(the inputs that failed) for the exit status. The argparse namespace is read here and never
written to, nor passed to the library.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from gazetteer import HAND_TUNED, Gazetteer, ResolverOptions, Scorer, load_scorer
from gazetteer.files import default_path

from ..errors import InputError, NoDocuments
from ..model import Item
from ..online import NominatimGeocoder, resolve_unresolved
from ..pipeline import Pipeline, open_gazetteer, open_pipeline
from ..review.decisions import Decisions, apply_decisions, load_decisions
from ..sources.files import read_file_list, read_inputs
from ..sources.limits import max_chars_from
from ..sources.web import FetchOptions, url_stem
from ..timeline import DateFilter, DateRange

log = logging.getLogger("geomap")

EXIT_USAGE = 2

#: Called as ``on_error(input, error)`` for an input that cannot be read.
OnInputError = Callable[[str, InputError], None]


def _setup_logging(args: argparse.Namespace) -> None:
    level = logging.WARNING if args.quiet else (logging.INFO if args.verbose == 1 else
                                                logging.DEBUG if args.verbose > 1 else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


@dataclass
class Session:
    """One run of a command: its options, its inputs, and the inputs that failed."""

    args: argparse.Namespace
    #: One line per input that could not be read (each already reported on standard error).
    failures: list[str] = field(default_factory=list)
    _inputs: list[str] | None = None

    @property
    def quiet(self) -> bool:
        return self.args.quiet

    # -- the gazetteer and the pipeline ---------------------------------------------------------

    def progress(self):
        """A ``progress(stage, done, total)`` callback drawing tqdm bars on a terminal, else None."""
        if self.quiet or not sys.stderr.isatty():
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

    def _announce_build(self) -> None:
        """Say so before the embedded gazetteer is built (about a minute, once)."""
        path = self.args.gazetteer
        if self.quiet or (path and Path(path).exists()):
            return
        target = Path(path) if path else default_path()
        if not target.exists():
            print(f"geomap: building the gazetteer in {target} (once; about a minute)", file=sys.stderr)

    def gazetteer(self, *, rebuild: bool = False) -> Gazetteer:
        """The gazetteer of ``--gazetteer`` and ``--gazetteer-overlay`` (see :func:`open_gazetteer`)."""
        if not rebuild:
            self._announce_build()
        return open_gazetteer(self.args.gazetteer, overlay=getattr(self.args, "gazetteer_overlay", None),
                              progress=self.progress(), rebuild=rebuild)

    def pipeline(self) -> Pipeline:
        """The pipeline of ``--gazetteer``, ``--model``, ``--prefer-country`` and ``--bbox``."""
        args = self.args
        options = ResolverOptions(prefer_country=args.prefer_country, bbox=args.bbox)
        self._announce_build()
        return open_pipeline(args.gazetteer, overlay=getattr(args, "gazetteer_overlay", None), model=args.model,
                             options=options, progress=self.progress(), scorer=self.scorer())

    def scorer(self) -> Scorer | None:
        """The ranker ``--ranker`` (or ``GEOMAP_RANKER``) names: a model file, ``hand`` for the
        hand-tuned weights, or ``None`` for the one shipped in the package."""
        name = getattr(self.args, "ranker", None) or os.environ.get("GEOMAP_RANKER") or None
        if name is None:
            return None
        return HAND_TUNED if name == "hand" else load_scorer(name)

    # -- inputs ---------------------------------------------------------------------------------

    @property
    def inputs(self) -> list[str]:
        """The inputs given as arguments, then those listed by ``--files-from``."""
        if self._inputs is not None:
            return self._inputs
        names = list(self.args.inputs)
        files_from = getattr(self.args, "files_from", None)
        if files_from:
            if files_from == "-" and "-" in names:
                raise InputError("standard input cannot be both an INPUT ('-') and --files-from -: use one")
            names += read_file_list(files_from)
        if not names:
            raise InputError("no INPUT given: name article files, directories or addresses, or use --files-from")
        self._inputs = names
        return names

    def max_chars(self) -> int:
        """``--max-chars``, else ``GEOMAP_MAX_CHARS``, else the default bound on text per document."""
        given = getattr(self.args, "max_chars", None)
        return given if given is not None else max_chars_from()

    def date_range(self) -> DateRange:
        """The range of ``--since`` and ``--until`` (inactive without them)."""
        try:
            return DateRange(getattr(self.args, "since", None), getattr(self.args, "until", None))
        except ValueError as exc:
            raise InputError(f"{exc}: swap them") from None

    def read(self, *, stream: bool = False, on_error: OnInputError | None = None) -> tuple[Iterator[Item], DateFilter]:
        """The documents of the inputs, lazily, with the date filter that keeps them.

        Every input failure goes to :attr:`failures` (and to ``on_error`` when given). With
        ``--follow`` and a date range, only the pages of the feed items in the range are
        fetched. ``stream`` is the reader's streaming mode (batch runs).
        """
        inputs = self.inputs
        date_range = self.date_range()
        options = FetchOptions(timeout=getattr(self.args, "timeout", 20.0),
                               max_bytes=int(getattr(self.args, "max_size", 10.0) * 1e6))
        follow = getattr(self.args, "follow", False)
        if follow and date_range.active:  # never fetch the pages of feed items the range leaves out
            follow = lambda metadata: date_range.contains(metadata.get("date")) is True  # noqa: E731

        def failed(name: str, exc: InputError) -> None:
            self.failures.append(str(exc))
            if on_error is not None:
                on_error(name, exc)

        keep = DateFilter(date_range)
        documents = read_inputs(inputs, follow=follow, fetch_options=options, on_error=failed, stream=stream,
                                max_chars=self.max_chars())
        return keep(documents), keep

    def no_documents(self) -> NoDocuments:
        return NoDocuments(f"{', '.join(self.inputs)} holds no documents: give at least one article")

    def check_kept(self, keep: DateFilter) -> None:
        """Refuse a date range that keeps none of the documents read."""
        read = keep.kept + keep.outside + keep.undated
        if keep.range.active and not keep.kept and read:
            raise InputError(f"none of the {read} document(s) is dated {keep.range.describe()} "
                             f"({keep.dropped()}): widen --since/--until")

    def report_kept(self, keep: DateFilter) -> None:
        """Say how many documents the date range kept (nothing without a range, or with -q)."""
        if keep.range.active and not self.quiet:
            read = keep.kept + keep.outside + keep.undated
            dropped = keep.dropped()
            print(f"geomap: kept {keep.kept} of {read} document(s) dated {keep.range.describe()}"
                  + (f" (left out: {dropped})" if dropped else ""), file=sys.stderr)

    def sources(self) -> list:
        """Read and check every input before any heavy work or any output.

        An input that fails is reported on one line; the run goes on with the others (and ends
        with status 2, see :meth:`status`). When no input could be read, the last failure is
        raised so that the run stops with nothing written.
        """
        documents, keep = self.read()
        sources = list(documents)
        read = keep.kept + keep.outside + keep.undated
        if not read and self.failures:
            for message in self.failures[:-1]:
                print(f"geomap: error: {message}", file=sys.stderr)
            raise InputError(self.failures[-1])
        for message in self.failures:
            print(f"geomap: error: {message}", file=sys.stderr)
        if not read:
            raise self.no_documents()
        self.check_kept(keep)
        self.report_kept(keep)
        return sources

    def status(self) -> int:
        """0, or 2 when some inputs failed (the output then holds the documents of the others)."""
        if not self.failures:
            return 0
        print(f"geomap: {len(self.failures)} input(s) failed (see above); the output holds the other documents",
              file=sys.stderr)
        return EXIT_USAGE

    # -- after the pipeline ---------------------------------------------------------------------

    def online(self, documents: list) -> list:
        """With ``--online``, look the unresolved mentions up online; otherwise nothing happens."""
        if not getattr(self.args, "online", None):
            return documents
        geocoder = NominatimGeocoder(user_agent=self.args.user_agent)
        try:
            documents = resolve_unresolved(documents, geocoder)
        finally:
            geocoder.cache.close()
        stats = geocoder.stats
        if not self.quiet and (stats.requests or stats.cached):
            print(f"geomap: online ({geocoder.url}): {stats.found} mention(s) resolved; "
                  f"{stats.requests} name(s) asked, {stats.cached} from the cache", file=sys.stderr)
        return documents

    def load_decisions(self, gazetteer: Gazetteer) -> Decisions | None:
        """The ``--decisions`` file, validated against the gazetteer (``None`` without the option)."""
        if not getattr(self.args, "decisions", None):
            return None
        return load_decisions(self.args.decisions, gazetteer=gazetteer)

    def default_output(self, suffix: str) -> Path:
        return _default_output(self.inputs, suffix)


def _default_output(inputs: Sequence[str], suffix: str) -> Path:
    first = inputs[0]
    stem = "stdin" if first == "-" else Path(first).stem or "map"
    if first[:8].lower().startswith(("http://", "https://")):
        stem = url_stem(first)
    if len(inputs) > 1:
        stem = f"{stem}-and-{len(inputs) - 1}-more"
    return Path("output") / f"{stem}{suffix}"


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
