"""The demo's finished baseline wave0: replayed through the controller, with timings from its nodes' links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from mtv_mcp.sandbox.controller.links import LinkModel
from mtv_mcp.sandbox.runner import DATA_ROOT, Sandbox

MIB = 1024 * 1024
VSPHERE_VMS = DATA_ROOT / "demo" / "inventory" / "vsphere" / "0b5e7a1c-1111-4a6e-9c2d-5f0e00000001" / "vms.json"


@pytest.fixture(scope="module")
def demo(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    with Sandbox.start(data="demo", crds=sandbox_crds) as sandbox:
        yield sandbox


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _expected_rate(labels: dict[str, str]) -> float:
    """Written out from the demo's node labels: 180 MiB/s on NVMe with the migration network; SAS
    halves it, a node without the migration network gets 60 % of it."""
    rate = 180 * MIB * {"nvme": 1.0, "sas": 0.5}[labels["storage"]]
    return rate if labels.get("network.example.com/vmware-migration") == "true" else rate * 0.6


def test_wave0_ran_to_success_with_one_pod_per_vm(demo: Sandbox) -> None:
    migration = demo.store.get("migrations", "openshift-mtv", "wave0-m4r7t")
    status = migration["status"]
    assert [c["type"] for c in status["conditions"] if c["status"] == "True"] == ["Succeeded"]
    assert {vm["name"] for vm in status["vms"]} == {"web-frontend-02", "win-ad-01", "build-runner-03", "dev-sandbox-07"}
    pods = demo.store.list("pods", "app-migrated", label_selector=f"migration={migration['metadata']['uid']}")
    assert sorted(p["status"]["phase"] for p in pods) == ["Succeeded"] * 4
    assert _time(status["completed"]) == max(_time(vm["completed"]) for vm in status["vms"])
    plan = demo.store.get("plans", "openshift-mtv", "wave0")
    assert "Succeeded" in {c["type"] for c in plan["status"]["conditions"]}
    assert demo.store.read_log("app-migrated", pods[0]["metadata"]["name"], "virt-v2v").rstrip().endswith("Finished")


def test_wave0_copy_time_follows_the_node_storage_and_network(demo: Sandbox) -> None:
    """DiskTransferV2v lasts (disk bytes from the inventory) / (the node's rate), to the second."""
    inventory = {vm["id"]: vm for vm in json.loads(VSPHERE_VMS.read_text(encoding="utf-8"))}
    migration = demo.store.get("migrations", "openshift-mtv", "wave0-m4r7t")
    pods = {
        p["metadata"]["labels"]["vmID"]: p
        for p in demo.store.list("pods", "app-migrated", label_selector=f"migration={migration['metadata']['uid']}")
    }
    nodes = [p["spec"]["nodeName"] for p in pods.values()]
    assert len(set(nodes)) == len(nodes), "the baseline spreads one convertor per node, so none shares a link"
    for vm in migration["status"]["vms"]:
        node = demo.store.get("nodes", None, pods[vm["id"]]["spec"]["nodeName"])
        size = sum(d["capacity"] for d in inventory[vm["id"]]["disks"])
        step = next(s for s in vm["pipeline"] if s["name"] == "DiskTransferV2v")
        seconds = (_time(step["completed"]) - _time(step["started"])).total_seconds()
        assert seconds == pytest.approx(size / _expected_rate(node["metadata"]["labels"]), abs=2)
        assert step["progress"] == {"total": size // MIB, "completed": size // MIB}
        assert [t["name"] for t in step["tasks"]] == [
            d["file"].replace("-000001.vmdk", ".vmdk") for d in inventory[vm["id"]]["disks"]
        ]
    placed = {vm: pods[vm]["spec"]["nodeName"] for vm in pods}
    # The pods are created as each VM's claims are bound (fewer, smaller disks first), so the default
    # spreading places dev-sandbox-07, web-frontend-02, build-runner-03, win-ad-01 in that order.
    assert placed["vm-2051"] in ("worker-3", "worker-4"), "web-frontend-02 landed on an NVMe node in this data set"


def test_links_share_a_node_between_running_convertors() -> None:
    links = LinkModel()
    fast = {"metadata": {"labels": {"storage": "nvme", "network.example.com/vmware-migration": "true"}}}
    assert links.rate(fast, 0) == 180 * MIB
    assert links.rate(fast, 2) == 90 * MIB
    assert links.rate({"metadata": {}}, 0) == pytest.approx(180 * MIB * 0.4 * 0.6)
