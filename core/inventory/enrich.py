"""Computed VM fields, added before filtering so documented queries work as written.

Added to every VM (numbers stay numbers): ``provider``; ``criticalConcerns``, ``warningConcerns``,
``infoConcerns``; ``memoryGB``; ``guestOS``; ``disks[].capacityGB`` and ``diskCapacityGB``;
``hostCluster`` ``{id, name}`` and ``hypervisorHost`` (the hypervisor host's name) from the host →
cluster join. Computed fields never take a name an inventory uses, so a query copied from kubectl-mtv
means the same here: vSphere's ``hostName`` stays the guest's host name and oVirt's ``cluster`` stays
the cluster id (kubev2v/forklift ``pkg/controller/provider/web/vsphere/vm.go``,
``pkg/controller/provider/model/ovirt/model.go``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from mtv_mcp.core.inventory.models import VM

GIB = 1024**3
CONCERN_COUNTS = {"Critical": "criticalConcerns", "Warning": "warningConcerns", "Information": "infoConcerns"}

ENRICHED_FIELDS: dict[str, str] = {
    "provider": "the Provider CR name",
    "hostCluster": "{id, name} of the VM's cluster (vSphere: host → cluster join; oVirt: cluster id → name)",
    "hypervisorHost": "name of the hypervisor host (ESXi / oVirt host) running the VM",
    "memoryGB": "memory in GiB, a number",
    "guestOS": "the guest OS name (vSphere guestName, oVirt guest distribution or osType)",
    "disks[].capacityGB": "each disk's capacity in GiB, a number",
    "diskCapacityGB": "sum of the disks' capacity in GiB",
    "criticalConcerns": "count of concerns with category Critical",
    "warningConcerns": "count of concerns with category Warning",
    "infoConcerns": "count of concerns with category Information",
}


def by_id(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Objects keyed by their ``id``."""
    return {str(item["id"]): item for item in items if item.get("id") is not None}


def gib(size: Any) -> float | None:
    """Bytes as GiB, rounded to 2 decimals; None for anything not a number."""
    if isinstance(size, bool) or not isinstance(size, int | float):
        return None
    return round(size / GIB, 2)


def _count_concerns(vm: VM) -> None:
    counts = dict.fromkeys(CONCERN_COUNTS.values(), 0)
    for concern in vm.get("concerns") or ():
        key = CONCERN_COUNTS.get(str(concern.get("category")))
        if key:
            counts[key] += 1
    vm.update(counts)


def _add_disk_sizes(vm: VM, size_key: str) -> None:
    total = 0.0
    for disk in vm.get("disks") or ():
        size = gib(disk.get(size_key))
        disk["capacityGB"] = size
        total += size or 0.0
    vm["diskCapacityGB"] = round(total, 2)


def _named(ref_id: Any, table: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    if ref_id is None:
        return None
    found = table.get(str(ref_id))
    return {"id": str(ref_id), "name": found.get("name") if found else None}


def enrich_vsphere(vm: VM, hosts: dict[str, dict[str, Any]], clusters: dict[str, dict[str, Any]]) -> None:
    """vSphere: memoryMB, guestName, disks[].capacity (bytes), host MoRef → host → cluster."""
    memory = vm.get("memoryMB")
    vm["memoryGB"] = round(memory / 1024, 2) if isinstance(memory, int | float) else None
    vm["guestOS"] = vm.get("guestName") or vm.get("guestNameFromVmwareTools") or None
    _add_disk_sizes(vm, "capacity")
    host = hosts.get(str(vm.get("host")))
    vm["hypervisorHost"] = host.get("name") if host else None
    vm["hostCluster"] = _named(host.get("cluster"), clusters) if host else None


def enrich_ovirt(
    vm: VM,
    hosts: dict[str, dict[str, Any]],
    clusters: dict[str, dict[str, Any]],
    disks: dict[str, dict[str, Any]],
) -> None:
    """oVirt: memory (bytes), guest, cluster/host ids, disks via diskAttachments → /disks."""
    vm["memoryGB"] = gib(vm.get("memory"))
    guest = vm.get("guest") or {}
    distribution = " ".join(str(p) for p in (guest.get("distribution"), guest.get("fullVersion")) if p)
    vm["guestOS"] = distribution or vm.get("guestName") or vm.get("osType") or None
    vm["hostCluster"] = _named(vm.get("cluster"), clusters)
    host = hosts.get(str(vm.get("host")))
    vm["hypervisorHost"] = host.get("name") if host else None
    if "disks" not in vm:
        vm["disks"] = [
            {
                "id": attachment.get("disk"),
                "interface": attachment.get("interface"),
                "capacity": (disks.get(str(attachment.get("disk"))) or {}).get("provisionedSize"),
                "storageDomain": (disks.get(str(attachment.get("disk"))) or {}).get("storageDomain"),
            }
            for attachment in vm.get("diskAttachments") or ()
        ]
    _add_disk_sizes(vm, "capacity")
    if "cpuCount" not in vm and isinstance(vm.get("cpuSockets"), int) and isinstance(vm.get("cpuCores"), int):
        vm["cpuCount"] = vm["cpuSockets"] * vm["cpuCores"] * (vm.get("cpuThreads") or 1)


def enrich_vms(
    vms: list[VM],
    *,
    provider_name: str,
    provider_type: str,
    hosts: Iterable[dict[str, Any]] = (),
    clusters: Iterable[dict[str, Any]] = (),
    disks: Iterable[dict[str, Any]] = (),
) -> list[VM]:
    """Add the computed fields to ``vms`` in place (and return them); see ``ENRICHED_FIELDS``."""
    host_table, cluster_table, disk_table = by_id(hosts), by_id(clusters), by_id(disks)
    for vm in vms:
        vm["provider"] = provider_name
        _count_concerns(vm)
        if provider_type == "vsphere":
            enrich_vsphere(vm, host_table, cluster_table)
        elif provider_type == "ovirt":
            enrich_ovirt(vm, host_table, cluster_table, disk_table)
    return vms
