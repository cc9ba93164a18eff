"""A turn's events as JSON lines (`visiondesk send --json`, with or without --compare), and
the exit codes the send commands share."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from visiondesk.domain import ConversationState, PreparedImage, Replay
from visiondesk.errors import VisionDeskError
from visiondesk.events import Event

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


def event_json(event: Event) -> dict[str, Any]:
    """An event as JSON: snake_case `event` name; images without their bytes; errors as text."""
    name = type(event).__name__  # the wire name of every kind alike: no dispatch on it
    snake = "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")
    record: dict[str, Any] = {"event": snake}
    for item in fields(event):
        value = getattr(event, item.name)
        if isinstance(value, PreparedImage):
            value = {
                "source": value.label,
                "sha256": value.sha256,
                "width": value.width,
                "height": value.height,
                "mime": value.mime or None,
                "bytes": len(value.data),
                "url": value.url,
                "detail": value.detail.value,
                "tokens": value.tokens,
                "notes": list(value.notes),
            }
        elif isinstance(value, Replay):  # what the turn is built from, without image bytes
            value = {
                "mode": value.mode.value,
                "base_url": value.base_url,
                "model": value.turn.model,
                "images": len(value.turn.images),
                "earlier_turns": len(value.history),
                "previous_response_id": value.state.response_id,
                "thread_id": value.state.thread_id,
            }
        elif isinstance(value, ConversationState):
            value = {
                "response_id": value.response_id,
                "thread_id": value.thread_id,
                "assistant_id": value.assistant_id,
                "responses_stateless": value.responses_stateless,
            }
        elif isinstance(value, VisionDeskError):
            value = {"type": type(value).__name__, "message": value.message}
        record[item.name] = value
    return record
