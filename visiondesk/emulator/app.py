"""Route a request to its endpoint, after the key check and any scripted fault."""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable

from visiondesk.emulator import assistants, batches, chat, files, responses
from visiondesk.emulator.errors import HttpError, not_found
from visiondesk.emulator.http import JsonResponse, Request, Response, StreamResponse
from visiondesk.emulator.store import Recorded, Store
from visiondesk.emulator.vision import ImageFacts

MODELS = ("gpt-4o", "gpt-4o-mini", "gpt-4.1-mini", "gpt-5", "gpt-5.4", "o4-mini")

Handler = Callable[[Store, Request, list[ImageFacts], re.Match[str]], Response]


def _route(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + pattern.replace("{id}", r"([\w-]+)") + "$")


def _run_retrieve(
    store: Store, request: Request, images: list[ImageFacts], m: re.Match[str]
) -> Response:
    return assistants.get_run(store, m[1], m[2])


_RUN_RETRIEVE: Handler = _run_retrieve

ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = [
    ("GET", _route("/models"), "models", lambda s, r, i, m: _models()),
    ("POST", _route("/chat/completions"), "chat", lambda s, r, i, m: chat.create(s, r, i)),
    ("POST", _route("/responses"), "responses", lambda s, r, i, m: responses.create(s, r, i)),
    (
        "POST",
        _route("/responses/input_tokens"),
        "input_tokens",  # `disabled_modes={"input_tokens"}`: a Responses server without it
        lambda s, r, i, m: responses.count_input_tokens(s, r, i),
    ),
    ("POST", _route("/files"), "files", lambda s, r, i, m: files.create(s, r)),
    ("GET", _route("/files"), "files", lambda s, r, i, m: files.list_files(s, r)),
    ("GET", _route("/files/{id}"), "files", lambda s, r, i, m: files.retrieve(s, m[1])),
    ("GET", _route("/files/{id}/content"), "files", lambda s, r, i, m: files.content(s, m[1])),
    ("DELETE", _route("/files/{id}"), "files", lambda s, r, i, m: files.delete(s, m[1])),
    ("POST", _route("/batches"), "batches", lambda s, r, i, m: batches.create(s, r)),
    ("GET", _route("/batches"), "batches", lambda s, r, i, m: batches.list_batches(s, r)),
    ("GET", _route("/batches/{id}"), "batches", lambda s, r, i, m: batches.retrieve(s, m[1])),
    (
        "POST",
        _route("/batches/{id}/cancel"),
        "batches",
        lambda s, r, i, m: batches.cancel(s, m[1]),
    ),
    (
        "POST",
        _route("/assistants"),
        "assistants",
        lambda s, r, i, m: assistants.create_assistant(s, r),
    ),
    ("GET", _route("/assistants"), "assistants", lambda s, r, i, m: assistants.list_assistants(s)),
    (
        "GET",
        _route("/assistants/{id}"),
        "assistants",
        lambda s, r, i, m: assistants.get_assistant(s, m[1]),
    ),
    (
        "DELETE",
        _route("/assistants/{id}"),
        "assistants",
        lambda s, r, i, m: assistants.delete_assistant(s, m[1]),
    ),
    (
        "POST",
        _route("/threads"),
        "assistants",
        lambda s, r, i, m: assistants.create_thread(s, r, i),
    ),
    (
        "GET",
        _route("/threads/{id}"),
        "assistants",
        lambda s, r, i, m: assistants.get_thread(s, m[1]),
    ),
    (
        "DELETE",
        _route("/threads/{id}"),
        "assistants",
        lambda s, r, i, m: assistants.delete_thread(s, m[1]),
    ),
    (
        "POST",
        _route("/threads/{id}/messages"),
        "assistants",
        lambda s, r, i, m: assistants.create_message(s, m[1], r, i),
    ),
    (
        "GET",
        _route("/threads/{id}/messages"),
        "assistants",
        lambda s, r, i, m: assistants.list_messages(s, m[1]),
    ),
    (
        "POST",
        _route("/threads/{id}/runs"),
        "assistants",
        lambda s, r, i, m: assistants.create_run(s, m[1], r),
    ),
    ("GET", _route("/threads/{id}/runs/{id}"), "assistants", _RUN_RETRIEVE),
    (
        "POST",
        _route("/threads/{id}/runs/{id}/cancel"),
        "assistants",
        lambda s, r, i, m: assistants.cancel_run(s, m[1], m[2]),
    ),
]


def handle(store: Store, request: Request, api_key: str | None) -> Response:
    """Answer one request; every refusal is an HttpError shaped like the real API's."""
    images: list[ImageFacts] = []
    record = Recorded(request.method, request.path, request.json, request.body_bytes, images)
    with store.changed:
        store.log.append(record)
        store.changed.notify_all()
    try:
        _check_key(request, api_key)
        fault = store.knobs.take_status_fault()
        if fault is not None:
            status, wait = fault
            if status == 429:
                raise HttpError(
                    429,
                    "Rate limit reached for requests (emulated). Please try again later.",
                    type="requests",
                    code="rate_limit_exceeded",
                    headers={"retry-after": f"{wait:g}"} if wait is not None else {},
                )
            raise HttpError(
                500,
                "The server had an error while processing your request (emulated).",
                type="server_error",
            )
        quirks = store.knobs.gateway_quirks
        for method, pattern, family, handler in ROUTES:
            match = pattern.match(request.path)
            if match and method == request.method:
                if family in store.knobs.disabled_modes:
                    break
                if quirks and handler is _RUN_RETRIEVE:
                    break  # gateways lack it
                if quirks and request.path == "/threads":
                    request.json = None  # gateways drop this body
                if family not in MODEL_FAMILIES:
                    return _traced(handler(store, request, images, match), record)
                _hold(store)
                response = handler(store, request, images, match)
                store.answered(request.json)
                return _traced(response, record)
        if quirks:
            raise HttpError(
                500,
                f"No deployment handles {request.method} /v1{request.path}: "
                "route_settings is not set for this gateway.",
                type="server_error",
            )
        raise not_found(f"Invalid URL ({request.method} /v1{request.path})")
    except HttpError as error:
        record.status = error.status
        raise


MODEL_FAMILIES = ("chat", "responses")


def _traced(response: Response, record: Recorded) -> Response:
    """A stream counts its deltas on the request's record, for whoever waits on them."""
    if isinstance(response, StreamResponse):
        response.record = record
    return response


def _hold(store: Store) -> None:
    """With `hold_after` set, requests past that count wait unanswered until released, and
    are then dropped: the client never got an answer for them."""
    knobs = store.knobs
    with knobs.lock:
        limit = knobs.hold_after
    with store.lock:
        store.admitted += 1
        if limit is None or store.admitted <= limit:
            return
    knobs.release.wait()
    raise HttpError(503, "The request was held and dropped (emulated).", type="server_error")


def _check_key(request: Request, api_key: str | None) -> None:
    if api_key is None:
        return
    given = request.headers.get("authorization", "")
    token = given.removeprefix("Bearer ").strip()
    if not hmac.compare_digest(token.encode(), api_key.encode()):
        # Like the real API this names no key: the emulator never echoes a secret.
        raise HttpError(
            401,
            "Incorrect API key provided. You can find your API key at "
            "https://platform.openai.com/account/api-keys.",
            code="invalid_api_key",
        )


def _models() -> Response:
    return JsonResponse(
        {
            "object": "list",
            "data": [
                {"id": model, "object": "model", "created": 1_700_000_000, "owned_by": "emulator"}
                for model in MODELS
            ],
        }
    )
