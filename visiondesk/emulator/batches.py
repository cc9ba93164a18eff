"""The Batch API: create from a `batch` file, retrieve, cancel, list. A batch moves through the
real statuses on a clock (`batch_delay` a stage); its lines are answered by the same endpoint
code as live requests when it finalizes, and its output comes back shuffled."""

from __future__ import annotations

import json
import random
import time
from typing import Any

from visiondesk.emulator import chat, responses
from visiondesk.emulator.errors import HttpError, bad_request, not_found
from visiondesk.emulator.files import usable_file
from visiondesk.emulator.http import JsonResponse, Request, Response, new_id, now
from visiondesk.emulator.store import Store, StoredFile

ENDPOINTS = {"/v1/chat/completions": chat.create, "/v1/responses": responses.create}
ALL_ENDPOINTS = (
    "/v1/responses",
    "/v1/chat/completions",
    "/v1/embeddings",
    "/v1/completions",
    "/v1/moderations",
    "/v1/images/generations",
    "/v1/images/edits",
    "/v1/videos",
)
MAX_LINES = 50_000
MAX_BYTES = 200 * 2**20


def create(store: Store, request: Request) -> Response:
    body = request.json
    if not isinstance(body, dict):
        raise bad_request("We could not parse the JSON body of your request.")
    for name in ("input_file_id", "endpoint", "completion_window"):
        if not isinstance(body.get(name), str):
            raise bad_request(f"Missing required parameter: '{name}'.", param=name)
    if body["endpoint"] not in ALL_ENDPOINTS:
        raise bad_request(f"Invalid value for 'endpoint': '{body['endpoint']}'.", param="endpoint")
    if body["completion_window"] != "24h":
        raise bad_request("completion_window must be '24h'.", param="completion_window")
    source = usable_file(store, body["input_file_id"], "input_file_id", ("batch",))
    knobs = store.knobs
    with knobs.lock:
        delay, fail_lines = knobs.batch_delay, knobs.batch_fail_lines
        expire, invalid = knobs.batch_expire, knobs.batch_invalid
    lines, errors = _validate(source, body["endpoint"])
    if invalid and not errors:
        errors = [_error("invalid_request", "The batch was refused (emulated).", None)]
    batch: dict[str, Any] = {
        "id": new_id("batch_"),
        "object": "batch",
        "endpoint": body["endpoint"],
        "model": str(lines[0]["body"].get("model")) if lines else None,
        "errors": None,
        "input_file_id": source.id,
        "completion_window": "24h",
        "status": "validating",
        "output_file_id": None,
        "error_file_id": None,
        "created_at": now(),
        "in_progress_at": None,
        "expires_at": now() + 24 * 3600,
        "finalizing_at": None,
        "completed_at": None,
        "failed_at": None,
        "expired_at": None,
        "cancelling_at": None,
        "cancelled_at": None,
        "request_counts": {"total": 0, "completed": 0, "failed": 0},
        "metadata": body.get("metadata"),
    }
    state = {
        "batch": batch,
        "lines": lines,
        "errors": errors,
        "started": time.monotonic(),
        "delay": delay,
        "fail_lines": fail_lines,
        "expire": expire,
        "cancel_at": None,
    }
    with store.lock:
        store.batches[batch["id"]] = state
    return JsonResponse(dict(batch))


def retrieve(store: Store, batch_id: str) -> Response:
    return JsonResponse(_advance(store, _get(store, batch_id)))


def cancel(store: Store, batch_id: str) -> Response:
    state = _get(store, batch_id)
    batch = _advance(store, state)
    if batch["status"] in ("validating", "in_progress", "finalizing"):
        with store.knobs.lock:
            state["cancel_delay"] = store.knobs.batch_delay
        with store.lock:
            state["cancel_at"] = time.monotonic()
            batch["status"] = "cancelling"
            batch["cancelling_at"] = now()
    return JsonResponse(dict(batch))


def list_batches(store: Store, request: Request) -> Response:
    with store.lock:
        states = list(store.batches.values())
    data = [_advance(store, state) for state in reversed(states)]
    limit = int(request.query.get("limit", "20") or 20)
    after = request.query.get("after")
    if after is not None:
        ids = [b["id"] for b in data]
        data = data[ids.index(after) + 1 :] if after in ids else []
    page = data[:limit]
    return JsonResponse(
        {
            "object": "list",
            "data": page,
            "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None,
            "has_more": len(data) > limit,
        }
    )


def _get(store: Store, batch_id: str) -> dict[str, Any]:
    with store.lock:
        state = store.batches.get(batch_id)
    if state is None:
        raise not_found(f"No batch found with id '{batch_id}'.", param="batch_id")
    return state


