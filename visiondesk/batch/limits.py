"""Concurrency that yields to rate limits: halve on a 429, grow back one at a time after a
run of successes."""

from __future__ import annotations

import asyncio


class AdaptiveLimit:
    def __init__(self, maximum: int, grow_after: int = 8) -> None:
        if maximum < 1:
            raise ValueError("concurrency must be at least 1")
        self.maximum = maximum
        self.limit = maximum
        self.active = 0
        self._grow_after = grow_after
        self._streak = 0
        self._changed = asyncio.Condition()

    async def acquire(self) -> None:
        async with self._changed:
            await self._changed.wait_for(lambda: self.active < self.limit)
            self.active += 1

    async def release(self) -> None:
        async with self._changed:
            self.active -= 1
            self._changed.notify_all()

    def rate_limited(self) -> None:
        self.limit = max(1, self.limit // 2)
        self._streak = 0

    async def succeeded(self) -> None:
        self._streak += 1
        if self.limit < self.maximum and self._streak >= self._grow_after:
            self.limit += 1
            self._streak = 0
            async with self._changed:
                self._changed.notify_all()
