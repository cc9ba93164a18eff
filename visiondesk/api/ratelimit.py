"""The SDK waits silently before retrying a 429: a response hook tells the turn how long, so
the answer and the status bar can say "Rate limited — retrying in 7 s" instead of nothing."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Any

import httpx2

from visiondesk.api.errors import retry_after

INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER_DELAY = 120.0
"""The SDK's backoff (openai/_constants.py): it honours Retry-After up to two minutes."""


class RateWatch:
    """Where the hook reports a 429 wait; the heartbeat of the turn reads it."""

    def __init__(self) -> None:
        self.until = 0.0
        """Loop time at which the SDK retries; 0 when not waiting."""
        self.fired: asyncio.Event = asyncio.Event()

    def remaining(self) -> float:
        if not self.until:
            return 0.0
        return max(0.0, self.until - asyncio.get_running_loop().time())

    def wait_for(self, seconds: float) -> None:
        self.until = asyncio.get_running_loop().time() + seconds
        self.fired.set()

    def clear(self) -> None:
        self.until = 0.0


current: contextvars.ContextVar[RateWatch | None] = contextvars.ContextVar(
    "visiondesk_rate_watch", default=None
)


def expected_wait(response: httpx2.Response, max_retries: int) -> float | None:
    """How long the SDK will wait before retrying this 429, or None if it will not retry."""
    if response.status_code != 429 or response.headers.get("x-should-retry") == "false":
        return None
    try:
        attempt = int(response.request.headers.get("x-stainless-retry-count", "0"))
    except ValueError:
        attempt = 0
    if attempt >= max_retries:
        return None
    wait = retry_after(response.headers)
    if wait is not None and wait > MAX_RETRY_AFTER_DELAY:
        return None
    if wait is not None and wait > 0:
        return wait
    return min(INITIAL_RETRY_DELAY * 2.0**attempt, MAX_RETRY_DELAY)


def rate_limit_reporter(max_retries: int) -> Any:
    """A response hook: a 429 the SDK will retry is reported to the turn's RateWatch."""

    async def report(response: httpx2.Response) -> None:
        watch = current.get()
        if watch is None:
            return
        wait = expected_wait(response, max_retries)
        if wait is not None:
            watch.wait_for(wait)
        elif response.status_code < 400:
            watch.clear()

    return report
