"""Assistants v2: assistants, threads, messages and runs — and the rule that images travel as
uploaded files (image_file) or public https URLs, never as data URLs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from visiondesk import rules
from visiondesk.domain import ApiMode
from visiondesk.emulator import answers, vision
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
from visiondesk.emulator.store import Store, Thread


def create_assistant(store: Store, request: Request) -> Response:
    body = request.json if isinstance(request.json, dict) else {}
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise bad_request("Missing required parameter: 'model'.", param="model")
    assistant = {
        "id": new_id("asst_"),
        "object": "assistant",
        "created_at": now(),
        "name": body.get("name"),
        "description": body.get("description"),
        "model": model,
        "instructions": body.get("instructions"),
        "tools": body.get("tools") or [],
        "metadata": body.get("metadata") or {},
        "top_p": 1.0,
        "temperature": 1.0,
        "response_format": "auto",
    }
    with store.lock:
        store.assistants[str(assistant["id"])] = assistant
    return JsonResponse(assistant)


def get_assistant(store: Store, assistant_id: str) -> Response:
    with store.lock:
        assistant = store.assistants.get(str(assistant_id))
    if assistant is None:
        raise not_found(f"No assistant found with id '{assistant_id}'.")
    return JsonResponse(assistant)


def list_assistants(store: Store) -> Response:
    with store.lock:
        data = list(store.assistants.values())
    return JsonResponse({"object": "list", "data": data, "has_more": False})


def delete_assistant(store: Store, assistant_id: str) -> Response:
    with store.lock:
        if store.assistants.pop(assistant_id, None) is None:
            raise not_found(f"No assistant found with id '{assistant_id}'.")
    return JsonResponse({"id": assistant_id, "object": "assistant.deleted", "deleted": True})


def create_thread(store: Store, request: Request, images_out: list[vision.ImageFacts]) -> Response:
    body = request.json if isinstance(request.json, dict) else {}
    thread = Thread(new_id("thread_"), now())
    messages = body.get("messages") or []
    if not isinstance(messages, list):
        raise bad_request("'messages' must be an array.", param="messages")
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise bad_request("Invalid message.", param=f"messages[{i}]")
        _add_message(store, thread, message, f"messages[{i}].", images_out)
    with store.lock:
        store.threads[thread.id] = thread
    return JsonResponse(_thread_json(thread))


def get_thread(store: Store, thread_id: str) -> Response:
    return JsonResponse(_thread_json(_thread(store, thread_id)))


def delete_thread(store: Store, thread_id: str) -> Response:
    with store.lock:
        if store.threads.pop(thread_id, None) is None:
            raise not_found(f"No thread found with id '{thread_id}'.")
    return JsonResponse({"id": thread_id, "object": "thread.deleted", "deleted": True})


def create_message(
    store: Store, thread_id: str, request: Request, images_out: list[vision.ImageFacts]
) -> Response:
    thread = _thread(store, thread_id)
    if thread.active_run is not None:
        raise bad_request(
            f"Can't add messages to {thread_id} while a run {thread.active_run} is active.",
        )
    body = request.json if isinstance(request.json, dict) else {}
    return JsonResponse(_add_message(store, thread, body, "", images_out))


def list_messages(store: Store, thread_id: str) -> Response:
    thread = _thread(store, thread_id)
    with store.lock:
        data = list(reversed(thread.messages))
    return JsonResponse({"object": "list", "data": data, "has_more": False})


def create_run(store: Store, thread_id: str, request: Request) -> Response:
    thread = _thread(store, thread_id)
    body = request.json if isinstance(request.json, dict) else {}
    assistant_id = body.get("assistant_id")
    with store.lock:
        assistant = store.assistants.get(str(assistant_id))
    if assistant is None:
        raise not_found(f"No assistant found with id '{assistant_id}'.", param="assistant_id")
    model = str(body.get("model") or assistant["model"])
    with store.lock:
        images, texts = list(thread.unanswered_images), list(thread.unanswered_text)
        thread.unanswered_images.clear()
        thread.unanswered_text.clear()
        earlier = sum(1 for m in thread.messages if m["role"] == "assistant")
    images = [vision.repriced(facts, model) for facts in images]
    prompt = texts[-1] if texts else ""
    answer = store.knobs.scripted_answer or answers.compose(
        prompt, images, model, earlier_turns=earlier
    )
    input_tokens, output_tokens = answers.usage(
        " ".join([str(assistant.get("instructions") or ""), *texts]), images, answer
    )
    run_id = new_id("run_")
    message = _message_json(thread.id, "assistant", [_text_part(answer)], run_id, assistant["id"])
    run = {
        "id": run_id,
        "object": "thread.run",
        "created_at": now(),
        "thread_id": thread.id,
        "assistant_id": assistant["id"],
        "status": "completed",
        "model": model,
        "instructions": assistant.get("instructions") or "",
        "tools": [],
        "metadata": {},
        "parallel_tool_calls": True,
        "completed_at": now(),
        "usage": {
            "prompt_tokens": input_tokens,
            "completion_tokens": output_tokens,
            "total_tokens": input_tokens + output_tokens,
        },
    }
    with store.lock:
        thread.messages.append(message)
        store.runs[run_id] = run
    if body.get("stream"):
        return StreamResponse(_stream(run, message, answer))
    return JsonResponse(dict(run, status="queued", completed_at=None, usage=None))


def get_run(store: Store, thread_id: str, run_id: str) -> Response:
    with store.lock:
        run = store.runs.get(run_id)
    if run is None or run["thread_id"] != thread_id:
        raise not_found(f"No run found with id '{run_id}'.")
    return JsonResponse(run)


def cancel_run(store: Store, thread_id: str, run_id: str) -> Response:
    with store.lock:
        run = store.runs.get(run_id)
        if run is None or run["thread_id"] != thread_id:
            raise not_found(f"No run found with id '{run_id}'.")
        if run["status"] not in ("completed", "failed", "cancelled", "expired"):
            run["status"] = "cancelled"
    return JsonResponse(run)


def _thread(store: Store, thread_id: str) -> Thread:
    with store.lock:
        thread = store.threads.get(thread_id)
    if thread is None:
        raise not_found(f"No thread found with id '{thread_id}'.")
    return thread


def _thread_json(thread: Thread) -> dict[str, Any]:
    return {
        "id": thread.id,
        "object": "thread",
        "created_at": thread.created_at,
        "metadata": {},
        "tool_resources": {},
    }


def _add_message(
    store: Store,
    thread: Thread,
    message: dict[str, Any],
    prefix: str,
    images_out: list[vision.ImageFacts],
) -> dict[str, Any]:
    """Validate one message (param paths start with `prefix`, e.g. "messages[0].")."""
    role = message.get("role")
    if role not in ("user", "assistant"):
        raise bad_request(f"Invalid value for '{prefix}role'.", param=f"{prefix}role")
    content = message.get("content")
    model = _model_hint(store)
    parts: list[dict[str, Any]] = []
    texts: list[str] = []
    found: list[vision.ImageFacts] = []
    if isinstance(content, str):
        parts.append(_text_part(content))
        texts.append(content)
    elif isinstance(content, list):
        for j, part in enumerate(content):
            reading = rules.read_part(ApiMode.ASSISTANTS, role, part, f"{prefix}content[{j}]")
            facts = vision.from_part(reading, model)
            image = reading.image
            if image is not None and image.source is rules.Source.FILE:
                facts = _stored_image(store, image, model)
            if facts is not None:
                found.append(facts)
                parts.append(part)
            else:
                texts.append(reading.text or "")
                parts.append(_text_part(reading.text or ""))
    else:
        raise bad_request(f"Invalid '{prefix}content'.", param=f"{prefix}content")
    json = _message_json(thread.id, str(role), parts)
    with store.lock:
        thread.messages.append(json)
        if role == "user":
            thread.unanswered_images.extend(found)
            thread.unanswered_text.append(" ".join(texts))
    images_out.extend(found)
    return json


def _stored_image(store: Store, image: rules.ImageRef, model: str) -> vision.ImageFacts:
    file_id = str(image.file_id)
    stored = usable_file(store, file_id, image.url_path)
    return vision.from_bytes(
        image_bytes(store, stored, image.url_path),
        image.detail,
        model,
        image.url_path,
        via="file",
        file_id=file_id,
    )


def _model_hint(store: Store) -> str:
    """Messages are priced again at run time with the run's model; until then as gpt-4o."""
    return "gpt-4o"


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "text", "text": {"value": text, "annotations": []}}


