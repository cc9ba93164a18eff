"""Upload images as files (purpose `vision`) as soon as they are attached, and wait until the
server has processed them. Shared by Assistants and Responses-with-files.

Each image (by content hash) is uploaded once per profile; every file id is written to the
ledger so the files can be deleted later.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, assert_never

import openai
from openai import AsyncOpenAI

from visiondesk.api.errors import translate
from visiondesk.config.profiles import Profile
from visiondesk.domain import PreparedImage
from visiondesk.errors import ApiRejected, Cancelled, VisionDeskError
from visiondesk.events import (
    Failed,
    FileFailed,
    FileReady,
    Processing,
    RequestSent,
    UploadEvent,
    UploadProgress,
)

log = logging.getLogger(__name__)

READY_TIMEOUT = 60.0
"""Give up on a file that is not processed after this long (the SDK would wait 30 minutes)."""
POLL = 0.25
"""Poll this often for the first few seconds (images are usually processed within them)..."""
QUICK_PHASE = 3.0
MAX_POLL = 2.0
"""...then back off to at most this interval."""
EXPIRES_AFTER = 7 * 24 * 3600
"""Ask the server to delete uploads after a week, a safety net under VisionDesk's own clean-up."""


@dataclass(frozen=True, slots=True)
class UploadedFile:
    profile: str
    file_id: str
    upload_key: str
    bytes: int
    filename: str
    created_at: float


PIECE = 64 * 1024
"""The largest piece of an image handed to the SDK at once (httpx2 asks for 64 KiB)..."""
LAST_PIECE = 4 * 1024
"""...shrinking to this near the end, so the last percent is not one big piece."""
STALL_AFTER = 3.0
"""An upload that has not moved for this long is said to be stalled: sooner than the turn's
heartbeat would say "no answer yet" (api/heartbeat.py, 5 s), which is not what happens."""
STALL_TICK = 1.0
"""While it is stalled, say how long every this often."""


