"""The error tree every layer raises; each message is written for the person at the window."""

from __future__ import annotations

from enum import StrEnum

from visiondesk.domain import ApiMode


class VisionDeskError(Exception):
    """Base of every error VisionDesk shows to a person.

    `retryable` says whether pressing Retry unchanged can succeed (a 500 can, a bad key cannot).
    """

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ImageError(VisionDeskError):
    """An image could not be read or prepared; the message names the image and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class AuthError(VisionDeskError):
    """The server refused the key."""


class RateLimited(VisionDeskError):
    """The server asked us to slow down; `retry_after` is in seconds when it said."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class NetworkError(VisionDeskError):
    """The server could not be reached, timed out, or the connection broke mid-answer."""

    retryable = True


class ApiRejected(VisionDeskError):
    """The server understood the request and refused it (or failed while answering it)."""

    def __init__(self, message: str, *, retryable: bool = False, code: str | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code = code


class ModeUnsupported(ApiRejected):
    """The server does not implement the chosen API mode (e.g. Assistants on OpenAI).

    `suggested` is a mode the server does implement, to offer instead (None when unknown)."""

    def __init__(
        self, message: str, *, suggested: ApiMode | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.suggested = suggested


class UnexpectedAnswer(ApiRejected):
    """The server answered with something that is not the OpenAI API (a web page, other JSON,
    a malformed stream): usually a wrong base URL or a gateway that changes the answers."""


class Cancelled(VisionDeskError):
    """The person stopped the work."""

    retryable = True


class StorageFault(StrEnum):
    """Why the disk refused: the person's remedy differs for each."""

    FULL = "full"
    READ_ONLY = "read-only"
    IO = "io"
    BUSY = "busy"
    DAMAGED = "damaged"


_STORAGE_MESSAGES = {
    StorageFault.FULL: "The disk holding {what} is full ({path}). Free space, then Retry.",
    StorageFault.READ_ONLY: "{What} cannot be written: {path} is read-only ({detail}). "
    "Make it writable, then Retry.",
    StorageFault.IO: "The disk holding {what} failed to read or write ({path}: {detail}). "
    "Check the disk, then Retry.",
    StorageFault.BUSY: "{What} is locked by another program ({path}). Close it, then Retry.",
    StorageFault.DAMAGED: "{What} is damaged ({path}: {detail}). Tools → Check history lists "
    "what can still be read; Repair, above the conversation, rebuilds it from that.",
}


class StorageError(VisionDeskError, OSError):
    """The history (or a backup) could not be written or read: disk full, I/O error, read-only,
    locked or damaged. It is also an OSError so code that guards file work with `except
    OSError` keeps catching it."""

    def __init__(
        self, fault: StorageFault, path: str, detail: str = "", what: str = "your history"
    ) -> None:
        template = _STORAGE_MESSAGES[fault]
        message = template.format(
            what=what, What=what[:1].upper() + what[1:], path=path, detail=detail or fault.value
        )
        super().__init__(message)
        self.fault = fault
        self.path = path
        self.detail = detail
        self.retryable = fault is not StorageFault.DAMAGED


class BackupError(VisionDeskError):
    """A backup could not be made for a reason the person can fix (e.g. the wrong folder)."""


def in_words(error: BaseException) -> str:
    """Any error as one line for the person: ours as written, a disk's without its errno, an
    unforeseen one by its name (so nothing is lost)."""
    if isinstance(error, VisionDeskError):
        return error.message
    if isinstance(error, OSError) and error.strerror:
        where = error.filename if error.filename is not None else ""
        return f"{error.strerror} ({where})" if where else error.strerror
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
