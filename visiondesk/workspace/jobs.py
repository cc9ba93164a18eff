"""Background jobs with a success and a failure path (as Anki's `aqt.operations`).

A job is a coroutine started in a named group ("probe", "sweep", "attach:3", "send"). Every
outcome is handled: success calls `success(result)`, an exception (expected or not) calls
`failure(error)`, cancellation calls neither. Busy is derived from what runs, never set by hand.

Plain asyncio: under the window, qasync makes the Qt event loop an asyncio loop, so the same
helper runs the window's jobs and the headless tests' jobs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from visiondesk.workspace.signal import Signal

log = logging.getLogger(__name__)
T = TypeVar("T")


class Jobs:
    """The running jobs by group; `changed` fires whenever a group starts or ends."""

    def __init__(self, unhandled: Callable[[str, BaseException], None] | None = None) -> None:
        self._groups: dict[str, set[asyncio.Task[Any]]] = {}
        self._unhandled = unhandled
        self.changed: Signal[[]] = Signal()

    def start(
        self,
        group: str,
        coroutine: Coroutine[Any, Any, T],
        *,
        success: Callable[[T], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
    ) -> asyncio.Task[T]:
        task = asyncio.ensure_future(coroutine)
        self._groups.setdefault(group, set()).add(task)
        task.add_done_callback(lambda done: self._finished(group, done, success, failure))
        self.changed.emit()
        return task

    def _finished(
        self,
        group: str,
        task: asyncio.Task[T],
        success: Callable[[T], None] | None,
        failure: Callable[[BaseException], None] | None,
    ) -> None:
        tasks = self._groups.get(group, set())
        tasks.discard(task)
        if not tasks:
            self._groups.pop(group, None)
        try:
            if task.cancelled():
                return
            error = task.exception()
            if error is None:
                if success is not None:
                    success(task.result())
            elif failure is not None:
                failure(error)
            else:
                self._report(group, error)
        except Exception as handler_error:  # a broken handler must not break the loop
            self._report(group, handler_error)
        finally:
            self.changed.emit()

    def _report(self, group: str, error: BaseException) -> None:
        log.error("job %s failed", group, exc_info=error)
        if self._unhandled is not None:
            self._unhandled(group, error)

    def running(self, group: str) -> bool:
        return any(not task.done() for task in self._groups.get(group, ()))

    def groups(self, prefix: str = "") -> list[str]:
        return [name for name in self._groups if name.startswith(prefix)]

    @property
    def busy(self) -> bool:
        return any(self.running(group) for group in self._groups)

    def cancel(self, group: str) -> None:
        """Cancel every job of a group; a name ending in ":" cancels all groups it begins."""
        names = self.groups(group) if group.endswith(":") else [group]
        for name in names:
            for task in list(self._groups.get(name, ())):
                task.cancel()

    async def wait(self, group: str) -> None:
        """Until every job of the group has ended (however it ended) and its handlers ran."""
        tasks = list(self._groups.get(group, ()))
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0)  # done-callbacks run on the loop's next iteration

    async def aclose(self) -> None:
        """Cancel everything and let it unwind while the loop still runs."""
        tasks = [task for group in self._groups.values() for task in group]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0)
