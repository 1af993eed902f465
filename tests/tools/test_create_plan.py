"""create_plan through a real MCP client against the demo sandbox (CRD validation on, its Forklift
inventory): the convertor-optimization guide's use cases on the demo VMs as dry runs and applied,
read back with kubectl; the default target, rollback, idempotency, conflicts, RBAC, read-only mode
and argument errors.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mtv_mcp.core.plan import compare_plans
from mtv_mcp.sandbox.crdschema import CrdCatalog
from mtv_mcp.sandbox.runner import DATA_ROOT, Sandbox
from tests.tools.plan_fixtures import (
    connect,
    kubectl_get,
    kubectl_names,
    sandbox,
    stored_names,
    text_of,
    tls_sandbox,
)

pytestmark = pytest.mark.anyio
__all__ = ["sandbox", "tls_sandbox"]
VIRT_CLASS = {"storageClass": "ocs-storagecluster-ceph-rbd-virtualization"}

SPREAD = "REPEL pods(forklift.app in [virt-v2v]) in all namespaces on node"
# name, arguments, spec fields expected in the Plan (guide: convertor-optimization-guide.md)
USE_CASES: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    (
        "labeled-conversion",
        {"convertor_labels": "migration-batch=phase1,team=infra", "vms": "web-frontend-01,pg-prod-01"},
        {"convertorLabels": {"migration-batch": "phase1", "team": "infra"}},
    ),
    (
        "memory-intensive",
        {"convertor_node_selector": {"memory": "high", "ram": "dedicated"}, "vms": "where memoryMB > 32768"},
        {"convertorNodeSelector": {"memory": "high", "ram": "dedicated"}},
    ),
    (
        "ceph-proximity",
        {"convertor_affinity": "PREFER pods(app=ceph-osd) on node weight=90", "vms": ["vm-2041", "win-sql-01"]},
        {
            "convertorAffinity": {
                "podAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 90,
                            "podAffinityTerm": {
                                "labelSelector": {"matchLabels": {"app": "ceph-osd"}},
                                "topologyKey": "kubernetes.io/hostname",
                            },
                        }
                    ]
                }
            }
        },
    ),
    (
        "nvme-optimized",
        {
            "convertor_node_selector": "storage=nvme,performance=extreme",
            "convertor_affinity": "REQUIRE pods(storage-controller=nvme) on node",
            "convertor_labels": "performance=extreme,storage=nvme",
            "migration_type": "warm",
            "vms": "where sum disks.capacityGB > 1000",
        },
        {"type": "warm", "warm": True, "convertorNodeSelector": {"performance": "extreme", "storage": "nvme"}},
    ),
    (
        "comprehensive-optimization",
        {
            "target_node_selector": "production=true,performance=high",
            "target_affinity": "AVOID pods(app=web) on node",
            "target_labels": "environment=production,tier=database",
            "convertor_node_selector": "conversion=optimized,storage=fast",
            "convertor_affinity": ["REQUIRE pods(storage=high-performance) on node", SPREAD],
            # the guide writes conversion=optimized, but Forklift 2.12 owns the 'conversion' label
            "convertor_labels": "conversion-profile=optimized,storage=fast",
            "target_power_state": "on",
            "vms": "pg-prod-01",
        },
        {
            "targetLabels": {"environment": "production", "tier": "database"},
            "targetNodeSelector": {"performance": "high", "production": "true"},
            "targetPowerState": "on",
        },
    ),
    (
        "cold-cost-optimized",
        {
            "migration_type": "cold",
            "convertor_node_selector": "cost=optimized,instance-type=spot",
            "convertor_labels": "cost=optimized,priority=low",
            "conversion_temp_storage_class": "ocs-storagecluster-ceph-rbd-virtualization",
            "conversion_temp_storage_size": "100Gi",
            "vms": "where guestOS ~= '(?i).*windows.*'",
        },
        {"type": "cold", "conversionTempStorageSize": "100Gi"},
    ),
]


def args(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "source": "vsphere-prod", **extra}


def plan_of(result: Any) -> dict[str, Any]:
    plan: dict[str, Any] = result.structured_content["objects"][-1]
    return plan


@pytest.mark.parametrize(("name", "extra", "expected"), USE_CASES, ids=[case[0] for case in USE_CASES])
async def test_guide_use_case_dry_run_then_applied(
    tls_sandbox: Sandbox, crd_dir: Path, name: str, extra: dict[str, Any], expected: dict[str, Any]
) -> None:
    catalog = CrdCatalog.load(crd_dir)
    async with connect(tls_sandbox) as client:
        dry = await client.call_tool("create_plan", args(name, **extra))
        assert not dry.is_error, text_of(dry)
        data = dry.structured_content
        assert data["status"] == "dry-run"
        assert name not in kubectl_names(tls_sandbox, "plans")
        spec = plan_of(dry)["spec"]
        assert {key: spec.get(key) for key in expected} == expected
        for obj in data["objects"]:
            assert catalog.validate(obj) == [], obj["kind"]
        assert [o["kind"] for o in yaml.safe_load_all(data["objects_text"])] == [o["kind"] for o in data["objects"]]
        assert data["kubectl_command"].startswith(f"kubectl mtv create plan {name} -n openshift-mtv")
        assert data["placement"]
        if isinstance(extra["vms"], str) and extra["vms"].startswith("where"):
            assert data["query"] == extra["vms"]
        storage = data["objects"][1]["spec"]["map"]
        assert storage
        assert all(entry["destination"] == VIRT_CLASS for entry in storage)

        applied = await client.call_tool("create_plan", args(name, **extra, dry_run=False))
        assert not applied.is_error, text_of(applied)
        assert applied.structured_content["created"] == [
            f"{o['kind']}/{o['metadata']['name']}" for o in data["objects"]
        ]
    stored = kubectl_get(tls_sandbox, "plan", name)
    assert compare_plans(plan_of(dry), stored).identical
    assert {key: stored["spec"].get(key) for key in expected} == expected
    network_map = kubectl_get(tls_sandbox, "networkmap", f"{name}-network-map")
    assert network_map["metadata"]["ownerReferences"][0]["uid"] == stored["metadata"]["uid"]
    assert network_map["spec"] == data["objects"][0]["spec"]


async def test_guide_use_case_fields_and_text(sandbox: Sandbox) -> None:
    async with connect(sandbox) as client:
        result = await client.call_tool("create_plan", args(*USE_CASES[3][:1], **USE_CASES[3][1]))
    data = result.structured_content
    assert sorted(vm["name"] for vm in data["vms"]) == ["file-srv-01", "win-sql-01"]
    assert "--convertor-affinity 'REQUIRE pods(storage-controller=nvme) on node'" in data["kubectl_command"]
    assert "--migration-type warm" in data["kubectl_command"]
    assert any("replaces Forklift's default" in w for w in data["warnings"])
    assert any("storage=nvme" in line for line in data["placement"])
    text = text_of(result)
    assert text.startswith("dry run: would create NetworkMap/nvme-optimized-network-map")
    assert "kubectl-mtv equivalent:" in text


async def test_demo_auto_maps_use_the_demo_networks_and_storage(sandbox: Sandbox) -> None:
    """wave1's VMs into app-migrated (demo-dataset.md §8): first network to its NAD, the rest ignored."""
    async with connect(sandbox) as client:
        result = await client.call_tool(
            "create_plan",
            args("wave1-again", vms="pg-prod-01,web-frontend-01,win-sql-01", target_namespace="app-migrated"),
        )
    network_map, storage_map, plan = result.structured_content["objects"]
    assert [entry["source"]["id"] for entry in network_map["spec"]["map"]] == ["dvportgroup-45", "dvportgroup-46"]
    assert network_map["spec"]["map"][0]["destination"] == {
        "type": "multus",
        "namespace": "app-migrated",
        "name": "br-prod-110",
    }
    assert network_map["spec"]["map"][1]["destination"] == {"type": "ignored"}
    datastores = sorted(entry["source"]["name"] for entry in storage_map["spec"]["map"])
    assert datastores == ["ds-nvme-01", "ds-sas-01", "vsan-prod"]
    assert all(entry["destination"] == VIRT_CLASS for entry in storage_map["spec"]["map"])
    assert plan["spec"]["targetNamespace"] == "app-migrated"


