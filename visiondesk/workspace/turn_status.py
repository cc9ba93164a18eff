"""A turn's status and the one table of the moves it may make (`advanced`): a turn only moves
forward, the endings are reached from any running status, and an ended turn never changes
(Retry, Edit and Regenerate make a new turn, or a new version in its place)."""

from __future__ import annotations

from enum import Enum

from visiondesk.domain import AnswerStatus


class TurnStatus(Enum):
    PENDING = "pending"
    PREPARING = "preparing"
    UPLOADING = "uploading"
    STREAMING = "streaming"
    DONE = "done"
    FAILED = "failed"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"

    @property
    def running(self) -> bool:
        return self in _RUNNING

    @property
    def retryable(self) -> bool:
        return self in (TurnStatus.FAILED, TurnStatus.STOPPED, TurnStatus.INTERRUPTED)

    @classmethod
    def stored(cls, status: str) -> TurnStatus:
        """How an answer saved in the history shows (open answers were interrupted)."""
        return _FROM_STORE.get(AnswerStatus(status), TurnStatus.INTERRUPTED)


_RUNNING = {TurnStatus.PENDING, TurnStatus.PREPARING, TurnStatus.UPLOADING, TurnStatus.STREAMING}
_ENDED = frozenset({TurnStatus.DONE, TurnStatus.FAILED, TurnStatus.STOPPED})
_NEXT: dict[TurnStatus, frozenset[TurnStatus]] = {
    # A turn only moves forward; the three endings are reached from any running status, and an
    # ended turn never changes again (Retry, Edit and Regenerate make a new turn or version).
    TurnStatus.PENDING: frozenset({TurnStatus.UPLOADING, TurnStatus.STREAMING}) | _ENDED,
    TurnStatus.PREPARING: frozenset({TurnStatus.UPLOADING, TurnStatus.STREAMING}) | _ENDED,
    TurnStatus.UPLOADING: frozenset({TurnStatus.UPLOADING, TurnStatus.STREAMING}) | _ENDED,
    TurnStatus.STREAMING: frozenset({TurnStatus.STREAMING}) | _ENDED,
    TurnStatus.DONE: frozenset(),
    TurnStatus.FAILED: frozenset(),
    TurnStatus.STOPPED: frozenset(),
    TurnStatus.INTERRUPTED: frozenset(),
}
_FROM_STORE = {
    AnswerStatus.COMPLETE: TurnStatus.DONE,
    AnswerStatus.FAILED: TurnStatus.FAILED,
    AnswerStatus.CANCELLED: TurnStatus.STOPPED,
}


class IllegalTransition(ValueError):
    """A status change the transition table refuses (a bug in whoever asked for it)."""


def advanced(status: TurnStatus, to: TurnStatus) -> TurnStatus:
    """The status after moving from `status` to `to`; refused unless the table allows it."""
    if to not in _NEXT[status]:
        raise IllegalTransition(f"a turn cannot go from {status.value} to {to.value}")
    return to


def stopped(status: TurnStatus) -> TurnStatus:
    """Stop (Esc), or its job cancelled: a running turn ends stopped, with Retry."""
    return advanced(status, TurnStatus.STOPPED)


def failed(status: TurnStatus) -> TurnStatus:
    """Its job ended with an error (the server's, the disk's, or a bug): failed, with Retry."""
    return advanced(status, TurnStatus.FAILED)


def done(status: TurnStatus) -> TurnStatus:
    return advanced(status, TurnStatus.DONE)
