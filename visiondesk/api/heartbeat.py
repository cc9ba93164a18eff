"""A turn never goes quiet: while its events stop coming (a silent server, a model thinking
before its first token) a `Waiting` event says so every few seconds, and while the app's retry
policy (api/retries.py) waits out a 429 a `RateLimitWait` counts down every second, from the
very wait it told the turn's RateWatch it will sleep."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import math
from collections.abc import AsyncIterator
from typing import Any

from visiondesk.api.ratelimit import RateWatch, current
from visiondesk.events import Event, RateLimitWait, Waiting, ends_turn

WAITING_EVERY = 5.0
"""Seconds of silence between two Waiting events."""
COUNTDOWN_EVERY = 1.0
"""Seconds between two RateLimitWait events of a countdown."""


async def with_heartbeat(
    events: AsyncIterator[Event], server: str, every: float = WAITING_EVERY
) -> AsyncIterator[Event]:
    """Pass `events` through; after each `every` seconds without one, yield Waiting; while a
    429 is waited out, yield RateLimitWait each second."""
    loop = asyncio.get_running_loop()
    last = loop.time()
    watch = RateWatch()
    context = contextvars.copy_context()
    context.run(current.set, watch)  # the requests, run in the task below, report to it
    pending: asyncio.Task[Event] | None = None
    fired: asyncio.Task[Any] | None = None
    counting = False
    try:
        while True:
            if pending is None:
                pending = loop.create_task(_next(events), context=context)
            if fired is None:
                fired = loop.create_task(watch.fired.wait())
            remaining = watch.remaining()
            timeout = min(every, COUNTDOWN_EVERY) if remaining else every
            waits: set[asyncio.Task[Any]] = {pending, fired}
            done, _ = await asyncio.wait(
                waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if fired in done:
                watch.fired.clear()
                fired = None
            remaining = watch.remaining()
            if remaining:
                counting = True
                yield RateLimitWait(float(math.ceil(remaining)), server)
            elif counting:  # the retry goes out now: silence is counted from here
                counting = False
                watch.clear()
                last = loop.time()
                yield RateLimitWait(0.0, server)
            if pending not in done:
                if not done and not remaining and loop.time() - last >= every * 0.9:
                    yield Waiting(round(loop.time() - last, 1), server)
                continue
            try:
                event = pending.result()
            except StopAsyncIteration:
                return
            finally:
                pending = None
            last = loop.time()
            yield event
            if ends_turn(event):
                # The turn is over: end now, in this step, so the caller's task ends with it
                # (a Retry right after must not find the last send still running).
                return
    finally:
        if fired is not None and not fired.done():
            fired.cancel()
        if pending is not None and not pending.done():
            pending.cancel()  # the mode sees the cancellation where it waits (e.g. a run)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pending
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()


async def _next(events: AsyncIterator[Event]) -> Event:
    return await anext(events)
