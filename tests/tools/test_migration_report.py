"""migration_report through a real MCP client against the demo sandbox.

Expected figures are computed here from what the sandbox was given — the inventory's disk sizes, the
nodes' labels and the copy rates written out below — never read back from the tool: the finished
baseline ``wave0`` (replayed by the sandbox's controller) and the running ``wave1`` compared with it.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.controller.history import data_set_controller
from mtv_mcp.sandbox.runner import DATA_ROOT, Sandbox
from mtv_mcp.server.app import create_server

pytestmark = pytest.mark.anyio
MIB, GIB = 1024**2, 1024**3
VSPHERE_VMS = DATA_ROOT / "demo" / "inventory" / "vsphere" / "0b5e7a1c-1111-4a6e-9c2d-5f0e00000001" / "vms.json"
# virt-v2v's timeline in the sandbox's templates: the copy of disk 1 starts 88.7 s after the container
# starts for a Linux guest, 271.4 s for Windows (its conversion takes 240 s instead of 57.3 s).
CONVERSION_SECONDS = {False: 88.7, True: 271.4}
# The steps around virt-v2v (sandbox/controller/timing.py): Initialize 6 s; DiskAllocation on the demo's
# Ceph RBD class 4 s for the first claim + 2 s per further claim + 0.02 s per GiB, rounded up to the
# second; VirtualMachineCreation 4 s + 1 s per disk.
INITIALIZE_SECONDS = 6


def expected_allocation(disk_gib: list[float]) -> int:
    return math.ceil(4 + 2 * (len(disk_gib) - 1) + 0.02 * sum(disk_gib))


def expected_rate(labels: dict[str, str]) -> float:
    """MiB/s on a node, alone: 180 on NVMe with the migration network, halved on SAS, 60 % without it."""
    rate = 180.0 * {"nvme": 1.0, "sas": 0.5}[labels["storage"]]
    return rate if labels.get("network.example.com/vmware-migration") == "true" else rate * 0.6


@pytest.fixture(scope="module")
def demo(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    with Sandbox.start(data="demo", crds=sandbox_crds) as sandbox:
        yield sandbox


@asynccontextmanager
async def connected(sandbox: Sandbox) -> AsyncIterator[Client]:
    async with Client(create_server(Settings(kubeconfig=sandbox.kubeconfig_path, request_timeout=5))) as c:
        yield c


async def report(sandbox: Sandbox, **arguments: Any) -> Any:
    async with connected(sandbox) as c:
        return await c.call_tool("migration_report", arguments)


def inventory() -> dict[str, dict[str, Any]]:
    return {vm["id"]: vm for vm in json.loads(VSPHERE_VMS.read_text(encoding="utf-8"))}


async def test_baseline_per_vm_figures_match_the_sandbox_timings(demo: Sandbox) -> None:
    result = await report(demo, plan="wave0")
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    assert (data["run"]["migration"], data["run"]["state"]) == ("wave0-m4r7t", "Succeeded")
    vms = inventory()
    for run in data["vms"]:
        node = demo.store.get("nodes", None, run["node"])["metadata"]["labels"]
        source = vms[run["id"]]
        size = sum(-(-d["capacity"] // MIB) for d in source["disks"])
        rate = expected_rate(node)
        windows = source["guestId"].startswith("windows")
        allocation = expected_allocation([d["capacity"] / GIB for d in source["disks"]])
        creation = 4 + len(source["disks"])
        assert run["state"] == "Succeeded"
        assert run["zone"] == node["topology.kubernetes.io/zone"]
        assert run["rules"] == "no rules"
        assert run["disk_gb"] == round(size / 1024, 1)
        assert run["disks"] == len(source["disks"])
        assert run["datastores"] == sorted({d["file"][1:].split("]")[0] for d in source["disks"]})
        assert run["phases"]["DiskTransferV2v"] == pytest.approx(size / rate, abs=1.5)
        assert run["phases"]["ImageConversion"] == pytest.approx(CONVERSION_SECONDS[windows], abs=1.5)
        assert run["phases"]["Initialize"] == INITIALIZE_SECONDS
        assert run["phases"]["DiskAllocation"] == allocation
        assert run["phases"]["VirtualMachineCreation"] == creation
        assert run["mib_s"] == pytest.approx(rate, rel=0.01)
        assert run["log_mib_s"] == pytest.approx(rate, rel=0.02)
        assert run["guest_os"] == source["guestNameFromVmwareTools"] or not source["guestNameFromVmwareTools"]
        around = INITIALIZE_SECONDS + allocation + creation
        assert run["seconds"] == pytest.approx(around + CONVERSION_SECONDS[windows] + size / rate, abs=2)


async def test_baseline_names_the_slow_nodes_and_why(demo: Sandbox) -> None:
    data = (await report(demo, plan="wave0")).structured_content
    slow_nodes = {
        n["metadata"]["name"] for n in demo.store.list("nodes") if n["metadata"]["labels"].get("storage") == "sas"
    }
    placed = {run["vm"]: run["node"] for run in data["vms"]}
    expected_slow = {vm for vm, node in placed.items() if node in slow_nodes}
    assert expected_slow, "the default spreading put convertors on the SAS workers"
    assert {s["vm"] for s in data["breakdown"]["slowest"]} == expected_slow
    for slow in data["breakdown"]["slowest"]:
        node_reason = slow["why"][0]
        assert node_reason.startswith(f"node {placed[slow['vm']]} averaged")
        assert "storage=sas (not nvme)" in node_reason
        assert "lacks network.example.com/vmware-migration=true" in node_reason
    by_node = {g["key"]: g for g in data["breakdown"]["node"]}
    assert set(by_node) == set(placed.values())
    assert data["breakdown"]["rule"][0]["key"] == "no rules"


async def test_optimized_wave_compares_faster_than_the_baseline(demo: Sandbox) -> None:
    result = await report(demo, plan="wave1", compare_with="wave0")
    assert not result.is_error, result.content[0].text
    data = result.structured_content
    runs = {run["vm"]: run for run in data["vms"]}
    web = runs["web-frontend-01"]  # 60 GiB copied from +455.8 s to +812.0 s of its log
    assert web["log_mib_s"] == pytest.approx(60 * 1024 / (812.0 - 455.8), abs=0.1)
    assert web["mib_s"] == pytest.approx(60 * 1024 / 356, abs=0.1)  # DiskTransferV2v 11:15:54 → 11:21:50
    pg = runs["pg-prod-01"]
    assert pg["state"] == "Running"
    assert pg["progress_pct"] == pytest.approx(100 * 317440 / 614400, abs=0.05)
    assert pg["eta_seconds"] == pytest.approx((614400 - 317440) / pg["mib_s"], rel=0.01)
    comparison = data["comparison"]
    assert comparison["plan"] == "wave0"
    assert comparison["speedup"] > 1
    assert "faster per GB" in comparison["verdict"]
    rows = {r["metric"]: r for r in comparison["rows"]}
    assert rows["nodes used"]["other"] == 4
    assert rows["VMs succeeded"] == {"metric": "VMs succeeded", "this": 1, "other": 4}
    assert rows["copy MiB/s"]["this"] > rows["copy MiB/s"]["other"]
    # No VM ran in both; web-frontend-01 (60 GB) is paired with wave0's closest VM of its size class,
    # web-frontend-02 (60 GiB on worker-4, NVMe with the migration network: 180 MiB/s).
    [pair] = comparison["vms"]
    assert (pair["vm"], pair["other_vm"], pair["match"]) == ("web-frontend-01", "web-frontend-02", "size")
    expected = INITIALIZE_SECONDS + expected_allocation([60]) + CONVERSION_SECONDS[False] + 60 * 1024 / 180 + 4 + 1
    assert pair["other_seconds"] == pytest.approx(expected, abs=2)
    assert pair["seconds"] == web["seconds"]
    assert "- VM web-frontend-01 vs web-frontend-02 (same size): " in result.content[0].text


async def test_metrics_are_shown_when_served_and_missing_said_otherwise(demo: Sandbox) -> None:
    metrics = (await report(demo, plan="wave1")).structured_content["run"]["metrics"]
    assert metrics["available"]
    assert [p["name"] for p in metrics["pods"]] == ["wave1-vm-2041-p7x2c"]
    assert [n["name"] for n in metrics["nodes"]] == ["worker-3"]
    with demo.faults.injected("GET /apis/metrics.k8s.io/*=404"):  # no metrics-server: no such API group
        result = await report(demo, plan="wave1")
    assert not result.structured_content["run"]["metrics"]["available"]
    assert "serves no metrics.k8s.io" in result.content[0].text


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"plan": "wave2-db"}, "has no Migration yet"),
        ({"plan": "wave1", "compare_with": "wave1"}, "compare_with names the plan itself"),
        ({"plan": "wave1", "compare_with": "nope"}, "nope"),
        ({"plan": "wave1", "migration": "wave1-zzz"}, "has no Migration 'wave1-zzz'"),
    ],
)
async def test_bad_arguments_are_tool_errors(demo: Sandbox, arguments: dict[str, str], expected: str) -> None:
    result = await report(demo, **arguments)
    assert result.is_error
    assert expected in result.content[0].text


async def test_the_result_fits_the_context_budget(demo: Sandbox) -> None:
    result = await report(demo, plan="wave1", compare_with="wave0")
    assert len(result.content[0].text.encode()) <= 6_000
    assert len(json.dumps(result.structured_content).encode()) <= 16_000


async def test_two_convertors_sharing_a_node_are_reported_as_node_pressure(sandbox_crds: Path | None) -> None:
    """A fresh migration run by the sandbox's controller: both convertors pinned to worker-4 (NVMe with
    the migration network). dev-sandbox-07's one 20 GiB claim is bound first (5 s, against 6 s for
    web-frontend-02's 60 GiB), so its pod starts alone at 180 MiB/s, web-frontend-02's beside it at 180/1.5."""
    # A frozen clock: the pipeline's whole-second timestamps must not drift with a busy machine.
    frozen = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with Sandbox.start(data="demo", crds=sandbox_crds, plugins=[data_set_controller()], frozen_at=frozen) as sandbox:
        baseline = sandbox.store.get("plans", "openshift-mtv", "wave0")
        spec = {
            **baseline["spec"],
            "vms": [{"id": "vm-2051", "name": "web-frontend-02"}, {"id": "vm-2090", "name": "dev-sandbox-07"}],
            "convertorNodeSelector": {"kubernetes.io/hostname": "worker-4"},
        }
        plan = {
            "apiVersion": baseline["apiVersion"],
            "kind": "Plan",
            "metadata": {"name": "pinned", "namespace": "openshift-mtv"},
        }
        sandbox.store.create({**plan, "spec": spec})
        sandbox.store.create(
            {
                "apiVersion": baseline["apiVersion"],
                "kind": "Migration",
                "metadata": {"name": "pinned-1", "namespace": "openshift-mtv"},
                "spec": {"plan": {"name": "pinned", "namespace": "openshift-mtv"}},
            }
        )
        sandbox.clock.advance(minutes=30)
        data = (await report(sandbox, plan="pinned")).structured_content
    runs = {run["vm"]: run for run in data["vms"]}
    assert {run["node"] for run in runs.values()} == {"worker-4"}
    assert runs["dev-sandbox-07"]["mib_s"] == pytest.approx(180, rel=0.01)
    assert runs["web-frontend-02"]["mib_s"] == pytest.approx(180 / 1.5, rel=0.01)
    assert runs["web-frontend-02"]["phases"]["DiskTransferV2v"] == pytest.approx(60 * 1024 / 120, abs=1.5)
    slow = data["breakdown"]["slowest"]
    assert [s["vm"] for s in slow] == ["web-frontend-02"]
    assert "node pressure: shared worker-4 with 1 other convertor(s) while copying" in slow[0]["why"]
