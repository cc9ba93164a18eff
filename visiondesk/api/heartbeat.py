"""A turn never goes quiet: while its events stop coming (a silent server, a model thinking
before its first token) a `Waiting` event says so every few seconds."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from visiondesk.events import Completed, Event, Failed, Waiting

WAITING_EVERY = 5.0
"""Seconds of silence between two Waiting events."""


async def with_heartbeat(
    events: AsyncIterator[Event], server: str, every: float = WAITING_EVERY
) -> AsyncIterator[Event]:
    """Pass `events` through; after each `every` seconds without one, yield Waiting."""
    loop = asyncio.get_running_loop()
    last = loop.time()
    pending: asyncio.Future[Event] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(events))
            done, _ = await asyncio.wait({pending}, timeout=every)
            if not done:
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
            if isinstance(event, Completed | Failed):
                # The turn is over: end now, in this step, so the caller's task ends with it
                # (a Retry right after must not find the last send still running).
                return
    finally:
        if pending is not None and not pending.done():
            pending.cancel()  # the mode sees the cancellation where it waits (e.g. a run)
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await pending
        aclose = getattr(events, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()
