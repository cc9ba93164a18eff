"""The emulator's memory: files, assistants, threads, runs and stored responses."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from visiondesk.emulator.faults import Knobs
from visiondesk.emulator.vision import ImageFacts


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    data: bytes
    created_at: int
    ready_at: float
    fails: bool
    never_ready: bool
    expires_at: int | None = None

    def status(self) -> str:
        if self.fails:
            return "error"
        if self.never_ready or time.monotonic() < self.ready_at:
            return "uploaded"
        return "processed"

    def as_json(self) -> dict[str, Any]:
        status = self.status()
        return {
            "id": self.id,
            "object": "file",
            "bytes": len(self.data),
            "created_at": self.created_at,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": status,
            "status_details": "The image could not be processed." if status == "error" else None,
            "expires_at": self.expires_at,
        }


@dataclass
class StoredResponse:
    id: str
    model: str
    turns: int  # how many user turns the chain holds, this one included
    text: str


@dataclass
class Thread:
    id: str
    created_at: int
    messages: list[dict[str, Any]] = field(default_factory=list)
    unanswered_images: list[ImageFacts] = field(default_factory=list)
    unanswered_text: list[str] = field(default_factory=list)
    active_run: str | None = None


@dataclass
class Recorded:
    """One request as the emulator received it: for tests and for a person checking requests."""

    method: str
    path: str
    body: Any
    body_bytes: int
    images: list[ImageFacts] = field(default_factory=list)
    status: int = 200


@dataclass
class Store:
    knobs: Knobs = field(default_factory=Knobs)
    files: dict[str, StoredFile] = field(default_factory=dict)
    assistants: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, Thread] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    responses: dict[str, StoredResponse] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[Recorded] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    """How often each model request body (live or a batch line) was answered, by digest."""
    admitted: int = 0
    """Live model requests let through to their endpoint (see Knobs.hold_after)."""
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    changed: threading.Condition = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)

    def answered(self, body: Any) -> None:
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        with self.changed:
            self.answers[digest] += 1
            self.changed.notify_all()

    @property
    def answered_total(self) -> int:
        with self.lock:
            return sum(self.answers.values())

    @property
    def duplicates(self) -> int:
        """Model requests answered more than once with the very same body."""
        with self.lock:
            return sum(count - 1 for count in self.answers.values() if count > 1)