async def test_default_target_is_not_claimed_in_the_command(sandbox: Sandbox) -> None:
    async with connect(sandbox) as client:
        defaulted = await client.call_tool("create_plan", args("default-target", vms="pg-prod-01"))
        named = await client.call_tool("create_plan", args("named-target", vms="pg-prod-01", target="host"))
    for result in (defaulted, named):
        assert plan_of(result)["spec"]["provider"]["destination"]["name"] == "host"
    assert "--target " not in defaulted.structured_content["kubectl_command"]
    assert (
        "No target provider specified, using default OpenShift provider: host"
        in (defaulted.structured_content["notes"])
    )
    assert "\\\n    --target host \\\n" in named.structured_content["kubectl_command"]
    assert not any("No target provider" in note for note in named.structured_content["notes"])


async def test_json_output_and_critical_concern_warning(sandbox: Sandbox) -> None:
    async with connect(sandbox) as client:
        result = await client.call_tool("create_plan", args("gpu", vms="gpu-render-01", output="json"))
    data = result.structured_content
    assert json.loads(data["objects_text"]) == data["objects"]
    assert any("gpu-render-01" in w and "critical" in w for w in data["warnings"])


async def test_identical_rerun_exists_and_different_is_conflict(tls_sandbox: Sandbox) -> None:
    call = args("idem", vms="pg-prod-01", convertor_labels="team=db", dry_run=False)
    async with connect(tls_sandbox) as client:
        first = await client.call_tool("create_plan", call)
        again = await client.call_tool("create_plan", call)
        other = await client.call_tool("create_plan", {**call, "convertor_labels": "team=web"})
    assert first.structured_content["status"] == "created"
    assert again.structured_content["status"] == "exists"
    assert again.structured_content["created"] == []
    assert other.is_error
    assert other.structured_content["status"] == "conflict"
    assert "-  team: db" in other.structured_content["diff"].replace("    ", "  ")
    assert "+  team: web" in other.structured_content["diff"].replace("    ", "  ")
    assert kubectl_get(tls_sandbox, "plan", "idem")["spec"]["convertorLabels"] == {"team": "db"}


