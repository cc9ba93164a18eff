"""The app owns every retry (the SDK's clients have max_retries=0): against the real emulator,
the wait a turn is told is the wait that is slept, Retry-After is honoured up to a cap, the
backoff is full jitter, the tries are bounded, a streamed answer is never replayed, and Stop
during a wait ends it at once. The sleep is injected, so nothing here waits out a real backoff
or reads a wall clock."""

from __future__ import annotations

import asyncio
import math
from dataclasses import replace
from pathlib import Path

import httpx2
import pytest

from tests.turns import KEY, run
from visiondesk.api.chat import ChatMode
from visiondesk.api.client import make_client
from visiondesk.api.errors import retry_after
from visiondesk.api.heartbeat import with_heartbeat
from visiondesk.api.ratelimit import current
from visiondesk.api.retries import RetryPolicy
from visiondesk.config.profiles import Profile
from visiondesk.connection import Connection
from visiondesk.domain import ApiMode, ConversationState, Question
from visiondesk.emulator import Emulator
from visiondesk.errors import ApiRejected, NetworkError, RateLimited
from visiondesk.events import (
    Completed,
    Event,
    Failed,
    FileReady,
    RateLimitWait,
    TextDelta,
)
from visiondesk.session import OwnConversation


class Recorder:
    """A wait listener and the policy's sleep in one: the order of what was told and slept."""

    def __init__(self) -> None:
        self.log: list[tuple[str, float]] = []
        self.gate: asyncio.Event | None = None
        """When set up, each sleep waits for it (the test decides when the wait is over)."""

    def waiting(self, seconds: float) -> None:
        self.log.append(("told", seconds))

    def resumed(self) -> None:
        self.log.append(("resumed", 0.0))

    async def sleep(self, seconds: float) -> None:
        self.log.append(("slept", seconds))
        if self.gate is not None:
            await self.gate.wait()
            self.gate.clear()

    def slept(self) -> list[float]:
        return [seconds for what, seconds in self.log if what == "slept"]

    def told(self) -> list[float]:
        return [seconds for what, seconds in self.log if what == "told"]


def question(prompt: str = "Hello?") -> Question:
    return Question(prompt)


async def send(
    profile: Profile, policy: RetryPolicy, *, listener: Recorder | None = None
) -> list[Event]:
    """One Chat turn through the app's client (the real SDK, the real emulator)."""
    client = make_client(profile, KEY, retries=policy)
    token = current.set(listener)
    try:
        mode = ChatMode(client, profile)
        return [e async for e in mode.send(question(), [], ConversationState())]
    finally:
        current.reset(token)
        await client.close()


def chat_posts(emulator: Emulator) -> list[int]:
    return [r.status for r in emulator.log if r.path == "/chat/completions"]


def test_the_wait_told_is_the_wait_slept_and_retry_after_is_honoured(
    emulator: Emulator, profile: Profile
) -> None:
    emulator.knobs.fail_429, emulator.knobs.retry_after = 2, 1.25
    recorder = Recorder()
    events = run(send(profile, RetryPolicy(sleep=recorder.sleep), listener=recorder))
    assert isinstance(events[-1], Completed)
    # Told first, then slept, the same number each time: the server's Retry-After.
    assert recorder.log == [("told", 1.25), ("slept", 1.25), ("resumed", 0.0)] * 2
    assert chat_posts(emulator) == [429, 429, 200]


def test_the_countdown_starts_at_the_wait_slept_and_ends_at_zero(
    emulator: Emulator, profile: Profile
) -> None:
    """Through the heartbeat, as a turn runs in the window: the first RateLimitWait is the
    slept wait in whole seconds (2.5 s shows 3 s), the last 0 when the retry goes out."""
    emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 2.5

    async def scenario(recorder: Recorder) -> list[Event]:
        recorder.gate = asyncio.Event()
        client = make_client(profile, KEY, retries=RetryPolicy(sleep=recorder.sleep))
        mode = ChatMode(client, profile)
        events: list[Event] = []
        try:
            turn = mode.send(question(), [], ConversationState())
            async for event in with_heartbeat(turn, profile.base_url):
                events.append(event)
                if isinstance(event, RateLimitWait) and event.seconds:
                    recorder.gate.set()  # the person has seen the countdown: the wait ends
        finally:
            await client.close()
        return events

    recorder = Recorder()
    events = run(asyncio.wait_for(scenario(recorder), 30))
    countdown = [e.seconds for e in events if isinstance(e, RateLimitWait)]
    assert recorder.slept() == [2.5]
    assert countdown == [math.ceil(recorder.slept()[0]), 0.0]
    assert all(e.server == profile.base_url for e in events if isinstance(e, RateLimitWait))
    assert isinstance(events[-1], Completed)
    zero = next(i for i, e in enumerate(events) if isinstance(e, RateLimitWait) and not e.seconds)
    assert not any(isinstance(e, TextDelta) for e in events[:zero])  # the answer came after


@pytest.mark.parametrize("fault", ["fail_500", "fail_429"])
def test_without_retry_after_the_backoff_is_full_jitter_below_its_ceiling(
    fault: str, emulator: Emulator, profile: Profile
) -> None:
    """No Retry-After (or 0): each wait is drawn uniformly in [0, ceiling], the ceiling
    doubling from `first_backoff` up to `max_backoff`. Drawing the ceiling itself shows it."""
    setattr(emulator.knobs, fault, 3)
    emulator.knobs.retry_after = 0
    recorder = Recorder()
    drawn: list[tuple[float, float]] = []

    def highest(low: float, high: float) -> float:
        drawn.append((low, high))
        return high

    policy = RetryPolicy(attempts=4, first_backoff=0.5, max_backoff=1.5, sleep=recorder.sleep)
    events = run(send(profile, replace(policy, jitter=highest)))
    assert isinstance(events[-1], Completed)
    assert drawn == [(0.0, 0.5), (0.0, 1.0), (0.0, 1.5)]  # doubling, capped
    assert recorder.slept() == [0.5, 1.0, 1.5]


