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


class _CountingLoop(asyncio.SelectorEventLoop):
    """A loop that counts the timers asked of it (under qasync each is a QTimer)."""

    timers = 0

    def call_at(self, when, callback, *args, context=None):  # type: ignore[override]
        self.timers += 1
        return super().call_at(when, callback, *args, context=context)


def test_a_fast_stream_costs_no_timer_per_event() -> None:
    """At 200 tokens/s a timer (and a task) per event was a tenth of the window's CPU: the
    heartbeat keeps one timer and moves it, so 500 events ask for a few timers, not 500."""

    async def turn() -> AsyncIterator[Event]:
        for _ in range(500):
            yield TextDelta("word ")  # chunks already in the buffer: no wait between them
        yield Completed("word " * 500)

    async def main() -> list[Event]:
        return [event async for event in with_heartbeat(turn(), "http://x", every=5.0)]

    loop = _CountingLoop()
    try:
        events = loop.run_until_complete(asyncio.wait_for(main(), 20))
    finally:
        loop.close()
    assert len(events) == 501 and isinstance(events[-1], Completed)
    assert loop.timers < 10  # the wait_for's own, and the heartbeat's one
