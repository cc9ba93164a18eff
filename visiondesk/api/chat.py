"""Chat Completions: images as `image_url` parts (data URL or https URL) in user messages; the
whole history is sent every turn."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any

from openai import AsyncOpenAI

from visiondesk.api import image_parts
from visiondesk.api.base import failure, image_params, nothing
from visiondesk.api.prompt_cache import cache_key
from visiondesk.api.redact import shorten_base64
from visiondesk.api.snippet_parts import (
    Refs,
    curl_json,
    curl_post,
    curl_script,
    python_literal,
    python_script,
    sse_data,
)
from visiondesk.api.streaming import Answer, opened, stream_answer
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, ConversationState, Exchange, PreparedImage, Question, Replay
from visiondesk.events import Event, RequestSent, Usage


def user_message(turn: Question) -> dict[str, Any]:
    if not turn.images:
        return {"role": "user", "content": turn.prompt}
    parts: list[dict[str, Any]] = [{"type": "text", "text": turn.prompt}]
    parts += [image_parts.chat(image) for image in turn.images]
    return {"role": "user", "content": parts}


def build_request(
    turn: Question, history: Sequence[Exchange], cache_key: str | None = None
) -> dict[str, Any]:
    """The request body for this turn: system prompt, every earlier exchange, the new turn
    (each earlier one exactly as it was sent, so the prompt cache holds the prefix)."""
    messages: list[dict[str, Any]] = []
    if turn.instructions:
        messages.append({"role": "system", "content": turn.instructions})
    for exchange in history:
        messages.append(user_message(exchange.turn))
        messages.append({"role": "assistant", "content": exchange.answer})
    messages.append(user_message(turn))
    body: dict[str, Any] = {
        "model": turn.model,
        "messages": messages,
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    if cache_key is not None:
        body["prompt_cache_key"] = cache_key
    return body


def sdk_arguments(body: dict[str, Any]) -> dict[str, Any]:
    """`create()` arguments that send `body` unchanged, with the messages in `extra_body`.

    The SDK walks every typed argument on every call (`_transform`), part by part, and Chat
    re-sends the whole history, so that walk made each turn slower than the one before (80 ms
    more per turn by turn 150, benchmarks/turns.py). `extra_body` goes out as it is, and
    `build_request` already makes plain JSON: there is nothing for the walk to change.
    """
    arguments = {key: value for key, value in body.items() if key != "messages"}
    return {**arguments, "messages": [], "extra_body": {"messages": body["messages"]}}


class ChatMode:
    mode = ApiMode.CHAT
    uploads_images = False

    def __init__(self, client: AsyncOpenAI, profile: Profile) -> None:
        self._client = client
        self._profile = profile

    def attach(self, image: PreparedImage) -> AsyncIterator[Event]:
        return nothing()

    async def send(
        self, turn: Question, history: Sequence[Exchange], state: ConversationState
    ) -> AsyncIterator[Event]:
        body = build_request(turn, history, cache_key(self._profile, turn, history))
        every_image = [i for exchange in history for i in exchange.turn.images] + list(turn.images)
        culprits = image_params(body["messages"], "messages", every_image)
        events = stream_answer(
            RequestSent("POST", "/chat/completions", shorten_base64(body)),
            lambda: opened(self._client.chat.completions.create(**sdk_arguments(body))),
            _read,
            lambda exc, partial: failure(exc, self._profile, "Chat Completions", culprits, partial),
        )
        async for event in events:
            yield event


def _read(chunk: Any, answer: Answer) -> Iterator[Event]:
    if chunk.usage is not None:
        details = getattr(chunk.usage, "prompt_tokens_details", None)
        cached = getattr(details, "cached_tokens", None) or 0
        yield Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens, cached)
    for choice in chunk.choices:
        if choice.delta.content:
            yield answer.say(choice.delta.content)
        if choice.finish_reason is not None:
            answer.done = True


def python_snippet(replay: Replay, paths: Sequence[Path | None]) -> str:
    refs = Refs.of(replay.images, paths)
    body = python_literal(build_request(replay.turn, replay.history, replay.cache_key), refs)
    return python_script(
        replay.base_url,
        refs,
        [
            f"body = {body}",
            "",
            "for chunk in client.chat.completions.create(**body):",
            "    for choice in chunk.choices:",
            "        print(choice.delta.content or '', end='', flush=True)",
            "print()",
        ],
    )


def curl_snippet(replay: Replay, paths: Sequence[Path | None]) -> str:
    refs = Refs.of(replay.images, paths)
    body = curl_json(build_request(replay.turn, replay.history, replay.cache_key), refs)
    then = sse_data(".choices[]?.delta.content // empty")
    return curl_script(
        replay.base_url,
        refs,
        [curl_post(replay.base_url, "/chat/completions", body, then=then), "echo"],
    )
