"""cluster_overview through a real MCP client against the sandbox with the demo data (demo-dataset.md)."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server

pytestmark = pytest.mark.anyio


async def overview(settings: Settings, **arguments: Any) -> Any:
    async with Client(create_server(settings)) as c:
        return await c.call_tool("cluster_overview", arguments)


async def test_overview_of_providers_plans_version_and_nodes(demo_sandbox: Sandbox) -> None:
    result = await overview(Settings(kubeconfig=demo_sandbox.kubeconfig_path))
    view = result.structured_content
    assert not result.is_error, result.content[0].text
    assert view["forklift"]["version"] == "2.12.5"
    assert view["forklift"]["convertor_fields"] is True
    providers = {p["name"]: (p["type"], p["phase"], p["vm_count"]) for p in view["providers"]}
    assert providers == {
        "vsphere-prod": ("vsphere", "Ready", 13),
        "ovirt-legacy": ("ovirt", "Ready", 4),
        "host": ("openshift", "Ready", 0),
        "ova-archive": ("ova", "Ready", 2),
        "openstack-lab": ("openstack", "Ready", 2),
    }
    plans = {p["name"]: p for p in view["plans"]}
    assert (plans["wave1"]["phase"], plans["wave1"]["migration_type"], plans["wave1"]["vm_count"]) == (
        "Running",
        "cold",
        3,
    )
    assert plans["wave1"]["convertor_placement"] == ["convertorLabels", "convertorNodeSelector", "convertorAffinity"]
    assert (plans["wave2-db"]["phase"], plans["wave2-db"]["convertor_placement"]) == ("Not ready", [])
    assert plans["wave2-db"]["blockers"] == [
        "Virtual Machines pg-prod-02 are running with attached shared disk, please power them off"
    ]
    nodes = {n["name"]: n for n in view["nodes"]}
    assert len(nodes) == 9
    worker = nodes["worker-0"]
    assert (worker["roles"], worker["zone"], worker["kvm"], worker["schedulable"]) == (
        ["worker"],
        "us-east-1a",
        "1k",
        True,
    )
    assert worker["labels"] == {
        "cluster.ocs.openshift.io/openshift-storage": "",
        "kubevirt.io/schedulable": "true",
        "node.kubernetes.io/instance-type": "m6i.8xlarge",
        "storage": "sas",
    }
    assert worker["notable_pods"] == [
        "openshift-storage/rook-ceph-osd-0-6d9f8b7c4-x2k9p (Ceph OSD) "
        "[app=rook-ceph-osd, app.kubernetes.io/part-of=rook-ceph, ceph-osd-id=0, topology-location-zone=us-east-1a]"
    ]
    assert sorted(nodes["worker-3"]["notable_pods"]) == [
        "analytics/elasticsearch-data-0 (search) [app=elasticsearch, tier=search]",
        # Forklift's per-VM labels (vmID, conversion) and uids select one pod and are left out
        "app-migrated/wave1-vm-2041-p7x2c (virt-v2v convertor) [conversion-type=Remote, forklift.app=virt-v2v, "
        "plan-name=wave1, plan-namespace=openshift-mtv, resource=vm-config, team=migration, wave=1]",
        "prod-cache/redis-cache-0 (cache) [app=redis, env=production, tier=cache]",
    ]
    assert (
        "prod-db/postgres-1 (database) [app=postgres, env=production, tier=database]"
        in nodes["worker-1"]["notable_pods"]
    )
    assert nodes["worker-3"]["memory"] == "60Gi"
    mig = nodes["mig-0"]
    assert (mig["roles"], mig["zone"], mig["taints"]) == (
        ["migration", "worker"],
        "us-east-1c",
        ["dedicated=migration:NoSchedule"],
    )
    assert nodes["master-0"]["taints"] == ["node-role.kubernetes.io/master:NoSchedule"]
    assert view["warnings"] == []
    assert "Forklift 2.12.5; convertor fields: yes" in result.content[0].text
    assert "- vsphere-prod (vsphere) Ready, 13 VMs" in result.content[0].text


async def test_verbose_shows_every_label_and_pod(demo_sandbox: Sandbox) -> None:
    result = await overview(Settings(kubeconfig=demo_sandbox.kubeconfig_path), verbose=True)
    worker = next(n for n in result.structured_content["nodes"] if n["name"] == "worker-0")
    assert worker["labels"]["topology.kubernetes.io/zone"] == "us-east-1a"
    assert worker["labels"]["node-role.kubernetes.io/worker"] == ""
    pods = [pod.split(" ")[0] for pod in worker["notable_pods"]]
    assert "openshift-storage/csi-rbdplugin-4xk7d" in pods
    assert "openshift-mtv/forklift-controller-5f8d9c7b6-k2m4x" in pods


async def test_unreachable_inventory_only_costs_the_vm_counts(demo_sandbox: Sandbox) -> None:
    result = await overview(
        Settings(kubeconfig=demo_sandbox.kubeconfig_path, inventory_url="http://127.0.0.1:9", request_timeout=2)
    )
    view = result.structured_content
    assert not result.is_error
    assert {p["vm_count"] for p in view["providers"]} == {None}
    assert view["warnings"][0].startswith("VM counts unavailable: cannot reach the Forklift inventory")


async def test_inventory_error_only_costs_the_vm_counts(demo_sandbox: Sandbox) -> None:
    with demo_sandbox.faults.injected("GET /providers*=500"):
        result = await overview(Settings(kubeconfig=demo_sandbox.kubeconfig_path))
    view = result.structured_content
    assert not result.is_error
    assert {p["vm_count"] for p in view["providers"]} == {None}
    assert "(HTTP 500)" in view["warnings"][0]


async def test_no_access_token_gets_a_clear_403(demo_sandbox: Sandbox) -> None:
    result = await overview(Settings(kube_server=demo_sandbox.url, kube_token=demo_sandbox.no_access_token))
    assert result.is_error
    assert "the token may not list providers in openshift-mtv (403)" in result.content[0].text


async def test_slow_api_is_a_clear_error_and_the_next_call_works(demo_sandbox: Sandbox) -> None:
    settings = Settings(kubeconfig=demo_sandbox.kubeconfig_path, request_timeout=1)
    with demo_sandbox.faults.injected("GET /api/v1/nodes=hang"):
        slow = await overview(settings)
    assert slow.is_error
    assert "did not answer within 1 s while trying to list nodes" in slow.content[0].text
    assert not (await overview(settings)).is_error


async def test_namespace_scoped_tenant_sees_its_namespace_and_is_told_nodes_are_hidden(demo_sandbox: Sandbox) -> None:
    result = await overview(Settings(kubeconfig=demo_sandbox.kubeconfig_path, kube_context="tenant"))
    assert not result.is_error, result.content[0].text
    view = result.structured_content
    assert {p["name"]: p["vm_count"] for p in view["providers"]}["vsphere-prod"] == 13
    assert view["nodes"] == []
    assert any(w.startswith("nodes are not visible to this user") for w in view["warnings"])
