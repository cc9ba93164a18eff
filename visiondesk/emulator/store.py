"""The emulator's memory: files, assistants, threads, runs and stored responses. File contents
live on disk, in a folder of the emulator's own that goes when it stops."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from visiondesk.emulator.caching import PromptCache, Unit
from visiondesk.emulator.faults import Knobs
from visiondesk.emulator.vision import ImageFacts


@dataclass
class StoredFile:
    id: str
    filename: str
    purpose: str
    path: Path
    size: int
    created_at: int
    ready_at: float
    fails: bool
    never_ready: bool
    expires_at: int | None = None

    def read_bounded(self, most: int) -> bytes | None:
        """The content, or None when it is over `most` bytes (never read past the bound)."""
        if self.size > most:
            return None
        with self.path.open("rb") as stream:
            data = stream.read(most + 1)
        return None if len(data) > most else data

    @property
    def data(self) -> bytes:
        """The whole content, for a test or a person looking at a small file; the endpoints
        read through `read_bounded` or stream the file."""
        return self.path.read_bytes()

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
            "bytes": self.size,
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
    context: tuple[Unit, ...] = ()
    """The chain's input and output up to and including this response, as the prompt cache
    sees it: a response chained from this one starts with all of it (and is billed for it)."""


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
    streamed: int = 0
    """Deltas of its answer's stream written to the socket so far (tests wait on it)."""


def new_folder() -> Path:
    """A private folder (0700) for one emulator's uploads."""
    return Path(tempfile.mkdtemp(prefix="visiondesk-emulator-"))


@dataclass
class Store:
    knobs: Knobs = field(default_factory=Knobs)
    folder: Path = field(default_factory=new_folder)
    """Uploads arrive in `incoming/` and are kept in `files/`; removed by `discard`."""
    files: dict[str, StoredFile] = field(default_factory=dict)
    assistants: dict[str, dict[str, Any]] = field(default_factory=dict)
    threads: dict[str, Thread] = field(default_factory=dict)
    runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    responses: dict[str, StoredResponse] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    log: list[Recorded] = field(default_factory=list)
    answers: Counter[str] = field(default_factory=Counter)
    """How often each model request body (live or a batch line) was answered, by digest."""
    received: int = 0
    """Bytes of upload (multipart) bodies read off the socket so far, all requests together:
    what the server really has, for tests to hold a client's progress against."""
    stalled: int = 0
    """Uploads held now by `Knobs.stall_uploads_after`."""
    admitted: int = 0
    """Live model requests let through to their endpoint (see Knobs.hold_after)."""
    prompt_cache: PromptCache = field(default_factory=PromptCache, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    changed: threading.Condition = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)
        self.incoming.mkdir(parents=True, exist_ok=True)
        (self.folder / "files").mkdir(exist_ok=True)

    @property
    def incoming(self) -> Path:
        return self.folder / "incoming"

    def keep(self, file_id: str, spooled: Path) -> Path:
        """Take an upload spooled in `incoming/` as the content of `file_id`."""
        kept = self.folder / "files" / file_id
        os.replace(spooled, kept)
        return kept

    def write(self, file_id: str, data: bytes) -> Path:
        """Content the emulator makes itself (a batch's output) as the file `file_id`."""
        kept = self.folder / "files" / file_id
        kept.write_bytes(data)
        return kept

    def forget(self, stored: StoredFile) -> None:
        stored.path.unlink(missing_ok=True)

    def discard(self) -> None:
        """Remove the folder and every file in it (the emulator stops)."""
        shutil.rmtree(self.folder, ignore_errors=True)

    def stream_progress(self, record: Recorded | None) -> None:
        """One more delta of `record`'s answer is on the wire."""
        if record is None:
            return
        with self.changed:
            record.streamed += 1
            self.changed.notify_all()

    def receive(self, size: int) -> None:
        with self.changed:
            self.received += size
            self.changed.notify_all()

    def hold_upload(self) -> None:
        """Stop reading an upload for `stall_seconds`, or until `resume_uploads` is set."""
        knobs = self.knobs
        with knobs.lock:
            seconds = knobs.stall_seconds
        with self.changed:
            self.stalled += 1
            self.changed.notify_all()
        try:
            knobs.resume_uploads.wait(seconds)
        finally:
            with self.changed:
                self.stalled -= 1
                self.changed.notify_all()

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
