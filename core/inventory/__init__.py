"""The Forklift inventory: discovery, an httpx client, VM enrichment, and a per-credentials cache."""

from mtv_mcp.core.inventory.cache import InventoryCache
from mtv_mcp.core.inventory.client import InventoryClient, InventoryError
from mtv_mcp.core.inventory.connection import Connection
from mtv_mcp.core.inventory.enrich import ENRICHED_FIELDS, enrich_vms
from mtv_mcp.core.inventory.load import load_vms
from mtv_mcp.core.inventory.models import EnrichedInventory, ProviderRef

__all__ = [
    "ENRICHED_FIELDS",
    "Connection",
    "EnrichedInventory",
    "InventoryCache",
    "InventoryClient",
    "InventoryError",
    "ProviderRef",
    "enrich_vms",
    "load_vms",
]
