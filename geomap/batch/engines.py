"""Batch runs at scale: stream a corpus of any size to JSON Lines, in order, on every core.

A batch run reads :class:`~geomap.model.SourceDocument` objects lazily, processes them in batches
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
>>> from geomap.sources import read_inputs                                     # doctest: +SKIP
>>> report = run_jsonl(read_inputs(["corpus.jsonl"]), "places.jsonl",
...                    spec=PipelineSpec(), workers=2)                     # doctest: +SKIP
>>> report.written, report.failed                                         # doctest: +SKIP
(1000, 0)
"""

from __future__ import annotations

import json
import logging
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from ..errors import GeomapError
from ..extract import BATCH_SIZE
from ..model import Item, SourceDocument, UnreadableDocument
from ..outputs.export import to_jsonl_line
from .spec import PipelineSpec, pipeline_for

if TYPE_CHECKING:  # pragma: no cover
    from ..pipeline import Pipeline

__all__ = [
    "Outcome",
    "Progress",
    "BatchReport",
    "process",
    "process_chunk",
    "error_record",
    "ENGINES",
]

log = logging.getLogger(__name__)

ENGINES = ("local", "dask")
OnError = Literal["record", "skip"]

#: Documents handed to a worker at a time (a Dask partition or a process-pool task).
DEFAULT_CHUNK_SIZE = 64
#: Documents sent through ``nlp.pipe`` together inside a chunk.
DEFAULT_BATCH_SIZE = BATCH_SIZE


# -- results ---------------------------------------------------------------------------------


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
                            options=pipeline.options, scorer=pipeline.scorer)
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
