"""The Batch API engine: JSONL input files (split at the provider's limits), uploaded with
purpose `batch`, one provider batch per file, polled with backoff, output joined on custom_id.

Every step is written down before the next one starts, and a step that may have happened
before a crash is looked up on the server (the upload by its name, the batch by its input
file) instead of being done twice.

A compare job writes each column's requests to files of their own (a provider batch has one
endpoint, and one model a file), each image prepared once for the columns that send the same
pixels.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from visiondesk.api.batch import BatchApi, RemoteBatch, batch_line, line_result
from visiondesk.batch.answers import answer_problem
from visiondesk.batch.shared_preparations import SharedPreparations
from visiondesk.batch.work import (
    body_for,
    custom_id,
    item_id,
    job_policy,
    prepared_in_order,
    sent_facts,
)
from visiondesk.config.profiles import Profile
from visiondesk.config.settings import Cleanup
from visiondesk.domain import ApiMode, BatchStatus, ItemStatus, PreparedImage
from visiondesk.errors import ImageError, VisionDeskError
from visiondesk.imaging import ImagePolicy
from visiondesk.store.batches import BatchStore, ItemRecord, JobRecord, PartRecord

MAX_LINES = 50_000
MAX_BYTES = 200 * 2**20
"""The provider's limits for one input file (API-FACTS §9); the upload streams the file from
disk, so a full-size file costs no memory."""
POLL_FIRST = 1.0
POLL_MAX = 30.0

_UNANSWERED = {
    BatchStatus.EXPIRED: "the batch expired (24 h) before this image was answered",
    BatchStatus.CANCELLED: "the batch was cancelled before this image was answered",
    BatchStatus.FAILED: "the provider refused the batch file",
    BatchStatus.COMPLETED: "the batch returned no line for this image",
}


class Ledger(Protocol):
    """Where files uploaded on the person's behalf are written down (History, BatchStore)."""

    def record_upload(
        self,
        profile: str,
        file_id: str,
        upload_key: str,
        size: int,
        filename: str,
        conversation_id: int | None,
        created_at: float,
    ) -> None: ...

    def mark_deleted(self, profile: str, file_id: str) -> None: ...


class PartWriter:
    """One JSONL input file being written; named by its content hash once complete, so the
    name identifies exactly these bytes on the server."""

    def __init__(self, folder: Path, job_id: int, number: int, column: int | None = None) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.job_id = job_id
        self.number = number
        self.column = column
        self.temporary = folder / f"part-{number}.jsonl.partial"
        self._handle = self.temporary.open("wb")
        self._hash = hashlib.sha256()
        self.size = 0
        self.item_ids: list[int] = []

    def add(self, item: int, line: bytes) -> None:
        self._handle.write(line)
        self._hash.update(line)
        self.size += len(line)
        self.item_ids.append(item)

    def close(self) -> Path:
        self._handle.close()
        name = f"visiondesk-job{self.job_id}-part{self.number}-{self._hash.hexdigest()[:12]}"
        final = self.folder / f"{name}.jsonl"
        self.temporary.replace(final)
        return final