def _message_json(
    thread_id: str,
    role: str,
    content: list[dict[str, Any]],
    run_id: str | None = None,
    assistant_id: str | None = None,
) -> dict[str, Any]:
    return {
        "id": new_id("msg_"),
        "object": "thread.message",
        "created_at": now(),
        "thread_id": thread_id,
        "role": role,
        "content": content,
        "assistant_id": assistant_id,
        "run_id": run_id,
        "attachments": [],
        "metadata": {},
        "status": "completed",
    }


def _stream(run: dict[str, Any], message: dict[str, Any], answer: str) -> Iterator[SseEvent]:
    pending = dict(run, status="queued", completed_at=None, usage=None)
    yield SseEvent(pending, "thread.run.created")
    yield SseEvent(pending, "thread.run.queued")
    yield SseEvent(dict(pending, status="in_progress"), "thread.run.in_progress")
    step = {
        "id": new_id("step_"),
        "object": "thread.run.step",
        "run_id": run["id"],
        "thread_id": run["thread_id"],
        "assistant_id": run["assistant_id"],
        "type": "message_creation",
        "status": "in_progress",
        "step_details": {
            "type": "message_creation",
            "message_creation": {"message_id": message["id"]},
        },
        "created_at": now(),
    }
    yield SseEvent(step, "thread.run.step.created")
    # Not in the spec: clients must tolerate events they do not know (API-FACTS §2).
    yield SseEvent(
        {"object": "emulator.note", "note": "unknown events must be ignored"},
        "thread.emulator.note",
    )
    empty = dict(message, content=[], status="in_progress")
    yield SseEvent(empty, "thread.message.created")
    yield SseEvent(empty, "thread.message.in_progress")
    for piece in answers.deltas(answer):
        delta = {
            "id": message["id"],
            "object": "thread.message.delta",
            "delta": {
                "content": [
                    {"index": 0, "type": "text", "text": {"value": piece, "annotations": []}}
                ]
            },
        }
        yield SseEvent(delta, "thread.message.delta", is_delta=True)
    yield SseEvent(message, "thread.message.completed")
    yield SseEvent(dict(step, status="completed"), "thread.run.step.completed")
    yield SseEvent(run, "thread.run.completed")
    yield SseEvent("[DONE]", "done")
