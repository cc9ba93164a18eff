"""The one protocol every API mode implements, and the helpers they share."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

import httpx2
import openai

from visiondesk.api.errors import translate
from visiondesk.config.profiles import Profile
from visiondesk.domain import ApiMode, ConversationState, Exchange, PreparedImage, Question
from visiondesk.errors import NetworkError
from visiondesk.events import Event, Failed


class ModeClient(Protocol):
    """Send turns in one API mode. The session and the window never branch on the mode."""

    mode: ApiMode

    @property
    def uploads_images(self) -> bool:
        """Whether attached images are uploaded as files (and so should start on attach)."""
        ...

    def attach(self, image: PreparedImage) -> AsyncIterator[Event]:
        """Start whatever an attached image needs before Send (uploads); may yield nothing."""
        ...

    def send(
        self, turn: Question, history: Sequence[Exchange], state: ConversationState
    ) -> AsyncIterator[Event]:
        """Send `turn` and stream the answer; ends with Completed or Failed.

        Cancellation (the task is cancelled) stops the network work at once; the caller keeps
        whatever TextDelta events had arrived. `state` is never changed: new server-side state
        is yielded as `StateChanged` as soon as the server gives it.
        """
        ...


IMAGE_PART_TYPES = ("image_url", "input_image", "image_file")


def image_params(
    messages: Sequence[Any], field: str, images: Sequence[PreparedImage]
) -> dict[str, str]:
    """Map each image part's `param` path (e.g. `messages[2].content[1]`) to the image's name,
    so an error the server reports for a part can name the image. `images` are in body order."""
    names = iter(image.label for image in images)
    found: dict[str, str] = {}
    for i, message in enumerate(messages):
        content = message.get("content") if isinstance(message, dict) else None
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            if isinstance(part, dict) and part.get("type") in IMAGE_PART_TYPES:
                name = next(names, None)
                if name is not None:
                    found[f"{field}[{i}].content[{j}]"] = name
    return found


def cut_short(partial: str) -> Failed:
    """The stream ended without its final event: the connection dropped mid-answer."""
    return Failed(
        NetworkError("The connection closed before the answer was complete. Retry."), partial
    )


def failure(
    exc: Exception, profile: Profile, what: str, culprits: dict[str, str], partial: str
) -> Failed:
    """How a turn ends on an exception. A connection lost after words had arrived is a cut
    answer, not an unreachable server."""
    if partial and isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return cut_short(partial)
    return Failed(translate(exc, profile, what=what, images=culprits), partial)


async def nothing() -> AsyncIterator[Event]:
    """An attach() for modes that need no preparation beyond the pipeline."""
    return
    yield  # pragma: no cover - makes this an async generator
