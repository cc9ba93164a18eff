"""Which endpoint a request is for, and where its messages are in the body."""

from __future__ import annotations

import re
from collections.abc import Iterator
from enum import StrEnum
from typing import Any

from visiondesk.domain import ApiMode
from visiondesk.errors import VisionDeskError


class Endpoint(StrEnum):
    CHAT = "/v1/chat/completions"
    RESPONSES = "/v1/responses"
    THREADS = "/v1/threads"
    THREAD_MESSAGES = "/v1/threads/{thread_id}/messages"
    THREAD_AND_RUN = "/v1/threads/runs"

    @property
    def mode(self) -> ApiMode:
        if self is Endpoint.CHAT:
            return ApiMode.CHAT
        if self is Endpoint.RESPONSES:
            return ApiMode.RESPONSES
        return ApiMode.ASSISTANTS


class UnknownEndpoint(VisionDeskError):
    """The endpoint cannot be told from the input; the message lists the choices."""

    def __init__(self, reason: str) -> None:
        choices = ", ".join(endpoint.value for endpoint in Endpoint)
        super().__init__(f"{reason} Say which with --endpoint: one of {choices}.")


_PATHS = [
    (re.compile(r"/chat/completions/?$"), Endpoint.CHAT),
    (re.compile(r"/responses/?$"), Endpoint.RESPONSES),
    (re.compile(r"/threads/runs/?$"), Endpoint.THREAD_AND_RUN),
    (re.compile(r"/threads/[^/]+/messages/?$"), Endpoint.THREAD_MESSAGES),
    (re.compile(r"/threads/?$"), Endpoint.THREADS),
]


def from_path(path: str) -> Endpoint:
    """An endpoint from a URL or path as people write it (with or without host and /v1)."""
    bare = path.split("?", 1)[0].strip()
    for pattern, endpoint in _PATHS:
        if pattern.search(bare):
            return endpoint
    raise UnknownEndpoint(f"'{path}' is not an endpoint that takes images.")


def from_body(body: dict[str, Any]) -> Endpoint:
    """Guess from the body's shape: messages+model → Chat, input → Responses, …"""
    if "input" in body:
        return Endpoint.RESPONSES
    if "messages" in body and "model" in body:
        return Endpoint.CHAT
    if "messages" in body:
        return Endpoint.THREADS
    if isinstance(body.get("thread"), dict):
        return Endpoint.THREAD_AND_RUN
    if "role" in body and "content" in body:
        return Endpoint.THREAD_MESSAGES
    raise UnknownEndpoint("The body has no 'messages', 'input' or message 'content'.")


def messages(endpoint: Endpoint, body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each message of the request with its path prefix ("messages[0]", or "" for a body that
    is itself one message)."""
    if endpoint is Endpoint.THREAD_MESSAGES:
        yield "", body
        return
    key, listed = _listed(endpoint, body)
    if not isinstance(listed, list):
        return
    for i, message in enumerate(listed):
        if isinstance(message, dict) and "content" in message:
            yield f"{key}[{i}]", message


_TOOL_OUTPUTS = ("function_call_output", "custom_tool_call_output")


def tool_outputs(endpoint: Endpoint, body: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    """Responses' tool results that are lists of parts ("input[2].output", the parts): a tool
    may answer with images, which the API judges as it judges a user's."""
    if endpoint is not Endpoint.RESPONSES:
        return
    listed = body.get("input")
    for i, item in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(item, dict) and item.get("type") in _TOOL_OUTPUTS:
            output = item.get("output")
            if isinstance(output, list):
                yield f"input[{i}].output", output


def message_list(endpoint: Endpoint, body: dict[str, Any]) -> list[Any] | None:
    listed = _listed(endpoint, body)[1]
    return listed if isinstance(listed, list) else None


def _listed(endpoint: Endpoint, body: dict[str, Any]) -> tuple[str, Any]:
    if endpoint is Endpoint.RESPONSES:
        return "input", body.get("input")
    if endpoint is Endpoint.THREAD_AND_RUN:
        thread = body.get("thread")
        return "thread.messages", thread.get("messages") if isinstance(thread, dict) else None
    return "messages", body.get("messages")


def join(prefix: str, rest: str) -> str:
    return f"{prefix}.{rest}" if prefix else rest
