"""One image of a job made ready to send: prepared off the event loop by the pipeline, with
the same body a chat turn would send."""

from __future__ import annotations

import asyncio
import collections
import functools
import os
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from visiondesk.api.batch import request_body
from visiondesk.domain import PreparedImage, Question
from visiondesk.errors import ImageError
from visiondesk.imaging import ImagePolicy, policy_for, prepare
from visiondesk.store.batches import ItemRecord, JobRecord, Prepared

_executor: ThreadPoolExecutor | None = None
THREADS = max(1, min(4, os.cpu_count() or 1))
AHEAD = 2 * THREADS
"""Images prepared ahead of the one being written: enough to keep every thread busy, few
enough that memory stays a handful of prepared images."""


def preparers() -> ThreadPoolExecutor:
    """As many Pillow threads as cores: more only fight over the GIL."""
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="batch-prepare")
    return _executor


def job_policy(job: JobRecord, accepts_urls: bool = True, column: int | None = None) -> ImagePolicy:
    """How the job's images are prepared for one of its columns (None: a plain job's)."""
    asked = job.asks(column)
    return policy_for(asked.mode, asked.model, asked.detail, accepts_urls=accepts_urls)


def sent_facts(image: PreparedImage) -> Prepared:
    """What is kept of a prepared image: the hash and size of the bytes sent, and its tokens."""
    return Prepared(image.upload_key(), len(image.data), image.width, image.height, image.tokens)


async def prepare_item(job: JobRecord, item: ItemRecord, policy: ImagePolicy) -> PreparedImage:
    """Raises ImageError for an image that cannot be sent. No cache: a folder of thousands of
    photos must not pile up in memory."""
    loop = asyncio.get_running_loop()
    call = functools.partial(prepare, item.path, policy, label=item.path, cache=None)
    return await loop.run_in_executor(preparers(), call)


def body_for(job: JobRecord, image: PreparedImage, column: int | None = None) -> dict[str, Any]:
    """The request a chat turn of that column would send with this image."""
    asked = job.asks(column)
    turn = Question(job.prompt, (image,), asked.model, job.instructions)
    return request_body(asked.mode, turn, job.schema)


def custom_id(item: ItemRecord | int) -> str:
    return f"item-{item if isinstance(item, int) else item.id}"


def item_id(custom: str) -> int | None:
    try:
        return int(custom.removeprefix("item-"))
    except ValueError:
        return None


async def prepared_in_order(
    items: Iterable[ItemRecord], prepare: Callable[[ItemRecord], Awaitable[PreparedImage]]
) -> AsyncGenerator[tuple[ItemRecord, PreparedImage | ImageError]]:
    """Each item with its image as `prepare` makes it (or why it cannot be sent), in order,
    preparing AHEAD images at once; stopping early cancels what was started."""
    started: collections.deque[tuple[ItemRecord, asyncio.Future[PreparedImage]]] = (
        collections.deque()
    )
    waiting = iter(items)
    try:
        while True:
            while len(started) < AHEAD and (item := next(waiting, None)) is not None:
                started.append((item, asyncio.ensure_future(prepare(item))))
            if not started:
                return
            item, task = started.popleft()
            try:
                yield item, await task
            except ImageError as error:
                yield item, error
    finally:
        for _, task in started:
            task.cancel()
