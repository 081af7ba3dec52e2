"""One exception tree: every error geomap raises derives from :class:`geomap.errors.GeomapError`
and is defined in :mod:`geomap.errors`, so a caller catches them all in one place."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import geomap
from geomap.batch import run_jsonl
from geomap.errors import GeomapError, GoldFormatError, InputError, NoDocuments



# Imported while the tests are collected, before pytest-socket blocks sockets: urllib3 (under
# folium) probes IPv6 with a socket on first import.
MODULES = [importlib.import_module(info.name) for info in pkgutil.walk_packages(geomap.__path__, "geomap.")
           if not info.name.endswith("__main__")]


def test_every_error_class_is_in_the_one_tree():
    assert len(MODULES) > 30
    strays = []
    for module in MODULES:
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__:
                if module.__name__ != "geomap.errors" or not issubclass(value, GeomapError):
                    strays.append(f"{module.__name__}.{name}")
    assert strays == []


def test_gold_format_errors_are_input_errors():
    error = GoldFormatError("gold.jsonl", 3, "no text")
    assert isinstance(error, InputError) and isinstance(error, ValueError)
    assert str(error) == "gold.jsonl:3: no text" and error.line == 3


def test_a_batch_run_of_no_documents_raises_the_typed_error(tmp_path):
    with pytest.raises(NoDocuments):
        run_jsonl([], tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
