"""Cycles are collected on the UI thread only (ui/main_thread_gc.py): a Qt object freed in a
worker thread left its timers registered, and Qt later fired them on freed memory."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from visiondesk.ui.main_thread_gc import MainThreadCollector


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


@pytest.fixture
def collections() -> Iterator[list[str]]:
    """The name of the thread each collection started in."""
    seen: list[str] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append(threading.current_thread().name)

    gc.callbacks.append(record)
    yield seen
    gc.callbacks.remove(record)


def test_cycles_made_in_a_worker_are_freed_on_the_ui_thread(
    qapp: QApplication, qtbot, collections: list[str]
) -> None:
    was_enabled = gc.isenabled()
    gc.enable()  # as at start-up: the collector is what turns automatic collection off
    collector = MainThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        last: list[weakref.ref[_Node]] = []

        def churn() -> None:  # far past generation 0's threshold, in a worker
            for _ in range(20 * gc.get_threshold()[0]):
                last[:] = [weakref.ref(_Node())]

        worker = threading.Thread(target=churn, name="churn")
        worker.start()
        worker.join(timeout=30)
        assert not worker.is_alive()
        assert "churn" not in collections
        qtbot.waitUntil(lambda: last[0]() is None, timeout=5000)
        assert collections and set(collections) == {threading.main_thread().name}
    finally:
        collector.stop()
        if was_enabled:
            gc.enable()
        else:
            gc.disable()


def test_stopping_gives_collection_back(qapp: QApplication) -> None:
    was_enabled = gc.isenabled()
    gc.enable()
    try:
        collector = MainThreadCollector()
        assert not gc.isenabled()
        collector.stop()
        assert gc.isenabled()
    finally:
        if not was_enabled:
            gc.disable()