class PacedBody(io.BytesIO):
    """The file part handed to the SDK (`files.create`), which streams it: httpx2 reads the
    next piece only once the previous one has been written to the socket, and the client's
    socket keeps little unsent (api/client.py, TCP_NOTSENT_LOWAT). So a read means the bytes
    before it are on the wire, not in a buffer; `sent` counts those.

    A retry starts over with `seek(0)`, and so does the count.
    """

    def __init__(self, data: bytes, on_moved: Callable[[int], None]) -> None:
        super().__init__(data)
        self.total = len(data)
        self.sent = 0
        self._handed = 0
        self.moved_at = time.monotonic()
        self._on_moved = on_moved

    @property
    def shown(self) -> int:
        """What progress says: all bytes count as sent once the server's answer says it has
        them (the last pieces may still be in the kernel's buffers when the body is read)."""
        return min(self.sent, max(0, self.total - 1))

    def read(self, size: int | None = -1) -> bytes:
        """A piece of at most `size` bytes, shorter on purpose (httpx2 reads until b""); the
        rest at once only when asked for all of it."""
        self.sent = self._handed  # the pieces handed before this read have been written
        self.moved_at = time.monotonic()
        left = self.total - self.tell()
        piece = max(LAST_PIECE, min(PIECE, left // 8))
        chunk = super().read(-1 if size is None or size < 0 else min(size, piece))
        self._handed += len(chunk)
        self._on_moved(self.shown)
        return chunk

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = super().seek(offset, whence)
        if whence == io.SEEK_SET and offset == 0:
            self.sent = self._handed = 0
            self.moved_at = time.monotonic()
        return position


@dataclass
class _Upload:
    image: PreparedImage
    task: asyncio.Task[str] | None = None
    last: list[UploadEvent] = field(default_factory=list)  # the latest progress, any final event
    listeners: list[asyncio.Queue[UploadEvent]] = field(default_factory=list)

    def publish(self, event: UploadEvent) -> None:
        match event:
            case UploadProgress() | Processing():
                self.last = [event]
            case FileReady() | FileFailed():
                self.last.append(event)
            case RequestSent():
                pass  # news once, not state to replay
            case _:
                assert_never(event)
        for queue in self.listeners:
            queue.put_nowait(event)


def _settled(event: UploadEvent) -> bool:
    """Whether the upload is over (ready or failed) with this event."""
    match event:
        case FileReady() | FileFailed():
            return True
        case UploadProgress() | Processing() | RequestSent():
            return False
        case _:
            assert_never(event)


class Uploader:
    """Per-profile uploads, keyed by content hash."""

    def __init__(
        self,
        client: AsyncOpenAI,
        profile: Profile,
        *,
        ready_timeout: float = READY_TIMEOUT,
        expires_after: int | None = EXPIRES_AFTER,
        on_uploaded: Callable[[UploadedFile], None] | None = None,
        known: Callable[[str], str | None] | None = None,
        stall_after: float | None = None,
    ) -> None:
        self._client = client
        self._profile = profile
        self._ready_timeout = ready_timeout
        self._expires_after = expires_after
        self._on_uploaded = on_uploaded
        self._known = known
        """Looks up a file id this profile already holds for an upload key (the ledger)."""
        self._stall_after = stall_after
        """Seconds without a byte moving before an upload is stalled (default STALL_AFTER)."""
        self._uploads: dict[str, _Upload] = {}
        self.ledger: list[UploadedFile] = []

    def start(self, image: PreparedImage) -> _Upload:
        """Start uploading `image` unless it is uploaded or on its way (a failure starts over)."""
        upload = self._uploads.get(image.upload_key())
        failed = (
            upload is not None
            and upload.task is not None
            and upload.task.done()
            and (upload.task.cancelled() or upload.task.exception() is not None)
        )
        if upload is None or failed:
            upload = _Upload(image)
            self._uploads[image.upload_key()] = upload
            upload.task = asyncio.create_task(self._run(upload), name=f"upload {image.label}")
            upload.task.add_done_callback(_consume_exception)
        return upload

    async def events(self, image: PreparedImage) -> AsyncIterator[UploadEvent]:
        """Follow the upload of `image` until it is ready or failed (starting it if needed).

        Stopping to listen does not stop the upload; `cancel()` does.
        """
        upload = self.start(image)
        queue: asyncio.Queue[UploadEvent] = asyncio.Queue()
        for event in upload.last:
            queue.put_nowait(event)
        upload.listeners.append(queue)
        try:
            while True:
                event = await queue.get()
                yield event
                if _settled(event):
                    return
        finally:
            upload.listeners.remove(queue)

    async def ensure(
        self, images: Iterable[PreparedImage], file_ids: dict[str, str]
    ) -> AsyncIterator[UploadEvent | Failed]:
        """Wait until every image (URLs aside) has a processed file, filling `file_ids`.

        Yields the progress of uploads still under way; after a FileFailed it yields the
        Failed that ends the turn, and stops.
        """
        for image in images:
            if image.is_url:
                continue
            if self.ready_file(image) is None:
                async for event in self.events(image):
                    yield event
                    match event:
                        case FileFailed(error=error):
                            yield Failed(error)
                            return
                        case UploadProgress() | Processing() | FileReady() | RequestSent():
                            pass
                        case _:
                            assert_never(event)
            file_ids[image.sha256] = await self.file_id(image)

    async def file_id(self, image: PreparedImage) -> str:
        """The processed file's id; raises the upload's VisionDeskError if it failed."""
        upload = self.start(image)
        assert upload.task is not None
        return await asyncio.shield(upload.task)

    def cancel(self, sha256: str | None = None) -> None:
        """Stop the uploads of one original image (or all of them); the network work ends at
        once."""
        for upload in list(self._uploads.values()):
            mine = sha256 in (None, upload.image.sha256)
            if mine and upload.task is not None and not upload.task.done():
                upload.task.cancel()

    async def delete(self, file_ids: list[str]) -> list[str]:
        """Delete files on the server; returns those now gone (a 404 counts: already gone).
        A file that could not be deleted is logged and kept, to be tried again later."""
        gone: list[str] = []
        for file_id in file_ids:
            try:
                await self._client.files.delete(file_id)
            except openai.NotFoundError:
                pass
            except openai.APIError as error:
                log.warning("could not delete %s: %s", file_id, type(error).__name__)
                continue
            self.forget(file_id)
            gone.append(file_id)
        return gone

    def forget(self, file_id: str) -> None:
        """The file was deleted on the server: the next use of those bytes uploads again."""
        for key, upload in list(self._uploads.items()):
            task = upload.task
            done = task is not None and task.done() and not task.cancelled()
            if done and task is not None and task.exception() is None and task.result() == file_id:
                del self._uploads[key]

    def ready_file(self, image: PreparedImage) -> str | None:
        upload = self._uploads.get(image.upload_key())
        if upload and upload.task and upload.task.done() and not upload.task.cancelled():
            return upload.task.result() if upload.task.exception() is None else None
        return None

    async def _run(self, upload: _Upload) -> str:
        image = upload.image
        try:
            reused = await self._reuse(upload)
            if reused is not None:
                upload.publish(FileReady(image.sha256, reused))
                return reused
            file_id, ready = await self._create(upload)
            if not ready:
                await self._wait_until_processed(upload, file_id)
        except asyncio.CancelledError:
            upload.publish(FileFailed(image.sha256, Cancelled(f"Upload of {image.label} stopped.")))
            raise
        except VisionDeskError as error:
            upload.publish(FileFailed(image.sha256, error))
            raise
        except Exception as exc:
            what = f"the upload of {image.label}"
            translated = translate(exc, self._profile, what=what, images={"file": image.label})
            upload.publish(FileFailed(image.sha256, translated))
            raise translated from exc
        upload.publish(FileReady(image.sha256, file_id))
        return file_id

    async def _reuse(self, upload: _Upload) -> str | None:
        """A file uploaded earlier (another conversation, before a restart) with these exact
        bytes, if the server still has it processed."""
        if self._known is None:
            return None
        file_id = self._known(upload.image.upload_key())
        if file_id is None:
            return None
        try:
            upload.publish(RequestSent("GET", f"/files/{file_id}", None, note="reuse upload"))
            existing = await self._client.files.retrieve(file_id)
        except Exception:  # gone, or the server says no: upload again
            return None
        return file_id if getattr(existing, "status", None) in (None, "processed") else None

    async def _create(self, upload: _Upload) -> tuple[str, bool]:
        """Upload the bytes; returns the file id and whether it is processed already."""
        image = upload.image
        total = len(image.data)
        upload.publish(UploadProgress(image.sha256, 0, total))
        body = PacedBody(
            image.data, lambda sent: upload.publish(UploadProgress(image.sha256, sent, total))
        )
        options: dict[str, Any] = {}
        if self._expires_after is not None:
            options["expires_after"] = {"anchor": "created_at", "seconds": self._expires_after}
        upload.publish(
            RequestSent(
                "POST",
                "/files",
                {"purpose": "vision", "file": f"<{image.filename}: {total} bytes {image.mime}>"}
                | options,
                note=f"upload {image.label}",
            )
        )
        watch = asyncio.create_task(self._watch(upload, body), name=f"stall {image.label}")
        try:
            try:
                created = await self._client.files.create(
                    file=(image.filename, body, image.mime), purpose="vision", **options
                )
            except openai.BadRequestError as error:
                if "expires_after" not in options or "expires_after" not in str(error):
                    raise
                # The server has no expiry for files: upload without it, and stop asking.
                self._expires_after = None
                body.seek(0)
                created = await self._client.files.create(
                    file=(image.filename, body, image.mime), purpose="vision"
                )
        finally:
            watch.cancel()
        upload.publish(UploadProgress(image.sha256, total, total))  # the server has it all
        record = UploadedFile(
            self._profile.name, created.id, image.upload_key(), total, image.filename, time.time()
        )
        self.ledger.append(record)
        if self._on_uploaded is not None:
            self._on_uploaded(record)
        status = getattr(created, "status", None)
        if status == "error":
            raise _processing_failed(image, created)
        if status in (None, "processed"):  # servers that do not report status are ready
            return str(created.id), True
        upload.publish(Processing(image.sha256, created.id))
        return str(created.id), False

    async def _watch(self, upload: _Upload, body: PacedBody) -> None:
        """While no byte moves for `stall_after` seconds, say so every tick (with how long);
        the next piece that moves says it moves again (`stalled_for` 0)."""
        stall_after = STALL_AFTER if self._stall_after is None else self._stall_after
        tick = min(STALL_TICK, stall_after / 2) or STALL_TICK
        while True:
            await asyncio.sleep(tick)
            idle = time.monotonic() - body.moved_at
            if idle >= stall_after:
                sha256 = upload.image.sha256
                upload.publish(UploadProgress(sha256, body.shown, body.total, stalled_for=idle))

    async def _wait_until_processed(self, upload: _Upload, file_id: str) -> None:
        """Poll `files.retrieve` with a growing interval until processed, error or timeout."""
        started = time.monotonic()
        deadline = started + self._ready_timeout
        interval = POLL
        while True:
            await asyncio.sleep(min(interval, max(0.0, deadline - time.monotonic())))
            upload.publish(RequestSent("GET", f"/files/{file_id}", None, note="readiness poll"))
            retrieved = await self._client.files.retrieve(file_id)
            status = getattr(retrieved, "status", None)
            if status in (None, "processed"):
                return
            if status == "error":
                raise _processing_failed(upload.image, retrieved)
            if time.monotonic() >= deadline:
                raise ApiRejected(
                    f"{upload.image.label}: the server did not finish processing the upload "
                    f"({file_id}) within {self._ready_timeout:.0f} s. Retry, or use Chat "
                    "Completions, which needs no upload.",
                    retryable=True,
                )
            if time.monotonic() - started > QUICK_PHASE:
                interval = min(MAX_POLL, interval * 1.5)


def _processing_failed(image: PreparedImage, file: Any) -> VisionDeskError:
    details = getattr(file, "status_details", None) or "no reason given"
    return ApiRejected(
        f"{image.label}: the server could not process the uploaded image ({details}).",
        retryable=True,
    )


def _consume_exception(task: asyncio.Task[str]) -> None:
    """Failures are reported as FileFailed events; keep asyncio from logging them twice."""
    if not task.cancelled():
        with contextlib.suppress(BaseException):
            task.exception()
