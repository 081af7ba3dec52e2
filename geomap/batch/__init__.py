"""Batch runs at scale: stream a corpus of any size to JSON Lines, in order, on every core.

- :mod:`~geomap.batch.spec`: how a worker builds its pipeline (:class:`PipelineSpec`);
- :mod:`~geomap.batch.engines`: the engines (in process, a process pool, Dask) and what they
  yield (:class:`Outcome`);
- :mod:`~geomap.batch.jsonl`: :func:`run_jsonl`, writing the outcomes in order, resumably.

The corpus is read by :func:`geomap.sources.stream_inputs`.
"""

from __future__ import annotations

from ..model import SourceDocument, UnreadableDocument
from ..sources.files import stream_inputs
from ..sources.stream import count_documents
from .engines import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_CHUNK_SIZE,
    ENGINES,
    BatchReport,
    Outcome,
    Progress,
    error_record,
    process,
    process_chunk,
)
from .jsonl import partial_path, run_jsonl
from .spec import PipelineSpec, pipeline_for

__all__ = [
    "PipelineSpec",
    "Outcome",
    "Progress",
    "BatchReport",
    "UnreadableDocument",
    "SourceDocument",
    "process",
    "process_chunk",
    "error_record",
    "run_jsonl",
    "partial_path",
    "count_documents",
    "stream_inputs",
    "pipeline_for",
    "ENGINES",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_CHUNK_SIZE",
]
