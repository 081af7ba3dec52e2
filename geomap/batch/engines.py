"""Batch runs at scale: stream a corpus of any size to JSON Lines, in order, on every core.

A batch run reads :class:`~geomap.io.SourceDocument` objects lazily, processes them in batches
and writes one JSON Lines record per document, in input order, as soon as its batch is done.
Memory stays flat whatever the corpus size: at most a few batches are in flight.

Three engines run the same pipeline and give identical output:

- ``workers=1``: in this process;
- ``workers=N``: ``N`` worker processes (each opens the gazetteer and loads the spaCy model
  once), fed batches through a bounded window so that order is kept and memory stays flat;
- ``engine="dask"``: batches ("partitions") are submitted to a ``dask.distributed`` cluster,
  a ``LocalCluster`` when no scheduler address is given; each worker thread builds its
  pipeline once and keeps it.

A document that fails (an exception while processing it) is reported through ``on_failure``
with its id, and either recorded as an *error line* ``{"id": ..., "error": "...",
"places": []}`` (the default: one line per input document) or skipped. The rest of the run
goes on.

Output lines are written whole and flushed batch by batch, so an interrupted run leaves only
complete lines (at worst one partial last line, which :func:`run_jsonl` with ``resume=True``
cuts off). Resuming checks that the ids already written are those of the first input
documents, skips those documents, and appends the rest: nothing is duplicated or lost.

Examples
--------
>>> from geomap.io import read_inputs                                      # doctest: +SKIP
>>> report = run_jsonl(read_inputs(["corpus.jsonl"]), "places.jsonl",
...                    spec=PipelineSpec(), workers=2)                     # doctest: +SKIP
>>> report.written, report.failed                                         # doctest: +SKIP
(1000, 0)
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, Literal

from gazetteer import ResolverOptions

from .errors import GeomapError, InputError, OutputError
from .extract import BATCH_SIZE
from .io import SourceDocument

if TYPE_CHECKING:  # pragma: no cover
    from .pipeline import Pipeline

__all__ = [
    "PipelineSpec",
    "Outcome",
    "Progress",
    "BatchReport",
    "process",
    "run_jsonl",
    "count_documents",
    "pipeline_for",
    "ENGINES",
]

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
OnError = Literal["record", "skip"]

#: Documents handed to a worker at a time (a Dask partition or a process-pool task).
DEFAULT_CHUNK_SIZE = 64
#: Documents sent through ``nlp.pipe`` together inside a chunk.
DEFAULT_BATCH_SIZE = BATCH_SIZE


# -- what to run ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """How to build a :class:`~geomap.pipeline.Pipeline` in a worker: small and picklable.

    Parameters
    ----------
    gazetteer
        Path of the gazetteer database; the embedded one (built on first use in the worker's
        cache) when ``None``.
    model
        spaCy package name or path; the default English model when ``None``.
    options
        Resolver bias and thresholds.
    overlay
        A gazetteer overlay file (``--gazetteer-overlay``) to lay over the gazetteer in the
        worker; ``None`` when ``gazetteer`` already is the overlaid copy, or there is none.

    Examples
    --------
    >>> spec = PipelineSpec(gazetteer="/data/gazetteer.sqlite", model="en_core_web_sm")
    >>> spec.model
    'en_core_web_sm'
    """

    gazetteer: str | None = None
    model: str | None = None
    options: ResolverOptions = field(default_factory=ResolverOptions)
    overlay: str | None = None

    def build(self) -> Pipeline:
        """A new pipeline (the gazetteer is opened now, the model loaded on first use)."""
        from gazetteer import Gazetteer, open_default

        from .pipeline import Pipeline

        gazetteer = Gazetteer(self.gazetteer) if self.gazetteer else open_default()
        if self.overlay:
            from gazetteer.overlay import with_overlay

            gazetteer = with_overlay(gazetteer, self.overlay)
        return Pipeline(gazetteer, model=self.model, options=self.options)


_PIPELINES: dict[tuple[PipelineSpec, int, int], Pipeline] = {}
_PIPELINES_LOCK = threading.Lock()


def pipeline_for(spec: PipelineSpec) -> Pipeline:
    """The pipeline of ``spec`` for this process and thread, built once and then reused.

    Worker processes and Dask worker threads call this for every batch: the gazetteer is
    opened and the spaCy model loaded only on the first call. One pipeline per thread, as a
    spaCy pipeline is not meant to be shared between threads.
    """
    key = (spec, os.getpid(), threading.get_ident())
    with _PIPELINES_LOCK:
        pipeline = _PIPELINES.get(key)
    if pipeline is None:
        pipeline = spec.build()
        pipeline.nlp  # load the model now, not inside the first document's error handling
        with _PIPELINES_LOCK:
            pipeline = _PIPELINES.setdefault(key, pipeline)
        log.info("process %d built its pipeline (%s)", os.getpid(), spec)
    return pipeline


# -- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnreadableDocument:
    """A document of a corpus that could not be read (a malformed JSON line, an undecodable
    file in a directory): it flows through a run like a document and comes out as a failure.
    """

    id: str
    error: str


Item = SourceDocument | UnreadableDocument


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of one document: its JSON Lines record, or why it failed.

    ``index`` is the document's position in the input (0-based); ``line`` is the complete
    line to write (with its newline): the record, or an error line when ``error`` is set.
    """

    index: int
    id: str
    line: str
    error: str | None = None
    words: int = 0

    @property
    def ok(self) -> bool:
        """Whether the document was processed."""
        return self.error is None


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a run is, passed to the ``progress`` callback after every batch.

    ``done`` counts the documents finished (written, recorded as errors or skipped), including
    those a resumed run found already written (``resumed``).
    """

    done: int
    failed: int
    resumed: int
    words: int
    elapsed: float


@dataclass(frozen=True, slots=True)
class BatchReport:
    """What a run did."""

    documents: int  #: input documents seen, resumed ones included
    written: int  #: records written by this run (error lines included)
    failed: int  #: documents that failed (recorded as error lines, or skipped)
    resumed: int  #: documents found already written and skipped
    words: int  #: words in the documents processed by this run
    seconds: float  #: wall-clock time of this run

    @property
    def processed(self) -> int:
        """Documents processed by this run (failed ones included)."""
        return self.documents - self.resumed

    @property
    def docs_per_second(self) -> float:
        return self.processed / self.seconds if self.seconds > 0 else 0.0

    @property
    def words_per_second(self) -> float:
        return self.words / self.seconds if self.seconds > 0 else 0.0


def error_record(doc_id: str, error: str) -> dict[str, Any]:
    """The JSON Lines record of a document that failed: no places, and the reason."""
    return {"id": doc_id, "error": error, "places": []}


def _word_count(text: str) -> int:
    return len(text.split())


def _describe(exc: BaseException) -> str:
    message = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


# -- processing in one process ------------------------------------------------------------------


def process_chunk(pipeline: Pipeline, sources: Sequence[Item], start: int = 0, *,
                  batch_size: int = DEFAULT_BATCH_SIZE) -> list[Outcome]:
    """Process a list of documents with one pipeline; a failing document fails alone.

    The documents go through the pipeline together; if that raises, they are retried one by
    one so that only the culprit gets an error outcome. An :class:`UnreadableDocument` gets
    its error outcome without going through the pipeline.
    """
    from .export import to_jsonl_line

    if any(isinstance(s, UnreadableDocument) for s in sources):
        outcomes: list[Outcome] = []
        readable: list[SourceDocument] = []
        first = 0
        for i, item in enumerate([*sources, None]):
            if isinstance(item, SourceDocument):
                if not readable:
                    first = i
                readable.append(item)
                continue
            if readable:
                outcomes.extend(process_chunk(pipeline, readable, start + first, batch_size=batch_size))
                readable = []
            if item is not None:
                line = json.dumps(error_record(item.id, item.error), ensure_ascii=False) + "\n"
                outcomes.append(Outcome(start + i, item.id, line, item.error, 0))
        return outcomes
    try:
        documents = list(pipeline.parse_many(sources, batch_size=batch_size, window=max(len(sources), 1)))
        return [Outcome(start + i, d.id, to_jsonl_line(d), None, _word_count(s.text))
                for i, (s, d) in enumerate(zip(sources, documents, strict=True))]
    except Exception as exc:  # noqa: BLE001 - isolate the culprit below
        if len(sources) == 1:
            source = sources[0]
            log.debug("document %r failed", source.id, exc_info=True)
            error = _describe(exc)
            line = json.dumps(error_record(source.id, error), ensure_ascii=False) + "\n"
            return [Outcome(start, source.id, line, error, _word_count(source.text))]
    outcomes: list[Outcome] = []
    for i, source in enumerate(sources):
        outcomes.extend(process_chunk(pipeline, [source], start + i, batch_size=batch_size))
    return outcomes


def _to_wire(item: Item) -> tuple:
    # MappingProxyType does not pickle: send plain tuples to workers.
    if isinstance(item, UnreadableDocument):
        return (item.id, item.error)
    return (item.id, item.text, item.title, dict(item.metadata))


def _from_wire(item: tuple) -> Item:
    if len(item) == 2:
        return UnreadableDocument(*item)
    doc_id, text, title, metadata = item
    return SourceDocument(doc_id, text, title, MappingProxyType(metadata))


def _work(spec: PipelineSpec, items: list[tuple], start: int, batch_size: int) -> list[Outcome]:
    """A worker's task (process pool or Dask): one chunk of documents, in order."""
    pipeline = pipeline_for(spec)
    return process_chunk(pipeline, [_from_wire(i) for i in items], start, batch_size=batch_size)


