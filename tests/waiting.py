"""Waiting on a state in tests: poll it, and fail (never hang) when it does not come in time.
No test waits a fixed time for something to happen."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL_SECONDS = 0.01
"""How often a condition is looked at again: small, so a test ends as soon as it can."""


async def until(condition: Callable[[], object], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(POLL_SECONDS)


NO_WAIT = 0


async def loop_turns(count: int) -> None:
    """Let the event loop run `count` times (no time passes): what could start, starts."""
    for _ in range(count):
        await asyncio.sleep(NO_WAIT)
