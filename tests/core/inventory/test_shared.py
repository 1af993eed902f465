"""What calls share (the inventory's Route URL per cluster, one client per credentials), one fetch
per provider in flight, the stale copy dropped before a refetch, and the paused collector."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import Credentials
from mtv_mcp.core.inventory import Connection, EnrichedInventory, InventoryClient, InventoryError, load_vms, memory
from mtv_mcp.core.inventory.memory import collector_paused
from mtv_mcp.core.runtime import Runtime
from mtv_mcp.sandbox.runner import Sandbox

ROUTES = "/apis/route.openshift.io/*"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(data="demo") as running:
        yield running


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    """A runtime that finds the inventory through its Route (no --inventory-url)."""
    shared = Runtime(Settings(request_timeout=2))
    yield shared
    shared.close()


def admin(sandbox: Sandbox) -> Credentials:
    return Credentials(source="flags", server=sandbox.url, token=SecretStr(sandbox.admin_token))


def load(runtime: Runtime, credentials: Credentials, **kwargs: Any) -> EnrichedInventory:
    with Connection(credentials, runtime.settings, runtime.inventory_access) as connection:
        return load_vms(connection, runtime.inventory_cache, "vsphere-prod", **kwargs)


def test_route_is_looked_up_once_per_cluster_and_client_reused(sandbox: Sandbox, runtime: Runtime) -> None:
    with sandbox.faults.injected(f"{ROUTES}=delay:0") as (routes,):
        first = load(runtime, admin(sandbox), refresh=True)
        looked_up = routes.hits
        load(runtime, admin(sandbox), refresh=True)
    assert looked_up > 0
    assert routes.hits == looked_up  # the second call used the URL found by the first
    assert runtime.inventory_access.route(sandbox.url) == first.base_url
    access = runtime.inventory_access
    same = access.client(first.base_url, sandbox.admin_token, runtime.settings)
    assert access.client(first.base_url, sandbox.admin_token, runtime.settings) is same
    assert access.client(first.base_url, "sandbox-viewer-token", runtime.settings) is not same


def test_route_is_forgotten_when_the_inventory_does_not_answer(sandbox: Sandbox, runtime: Runtime) -> None:
    runtime.inventory_access.remember_route(sandbox.url, "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(InventoryError) as caught:
        load(runtime, admin(sandbox))
    assert caught.value.status is None
    assert runtime.inventory_access.route(sandbox.url) is None
    assert load(runtime, admin(sandbox)).vms  # found through the Route again


def test_stale_copy_leaves_the_cache_before_the_refetch(
    sandbox: Sandbox, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = load(runtime, admin(sandbox))
    cached_during_fetch: list[int] = []
    collection = InventoryClient.collection

    def observing(client: InventoryClient, provider: Any, name: str, **options: Any) -> list[dict[str, Any]]:
        entries = runtime.inventory_cache._entries.values()  # what the cache holds while fetching
        cached_during_fetch.append(sum(entry is old for entry in entries))
        return collection(client, provider, name, **options)

    monkeypatch.setattr(InventoryClient, "collection", observing)
    new = load(runtime, admin(sandbox), refresh=True)
    assert new is not old
    assert cached_during_fetch
    assert set(cached_during_fetch) == {0}


def test_a_call_waiting_for_a_fetch_in_flight_uses_its_result(sandbox: Sandbox, runtime: Runtime) -> None:
    key = (*admin(sandbox).cache_key, runtime.settings.namespace, "vsphere-prod")
    fetched = load(runtime, admin(sandbox))
    runtime.inventory_cache.clear()
    answers: list[EnrichedInventory] = []
    with runtime.inventory_cache.loading(key):  # another call's fetch is in flight
        waiter = threading.Thread(target=lambda: answers.append(load(runtime, admin(sandbox))))
        waiter.start()
        runtime.inventory_cache.put(key, fetched)  # ... and it finishes
    waiter.join(timeout=30)
    assert answers == [fetched]  # the waiting call did not fetch again


def test_the_collector_is_paused_while_building_and_skips_what_was_built() -> None:
    enabled = gc.isenabled()
    frozen = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            built = [{"disks": [{"id": n}]} for n in range(100)]
        assert not gc.isenabled()  # an outer pause is still running
    assert gc.isenabled() == enabled
    assert gc.get_freeze_count() >= frozen + len(built)


def test_an_answer_too_large_for_the_memory_available_is_refused(
    sandbox: Sandbox, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory, "available_memory", lambda: 6 * 1000)  # room for 1,000 bytes of JSON
    with pytest.raises(InventoryError) as caught:
        load(runtime, admin(sandbox))
    assert "the Forklift inventory's answer for the vms of provider 'vsphere-prod' is" in caught.value.message
    assert "more than the memory available now" in caught.value.message
    assert "give this server more memory" in str(caught.value.hint)
    assert runtime.inventory_cache.get((*admin(sandbox).cache_key, "openshift-mtv", "vsphere-prod"), 60) is None


def test_available_memory_is_known_here() -> None:
    available = memory.available_memory()
    assert available is not None
    assert available > 0
