"""Stores with something in them, for the tests that break the disk under them, and the
small prepared image the history tests store."""

from __future__ import annotations

from tests import images
from visiondesk.domain import ApiMode, BatchEngine, Detail, PreparedImage
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


def stored_image(seed: int, *, thumbnail: bool = True) -> PreparedImage:
    """A 64×48 JPEG as prepared, with a 16×12 PNG thumbnail unless `thumbnail` is False (a
    record made before thumbnails were kept)."""
    return PreparedImage(
        f"photo-{seed}.jpg",
        f"{seed:064x}",
        64,
        48,
        "JPEG",
        64,
        48,
        "image/jpeg",
        images.encode(images.photo(64, 48, seed=seed), "JPEG"),
        Detail.LOW,
        85,
        thumbnail=images.encode(images.photo(16, 12, seed=seed), "PNG") if thumbnail else b"",
    )
