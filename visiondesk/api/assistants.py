"""Assistants v2: images are uploaded (purpose `vision`) as soon as they are attached and sent
as `image_file` parts; https sources as `image_url`; never a data URL, which the API refuses.

One assistant per (profile, model, instructions), reused; one thread per conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any, TypeVar

from openai import AsyncOpenAI

from visiondesk.api.base import cut_short, failure, image_params, nothing
from visiondesk.api.uploads import Uploader
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, ConversationState, Detail, Exchange, PreparedImage, Turn
from visiondesk.errors import ApiRejected
from visiondesk.events import (
    Completed,
    Event,
    Failed,
    RequestSent,
    TextDelta,
    Usage,
)


def _quietly(call: Callable[[], Awaitable[T]]) -> Awaitable[T]:
    """Make the SDK call without its DeprecationWarning: VisionDesk offers this mode knowingly
    (API-FACTS §2). The warning fires when the call is made, so only that is wrapped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call()


T = TypeVar("T")
ASSISTANT_NAME = "VisionDesk"
DEFAULT_INSTRUCTIONS = "You are a helpful assistant that answers questions about images."


def image_part(image: PreparedImage, file_id: str | None) -> dict[str, Any]:
    # Assistants knows auto/low/high only.
    detail = Detail.HIGH.value if image.detail is Detail.ORIGINAL else image.detail.value
    if image.url is not None:
        return {"type": "image_url", "image_url": {"url": image.url, "detail": detail}}
    if file_id is None:
        raise ValueError(f"{image.label} has no uploaded file")
    return {"type": "image_file", "image_file": {"file_id": file_id, "detail": detail}}


def message_content(turn: Turn, file_ids: dict[str, str]) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "text", "text": turn.prompt}]
    content += [image_part(image, file_ids.get(image.sha256)) for image in turn.images]
    return content


class AssistantsMode:
    mode = ApiMode.ASSISTANTS
    uploads_images = True

    def __init__(self, client: AsyncOpenAI, profile: Profile, uploader: Uploader) -> None:
        self._client = client
        self._profile = profile
        self._uploader = uploader
        self._assistants: dict[tuple[str, str], str] = {}
        self._cancelling: asyncio.Task[Any] | None = None

    def attach(self, image: PreparedImage) -> AsyncIterator[Event]:
        if image.is_url:
            return nothing()
        return self._uploader.events(image)

    async def send(
        self, turn: Turn, history: Sequence[Exchange], state: ConversationState
    ) -> AsyncIterator[Event]:
        file_ids: dict[str, str] = {}
        async for event in self._uploader.ensure(turn.images, file_ids):
            yield event
            if isinstance(event, Failed):
                return
        if self._cancelling is not None:  # a cancelled run must end before the thread moves on
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._cancelling, 5)
            self._cancelling = None
        content = message_content(turn, file_ids)
        prior = 2 * len(history) if state.thread_id is None else 0
        slots: list[dict[str, Any]] = [{}] * prior + [{"content": content}]
        culprits = image_params(slots, "messages", list(turn.images))
        if state.thread_id is not None:  # messages.create reports `content[1]…`, no prefix
            culprits = {path.split(".", 1)[1]: name for path, name in culprits.items()}
        text: list[str] = []
        run_id: str | None = None
        try:
            async for event in self._prepare_thread(turn, history, state, content):
                yield event
            assert state.thread_id is not None and state.assistant_id is not None
            body = {"assistant_id": state.assistant_id, "stream": True}
            yield RequestSent("POST", f"/threads/{state.thread_id}/runs", body)
            thread_id, assistant_id = state.thread_id, state.assistant_id
            stream = await _quietly(
                lambda: self._client.beta.threads.runs.create(
                    thread_id=thread_id, assistant_id=assistant_id, stream=True
                )
            )
            finished = False
            try:
                async for streamed in stream:
                    kind = getattr(streamed, "event", "")
                    data: Any = getattr(streamed, "data", None)
                    if kind == "thread.run.created":
                        run_id = data.id
                    elif kind == "thread.message.delta":
                        for part in data.delta.content or []:
                            value = getattr(getattr(part, "text", None), "value", None)
                            if value:
                                text.append(value)
                                yield TextDelta(value)
                    elif kind == "thread.run.completed":
                        finished = True
                        if data.usage is not None:
                            yield Usage(data.usage.prompt_tokens, data.usage.completion_tokens)
                    elif kind in _RUN_FAILED:
                        yield Failed(_run_error(kind, data), "".join(text))
                        return
                    # Anything else (steps, new event kinds) is not for the person.
            finally:
                await stream.close()
        except asyncio.CancelledError:
            if run_id is not None and state.thread_id is not None:
                self._cancel_run(state.thread_id, run_id)
            raise
        except Exception as exc:
            yield failure(exc, self._profile, "the Assistants API", culprits, "".join(text))
            return
        if not finished:
            yield cut_short("".join(text))
            return
        yield Completed("".join(text), run_id)

    async def _prepare_thread(
        self,
        turn: Turn,
        history: Sequence[Exchange],
        state: ConversationState,
        content: list[dict[str, Any]],
    ) -> AsyncIterator[Event]:
        """Reuse the assistant and the conversation's thread; add this turn's message."""
        instructions = turn.instructions or DEFAULT_INSTRUCTIONS
        key = (turn.model, instructions)
        if key not in self._assistants:
            body = {"model": turn.model, "name": ASSISTANT_NAME, "instructions": instructions}
            yield RequestSent("POST", "/assistants", body)
            assistant = await _quietly(
                lambda: self._client.beta.assistants.create(**body)  # type: ignore[arg-type]
            )
            self._assistants[key] = assistant.id
        state.assistant_id = self._assistants[key]
        message = {"role": "user", "content": content}
        if state.thread_id is None:
            # A conversation that started in another mode brings its words (not its images).
            messages: list[dict[str, Any]] = []
            for exchange in history:
                messages.append({"role": "user", "content": exchange.turn.prompt})
                messages.append({"role": "assistant", "content": exchange.answer})
            messages.append(message)
            yield RequestSent("POST", "/threads", {"messages": messages})
            thread = await _quietly(
                lambda: self._client.beta.threads.create(messages=messages)  # type: ignore[arg-type]
            )
            state.thread_id = thread.id
        else:
            yield RequestSent("POST", f"/threads/{state.thread_id}/messages", message)
            thread_id = state.thread_id
            await _quietly(
                lambda: self._client.beta.threads.messages.create(
                    thread_id=thread_id,
                    role="user",
                    content=content,  # type: ignore[arg-type]
                )
            )

    def _cancel_run(self, thread_id: str, run_id: str) -> None:
        """Tell the server to stop the run, in the background: the person already moved on."""

        async def cancel() -> None:
            with contextlib.suppress(Exception):
                await _quietly(
                    lambda: self._client.beta.threads.runs.cancel(run_id, thread_id=thread_id)
                )

        self._cancelling = asyncio.get_running_loop().create_task(cancel())


_RUN_FAILED = {
    "thread.run.failed",
    "thread.run.cancelled",
    "thread.run.expired",
    "thread.run.incomplete",
    "thread.run.requires_action",
}


def _run_error(kind: str, run: Any) -> ApiRejected:
    last = getattr(run, "last_error", None)
    if last is not None:
        return ApiRejected(f"The run failed: {last.message} ({last.code})", retryable=True)
    state = kind.rsplit(".", 1)[-1].replace("_", " ")
    return ApiRejected(f"The run ended without an answer ({state}).", retryable=True)
