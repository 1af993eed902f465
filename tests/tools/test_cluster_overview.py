"""cluster_overview through a real MCP client against the sandbox (and a loopback inventory)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server
from tests.core.inventory.fake_inventory import FakeInventory

pytestmark = pytest.mark.anyio
DATA = Path(__file__).resolve().parents[1] / "core" / "cluster" / "data"


@pytest.fixture(scope="module")
def sandbox(crd_dir: Path) -> Iterator[Sandbox]:
    with Sandbox.start(data=DATA, crds=crd_dir) as running:
        yield running


async def overview(settings: Settings, **arguments: Any) -> Any:
    async with Client(create_server(settings)) as c:
        return await c.call_tool("cluster_overview", arguments)


async def test_overview_of_providers_plans_version_and_nodes(sandbox: Sandbox) -> None:
    with FakeInventory().running() as inventory:
        result = await overview(Settings(kubeconfig=sandbox.kubeconfig_path, inventory_url=inventory.url))
    view = result.structured_content
    assert not result.is_error, result.content[0].text
    assert view["forklift"]["version"] == "2.12.5"
    assert view["forklift"]["convertor_fields"] is True
    providers = {p["name"]: (p["type"], p["phase"], p["vm_count"]) for p in view["providers"]}
    assert providers == {"vsphere-prod": ("vsphere", "Ready", 8), "host": ("openshift", "Unknown", 0)}
    plans = {p["name"]: p for p in view["plans"]}
    assert (plans["wave1"]["phase"], plans["wave1"]["migration_type"]) == ("Running", "cold")
    assert plans["wave1"]["convertor_placement"] == ["convertorLabels", "convertorNodeSelector"]
    assert (plans["wave2-db"]["phase"], plans["wave2-db"]["migration_type"]) == ("Not ready", "warm")
    assert plans["wave2-db"]["blockers"] == ["VM pg-prod-02 is running with a shared disk"]
    nodes = {n["name"]: n for n in view["nodes"]}
    worker = nodes["worker-0"]
    assert (worker["roles"], worker["zone"], worker["kvm"], worker["schedulable"]) == (
        ["worker"],
        "us-east-1a",
        "1k",
        True,
    )
    assert worker["labels"] == {"kubevirt.io/schedulable": "true", "storage": "sas"}
    assert sorted(worker["notable_pods"]) == [
        "app-migrated/wave1-vm-2041-p7x2c (virt-v2v convertor)",
        "openshift-storage/rook-ceph-osd-0-6d9f (Ceph OSD)",
        "prod-db/postgres-0 (database)",
    ]
    mig = nodes["mig-0"]
    assert (mig["rack"], mig["taints"], mig["schedulable"]) == ("r7", ["dedicated=migration:NoSchedule"], False)
    assert nodes["master-0"]["taints"] == ["node-role.kubernetes.io/master:NoSchedule"]
    assert view["warnings"] == []
    assert "Forklift 2.12.5; convertor fields: yes" in result.content[0].text


async def test_verbose_shows_every_label_and_pod(sandbox: Sandbox) -> None:
    result = await overview(Settings(kubeconfig=sandbox.kubeconfig_path), verbose=True)
    worker = next(n for n in result.structured_content["nodes"] if n["name"] == "worker-0")
    assert "feature.node.kubernetes.io/cpu-cpuid.AVX" in worker["labels"]
    assert "openshift-storage/csi-rbdplugin-x1" in worker["notable_pods"]


async def test_unreachable_inventory_only_costs_the_vm_counts(sandbox: Sandbox) -> None:
    result = await overview(
        Settings(kubeconfig=sandbox.kubeconfig_path, inventory_url="http://127.0.0.1:9", request_timeout=2)
    )
    view = result.structured_content
    assert not result.is_error
    assert {p["vm_count"] for p in view["providers"]} == {None}
    assert view["warnings"][0].startswith("VM counts unavailable: cannot reach the Forklift inventory")


async def test_no_access_token_gets_a_clear_403(sandbox: Sandbox) -> None:
    result = await overview(Settings(kube_server=sandbox.url, kube_token=sandbox.no_access_token))
    assert result.is_error
    assert "the token may not list providers in openshift-mtv (403)" in result.content[0].text


async def test_slow_api_is_a_clear_error_and_the_next_call_works(sandbox: Sandbox) -> None:
    settings = Settings(kubeconfig=sandbox.kubeconfig_path, request_timeout=1)
    with sandbox.faults.injected("GET /api/v1/nodes=delay:3"):
        slow = await overview(settings)
    assert slow.is_error
    assert "did not answer within 1 s while trying to list nodes" in slow.content[0].text
    assert not (await overview(settings)).is_error
