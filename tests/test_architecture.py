"""The package's shape: no import cycles at all, a small top level, and one meaning per module name.

The layering itself is checked by the import-linter contracts in ``pyproject.toml`` (``lint-imports``
in CI); these tests cover what a contract cannot express.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import grimp
import pytest

import bt_planner

PACKAGE = Path(bt_planner.__file__).parent


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("bt_planner", cache_dir=None)


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), i.e. every import cycle."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in edges.get(module, []):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1 or module in edges.get(module, []):
                found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_counting_lazy_imports_and_package_inits(graph: grimp.ImportGraph) -> None:
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: the same finder on a graph with a cycle reports it."""
    small = grimp.ImportGraph()
    for name in ("p", "p.a", "p.b", "p.c"):
        small.add_module(name)
    small.add_import(importer="p.a", imported="p.b")
    small.add_import(importer="p.b", imported="p.a")
    small.add_import(importer="p.c", imported="p.a")
    assert _cycles(small) == [["p.a", "p.b"]]


def test_top_level_holds_only_the_package_entry_points() -> None:
    modules = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert modules == ["__init__", "config", "errors"]


def test_no_two_modules_share_a_name() -> None:
    stems = Counter(p.stem for p in PACKAGE.rglob("*.py") if p.stem != "__init__")
    assert [stem for stem, count in stems.items() if count > 1] == []


def test_every_public_exception_derives_from_the_library_base() -> None:
    from bt_planner import errors

    public = [getattr(errors, name) for name in errors.__all__]
    assert all(issubclass(error, errors.BtPlannerError) for error in public)
