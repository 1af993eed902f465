"""create_plan's dry-run forecast against the demo sandbox: its inputs (VMs, disks, candidate nodes,
in-flight budget, node room, learned copy rates) checked against what the sandbox holds."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import DATA_ROOT, Sandbox
from mtv_mcp.server.app import create_server

pytestmark = pytest.mark.anyio
VSPHERE_VMS = DATA_ROOT / "demo" / "inventory" / "vsphere" / "0b5e7a1c-1111-4a6e-9c2d-5f0e00000001" / "vms.json"
NVME_RATE = 180.0  # MiB/s the sandbox gives a lone convertor on an NVMe node with the migration network
# Per-VM overhead learned from the baseline wave0: the median (upper) of its VMs' steps besides the copy.
# Each: Initialize 6 s + DiskAllocation on Ceph RBD (4 s + 2 s per further disk + 0.02 s/GiB, rounded
# up) + ImageConversion (88 s Linux, 271 s Windows, whole seconds) + VirtualMachineCreation (4 s + 1 s/disk).
# wave0: web-frontend-02 60 GiB, win-ad-01 120+50 GiB (Windows), build-runner-03 250 GiB, dev-sandbox-07 20 GiB.
WAVE0_OVERHEADS = sorted(
    6 + math.ceil(4 + 2 * (len(gib) - 1) + 0.02 * sum(gib)) + conversion + 4 + len(gib)
    for gib, conversion in (([60], 88), ([120, 50], 271), ([250], 88), ([20], 88))
)
OVERHEAD = WAVE0_OVERHEADS[len(WAVE0_OVERHEADS) // 2]
VMS = ["web-frontend-02", "win-ad-01", "build-runner-03"]


@pytest.fixture
def demo(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    with Sandbox.start(data="demo", crds=sandbox_crds) as sandbox:
        yield sandbox


async def dry_run(sandbox: Sandbox, **arguments: Any) -> dict[str, Any]:
    settings = Settings(kubeconfig=sandbox.kubeconfig_path, inventory_url=sandbox.inventory_url, request_timeout=5)
    async with Client(create_server(settings)) as client:
        result = await client.call_tool("create_plan", {"name": "wave3", "source": "vsphere-prod", **arguments})
    assert not result.is_error, result.content[0].text
    assert "forecast:" in result.content[0].text
    forecast: dict[str, Any] = result.structured_content["forecast"]
    return forecast


def disk_mib(names: list[str]) -> list[int]:
    vms = {vm["name"]: vm for vm in json.loads(VSPHERE_VMS.read_text(encoding="utf-8"))}
    return [sum(-(-d["capacity"] // 1024**2) for d in vms[name]["disks"]) for name in names]


async def test_forecast_on_nvme_nodes_learns_from_the_baseline(demo: Sandbox) -> None:
    forecast = await dry_run(demo, vms=",".join(VMS), convertor_node_selector="storage=nvme")
    sizes = disk_mib(VMS)
    assert forecast["vms"] == 3
    assert forecast["disk_gb"] == round(sum(sizes) / 1024, 1)
    # worker-3 is NVMe too, but its memory is taken (demo-dataset §7): only worker-4 has room
    assert forecast["nodes"] == ["worker-4"]
    assert forecast["concurrent"] == 3, "three VMs on three ESXi hosts, 20 in flight per host, room for all"
    assert "worker-4" in forecast["mib_s_source"]
    low, high = forecast["mib_s"]
    assert high == pytest.approx(NVME_RATE, rel=0.01)
    assert low == pytest.approx(NVME_RATE / 3, rel=0.01), "three convertors share worker-4's link"
    # the learned rate is wave0's whole-second timestamps' (within 1 % of 180, checked above)
    fast = max(OVERHEAD + size / high for size in sizes)
    slow = max(OVERHEAD + size / low for size in sizes)
    assert forecast["seconds"][0] == pytest.approx(fast, abs=3)
    assert forecast["seconds"][1] == pytest.approx(slow, abs=6)


async def test_in_flight_budget_is_per_esxi_host(demo: Sandbox) -> None:
    demo.store.patch(
        "forkliftcontrollers", "openshift-mtv", "forklift-controller", {"spec": {"controller_max_vm_inflight": 1}}
    )
    same_host = ["web-frontend-01", "legacy-app-01"]  # both on host-22
    forecast = await dry_run(demo, vms=",".join(same_host))
    assert forecast["concurrent"] == 1
    assert "controller_max_vm_inflight 1 per ESXi host" in forecast["concurrency"]
    sizes = disk_mib(same_host)
    assert forecast["seconds"][0] >= math.floor(sum(sizes) / forecast["mib_s"][1])


async def test_without_finished_migrations_the_default_rate_is_stated(demo: Sandbox) -> None:
    demo.store.delete("migrations", "openshift-mtv", "wave0-m4r7t")
    forecast = await dry_run(demo, vms="win-ad-01")
    assert forecast["mib_s"] == [50.0, 150.0]
    assert forecast["mib_s_source"].startswith("default")


async def test_a_candidate_node_without_history_falls_back_to_the_storage_class(demo: Sandbox) -> None:
    """worker-1 ran dev-sandbox-07 in wave0; with that pod gone no candidate node has a past rate, so the
    rates of wave0's VMs written to the same storage class (the auto-built map's only class) are used."""
    for pod in demo.store.list("pods", "app-migrated", label_selector="plan-name=wave0"):
        if pod["spec"].get("nodeName") == "worker-1":
            demo.store.delete("pods", "app-migrated", pod["metadata"]["name"])
    forecast = await dry_run(demo, vms="win-ad-01", convertor_node_selector="kubernetes.io/hostname=worker-1")
    assert forecast["nodes"] == ["worker-1"]
    assert forecast["mib_s_source"].startswith(
        "finished migrations to storage class ocs-storagecluster-ceph-rbd-virtualization (4 VMs)"
    )
    sas_alone, nvme_alone = NVME_RATE * 0.5 * 0.6, NVME_RATE
    assert forecast["mib_s"] == pytest.approx([sas_alone, nvme_alone], rel=0.01)
