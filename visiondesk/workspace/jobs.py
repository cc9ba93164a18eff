"""Background jobs that always end (as Anki's `aqt.operations`, with cancellation as a third path).

A job is a coroutine started under a typed key: a `Group`, or a `Key` of a group and an item
(one job per attachment). It ends in exactly one `Outcome`, and the helper, not the coroutine,
calls the handler for it: `success(result)`, `failure(error)` (any exception, expected or not)
or `cancelled()`, and then `ended(outcome)`. A handler is where the model is made consistent, so
a job cancelled before its first step, or between two awaits, never leaves its entity half-way.
Busy is derived from what runs, never set by hand.

Plain asyncio: under the window, qasync makes the Qt event loop an asyncio loop, so the same
helper runs the window's jobs and the headless tests' jobs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from visiondesk.workspace.signal import Signal

log = logging.getLogger(__name__)
T = TypeVar("T")


class Group(Enum):
    """What a job is for; a group's jobs are cancelled and waited on together."""

    PROBE = "probe"
    SWEEP = "sweep"
    KEYCHAIN = "keychain"
    CLOSE = "close"
    SEND = "send"
    CLEANUP = "cleanup"
    ATTACH = "attach"
    """Preparing (and uploading) one attachment: keyed by its id (`Key(Group.ATTACH, id)`)."""
    OPEN = "open"
    PICTURES = "pictures"
    """The sidebar's pictures: each conversation's first image, decoded off the UI thread."""
    CHECK_HISTORY = "check-history"
    BACKUP = "backup"
    EXPORT = "export"
    DELETE_FILES = "delete-files"
    BATCH = "batch"
    COMPARE = "compare"
    """One compare column's turn: keyed by the column's id (`Key(Group.COMPARE, id)`)."""
    PROFILE_TEST = "profile-test"
    KEYCHAIN_WRITE = "keychain-write"
    DOCTOR = "doctor"
    REPAIR = "repair"
    """Repair the damaged history (a new file from every readable row); Send waits for it."""
    RESTORE = "restore"
    """Restore the history from a backup file; Send waits for it."""


@dataclass(frozen=True, slots=True)
class Key:
    """One job's key: its group, and the item it works on (an attachment's id), if any."""

    group: Group
    item: int | None = None

    def __str__(self) -> str:
        return self.group.value if self.item is None else f"{self.group.value} {self.item}"


class Outcome(Enum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


JobKey = Group | Key


def _key(key: JobKey) -> Key:
    return key if isinstance(key, Key) else Key(key)


class Jobs:
    """The running jobs by key; `changed` fires whenever a job starts or ends (after its
    handlers ran)."""

    def __init__(self, unhandled: Callable[[Key, BaseException], None] | None = None) -> None:
        self._jobs: dict[Key, set[asyncio.Task[Any]]] = {}
        self._unhandled = unhandled
        self.changed: Signal[[]] = Signal()

    def start(
        self,
        key: JobKey,
        coroutine: Coroutine[Any, Any, T],
        *,
        success: Callable[[T], None] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        cancelled: Callable[[], None] | None = None,
        ended: Callable[[Outcome], None] | None = None,
    ) -> asyncio.Task[T]:
        """Run `coroutine`; exactly one of `success`, `failure`, `cancelled` is called when it
        ends, however it ends (a failure without a handler is reported), then `ended`."""
        job = _key(key)
        task = asyncio.ensure_future(coroutine)
        self._jobs.setdefault(job, set()).add(task)
        task.add_done_callback(
            lambda done: self._finished(job, done, success, failure, cancelled, ended)
        )
        self.changed.emit()
        return task

    def _finished(
        self,
        key: Key,
        task: asyncio.Task[T],
        success: Callable[[T], None] | None,
        failure: Callable[[BaseException], None] | None,
        cancelled: Callable[[], None] | None,
        ended: Callable[[Outcome], None] | None,
    ) -> None:
        tasks = self._jobs.get(key, set())
        tasks.discard(task)
        if not tasks:
            self._jobs.pop(key, None)
        outcome = Outcome.CANCELLED
        try:
            if task.cancelled():
                if cancelled is not None:
                    cancelled()
            elif (error := task.exception()) is not None:
                outcome = Outcome.FAILED
                if failure is not None:
                    failure(error)
                else:
                    self._report(key, error)
            else:
                outcome = Outcome.SUCCEEDED
                if success is not None:
                    success(task.result())
        except Exception as handler_error:  # a broken handler must not break the loop
            self._report(key, handler_error)
        try:
            if ended is not None:
                ended(outcome)
        except Exception as handler_error:
            self._report(key, handler_error)
        finally:
            self.changed.emit()

    def _report(self, key: Key, error: BaseException) -> None:
        log.error("job %s failed", key, exc_info=error)
        if self._unhandled is not None:
            self._unhandled(key, error)

    def _matching(self, key: JobKey) -> list[Key]:
        """A `Group` names all its jobs (every attachment's); a `Key` names one."""
        if isinstance(key, Key):
            return [key] if key in self._jobs else []
        return [job for job in self._jobs if job.group is key]

    def running(self, key: JobKey) -> bool:
        return any(not task.done() for job in self._matching(key) for task in self._jobs[job])

    def keys(self, group: Group | None = None) -> list[Key]:
        """The keys with a job under way (of one group, if given)."""
        return [job for job in self._jobs if group is None or job.group is group]

    @property
    def busy(self) -> bool:
        return any(self.running(job) for job in list(self._jobs))

    def cancel(self, key: JobKey) -> None:
        """Cancel the job(s) of a key; a `Group` cancels every job of that group."""
        for job in self._matching(key):
            for task in list(self._jobs.get(job, ())):
                task.cancel()

    async def wait(self, key: JobKey) -> None:
        """Until every job of the key has ended (however it ended) and its handlers ran."""
        tasks = [task for job in self._matching(key) for task in self._jobs.get(job, ())]
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0)  # done-callbacks run on the loop's next iteration

    async def aclose(self) -> None:
        """Cancel everything and let it unwind (its handlers run) while the loop still runs."""
        tasks = [task for group in self._jobs.values() for task in group]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
            await asyncio.sleep(0)