def test_the_real_jitter_stays_within_zero_and_the_cap() -> None:
    policy = RetryPolicy(first_backoff=0.5, max_backoff=4.0)
    for retry in range(1, 12):
        ceiling = min(4.0, 0.5 * 2 ** (retry - 1))
        waits = [policy.backoff(retry) for _ in range(200)]
        assert all(0.0 <= wait <= ceiling for wait in waits)
        assert len(set(waits)) > 100  # drawn, not fixed


def test_the_tries_are_bounded_and_the_last_429_says_when_to_try(
    emulator: Emulator, profile: Profile
) -> None:
    emulator.knobs.fail_429, emulator.knobs.retry_after = 10, 0.2
    recorder = Recorder()
    events = run(send(profile, RetryPolicy(attempts=4, sleep=recorder.sleep), listener=recorder))
    failed = events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, RateLimited)
    assert failed.error.retry_after == pytest.approx(0.2)
    assert chat_posts(emulator) == [429] * 4
    assert recorder.slept() == [0.2] * 3 == recorder.told()


def test_a_retry_after_beyond_the_cap_is_told_not_waited(
    emulator: Emulator, profile: Profile
) -> None:
    emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 600
    recorder = Recorder()
    events = run(send(profile, RetryPolicy(sleep=recorder.sleep), listener=recorder))
    failed = events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, RateLimited)
    assert "Try again in 10 min" in failed.error.message
    assert recorder.log == [] and chat_posts(emulator) == [429]


def test_500s_are_retried_within_the_bound_then_reported(
    emulator: Emulator, profile: Profile
) -> None:
    emulator.knobs.fail_500 = 5
    recorder = Recorder()
    events = run(send(profile, RetryPolicy(sleep=recorder.sleep), listener=recorder))
    failed = events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, ApiRejected)
    assert chat_posts(emulator) == [500] * 3
    assert len(recorder.slept()) == 2 and recorder.told() == []  # not a rate limit: no countdown


def test_a_streamed_answer_is_never_replayed(emulator: Emulator, profile: Profile) -> None:
    emulator.knobs.cut_stream_after = 3
    recorder = Recorder()
    events = run(send(profile, RetryPolicy(sleep=recorder.sleep)))
    failed = events[-1]
    assert isinstance(failed, Failed) and isinstance(failed.error, NetworkError)
    assert sum(isinstance(e, TextDelta) for e in events) == 3 and failed.partial
    assert len(chat_posts(emulator)) == 1 and recorder.log == []


def test_stop_during_a_wait_ends_it_at_once(emulator: Emulator, profile: Profile) -> None:
    """A 30 s Retry-After, slept for real: cancelling the turn ends the wait long before."""
    emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 30

    async def scenario() -> list[Event]:
        client = make_client(profile, KEY)
        events: list[Event] = []
        counting = asyncio.Event()

        async def consume() -> None:
            turn = ChatMode(client, profile).send(question(), [], ConversationState())
            async for event in with_heartbeat(turn, profile.base_url):
                events.append(event)
                if isinstance(event, RateLimitWait) and event.seconds:
                    counting.set()

        task = asyncio.create_task(consume())
        try:
            await asyncio.wait_for(counting.wait(), 10)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, 5)  # far less than the 30 s wait
        finally:
            await client.close()
        return events

    events = run(scenario())
    assert [e.seconds for e in events if isinstance(e, RateLimitWait)] == [30.0]
    assert chat_posts(emulator) == [429]  # the retry was never sent


def test_uploads_go_through_the_same_policy(
    emulator: Emulator, profile: Profile, photo_path: Path
) -> None:
    recorder = Recorder()
    client = make_client(profile, KEY, retries=RetryPolicy(sleep=recorder.sleep))
    session = OwnConversation(
        profile, KEY, mode=ApiMode.ASSISTANTS, connection=Connection(profile, KEY, client=client)
    )

    async def scenario() -> list[Event]:
        try:
            await session.services.capabilities.get(session.services.client, profile)
            emulator.knobs.fail_429, emulator.knobs.retry_after = 1, 0.75
            recorder.gate = asyncio.Event()
            events: list[Event] = []
            async for event in session.attach(photo_path):
                events.append(event)
                if isinstance(event, RateLimitWait) and event.seconds:
                    recorder.gate.set()
            return events
        finally:
            await session.aclose()
            await client.close()

    events = run(asyncio.wait_for(scenario(), 30))
    assert any(isinstance(e, FileReady) for e in events)
    assert [e.seconds for e in events if isinstance(e, RateLimitWait)] == [1.0, 0.0]
    uploads = [r.status for r in emulator.log if r.method == "POST" and r.path == "/files"]
    assert uploads == [429, 200] and recorder.slept() == [0.75]


def test_retry_after_ms_and_dates_are_read() -> None:
    assert retry_after(httpx2.Headers({"retry-after-ms": "1500"})) == 1.5
    assert retry_after(httpx2.Headers({"retry-after": "7"})) == 7.0
    assert retry_after(httpx2.Headers({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    assert retry_after(httpx2.Headers({})) is None
