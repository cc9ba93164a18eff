"""POST /responses: input_image by data URL, https URL or file_id; `previous_response_id`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from visiondesk import rules
from visiondesk.domain import ApiMode
from visiondesk.emulator import answers, structured, vision
from visiondesk.emulator.caching import Unit, image_unit, unit
from visiondesk.emulator.errors import bad_request, not_found
from visiondesk.emulator.files import image_bytes, usable_file
from visiondesk.emulator.http import (
    JsonResponse,
    Request,
    Response,
    SseEvent,
    StreamResponse,
    new_id,
    now,
)
from visiondesk.emulator.store import Store, StoredResponse


def _asked(store: Store, request: Request) -> tuple[dict[str, Any], str, StoredResponse | None]:
    """The body, its model and the response it chains from, as the API checks them."""
    body = request.json
    if not isinstance(body, dict):
        raise bad_request("We could not parse the JSON body of your request.")
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model")
    previous = None
    previous_id = body.get("previous_response_id")
    if previous_id is not None:
        with store.lock:
            previous = store.responses.get(str(previous_id))
        if previous is None:
            raise bad_request(
                f"Previous response with id '{previous_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
    return body, model, previous


def create(store: Store, request: Request, images_out: list[vision.ImageFacts]) -> Response:
    body, model, previous = _asked(store, request)
    previous_id = body.get("previous_response_id")
    if "input" not in body:
        vision.refuse(
            [
                rules.violation(
                    rules.Code.MISSING_PARAMETER,
                    "input",
                    field="input",
                    endpoint="Responses",
                    hint="",
                )
            ]
        )
    prompt, texts, user_turns, units = _read_input(store, body.get("input"), model, images_out)
    vision.refuse(rules.check_totals(len(images_out), request.body_bytes, ApiMode.RESPONSES))
    earlier = previous.turns if previous else max(0, user_turns - 1)
    answer = store.knobs.scripted_answer or answers.compose(
        prompt, images_out, model, earlier_turns=earlier
    )
    if (schema := structured.requested_schema(body)) is not None:
        answer = structured.answer(schema, images_out)
    instructions = str(body.get("instructions") or "")
    input_tokens, output_tokens = answers.usage(
        " ".join([instructions, *texts]), images_out, answer
    )
    # A chained response reads (and is billed for) the whole chain before its new input.
    context = previous.context if previous else ()
    input_tokens += sum(tokens for _digest, tokens in context)
    head = [unit("instructions", instructions, tokens=vision.text_tokens(instructions))]
    asked = (*context, *(head if instructions else []), *units)
    key = body.get("prompt_cache_key")
    cached = store.prompt_cache.cached(key if isinstance(key, str) else None, model, asked)
    response_id = new_id("resp_")
    if body.get("store", True):
        said = unit("assistant", answer, tokens=output_tokens)
        with store.lock:
            store.responses[response_id] = StoredResponse(
                response_id,
                model,
                earlier + max(1, user_turns if not previous else 1),
                answer,
                (*asked, said),
            )
    message_id = new_id("msg_")
    final = _response(
        response_id, model, answer, message_id, input_tokens, output_tokens, previous_id
    )
    if final["usage"] is not None:
        final["usage"]["input_tokens_details"]["cached_tokens"] = min(cached, input_tokens)
    if body.get("stream"):
        return StreamResponse(_stream(final, answer, message_id))
    return JsonResponse(final)


def count_input_tokens(
    store: Store, request: Request, images_out: list[vision.ImageFacts]
) -> Response:
    """POST /responses/input_tokens: the input tokens `create` would bill for the same body
    (its images, instructions and the chain before it), answered at once, nothing stored."""
    if "responses" in store.knobs.disabled_modes:
        raise not_found(f"Invalid URL (POST /v1{request.path})")
    body, model, previous = _asked(store, request)
    context = previous.context if previous else ()
    _prompt, texts, _turns, _units = _read_input(store, body.get("input", ""), model, images_out)
    instructions = str(body.get("instructions") or "")
    tokens, _output = answers.usage(" ".join([instructions, *texts]), images_out, "")
    tokens += sum(count for _digest, count in context)
    return JsonResponse({"object": "response.input_tokens", "input_tokens": tokens})


def _read_input(
    store: Store, value: Any, model: str, images_out: list[vision.ImageFacts]
) -> tuple[str, list[str], int, list[Unit]]:
    """The last user prompt, every text, how many user messages the input holds, and the
    input in order as the prompt cache sees it."""
    if isinstance(value, str):
        return value, [value], 1, [unit("user", value, tokens=vision.text_tokens(value))]
    if not isinstance(value, list) or not value:
        raise bad_request("Invalid 'input': expected a string or a non-empty array.", param="input")
    prompt, texts, user_turns = "", [], 0
    units: list[Unit] = []
    for i, item in enumerate(value):
        if not isinstance(item, dict) or "role" not in item:
            raise bad_request(f"Invalid input item at index {i}.", param=f"input[{i}]")
        role = item["role"]
        content = item.get("content")
        if role == "user":
            user_turns += 1
        if isinstance(content, str):
            texts.append(content)
            units.append(unit(str(role), content, tokens=vision.text_tokens(content)))
            if role == "user":
                prompt = content
            continue
        if not isinstance(content, list):
            raise bad_request("Invalid 'content'.", param=f"input[{i}].content")
        parts: list[str] = []
        for j, part in enumerate(content):
            param = f"input[{i}].content[{j}]"
            reading = rules.read_part(ApiMode.RESPONSES, role, part, param)
            facts = vision.from_part(reading, model)
            if reading.image is not None and reading.image.source is rules.Source.FILE:
                facts = _stored_image(store, reading.image, model)
            if facts is not None:
                images_out.append(facts)
                units.append(image_unit(facts))
            else:
                parts.append(reading.text or "")
                text = reading.text or ""
                units.append(unit(str(role), text, tokens=vision.text_tokens(text)))
        texts.extend(parts)
        if role == "user":
            prompt = " ".join(parts)
    return prompt, texts, user_turns, units


def _stored_image(store: Store, image: rules.ImageRef, model: str) -> vision.ImageFacts:
    stored = usable_file(
        store, str(image.file_id), image.url_path, purposes=("vision", "user_data")
    )
    return vision.from_bytes(
        image_bytes(store, stored, image.url_path),
        image.detail,
        model,
        image.url_path,
        via="file",
        file_id=stored.id,
    )


def _response(
    response_id: str,
    model: str,
    answer: str,
    message_id: str,
    input_tokens: int,
    output_tokens: int,
    previous_id: Any,
    status: str = "completed",
) -> dict[str, Any]:
    return {
        "id": response_id,
        "object": "response",
        "created_at": now(),
        "status": status,
        "model": model,
        "previous_response_id": previous_id,
        "output": [
            {
                "type": "message",
                "id": message_id,
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": answer, "annotations": []}],
            }
        ]
        if status == "completed"
        else [],
        "parallel_tool_calls": True,
        "tool_choice": "auto",
        "tools": [],
        "usage": {
            "input_tokens": input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": input_tokens + output_tokens,
        }
        if status == "completed"
        else None,
    }


def _stream(final: dict[str, Any], answer: str, message_id: str) -> Iterator[SseEvent]:
    sequence = iter(range(1_000_000))
    started = dict(final, status="in_progress", output=[], usage=None)

    def event(kind: str, **fields: Any) -> SseEvent:
        return SseEvent(
            {"type": kind, "sequence_number": next(sequence), **fields},
            event=kind,
            is_delta=kind == "response.output_text.delta",
        )

    yield event("response.created", response=started)
    yield event("response.in_progress", response=started)
    item = {
        "type": "message",
        "id": message_id,
        "status": "in_progress",
        "role": "assistant",
        "content": [],
    }
    yield event("response.output_item.added", output_index=0, item=item)
    part = {"type": "output_text", "text": "", "annotations": []}
    yield event(
        "response.content_part.added",
        item_id=message_id,
        output_index=0,
        content_index=0,
        part=part,
    )
    for piece in answers.deltas(answer):
        yield event(
            "response.output_text.delta",
            item_id=message_id,
            output_index=0,
            content_index=0,
            delta=piece,
            logprobs=[],
        )
    yield event(
        "response.output_text.done",
        item_id=message_id,
        output_index=0,
        content_index=0,
        text=answer,
        logprobs=[],
    )
    yield event("response.output_item.done", output_index=0, item=final["output"][0])
    yield event("response.completed", response=final)