def _validate(source: StoredFile, endpoint: str) -> tuple[list[dict[str, Any]], list[Any]]:
    """Check the input file as the real API does; the errors name their lines."""
    errors: list[dict[str, Any]] = []
    lines: list[dict[str, Any]] = []
    if source.size > MAX_BYTES:  # refused unread, like the real API
        errors.append(_error("file_too_large", "The input file is larger than 200 MB.", None))
        return lines, errors
    seen: set[str] = set()
    models: set[str] = set()
    with source.path.open("rb") as content:  # a line at a time, from disk
        for number, raw in enumerate(content, 1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
            except ValueError:
                errors.append(_error("invalid_json_line", "This line is not valid JSON.", number))
                continue
            problem = _line_problem(line, endpoint, seen)
            if problem:
                errors.append(_error("invalid_request", problem, number))
                continue
            seen.add(line["custom_id"])
            models.add(str(line["body"].get("model")))
            lines.append(line)
    if len(lines) > MAX_LINES:
        errors.append(_error("too_many_requests", "The file has more than 50,000 lines.", None))
    if len(models) > 1:
        errors.append(_error("mixed_models", "All lines of a batch must use one model.", None))
    if not lines and not errors:
        errors.append(_error("empty_file", "The input file has no requests.", None))
    return lines, errors


def _line_problem(line: Any, endpoint: str, seen: set[str]) -> str | None:
    if not isinstance(line, dict):
        return "A line must be a JSON object."
    custom = line.get("custom_id")
    if not isinstance(custom, str) or not custom:
        return "Each line needs a 'custom_id' string."
    if custom in seen:
        return f"The custom_id '{custom}' is used more than once."
    if line.get("method") != "POST":
        return "The method must be 'POST'."
    if line.get("url") != endpoint:
        return f"The url '{line.get('url')}' does not match the batch endpoint '{endpoint}'."
    body = line.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("model"), str):
        return "Each line needs a 'body' object with a 'model'."
    if body.get("stream"):
        return "Streaming is not supported in batches."
    return None


def _error(code: str, message: str, line: int | None) -> dict[str, Any]:
    return {"code": code, "message": message, "param": None, "line": line}


def _advance(store: Store, state: dict[str, Any]) -> dict[str, Any]:
    """Move the batch along its clock; the lines are answered once, on finishing."""
    with store.lock:
        batch: dict[str, Any] = state["batch"]
        if batch["status"] in ("completed", "failed", "expired", "cancelled"):
            return dict(batch)
        elapsed = time.monotonic() - state["started"]
        stage = state["delay"]
        if state["cancel_at"] is not None:
            if time.monotonic() - state["cancel_at"] >= state["cancel_delay"]:
                batch["status"] = "cancelled"
                batch["cancelled_at"] = now()
            return dict(batch)
        if elapsed < stage:
            return dict(batch)
        if state["errors"]:
            batch.update(
                status="failed",
                failed_at=now(),
                errors={"object": "list", "data": state["errors"]},
            )
            return dict(batch)
        total = len(state["lines"])
        batch["request_counts"]["total"] = total
        batch["in_progress_at"] = batch["in_progress_at"] or now()
        if elapsed < 2 * stage:
            batch["status"] = "in_progress"
            return dict(batch)
        batch["finalizing_at"] = batch["finalizing_at"] or now()
        if elapsed < 3 * stage or state.get("finishing"):
            batch["status"] = "finalizing"
            return dict(batch)
        state["finishing"] = True  # answered once, by whichever request got here first
    _finish(store, state)
    return dict(state["batch"])


def _finish(store: Store, state: dict[str, Any]) -> None:
    lines: list[dict[str, Any]] = state["lines"]
    if state["expire"]:
        lines = lines[: len(lines) // 2]
    outputs: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for number, line in enumerate(lines):
        result = _answer(store, line, failing=number < state["fail_lines"])
        (outputs if result["response"]["status_code"] == 200 else errors).append(result)
    rng = random.Random(state["batch"]["id"])
    rng.shuffle(outputs)  # the real output order is not the input order
    with store.lock:
        batch = state["batch"]
        if outputs:
            batch["output_file_id"] = _result_file(store, batch["id"], "output", outputs)
        if errors:
            batch["error_file_id"] = _result_file(store, batch["id"], "error", errors)
        batch["request_counts"] = {
            "total": len(state["lines"]),
            "completed": len(outputs),
            "failed": len(errors),
        }
        if state["expire"]:
            batch.update(status="expired", expired_at=now())
        else:
            batch.update(status="completed", completed_at=now())


def _answer(store: Store, line: dict[str, Any], *, failing: bool) -> dict[str, Any]:
    url: str = line["url"]
    status, body = 200, None
    if failing:
        status, body = 500, HttpError(500, "The line failed (emulated).", type="server_error")
    else:
        request = Request("POST", url.removeprefix("/v1"), {}, {}, json=line["body"])
        try:
            answered = ENDPOINTS[url](store, request, [])
        except HttpError as error:
            status, body = error.status, error
        else:
            assert isinstance(answered, JsonResponse)
            store.answered(line["body"])
            return _line(line["custom_id"], 200, answered.body)
    assert isinstance(body, HttpError)
    return _line(line["custom_id"], status, body.body())


def _line(custom_id: str, status: int, body: Any) -> dict[str, Any]:
    return {
        "id": new_id("batch_req_"),
        "custom_id": custom_id,
        "response": {"status_code": status, "request_id": new_id("req_"), "body": body},
        "error": None,
    }


def _result_file(store: Store, batch_id: str, kind: str, lines: list[dict[str, Any]]) -> str:
    data = "".join(json.dumps(line) + "\n" for line in lines).encode()
    file_id = new_id("file-")
    path = store.write(file_id, data)
    stored = StoredFile(
        file_id,
        f"{batch_id}_{kind}.jsonl",
        "batch_output",
        path,
        len(data),
        now(),
        0.0,
        False,
        False,
    )
    store.files[stored.id] = stored
    return stored.id
