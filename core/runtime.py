"""The state a running server shares between calls: settings and per-credential caches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import Credentials, resolve_credentials
from mtv_mcp.core.inventory.cache import InventoryCache
from mtv_mcp.core.inventory.shared import SharedInventoryAccess


@dataclass
class Runtime:
    """Created once per server process (the MCP lifespan); never contacts the cluster itself."""

    settings: Settings
    inventory_cache: InventoryCache = field(default_factory=InventoryCache)
    inventory_access: SharedInventoryAccess = field(default_factory=SharedInventoryAccess)

    def credentials(self, headers: Mapping[str, str] | None) -> Credentials:
        """The credentials of one call (see ``core.credentials`` for the precedence)."""
        return resolve_credentials(self.settings, headers)

    def close(self) -> None:
        """Close what calls shared (inventory clients); the runtime stays usable."""
        self.inventory_access.close()