async def test_plan_create_failure_leaves_no_maps(sandbox: Sandbox) -> None:
    maps_before = stored_names(sandbox, "networkmaps"), stored_names(sandbox, "storagemaps")
    rule = sandbox.faults.add("POST /apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/plans=500x1")
    async with connect(sandbox) as client:
        result = await client.call_tool("create_plan", args("broken", vms="pg-prod-01", dry_run=False))
    assert rule.hits == 1
    assert result.is_error
    text = text_of(result)
    assert "creating Plan/broken failed" in text
    assert "injected fault" in text
    assert "removed what this call had created (NetworkMap/broken-network-map, StorageMap/broken-storage-map)" in text
    assert (stored_names(sandbox, "networkmaps"), stored_names(sandbox, "storagemaps")) == maps_before
    assert "broken" not in stored_names(sandbox, "plans")


async def test_viewer_token_gets_403_and_nothing_is_created(sandbox: Sandbox) -> None:
    async with connect(sandbox, token=sandbox.viewer_token) as client:
        dry = await client.call_tool("create_plan", args("viewer", vms="pg-prod-01"))
        result = await client.call_tool("create_plan", args("viewer", vms="pg-prod-01", dry_run=False))
    assert not dry.is_error
    assert result.is_error
    assert "(403)" in text_of(result)
    assert "nothing was created" in text_of(result)
    assert "viewer-network-map" not in stored_names(sandbox, "networkmaps")


async def test_namespace_scoped_tenant_plans_with_the_cluster_default_storage_class(sandbox: Sandbox) -> None:
    """A user with rights in openshift-mtv only: the provider comes from the Kubernetes API, the
    inventory is asked with a namespaced ``get`` (forklift pkg/controller/provider/web/base/auth.go);
    StorageClasses are cluster-scoped, so the storage map names none, as kubectl-mtv writes it
    (kubectl-mtv pkg/cmd/create/plan/storage/mapper/vsphere/mapper.go)."""
    async with connect(sandbox, token=sandbox.tenant_token) as client:
        dry = await client.call_tool("create_plan", args("tenant", vms="pg-prod-01"))
        applied = await client.call_tool("create_plan", args("tenant", vms="pg-prod-01", dry_run=False))
    assert not dry.is_error, text_of(dry)
    storage_map = dry.structured_content["objects"][1]
    assert storage_map["kind"] == "StorageMap"
    assert {pair["destination"]["storageClass"] for pair in storage_map["spec"]["map"]} == {""}
    assert any("cluster's default StorageClass" in w for w in dry.structured_content["warnings"])
    assert applied.structured_content["status"] == "created", text_of(applied)
    assert "tenant" in stored_names(sandbox, "plans")


async def test_no_openshift_provider_in_the_namespace_is_refused(sandbox: Sandbox) -> None:
    """Forklift creates 'host' only in its own namespace; kubectl-mtv refuses without an OpenShift
    provider (pkg/cmd/create/provider/defaultprovider/openshift.go), and so do we."""
    source = copy.deepcopy(sandbox.store.get("providers", "openshift-mtv", "vsphere-prod"))
    source["metadata"] = {"name": "vsphere-prod", "namespace": "team-a"}
    sandbox.store.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    sandbox.store.create(source)
    async with connect(sandbox) as client:
        result = await client.call_tool("create_plan", args("elsewhere", namespace="team-a", vms="pg-prod-01"))
    assert result.is_error
    assert "no OpenShift provider in namespace team-a to migrate to" in text_of(result)
    assert "target='<namespace>/<provider>'" in text_of(result)


