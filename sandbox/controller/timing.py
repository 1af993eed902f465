"""How long the pipeline steps around virt-v2v take in the sandbox (whole seconds, as status timestamps).

Forklift's cold itinerary (``pkg/controller/plan/migrator/base/migrator.go``: ``coldItinerary`` and
``Step``) runs ``Started → StorePowerState → PowerOffSource → WaitForPowerOff → CreateDataVolumes``
(the ``Initialize`` step), ``AllocateDisks`` (``DiskAllocation``: ``pkg/controller/plan/migration.go``
waits there until the disks' claims are bound), ``CreateGuestConversionPod → ConvertGuest →
CopyDisksVirtV2V`` (the virt-v2v pod: ``ImageConversion``, ``DiskTransferV2v``) and ``CreateVM``
(``VirtualMachineCreation``: ``kubevirt.go`` ``EnsureVM``, then the DataVolumes and helper pods
are removed) before ``Completed``. The durations below are the sandbox's model of those waits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

GIB = 1024**3
INITIALIZE_SECONDS = 6
"""Store the power state, power the source VM off and wait for it, create the DataVolumes."""


@dataclass(frozen=True)
class Binding:
    """How fast a provisioner binds a VM's claims: the first disk, each further one, and per GiB."""

    first_disk: float
    next_disk: float
    per_gib: float


BINDINGS: dict[str, Binding] = {
    "rbd.csi.ceph.com": Binding(first_disk=4, next_disk=2, per_gib=0.02),
    "cephfs.csi.ceph.com": Binding(first_disk=6, next_disk=3, per_gib=0.03),
    "topolvm.io": Binding(first_disk=2, next_disk=1, per_gib=0.0),
}
"""By provisioner (suffix match): Ceph RBD creates an image per claim, CephFS a subvolume (slower),
TopoLVM a local logical volume (fast, size-independent)."""
DEFAULT_BINDING = Binding(first_disk=5, next_disk=2.5, per_gib=0.02)


def binding_for(provisioner: str | None) -> Binding:
    return next((b for key, b in BINDINGS.items() if provisioner and provisioner.endswith(key)), DEFAULT_BINDING)


def allocation_seconds(provisioner: str | None, sizes: Sequence[int]) -> int:
    """``DiskAllocation``: until every claim of the VM (``sizes`` in bytes) is bound."""
    binding = binding_for(provisioner)
    gib = sum(sizes) / GIB
    seconds = binding.first_disk + binding.next_disk * max(len(sizes) - 1, 0) + binding.per_gib * gib
    return math.ceil(seconds)


def vm_creation_seconds(disk_count: int) -> int:
    """``VirtualMachineCreation``: create the VirtualMachine, then remove DataVolumes and helper pods."""
    return 4 + disk_count
