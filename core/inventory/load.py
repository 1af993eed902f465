"""Loading one provider's VMs, enriched and cached: what ``query_vms`` and ``create_plan`` read."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from mtv_mcp.core.cluster import ClusterClient, bearer_token
from mtv_mcp.core.credentials import Credentials
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory.client import InventoryClient, InventoryError
from mtv_mcp.core.inventory.discovery import inventory_base_url
from mtv_mcp.core.inventory.enrich import enrich_vms
from mtv_mcp.core.inventory.models import VM, EnrichedInventory, ProviderRef

if TYPE_CHECKING:
    from mtv_mcp.core.runtime import Runtime

# Collections joined into the VMs, per provider type (their absence only costs the joined fields).
JOINS = {"vsphere": ("hosts", "clusters"), "ovirt": ("hosts", "clusters", "disks")}


def _joined(inventory: InventoryClient, provider: ProviderRef) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    tables: dict[str, list[dict[str, Any]]] = {}
    warnings: list[str] = []
    for name in JOINS.get(provider.type, ()):
        try:
            tables[name] = inventory.collection(provider, name)
        except InventoryError as error:
            if error.status == 0 or error.status >= 500:
                raise
            warnings.append(
                f"could not read the {name} of provider '{provider.name}' ({error.message}); "
                f"fields joined from them are null"
            )
    return tables, warnings


def fetch_inventory(
    inventory: InventoryClient, provider_name: str, namespace: str
) -> tuple[ProviderRef, list[VM], list[str]]:
    """Resolve the provider, fetch its VMs and join tables, and enrich the VMs."""
    provider = inventory.find_provider(provider_name, namespace)
    vms = inventory.collection(provider, "vms")
    tables, warnings = _joined(inventory, provider)
    enrich_vms(
        vms,
        provider_name=provider.name,
        provider_type=provider.type,
        hosts=tables.get("hosts", ()),
        clusters=tables.get("clusters", ()),
        disks=tables.get("disks", ()),
    )
    return provider, vms, warnings


def load_vms(
    runtime: Runtime,
    credentials: Credentials,
    provider_name: str,
    namespace: str | None = None,
    refresh: bool = False,
) -> EnrichedInventory:
    """The enriched VMs of provider ``provider_name`` (namespace: the server's default), from the
    per-credentials cache when fresh (``refresh`` forces a new fetch)."""
    settings = runtime.settings
    namespace = namespace or settings.namespace
    key = (*credentials.cache_key, namespace, provider_name)
    if not refresh and settings.inventory_cache_seconds > 0:
        cached = runtime.inventory_cache.get(key, settings.inventory_cache_seconds)
        if cached is not None:
            return cached
    base_url = inventory_base_url(settings, lambda: ClusterClient.connect(credentials, settings))
    token = bearer_token(credentials)
    if not token:
        raise MtvError(
            "the credentials carry no bearer token, which the Forklift inventory requires "
            "(a kubeconfig with client certificates only has none)",
            hint="use a kubeconfig user with a token (oc login), or --server/--token, or a bearer token per request",
        )
    with InventoryClient.for_settings(base_url, token, settings) as inventory:
        provider, vms, warnings = fetch_inventory(inventory, provider_name, namespace)
    loaded = EnrichedInventory(
        provider=provider, vms=vms, base_url=base_url, fetched_at=time.time(), warnings=tuple(warnings)
    )
    if settings.inventory_cache_seconds > 0:
        runtime.inventory_cache.put(key, loaded)
    return loaded