def _worker_init() -> None:
    """Set up a pool worker: Ctrl-C is the parent's to handle (it stops the workers), and on
    Linux the worker ends with its parent even when the parent is killed outright."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - an unusual libc
            log.debug("cannot ask to end with the parent process", exc_info=True)


# -- engines -------------------------------------------------------------------------------------


def _chunks(sources: Iterable[Item], size: int) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    for source in sources:
        chunk.append(source)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _ordered(chunks: Iterator[list[Item]], submit: Callable[[list[Item], int], Any],
             window: int) -> Iterator[list[Outcome]]:
    """Submit chunks while at most ``window`` are in flight; yield their results in order.

    When reading the input fails (a malformed line), the chunks already submitted are still
    yielded before the error is raised, so that everything before the bad document is written.
    """
    pending: deque = deque()
    start = 0
    failure: BaseException | None = None
    try:
        while True:
            try:
                chunk = next(chunks)
            except StopIteration:
                break
            except GeomapError as exc:
                failure = exc
                break
            pending.append(submit(chunk, start))
            start += len(chunk)
            while len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
    if failure is not None:
        raise failure


class _Done:
    """A finished value with the interface of a future, for the in-process engine."""

    __slots__ = ("_value",)

    def __init__(self, value: Any) -> None:
        self._value = value

    def result(self) -> Any:
        return self._value

    def cancel(self) -> bool:
        return False


def process(
    sources: Iterable[Item],
    *,
    pipeline: Pipeline | None = None,
    spec: PipelineSpec | None = None,
    workers: int = 1,
    engine: str = "local",
    scheduler: str | None = None,
    client: Any = None,
    dask_processes: bool = True,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> Iterator[list[Outcome]]:
    """Process documents, streamed, and yield the outcomes chunk by chunk in input order.

    Parameters
    ----------
    sources
        The documents, read lazily (at most a few chunks are held at a time).
    pipeline
        The pipeline to use in this process (``workers=1``, local engine). Built from
        ``spec`` when not given.
    spec
        How workers build their pipeline (required for ``workers > 1`` and for Dask unless
        ``pipeline`` is given, whose gazetteer path and options are then used).
    workers
        Processes for the local engine; workers of the ``LocalCluster`` for Dask.
    engine
        ``"local"`` or ``"dask"``.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); a ``LocalCluster`` is
        started (and stopped at the end) when neither this nor ``client`` is given.
    client
        An existing ``dask.distributed.Client`` to use.
    dask_processes
        Whether the ``LocalCluster``'s workers are processes (``True``) or threads.
    chunk_size
        Documents per task (a Dask partition).
    batch_size
        Documents per ``nlp.pipe`` batch inside a task.

    Raises
    ------
    InputError
        Reading the input failed (after the outcomes of the documents before it).
    ModelError, GazetteerError
        A worker cannot build its pipeline.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    chunk_size = max(1, chunk_size)
    if spec is None and pipeline is not None and (workers > 1 or engine == "dask"):
        spec = PipelineSpec(gazetteer=str(pipeline.gazetteer.path), model=pipeline._model,
                            options=pipeline.options)
    chunks = _chunks(sources, chunk_size)

    if engine == "local" and workers == 1:
        local = pipeline

        def run_here(chunk: list[Item], start: int) -> _Done:
            nonlocal local
            if local is None:
                local = pipeline_for(spec or PipelineSpec())
            local.nlp  # a model or gazetteer that cannot load fails the run, not each document
            return _Done(process_chunk(local, chunk, start, batch_size=batch_size))

        yield from _ordered(chunks, run_here, window=1)
        return

    spec = spec or PipelineSpec()
    if engine == "local":
        yield from _process_pool(chunks, spec, workers, batch_size)
    else:
        yield from _dask(chunks, spec, workers, scheduler, client, dask_processes, batch_size)


