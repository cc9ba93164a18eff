"""Where a wait before a retry is told, before it is slept: the app's retry policy
(api/retries.py) tells the listener of the current task, so the answer and the status bar can
say "Rate limited — retrying in 7 s" — the very wait that is then slept."""

from __future__ import annotations

import asyncio
import contextvars
from typing import Protocol


class WaitListener(Protocol):
    """Told of each rate-limit wait of the requests made in its context."""

    def waiting(self, seconds: float) -> None:
        """The server said 429: the retry is sent after exactly `seconds`."""
        ...

    def resumed(self) -> None:
        """The wait is over (slept, or cancelled): the retry goes out now, or never."""
        ...


class RateWatch:
    """The listener a turn's heartbeat reads to count the wait down."""

    def __init__(self) -> None:
        self.until = 0.0
        """Loop time at which the retry is sent; 0 when not waiting."""
        self.fired: asyncio.Event = asyncio.Event()
        """Set at each change, so the heartbeat speaks at once."""

    def remaining(self) -> float:
        if not self.until:
            return 0.0
        return max(0.0, self.until - asyncio.get_running_loop().time())

    def waiting(self, seconds: float) -> None:
        self.until = asyncio.get_running_loop().time() + seconds
        self.fired.set()

    def resumed(self) -> None:
        self.until = 0.0
        self.fired.set()

    def clear(self) -> None:
        """The heartbeat has said the wait is over."""
        self.until = 0.0


current: contextvars.ContextVar[WaitListener | None] = contextvars.ContextVar(
    "visiondesk_rate_watch", default=None
)
