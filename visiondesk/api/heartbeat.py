"""A turn never goes quiet: while its events stop coming (a silent server, a model thinking
before its first token) a `Waiting` event says so every few seconds, and while the app's retry
policy (api/retries.py) waits out a 429 a `RateLimitWait` counts down every second, from the
very wait it told the turn's RateWatch it will sleep.

The turn's events are read by one task of their own and handed over one at a time; silence is
noticed by a single timer that is moved, not made again, as events come — at 200 tokens/s a
task and a timed wait per event were a tenth of the window's CPU (under qasync every timer is a
QTimer)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import math
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from visiondesk.api.ratelimit import RateWatch, current
from visiondesk.events import Event, RateLimitWait, Waiting, ends_turn

WAITING_EVERY = 5.0
"""Seconds of silence between two Waiting events."""
COUNTDOWN_EVERY = 1.0
"""Seconds between two RateLimitWait events of a countdown."""


@dataclass(frozen=True, slots=True)
class _Failed:
    error: BaseException


class _End:
    """The events have run out."""


_END = _End()
_Item = Event | _Failed | _End


class _Handover:
    """Events from the reading task to the heartbeat, one at a time (the reader waits while
    one is not taken yet, so a turn is read no further ahead than before), and a wake-up at
    a moment: one timer, moved later in place as the moment moves."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._items: deque[_Item] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._space: asyncio.Future[None] | None = None
        self._poked = False
        self._due = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    async def put(self, item: _Item) -> None:
        while self._items:
            self._space = self._loop.create_future()
            try:
                await self._space
            finally:
                self._space = None
        self.put_nowait(item)

    def put_nowait(self, item: _Item) -> None:
        self._items.append(item)
        self._wake()

    def poke(self) -> None:
        self._poked = True
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def wake_at(self, due: float) -> None:
        """`get` returns None at `due` (loop time) if nothing came before."""
        self._due = due
        if self._timer is not None and self._timer_at <= due:
            return  # it rings first and then looks again: no new timer for each event
        if self._timer is not None:
            self._timer.cancel()
        self._timer, self._timer_at = self._loop.call_at(due, self._ring), due

    def _ring(self) -> None:
        self._timer = None
        if self._loop.time() >= self._due - 0.001:
            self.poke()
        else:
            self._timer, self._timer_at = self._loop.call_at(self._due, self._ring), self._due

    async def get(self) -> _Item | None:
        """The next item, or None when woken at the moment or by `poke`."""
        while not self._items and not self._poked:
            self._waiter = self._loop.create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        self._poked = False
        if not self._items:
            return None
        item = self._items.popleft()
        if self._space is not None and not self._space.done():
            self._space.set_result(None)
        return item

    def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None


async def _read(events: AsyncIterator[Event], handover: _Handover) -> None:
    """Read the turn's events into the handover; stop after the one that ends the turn (the
    heartbeat closes the generator where it yielded it)."""
    try:
        async for event in events:
            await handover.put(event)
            if ends_turn(event):
                return
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # the heartbeat stops reading: nobody waits for an item
        handover.put_nowait(_Failed(asyncio.CancelledError()))
    except Exception as error:
        handover.put_nowait(_Failed(error))
    handover.put_nowait(_END)


async def _listen(watch: RateWatch, handover: _Handover) -> None:
    """Every change of the rate-limit wait wakes the heartbeat at once."""
    while True:
        await watch.fired.wait()
        watch.fired.clear()
        handover.poke()


async def with_heartbeat(
    events: AsyncIterator[Event], server: str, every: float = WAITING_EVERY
) -> AsyncIterator[Event]:
    """Pass `events` through; after each `every` seconds without one, yield Waiting; while a
    429 is waited out, yield RateLimitWait each second."""
    loop = asyncio.get_running_loop()
    last = loop.time()
    quiet_due = last + every
    watch = RateWatch()
    context = contextvars.copy_context()
    context.run(current.set, watch)  # the requests, run in the reading task, report to it
    handover = _Handover(loop)
    reader = loop.create_task(_read(events, handover), context=context)
    listener = loop.create_task(_listen(watch, handover))
    counting = False
    try:
        while True:
            remaining = watch.remaining()
            handover.wake_at(loop.time() + COUNTDOWN_EVERY if remaining else quiet_due)
            item = await handover.get()
            remaining = watch.remaining()
            if remaining:
                counting = True
                yield RateLimitWait(float(math.ceil(remaining)), server)
            elif counting:  # the retry goes out now: silence is counted from here
                counting = False
                watch.clear()
                last = loop.time()
                quiet_due = last + every
                yield RateLimitWait(0.0, server)
            if item is None:
                if not remaining and loop.time() >= quiet_due - every * 0.1:
                    yield Waiting(round(loop.time() - last, 1), server)
                    quiet_due = loop.time() + every
                continue
            if isinstance(item, _End):
                return
            if isinstance(item, _Failed):
                raise item.error
            last = loop.time()
            quiet_due = last + every
            yield item
            if ends_turn(item):
                # The turn is over: end now, in this step, so the caller's task ends with it
                # (a Retry right after must not find the last send still running).
                return
    finally:
        handover.close()
        listener.cancel()  # not awaited: the turn ends in this very step (see above)
        if not reader.done():
            reader.cancel()  # the mode sees the cancellation where it waits (e.g. a run)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await reader
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
