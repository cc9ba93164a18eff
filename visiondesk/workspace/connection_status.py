"""What is known about the open conversation's server: the status line, its models and modes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from visiondesk.domain import ApiMode


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
