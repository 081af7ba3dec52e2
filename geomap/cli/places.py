"""``geomap places``: the places found, as a table, JSON, GeoJSON, CSV, KML or JSON Lines
(``--format jsonl`` streams large corpora through :mod:`geomap.batch`)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from tqdm import tqdm

from gazetteer import Gazetteer

from .. import batch
from ..errors import InputError, NoDocuments
from ..outputs import export
from ..outputs.write import check_output, write_atomic
from ..sources.spanfile import read_span_file
from .session import EXIT_USAGE, Session, _apply_decisions

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import Pipeline


def _cmd_places(session: Session) -> int:
    args = session.args
    if args.spans:
        return _cmd_places_spans(session)
    inputs = session.inputs  # no INPUT, or a bad --files-from, is the first thing said
    if _streaming(args):
        return _cmd_places_stream(session)
    out = check_output(args.output, inputs) if args.output else None
    sources = session.sources()
    pipeline = session.pipeline()
    decisions = session.load_decisions(pipeline.gazetteer)
    documents = session.online(list(pipeline.parse_many(sources)))
    return _write_places(session, _apply_decisions(decisions, documents, pipeline.gazetteer), pipeline, out)


def _settle(pipeline: Pipeline) -> None:
    """Load the model now, then set what the whole run keeps (the model, the gazetteer, the
    modules) aside from the garbage collector (:func:`gc.freeze`), so that its collections stop
    walking them again and again (garbage collection 0.37 s -> 0.28 s in a 1,000-document run
    at a quiet load here, about 0.1 ms a document). The process is this command's own: nothing
    of a caller's is frozen."""
    pipeline.nlp
    gc.collect()
    gc.freeze()


def _cmd_places_spans(session: Session) -> int:
    """``places --spans FILE``: resolve the spans marked in the file's own texts."""
    args = session.args
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
        raise NoDocuments(f"{args.spans} holds no documents: give one JSON object with \"text\" and "
                          "\"toponyms\" a line")
    pipeline = session.pipeline()
    decisions = session.load_decisions(pipeline.gazetteer)
    parsed = pipeline.parse_many([source for source, _ in items], spans=[spans for _, spans in items])
    documents = _apply_decisions(decisions, session.online(list(parsed)), pipeline.gazetteer)
    return _write_places(session, documents, pipeline, out)


def _write_places(session: Session, documents: list, pipeline, out: Path | None) -> int:
    write = _writer(session.args.format, documents, pipeline.gazetteer)
    if out is None:
        write(sys.stdout)
    else:
        write_atomic(out, write)
        print(out)
    return session.status()


def _writer(output_format: str, documents: list, gazetteer: Gazetteer) -> Callable[[TextIO], None]:
    """What writes ``documents`` in the format to a text stream: JSON and JSON Lines a record at
    a time (the output of a long document is never held whole), the others as one text."""
    if output_format == "json":
        return lambda stream: export.write_json(documents, stream)
    if output_format == "jsonl":
        return lambda stream: stream.writelines(export.to_jsonl_line(d) for d in documents)
    if output_format == "geojson":
        text = export.to_geojson(documents, gazetteer=gazetteer)
    elif output_format == "csv":
        text = export.to_csv(documents)
    elif output_format == "kml":
        text = export.to_kml(documents, gazetteer=gazetteer)
    else:
        text = export.to_table(documents)
    return lambda stream: stream.write(text)


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


def _cmd_places_stream(session: Session) -> int:
    """``places --format jsonl``: stream the inputs to JSON Lines with flat memory."""
    args = session.args
    out = check_output(args.output, session.inputs) if args.output else None
    bar = None

    def say(message: str) -> None:
        if bar is not None:
            bar.write(message, file=sys.stderr)
        else:
            print(message, file=sys.stderr)

    def input_failed(_name: str, exc: InputError) -> None:
        say(f"geomap: error: {exc}")

    def document_failed(outcome) -> None:
        error = outcome.error if outcome.error.startswith(outcome.id) else f"{outcome.id}: {outcome.error}"
        say(f"geomap: error: document {error}" + ("" if args.on_error == "record" else " (skipped)"))

    items, keep = session.read(stream=True, on_error=input_failed)  # checks --since/--until now
    pipeline = session.pipeline()  # opens (or builds) the gazetteer before any output
    overlay = getattr(args, "gazetteer_overlay", None)
    if args.scheduler:  # workers elsewhere: they open their own copies of the named files
        spec = batch.PipelineSpec(gazetteer=str(Path(args.gazetteer).resolve()) if args.gazetteer else None,
                                  model=args.model, options=pipeline.options,
                                  overlay=str(Path(overlay).resolve()) if overlay else None, scorer=pipeline.scorer)
    else:  # workers on this machine open the very file this process opened (overlay included)
        spec = batch.PipelineSpec(gazetteer=str(Path(pipeline.gazetteer.path).resolve()), model=args.model,
                                  options=pipeline.options, scorer=pipeline.scorer)
    workers = args.workers or ((os.cpu_count() or 1) if args.engine == "dask" else 1)

    progress = None
    if not args.quiet and sys.stderr.isatty():
        total = None if keep.range.active else batch.count_documents(session.inputs)
        bar = tqdm(total=total, unit="doc", desc="geomap places", file=sys.stderr, dynamic_ncols=True)

        def progress(state) -> None:
            bar.n = state.done
            bar.set_postfix_str(f"{state.failed} failed" if state.failed else "", refresh=False)
            bar.refresh()

    if workers == 1 and args.engine == "local":
        _settle(pipeline)
    try:
        report = batch.run_jsonl(items, out, resume=args.resume, on_error=args.on_error, progress=progress,
                                 on_failure=document_failed, pipeline=pipeline if workers == 1 else None,
                                 spec=spec, workers=workers, engine=args.engine, scheduler=args.scheduler,
                                 chunk_size=args.chunk_size)
    except InputError as exc:
        read = keep.kept + keep.outside + keep.undated
        if not read and not session.failures and isinstance(exc, NoDocuments):
            raise session.no_documents() from None
        session.check_kept(keep)  # none of the documents read is in the date range: say so
        if not read and session.failures and isinstance(exc, NoDocuments):
            return EXIT_USAGE  # every input failed, each already reported on its line
        raise
    finally:
        if bar is not None:
            bar.close()
    session.report_kept(keep)
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
        if not session.failures:
            return EXIT_USAGE
    return session.status()
