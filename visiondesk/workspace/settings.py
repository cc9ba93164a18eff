"""The open conversation's settings (its server's status is in `connection_status`)."""

from __future__ import annotations

from dataclasses import dataclass

from visiondesk.domain import ApiMode, Detail


@dataclass(frozen=True, slots=True)
class ConversationSettings:
    """Where and how the next question goes. The workspace holds the only copy."""

    profile_key: str
    model: str
    mode: ApiMode
    detail: Detail
    instructions: str = ""
    """The conversation's instructions (system prompt); empty for none."""