async def test_read_only_server_only_dry_runs(sandbox: Sandbox) -> None:
    async with connect(sandbox, read_only=True) as client:
        dry = await client.call_tool("create_plan", args("ro", vms="pg-prod-01"))
        result = await client.call_tool("create_plan", args("ro", vms="pg-prod-01", dry_run=False))
    assert not dry.is_error
    assert result.is_error
    assert "create_plan: dry_run: this server is read-only" in text_of(result)
    assert "ro" not in stored_names(sandbox, "plans")


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"name": "Wave_1"}, "name", "not a valid name"),
        ({"source": "nope"}, "source", "does not exist"),
        ({"target": "nope"}, "target", "does not exist"),
        ({"target": "vsphere-prod"}, "target", "is of type vsphere, not openshift"),
        ({"convertor_labels": "team"}, "convertor_labels", "not a key=value pair"),
        ({"convertor_labels": "bad key=x"}, "convertor_labels", "key 'bad key'"),
        ({"convertor_labels": "forklift.app=x"}, "convertor_labels", "Forklift sets on convertor pods"),
        ({"target_node_selector": {"zone": "a b"}}, "target_node_selector", "value 'a b'"),
        ({"convertor_affinity": "ATTRACT pods(x=y) on node"}, "convertor_affinity", "column 1"),
        ({"target_affinity": ["PREFER pods(a=b) on node", "AVOID pods() on node"]}, "target_affinity[1]", ""),
        ({"vms": "no-such-vm,pg-prod-01"}, "vms", "no VM with the name or id 'no-such-vm'"),
        ({"vms": "pg-prod-01,vm-2041"}, "vms", "given twice"),
        ({"vms": "where memoryMB > 99999999"}, "vms", "matched none"),
        ({"vms": "where memoryMB >"}, "vms", "column"),
        ({"conversion_temp_storage_size": "100Gi"}, "conversion_temp_storage_class", "both"),
    ],
)
async def test_bad_arguments_name_the_argument(sandbox: Sandbox, extra: dict[str, Any], field: str, words: str) -> None:
    async with connect(sandbox) as client:
        result = await client.call_tool("create_plan", {**args("bad", vms="pg-prod-01"), **extra, "dry_run": False})
    assert result.is_error
    text = text_of(result)
    assert re.search(rf"(create_plan: |\n){re.escape(field)}: ", text), text
    assert words in text
    assert "bad-network-map" not in stored_names(sandbox, "networkmaps")
    assert "bad" not in stored_names(sandbox, "plans")


CRD = "providers.forklift.konveyor.io"
OLM_KEY = "operatorframework.io/installed-alongside-3b2f9c1d"


async def test_plan_defaults_follow_the_forklift_version(sandbox: Sandbox) -> None:
    """deleteVmOnFailMigration has a CRD default only from Forklift 2.11.3 (forklift
    pkg/apis/forklift/v1beta1/plan.go), so on 2.10 it is written true as kubectl-mtv writes it;
    pvcNameTemplateUseGenerateName is never forced (Forklift picks it per source type:
    pkg/controller/plan/adapter/base/template.go)."""
    async with connect(sandbox) as client:
        current = plan_of(await client.call_tool("create_plan", args("v212", vms="pg-prod-01")))["spec"]
        annotations = {OLM_KEY: "openshift-mtv/mtv-operator.v2.10.4"}
        before = sandbox.store.get("crd", None, CRD)["metadata"]["annotations"]
        sandbox.store.patch("crd", None, CRD, {"metadata": {"annotations": annotations}})
        try:
            old = plan_of(await client.call_tool("create_plan", args("v210", vms="pg-prod-01")))["spec"]
        finally:
            sandbox.store.patch("crd", None, CRD, {"metadata": {"annotations": before}})
    assert "deleteVmOnFailMigration" not in current
    assert old["deleteVmOnFailMigration"] is True
    assert "pvcNameTemplateUseGenerateName" not in current
    assert "pvcNameTemplateUseGenerateName" not in old


