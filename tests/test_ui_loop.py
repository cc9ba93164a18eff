"""The Qt/asyncio bridge must not leak references: PySide6 6.12.0 decremented None once per
qasync timer event until the process aborted ("none_dealloc") after a few minutes of use."""

from __future__ import annotations

import asyncio
import sys

import qasync
from PySide6.QtWidgets import QApplication

YIELD = 0


def test_many_loop_iterations_keep_none_and_false_alive(qapp: QApplication) -> None:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    async def spin() -> tuple[int, int]:
        none, false = sys.getrefcount(None), sys.getrefcount(False)
        for _ in range(3000):
            await asyncio.sleep(YIELD)  # one loop iteration, no waiting
        return sys.getrefcount(None) - none, sys.getrefcount(False) - false

    try:
        none_change, false_change = loop.run_until_complete(spin())
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert none_change > -100, f"None lost {-none_change} references in 3000 iterations"
    assert false_change > -100, f"False lost {-false_change} references"
