"""The open conversation's settings, and what is known about its server."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

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


class ConnectionState(Enum):
    CHECKING = "checking"
    CONNECTED = "connected"
    FAILED = "failed"
    RATE_LIMITED = "rate-limited"
    """Connected, but the server said 429: the SDK retries after a countdown."""
    KEYCHAIN = "keychain"
    """The key is being read from the system keychain (which may be asking for a password)."""


@dataclass(frozen=True, slots=True)
class ConnectionStatus:
    """The profile's server as last probed: the line to show, its models, the modes it lacks."""

    state: ConnectionState = ConnectionState.CHECKING
    text: str = "Starting…"
    models: tuple[str, ...] = ()
    missing: dict[ApiMode, str] = field(default_factory=dict)
    unknown: dict[ApiMode, str] = field(default_factory=dict)
    """Modes the server failed on when asked (5xx): still selectable, with what it said."""
