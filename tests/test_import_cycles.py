"""No import cycles: a module that needs another one's parts and is needed back by it is one
module in two files, or a table waiting to be written (api/snippets.py holds the renderers'
table so the mode modules can import its parts without it importing them back).

grimp (the graph import-linter checks) counts every import, including those inside functions
and under TYPE_CHECKING, so a cycle cannot hide in a function-level import."""

from __future__ import annotations

from collections.abc import Iterable

import grimp
import pytest

CHECKED = ("visiondesk",)
"""Every module of VisionDesk is held to no import cycle, function-level imports included."""


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected component of more than one module (or a module importing
    itself), each sorted, found with Tarjan's algorithm over the direct imports."""
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(start: str) -> None:  # iterative: the graph is deep enough for recursion limits
        work = [(start, iter(edges.get(start, ())))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            module, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(edges.get(child, ()))))
                elif child in on_stack:
                    low[module] = min(low[module], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
            if low[module] == index[module]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == module:
                        break
                if len(component) > 1 or module in edges.get(module, ()):
                    found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return sorted(found)


def touching(found: Iterable[list[str]], packages: Iterable[str]) -> list[list[str]]:
    """The cycles with a module in one of `packages` (a package or any module under it)."""
    prefixes = tuple(packages)

    def inside(module: str) -> bool:
        return any(module == p or module.startswith(p + ".") for p in prefixes)

    return [cycle for cycle in found if any(inside(module) for module in cycle)]


def describe(graph: grimp.ImportGraph, cycle: list[str]) -> str:
    """One cycle as its modules and, for each, the import that leads back round."""
    members = set(cycle)
    lines = [" ↔ ".join(cycle)]
    for module in cycle:
        for target in sorted(graph.find_modules_directly_imported_by(module) & members):
            for detail in graph.get_import_details(importer=module, imported=target):
                lines.append(f"    {module}:{detail['line_number']} imports {target}")
    return "\n".join(lines)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("visiondesk", cache_dir=None)


@pytest.mark.parametrize("packages", [CHECKED])
def test_no_import_cycles(graph: grimp.ImportGraph, packages: tuple[str, ...]) -> None:
    found = touching(cycles(graph), packages)
    assert not found, f"{len(found)} import cycle(s):\n" + "\n".join(
        describe(graph, cycle) for cycle in found
    )


def test_the_cycle_finder_finds_a_cycle() -> None:
    """A graph made by hand: a ↔ b is found (function-level or not), c → a is not a cycle."""
    made = grimp.ImportGraph()
    for name in ("pkg", "pkg.a", "pkg.b", "pkg.c", "other.d"):
        made.add_module(name)
    made.add_import(importer="pkg.a", imported="pkg.b", line_number=3, line_contents="import b")
    made.add_import(importer="pkg.b", imported="pkg.a", line_number=9, line_contents="import a")
    made.add_import(importer="pkg.c", imported="pkg.a", line_number=1, line_contents="import a")
    found = cycles(made)
    assert found == [["pkg.a", "pkg.b"]]
    assert touching(found, ["pkg.b"]) == found and touching(found, ["other"]) == []
    assert "pkg.b:9 imports pkg.a" in describe(made, found[0])
