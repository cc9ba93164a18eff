"""A compare job's images, each prepared once per distinct pixel policy (ImagePolicy.pixels):
columns that would send the same pixels share one preparation, whichever asks first."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable

from visiondesk.batch.work import prepare_item
from visiondesk.domain import PreparedImage
from visiondesk.imaging import ImagePolicy
from visiondesk.store.batches import ItemRecord, JobRecord

_Key = tuple[int, ImagePolicy]


class SharedPreparations:
    """Preparations of the items about to be sent, kept only until every item that needs one
    has it: the engine takes items in image order, so memory stays a few prepared images."""

    def __init__(
        self,
        job: JobRecord,
        items: Iterable[ItemRecord],
        policy_of: Callable[[ItemRecord], ImagePolicy],
    ) -> None:
        self._job = job
        self._wanted: Counter[_Key] = Counter(
            (item.position, policy_of(item).pixels) for item in items
        )
        self._made: dict[_Key, asyncio.Future[PreparedImage]] = {}
        self.prepared = 0
        """Preparations started (what the sharing saved is the items sent minus this)."""

    async def get(self, item: ItemRecord, policy: ImagePolicy) -> PreparedImage:
        """The item's image as `policy` prepares it; raises ImageError as `prepare` does."""
        key = (item.position, policy.pixels)
        future = self._made.get(key)
        if future is None:
            future = asyncio.ensure_future(prepare_item(self._job, item, policy))
            self._made[key] = future
            self.prepared += 1
        self._wanted[key] -= 1
        if self._wanted[key] <= 0:  # the last item that needs it: no need to keep it
            del self._made[key]
        return await asyncio.shield(future)  # one asker cancelled leaves it for the others

    def close(self) -> None:
        """Stop the preparations nobody will wait for any more (the job stopped)."""
        for future in self._made.values():
            future.cancel()
        self._made.clear()
