"""Seeded generator of vSphere-like VM records (forklift-model §4.3 plus enriched fields).

Importable: ``from mtv_mcp.bench.vm_records import generate_vms``. Some fields are missing on
purpose (about 3% of the records lack ``cluster``, ``guestName`` or ``memoryMB``).
"""

from __future__ import annotations

import random
from typing import Any

CLUSTERS = ("Prod", "Dev", "Legacy-Cluster", "Critical-Production", "Standard-Production")
GUESTS = (
    ("rhel9_64Guest", "Red Hat Enterprise Linux 9 (64-bit)"),
    ("rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)"),
    ("windows2019srv_64Guest", "Microsoft Windows Server 2019 (64-bit)"),
    ("windows9_64Guest", "Microsoft Windows 10 (64-bit)"),
    ("ubuntu64Guest", "Ubuntu Linux (64-bit)"),
)
POWER = ("poweredOn", "poweredOn", "poweredOn", "poweredOff", "suspended")
CONCERNS = (
    ("vmware.changed_block_tracking.disabled", "Changed Block Tracking (CBT) not enabled", "Warning"),
    ("vmware.snapshot.detected", "VM snapshot detected", "Information"),
    ("vmware.passthrough_device.detected", "Passthrough device detected", "Critical"),
    ("vmware.tpm.detected", "TPM detected", "Warning"),
)
GIB = 2**30


def generate_vms(count: int, seed: int = 42) -> list[dict[str, Any]]:
    """``count`` VM records, identical for the same seed."""
    rng = random.Random(seed)
    return [_vm(rng, index) for index in range(count)]


def _vm(rng: random.Random, index: int) -> dict[str, Any]:
    guest_id, guest_name = rng.choice(GUESTS)
    cluster = rng.choice(CLUSTERS)
    disks = [_disk(rng, index, unit) for unit in range(rng.choice((1, 1, 2, 2, 3, 4, 5, 6)))]
    concerns = [
        {"id": cid, "label": label, "category": category, "assessment": label}
        for cid, label, category in rng.sample(CONCERNS, rng.randint(0, 3))
    ]
    memory = rng.choice((1024, 2048, 4096, 8192, 16384, 32768, 65536))
    vm: dict[str, Any] = {
        "id": f"vm-{1000 + index}",
        "name": f"{rng.choice(('web', 'db', 'app', 'cache', 'file'))}-{index:06d}",
        "parent": {"kind": "Folder", "id": "group-v1010"},
        "path": f"/East-DC/vm/wave/{index}",
        "revision": rng.randint(1, 50),
        "powerState": rng.choice(POWER),
        "host": f"host-{rng.randint(10, 40)}",
        "hostName": f"esx{rng.randint(1, 30):02d}.corp.example.com",
        "cluster": {"id": f"domain-c{CLUSTERS.index(cluster) + 8}", "name": cluster},
        "firmware": rng.choice(("bios", "efi")),
        "cpuCount": rng.choice((1, 2, 4, 8, 16)),
        "coresPerSocket": 1,
        "memoryMB": memory,
        "memoryGB": memory / 1024,
        "guestId": guest_id,
        "guestName": guest_name,
        "guestOS": guest_name,
        "ipAddress": f"10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}",
        "storageUsed": rng.randint(1, 500) * GIB,
        "disks": disks,
        "diskCapacityGB": sum(disk["capacityGB"] for disk in disks),
        "nics": [
            {"network": {"kind": "Network", "id": f"dvportgroup-{rng.randint(40, 50)}"}, "mac": f"00:50:56:{n:02x}"}
            for n in range(rng.randint(1, 3))
        ],
        "concerns": concerns,
        "criticalConcerns": sum(c["category"] == "Critical" for c in concerns),
        "warningConcerns": sum(c["category"] == "Warning" for c in concerns),
        "infoConcerns": sum(c["category"] == "Information" for c in concerns),
        "provider": "vsphere-prod",
        "tags": [{"name": rng.choice(("tier-1", "tier-2", "pci"))}] if rng.random() < 0.5 else [],
    }
    for optional in ("cluster", "guestName", "memoryMB"):
        if rng.random() < 0.03:
            del vm[optional]
    return vm


def _disk(rng: random.Random, index: int, unit: int) -> dict[str, Any]:
    capacity_gb = rng.choice((20, 40, 100, 200, 500, 1000, 2000))
    disk: dict[str, Any] = {
        "key": 2000 + unit,
        "unitNumber": unit,
        "file": f"[ds-{unit:02d}] vm-{index}/disk{unit}.vmdk",
        "datastore": {"kind": "Datastore", "id": f"datastore-{rng.randint(30, 36)}"},
        "capacity": capacity_gb * GIB,
        "capacityGB": capacity_gb,
        "shared": rng.random() < 0.05,
        "bus": rng.choice(("scsi", "sata", "nvme")),
    }
    if rng.random() < 0.8:
        disk["iops"] = rng.choice((500, 2000, 5000, 12000, 20000))
    return disk
