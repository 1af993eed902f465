"""What the controller needs to know about a source VM: its disks and what the log says about it."""

from __future__ import annotations

from dataclasses import dataclass

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
