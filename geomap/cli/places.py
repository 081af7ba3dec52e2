"""``geomap places``: the places found, as a table, JSON, GeoJSON, CSV, KML or JSON Lines
(``--format jsonl`` streams large corpora through :mod:`geomap.batch`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

from .. import batch
from ..errors import InputError
from ..outputs import export
from ..outputs.write import check_output, write_atomic
from ..sources.spanfile import read_span_file
from ..sources.web import FetchOptions
from ..timeline import DateRange
from .session import (
    EXIT_USAGE,
    _apply_decisions,
    _input_names,
    _load_decisions,
    _online,
    _pipeline,
    _sources,
    _status,
)


def _cmd_places(args: argparse.Namespace) -> int:
    if args.spans:
        return _cmd_places_spans(args)
    args.inputs = _input_names(args)
    if _streaming(args):
        return _cmd_places_stream(args)
    out = check_output(args.output, args.inputs) if args.output else None
    sources = _sources(args)
    pipeline = _pipeline(args)
    decisions = _load_decisions(args, pipeline.gazetteer)
    documents = _online(args, list(pipeline.parse_many(sources)))
    return _write_places(args, _apply_decisions(decisions, documents, pipeline.gazetteer), pipeline, out)


def _cmd_places_spans(args: argparse.Namespace) -> int:
    """``places --spans FILE``: resolve the spans marked in the file's own texts."""
    given = [name for name, on in (("INPUT", args.inputs), ("--files-from", args.files_from),
                                   ("--since", args.since), ("--until", args.until), ("--workers", args.workers),
                                   ("--resume", args.resume), ("--engine dask", args.engine != "local"),
                                   ("--scheduler", args.scheduler), ("--on-error record", args.on_error != "skip"))
             if on]
    if given:
        raise InputError(f"--spans {args.spans} brings its own texts and is read in one process: "
                         f"drop {given[0]} (or drop --spans)")
    out = check_output(args.output, [args.spans]) if args.output else None
    items = list(read_span_file(args.spans))  # checked in full before the model loads
    if not items:
        raise InputError(f"{args.spans} holds no documents: give one JSON object with \"text\" and "
                         "\"toponyms\" a line")
    pipeline = _pipeline(args)
    decisions = _load_decisions(args, pipeline.gazetteer)
    parsed = pipeline.parse_many([source for source, _ in items], spans=[spans for _, spans in items])
    documents = _apply_decisions(decisions, _online(args, list(parsed)), pipeline.gazetteer)
    return _write_places(args, documents, pipeline, out)


def _write_places(args: argparse.Namespace, documents: list, pipeline, out: Path | None) -> int:
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
