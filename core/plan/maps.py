"""The NetworkMap and StorageMap ``kubectl mtv create plan`` builds when none is given (§2.2).

Network: the source networks of the plan's VMs; the first maps to the default target (the
``default_target_network`` argument, else the first NetworkAttachmentDefinition in the target
namespace or ``default``, else the pod network), every other one to ``ignored``. Storage: the
datastores of the VMs' disks, all to one StorageClass (the argument, else the default virt class,
else the cluster default, else a name containing "virtualization", else the first, else ``""``:
Forklift's ``DestinationStorage.storageClass`` has no ``omitempty``, and kubectl-mtv writes the empty
name when it sees no StorageClass, which leaves the choice to the cluster's default class —
kubev2v/kubectl-mtv ``pkg/cmd/create/plan/storage/mapper/vsphere/mapper.go``).

kubectl-mtv gathers the source ids in a Go map, so its "first" network is random; here the order
is the order of first appearance in the plan's VMs, which makes the result reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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

AUTO_MAP_PROVIDER_TYPES = ("vsphere", "ova", "openstack")
# The source collections whose ids the automatic maps name: (networks, storage), per provider type.
SOURCE_COLLECTIONS = {
    "vsphere": ("networks", "datastores"),
    "ova": ("networks", "storages"),
    "openstack": ("networks", "volumetypes"),
}
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


def source_network_ids(
    vms: Sequence[dict[str, Any]], provider_type: str = "vsphere", networks: Sequence[dict[str, Any]] = ()
) -> list[str]:
    """Network ids of the VMs, in order of first appearance, read as kubectl-mtv's network fetchers
    read them (pkg/cmd/create/plan/network/fetchers/): vSphere ``networks[].id``, OVA
    ``networks[].ID``, OpenStack the network names keying ``addresses`` (ids from ``networks``)."""
    if provider_type == "ova":
        return _unique(ref.get("ID") for vm in vms for ref in vm.get("networks") or ())
    if provider_type == "openstack":
        return _ids_by_name(networks, (name for vm in vms for name in vm.get("addresses") or {}))
    return _unique(ref.get("id") for vm in vms for ref in vm.get("networks") or ())


def source_datastore_ids(
    vms: Sequence[dict[str, Any]], provider_type: str = "vsphere", storages: Sequence[dict[str, Any]] = ()
) -> list[str]:
    """Storage ids of the VMs' disks, in order of first appearance, as kubectl-mtv's storage fetchers
    read them (pkg/cmd/create/plan/storage/fetchers/): vSphere ``disks[].datastore.id``, OVA
    ``disks[].ID`` (its storages), OpenStack the volume types of the attached volumes (ids from
    ``volumetypes``; the computed ``volumeTypes`` holds their names)."""
    if provider_type == "ova":
        return _unique(disk.get("ID") for vm in vms for disk in vm.get("disks") or ())
    if provider_type == "openstack":
        return _ids_by_name(storages, (name for vm in vms for name in vm.get("volumeTypes") or ()))
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
            f"automatic maps are built for vSphere, OVA and OpenStack sources, not for a {provider_type} provider",
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


def build_network_map(
    *,
    name: str,
    namespace: str,
    providers: ProviderPair,
    vms: Sequence[dict[str, Any]],
    networks: Sequence[dict[str, Any]],
    default_destination: DestinationNetwork,
    provider_type: str = "vsphere",
) -> NetworkMap:
    names = {str(net.get("id")): net.get("name") for net in networks}
    pairs = [
        NetworkPair(
            source=NetworkSource(id=net_id, name=names.get(net_id)),
            destination=default_destination if index == 0 else DestinationNetwork(type="ignored"),
        )
        for index, net_id in enumerate(source_network_ids(vms, provider_type, networks))
    ]
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
    storage_class: str,
    provider_type: str = "vsphere",
) -> StorageMap:
    names = {str(ds.get("id")): ds.get("name") for ds in datastores}
    pairs = [
        StoragePair(
            source=StorageSource(id=ds_id, name=names.get(ds_id)),
            destination=DestinationStorage(storage_class=storage_class),
        )
        for ds_id in source_datastore_ids(vms, provider_type, datastores)
    ]
    return StorageMap(
        metadata=ObjectMeta(name=name, namespace=namespace),
        spec=StorageMapSpec(provider=providers, map=pairs),
    )