def line_bytes(
    custom: str, job: JobRecord, image: PreparedImage, column: int | None = None
) -> bytes:
    """One input line: the request that column's chat turn would send with this image."""
    line = batch_line(custom, job.asks(column).mode, body_for(job, image, column))
    return (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def parts_needed(sizes: list[int], max_lines: int = MAX_LINES, max_bytes: int = MAX_BYTES) -> int:
    """How many input files these line sizes fill, split as the engine splits them."""
    parts, lines, size = 0, 0, 0
    for length in sizes:
        if parts == 0 or lines >= max_lines or size + length > max_bytes:
            parts, lines, size = parts + 1, 0, 0
        lines, size = lines + 1, size + length
    return parts


class BatchApiEngine:
    def __init__(
        self,
        store: BatchStore,
        job: JobRecord,
        api: BatchApi,
        profile: Profile,
        *,
        folder: Path,
        on_finished: Callable[[list[int]], None],
        on_remote: Callable[[list[PartRecord]], None],
        ledger: Ledger | None = None,
        cleanup: Cleanup = Cleanup.ON_DELETE,
        max_lines: int = MAX_LINES,
        max_bytes: int = MAX_BYTES,
        poll_first: float = POLL_FIRST,
        poll_max: float = POLL_MAX,
    ) -> None:
        self._store = store
        self._job = job
        self._api = api
        self._profile = profile
        self._folder = folder
        self._on_finished = on_finished
        self._on_remote = on_remote
        self._ledger = ledger
        self._cleanup = cleanup
        self._max_lines = max_lines
        self._max_bytes = max_bytes
        self._poll_first = poll_first
        self._poll_max = poll_max
        self.submitted = False
        """Every input file is at the provider as a batch (cancelling means asking it)."""
        self.cancel_requested = False
        """Write and submit nothing more; batches already made are cancelled at the provider
        (files written but not submitted stay queued for a resume)."""

    def _policy(self, item: ItemRecord) -> ImagePolicy:
        return job_policy(self._job, self._profile.accepts_image_urls, item.column)

    def _mode(self, part: PartRecord) -> ApiMode:
        return self._job.asks(part.column).mode

    async def run(self) -> None:
        await self._write_parts()
        for part in self._store.parts(self._job.id):
            if not part.collected and not (self.cancel_requested and part.batch_id is None):
                await self._submit(part)
        self.submitted = True
        if self.cancel_requested:
            await self.cancel()
        await self._poll()

    async def cancel(self) -> None:
        """Ask the provider to stop every batch still running; the run collects what finished."""
        for part in self._store.parts(self._job.id):
            if part.batch_id and not part.collected and not (part.status and part.status.finished):
                remote = await self._api.cancel(part.batch_id)
                self._store.update_part(part.id, status=remote.status)

    # writing --------------------------------------------------------------------------------

    async def _write_parts(self) -> None:
        pending = self._store.items(self._job.id, [ItemStatus.PENDING])
        if not pending:
            return
        number = self._store.next_part_number(self._job.id)
        writers: dict[int | None, PartWriter] = {}
        """The file being written for each column (one for a plain job)."""
        shared = SharedPreparations(self._job, pending, self._policy)
        prepared = prepared_in_order(pending, lambda item: shared.get(item, self._policy(item)))
        try:
            async with contextlib.aclosing(prepared):  # a break cancels the preparing at once
                async for item, image in prepared:
                    if self.cancel_requested:
                        break
                    if isinstance(image, ImageError):
                        self._finish(item, ItemStatus.REFUSED, error=image.reason)
                        continue
                    line = line_bytes(custom_id(item), self._job, image, item.column)
                    self._store.record_prepared(item.id, sent_facts(image))
                    if len(line) > self._max_bytes:
                        self._finish(item, ItemStatus.FAILED, error="too large for a batch file")
                        continue
                    writer = writers.get(item.column)
                    if writer is not None and (
                        len(writer.item_ids) >= self._max_lines
                        or writer.size + len(line) > self._max_bytes
                    ):
                        self._close(writers.pop(item.column))
                        writer = None
                    if writer is None:
                        writer = PartWriter(self._folder, self._job.id, number, item.column)
                        writers[item.column] = writer
                        number += 1
                    writer.add(item.id, line)
        finally:
            shared.close()
        for writer in sorted(writers.values(), key=lambda w: w.number):
            self._close(writer)

    def _close(self, writer: PartWriter) -> None:
        path = writer.close()
        self._store.add_part(
            self._job.id, writer.number, str(path), writer.size, writer.item_ids, writer.column
        )

    # submitting -----------------------------------------------------------------------------

    async def _submit(self, part: PartRecord) -> None:
        file_id = part.input_file_id
        if file_id is None:
            path = Path(part.path)
            file_id = await self._api.find_upload(path.name)
            if file_id is None:
                if not path.exists():
                    raise VisionDeskError(
                        f"The batch input file {path} is gone; start the job again."
                    )
                file_id = await self._api.upload(path, path.name)
            self._store.update_part(part.id, input_file_id=file_id)
        if part.batch_id is None:
            await self._api.wait_processed(file_id)
            remote = await self._api.find_batch(file_id)
            if remote is None:
                metadata = {"visiondesk_job": str(self._job.id), "part": str(part.number)}
                if part.column is not None:
                    metadata["column"] = str(part.column)
                remote = await self._api.create(file_id, self._mode(part), metadata)
            self._remember(part, remote)
            self._on_remote(self._store.parts(self._job.id))

    def _remember(self, part: PartRecord, remote: RemoteBatch) -> None:
        self._store.update_part(
            part.id,
            batch_id=remote.id,
            status=remote.status,
            total=remote.total,
            completed=remote.completed,
            failed=remote.failed,
            output_file_id=remote.output_file_id,
            error_file_id=remote.error_file_id,
        )

    # polling --------------------------------------------------------------------------------

    async def _poll(self) -> None:
        delay = self._poll_first
        while True:
            parts = [p for p in self._store.parts(self._job.id) if p.batch_id and not p.collected]
            if not parts:
                self._on_remote(self._store.parts(self._job.id))
                return
            changed = False
            for part in parts:
                assert part.batch_id is not None
                remote = await self._api.retrieve(part.batch_id)
                before = (part.status, part.completed, part.failed)
                changed |= before != (remote.status, remote.completed, remote.failed)
                self._remember(part, remote)
                if remote.status.finished:
                    await self._collect(part, remote)
            self._on_remote(self._store.parts(self._job.id))
            if any(p.batch_id and not p.collected for p in self._store.parts(self._job.id)):
                await asyncio.sleep(delay)
                delay = self._poll_first if changed else min(self._poll_max, delay * 1.5)

    async def _collect(self, part: PartRecord, remote: RemoteBatch) -> None:
        queued = {
            item.id
            for item in self._store.items(self._job.id, [ItemStatus.QUEUED])
            if item.part_id == part.id
        }
        for file_id in (remote.output_file_id, remote.error_file_id):
            if file_id is None:
                continue
            for line in await self._api.lines(file_id):
                custom, result = line_result(self._mode(part), line)
                number = item_id(custom)
                if number is None or number not in queued:
                    continue
                queued.discard(number)
                self._record(number, result)
        reason = _UNANSWERED[remote.status]
        if remote.errors:
            reason += ": " + "; ".join(remote.errors[:3])
        for number in sorted(queued):
            self._on_finished(self._store.finish_item(number, ItemStatus.FAILED, error=reason))
        self._store.update_part(part.id, collected=1)
        Path(part.path).unlink(missing_ok=True)  # answers are in the database; failed images
        # go again from their sources, so the (large) input file has done its work
        await self._tidy(part, remote)

    def _record(self, number: int, result: Any) -> None:
        if isinstance(result, VisionDeskError):
            ids = self._store.finish_item(number, ItemStatus.FAILED, error=result.message)
        else:
            problem = answer_problem(self._job.schema, result.text) if self._job.schema else None
            ids = self._store.finish_item(
                number,
                ItemStatus.FAILED if problem else ItemStatus.DONE,
                answer=result.text,
                input_tokens=result.input_tokens,
                output_tokens=result.output_tokens,
                error=problem or "",
            )
        self._on_finished(ids)

    async def _tidy(self, part: PartRecord, remote: RemoteBatch) -> None:
        """The batch's files go into the uploaded-file ledger, and are deleted now when the
        person chose clean-up after each answer."""
        files = [
            (file_id, kind)
            for file_id, kind in (
                (remote.input_file_id, "input"),
                (remote.output_file_id, "output"),
                (remote.error_file_id, "errors"),
            )
            if file_id
        ]
        name = Path(part.path).stem
        if self._ledger is not None:
            for file_id, kind in files:
                self._ledger.record_upload(
                    self._profile.name,
                    file_id,
                    f"batch:{file_id}",
                    part.bytes if kind == "input" else 0,
                    f"{name}-{kind}.jsonl",
                    None,
                    time.time(),
                )
        if self._cleanup is not Cleanup.AFTER_ANSWER:
            return
        for file_id, _ in files:
            try:
                await self._api.delete_file(file_id)
            except VisionDeskError:
                continue  # left in the ledger for the next clean-up
            if self._ledger is not None:
                self._ledger.mark_deleted(self._profile.name, file_id)

    def _finish(self, item: ItemRecord, status: ItemStatus, **values: Any) -> None:
        self._on_finished(self._store.finish_item(item.id, status, **values))
