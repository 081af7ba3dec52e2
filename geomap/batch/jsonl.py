"""Writing a batch run to JSON Lines: in input order, flushed batch by batch, resumable.

Output lines are written whole and flushed batch by batch, so an interrupted run leaves only
complete lines (at worst one partial last line, which :func:`run_jsonl` with ``resume=True``
cuts off). Resuming checks that the ids already written are those of the first input
documents, skips those documents, and appends the rest: nothing is duplicated or lost.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from ..errors import GeomapError, InputError, NoDocuments, OutputError
from ..model import Item
from .engines import BatchReport, OnError, Outcome, Progress, process

__all__ = ["run_jsonl", "partial_path"]

log = logging.getLogger(__name__)


class _Previous:
    """The records a previous run wrote to OUT, read lazily (for ``resume``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.valid_bytes = 0
        self.lines = 0

    def scan(self) -> None:
        """Find where the complete, valid lines end (a partial last line is cut off later)."""
        with self.path.open("rb") as handle:
            offset = 0
            for number, raw in enumerate(handle, start=1):
                if not raw.endswith(b"\n"):
                    log.info("%s: dropping the partial last line %d", self.path, number)
                    break
                self._parse(raw, number)
                offset += len(raw)
                self.lines = number
        self.valid_bytes = offset

    def _parse(self, raw: bytes, number: int) -> str:
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str) or "places" not in record:
            raise OutputError(
                f"{self.path}:{number} is not a geomap record, so --resume cannot continue this "
                "file: give another -o path, or drop --resume to overwrite it")
        return record["id"]

    def ids(self) -> Iterator[str]:
        """The ids of the complete lines, in order."""
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number > self.lines:
                    return
                yield self._parse(raw, number)


def _skip_written(sources: Iterator[Item], previous: _Previous, on_error: OnError) -> tuple[int, int]:
    """Advance ``sources`` past the documents already written; returns (seen, resumed)."""
    seen = resumed = 0
    for number, doc_id in enumerate(previous.ids(), start=1):
        while True:
            source = next(sources, None)
            if source is None:
                raise InputError(
                    f"{previous.path}:{number} holds document {doc_id!r}, which the inputs do not "
                    "have (in that order): the output was written from other inputs; give another "
                    "-o path, or drop --resume to overwrite it")
            seen += 1
            if source.id == doc_id:
                resumed += 1
                break
            if on_error != "skip":
                raise InputError(
                    f"{previous.path}:{number} holds document {doc_id!r} where the inputs have "
                    f"{source.id!r}: the output was written from other inputs; give another -o "
                    "path, or drop --resume to overwrite it")
            # With on_error="skip" a document missing from the output had failed: skip it again.
            log.info("document %r is not in %s (it failed before): skipping it", source.id, previous.path)
    return seen, resumed


