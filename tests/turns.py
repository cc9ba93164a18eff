"""Helpers to drive an OwnConversation in tests without an async test plugin."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, Detail, PreparedImage
from visiondesk.events import Completed, Event, Failed, Prepared, TextDelta
from visiondesk.session import OwnConversation

T = TypeVar("T")
KEY = "sk-test-visiondesk-0000000000000000"


def run(coroutine: Awaitable[T]) -> T:
    async def main() -> T:
        return await coroutine

    return asyncio.run(main())


_drafts: WeakKeyDictionary[OwnConversation, list[PreparedImage]] = WeakKeyDictionary()


def draft(session: OwnConversation) -> list[PreparedImage]:
    """What a test has attached and not yet sent successfully (the window's draft, in short)."""
    return _drafts.setdefault(session, [])


async def attach(
    session: OwnConversation, source: Path | str | bytes, label: str | None = None
) -> list[Event]:
    events = [event async for event in session.attach(source, label)]
    draft(session).extend(e.image for e in events if isinstance(e, Prepared))
    return events


async def collect(
    session: OwnConversation, sources: Sequence[Path | str | bytes], prompt: str
) -> list[Event]:
    """Attach, then send everything attached so far; a failed turn keeps its images for the
    next try, as the window does."""
    events: list[Event] = []
    for source in sources:
        events += await attach(session, source)
    async for event in session.send(prompt, draft(session)):
        events.append(event)
        if isinstance(event, Completed):
            draft(session).clear()
    return events


async def turns(
    session: OwnConversation, *steps: tuple[Sequence[Path | str | bytes], str]
) -> list[list[Event]]:
    """Several turns on one event loop (the SDK's connections belong to the loop)."""
    results = []
    try:
        for sources, prompt in steps:
            results.append(await collect(session, sources, prompt))
    finally:
        await session.aclose()
    return results


def session_for(profile: Profile, mode: ApiMode, key: str = KEY, **options: Any) -> OwnConversation:
    options.setdefault("model", "gpt-4o")
    options.setdefault("detail", Detail.HIGH)
    return OwnConversation(profile, key, mode=mode, **options)


def answer(events: Sequence[Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def final(events: Sequence[Event]) -> Completed | Failed:
    last = [e for e in events if isinstance(e, Completed | Failed)]
    assert last, f"no Completed/Failed among {events}"
    return last[-1]


def poll(check: Callable[[], T | None], deadline: float = 10.0, what: str = "the state") -> T:
    """Ask `check` again until it gives a value (each ask is a request to the emulator, so no
    sleep is needed); fail when `deadline` seconds pass first."""
    give_up = time.monotonic() + deadline
    while (value := check()) is None:
        if time.monotonic() > give_up:
            raise AssertionError(f"{what} was not reached within {deadline} s")
    return value