@pytest.fixture(scope="module")
def twin_names(crd_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The demo cluster whose vSphere inventory has a second 'pg-prod-01' in another folder, as
    vSphere allows (VM names are unique per folder only)."""
    folder = tmp_path_factory.mktemp("twin-names")
    (folder / "kube").symlink_to(DATA_ROOT / "demo" / "kube", target_is_directory=True)
    shutil.copytree(DATA_ROOT / "demo" / "inventory", folder / "inventory")
    [vms_file] = (folder / "inventory" / "vsphere").glob("*/vms.json")
    vms = json.loads(vms_file.read_text())
    twin = copy.deepcopy(next(vm for vm in vms if vm["name"] == "pg-prod-01"))
    twin.update(id="vm-2941", path="/DC-East/vm/Staging/pg-prod-01", uuid="4213c1f2-0000-0000-0000-000000002941")
    vms_file.write_text(json.dumps([*vms, twin]))
    with Sandbox.start(data=folder, crds=crd_dir) as running:
        yield running


async def test_command_selects_vms_by_id_when_names_repeat(twin_names: Sandbox) -> None:
    """kubectl-mtv reads a plain --vms list as names (cmd/create/plan.go): with two 'pg-prod-01' the
    echoed command must name the VM by id."""
    async with connect(twin_names) as client:
        result = await client.call_tool("create_plan", args("twins", vms="vm-2041"))
    assert not result.is_error, text_of(result)
    assert [(vm["id"], vm["name"]) for vm in plan_of(result)["spec"]["vms"]] == [("vm-2041", "pg-prod-01")]
    command = result.structured_content["kubectl_command"]
    assert "--vms \"where id in ['vm-2041']\"" in command or "--vms 'where id in ['\"'\"'vm-2041'\"'\"']'" in command
    assert any("VM names repeat in the provider ('pg-prod-01')" in note for note in result.structured_content["notes"])


async def test_automatic_maps_for_ova_and_openstack_sources(sandbox: Sandbox) -> None:
    """The sources kubectl-mtv's fetchers read (pkg/cmd/create/plan/network|storage/fetchers/ova,
    openstack): OVA networks[].ID and disks[].ID; OpenStack the networks named in addresses and the
    volume types of the attached volumes."""
    async with connect(sandbox) as client:
        ova = await client.call_tool(
            "create_plan", {"name": "from-ova", "source": "ova-archive", "vms": "legacy-crm-01"}
        )
        osp = await client.call_tool(
            "create_plan", {"name": "from-osp", "source": "openstack-lab", "vms": "lab-api-01,lab-ad-02"}
        )
    assert not ova.is_error, text_of(ova)
    assert not osp.is_error, text_of(osp)

    def sources(result: Any, kind: str) -> list[tuple[str, str]]:
        found = next(obj for obj in result.structured_content["objects"] if obj["kind"] == kind)
        return [(pair["source"]["id"], pair["source"].get("name")) for pair in found["spec"]["map"]]

    assert sources(ova, "NetworkMap") == [("a6b2e6c1-net-0001", "VM Network"), ("a6b2e6c1-net-0002", "Backup Network")]
    assert sources(ova, "StorageMap") == [
        ("a6b2e6c1-disk-0101", "legacy-crm-01-disk1.vmdk"),
        ("a6b2e6c1-disk-0102", "legacy-crm-01-disk2.vmdk"),
    ]
    assert sources(osp, "NetworkMap") == [("net-lab-internal", "lab-internal"), ("net-lab-dmz", "lab-dmz")]
    assert sources(osp, "StorageMap") == [("vt-ceph-ssd", "ceph-ssd"), ("vt-ceph-hdd", "ceph-hdd")]


async def test_automatic_maps_for_an_ovirt_source(sandbox: Sandbox) -> None:
    """oVirt as kubectl-mtv's fetchers read it (pkg/cmd/create/plan/network|storage/fetchers/ovirt):
    each NIC's vNIC profile leads to its network, each disk to its storage domain."""
    async with connect(sandbox) as client:
        result = await client.call_tool(
            "create_plan", {"name": "from-rhv", "source": "ovirt-legacy", "vms": "erp-db-01"}
        )
    assert not result.is_error, text_of(result)
    maps = {obj["kind"]: obj["spec"]["map"] for obj in result.structured_content["objects"] if "Map" in obj["kind"]}
    assert [pair["source"] for pair in maps["NetworkMap"]] == [
        {"id": "2aba05d5-1372-0e50-f5cb-cc020889a29b", "name": "ovirtmgmt"}
    ]
    assert [pair["source"] for pair in maps["StorageMap"]] == [
        {"id": "55641e50-892f-478a-3b66-e3b39d6e4f7e", "name": "data-fc-01"}
    ]