def _process_pool(chunks: Iterator[list[Item]], spec: PipelineSpec, workers: int,
                  batch_size: int) -> Iterator[list[Outcome]]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    executor = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_init)
    def submit(chunk: list[Item], start: int):
        return executor.submit(_work, spec, [_to_wire(s) for s in chunk], start, batch_size)

    try:
        yield from _ordered(chunks, submit, window=2 * workers)
    except BaseException:
        # Interrupted (Ctrl-C, the consumer stopped) or failed: the chunks in flight will not
        # be written, so stop the workers at once rather than wait for them (after Ctrl-C an
        # orderly shutdown can wait forever on workers that never see their stop message).
        for worker in list((getattr(executor, "_processes", None) or {}).values()):
            worker.terminate()
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)


def _dask(chunks: Iterator[list[Item]], spec: PipelineSpec, workers: int, scheduler: str | None,
          client: Any, processes: bool, batch_size: int) -> Iterator[list[Outcome]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:  # pragma: no cover - depends on the installation
        raise GeomapError("the Dask engine needs dask.distributed: pip install 'geomap[dask]'") from None

    # distributed logs every start and stop at INFO level: keep that out of a run's output
    # unless geomap itself is asked for debug output.
    chatter = logging.getLogger("distributed")
    level = chatter.level
    if not log.isEnabledFor(logging.DEBUG):
        chatter.setLevel(logging.WARNING)
    own_client = own_cluster = None
    try:
        if client is None:
            if scheduler:
                try:
                    client = own_client = Client(scheduler, timeout="30s")
                except OSError as exc:
                    raise GeomapError(f"cannot reach the Dask scheduler {scheduler} ({exc}): check the "
                                      "address (tcp://HOST:8786) and that the scheduler runs") from None
            else:
                # Loopback only; the scheduler's web server on a free port (not 8787, which may
                # be taken by another cluster on the machine).
                own_cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=processes,
                                           host="127.0.0.1", dashboard_address="127.0.0.1:0")
                client = own_client = Client(own_cluster)
        threads = sum(client.nthreads().values()) or workers

        def submit(chunk: list[Item], start: int):
            # pure=False: identical chunks in two runs must not be served from a cache.
            return client.submit(_work, spec, [_to_wire(s) for s in chunk], start, batch_size, pure=False)

        yield from _ordered(chunks, submit, window=2 * threads)
    finally:
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()
        chatter.setLevel(level)


