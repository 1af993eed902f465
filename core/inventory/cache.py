"""A short-lived, process-wide cache of enriched inventories, per provider and per credentials."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from mtv_mcp.core.inventory.models import EnrichedInventory

CacheKey = tuple[str, ...]


@dataclass
class InventoryCache:
    """Keeps the last ``max_entries`` inventories; an entry older than the caller's ``max_age`` is stale."""

    max_entries: int = 16
    _entries: dict[CacheKey, EnrichedInventory] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, key: CacheKey, max_age: float) -> EnrichedInventory | None:
        """The entry for ``key`` if it is at most ``max_age`` seconds old."""
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or time.time() - entry.fetched_at > max_age:
            return None
        return entry

    def put(self, key: CacheKey, inventory: EnrichedInventory) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = inventory
            while len(self._entries) > self.max_entries:
                self._entries.pop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
