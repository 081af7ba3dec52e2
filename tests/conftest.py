"""Shared fixtures.

Layers:
- unit tests use ``tiny_gazetteer``, a database built in a second from
  ``fixtures/tiny_gazetteer.yaml``;
- tests marked ``model`` load the real spaCy model, ``gazetteer`` the real embedded
  gazetteer (built once into ``$GEOMAP_CACHE_DIR`` or the user cache), ``browser`` drive
  headless Chromium. All run in CI; select with ``-m``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.fixture(scope="session")
def tiny_gazetteer_path(tmp_path_factory) -> Path:
    from gazetteer.build import build_from_records

    records = yaml.safe_load((FIXTURES / "tiny_gazetteer.yaml").read_text("utf-8"))
    path = tmp_path_factory.mktemp("gaz") / "tiny.sqlite"
    return build_from_records(path, records, name="tiny_gazetteer.yaml")


@pytest.fixture(scope="session")
def tiny_gazetteer(tiny_gazetteer_path):
    from gazetteer import Gazetteer

    return Gazetteer(tiny_gazetteer_path)


@pytest.fixture(scope="session")
def real_gazetteer():
    from gazetteer import open_default

    return open_default()


@pytest.fixture(scope="session")
def nlp():
    from geomap.extract import load_model

    return load_model()


@pytest.fixture(scope="session")
def real_pipeline(real_gazetteer, nlp):
    from geomap import Pipeline

    return Pipeline(real_gazetteer, nlp=nlp)


@pytest.fixture(scope="session")
def tiny_pipeline(tiny_gazetteer, nlp):
    from geomap import Pipeline

    return Pipeline(tiny_gazetteer, nlp=nlp)


@pytest.fixture()
def example_article() -> Path:
    return EXAMPLES / "frontline_report.txt"
