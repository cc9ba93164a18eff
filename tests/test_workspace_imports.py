"""The workspace's modules import each other one way only: the intents (attaching, sending,
library) see the workspace through the `Host` protocol, so no module of the package (or the
session it drives) is part of an import cycle."""

from __future__ import annotations

import grimp


def test_no_import_cycle_in_the_workspace() -> None:
    graph = grimp.build_graph("visiondesk")
    modules = sorted(
        m
        for m in graph.modules
        if m.startswith("visiondesk.workspace") or m == "visiondesk.session"
    )
    cycles = [
        (a, b)
        for a in modules
        for b in modules
        if a < b and graph.chain_exists(a, b) and graph.chain_exists(b, a)
    ]
    assert cycles == []
