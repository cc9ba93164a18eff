"""Assistants v2: images are uploaded (purpose `vision`) as soon as they are attached and sent
as `image_file` parts; https sources as `image_url`; never a data URL, which the API refuses.

One assistant per (profile, model, instructions), reused; one thread per conversation.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shlex
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import openai
from openai import AsyncOpenAI

from visiondesk.api import image_parts
from visiondesk.api.base import failure, image_params, nothing
from visiondesk.api.snippet_parts import (
    Refs,
    curl_json,
    curl_post,
    curl_script,
    python_literal,
    python_script,
    shell_var,
)
from visiondesk.api.streaming import Answer, stream_answer
from visiondesk.api.uploads import Uploader
from visiondesk.config.profiles import Profile
from visiondesk.domain import (
    ApiMode,
    ConversationState,
    Exchange,
    PreparedImage,
    Question,
    Replay,
)
from visiondesk.errors import ApiRejected
from visiondesk.events import Event, Failed, RequestSent, StateChanged, Usage, ends_turn


def _quietly(call: Callable[[], Awaitable[T]]) -> Awaitable[T]:
    """Make the SDK call without its DeprecationWarning: VisionDesk offers this mode knowingly
    (API-FACTS §2). The warning fires when the call is made, so only that is wrapped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return call()


T = TypeVar("T")
ASSISTANT_NAME = "VisionDesk"
DEFAULT_INSTRUCTIONS = "You are a helpful assistant that answers questions about images."


def message_content(turn: Question, file_ids: dict[str, str]) -> list[dict[str, Any]]:
    content: list[dict[str, Any]] = [{"type": "text", "text": turn.prompt}]
    content += [image_parts.assistants(image, file_ids.get(image.sha256)) for image in turn.images]
    return content


def assistant_request(turn: Question) -> dict[str, Any]:
    """The assistant a turn runs with: one per (model, instructions)."""
    instructions = turn.instructions or DEFAULT_INSTRUCTIONS
    return {"model": turn.model, "name": ASSISTANT_NAME, "instructions": instructions}


def build_request(
    turn: Question, history: Sequence[Exchange], thread_id: str | None, file_ids: dict[str, str]
) -> list[dict[str, Any]]:
    """The messages this turn adds with `messages.create`, in order. A new thread is created
    empty first (gateways drop the body of `POST /threads`); a conversation that started in
    another mode brings its words (not its images)."""
    messages: list[dict[str, Any]] = []
    if thread_id is None:
        for exchange in history:
            messages.append({"role": "user", "content": exchange.turn.prompt})
            messages.append({"role": "assistant", "content": exchange.answer})
    messages.append({"role": "user", "content": message_content(turn, file_ids)})
    return messages


def run_request(assistant_id: str) -> dict[str, Any]:
    return {"assistant_id": assistant_id, "stream": True}


def python_snippet(replay: Replay, paths: Sequence[Path | None]) -> str:
    """Add the turn to the known thread and run the known assistant (or create both as the
    mode does), uploading the images; print the newest assistant message."""
    refs = Refs.of(replay.images, paths)
    turn, state = replay.turn, replay.state
    messages = build_request(turn, replay.history, state.thread_id, refs.file_ids)
    lines: list[str] = []
    if state.assistant_id is not None:
        lines.append(f"assistant_id = {state.assistant_id!r}")
    else:
        assistant = python_literal(assistant_request(turn), refs)
        lines.append(f"assistant_id = client.beta.assistants.create(**{assistant}).id")
    if state.thread_id is not None:
        lines.append(f"thread_id = {state.thread_id!r}")
    else:
        lines.append("thread_id = client.beta.threads.create().id")
    lines += [
        f"messages = {python_literal(messages, refs)}",
        "for message in messages:",
        "    client.beta.threads.messages.create(thread_id=thread_id, **message)",
        "run = client.beta.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id)",
        "with run as events:",
        "    events.until_done()",
        "newest = client.beta.threads.messages.list(thread_id=thread_id, order='desc', limit=1)",
        "print(''.join(p.text.value for p in newest.data[0].content if p.type == 'text'))",
    ]
    return python_script(replay.base_url, refs, lines)