# -- writing JSON Lines --------------------------------------------------------------------------


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
    InputError
        No documents, a malformed input (everything before it is written; rerun with
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
            raise InputError("the inputs hold no documents: give at least one article")
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


# -- inputs --------------------------------------------------------------------------------------


def count_documents(inputs: Sequence[str]) -> int | None:
    """How many documents the inputs hold, when that is cheap to know (for a progress bar).

    A ``.jsonl`` file counts its non-blank lines (one fast pass over the bytes); a text or
    HTML file counts one. Standard input, compressed files and directories are not counted
    (``None``: the progress bar then shows the count and rate without an estimate of the time
    left).
    """
    total = 0
    for name in inputs:
        path = Path(name)
        if name == "-" or not path.is_file():
            return None
        suffixes = [s.lower() for s in path.suffixes]
        if suffixes and suffixes[-1] in (".gz", ".bz2", ".xz", ".zst"):
            return None
        if suffixes and suffixes[-1] in (".jsonl", ".ndjson"):
            try:
                total += _count_lines(path)
            except OSError:
                return None
        else:
            total += 1
    return total


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if not line.isspace())


_JSONL_NAMES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_GZIP_MAGIC = b"\x1f\x8b"

InputErrorHandler = Callable[[str, InputError], None]


def stream_inputs(
    inputs: Iterable[str],
    *,
    stdin: IO[bytes] | None = None,
    on_error: InputErrorHandler | None = None,
    follow: bool = False,
    fetch_options: Any = None,
) -> Iterator[Item]:
    """The documents of the inputs, read lazily and in order, for a batch run.

    The same inputs as :func:`geomap.io.read_inputs`, with the same ids, but nothing is held
    in memory beyond the document being read:

    - a ``.jsonl`` (or ``.jsonl.gz``) file is read line by line; a malformed line becomes an
      :class:`UnreadableDocument` (id ``FILE:LINE``, or the record's id when it has one) and
      reading goes on;
    - a directory is walked and each article file in it read in turn (a JSON Lines file in it
      line by line);
    - ``-`` (standard input) is read line by line when it holds JSON Lines (plain or gzip),
      else as one article, page or feed;
    - everything else (text, HTML, feeds, addresses) goes through
      :func:`~geomap.io.read_inputs`.

    Parameters
    ----------
    inputs
        Paths (files or directories), ``http(s)://`` addresses, or ``-``.
    stdin
        The stream ``-`` reads (default: the process's standard input).
    on_error
        Called as ``on_error(input, error)`` when an input (a named file, a file of a
        directory, an address) cannot be read; reading goes on with the next. Without it the
        error is raised.
    follow, fetch_options
        As for :func:`geomap.io.read_inputs`.

    Raises
    ------
    InputError
        An input cannot be read (only without ``on_error``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> corpus = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = corpus.write_text('{"id": "a", "text": "Kyiv"}\\n{"id": \\n', encoding="utf-8")
    >>> [(type(d).__name__, d.id) for d in stream_inputs([str(corpus)])]   # doctest: +ELLIPSIS
    [('SourceDocument', 'a'), ('UnreadableDocument', '...c.jsonl:2')]
    """
    from . import io as gio
    from .web import is_url

    def guarded(name: str, items: Iterator[Item]) -> Iterator[Item]:
        try:
            yield from items
        except InputError as exc:
            if on_error is None:
                raise
            on_error(name, exc)

    for name in inputs:
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from guarded("-", _stream_stdin(stream, follow, fetch_options))
            continue
        path = Path(name)
        if is_url(name):
            yield from gio.read_inputs([name], follow=follow, fetch_options=fetch_options, on_error=on_error)
        elif path.is_dir():
            try:
                files = list(gio._walk(path))
            except InputError as exc:
                if on_error is None:
                    raise
                on_error(name, exc)
                continue
            for file, doc_id in files:
                if file.name.lower().endswith(_JSONL_NAMES):
                    yield from guarded(str(file), _stream_jsonl(file))
                else:
                    yield from guarded(str(file), gio._read_path(file, doc_id, follow, fetch_options))
        elif name.lower().endswith(_JSONL_NAMES) and path.is_file():
            yield from guarded(name, _stream_jsonl(path))
        else:
            yield from gio.read_inputs([name], follow=follow, fetch_options=fetch_options, on_error=on_error)


