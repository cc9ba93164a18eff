"""Python's cycle collector runs only on the UI thread.

Left alone, a collection starts in whichever thread happens to allocate: an image preparing,
an upload, the history's writer. When it frees a cycle that holds a Qt object, the C++
destructor runs in that thread; Qt cannot stop a timer from another thread, so the timer
stays registered and fires on freed memory later (a segfault in `QTimerInfoList::
activateTimers`, seen in the window tests about once a run). The remedy is the one Qt
applications with Python threads use: automatic collection off, and the same thresholds
checked from a timer on the UI thread.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class MainThreadCollector(QObject):
    """Collects cycles on the UI thread while it lives; automatic collection is off meanwhile.

    Signals: none. It only owns its timer.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(collect_due)
        self._timer.start()

    def stop(self) -> None:
        """Back to the interpreter's own collection (at exit, or for a test)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def collect_due() -> int:
    """Collect the oldest generation past its threshold, as the interpreter would have;
    returns how many objects were unreachable. Call it on the UI thread."""
    counts = gc.get_count()
    thresholds = gc.get_threshold()
    for generation in (2, 1, 0):
        if thresholds[generation] and counts[generation] > thresholds[generation]:
            return gc.collect(generation)
    return 0


_frozen = False


def settle_memory() -> None:
    """Once start-up has imported the SDK and built its models (the first probe answered),
    move those long-lived objects out of the collector's sight, once: a full collection over
    them paused the UI ~50 ms."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
