"""The heartbeat: Waiting while a turn is silent, a RateLimitWait countdown while the SDK waits
out a 429 (reported by the response hook through the turn's RateWatch)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx2

from visiondesk.api.heartbeat import with_heartbeat
from visiondesk.api.ratelimit import expected_wait, rate_limit_reporter
from visiondesk.events import Completed, Event, RateLimitWait, TextDelta, Waiting


def response(status: int, retry: int = 0, headers: dict[str, str] | None = None) -> httpx2.Response:
    request = httpx2.Request(
        "POST", "http://x/v1/chat/completions", headers={"x-stainless-retry-count": str(retry)}
    )
    return httpx2.Response(status, headers=headers or {}, request=request)


def test_the_wait_the_sdk_will_make() -> None:
    assert expected_wait(response(429, headers={"retry-after": "7"}), 2) == 7.0
    assert expected_wait(response(429, headers={"retry-after-ms": "1500"}), 2) == 1.5
    assert expected_wait(response(429), 2) == 0.5  # the SDK's backoff: 0.5 s, then 1 s
    assert expected_wait(response(429, retry=1), 2) == 1.0
    assert expected_wait(response(429, retry=2), 2) is None  # no retry left: the error comes
    assert (
        expected_wait(response(429, headers={"retry-after": "600"}), 2) is None
    )  # too long: no retry
    assert expected_wait(response(429, headers={"x-should-retry": "false"}), 2) is None
    assert expected_wait(response(500), 2) is None


def test_a_429_counts_down_then_the_answer_comes() -> None:
    async def main() -> list[Event]:
        counted: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        async def turn() -> AsyncIterator[Event]:
            await rate_limit_reporter(2)(response(429, headers={"retry-after": "2.5"}))
            await counted  # the SDK waits; the heartbeat counts the wait down meanwhile
            await rate_limit_reporter(2)(response(200))
            yield TextDelta("Hello")
            yield Completed("Hello")

        events: list[Event] = []
        async for event in with_heartbeat(turn(), "http://x", every=5.0):
            events.append(event)
            if isinstance(event, RateLimitWait) and event.seconds == 0 and not counted.done():
                counted.set_result(None)
        return events

    events = asyncio.run(asyncio.wait_for(main(), 20))
    countdown = [e.seconds for e in events if isinstance(e, RateLimitWait)]
    assert countdown[0] == 3.0 and countdown[-1] == 0.0
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
