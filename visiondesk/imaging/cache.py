"""Prepared images keyed by content hash and policy, so nothing is prepared twice."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from visiondesk.domain import PreparedImage


class PreparedCache:
    """A thread-safe LRU bounded by the bytes it holds (prepared images are a few hundred KB)."""

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        self._max_bytes = max_bytes
        self._items: OrderedDict[Hashable, PreparedImage] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: Hashable) -> PreparedImage | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: Hashable, item: PreparedImage) -> None:
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.data)
            self._items[key] = item
            self._bytes += len(item.data)
            while self._bytes > self._max_bytes and len(self._items) > 1:
                _, evicted = self._items.popitem(last=False)
                self._bytes -= len(evicted.data)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)
