"""What a batch worker runs: a small, picklable recipe for a pipeline, built once per worker."""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field

from gazetteer import LinearScorer, ResolverOptions

from ..pipeline import Pipeline, open_pipeline

__all__ = ["PipelineSpec", "pipeline_for"]

log = logging.getLogger(__name__)


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
    scorer
        The resolver's ranker (a :class:`~gazetteer.LinearScorer`, e.g. read with
        ``--ranker``); the shipped one when ``None``.
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
    scorer: LinearScorer | None = None

    def build(self) -> Pipeline:
        """A new pipeline (the gazetteer is opened now, the model loaded on first use)."""
        return open_pipeline(self.gazetteer, overlay=self.overlay, model=self.model, options=self.options,
                             scorer=self.scorer)


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