def run_jsonl(
    sources: Iterable[Item],
    out: str | os.PathLike[str] | IO[str] | None,
    *,
    resume: bool = False,
    on_error: OnError = "record",
    progress: Callable[[Progress], None] | None = None,
    on_failure: Callable[[Outcome], None] | None = None,
    **engine: Any,
) -> BatchReport:
    """Stream documents to a JSON Lines file, one record per document in input order.

    Parameters
    ----------
    sources
        The documents, read lazily.
    out
        A path, an open text stream (e.g. ``sys.stdout``), or ``None`` for standard output.
        A path is created (or emptied) only once the first batch is done, so that a run
        that fails to start leaves an existing file alone.
    resume
        Continue a previous run: keep the complete records already in ``out`` (checking that
        they belong to the first input documents), skip those documents and append the rest.
    on_error
        ``"record"``: a failing document gets an error line ``{"id", "error", "places": []}``;
        ``"skip"``: it gets no line. Either way ``on_failure`` hears of it.
    progress
        Called with a :class:`Progress` after every batch.
    on_failure
        Called with the :class:`Outcome` of every failing document.
    **engine
        Passed to :func:`process`: ``pipeline``, ``spec``, ``workers``, ``engine``,
        ``scheduler``, ``client``, ``chunk_size``, ``batch_size``, ``dask_processes``.

    Raises
    ------
    NoDocuments
        The inputs hold no documents.
    InputError
        A malformed input (everything before it is written; rerun with
        ``resume=True`` once fixed), or ``out`` was written from other inputs.
    OutputError
        ``out`` cannot be written, or (``resume``) is not a geomap output.
    """
    if on_error not in ("record", "skip"):
        raise ValueError(f"on_error must be 'record' or 'skip', not {on_error!r}")
    started = time.perf_counter()
    iterator = iter(sources)
    path: Path | None = None
    stream: IO[str] | None = None
    if out is None:
        stream = sys.stdout
    elif isinstance(out, (str, os.PathLike)):
        path = Path(out)
    else:
        stream = out

    seen = resumed = 0
    append = False
    # A path is written through ``OUT.partial``, renamed to OUT once the run is complete: an
    # earlier OUT is replaced only in full, and an interrupted run leaves its records in the
    # partial file, which ``resume`` continues.
    target = path
    if path is not None:
        path = partial_path(path)
    if resume:
        if path is None or target is None:
            raise ValueError("resume needs an output path")
        if not (path.exists() and path.stat().st_size) and target.exists() and target.stat().st_size:
            path = target  # a completed earlier run: continue it in place
        if path.exists() and path.stat().st_size:
            previous = _Previous(path)
            previous.scan()
            seen, resumed = _skip_written(iterator, previous, on_error)
            _truncate(path, previous.valid_bytes)
            append = True
            log.info("resuming after %d documents already in %s", resumed, path)

    written = failed = words = 0
    handle: IO[str] | None = stream
    opened = False
    complete = False

    def emit(lines: str) -> None:
        nonlocal handle, opened
        if handle is None:
            handle = _open_output(path, append)  # type: ignore[arg-type]
            opened = True
        handle.write(lines)
        handle.flush()

    def report_progress() -> None:
        if progress is not None:
            progress(Progress(done=seen, failed=failed, resumed=resumed, words=words,
                              elapsed=time.perf_counter() - started))

    if resumed:
        report_progress()
    chunks = process(iterator, **engine)
    try:
        try:
            for outcomes in chunks:
                lines = []
                for outcome in outcomes:
                    seen += 1
                    words += outcome.words
                    if outcome.error is not None:
                        failed += 1
                        if on_failure is not None:
                            on_failure(outcome)
                        if on_error == "skip":
                            continue
                    lines.append(outcome.line)
                    written += 1
                if lines:
                    emit("".join(lines))
                report_progress()
        except InputError as exc:
            if path is not None and seen > resumed:
                raise InputError(f"{exc} (the {seen} documents before it are in {path}: fix the input and "
                                 "rerun with --resume to continue)") from None
            raise
        except OSError as exc:
            if isinstance(exc, GeomapError) or path is None:
                raise
            raise OutputError(f"cannot write {path} ({exc.strerror or exc}): choose a writable -o path") from None
        if seen == 0:
            raise NoDocuments("the inputs hold no documents: give at least one article")
        if path is not None and not opened and not append:
            emit("")  # every document failed and was skipped: still leave an (empty) output
        complete = True
    finally:
        # Stop the engine now (worker processes, a Dask cluster), not whenever the suspended
        # generator is collected: after Ctrl-C that may be never, and the process would hang.
        chunks.close()
        if opened and handle is not None:
            handle.close()
    if path is not None and target is not None and path != target and complete:
        try:
            os.replace(path, target)
        except OSError as exc:
            raise OutputError(f"cannot write {target} ({exc.strerror or exc}): choose a writable -o path") from None
    return BatchReport(documents=seen, written=written, failed=failed, resumed=resumed, words=words,
                       seconds=time.perf_counter() - started)


def partial_path(path: str | os.PathLike[str]) -> Path:
    """Where a run writes ``path`` until it is complete (``OUT.partial``)."""
    path = Path(path)
    return path.with_name(path.name + ".partial")


def _truncate(path: Path, size: int) -> None:
    try:
        if path.stat().st_size != size:
            with path.open("r+b") as handle:
                handle.truncate(size)
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror or exc}): choose a writable -o path") from None


def _open_output(path: Path, append: bool) -> IO[str]:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open("a" if append else "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise OutputError(f"cannot write {path} ({exc.strerror or exc}): choose a writable -o path") from None
