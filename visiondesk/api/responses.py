"""Responses: `input_image` by data URL, https URL or uploaded `file_id`, `detail` always sent.

Later turns chain with `previous_response_id`, so earlier images are not sent again; servers
that keep no responses (Ollama) get the history instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import openai
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
from visiondesk.api.uploads import Uploader
from visiondesk.config.profiles import Profile, Server
from visiondesk.domain import ApiMode, ConversationState, Exchange, PreparedImage, Question, Replay
from visiondesk.errors import ApiRejected, VisionDeskError
from visiondesk.events import Event, Failed, RequestSent, StateChanged, Usage, ends_turn


def user_message(turn: Question, file_ids: dict[str, str] | None = None) -> dict[str, Any]:
    file_ids = file_ids or {}
    content: list[dict[str, Any]] = [{"type": "input_text", "text": turn.prompt}]
    content += [image_parts.responses(image, file_ids.get(image.sha256)) for image in turn.images]
    return {"role": "user", "content": content}


def build_request(
    turn: Question,
    history: Sequence[Exchange],
    previous_response_id: str | None,
    file_ids: dict[str, str] | None = None,
    store: bool = True,
    cache_key: str | None = None,
) -> dict[str, Any]:
    """With a previous response only the new turn travels; otherwise the whole history.
    `store=False` for servers that keep no responses (or conversations that stopped chaining)."""
    items: list[dict[str, Any]] = []
    if previous_response_id is None:
        for exchange in history:
            items.append(user_message(exchange.turn, file_ids))
            items.append({"role": "assistant", "content": exchange.answer})
    items.append(user_message(turn, file_ids))
    body: dict[str, Any] = {"model": turn.model, "input": items, "stream": True}
    if turn.instructions:
        body["instructions"] = turn.instructions  # not carried over by previous_response_id
    if previous_response_id is not None:
        body["previous_response_id"] = previous_response_id
    if not store:
        body["store"] = False
    if cache_key is not None:
        body["prompt_cache_key"] = cache_key
    return body


def chains(stores_responses: bool, state: ConversationState) -> bool:
    """Whether turns chain with `previous_response_id` (else each sends the history)."""
    return stores_responses and not state.responses_stateless


def replay_request(replay: Replay, file_ids: dict[str, str]) -> dict[str, Any]:
    """The body a replayed turn was sent with (`file_ids` stand for its uploads)."""
    chained = chains(replay.stores_responses, replay.state)
    return build_request(
        replay.turn,
        replay.history,
        replay.state.response_id if chained else None,
        file_ids if replay.uploads_images else None,
        store=chained,
        cache_key=replay.cache_key,
    )


def python_snippet(replay: Replay, paths: Sequence[Path | None]) -> str:
    refs = Refs.of(replay.images, paths)
    body = python_literal(replay_request(replay, refs.file_ids), refs)
    return python_script(
        replay.base_url,
        refs,
        [
            f"body = {body}",
            "",
            "for event in client.responses.create(**body):",
            "    if event.type == 'response.output_text.delta':",
            "        print(event.delta, end='', flush=True)",
            "print()",
        ],
    )


def curl_snippet(replay: Replay, paths: Sequence[Path | None]) -> str:
    refs = Refs.of(replay.images, paths)
    body = curl_json(replay_request(replay, refs.file_ids), refs)
    then = sse_data('select(.type == "response.output_text.delta") | .delta')
    return curl_script(
        replay.base_url, refs, [curl_post(replay.base_url, "/responses", body, then=then), "echo"]
    )


class ResponsesMode:
    mode = ApiMode.RESPONSES

    def __init__(self, client: AsyncOpenAI, profile: Profile, uploader: Uploader) -> None:
        self._client = client
        self._profile = profile
        self._uploader = uploader

    @property
    def uploads_images(self) -> bool:
        # Ollama silently drops input_image parts that carry a file_id (API-FACTS §7).
        return self._profile.responses_upload and self._profile.server is not Server.OLLAMA

    def attach(self, image: PreparedImage) -> AsyncIterator[Event]:
        if self.uploads_images and not image.is_url:
            return self._uploader.events(image)
        return nothing()

    async def send(
        self, turn: Question, history: Sequence[Exchange], state: ConversationState
    ) -> AsyncIterator[Event]:
        file_ids: dict[str, str] = {}
        if self.uploads_images:
            async for step in self._uploader.ensure(turn.images, file_ids):
                yield step
                if ends_turn(step):  # an upload failed: the turn ends with it
                    return
        chain = state.response_id if self._chains(state) else None
        try:
            async for event in self._send(turn, history, state, chain, file_ids):
                yield event
        except _ChainLost:
            # The server no longer has (or never kept) the previous response: send the history
            # instead, and stop chaining in this conversation.
            state = replace(state, responses_stateless=True)
            yield StateChanged(state)
            async for event in self._send(turn, history, state, None, file_ids):
                yield event

    def _chains(self, state: ConversationState) -> bool:
        return chains(self._profile.stores_responses, state)

    async def _send(
        self,
        turn: Question,
        history: Sequence[Exchange],
        state: ConversationState,
        chain: str | None,
        file_ids: dict[str, str],
    ) -> AsyncIterator[Event]:
        key = cache_key(self._profile, turn, history)
        body = build_request(
            turn, history, chain, file_ids, store=self._chains(state), cache_key=key
        )
        images = list(turn.images)
        if chain is None:
            images = [i for exchange in history for i in exchange.turn.images] + images
        culprits = image_params(body["input"], "input", images)

        def read(event: Any, answer: Answer) -> Iterator[Event]:
            kind = getattr(event, "type", "")
            if kind == "response.output_text.delta":
                yield answer.say(event.delta)
            elif kind == "response.completed":
                completed = event.response
                answer.done = True
                answer.answer_id = completed.id
                if (used := completed.usage) is not None:
                    details = getattr(used, "input_tokens_details", None)
                    cached = getattr(details, "cached_tokens", None) or 0
                    yield Usage(used.input_tokens, used.output_tokens, cached)
                if self._chains(state):
                    yield StateChanged(replace(state, response_id=completed.id))
            elif kind in ("response.failed", "response.incomplete"):
                yield answer.fail(_response_error(event.response))

        def fail(exc: Exception, partial: str) -> Failed:
            if chain is not None and not partial and _is_lost_chain(exc):
                raise _ChainLost from exc
            return failure(exc, self._profile, "the Responses API", culprits, partial)

        events = stream_answer(
            RequestSent("POST", "/responses", shorten_base64(body)),
            lambda: opened(self._client.responses.create(**body)),
            read,
            fail,
        )
        async for event in events:
            yield event


def _response_error(response: Any) -> VisionDeskError:
    error = getattr(response, "error", None)
    if error is not None:
        return ApiRejected(f"The answer failed: {error.message} ({error.code})", retryable=True)
    details = getattr(response, "incomplete_details", None)
    reason = getattr(details, "reason", None) or "unknown reason"
    return ApiRejected(f"The answer stopped early ({reason}).", retryable=True)


class _ChainLost(Exception):
    """`previous_response_id` was refused: the server does not have that response."""


def _is_lost_chain(exc: Exception) -> bool:
    return isinstance(exc, openai.BadRequestError | openai.NotFoundError) and (
        exc.code == "previous_response_not_found" or exc.param == "previous_response_id"
    )
