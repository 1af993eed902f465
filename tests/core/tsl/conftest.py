"""Small hand-made enriched VM records shaped like forklift-model §4.3 (plus enrichment)."""

from __future__ import annotations

from typing import Any

import pytest

GIB = 2**30


def _vm(name: str, **fields: Any) -> dict[str, Any]:
    disks = fields.pop("disks", [])
    concerns = fields.pop("concerns", [])
    record: dict[str, Any] = {
        "id": f"vm-{abs(hash(name)) % 10000}",
        "name": name,
        "powerState": "poweredOn",
        "cpuCount": 2,
        "memoryMB": 4096,
        "guestId": "rhel9_64Guest",
        "guestName": "Red Hat Enterprise Linux 9 (64-bit)",
        "provider": "vsphere-prod",
        "disks": [
            {"key": 2000 + i, "capacity": gb * GIB, "capacityGB": gb, "shared": False, **extra}
            for i, (gb, extra) in enumerate(disks)
        ],
        "concerns": [{"id": cid, "label": cid, "category": category} for cid, category in concerns],
    }
    record["diskCapacityGB"] = sum(gb for gb, _ in disks)
    record["criticalConcerns"] = sum(category == "Critical" for _, category in concerns)
    record["warningConcerns"] = sum(category == "Warning" for _, category in concerns)
    record["infoConcerns"] = sum(category == "Information" for _, category in concerns)
    record.update(fields)
    record.setdefault("memoryGB", record["memoryMB"] / 1024)
    record.setdefault("guestOS", record["guestName"])
    return record


@pytest.fixture
def vms() -> list[dict[str, Any]]:
    """Eight VMs in three clusters, with varied OS, power, disks and concerns."""
    return [
        _vm(
            "pg-prod-01",
            cluster={"id": "domain-c8", "name": "Critical-Production"},
            hostName="esx01",
            memoryMB=65536,
            cpuCount=16,
            disks=[(100, {"iops": 12000}), (500, {"iops": 25000})],
            concerns=[("vmware.changed_block_tracking.disabled", "Warning")],
        ),
        _vm(
            "web-frontend-01",
            cluster={"id": "domain-c9", "name": "Standard-Production"},
            hostName="esx02",
            memoryMB=8192,
            disks=[(40, {"iops": 800})],
        ),
        _vm(
            "win-sql-01",
            cluster={"id": "domain-c8", "name": "Critical-Production"},
            hostName="esx01",
            memoryMB=16384,
            guestId="windows2019srv_64Guest",
            guestName="Microsoft Windows Server 2019 (64-bit)",
            disks=[(100, {}), (800, {"iops": 15000}), (600, {})],
            concerns=[("vmware.tpm.detected", "Warning"), ("vmware.snapshot.detected", "Information")],
        ),
        _vm(
            "file-srv-01",
            cluster={"id": "domain-c9", "name": "Standard-Production"},
            hostName="esx03",
            memoryMB=4096,
            disks=[(100, {}), (200, {}), (300, {}), (400, {}), (500, {})],
        ),
        _vm(
            "gpu-render-01",
            cluster={"id": "domain-c10", "name": "Legacy-Cluster"},
            hostName="esx04",
            powerState="poweredOff",
            memoryMB=32768,
            disks=[(200, {})],
            concerns=[("vmware.passthrough_device.detected", "Critical")],
        ),
        _vm(
            "test-db-02",
            cluster={"id": "domain-c10", "name": "Legacy-Cluster"},
            hostName="esx04",
            memoryMB=2048,
            guestId="windows9_64Guest",
            guestName="Microsoft Windows 10 (64-bit)",
            disks=[(60, {"iops": 500})],
        ),
        _vm(
            "old-app-03",
            cluster={"id": "domain-c10", "name": "Legacy-Cluster"},
            hostName="esx05",
            powerState="suspended",
            memoryMB=1024,
            disks=[(20, {})],
        ),
        _vm(
            "database-archive",
            cluster={"id": "domain-c9", "name": "Standard-Production"},
            hostName="esx03",
            memoryMB=49152,
            disks=[(1000, {}), (1200, {})],
        ),
    ]
