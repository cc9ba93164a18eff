"""A turn as the window remembers it: for the inspector, Retry and re-opened conversations."""

from __future__ import annotations

from dataclasses import dataclass, field

from visiondesk.domain import ApiMode, PreparedImage
from visiondesk.events import RequestSent


@dataclass
class TurnRecord:
    """What the inspector shows for a turn: the requests, and what to rebuild it from."""

    prompt: str
    images: list[PreparedImage]
    mode: ApiMode
    model: str
    base_url: str
    user_entry: int
    requests: list[RequestSent] = field(default_factory=list)
    message_ids: tuple[int, int] | None = None  # stored (question, answer)
