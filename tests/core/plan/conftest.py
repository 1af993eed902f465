"""Demo inventory and cluster facts (demo-dataset.md §2, §3, §5) and the CRD catalog."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from mtv_mcp.sandbox.crdschema import CrdCatalog

NS = "openshift-mtv"
GIB = 1024**3


def provider(name: str, kind: str, uid: str = "uid-x") -> dict[str, Any]:
    return {
        "apiVersion": "forklift.konveyor.io/v1beta1",
        "kind": "Provider",
        "metadata": {"name": name, "namespace": NS, "uid": uid},
        "spec": {"type": kind, "url": "" if kind == "openshift" else f"https://{name}.example.com/sdk"},
    }


def vm(
    vm_id: str,
    name: str,
    networks: list[str],
    datastores: list[str],
    concerns: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    return {
        "id": vm_id,
        "name": name,
        "networks": [{"kind": "Network", "id": net} for net in networks],
        "disks": [
            {"key": 2000 + i, "datastore": {"kind": "Datastore", "id": ds}, "capacity": 100 * GIB, "capacityGB": 100.0}
            for i, ds in enumerate(datastores)
        ],
        "concerns": [{"id": f"c-{label}", "label": label, "category": category} for label, category in concerns],
        "provider": "vsphere-prod",
    }


DEMO_VMS = {
    "pg-prod-01": vm(
        "vm-2041",
        "pg-prod-01",
        ["dvportgroup-45", "dvportgroup-46"],
        ["datastore-31", "datastore-31"],
        [("Changed Block Tracking (CBT) not enabled", "Warning")],
    ),
    "web-frontend-01": vm(
        "vm-2050",
        "web-frontend-01",
        ["dvportgroup-45"],
        ["datastore-32"],
        [("VM running in a DRS-enabled cluster", "Information")],
    ),
    "win-sql-01": vm("vm-2061", "win-sql-01", ["dvportgroup-46"], ["datastore-31", "datastore-31", "datastore-34"]),
    "win-ad-01": vm("vm-2060", "win-ad-01", ["network-17"], ["datastore-34", "datastore-34"]),
    "gpu-render-01": vm(
        "vm-2080",
        "gpu-render-01",
        ["dvportgroup-45"],
        ["datastore-31"],
        [("Passthrough device detected", "Critical")],
    ),
}
NETWORKS = [
    {"id": "network-17", "name": "VM Network"},
    {"id": "dvportgroup-45", "name": "prod-vlan-110"},
    {"id": "dvportgroup-46", "name": "db-vlan-120"},
    {"id": "network-18", "name": "backup-net"},
]
DATASTORES = [
    {"id": "datastore-31", "name": "ds-nvme-01"},
    {"id": "datastore-32", "name": "ds-sas-01"},
    {"id": "datastore-33", "name": "nfs-backup"},
    {"id": "datastore-34", "name": "vsan-prod"},
]


def storage_class(name: str, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": meta}


STORAGE_CLASSES = [
    storage_class("ocs-storagecluster-ceph-rbd", {"storageclass.kubernetes.io/is-default-class": "true"}),
    storage_class(
        "ocs-storagecluster-ceph-rbd-virtualization", {"storageclass.kubevirt.io/is-default-virt-class": "true"}
    ),
    storage_class("ocs-storagecluster-cephfs"),
    storage_class("lvms-nvme"),
]


def nad(namespace: str, name: str) -> dict[str, Any]:
    """An inventory item of the host provider's networkattachmentdefinitions collection."""
    return {
        "uid": f"uid-{name}",
        "namespace": namespace,
        "name": name,
        "object": {
            "apiVersion": "k8s.cni.cncf.io/v1",
            "kind": "NetworkAttachmentDefinition",
            "metadata": {"name": name, "namespace": namespace},
        },
    }


NADS = [
    nad("openshift-mtv", "unused-nad"),
    nad("app-migrated", "br-prod-110"),
    nad("app-migrated", "db-vlan-120"),
    nad("default", "migration-net"),
]


@pytest.fixture(scope="session")
def catalog(crd_dir: Path) -> CrdCatalog:
    return CrdCatalog.load(crd_dir)


@pytest.fixture
def facts() -> dict[str, Any]:
    """Keyword arguments of build_plan_objects other than the request and the VMs."""
    return {
        "source_provider": provider("vsphere-prod", "vsphere", "0b5e7a1c-1111-4a6e-9c2d-5f0e00000001"),
        "target_provider": provider("host", "openshift", "0b5e7a1c-3333-4a6e-9c2d-5f0e00000003"),
        "networks": copy.deepcopy(NETWORKS),
        "datastores": copy.deepcopy(DATASTORES),
        "storage_classes": copy.deepcopy(STORAGE_CLASSES),
        "nads": copy.deepcopy(NADS),
        "forklift_version": "2.12.5",
    }


def demo_vms(*names: str) -> list[dict[str, Any]]:
    return [copy.deepcopy(DEMO_VMS[name]) for name in names]


@pytest.fixture(name="demo_vms")
def demo_vms_fixture() -> Any:
    """``demo_vms("pg-prod-01", ...)``: fresh copies of demo VM records."""
    return demo_vms


@pytest.fixture(name="make_provider")
def make_provider_fixture() -> Any:
    return provider


@pytest.fixture(name="make_vm")
def make_vm_fixture() -> Any:
    return vm
