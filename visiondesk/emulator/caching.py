"""The prompt cache as the API documents it (API-FACTS §10): a request whose input begins with
the same 1,024 tokens or more as an earlier request's reads that prefix from the cache, counted
in steps of 128 tokens and reported as `cached_tokens`. `prompt_cache_key` keeps a
conversation's requests on one cache; without it only the previous request of the same model
is a candidate (other traffic lands in between on a real server)."""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from visiondesk.emulator.vision import ImageFacts

MIN_PREFIX = 1024
STEP = 128
KEPT = 32
"""Requests remembered per key (the oldest are forgotten, as a real cache evicts)."""

Unit = tuple[str, int]
"""One piece of a request's input, in order: a digest of what it is, and its tokens."""


def unit(kind: str, *parts: object, tokens: int) -> Unit:
    digest = hashlib.sha256(repr((kind, *parts)).encode()).hexdigest()[:24]
    return digest, tokens


def image_unit(facts: ImageFacts) -> Unit:
    """An image, known by what the emulator saw of it (the same image sent again is equal)."""
    return unit(
        "image",
        facts.via,
        facts.mime,
        facts.width,
        facts.height,
        facts.bytes,
        facts.detail,
        facts.file_id,
        facts.url,
        tokens=facts.tokens,
    )


class PromptCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[str, deque[tuple[Unit, ...]]] = {}

    def cached(self, key: str | None, model: str, units: Sequence[Unit]) -> int:
        """The tokens of `units` read from the cache; then `units` are remembered."""
        bucket = f"key:{key}" if key else f"model:{model}"
        with self._lock:
            earlier = list(self._seen.get(bucket, ()))
            if not key:
                earlier = earlier[-1:]
            best = max((_common(units, other) for other in earlier), default=0)
            self._seen.setdefault(bucket, deque(maxlen=KEPT)).append(tuple(units))
        if best < MIN_PREFIX:
            return 0
        return MIN_PREFIX + (best - MIN_PREFIX) // STEP * STEP


def _common(units: Sequence[Unit], other: Sequence[Unit]) -> int:
    """Tokens of the pieces both begin with (a piece that differs ends the prefix)."""
    total = 0
    for mine, theirs in zip(units, other, strict=False):
        if mine != theirs:
            break
        total += mine[1]
    return total
