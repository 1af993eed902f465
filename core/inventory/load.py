"""Loading one provider's VMs, enriched and cached: what ``query_vms`` and ``create_plan`` read."""

from __future__ import annotations

import time
from typing import Any

from mtv_mcp.core.inventory.cache import CacheKey, InventoryCache
from mtv_mcp.core.inventory.client import STILL_LOADING, InventoryClient, InventoryError
from mtv_mcp.core.inventory.connection import Connection
from mtv_mcp.core.inventory.enrich import joined_fields, vm_enricher
from mtv_mcp.core.inventory.memory import collector_paused, release_in_background
from mtv_mcp.core.inventory.models import VM, EnrichedInventory, ProviderRef
from mtv_mcp.core.inventory.provider import find_provider, provider_ref
from mtv_mcp.core.tsl import Snapshot

# Collections joined into the VMs, per provider type (their absence only costs the joined fields).
JOINS = {
    "vsphere": ("hosts", "clusters"),
    "ovirt": ("hosts", "clusters", "disks"),
    "openstack": ("flavors", "volumes", "images"),
    "hyperv": ("hosts",),
}


def _joined(inventory: InventoryClient, provider: ProviderRef) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
    """The join tables, each object cut at once to what enrichment reads of it (``joined_fields``;
    sharing the repeats in what is cut off would be wasted)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    warnings: list[str] = []
    for name in JOINS.get(provider.type, ()):
        try:
            tables[name] = [joined_fields(item) for item in inventory.collection(provider, name, shared=False)]
        except InventoryError as error:
            if error.status is None or error.status == STILL_LOADING or error.status >= 500:
                raise
            warnings.append(
                f"could not read the {name} of provider '{provider.name}' ({error.message}); "
                f"fields joined from them are null"
            )
    return tables, warnings


def fetch_inventory(inventory: InventoryClient, provider: ProviderRef) -> tuple[list[VM], list[str]]:
    """Fetch the provider's join tables, then its VMs (the tables' full objects are gone by then,
    so the VMs reuse their memory), enriching each batch of VMs as it is decoded."""
    tables, warnings = _joined(inventory, provider)
    enrich = vm_enricher(provider_name=provider.name, provider_type=provider.type, **tables)
    return inventory.collection(provider, "vms", each=enrich), warnings


def load_vms(
    connection: Connection,
    cache: InventoryCache,
    provider_name: str,
    namespace: str | None = None,
    refresh: bool = False,
) -> EnrichedInventory:
    """The enriched VMs of provider ``provider_name`` (namespace: the server's default), from the
    per-credentials ``cache`` when fresh (``refresh`` forces a new fetch through ``connection``).

    A cached copy is served only after the inventory has accepted this call's token for the
    provider, so a revoked token reads nothing, not even from the cache. One fetch per provider
    (and credentials) is in flight at a time: a call that waited for another one's fetch uses its
    result. The stale copy leaves the cache before the new one is fetched, so that the two are
    not held at once, and is freed on another thread.
    """
    settings = connection.settings
    namespace = namespace or settings.namespace
    key = (*connection.credentials.cache_key, namespace, provider_name)
    caching = settings.inventory_cache_seconds > 0
    asked_at = time.time()
    if not refresh and caching:
        cached = cache.get(key, settings.inventory_cache_seconds)
        if cached is not None:
            return _authorized(connection, cached)
    with cache.loading(key):
        if caching:
            not_before = asked_at if refresh else 0.0  # a refresh takes only what was fetched after it was asked
            done = _usable(cache, key, settings.inventory_cache_seconds, not_before)
            if done is not None:
                return _authorized(connection, done)
            release_in_background([cache.pop(key)])  # no other reference here: the stale copy can go
        loaded = _fetch(connection, provider_name, namespace)
        if caching:
            cache.put(key, loaded)
    return loaded


def _usable(cache: InventoryCache, key: CacheKey, max_age: float, not_before: float) -> EnrichedInventory | None:
    """The cached copy if it is fresh and fetched at ``not_before`` or later; None otherwise, so
    that the caller holds no reference to a stale copy while it fetches a new one."""
    cached = cache.get(key, max_age)
    return cached if cached is not None and cached.fetched_at >= not_before else None


def _authorized(connection: Connection, cached: EnrichedInventory) -> EnrichedInventory:
    connection.know_inventory_url(cached.base_url)
    connection.inventory.authorize(cached.provider)
    return cached


def _fetch(connection: Connection, provider_name: str, namespace: str) -> EnrichedInventory:
    inventory = connection.inventory
    provider = provider_ref(find_provider(connection.cluster, provider_name, namespace))
    try:
        with collector_paused():
            vms, warnings = fetch_inventory(inventory, provider)
    except InventoryError as error:
        if error.status == STILL_LOADING:
            raise InventoryError(
                f"the inventory of provider '{provider.name}' is still loading (provider phase: {provider.phase}); "
                "an empty answer now would not mean zero VMs",
                status=error.status,
                hint=error.hint,
            ) from None
        raise
    if provider.phase != "Ready":
        warnings.insert(
            0,
            f"provider '{provider.name}' is not Ready (phase {provider.phase}): "
            "its inventory may be stale or incomplete",
        )
    provider = provider.model_copy(update={"vm_count": len(vms)})
    return EnrichedInventory(
        provider=provider,
        vms=Snapshot(vms),
        base_url=connection.inventory_url,
        fetched_at=time.time(),
        warnings=tuple(warnings),
    )
