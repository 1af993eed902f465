"""What the controller needs to know about a source VM: its disks and what the log says about it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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


def facts_from_vsphere_vm(vm: Mapping[str, Any]) -> VmFacts:
    """Facts from a Forklift inventory vSphere VM (``disks[].capacity``, ``guestId``, ``firmware``)."""
    disks = tuple(
        (str(disk.get("file") or disk.get("deviceName") or f"disk-{index}"), int(disk.get("capacity") or 0))
        for index, disk in enumerate(vm.get("disks") or [])
    )
    return VmFacts(
        name=str(vm.get("name") or vm.get("id")),
        disks=disks or VmFacts(name="").disks,
        os_label=str(vm.get("guestNameFromVmwareTools") or vm.get("guestName") or "an unknown guest"),
        uefi=vm.get("firmware") == "efi",
        windows=str(vm.get("guestId", "")).startswith("windows"),
    )
