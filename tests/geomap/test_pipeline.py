"""One way to open a gazetteer and build a pipeline (:func:`geomap.pipeline.open_gazetteer`,
:func:`~geomap.pipeline.open_pipeline`), shared by the CLI, batch workers and the Python API."""

from __future__ import annotations

import argparse

import pytest

import geomap.pipeline
from gazetteer import GazetteerCorrupt, ResolverOptions
from geomap.batch import PipelineSpec
from geomap.cli.session import Session
from geomap.pipeline import Pipeline, open_gazetteer, open_pipeline

_OVERLAY = """
places:
  - {id: "user:camp", name: Camp Azov Steppe, kind: other, lat: 46.9, lon: 35.1, country_code: ua}
"""


@pytest.fixture()
def overlay(tmp_path, monkeypatch):
    monkeypatch.setenv("GEOMAP_CACHE_DIR", str(tmp_path / "cache"))  # the overlaid copy goes here
    path = tmp_path / "mine.yaml"
    path.write_text(_OVERLAY, "utf-8")
    return path


def test_an_existing_database_is_opened_as_it_is(tiny_gazetteer_path):
    gazetteer = open_gazetteer(tiny_gazetteer_path)
    assert gazetteer.path == tiny_gazetteer_path
    assert gazetteer.lookup("Kharkiv")


def test_a_damaged_database_is_refused_before_it_is_read(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all")
    with pytest.raises(GazetteerCorrupt, match="bad.sqlite"):
        open_gazetteer(bad)
    assert bad.read_bytes() == b"not a database at all"  # a user's own file is never rebuilt over


def test_an_overlay_is_laid_over_a_copy(tiny_gazetteer_path, overlay):
    gazetteer = open_gazetteer(tiny_gazetteer_path, overlay=overlay)
    assert [m.place.id for m in gazetteer.lookup("Camp Azov Steppe")] == ["user:camp"]
    assert gazetteer.path != tiny_gazetteer_path
    assert not open_gazetteer(tiny_gazetteer_path).lookup("Camp Azov Steppe")


def test_open_pipeline_passes_model_and_options(tiny_gazetteer_path):
    options = ResolverOptions(prefer_country="UA")
    pipeline = open_pipeline(tiny_gazetteer_path, model="en_core_web_sm", options=options)
    assert pipeline.gazetteer.path == tiny_gazetteer_path
    assert pipeline.options == options and pipeline._model == "en_core_web_sm"


def test_the_cli_batch_workers_and_the_api_all_open_through_open_gazetteer(tiny_gazetteer_path, overlay,
                                                                           monkeypatch):
    calls = []
    real = geomap.pipeline.open_gazetteer

    def recording(path=None, **kwargs):
        calls.append((path, kwargs.get("overlay")))
        return real(tiny_gazetteer_path if path is None else path, **kwargs)

    monkeypatch.setattr(geomap.pipeline, "open_gazetteer", recording)
    worker = PipelineSpec(gazetteer=str(tiny_gazetteer_path), overlay=str(overlay)).build()
    args = argparse.Namespace(gazetteer=str(tiny_gazetteer_path), gazetteer_overlay=str(overlay), model=None,
                              prefer_country=None, bbox=None, quiet=True)
    command = Session(args).pipeline()
    api = Pipeline()  # geomap.default_pipeline() is one of these
    assert api.gazetteer.path == tiny_gazetteer_path
    assert calls == [(str(tiny_gazetteer_path), str(overlay)), (str(tiny_gazetteer_path), str(overlay)),
                     (None, None)]
    for pipeline in (worker, command):
        assert [m.place.id for m in pipeline.gazetteer.lookup("Camp Azov Steppe")] == ["user:camp"]
