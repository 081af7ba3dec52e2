"""Shared fixtures.

Layers:
- unit tests use ``tiny_gazetteer``, a database built in a second from
  ``fixtures/tiny_gazetteer.yaml``;
- tests marked ``model`` load the real spaCy model, ``gazetteer`` the real embedded
  gazetteer (built once into ``$GEOMAP_CACHE_DIR`` or the user cache), ``browser`` drive
  headless Chromium. All run in CI; select with ``-m``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

FIXTURES = Path(__file__).parent / "fixtures"

# CI (.ci/run sets GEOMAP_HYPOTHESIS=ci) draws the same examples on every run, so a property
# test fails there only for a reason a rerun reproduces; a developer's runs keep drawing new
# examples, which is where new counterexamples are found (and then pinned with @example).
settings.register_profile("ci", derandomize=True)
if os.environ.get("GEOMAP_HYPOTHESIS") == "ci":
    settings.load_profile("ci")
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


#: Flags for Debian's Chromium run as root on a machine with a closed network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The Chromium to drive, or a test failure (a skip with GEOMAP_SKIP_BROWSER=1) saying why not."""
    from geomap.outputs.screenshot import ChromiumNotFound, find_chromium

    skip = os.environ.get("GEOMAP_SKIP_BROWSER") == "1"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        message = ("browser tests need the playwright package: pip install -e '.[test]' "
                   "(or set GEOMAP_SKIP_BROWSER=1 to skip them)")
        pytest.skip(message) if skip else pytest.fail(message, pytrace=False)
    try:
        return find_chromium()
    except ChromiumNotFound as exc:
        message = f"browser tests need Chromium: {exc} (or set GEOMAP_SKIP_BROWSER=1 to skip them)"
        pytest.skip(message) if skip else pytest.fail(message, pytrace=False)
    raise AssertionError("unreachable")  # pragma: no cover


@pytest.fixture(scope="module")
def browser(chromium_path) -> Iterator:
    """A headless Chromium driven by Playwright (``executable_path``, never ``playwright install``),
    with a fresh temporary profile; one per test module, closed with it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
