"""A seeded, large vSphere inventory for scale tests (``--data large:N``).

``generate(n, seed)`` returns the demo inventory in which provider ``vsphere-prod`` keeps its demo
objects (so Plan ``wave1`` still resolves) and gains ``n`` generated VMs in a second datacenter,
``DC-Large``, with clusters, hosts, datastores, networks and folders scaled to ``n``. VMs vary in
guest OS, power state, disks (1-4, several buses, shared/RDM now and then), NICs, concerns derived
from their configuration, tools status, and ~2 % lack optional fields. Same ``n`` and ``seed``,
same inventory.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path
from typing import Any

from mtv_mcp.sandbox.inventory.load import load_inventory
from mtv_mcp.sandbox.inventory.model import Inventory, Provider

DEMO_INVENTORY = Path(__file__).resolve().parents[1] / "data" / "demo" / "inventory"
GIB = 1024**3
DC, VM_FOLDER, HOST_FOLDER, NET_FOLDER, DS_FOLDER = (
    "datacenter-1000",
    "group-v1000",
    "group-h1000",
    "group-n1000",
    "group-s1000",
)

# guestId, config guest name, tools guest name, windows?
GUESTS: tuple[tuple[str, str, str, bool], ...] = (
    ("rhel9_64Guest", "Red Hat Enterprise Linux 9 (64-bit)", "Red Hat Enterprise Linux 9.4 (Plow)", False),
    ("rhel8_64Guest", "Red Hat Enterprise Linux 8 (64-bit)", "Red Hat Enterprise Linux 8.10 (Ootpa)", False),
    ("rhel7_64Guest", "Red Hat Enterprise Linux 7 (64-bit)", "Red Hat Enterprise Linux Server 7.9 (Maipo)", False),
    ("centos8_64Guest", "CentOS 8 (64-bit)", "CentOS Stream 8", False),
    ("ubuntu64Guest", "Ubuntu Linux (64-bit)", "Ubuntu 22.04.4 LTS", False),
    ("sles15_64Guest", "SUSE Linux Enterprise 15 (64-bit)", "SUSE Linux Enterprise Server 15 SP5", False),
    ("debian11_64Guest", "Debian GNU/Linux 11 (64-bit)", "Debian GNU/Linux 11 (bullseye)", False),
    (
        "windows2019srv_64Guest",
        "Microsoft Windows Server 2019 (64-bit)",
        "Microsoft Windows Server 2019 Standard",
        True,
    ),
    (
        "windows2022srvNext_64Guest",
        "Microsoft Windows Server 2022 (64-bit)",
        "Microsoft Windows Server 2022 Datacenter",
        True,
    ),
    ("windows9_64Guest", "Microsoft Windows 10 (64-bit)", "Microsoft Windows 10 Enterprise", True),
    ("other3xLinux64Guest", "Other 3.x Linux (64-bit)", "", False),
)
GUEST_WEIGHTS = (30, 20, 8, 5, 8, 4, 3, 10, 7, 3, 2)
ROLES = ("web", "app", "db", "cache", "batch", "ci", "mq", "api", "etl", "mon")
CONCERNS = {
    "cbt": ("vmware.changed_block_tracking.disabled", "Changed Block Tracking (CBT) not enabled", "Warning"),
    "shared": ("vmware.disk.shared.detected", "Shared disk detected", "Warning"),
    "rdm": ("vmware.disk.rdm.detected", "Raw Device Mapped disk detected", "Warning"),
    "snapshot": ("vmware.snapshot.detected", "VM snapshot detected", "Information"),
    "drs": ("vmware.drs.enabled", "VM running in a DRS-enabled cluster", "Information"),
    "tpm": ("vmware.tpm.detected", "TPM detected", "Warning"),
    "hotplug": ("vmware.cpu_memory.hotplug.enabled", "CPU/Memory hotplug detected", "Warning"),
    "passthrough": ("vmware.passthrough_device.detected", "Passthrough device detected", "Critical"),
    "name": ("vmware.vm.name.invalid", "Invalid VM Name", "Warning"),
    "os": ("vmware.os.unsupported", "Unsupported operating system detected", "Warning"),
    "ip": ("vmware.vm_missing_ip.detected", "VM is missing IP addresses", "Warning"),
}
OPTIONAL_FIELDS = ("ipAddress", "guestNetworks", "guestDisks", "storageUsed", "tags", "customValues", "hostName")


def _ref(kind: str, ident: str) -> dict[str, str]:
    return {"kind": kind, "id": ident}


def _concern(key: str) -> dict[str, str]:
    ident, label, category = CONCERNS[key]
    return {"id": ident, "label": label, "category": category, "assessment": f"{label}; review before migrating."}


class _Builder:
    """Generates one datacenter's objects into ``collections``."""

    def __init__(self, n: int, seed: int, uid: str) -> None:
        self.rng = random.Random(seed)
        self.n = n
        self.link = f"providers/vsphere/{uid}"
        self.collections: dict[str, list[dict[str, Any]]] = {
            k: [] for k in ("vms", "hosts", "clusters", "datastores", "networks", "folders", "datacenters")
        }

    def _base(self, collection: str, ident: str, name: str, path: str, parent: dict[str, str]) -> dict[str, Any]:
        return {
            "id": ident,
            "parent": parent,
            "path": path,
            "revision": self.rng.randint(1, 40),
            "name": name,
            "selfLink": f"{self.link}/{collection}/{ident}",
        }

    def topology(self) -> None:
        rng, n = self.rng, self.n
        n_clusters = max(2, n // 2500)
        self.datastores = [f"datastore-{5000 + i}" for i in range(max(4, n // 400))]  # MoRefs, created below with types
        self.networks = [f"dvportgroup-{3000 + i}" for i in range(max(4, n // 1500))]
        for i, ident in enumerate(self.datastores):
            kind = rng.choices(("VMFS", "NFS", "vsan", "VVOL"), (70, 15, 10, 5))[0]
            capacity = rng.choice((10, 20, 40, 64)) * 1024 * GIB
            item = self._base(
                "datastores",
                ident,
                f"ds-large-{i:04d}",
                f"/DC-Large/datastore/ds-large-{i:04d}",
                _ref("Folder", DS_FOLDER),
            )
            item |= {
                "type": kind,
                "capacity": capacity,
                "free": int(capacity * rng.uniform(0.05, 0.7)),
                "maintenance": "normal",
            }
            item["backingDevicesNames"] = [f"naa.600a0980{i:024x}"] if kind == "VMFS" else []
            if kind == "NFS":
                item["nasRemoteHost"] = f"nas{i % 4 + 1:02d}.corp.example.com"
            self.collections["datastores"].append(item)
        for i, ident in enumerate(self.networks):
            vlan = 200 + i
            item = self._base(
                "networks", ident, f"vlan-{vlan}", f"/DC-Large/network/vlan-{vlan}", _ref("Folder", NET_FOLDER)
            )
            item |= {"variant": "DvPortGroup", "vlanId": str(vlan), "dvSwitch": _ref("Network", "dvs-2000")}
            self.collections["networks"].append(item)
        self.hosts: list[dict[str, Any]] = []
        for c in range(n_clusters):
            cluster_id, drs = f"domain-c{1000 + c}", rng.random() < 0.7
            host_ids = [f"host-{10000 + c * 100 + h}" for h in range(rng.randint(8, 16))]
            name = f"Cluster-L{c:02d}"
            cluster = self._base("clusters", cluster_id, name, f"/DC-Large/host/{name}", _ref("Folder", HOST_FOLDER))
            cluster |= {
                "folder": HOST_FOLDER,
                "networks": [_ref("Network", x) for x in self.networks],
                "datastores": [_ref("Datastore", x) for x in self.datastores],
                "hosts": [_ref("Host", h) for h in host_ids],
                "dasEnabled": drs,
                "dasVms": [],
                "drsEnabled": drs,
                "drsBehavior": "fullyAutomated" if drs else "manual",
                "drsVms": [],
            }
            self.collections["clusters"].append(cluster)
            for h in host_ids:
                host_name = f"esxi-{h.removeprefix('host-')}.large.example.com"
                host = self._base(
                    "hosts", h, host_name, f"/DC-Large/host/{name}/{host_name}", _ref("Cluster", cluster_id)
                )
                sockets = rng.choice((1, 2, 2, 4))
                host |= {
                    "cluster": cluster_id,
                    "status": rng.choices(("green", "yellow", "red"), (95, 4, 1))[0],
                    "inMaintenance": rng.random() < 0.02,
                    "managementServerIp": "10.1.0.10",
                    "timezone": "UTC",
                    "cpuSockets": sockets,
                    "cpuCores": sockets * rng.choice((12, 16, 24, 32)),
                    "memoryBytes": rng.choice((256, 512, 768, 1024)) * GIB,
                    "productName": "VMware ESXi",
                    "productVersion": rng.choice(("7.0.3", "8.0.1", "8.0.2", "8.0.3")),
                    "networks": [_ref("Network", x) for x in self.networks],
                    "datastores": [_ref("Datastore", x) for x in self.datastores],
                    "vms": [],
                    "vmotionSupported": True,
                    "storageVmotionSupported": True,
                }
                host["_drs"] = drs
                self.hosts.append(host)
        self.folders = [f"group-v{1001 + i}" for i in range(max(2, n // 1000))]

    def vm(self, index: int) -> dict[str, Any]:
        rng = self.rng
        number = 100000 + index
        ident = f"vm-{number}"
        guest_id, guest_name, tools_name, windows = rng.choices(GUESTS, GUEST_WEIGHTS)[0]
        host = rng.choice(self.hosts)
        folder = rng.choice(self.folders)
        power = rng.choices(("poweredOn", "poweredOff", "suspended"), (72, 25, 3))[0]
        name = f"{rng.choice(ROLES)}-{rng.choice(('prd', 'stg', 'dev', 'qa'))}-{number}"
        concerns: list[str] = []
        if rng.random() < 0.03:
            name = name.upper().replace("-", "_")
            concerns.append("name")
        template = rng.random() < 0.005
        cpus = rng.choice((1, 2, 2, 4, 4, 8, 16, 32))
        cbt = rng.random() < 0.7
        disks: list[dict[str, Any]] = []
        for d in range(rng.choices((1, 2, 3, 4), (50, 30, 15, 5))[0]):
            ds = rng.choice(self.datastores)
            shared, rdm = rng.random() < 0.01, rng.random() < 0.008
            disk = {
                "key": 2000 + d,
                "unitNumber": d,
                "controllerKey": 1000,
                "file": f"[{ds}] {name}/{name}{'' if d == 0 else f'_{d}'}.vmdk",
                "datastore": _ref("Datastore", ds),
                "capacity": rng.choice((16, 20, 40, 60, 100, 200, 500, 1024, 2048)) * GIB,
                "shared": shared,
                "rdm": rdm,
                "bus": rng.choices(("scsi", "sata", "nvme", "ide"), (85, 6, 6, 3))[0],
                "mode": "independent_persistent" if shared or rdm else "persistent",
                "changeTrackingEnabled": cbt,
                "parent": "",
                "deviceName": f"Hard disk {d + 1}",
            }
            concerns += ["shared"] * shared + ["rdm"] * rdm
            disks.append(disk)
        nets = rng.sample(self.networks, rng.choices((1, 2, 3), (75, 20, 5))[0])
        running = power == "poweredOn"
        tools = (
            "toolsOk"
            if running and rng.random() < 0.92
            else ("toolsNotRunning" if rng.random() < 0.8 else "toolsNotInstalled")
        )
        guest_ok = running and tools == "toolsOk"
        nics, guest_networks = [], []
        for i, net in enumerate(nets):
            mac = f"00:50:56:{(number >> 16) & 0xFF:02x}:{(number >> 8) & 0xFF:02x}:{(number + i) & 0xFF:02x}"
            nics.append(
                {"network": _ref("Network", net), "mac": mac, "order": i, "deviceKey": 4000 + i, "startConnected": True}
            )
            if guest_ok:
                ip = f"10.{200 + (number >> 16) % 50}.{(number >> 8) & 0xFF}.{(number + i) & 0xFF}"
                guest_networks.append(
                    {
                        "device": str(i),
                        "deviceConfigId": 4000 + i,
                        "mac": mac,
                        "ip": ip,
                        "origin": "dhcp",
                        "prefix": 24,
                        "dns": ["10.0.0.53"],
                    }
                )
        snapshot = _ref("VirtualMachineSnapshot", f"snapshot-{number}") if rng.random() < 0.05 else _ref("", "")
        tpm = windows and rng.random() < 0.1
        hot = rng.random() < 0.05
        passthrough = rng.random() < 0.003
        concerns += ["cbt"] * (not cbt) + ["snapshot"] * bool(snapshot["id"]) + ["tpm"] * tpm + ["hotplug"] * hot
        concerns += ["passthrough"] * passthrough + ["os"] * guest_id.startswith("other")
        concerns += ["drs"] * bool(host["_drs"]) + ["ip"] * (running and not guest_networks)
        provisioned = sum(d["capacity"] for d in disks)
        vm: dict[str, Any] = self._base("vms", ident, name, f"/DC-Large/vm/{folder}/{name}", _ref("Folder", folder))
        vm |= {
            "revisionValidated": vm["revision"],
            "isTemplate": template,
            "powerState": power,
            "host": host["id"],
            "networks": [_ref("Network", x) for x in nets],
            "disks": disks,
            "concerns": [_concern(c) for c in concerns],
            "policyVersion": 5,
            "uuid": str(uuid.UUID(int=rng.getrandbits(128))),
            "firmware": "efi" if windows or rng.random() < 0.4 else "bios",
            "connectionState": "connected" if rng.random() < 0.99 else "disconnected",
            "snapshot": snapshot,
            "changeTrackingEnabled": cbt,
            "cpuHotAddEnabled": hot,
            "memoryHotAddEnabled": hot,
            "cpuCount": cpus,
            "coresPerSocket": rng.choice([c for c in (1, 2, 4, 8) if cpus % c == 0]),
            "memoryMB": rng.choice((1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)),
            "guestName": guest_name,
            "guestNameFromVmwareTools": tools_name if guest_ok else "",
            "hostName": f"{name.lower()}.large.example.com" if guest_ok else "",
            "guestId": guest_id,
            "ipAddress": guest_networks[0]["ip"] if guest_networks else "",
            "storageUsed": int(provisioned * rng.uniform(0.3, 0.8)),
            "tpmEnabled": tpm,
            "devices": [
                {"kind": "VirtualVmxnet3", "key": 4000 + i, "pciSlotNumber": 192 + 32 * i} for i in range(len(nets))
            ]
            + ([{"kind": "VirtualPCIPassthrough", "key": 13000, "pciSlotNumber": 256}] if passthrough else []),
            "nics": nics,
            "guestNetworks": guest_networks,
            "guestDisks": [],
            "secureBoot": tpm,
            "toolsStatus": tools,
            "toolsRunningStatus": "guestToolsRunning" if guest_ok else "guestToolsNotRunning",
            "tags": [],
            "customValues": [],
        }
        if rng.random() < 0.02:
            for key in rng.sample(OPTIONAL_FIELDS, 3):
                vm.pop(key, None)
        host["vms"].append(_ref("VM", ident))
        return vm

    def build(self) -> dict[str, list[dict[str, Any]]]:
        self.topology()
        self.collections["vms"] = [self.vm(i) for i in range(self.n)]
        for host in self.hosts:
            del host["_drs"]
        self.collections["hosts"] = self.hosts
        root = _ref("Datacenter", DC)
        folders = [self._base("folders", VM_FOLDER, "vm", "/DC-Large/vm", root)]
        folders[0] |= {"folder": DC, "datacenter": DC, "children": [_ref("Folder", f) for f in self.folders]}
        for f in self.folders:
            item = self._base(
                "folders", f, f"Apps-{f.removeprefix('group-v')}", f"/DC-Large/vm/{f}", _ref("Folder", VM_FOLDER)
            )
            folders.append(item | {"folder": VM_FOLDER, "datacenter": DC, "children": []})
        self.collections["folders"] = folders
        datacenter = self._base("datacenters", DC, "DC-Large", "/DC-Large", _ref("Folder", "group-d1"))
        datacenter |= {
            "clusters": _ref("Folder", HOST_FOLDER),
            "networks": _ref("Folder", NET_FOLDER),
            "datastores": _ref("Folder", DS_FOLDER),
            "vms": _ref("Folder", VM_FOLDER),
        }
        self.collections["datacenters"] = [datacenter]
        return self.collections


def generate(n: int, seed: int = 0, base: Inventory | None = None) -> Inventory:
    """``base`` (default: the demo inventory) with ``n`` generated VMs added to provider vsphere-prod."""
    inventory = base if base is not None else load_inventory(DEMO_INVENTORY)
    demo = next((p for p in inventory.providers if p.type == "vsphere"), None)
    if demo is None:
        raise ValueError("the base inventory has no vSphere provider to extend")
    generated = _Builder(n, seed, demo.uid).build()
    collections = {name: [*demo.collections.get(name, []), *items] for name, items in generated.items()}
    inventory.replace(Provider(type="vsphere", object=demo.object, extra=demo.extra, collections=collections))
    return inventory
