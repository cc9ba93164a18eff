"""Transport-free request and response values, so endpoint code never touches sockets."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visiondesk.emulator.multipart import Upload
from visiondesk.emulator.store import Recorded


@dataclass
class Request:
    method: str
    path: str  # without the /v1 prefix, e.g. "/chat/completions"
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, Upload] = field(default_factory=dict)  # spooled on disk
    body_bytes: int = 0


@dataclass
class JsonResponse:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class RawResponse:
    data: bytes
    content_type: str = "application/octet-stream"
    status: int = 200


@dataclass
class FileResponse:
    """A stored file's content, sent from disk a piece at a time."""

    path: Path
    size: int
    content_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class SseEvent:
    data: Any  # a JSON-able value, or the string "[DONE]"
    event: str | None = None
    is_delta: bool = False


@dataclass
class StreamResponse:
    events: Iterator[SseEvent]
    record: Recorded | None = None
    """The Recorded request this answers, which counts the deltas sent (set by `app`)."""


Response = JsonResponse | RawResponse | FileResponse | StreamResponse

_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    """Ids shaped like the real ones (`file-…`, `resp_…`), unique within the process."""
    return f"{prefix}{next(_counter):06d}{int(time.time() * 1000) % 10**8:08d}"


def now() -> int:
    return int(time.time())
