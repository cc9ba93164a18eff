"""The heartbeat: Waiting while a turn is silent, a RateLimitWait countdown while the retry
policy waits out a 429 (told through the turn's RateWatch before the wait is slept)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from visiondesk.api.heartbeat import with_heartbeat
from visiondesk.api.ratelimit import current
from visiondesk.events import Completed, Event, RateLimitWait, TextDelta, Waiting


def test_a_429_counts_down_then_the_answer_comes() -> None:
    async def main() -> list[Event]:
        counted: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def turn() -> AsyncIterator[Event]:
            watch = current.get()
            assert watch is not None  # the heartbeat listens to the requests of its turn
            watch.waiting(2.5)  # what the retry policy tells before it sleeps
            await counted  # the policy sleeps; the heartbeat counts the wait down meanwhile
            watch.resumed()
            yield TextDelta("Hello")
            yield Completed("Hello")

        events: list[Event] = []
        async for event in with_heartbeat(turn(), "http://x", every=5.0):
            events.append(event)
            countdown = [e.seconds for e in events if isinstance(e, RateLimitWait)]
            if len(countdown) == 3 and not counted.done():
                counted.set_result(None)
        return events

    events = asyncio.run(asyncio.wait_for(main(), 20))
    countdown = [e.seconds for e in events if isinstance(e, RateLimitWait)]
    assert countdown[0] == 3.0 and countdown[-1] == 0.0  # 2.5 s, in whole seconds rounded up
    assert countdown == sorted(countdown, reverse=True) and len(countdown) >= 3
    assert not any(isinstance(e, Waiting) for e in events)  # never both at once
    assert isinstance(events[-1], Completed)


def test_silence_still_says_waiting() -> None:
    async def main() -> list[Event]:
        heard: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def turn() -> AsyncIterator[Event]:
            await heard  # a silent server
            yield Completed("late")

        events: list[Event] = []
        async for event in with_heartbeat(turn(), "http://x", every=0.1):
            events.append(event)
            if sum(isinstance(e, Waiting) for e in events) == 2 and not heard.done():
                heard.set_result(None)
        return events

    events = asyncio.run(asyncio.wait_for(main(), 20))
    assert [type(e) for e in events] == [Waiting, Waiting, Completed]