def _jsonl_stem(name: str) -> str:
    for suffix in _JSONL_NAMES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _stream_jsonl(path: Path) -> Iterator[Item]:
    """The documents of a JSON Lines file (``.gz`` too), one line at a time."""
    import zlib

    try:
        if path.name.lower().endswith(".gz"):
            import gzip

            handle: IO[bytes] = gzip.open(path, "rb")
        else:
            handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path} cannot be read ({exc.strerror or exc}): check the path") from None
    with handle:
        yield from _jsonl_lines(handle, str(path), _jsonl_stem(path.name), broken=(OSError, EOFError, zlib.error))


def _jsonl_lines(lines: Iterable[bytes], where: str, stem: str, *,
                 broken: tuple[type[BaseException], ...] = (OSError,)) -> Iterator[Item]:
    """The documents of JSON Lines read from ``lines``; ``where`` names the source in messages."""
    from .io import METADATA_KEYS

    number = documents = 0
    iterator = iter(lines)
    while True:
        try:
            raw = next(iterator)
        except StopIteration:
            break
        except broken as exc:  # unreadable, or a broken compressed stream
            after = f"after line {number}" if number else "at all"
            raise InputError(f"{where} cannot be read {after} ({exc}): give an intact, readable file") from None
        number += 1
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        documents += 1
        yield _jsonl_record(raw, f"{where}:{number}", f"{stem}-{number}", METADATA_KEYS)
    if documents == 0:
        raise InputError(f"{where} is empty: give one JSON object per line")


