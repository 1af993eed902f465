"""Enrichment of inventory VM JSON (shapes of forklift-model §4.3/§4.4): pure functions, no I/O."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.inventory.enrich import ENRICHED_FIELDS, enrich_vms, gib
from mtv_mcp.core.tsl import run_query

GI = 1024**3
HOSTS = [
    {"id": "host-21", "name": "esxi-01.corp.example.com", "cluster": "domain-c8"},
    {"id": "host-24", "name": "esxi-04.corp.example.com", "cluster": "domain-c9"},
]
CLUSTERS = [{"id": "domain-c8", "name": "Cluster-Prod"}, {"id": "domain-c9", "name": "Legacy-Cluster"}]


def vsphere_vm(name: str, host: str, memory_mb: int, disks_gi: list[int], concerns: list[str]) -> dict[str, Any]:
    return {
        "id": f"vm-{name}",
        "name": name,
        "host": host,
        "powerState": "poweredOn",
        "memoryMB": memory_mb,
        "cpuCount": 4,
        "guestId": "rhel9_64Guest",
        "guestName": "Red Hat Enterprise Linux 9 (64-bit)",
        "hostName": f"{name}.corp.example.com",
        "disks": [
            {"key": 2000 + i, "capacity": size * GI, "datastore": {"kind": "Datastore", "id": "datastore-31"}}
            for i, size in enumerate(disks_gi)
        ],
        "concerns": [{"id": f"c{i}", "label": c, "category": c, "assessment": ""} for i, c in enumerate(concerns)],
    }


def demo_vms() -> list[dict[str, Any]]:
    vms = [
        vsphere_vm("pg-prod-01", "host-21", 32768, [100, 500], ["Warning"]),
        vsphere_vm("win-sql-01", "host-21", 65536, [200, 1024, 250], ["Warning", "Warning"]),
        vsphere_vm("gpu-render-01", "host-24", 131072, [200], ["Critical"]),
        vsphere_vm("dev-sandbox-07", "host-99", 2048, [20], []),
    ]
    return enrich_vms(vms, provider_name="vsphere-prod", provider_type="vsphere", hosts=HOSTS, clusters=CLUSTERS)


def test_vsphere_fields_are_numbers_and_joins() -> None:
    pg = demo_vms()[0]
    assert pg["memoryGB"] == 32.0
    assert [d["capacityGB"] for d in pg["disks"]] == [100.0, 500.0]
    assert pg["diskCapacityGB"] == 600.0
    assert pg["hostCluster"] == {"id": "domain-c8", "name": "Cluster-Prod"}
    assert pg["hypervisorHost"] == "esxi-01.corp.example.com"
    # vSphere's own hostName is the guest's host name (forklift web/vsphere/vm.go), not overwritten
    assert pg["hostName"] == "pg-prod-01.corp.example.com"
    assert "cluster" not in pg
    assert pg["guestOS"] == "Red Hat Enterprise Linux 9 (64-bit)"
    assert (pg["criticalConcerns"], pg["warningConcerns"], pg["infoConcerns"]) == (0, 1, 0)
    assert pg["provider"] == "vsphere-prod"


def test_unknown_host_leaves_joined_fields_null() -> None:
    orphan = demo_vms()[3]
    assert orphan["hostCluster"] is None
    assert orphan["hypervisorHost"] is None


def test_guide_queries_work_as_written() -> None:
    vms = demo_vms()

    def names(query: str) -> list[str]:
        return [vm["name"] for vm in run_query(query, vms).items]

    assert names("where memoryGB > 40") == ["win-sql-01", "gpu-render-01"]
    assert names("where sum(disks.capacityGB) > 500") == ["pg-prod-01", "win-sql-01"]
    assert names("where hostCluster.name = 'Legacy-Cluster'") == ["gpu-render-01"]
    assert names("where hostName = 'pg-prod-01.corp.example.com'") == ["pg-prod-01"]
    assert names("where diskCapacityGB >= 1000") == ["win-sql-01"]
    assert names("where criticalConcerns > 0") == ["gpu-render-01"]
    assert names("where guestOS ~= 'Red Hat'") == [vm["name"] for vm in vms]


def test_ovirt_joins_clusters_hosts_and_disks() -> None:
    vm = {
        "id": "u1",
        "name": "erp-db-01",
        "cluster": "c-1",
        "host": "h-1",
        "memory": 64 * GI,
        "cpuSockets": 4,
        "cpuCores": 2,
        "osType": "rhel_8x64",
        "diskAttachments": [{"id": "a1", "disk": "d1", "interface": "virtio_scsi"}, {"id": "a2", "disk": "d2"}],
        "concerns": [{"id": "ovirt.ha.enabled", "category": "Warning"}],
    }
    [out] = enrich_vms(
        [vm],
        provider_name="ovirt-legacy",
        provider_type="ovirt",
        hosts=[{"id": "h-1", "name": "rhvh-01"}],
        clusters=[{"id": "c-1", "name": "Default"}],
        disks=[{"id": "d1", "provisionedSize": 100 * GI}, {"id": "d2", "provisionedSize": 400 * GI}],
    )
    # oVirt's cluster stays the id a kubectl-mtv query compares (forklift model/ovirt/model.go)
    assert out["cluster"] == "c-1"
    assert out["hostCluster"] == {"id": "c-1", "name": "Default"}
    assert out["hypervisorHost"] == "rhvh-01"
    assert "hostName" not in out
    assert out["memoryGB"] == 64.0
    assert out["diskCapacityGB"] == 500.0
    assert out["cpuCount"] == 8
    assert out["guestOS"] == "rhel_8x64"
    assert out["warningConcerns"] == 1


def test_a_record_without_the_type_s_fields_gets_nulls() -> None:
    vm = {"id": "x", "name": "vm", "concerns": [{"category": "Information"}]}
    [out] = enrich_vms([copy.deepcopy(vm)], provider_name="host", provider_type="openshift")
    counts = {"criticalConcerns": 0, "warningConcerns": 0, "infoConcerns": 1}
    assert out == {**vm, "provider": "host", **counts, "memoryGB": None}


def test_openshift_ec2_and_hyperv_records() -> None:
    """KubeVirt VMs in an ``object`` envelope, EC2 instances in an ``object`` envelope, Hyper-V's own
    guestOS kept (forklift pkg/controller/provider/web/hyperv/vm.go)."""
    domain = {"memory": {"guest": "8Gi"}, "cpu": {"cores": 2, "sockets": 2}}
    kubevirt = {"id": "k", "object": {"spec": {"template": {"spec": {"domain": domain}}}}}
    [ocp] = enrich_vms([kubevirt], provider_name="host", provider_type="openshift")
    assert (ocp["memoryGB"], ocp["cpuCount"]) == (8.0, 4)
    [ec2] = enrich_vms(
        [{"id": "i-1", "object": {"PlatformDetails": "Linux/UNIX"}}], provider_name="e", provider_type="ec2"
    )
    assert ec2["guestOS"] == "Linux/UNIX"
    hyperv = {"id": "h", "memoryMB": 4096, "guestOS": "Windows Server 2019", "host": "hv-1"}
    [hv] = enrich_vms([hyperv], provider_name="h", provider_type="hyperv", hosts=[{"id": "hv-1", "name": "hv01"}])
    assert (hv["memoryGB"], hv["guestOS"], hv["hypervisorHost"]) == (4.0, "Windows Server 2019", "hv01")


def test_every_added_field_is_documented() -> None:
    vm = demo_vms()[0]
    added = set(vm) - set(vsphere_vm("pg-prod-01", "host-21", 1, [1], []))
    assert added <= {key.split("[", 1)[0] for key in ENRICHED_FIELDS}


@given(st.lists(st.integers(min_value=0, max_value=2**50), max_size=8))
def test_disk_sum_equals_sum_of_disks(sizes: list[int]) -> None:
    vm = {"id": "v", "disks": [{"capacity": size} for size in sizes]}
    [out] = enrich_vms([vm], provider_name="p", provider_type="vsphere")
    assert abs(out["diskCapacityGB"] - sum(size / GI for size in sizes)) < 0.01 * (len(sizes) + 1)
    assert all(isinstance(disk["capacityGB"], float) for disk in out["disks"])


@given(st.one_of(st.none(), st.text(), st.booleans(), st.lists(st.integers())))
def test_gib_of_non_numbers_is_none(value: object) -> None:
    assert gib(value) is None
