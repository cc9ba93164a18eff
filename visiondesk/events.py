"""What a turn reports while it runs: one vocabulary for every API mode.

The session and the window react to these without knowing which mode produced them. `Event`
is the union of them all: a consumer handles it with one `match` ending in
`case _: assert_never(event)`, so mypy names any kind it forgot (and every kind added later).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeAlias, assert_never

from visiondesk.domain import ConversationState, PreparedImage, Replay
from visiondesk.errors import VisionDeskError


@dataclass(frozen=True, slots=True)
class Preparing:
    source: str


@dataclass(frozen=True, slots=True)
class Prepared:
    image: PreparedImage


@dataclass(frozen=True, slots=True)
class UploadProgress:
    """How far an upload is: `bytes_sent` counts bytes the socket has taken (never those only
    handed to a buffer); it reaches `total` once the server has answered that it has them all.
    `stalled_for` is how long no byte has moved (0 while it moves)."""

    sha256: str
    bytes_sent: int
    total: int
    stalled_for: float = 0.0

    @property
    def stalled(self) -> bool:
        return self.stalled_for > 0


@dataclass(frozen=True, slots=True)
class Processing:
    """Uploaded; the server is processing the file (`status: uploaded`)."""

    sha256: str
    file_id: str


@dataclass(frozen=True, slots=True)
class FileReady:
    sha256: str
    file_id: str


@dataclass(frozen=True, slots=True)
class FileFailed:
    sha256: str
    error: VisionDeskError


@dataclass(frozen=True, slots=True)
class TurnStarted:
    """Sent before a turn's first request: what it is built from, to rebuild it as code."""

    replay: Replay


@dataclass(frozen=True, slots=True)
class RequestSent:
    """One HTTP request a turn made, for the request inspector (bodies hold no key)."""

    method: str
    path: str
    body: dict[str, Any] | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class Waiting:
    """Nothing new has arrived for `seconds` (a silent server, or a model thinking before its
    first token): shown so nobody is left without a word. Repeated every few seconds."""

    seconds: float
    server: str


@dataclass(frozen=True, slots=True)
class RateLimitWait:
    """The server said 429 and the app retries in `seconds` (rounded up to whole seconds of the
    wait it sleeps); repeated as a countdown, and once with 0 when the wait is over."""

    seconds: float
    server: str


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The server gave the conversation new state (a response id, a thread, an assistant, or
    showed it keeps no responses): `state` is the whole new value, reported the moment it is
    known, so a turn stopped later still keeps it (a thread already holding the question)."""

    state: ConversationState


@dataclass(frozen=True, slots=True)
class TextDelta:
    text: str


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cached_input_tokens: int = 0
    """Of `input_tokens`, those the server read from its prompt cache (billed at the cached
    price)."""


@dataclass(frozen=True, slots=True)
class Completed:
    text: str
    response_id: str | None = None
    unsaved: str = ""
    """What of the answer the history could not keep (a damaged page); shown all the same."""


@dataclass(frozen=True, slots=True)
class Failed:
    """The turn ended without a complete answer; `partial` keeps whatever had arrived."""

    error: VisionDeskError
    partial: str = ""
    details: dict[str, Any] = field(default_factory=dict)


Event: TypeAlias = (
    Preparing
    | Prepared
    | UploadProgress
    | Processing
    | FileReady
    | FileFailed
    | TurnStarted
    | RequestSent
    | Waiting
    | RateLimitWait
    | StateChanged
    | TextDelta
    | Usage
    | Completed
    | Failed
)
"""Every event (a `types.UnionType`: `isinstance(x, Event)` works too)."""

UploadEvent: TypeAlias = UploadProgress | Processing | FileReady | FileFailed | RequestSent
"""What an upload reports (api/uploads.py), before any turn ends on it."""


def ends_turn(event: Event) -> bool:
    """Whether `event` is the last of its turn (exactly one Completed or Failed ends each)."""
    match event:
        case Completed() | Failed():
            return True
        case (
            Preparing()
            | Prepared()
            | UploadProgress()
            | Processing()
            | FileReady()
            | FileFailed()
            | TurnStarted()
            | RequestSent()
            | Waiting()
            | RateLimitWait()
            | StateChanged()
            | TextDelta()
            | Usage()
        ):
            return False
        case _:
            assert_never(event)
