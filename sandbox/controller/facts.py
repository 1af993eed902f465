"""What the controller needs to know about a source VM: its disks and what the log says about it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mtv_mcp.sandbox.controller.v2v_log import Guest

GIB = 1024**3


@dataclass(frozen=True)
class VmFacts:
    """Disk names/sizes (bytes, disk order) and guest details of one source VM."""

    name: str
    disks: tuple[tuple[str, int], ...] = (("Hard disk 1", 20 * GIB),)
    os_label: str = "Red Hat Enterprise Linux 9 (64-bit)"
    uefi: bool = False
    windows: bool = False

    @property
    def disk_sizes(self) -> list[int]:
        return [size for _, size in self.disks]

    def guest(self) -> Guest:
        return Guest(vm_name=self.name, os_label=self.os_label, uefi=self.uefi, windows=self.windows)


_SNAPSHOT_SUFFIX = re.compile(r"-\d{6}(\.vmdk)$")


def disk_task_name(backing_file: str) -> str:
    """The pipeline task name Forklift gives a vSphere disk: its backing file without the snapshot
    suffix (``pkg/controller/plan/adapter/vsphere/builder.go``: ``Tasks`` names each by ``baseVolume(disk.File)``)."""
    return _SNAPSHOT_SUFFIX.sub(r"\1", backing_file)


def facts_from_inventory(vm: Mapping[str, Any]) -> VmFacts:
    """The facts of a vSphere inventory VM (forklift-model §4 shape): its disks, guest OS and firmware."""
    disks = tuple(
        (disk_task_name(str(disk.get("file") or f"disk-{index}")), int(disk.get("capacity") or 0))
        for index, disk in enumerate(vm.get("disks") or [])
    )
    guest_id = str(vm.get("guestId") or "")
    return VmFacts(
        name=str(vm.get("name") or vm.get("id")),
        disks=disks or VmFacts(name="").disks,
        os_label=str(vm.get("guestNameFromVmwareTools") or vm.get("guestName") or "Linux"),
        uefi=vm.get("firmware") == "efi",
        windows=guest_id.startswith("windows"),
    )


def inventory_facts(data_dir: Path | None) -> dict[str, VmFacts]:
    """Facts of every vSphere VM of a sandbox data folder's inventory, by VM id (empty without one)."""
    root = data_dir / "inventory" / "vsphere" if data_dir is not None else None
    found: dict[str, VmFacts] = {}
    for path in sorted(root.glob("*/vms.json")) if root is not None and root.is_dir() else []:
        for vm in json.loads(path.read_text(encoding="utf-8")):
            found[str(vm["id"])] = facts_from_inventory(vm)
    return found
