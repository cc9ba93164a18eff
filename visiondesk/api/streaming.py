"""The one streaming skeleton every mode shares: announce the request, open the stream, read it,
close it, and end the turn with Completed, Failed, or a cut answer."""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

from visiondesk.errors import ApiRejected, VisionDeskError
from visiondesk.events import Completed, Event, Failed, RequestSent, TextDelta


class Answer:
    """What a stream has delivered so far; a mode's reader fills it in."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.done = False
        """The server sent its terminal event: the answer is whole."""
        self.answer_id: str | None = None
        self.failed: Failed | None = None

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def say(self, text: str) -> TextDelta:
        if not isinstance(text, str):  # a delta of another shape: the API's is always text
            raise TypeError(f"a text delta of type {type(text).__name__}")
        self.parts.append(text)
        return TextDelta(text)

    def fail(self, error: VisionDeskError) -> Failed:
        """The server ended the answer with an error event: the stream stops here."""
        self.failed = Failed(error, self.text)
        return self.failed


class Closable(Protocol):
    async def close(self) -> None: ...


S = TypeVar("S", bound=Closable)
Reader = Callable[[Any, Answer], Iterable[Event]]
"""Turn one streamed item into events (TextDelta via `answer.say`, Usage…)."""
Failure = Callable[[Exception, str], Failed]
"""How the turn ends on an exception, given the partial text."""
Recovery = Callable[[Answer], AsyncIterator[Event]]
"""Look for the answer elsewhere when a stream ended cleanly without its terminal event."""


@asynccontextmanager
async def opened(create: Awaitable[S]) -> AsyncIterator[S]:
    """A stream the SDK returns from `create(stream=True)`, closed however reading ends."""
    stream = await create
    try:
        yield stream
    finally:
        await stream.close()


async def stream_answer(
    request: RequestSent,
    open_stream: Callable[[], AbstractAsyncContextManager[AsyncIterable[Any]]],
    read: Reader,
    fail: Failure,
    answer: Answer | None = None,
    recover: Recovery | None = None,
) -> AsyncIterator[Event]:
    """Yield the request, the stream's events, then exactly one Completed or Failed."""
    answer = answer if answer is not None else Answer()
    yield request
    try:
        async with open_stream() as stream:
            async for item in stream:
                for event in read(item, answer):
                    yield event
                if answer.failed is not None:
                    return
        if not answer.done and recover is not None:
            async for event in recover(answer):
                yield event
            if answer.failed is not None:
                return
    except Exception as exc:
        yield fail(exc, answer.text)
        return
    if not answer.done:
        yield ended_early(answer.text)
        return
    yield Completed(answer.text, answer.answer_id)


def ended_early(partial: str) -> Failed:
    """The stream ended cleanly, but before its final event (a dropped connection is
    `cut_short`): a proxy that stops forwarding, or a server that gave up."""
    return Failed(
        ApiRejected(
            "The server ended the answer without finishing it (its stream stopped before the "
            "final event). Retry.",
            retryable=True,
        ),
        partial,
    )
