"""The NetworkMap and StorageMap ``kubectl mtv create plan`` builds when none is given (§2.2).

Network: the source networks of the plan's VMs; the first maps to the default target (the
``default_target_network`` argument, else the first NetworkAttachmentDefinition in the target
namespace or ``default``, else the pod network), every other one to ``ignored``. Storage: the
datastores of the VMs' disks, all to one StorageClass (the argument, else the default virt class,
else the cluster default, else a name containing "virtualization", else the first, else ``""``:
Forklift's ``DestinationStorage.storageClass`` has no ``omitempty``, and kubectl-mtv writes the empty
name when it sees no StorageClass, which leaves the choice to the cluster's default class —
kubev2v/kubectl-mtv ``pkg/cmd/create/plan/storage/mapper/vsphere/mapper.go``); OpenShift and EC2
sources choose per storage (``storage_destinations``).

The sources per provider type are read as kubectl-mtv's fetchers read them (``source_network_ids``,
``source_datastore_ids``). The destinations follow its generic mappers (vSphere, OVA, OpenStack,
oVirt, Hyper-V); EC2's network mapper defaults to the pod network instead of the first NAD; an
OpenShift source whose every network is named like a distinct target NAD maps each to that NAD
(``same_name_destinations``; network/mapper/openshift/mapper.go).

kubectl-mtv gathers the source ids in a Go map, so its "first" network is random; here the order
is the order of first appearance in the plan's VMs, which makes the result reproducible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from mtv_mcp.core.errors import MtvError, quoted
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.plan.models import (
    DestinationNetwork,
    DestinationStorage,
    NetworkMap,
    NetworkMapSpec,
    NetworkPair,
    NetworkSource,
    ObjectMeta,
    ProviderPair,
    StorageMap,
    StorageMapSpec,
    StoragePair,
    StorageSource,
)

# The source collections whose ids the automatic maps name: (networks, storage), per provider type.
SOURCE_COLLECTIONS = {
    "vsphere": ("networks", "datastores"),
    "ova": ("networks", "storages"),
    "openstack": ("networks", "volumetypes"),
    "ovirt": ("networks", "storagedomains"),
    "openshift": ("networkattachmentdefinitions", "storageclasses"),
    "hyperv": ("networks", "storages"),
    "ec2": ("networks", "volumes"),
}
AUTO_MAP_PROVIDER_TYPES = tuple(SOURCE_COLLECTIONS)
# The second storage collection kubectl-mtv's fetcher reads (``storage_details``): EC2's ``storages``
# (every volume type, the fallback) and OpenShift's ``persistentvolumeclaims`` (the resolved classes).
STORAGE_DETAIL_COLLECTIONS = {"ec2": "storages", "openshift": "persistentvolumeclaims"}
# kubectl-mtv's order of EC2 volume types (storage/fetchers/ec2/fetcher.go buildSortedRefs).
EC2_VOLUME_TYPE_ORDER = ("gp3", "gp2", "io2", "io1", "st1", "sc1", "standard")
VIRT_DEFAULT_CLASS = "storageclass.kubevirt.io/is-default-virt-class"
CLUSTER_DEFAULT_CLASS = "storageclass.kubernetes.io/is-default-class"


def network_map_name(plan_name: str) -> str:
    return f"{plan_name}-network-map"


def storage_map_name(plan_name: str) -> str:
    return f"{plan_name}-storage-map"


def _unique(ids: Iterable[Any]) -> list[str]:
    return list(dict.fromkeys(str(item) for item in ids if item))


def _ids_by_name(items: Sequence[dict[str, Any]], names: Iterable[Any]) -> list[str]:
    ids = {str(item.get("name")): str(item.get("id")) for item in items}
    return _unique(ids.get(str(name)) for name in names)


def _ovirt_network_ids(vms: Sequence[dict[str, Any]], networks: Sequence[dict[str, Any]]) -> list[str]:
    """oVirt NICs name a vNIC profile; the network listing it in ``nicProfiles`` (kubev2v/forklift
    ``pkg/controller/provider/web/ovirt/network.go``) is the one kubectl-mtv finds through
    ``nicprofiles[].network``."""
    network_of = {str(profile): str(net.get("id")) for net in networks for profile in net.get("nicProfiles") or ()}
    return _unique(network_of.get(str(nic.get("profile"))) for vm in vms for nic in vm.get("nics") or ())


def _openshift_network_ids(vms: Sequence[dict[str, Any]], nads: Sequence[dict[str, Any]]) -> list[str]:
    """KubeVirt ``spec.template.spec.networks[].name`` matched to a NAD name, else to the first NAD
    whose name contains it or is contained in it (network/fetchers/openshift/fetcher.go)."""
    ids: list[str | None] = []
    for vm in vms:
        for net in dig(vm, "object", "spec", "template", "spec", "networks") or ():
            name = str(net.get("name") or "")
            exact = [nad for nad in nads if nad.get("name") == name]
            near = [nad for nad in nads if name and nad.get("name") and (nad["name"] in name or name in nad["name"])]
            ids.extend(str(nad.get("id")) for nad in (exact or near)[:1])
    return _unique(ids)


def _ec2_network_ids(networks: Sequence[dict[str, Any]]) -> list[str]:
    """Every subnet of the region by CIDR, else every VPC by id, whatever the VMs use
    (network/fetchers/ec2/fetcher.go); the items come in an ``object`` envelope."""
    subnets = [net for net in networks if dig(net, "object", "SubnetId")]
    if subnets:
        return _unique(net.get("id") for net in sorted(subnets, key=lambda net: str(dig(net, "object", "CidrBlock"))))
    vpcs = [net for net in networks if dig(net, "object", "VpcId")]
    return sorted(_unique(net.get("id") for net in vpcs))


def source_network_ids(
    vms: Sequence[dict[str, Any]], provider_type: str = "vsphere", networks: Sequence[dict[str, Any]] = ()
) -> list[str]:
    """Network ids of the VMs, in order of first appearance, read as kubectl-mtv's network fetchers
    read them (pkg/cmd/create/plan/network/fetchers/): vSphere ``networks[].id``, OVA
    ``networks[].ID``, OpenStack the network names keying ``addresses`` (ids from ``networks``),
    oVirt ``nics[].profile`` → network, OpenShift the VM's networks → NADs, Hyper-V
    ``nics[].networkUUID``, EC2 every subnet."""
    if provider_type == "ova":
        return _unique(ref.get("ID") for vm in vms for ref in vm.get("networks") or ())
    if provider_type == "openstack":
        return _ids_by_name(networks, (name for vm in vms for name in vm.get("addresses") or {}))
    if provider_type == "ovirt":
        return _ovirt_network_ids(vms, networks)
    if provider_type == "openshift":
        return _openshift_network_ids(vms, networks)
    if provider_type == "hyperv":
        return _unique(nic.get("networkUUID") for vm in vms for nic in vm.get("nics") or ())
    if provider_type == "ec2":
        return _ec2_network_ids(networks)
    return _unique(ref.get("id") for vm in vms for ref in vm.get("networks") or ())


def _openshift_storage_class_names(vms: Sequence[dict[str, Any]], pvcs: Sequence[dict[str, Any]]) -> list[str]:
    """The storage classes of the VMs' ``dataVolumeTemplates``: ``spec.storageClassName``, else the
    class of the PVC of the template's name in the VM's namespace (``persistentvolumeclaims``
    ``object.spec.storageClassName``), else ``spec.storage.storageClassName``
    (storage/fetchers/openshift/fetcher.go collectStorageFromVM)."""
    pvc_class = {
        (pvc.get("namespace"), pvc.get("name")): dig(pvc, "object", "spec", "storageClassName")
        for pvc in pvcs
        if pvc.get("name")
    }
    names = []
    for vm in vms:
        namespace = dig(vm, "object", "metadata", "namespace")
        for template in dig(vm, "object", "spec", "dataVolumeTemplates") or ():
            names.append(
                dig(template, "spec", "storageClassName")
                or pvc_class.get((namespace, dig(template, "metadata", "name")))
                or dig(template, "spec", "storage", "storageClassName")
            )
    return _unique(names)


def _ec2_volume_types(
    vms: Sequence[dict[str, Any]], volumes: Sequence[dict[str, Any]], storages: Sequence[dict[str, Any]]
) -> list[str]:
    """The types of the EBS volumes the instances map, lower-case, in kubectl-mtv's order; when that
    finds none, every ``type`` of the provider's ``storages`` (storage/fetchers/ec2/fetcher.go
    fetchVolumeTypesFromVMs, fetchAllVolumeTypes)."""
    attached = {
        str(dig(mapping, "Ebs", "VolumeId"))
        for vm in vms
        for mapping in dig(vm, "object", "BlockDeviceMappings") or ()
        if dig(mapping, "Ebs", "VolumeId")
    }
    found = _unique(
        str(volume.get("volumeType") or dig(volume, "object", "VolumeType") or "").lower()
        for volume in volumes
        if str(volume.get("id")) in attached
    ) or _unique(str(item.get("type") or dig(item, "object", "type") or "").lower() for item in storages)
    order = {name: index for index, name in enumerate(EC2_VOLUME_TYPE_ORDER)}
    return sorted(found, key=lambda name: order.get(name, len(order)))


def source_datastore_ids(
    vms: Sequence[dict[str, Any]],
    provider_type: str = "vsphere",
    storages: Sequence[dict[str, Any]] = (),
    details: Sequence[dict[str, Any]] = (),
) -> list[str]:
    """Storage ids of the VMs' disks, in order of first appearance, as kubectl-mtv's storage fetchers
    read them (pkg/cmd/create/plan/storage/fetchers/): vSphere ``disks[].datastore.id``, OVA
    ``disks[].ID`` (its storages), OpenStack the volume types of the attached volumes (ids from
    ``volumetypes``; the computed ``volumeTypes`` holds their names), oVirt the disks' storage
    domains (LUN disks left out), OpenShift the storage classes of the data volumes (ids from
    ``storageclasses``), Hyper-V every storage of the provider, EC2 the volume type names.
    ``details`` is the ``STORAGE_DETAIL_COLLECTIONS`` collection (OpenShift PVCs, EC2 storages)."""
    if provider_type == "ova":
        return _unique(disk.get("ID") for vm in vms for disk in vm.get("disks") or ())
    if provider_type == "openstack":
        return _ids_by_name(storages, (name for vm in vms for name in vm.get("volumeTypes") or ()))
    if provider_type == "ovirt":
        disks = (disk for vm in vms for disk in vm.get("disks") or ())
        return _unique(disk.get("storageDomain") for disk in disks if disk.get("storageType") != "lun")
    if provider_type == "openshift":
        return _ids_by_name(storages, _openshift_storage_class_names(vms, details))
    if provider_type == "hyperv":
        return _unique(storage.get("id") for storage in storages)
    if provider_type == "ec2":
        return _ec2_volume_types(vms, storages, details)
    return _unique(dig(disk, "datastore", "id") for vm in vms for disk in vm.get("disks") or ())


def object_meta(obj: dict[str, Any]) -> dict[str, Any]:
    """``metadata`` of a Kubernetes object or of an inventory item ``{name, namespace, object}``."""
    inner = obj.get("object")
    meta = dict(((inner if isinstance(inner, dict) else obj).get("metadata")) or {})
    meta.setdefault("name", obj.get("name"))
    meta.setdefault("namespace", obj.get("namespace"))
    return meta


def require_auto_map_support(provider_type: str, field: str) -> None:
    if provider_type not in AUTO_MAP_PROVIDER_TYPES:
        raise MtvError(
            f"automatic maps are built for {', '.join(AUTO_MAP_PROVIDER_TYPES)} sources, "
            f"not for a {provider_type} provider",
            field=field,
            hint="create the map first and pass its name (network_map / storage_map)",
        )


def default_destination_network(
    nads: Sequence[dict[str, Any]], *, target_namespace: str, plan_namespace: str, requested: str | None
) -> DestinationNetwork:
    """The destination of the first source network, chosen as kubectl-mtv chooses it."""
    if requested:
        if requested == "default":
            return DestinationNetwork(type="pod")
        if requested == "ignored":  # the map type, as kubectl-mtv parses it (network/mapper/vsphere/mapper.go)
            return DestinationNetwork(type="ignored")
        namespace, slash, name = requested.rpartition("/")
        if not name or (slash and not namespace):
            raise MtvError(
                f"{quoted(requested)} is not 'default', 'namespace/name' or 'name'",
                field="default_target_network",
                hint="e.g. 'default' for the pod network or 'app-migrated/br-prod-110'",
            )
        return DestinationNetwork(type="multus", namespace=namespace or plan_namespace, name=name)
    for nad in nads:
        meta = object_meta(nad)
        if meta.get("namespace") in (target_namespace, "default") and meta.get("name"):
            return DestinationNetwork(type="multus", namespace=str(meta["namespace"]), name=str(meta["name"]))
    return DestinationNetwork(type="pod")


def same_name_destinations(
    source_names: Sequence[str], nads: Sequence[dict[str, Any]], *, target_namespace: str
) -> list[DestinationNetwork] | None:
    """OpenShift to OpenShift: each source network to the target NAD of its name, when every one has
    such a NAD (all or nothing, as network/mapper/openshift/mapper.go canMatchAllNetworksByName)."""
    by_name: dict[str, DestinationNetwork] = {}
    for nad in nads:
        meta = object_meta(nad)
        if meta.get("namespace") in (target_namespace, "default") and meta.get("name"):
            by_name.setdefault(
                str(meta["name"]),
                DestinationNetwork(type="multus", namespace=str(meta["namespace"]), name=str(meta["name"])),
            )
    if not source_names or len(source_names) > len(by_name) or any(name not in by_name for name in source_names):
        return None
    return [by_name[name] for name in source_names]


def build_network_map(
    *,
    name: str,
    namespace: str,
    providers: ProviderPair,
    vms: Sequence[dict[str, Any]],
    networks: Sequence[dict[str, Any]],
    default_destination: DestinationNetwork,
    provider_type: str = "vsphere",
    target_nads: Sequence[dict[str, Any]] = (),
    target_namespace: str = "",
) -> NetworkMap:
    """``target_nads`` (in ``target_namespace`` or ``default``) are matched by name for OpenShift sources."""
    names = {str(net.get("id")): net.get("name") for net in networks}
    namespaces = {str(net.get("id")): net.get("namespace") for net in networks}  # OpenShift NADs
    sources = [
        NetworkSource(id=net_id, name=names.get(net_id), namespace=namespaces.get(net_id))
        for net_id in source_network_ids(vms, provider_type, networks)
    ]
    same_name = None
    if provider_type == "openshift":
        source_names = [str(source.name or "") for source in sources]
        same_name = same_name_destinations(source_names, target_nads, target_namespace=target_namespace)
    destinations = same_name or [
        default_destination if index == 0 else DestinationNetwork(type="ignored") for index in range(len(sources))
    ]
    pairs = [NetworkPair(source=source, destination=dest) for source, dest in zip(sources, destinations, strict=True)]
    if not pairs:
        pairs = [NetworkPair(source=NetworkSource(type="pod"), destination=DestinationNetwork(type="pod"))]
    return NetworkMap(
        metadata=ObjectMeta(name=name, namespace=namespace),
        spec=NetworkMapSpec(provider=providers, map=pairs),
    )


def default_storage_class(storage_classes: Sequence[dict[str, Any]], requested: str | None) -> str:
    """The StorageClass every datastore maps to (``""``, the cluster default, when none is known)."""
    if requested:
        return requested
    metas = [object_meta(sc) for sc in storage_classes]
    for annotation in (VIRT_DEFAULT_CLASS, CLUSTER_DEFAULT_CLASS):
        for meta in metas:
            if str(dig(meta, "annotations", annotation)).lower() == "true":
                return str(meta["name"])
    named = [str(meta["name"]) for meta in metas if meta.get("name")]
    for sc_name in named:
        if "virtualization" in sc_name:
            return sc_name
    return named[0] if named else ""


def build_storage_map(
    *,
    name: str,
    namespace: str,
    providers: ProviderPair,
    vms: Sequence[dict[str, Any]],
    datastores: Sequence[dict[str, Any]],
    destination: Callable[[StorageSource], DestinationStorage],
    provider_type: str = "vsphere",
    storage_details: Sequence[dict[str, Any]] = (),
) -> StorageMap:
    """``destination`` chooses where each source goes (``storage_destinations.storage_destination``)."""
    names = {str(ds.get("id")): ds.get("name") for ds in datastores}
    sources = [
        # EC2 storage is named by volume type only (storage/mapper/ec2/mapper.go)
        StorageSource(name=ds_id) if provider_type == "ec2" else StorageSource(id=ds_id, name=names.get(ds_id))
        for ds_id in source_datastore_ids(vms, provider_type, datastores, storage_details)
    ]
    pairs = [StoragePair(source=source, destination=destination(source)) for source in sources]
    return StorageMap(
        metadata=ObjectMeta(name=name, namespace=namespace),
        spec=StorageMapSpec(provider=providers, map=pairs),
    )
