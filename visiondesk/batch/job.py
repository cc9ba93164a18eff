"""A batch job as the window and the command line see it: plain asyncio over the history
database, announcing every change through callbacks (the panel mirrors it, never copies it)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from visiondesk.api.batch import BatchApi
from visiondesk.api.client import make_client
from visiondesk.batch.limits import AdaptiveLimit
from visiondesk.batch.live import LiveEngine
from visiondesk.batch.model import DEFAULT_CONCURRENCY, Estimate, JobSpec, Progress, Refusal
from visiondesk.batch.provider import (
    MAX_BYTES,
    MAX_LINES,
    BatchApiEngine,
    Ledger,
    line_bytes,
    parts_needed,
)
from visiondesk.batch.scan import file_sha256, find_images
from visiondesk.batch.shared_preparations import SharedPreparations
from visiondesk.batch.work import custom_id, job_policy, prepared_in_order, sent_facts
from visiondesk.config.prices import PriceTable
from visiondesk.config.profiles import Profile
from visiondesk.config.settings import Cleanup
from visiondesk.domain import BatchEngine, BatchStatus, ItemStatus, JobStatus
from visiondesk.errors import ImageError, VisionDeskError
from visiondesk.imaging import ImagePolicy
from visiondesk.store.batches import BatchStore, ItemRecord, JobRecord, PartRecord

ProgressListener = Callable[[Progress], None]
ResultListener = Callable[[ItemRecord], None]
WAITING = (ItemStatus.PENDING, ItemStatus.QUEUED, ItemStatus.DUPLICATE)


class BatchJob:
    def __init__(
        self,
        store: BatchStore,
        record: JobRecord,
        profile: Profile,
        api_key: str | None,
        *,
        ledger: Ledger | None = None,
        cleanup: Cleanup = Cleanup.ON_DELETE,
        concurrency: int = DEFAULT_CONCURRENCY,
        client: Any = None,
        prices: PriceTable | None = None,
        max_lines: int = MAX_LINES,
        max_bytes: int = MAX_BYTES,
        poll_first: float | None = None,
        poll_max: float | None = None,
    ) -> None:
        self.store = store
        self.record = record
        self.profile = profile
        self.ledger = ledger
        self.cleanup = cleanup
        self.prices = prices or PriceTable.load()
        self.client = client or make_client(profile, api_key)
        self._owns_client = client is None
        self.limit = AdaptiveLimit(concurrency)
        self.progress_listeners: list[ProgressListener] = []
        self.result_listeners: list[ResultListener] = []
        self._running = asyncio.Event()
        self._running.set()
        self._max_lines = max_lines
        self._max_bytes = max_bytes
        self._poll: dict[str, float] = {}
        if poll_first is not None:
            self._poll["poll_first"] = poll_first
        if poll_max is not None:
            self._poll["poll_max"] = poll_max
        self._engine: BatchApiEngine | None = None
        self._task: asyncio.Task[Any] | None = None
        self._cancelled = False
        self._started = time.monotonic()
        self._finished_at_start = 0
        self._parts: list[PartRecord] = []

    # making and opening ---------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        store: BatchStore,
        spec: JobSpec,
        sources: Iterable[str | os.PathLike[str]],
        api_key: str | None,
        *,
        recursive: bool = True,
        **options: Any,
    ) -> BatchJob:
        """Find and hash the images (blocking: call it off the UI thread) and save the job."""
        paths = find_images(sources, recursive)
        job_id = store.create_job(
            profile=spec.profile.name,
            base_url=spec.profile.base_url,
            mode=spec.mode,
            model=spec.model,
            detail=spec.detail,
            engine=spec.engine,
            prompt=spec.prompt,
            instructions=spec.instructions,
            schema=spec.schema,
            images=((str(path), file_sha256(path)) for path in paths),
            columns=spec.columns,
        )
        record = store.job(job_id)
        assert record is not None
        return cls(store, record, spec.profile, api_key, **options)

    @classmethod
    def open(
        cls, store: BatchStore, job_id: int, profile: Profile, api_key: str | None, **options: Any
    ) -> BatchJob:
        """A saved job, to continue where it stopped."""
        record = store.job(job_id)
        if record is None:
            raise VisionDeskError(f"There is no batch job {job_id} in the history.")
        return cls(store, record, profile, api_key, **options)

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def folder(self) -> Path:
        return self.store.folder / "batches" / f"job-{self.id}"

    # what it will do ------------------------------------------------------------------------

    async def estimate(self) -> Estimate:
        """Prepare every image not yet sent (bytes dropped at once) for exact tokens, refusals
        and, on the Batch API, the input files it needs."""
        sizes: dict[int | None, list[int]] = {}
        """Each column's input lines (one file holds one column's)."""
        pending = self.store.items(self.id, [ItemStatus.PENDING])

        def policy(item: ItemRecord) -> ImagePolicy:
            return job_policy(self.record, self.profile.accepts_image_urls, item.column)

        shared = SharedPreparations(self.record, pending, policy)
        try:
            async for item, image in prepared_in_order(
                pending, lambda item: shared.get(item, policy(item))
            ):
                if isinstance(image, ImageError):
                    refused = self.store.finish_item(
                        item.id, ItemStatus.REFUSED, error=image.reason
                    )
                    self._finished(refused)
                    continue
                self.store.record_prepared(item.id, sent_facts(image))
                if self.record.engine is BatchEngine.BATCH_API:
                    line = line_bytes(custom_id(item), self.record, image, item.column)
                    sizes.setdefault(item.column, []).append(len(line))
        finally:
            shared.close()
        items_now = self.store.items(self.id)
        sent = [
            i for i in items_now if i.duplicate_of is None and i.status is not ItemStatus.REFUSED
        ]
        tokens = sum(i.tokens or 0 for i in sent)
        return Estimate(
            images=len(items_now),
            duplicates=sum(1 for i in items_now if i.duplicate_of is not None),
            refused=tuple(
                Refusal(i.path, i.error) for i in items_now if i.status is ItemStatus.REFUSED
            ),
            image_tokens=tokens,
            cost=self._input_cost(sent),
            prices_taken=self.prices.taken,
            input_files=sum(
                parts_needed(column, self._max_lines, self._max_bytes) for column in sizes.values()
            ),
            input_bytes=sum(sum(column) for column in sizes.values()),
        )

    def _input_cost(self, sent: list[ItemRecord]) -> float | None:
        """US$ for the input of the items sent, each at its column's model's price; None when
        a model's price is unknown."""
        prompt_tokens = (len(self.record.prompt) + len(self.record.instructions or "")) // 4 + 8
        batch = self.record.engine is BatchEngine.BATCH_API
        total = 0.0
        for column in {item.column for item in sent} or {None}:
            price = self.prices.price(self.record.asks(column).model)
            if price is None:
                return None
            asked = [item for item in sent if item.column == column]
            tokens = sum(item.tokens or 0 for item in asked) + prompt_tokens * len(asked)
            total += price.cost(tokens, batch=batch)
        return total

    # running --------------------------------------------------------------------------------

    async def run(self) -> Progress:
        """Send every image not yet answered; returns when all are answered or failed (or the
        job was cancelled). Safe to call again after a crash: nothing finished is re-sent."""
        self._task = asyncio.current_task()
        self._cancelled = False
        self._started = time.monotonic()
        self._finished_at_start = self.progress().finished
        self._set_status(JobStatus.RUNNING)
        try:
            if self.record.engine is BatchEngine.LIVE:
                await LiveEngine(
                    self.store,
                    self.record,
                    self.client,
                    self.profile,
                    limit=self.limit,
                    running=self._running,
                    on_finished=self._finished,
                ).run()
            else:
                self._engine = BatchApiEngine(
                    self.store,
                    self.record,
                    BatchApi(self.client, self.profile),
                    self.profile,
                    folder=self.folder,
                    on_finished=self._finished,
                    on_remote=self._remote,
                    ledger=self.ledger,
                    cleanup=self.cleanup,
                    max_lines=self._max_lines,
                    max_bytes=self._max_bytes,
                    **self._poll,
                )
                await self._engine.run()
        except asyncio.CancelledError:
            if not self._cancelled:
                self._set_status(JobStatus.PAUSED)
                raise
        except VisionDeskError as error:
            self._set_status(JobStatus.PAUSED, error.message)
            raise
        finally:
            self._task = None
        waiting = sum(self.store.counts(self.id)[s] for s in WAITING)
        if self._cancelled:
            self._set_status(JobStatus.CANCELLED)
        else:
            self._set_status(JobStatus.FINISHED if not waiting else JobStatus.PAUSED)
        return self.progress()

    def pause(self) -> None:
        """Start no new image (live engine); those under way finish."""
        self._running.clear()
        self._set_status(JobStatus.PAUSED)

    def resume(self) -> None:
        self._running.set()
        self._set_status(JobStatus.RUNNING)

    async def cancel(self) -> None:
        """Stop: live requests are dropped; provider batches are cancelled and whatever they
        finished is still collected."""
        self._cancelled = True
        self._running.set()
        if self._task is None:
            self._set_status(JobStatus.CANCELLED)
        elif self._engine is not None:
            self._engine.cancel_requested = True
            if self._engine.submitted:
                await self._engine.cancel()
        else:
            self._task.cancel()

    def retry_failed(self, engine: BatchEngine | None = None) -> int:
        """Put failed images back in the queue (live or as a new batch)."""
        if engine is not None and engine is not self.record.engine:
            self.store.set_engine(self.id, engine)
            self.record = self.store.job(self.id) or self.record
        count = self.store.requeue(self.id, [ItemStatus.FAILED])
        self._announce()
        return count

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.close()

    # reporting ------------------------------------------------------------------------------

    def progress(self, message: str = "") -> Progress:
        counts = self.store.counts(self.id)
        total = sum(counts.values())
        done, failed, refused = (
            counts[ItemStatus.DONE],
            counts[ItemStatus.FAILED],
            counts[ItemStatus.REFUSED],
        )
        remaining = total - done - failed - refused
        elapsed = max(1e-6, time.monotonic() - self._started)
        rate = max(0, done + failed + refused - self._finished_at_start) / elapsed
        parts = self._parts
        batch_status = _overall(parts)
        request_counts = (
            (
                sum(p.total for p in parts),
                sum(p.completed for p in parts),
                sum(p.failed for p in parts),
            )
            if parts
            else None
        )
        live = self.record.engine is BatchEngine.LIVE
        return Progress(
            status=self.record.status,
            total=total,
            done=done,
            failed=failed,
            refused=refused,
            remaining=remaining,
            rate=rate,
            eta=remaining / rate if rate > 0 and remaining else None,
            batch_status=batch_status,
            request_counts=request_counts,
            concurrency=self.limit.limit if live else None,
            message=message,
        )

    def results(self) -> list[ItemRecord]:
        return self.store.items(self.id, [ItemStatus.DONE, ItemStatus.FAILED, ItemStatus.REFUSED])

    def _finished(self, item_ids: list[int]) -> None:
        for number in item_ids:
            item = self.store.item(number)
            if item is not None:
                for listener in list(self.result_listeners):
                    listener(item)
        self._announce()

    def _remote(self, parts: list[PartRecord]) -> None:
        self._parts = parts
        self._announce()

    def _set_status(self, status: JobStatus, message: str = "") -> None:
        self.store.set_job_status(self.id, status)
        self.record = self.store.job(self.id) or self.record
        self._announce(message)

    def _announce(self, message: str = "") -> None:
        progress = self.progress(message)
        for listener in list(self.progress_listeners):
            listener(progress)


def _overall(parts: list[PartRecord]) -> BatchStatus | None:
    """The least advanced status among the job's batches (what the person waits for)."""
    order = [
        BatchStatus.VALIDATING,
        BatchStatus.IN_PROGRESS,
        BatchStatus.FINALIZING,
        BatchStatus.CANCELLING,
        BatchStatus.FAILED,
        BatchStatus.EXPIRED,
        BatchStatus.CANCELLED,
        BatchStatus.COMPLETED,
    ]
    statuses = [p.status for p in parts if p.status is not None and not p.collected]
    if not statuses:
        statuses = [p.status for p in parts if p.status is not None]
    if not statuses:
        return None
    return min(statuses, key=order.index)