def curl_snippet(replay: Replay, paths: Sequence[Path | None]) -> str:
    refs = Refs.of(replay.images, paths)
    turn, state, base = replay.turn, replay.state, replay.base_url.rstrip("/")
    messages = build_request(turn, replay.history, state.thread_id, refs.file_ids)
    beta = '-H "Authorization: Bearer $OPENAI_API_KEY" -H "OpenAI-Beta: assistants=v2"'
    lines: list[str] = []
    if state.assistant_id is not None:
        lines.append(f"ASSISTANT={shlex.quote(state.assistant_id)}")
    else:
        body = curl_json(assistant_request(turn), refs)
        lines += [
            "ASSISTANT=$(" + curl_post(base, "/assistants", body, beta=True, then=" | jq -r .id"),
            ")",
        ]
    if state.thread_id is not None:
        lines.append(f"THREAD={shlex.quote(state.thread_id)}")
    else:
        lines.append(f'THREAD=$(curl -sS "{base}/threads" {beta} -d "" | jq -r .id)')
    for message in messages:
        body = curl_json(message, refs)
        lines.append(
            curl_post(base, "/threads/$THREAD/messages", body, beta=True, then=" >/dev/null")
        )
    run = curl_json(run_request(shell_var("ASSISTANT")), refs)
    lines += [
        curl_post(base, "/threads/$THREAD/runs", run, beta=True, then=" >/dev/null"),
        f'curl -sS "{base}/threads/$THREAD/messages?order=desc&limit=1" {beta} '
        """| jq -r '.data[0].content[] | select(.type == "text") | .text.value'""",
    ]
    return curl_script(base, refs, lines)


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
        self, turn: Question, history: Sequence[Exchange], state: ConversationState
    ) -> AsyncIterator[Event]:
        file_ids: dict[str, str] = {}
        async for step in self._uploader.ensure(turn.images, file_ids):
            yield step
            if ends_turn(step):  # an upload failed: the turn ends with it
                return
        if self._cancelling is not None:  # a cancelled run must end before the thread moves on
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._cancelling, 5)
            self._cancelling = None
        messages = build_request(turn, history, state.thread_id, file_ids)
        # messages.create reports `content[1]…`, no prefix
        culprits = {
            path.split(".", 1)[1]: name
            for path, name in image_params(messages[-1:], "messages", turn.images).items()
        }

        def fail(exc: Exception, partial: str) -> Failed:
            return failure(exc, self._profile, "the Assistants API", culprits, partial)

        answer = Answer()
        try:
            async for event in self._prepare_thread(turn, state, messages):
                if isinstance(event, StateChanged):
                    state = event.state
                yield event
        except Exception as exc:
            yield fail(exc, "")
            return
        assert state.thread_id is not None and state.assistant_id is not None
        thread_id, assistant_id = state.thread_id, state.assistant_id
        events = stream_answer(
            RequestSent("POST", f"/threads/{thread_id}/runs", run_request(assistant_id)),
            lambda: _quietly_stream(self._client, thread_id, assistant_id),
            _read,
            fail,
            answer,
            recover=lambda answer: self._recover(thread_id, answer),
        )
        try:
            async for event in events:
                yield event
        except asyncio.CancelledError:
            if answer.answer_id is not None:
                self._cancel_run(thread_id, answer.answer_id)
            raise

    async def _prepare_thread(
        self, turn: Question, state: ConversationState, messages: list[dict[str, Any]]
    ) -> AsyncIterator[Event]:
        """Reuse the assistant and the conversation's thread; add this turn's messages."""
        body = assistant_request(turn)
        key = (body["model"], body["instructions"])
        if key not in self._assistants:
            yield RequestSent("POST", "/assistants", body)
            assistant = await _quietly(lambda: self._client.beta.assistants.create(**body))
            self._assistants[key] = assistant.id
        if state.assistant_id != self._assistants[key]:
            state = replace(state, assistant_id=self._assistants[key])
            yield StateChanged(state)
        thread_id = state.thread_id
        if thread_id is None:
            yield RequestSent("POST", "/threads", {}, note=state.thread_note)
            thread = await _quietly(lambda: self._client.beta.threads.create())
            thread_id = thread.id
            # Reported at once: a turn stopped from here on keeps the thread that has its words.
            yield StateChanged(replace(state, thread_id=thread_id, thread_note=""))
        for message in messages:
            yield RequestSent("POST", f"/threads/{thread_id}/messages", message)
            await _quietly(functools.partial(self._add_message, thread_id, message))

    async def _recover(self, thread_id: str, answer: Answer) -> AsyncIterator[Event]:
        """The run stream ended cleanly without its final event (gateways do): ask the run,
        where that route exists, then the thread's newest message, before calling it cut."""
        run_id = answer.answer_id
        if run_id is not None:
            yield RequestSent("GET", f"/threads/{thread_id}/runs/{run_id}", note="after the stream")
            try:
                run = await _quietly(
                    lambda: self._client.beta.threads.runs.retrieve(run_id, thread_id=thread_id)
                )
            except openai.APIStatusError:
                run = None  # a gateway without this route: the messages still tell
            if run is not None and f"thread.run.{run.status}" in _RUN_FAILED:
                yield answer.fail(_run_error(f"thread.run.{run.status}", run))
                return
            if run is not None and run.status != "completed":
                return  # still running: the answer is not whole
        yield RequestSent("GET", f"/threads/{thread_id}/messages", note="after the stream")
        page = await _quietly(
            lambda: self._client.beta.threads.messages.list(
                thread_id=thread_id, order="desc", limit=1
            )
        )
        newest = page.data[0] if page.data else None
        if newest is None or newest.role != "assistant":
            return
        if run_id is not None and newest.run_id not in (None, run_id):
            return
        text = "".join(part.text.value for part in newest.content if part.type == "text")
        if not text.startswith(answer.text):
            return
        if text[len(answer.text) :]:
            yield answer.say(text[len(answer.text) :])
        answer.done = True

    def _add_message(self, thread_id: str, message: dict[str, Any]) -> Awaitable[Any]:
        return self._client.beta.threads.messages.create(
            thread_id=thread_id, role=message["role"], content=message["content"]
        )

    def _cancel_run(self, thread_id: str, run_id: str) -> None:
        """Tell the server to stop the run, in the background: the person already moved on."""

        async def cancel() -> None:
            with contextlib.suppress(Exception):
                await _quietly(
                    lambda: self._client.beta.threads.runs.cancel(run_id, thread_id=thread_id)
                )

        self._cancelling = asyncio.get_running_loop().create_task(cancel())


def _quietly_stream(client: AsyncOpenAI, thread_id: str, assistant_id: str) -> Any:
    """The SDK's own run-stream helper: it reads the event name from the SSE `event:` line or
    from the data, as gateways send it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return client.beta.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id)


def _read(streamed: Any, answer: Answer) -> Iterator[Event]:
    kind = getattr(streamed, "event", "")
    data: Any = getattr(streamed, "data", None)
    if kind == "thread.run.created":
        answer.answer_id = data.id
    elif kind == "thread.message.delta":
        for part in data.delta.content or []:
            value = getattr(getattr(part, "text", None), "value", None)
            if value:
                yield answer.say(value)
    elif kind == "thread.run.completed":
        answer.done = True
        if data.usage is not None:
            yield Usage(data.usage.prompt_tokens, data.usage.completion_tokens)
    elif kind in _RUN_FAILED:
        yield answer.fail(_run_error(kind, data))
    # Anything else (steps, new event kinds) is not for the person.


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
