"""Stores with something in them, for the tests that break the disk under them."""

from __future__ import annotations

from visiondesk.domain import ApiMode, BatchEngine, Detail
from visiondesk.store.batches import BatchStore


def new_job(store: BatchStore) -> int:
    """A Batch API job of three images, two of them the same bytes (a duplicate)."""
    return store.create_job(
        profile="p",
        base_url="http://127.0.0.1:1/v1",
        mode=ApiMode.CHAT,
        model="gpt-4o",
        detail=Detail.LOW,
        engine=BatchEngine.BATCH_API,
        prompt="Describe it.",
        instructions=None,
        schema=None,
        images=[("a.jpg", "a" * 64), ("b.jpg", "b" * 64), ("copy.jpg", "a" * 64)],
    )
