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

from collections.abc import Callable, Iterable
from typing import Any

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory.models import VM
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.quantity import parse_quantity

GIB = 1024**3

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
    "volumeTypes": "OpenStack only: the volume types of the VM's attached volumes",
}


def by_id(items: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Objects keyed by their ``id``."""
    return {str(item["id"]): item for item in items if item.get("id") is not None}


def joined_fields(item: dict[str, Any]) -> dict[str, Any]:
    """What enrichment reads of a joined object (host, cluster, disk, flavor, volume, image): its
    fields that are neither objects nor lists (a host's networking and datastores are not kept)."""
    return {key: value for key, value in item.items() if type(value) is not dict and type(value) is not list}


def gib(size: Any) -> float | None:
    """Bytes as GiB, rounded to 2 decimals; None for anything not a number."""
    kind = type(size)  # bool is an int subclass: not a size
    return round(size / GIB, 2) if kind is int or kind is float else None


def _count_concerns(vm: VM) -> None:
    critical = warning = information = 0
    for concern in vm.get("concerns") or ():
        category = concern.get("category")
        if category == "Critical":
            critical += 1
        elif category == "Warning":
            warning += 1
        elif category == "Information":
            information += 1
    vm["criticalConcerns"], vm["warningConcerns"], vm["infoConcerns"] = critical, warning, information


def _add_disk_sizes(vm: VM, size_key: str) -> None:
    total = 0.0
    for disk in vm.get("disks") or ():
        size = gib(disk.get(size_key))
        disk["capacityGB"] = size
        total += size or 0.0
    vm["diskCapacityGB"] = round(total, 2)


class NamedRefs:
    """``{id, name}`` of the objects of ``table`` by id, one (read-only) dict per id."""

    def __init__(self, table: dict[str, dict[str, Any]]) -> None:
        self.table = table
        self.made: dict[str, dict[str, Any]] = {}

    def __call__(self, ref_id: Any) -> dict[str, Any] | None:
        if ref_id is None:
            return None
        key = str(ref_id)
        named = self.made.get(key)
        if named is None:
            found = self.table.get(key)
            named = self.made[key] = {"id": key, "name": found.get("name") if found else None}
        return named


def enrich_vsphere(vm: VM, hosts: dict[str, dict[str, Any]], clusters: NamedRefs) -> None:
    """vSphere: memoryMB, guestName, disks[].capacity (bytes), host MoRef → host → cluster."""
    memory = vm.get("memoryMB")
    vm["memoryGB"] = round(memory / 1024, 2) if isinstance(memory, int | float) else None
    vm["guestOS"] = vm.get("guestName") or vm.get("guestNameFromVmwareTools") or None
    _add_disk_sizes(vm, "capacity")
    host = hosts.get(str(vm.get("host")))
    vm["hypervisorHost"] = host.get("name") if host else None
    vm["hostCluster"] = clusters(host.get("cluster")) if host else None


def enrich_ovirt(
    vm: VM,
    hosts: dict[str, dict[str, Any]],
    clusters: NamedRefs,
    disks: dict[str, dict[str, Any]],
) -> None:
    """oVirt: memory (bytes), guest, cluster/host ids, disks via diskAttachments → /disks."""
    vm["memoryGB"] = gib(vm.get("memory"))
    guest = vm.get("guest") or {}
    distribution = " ".join(str(p) for p in (guest.get("distribution"), guest.get("fullVersion")) if p)
    vm["guestOS"] = distribution or vm.get("guestName") or vm.get("osType") or None
    vm["hostCluster"] = clusters(vm.get("cluster"))
    host = hosts.get(str(vm.get("host")))
    vm["hypervisorHost"] = host.get("name") if host else None
    if "disks" not in vm:
        vm["disks"] = [
            {
                "id": attachment.get("disk"),
                "interface": attachment.get("interface"),
                "capacity": dig(disks, str(attachment.get("disk")), "provisionedSize"),
                "storageDomain": dig(disks, str(attachment.get("disk")), "storageDomain"),
                "storageType": dig(disks, str(attachment.get("disk")), "storageType"),
            }
            for attachment in vm.get("diskAttachments") or ()
        ]
    _add_disk_sizes(vm, "capacity")
    if "cpuCount" not in vm and isinstance(vm.get("cpuSockets"), int) and isinstance(vm.get("cpuCores"), int):
        vm["cpuCount"] = vm["cpuSockets"] * vm["cpuCores"] * (vm.get("cpuThreads") or 1)


def _memory_gb(vm: VM, megabytes: Any) -> None:
    vm["memoryGB"] = round(megabytes / 1024, 2) if isinstance(megabytes, int | float) else None


def enrich_ova(vm: VM) -> None:
    """OVA (kubev2v/forklift pkg/controller/provider/web/ovfbase/vm.go): memoryMB, osType, and
    ``disks[].Capacity`` in bytes (the ovf model's Disk has no JSON tags: Go field names)."""
    _memory_gb(vm, vm.get("memoryMB"))
    vm["guestOS"] = vm.get("osType") or None
    _add_disk_sizes(vm, "Capacity")


def enrich_openstack(
    vm: VM, flavors: dict[str, dict[str, Any]], volumes: dict[str, dict[str, Any]], images: dict[str, dict[str, Any]]
) -> None:
    """OpenStack (pkg/controller/provider/web/openstack): the flavor's ``ram`` (MB) and ``vcpus``,
    the image's name, and the attached volumes' ``size`` (GB); no field of the server is replaced."""
    flavor = flavors.get(str(vm.get("flavorID"))) or {}
    _memory_gb(vm, flavor.get("ram"))
    if "cpuCount" not in vm and isinstance(flavor.get("vcpus"), int):
        vm["cpuCount"] = flavor["vcpus"]
    vm["guestOS"] = dig(images, str(vm.get("imageID")), "name")
    attached = [volumes.get(str(entry.get("ID"))) or {} for entry in vm.get("attachedVolumes") or ()]
    sizes = [volume.get("size") for volume in attached]
    vm["diskCapacityGB"] = float(sum(size for size in sizes if isinstance(size, int | float)))
    vm["volumeTypes"] = list(dict.fromkeys(str(v["volumeType"]) for v in attached if v.get("volumeType")))


def enrich_hyperv(vm: VM, hosts: dict[str, dict[str, Any]]) -> None:
    """Hyper-V (pkg/controller/provider/web/hyperv/vm.go): memoryMB and the host; its own
    ``guestOS`` stays as served."""
    _memory_gb(vm, vm.get("memoryMB"))
    host = hosts.get(str(vm.get("host")))
    vm["hypervisorHost"] = host.get("name") if host else None


def enrich_openshift(vm: VM) -> None:
    """OpenShift/KubeVirt (the VirtualMachine in ``object``): the guest memory and CPU topology."""
    domain = dig(vm, "object", "spec", "template", "spec", "domain") or {}
    requests = dig(domain, "resources", "requests") or {}
    memory = dig(domain, "memory", "guest") or requests.get("memory")
    try:
        vm["memoryGB"] = round(float(parse_quantity(memory)) / GIB, 2) if memory else None
    except MtvError:
        vm["memoryGB"] = None
    cpu = domain.get("cpu") or {}
    if "cpuCount" not in vm and cpu:
        vm["cpuCount"] = (cpu.get("cores") or 1) * (cpu.get("sockets") or 1) * (cpu.get("threads") or 1)


def enrich_ec2(vm: VM) -> None:
    """EC2 (items in an ``object`` envelope, the EC2 instance): its platform as ``guestOS``."""
    instance = vm.get("object") or {}
    vm["guestOS"] = instance.get("PlatformDetails") or instance.get("Platform") or None


def enrich_vms(vms: list[VM], *, provider_name: str, provider_type: str, **joins: Iterable[dict[str, Any]]) -> list[VM]:
    """Add the computed fields to ``vms`` in place (and return them); see ``ENRICHED_FIELDS`` and,
    for the ``joins``, ``vm_enricher``."""
    vm_enricher(provider_name=provider_name, provider_type=provider_type, **joins)(vms)
    return vms


def vm_enricher(
    *,
    provider_name: str,
    provider_type: str,
    hosts: Iterable[dict[str, Any]] = (),
    clusters: Iterable[dict[str, Any]] = (),
    disks: Iterable[dict[str, Any]] = (),
    flavors: Iterable[dict[str, Any]] = (),
    volumes: Iterable[dict[str, Any]] = (),
    images: Iterable[dict[str, Any]] = (),
) -> Callable[[list[VM]], None]:
    """A function adding the computed fields to each VM of a batch of the provider's VMs (the
    joined collections indexed once, so that each batch can be enriched as it is decoded)."""
    host_table, cluster_refs, disk_table = by_id(hosts), NamedRefs(by_id(clusters)), by_id(disks)
    flavor_table, volume_table, image_table = by_id(flavors), by_id(volumes), by_id(images)

    def enrich(vms: list[VM]) -> None:
        for vm in vms:
            vm["provider"] = provider_name
            _count_concerns(vm)
            if provider_type == "vsphere":
                enrich_vsphere(vm, host_table, cluster_refs)
            elif provider_type == "ovirt":
                enrich_ovirt(vm, host_table, cluster_refs, disk_table)
            elif provider_type == "ova":
                enrich_ova(vm)
            elif provider_type == "openstack":
                enrich_openstack(vm, flavor_table, volume_table, image_table)
            elif provider_type == "hyperv":
                enrich_hyperv(vm, host_table)
            elif provider_type == "openshift":
                enrich_openshift(vm)
            elif provider_type == "ec2":
                enrich_ec2(vm)

    return enrich