class _Prefixed:
    """A binary stream with some bytes already read from it put back in front."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            data, self._head = self._head + self._rest.read(), b""
            return data
        if self._head:
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._rest.read(size)

    def readline(self, size: int = -1) -> bytes:
        if self._head:
            cut = self._head.find(b"\n")
            if cut >= 0:
                data, self._head = self._head[:cut + 1], self._head[cut + 1:]
                return data
            data, self._head = self._head + self._rest.readline(), b""
            return data
        return self._rest.readline()

    def __iter__(self) -> Iterator[bytes]:
        while True:
            line = self.readline()
            if not line:
                return
            yield line


def _stream_stdin(stream: IO[bytes], follow: bool, fetch_options: Any) -> Iterator[Item]:
    """Standard input: JSON Lines (plain or gzip) line by line, else one article, page or feed."""
    from .io import _documents_from_bytes

    head = stream.read(2)
    source: Any = _Prefixed(head, stream)
    compressed = head.startswith(_GZIP_MAGIC)
    if compressed:
        import gzip
        import zlib

        source = gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[arg-type]
        yield from _jsonl_lines(source, "<stdin>", "stdin", broken=(OSError, EOFError, zlib.error))
        return
    skipped = b""
    line = source.readline()
    while line and not line.strip():  # blank lines before the first record
        skipped += line
        line = source.readline()
    if _is_json_object(line):
        yield from _jsonl_lines(_Prefixed(skipped + line, source), "<stdin>", "stdin")
        return
    data = skipped + line + source.read()
    yield from _documents_from_bytes("<stdin>", "stdin", data, follow=follow, fetch_options=fetch_options)


def _is_json_object(line: bytes) -> bool:
    if not line.lstrip(b"\xef\xbb\xbf \t").startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(line.decode("utf-8-sig")), dict)
    except (UnicodeDecodeError, ValueError):
        return False


def _jsonl_record(raw: bytes, where: str, default_id: str, metadata_keys: Sequence[str]) -> Item:
    """One line of a JSONL corpus: a document, or why it is unreadable (same rules as
    :func:`geomap.io.read_inputs`, except that duplicate ids are not looked for: that would
    need memory that grows with the corpus)."""
    try:
        record = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        return UnreadableDocument(where, f"{where}: not valid UTF-8 (byte {exc.start}): fix or remove that line")
    except json.JSONDecodeError as exc:
        return UnreadableDocument(where, f"{where}: not valid JSON ({exc.msg}): fix or remove that line")
    if not isinstance(record, dict):
        return UnreadableDocument(where, f"{where}: expected a JSON object with \"id\" and \"text\"")
    doc_id = record.get("id", default_id)
    if not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool):
        return UnreadableDocument(where, f"{where}: \"id\" must be a string or a number")
    doc_id = str(doc_id)
    body = record.get("text")
    if not isinstance(body, str):
        return UnreadableDocument(doc_id, f"{where}: \"text\" is missing or not a string")
    title = record.get("title")
    metadata = {k: str(v) for k, v in record.items() if k in metadata_keys and v is not None}
    return SourceDocument(doc_id, body, title if isinstance(title, str) else None, MappingProxyType(metadata))
