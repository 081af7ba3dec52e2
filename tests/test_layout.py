"""The floor plan, checked from the source (issue #15): no import cycle among the project's
modules, no module importing from a package above it, project modules imported at the top of
files, and no file over 800 lines.

The import graph is read with :mod:`ast` (nothing is imported); ``if TYPE_CHECKING:`` blocks
are left out, as they never run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("geomap", "gazetteer")
MAX_LINES = 800
#: Data tables allowed over MAX_LINES.
DATA_TABLES = {"gazetteer/translit.py"}
#: Project modules that import a heavy library at their top, and so are imported lazily.
HEAVY = {"geomap.outputs.elements": "folium"}
BY_PACKAGE = pytest.mark.parametrize("package", ["geomap", "gazetteer"])


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(module: str) -> list[tuple[str, bool, int]]:
    """``(imported module, at the top of the file, line)`` for each project import of ``module``."""
    path, is_package = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool, int]] = []

    def targets(node: ast.Import | ast.ImportFrom) -> list[str]:
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names]
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        return [f"{prefix}.{a.name}" if f"{prefix}.{a.name}" in MODULES else prefix for a in node.names]

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                for target in targets(child):
                    if target.split(".")[0] in PACKAGES:
                        found.append((target, top, child.lineno))
            inner = top and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            visit(child, inner)

    visit(tree, True)
    return found


GRAPH = {m: sorted({t for t, _, _ in _imports(m) if t in MODULES and t != m}) for m in MODULES}


def test_the_import_graph_is_read():
    assert "geomap.sources.web" in GRAPH["geomap.sources.files"]
    assert "geomap.model" in GRAPH["geomap.pipeline"]


def _in(package: str, module: str) -> bool:
    return module == package or module.startswith(package + ".")


@BY_PACKAGE
def test_no_import_cycle(package):
    """Depth-first search over the project's imports (lazy ones included): a back edge is a cycle."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(module: str, stack: list[str]) -> None:
        state[module] = 1
        for target in GRAPH[module]:
            if state.get(target) == 1:
                cycles.append(stack[stack.index(target):] + [target])
            elif target not in state:
                visit(target, [*stack, target])
        state[module] = 2

    for module in sorted(GRAPH):
        if module not in state:
            visit(module, [module])
    cycles = [c for c in cycles if _in(package, c[0])]
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@BY_PACKAGE
def test_no_module_imports_from_a_package_above_it(package):
    """``from . import __version__`` in ``geomap/sources/web.py`` would run ``geomap/__init__.py``
    from inside the package it imports: shared things live in modules (``geomap._version``)."""
    upward = [f"{module} imports {target}" for module, targets in GRAPH.items() for target in targets
              if _in(package, module) and MODULES[target][1] and module.startswith(target + ".")]
    assert not upward, upward


def test_gazetteer_never_imports_geomap():
    """The gazetteer is importable on its own: geomap is built on it, never the other way."""
    assert not [f"{m} imports {t}" for m in GRAPH if _in("gazetteer", m) for t in GRAPH[m] if _in("geomap", t)]


@BY_PACKAGE
def test_project_modules_are_imported_at_the_top(package):
    lazy = [f"{MODULES[m][0].relative_to(ROOT)}:{line} imports {target} inside a function"
            for m in MODULES if _in(package, m)
            for target, top, line in _imports(m) if not top and target not in HEAVY]
    assert not lazy, "\n".join(lazy)


@pytest.mark.parametrize("module", sorted(HEAVY))
def test_a_heavy_module_is_imported_only_lazily(module):
    """Importing geomap, or running ``geomap places``, never loads folium."""
    at_top = [m for m in MODULES for target, top, _ in _imports(m) if target == module and top]
    assert not at_top, f"{module} loads {HEAVY[module]}: import it inside the function that needs it"


@BY_PACKAGE
def test_no_file_is_over_800_lines(package):
    long = {str(p.relative_to(ROOT)): n for m, (p, _) in MODULES.items()
            if _in(package, m) and (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    long = {name: n for name, n in long.items() if name not in DATA_TABLES}
    assert not long, long
