"""POST /chat/completions: images only in user messages, as data URLs or https URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from visiondesk import rules
from visiondesk.domain import ApiMode
from visiondesk.emulator import answers, structured, vision
from visiondesk.emulator.caching import Unit, image_unit, unit
from visiondesk.emulator.errors import bad_request
from visiondesk.emulator.http import (
    JsonResponse,
    Request,
    Response,
    SseEvent,
    StreamResponse,
    new_id,
    now,
)
from visiondesk.emulator.store import Store

ROLES = ("system", "developer", "user", "assistant", "tool", "function")


def create(store: Store, request: Request, images_out: list[vision.ImageFacts]) -> Response:
    body = request.json
    if not isinstance(body, dict):
        raise bad_request("We could not parse the JSON body of your request.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("you must provide a model parameter", param="model")
    messages = body.get("messages")
    if messages is None:
        vision.refuse(
            [
                rules.violation(
                    rules.Code.MISSING_PARAMETER,
                    "messages",
                    field="messages",
                    endpoint="Chat Completions",
                    hint="",
                )
            ]
        )
    if not isinstance(messages, list) or not messages:
        raise bad_request("'messages' must be a non-empty array.", param="messages")
    texts: list[str] = []
    units: list[Unit] = []  # the input in order, as the prompt cache sees it
    last_prompt = ""
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or message.get("role") not in ROLES:
            raise bad_request(f"Invalid value for 'messages[{i}].role'.", param=f"messages[{i}]")
        role = message["role"]
        content = message.get("content")
        if isinstance(content, str):
            texts.append(content)
            units.append(unit(role, content, tokens=vision.text_tokens(content)))
            if role == "user":
                last_prompt = content
            continue
        if not isinstance(content, list):
            continue
        prompt_parts = []
        for j, part in enumerate(content):
            reading = rules.read_part(ApiMode.CHAT, role, part, f"messages[{i}].content[{j}]")
            facts = vision.from_part(reading, model)
            if facts is not None:
                images_out.append(facts)
                units.append(image_unit(facts))
            else:
                texts.append(reading.text or "")
                prompt_parts.append(reading.text or "")
                text = reading.text or ""
                units.append(unit(role, text, tokens=vision.text_tokens(text)))
        if role == "user":
            last_prompt = " ".join(prompt_parts)
    vision.refuse(rules.check_totals(len(images_out), request.body_bytes, ApiMode.CHAT))
    earlier = sum(1 for m in messages if m.get("role") == "assistant")
    answer = store.knobs.scripted_answer or answers.compose(
        last_prompt, images_out, model, earlier_turns=earlier
    )
    if (schema := structured.requested_schema(body)) is not None:
        answer = structured.answer(schema, images_out)
    input_tokens, output_tokens = answers.usage(" ".join(texts), images_out, answer)
    key = body.get("prompt_cache_key")
    cached = store.prompt_cache.cached(key if isinstance(key, str) else None, model, units)
    usage = {
        "prompt_tokens": input_tokens,
        "completion_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        "prompt_tokens_details": {"cached_tokens": min(cached, input_tokens)},
    }
    completion_id = new_id("chatcmpl-")
    if body.get("stream"):
        include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
        return StreamResponse(
            _stream(completion_id, model, answer, usage if include_usage else None)
        )
    return JsonResponse(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": now(),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer, "refusal": None},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": usage,
        }
    )


def _stream(
    completion_id: str, model: str, answer: str, usage: dict[str, Any] | None
) -> Iterator[SseEvent]:
    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": now(),
            "model": model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }

    yield SseEvent(chunk({"role": "assistant", "content": ""}))
    for piece in answers.deltas(answer):
        yield SseEvent(chunk({"content": piece}), is_delta=True)
    yield SseEvent(chunk({}, "stop"))
    if usage is not None:
        final = chunk({})
        final["choices"] = []
        final["usage"] = usage
        yield SseEvent(final)
    yield SseEvent("[DONE]")
