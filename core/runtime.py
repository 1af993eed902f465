"""The state a running server shares between calls: settings and per-credential caches."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import Credentials, resolve_credentials

if TYPE_CHECKING:
    from mtv_mcp.core.inventory.cache import InventoryCache
    from mtv_mcp.core.inventory.shared import SharedInventoryAccess


@dataclass
class Runtime:
    """Created once per server process (the MCP lifespan); never contacts the cluster itself.

    The inventory cache and clients are created on first use: the inventory modules (httpx,
    msgspec, the cluster client) are imported by the first call that needs them, not at start-up.
    """

    settings: Settings
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: InventoryCache | None = field(default=None, repr=False)
    _access: SharedInventoryAccess | None = field(default=None, repr=False)

    @property
    def inventory_cache(self) -> InventoryCache:
        """Enriched inventories, per provider and credentials."""
        with self._lock:
            if self._cache is None:
                from mtv_mcp.core.inventory.cache import InventoryCache  # noqa: PLC0415 - slow, first call only

                self._cache = InventoryCache()
            return self._cache

    @property
    def inventory_access(self) -> SharedInventoryAccess:
        """Inventory URLs per cluster and inventory clients per credentials."""
        with self._lock:
            if self._access is None:
                from mtv_mcp.core.inventory.shared import SharedInventoryAccess  # noqa: PLC0415 - slow, first call only

                self._access = SharedInventoryAccess()
            return self._access

    def credentials(self, headers: Mapping[str, str] | None) -> Credentials:
        """The credentials of one call (see ``core.credentials`` for the precedence)."""
        return resolve_credentials(self.settings, headers)

    def close(self) -> None:
        """Close what calls shared (inventory clients); the runtime stays usable."""
        with self._lock:
            access = self._access
        if access is not None:
            access.close()
