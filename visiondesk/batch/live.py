"""The live engine: each image one request, a few at a time, yielding to rate limits.

Each request goes through the app's retry policy (api/retries.py), as a chat turn's does; every
429 it waits out halves the concurrency here. A rate limit still standing after the policy's
tries is waited out again (Retry-After, else the policy's backoff), as often as it takes.

A compare job's items are one per image and column, in image order: the columns of an image
share its preparation where they send the same pixels, and every column's requests go through
the one limit, since they all go to the job's one server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

from visiondesk.api.base import image_params
from visiondesk.api.batch import send_once
from visiondesk.api.ratelimit import current
from visiondesk.api.retries import RetryPolicy
from visiondesk.batch.answers import answer_problem
from visiondesk.batch.limits import AdaptiveLimit
from visiondesk.batch.shared_preparations import SharedPreparations
from visiondesk.batch.work import body_for, job_policy, sent_facts
from visiondesk.config.profiles import Profile
from visiondesk.domain import ItemStatus
from visiondesk.errors import (
    AuthError,
    ImageError,
    ModeUnsupported,
    NetworkError,
    RateLimited,
    VisionDeskError,
)
from visiondesk.imaging import ImagePolicy
from visiondesk.store.batches import BatchStore, ItemRecord, JobRecord

MAX_ATTEMPTS = 2
"""Rounds for an error that may pass (5xx, network): each request already had the retry
policy's tries, so one more round is for what it cannot retry (an answer cut while read)."""
JOB_ERRORS = (AuthError, ModeUnsupported, NetworkError)
"""Errors about the server, not the image: they stop the job instead of failing every image."""


class _Slowdown:
    """The wait listener of the engine's requests: each 429 halves the concurrency."""

    def __init__(self, limit: AdaptiveLimit) -> None:
        self._limit = limit

    def waiting(self, seconds: float) -> None:
        self._limit.rate_limited()

    def resumed(self) -> None:
        pass


class LiveEngine:
    def __init__(
        self,
        store: BatchStore,
        job: JobRecord,
        client: Any,
        profile: Profile,
        *,
        limit: AdaptiveLimit,
        running: asyncio.Event,
        on_finished: Callable[[list[int]], None],
        retries: RetryPolicy | None = None,
    ) -> None:
        self._store = store
        self._job = job
        self._client = client
        self._profile = profile
        self.limit = limit
        self._running = running
        """Cleared while paused: no new image starts; those under way finish."""
        self._on_finished = on_finished
        self._retries = retries or RetryPolicy()
        self._preparations: SharedPreparations | None = None

    def _policy(self, item: ItemRecord) -> ImagePolicy:
        return job_policy(self._job, self._profile.accepts_image_urls, item.column)

    async def run(self) -> None:
        items = self._store.items(self._job.id, [ItemStatus.PENDING])
        self._preparations = preparations = SharedPreparations(self._job, items, self._policy)
        pending = iter(items)
        told = current.set(_Slowdown(self.limit))  # the workers' requests tell it their waits
        try:
            workers = [
                asyncio.create_task(self._worker(pending)) for _ in range(self.limit.maximum)
            ]
        finally:
            current.reset(told)
        try:
            await asyncio.gather(*workers)
        finally:
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
            preparations.close()

    async def _worker(self, pending: Iterator[ItemRecord]) -> None:
        while True:
            await self._running.wait()
            item = next(pending, None)
            if item is None:
                return
            await self._one(item)

    async def _one(self, item: ItemRecord) -> None:
        assert self._preparations is not None
        try:
            image = await self._preparations.get(item, self._policy(item))
        except ImageError as error:
            self._finish(item, ItemStatus.REFUSED, error=error.reason)
            return
        mode = self._job.asks(item.column).mode
        body = body_for(self._job, image, item.column)
        self._store.record_prepared(item.id, sent_facts(image))
        field = "messages" if "messages" in body else "input"
        culprit = image_params(body[field], field, [image])
        rounds = attempt = 0
        while True:
            await self.limit.acquire()
            wait: float | None = None
            try:
                answer = await send_once(self._client, self._profile, mode, body, culprit)
            except RateLimited as error:
                self.limit.rate_limited()
                rounds += 1
                asked = error.retry_after
                wait = min(self._retries.max_retry_after, asked) if asked else None
                wait = wait if wait is not None else self._retries.backoff(rounds)
            except VisionDeskError as error:
                attempt += 1
                if isinstance(error, JOB_ERRORS) and (
                    not error.retryable or attempt >= MAX_ATTEMPTS
                ):
                    raise  # no image would fare better: stop the job, resumable as it is
                if not error.retryable or attempt >= MAX_ATTEMPTS or isinstance(error, ImageError):
                    self._finish(item, ItemStatus.FAILED, error=error.message)
                    return
                wait = self._retries.backoff(attempt)
            finally:
                await self.limit.release()
            if wait is not None:
                await self._retries.sleep(wait)
                continue
            await self.limit.succeeded()
            problem = answer_problem(self._job.schema, answer.text) if self._job.schema else None
            self._finish(
                item,
                ItemStatus.FAILED if problem else ItemStatus.DONE,
                answer=answer.text,
                input_tokens=answer.input_tokens,
                output_tokens=answer.output_tokens,
                error=problem or "",
            )
            return

    def _finish(self, item: ItemRecord, status: ItemStatus, **values: Any) -> None:
        self._on_finished(self._store.finish_item(item.id, status, **values))
