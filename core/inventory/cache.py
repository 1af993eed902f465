"""A short-lived, process-wide cache of enriched inventories, per provider and per credentials."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from mtv_mcp.core.inventory.models import EnrichedInventory

CacheKey = tuple[str, ...]


@dataclass
class InventoryCache:
    """Keeps the last ``max_entries`` inventories; an entry older than the caller's ``max_age`` is stale."""

    max_entries: int = 16
    _entries: dict[CacheKey, EnrichedInventory] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loading: dict[CacheKey, tuple[threading.Lock, int]] = field(default_factory=dict)

    def get(self, key: CacheKey, max_age: float) -> EnrichedInventory | None:
        """The entry for ``key`` if it is at most ``max_age`` seconds old."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.time() - entry.fetched_at > max_age:
            return None
        return entry

    def pop(self, key: CacheKey) -> EnrichedInventory | None:
        """Remove and return the entry for ``key`` (fresh or stale)."""
        with self._lock:
            return self._entries.pop(key, None)

    @contextmanager
    def loading(self, key: CacheKey) -> Iterator[None]:
        """Held while ``key`` is fetched: one fetch in flight per key, later callers wait for it."""
        with self._lock:
            lock, users = self._loading.get(key, (threading.Lock(), 0))
            self._loading[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._loading[key]
                if users == 1:
                    del self._loading[key]
                else:
                    self._loading[key] = (lock, users - 1)

    def put(self, key: CacheKey, inventory: EnrichedInventory) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = inventory
            while len(self._entries) > self.max_entries:
                self._entries.pop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
