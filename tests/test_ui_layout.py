"""ui/ is laid out by feature (CONTRIBUTING.md): a few modules at its top, everything else in
feature packages and the shared widgets, and no import cycle among its modules. Which package
may import which is the import-linter contracts' job (pyproject.toml); this checks the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

UI = Path(__file__).resolve().parent.parent / "visiondesk" / "ui"
TOP_MODULES_AT_MOST = 8


def test_at_most_eight_modules_sit_directly_in_ui() -> None:
    top = sorted(path.name for path in UI.glob("*.py"))
    assert len(top) <= TOP_MODULES_AT_MOST, top
    packages = sorted(path.parent.name for path in UI.glob("*/__init__.py"))
    assert {"window", "widgets", "attachments", "transcript", "history"} <= set(packages)


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import one another, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in imports[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = [stack.pop()]
            while group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in imports:
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_ui() -> None:
    grimp = pytest.importorskip("grimp")  # comes with import-linter (the dev extra)
    graph = grimp.build_graph("visiondesk")
    ui = {module for module in graph.modules if module.startswith("visiondesk.ui")}
    imports = {
        module: {other for other in graph.find_modules_directly_imported_by(module) if other in ui}
        for module in ui
    }
    assert _cycles(imports) == []
