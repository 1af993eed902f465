"""The Forklift inventory held in memory: providers and their collections, with cached JSON bytes.

Shapes follow forklift-model §4: a provider entry at ``detail=0`` is ``{uid, version, namespace,
name, selfLink, id}`` and gains ``type``, ``object`` (the Provider CR), product facts and counts at
``detail>=1``. vSphere/oVirt items at ``detail=0`` keep only their resource fields (``id, parent,
path, revision, name, selfLink``, ...); OpenShift items their envelope (``uid, version, namespace,
name, selfLink, id``). The vSphere ``vms`` list is always full and never lists templates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

PROVIDER_TYPES = ("openshift", "vsphere", "ovirt", "openstack", "ova", "ec2", "hyperv")
COLLECTIONS: Mapping[str, tuple[str, ...]] = {
    "vsphere": ("vms", "hosts", "clusters", "datastores", "networks", "folders", "datacenters"),
    "ovirt": (
        "vms",
        "hosts",
        "clusters",
        "datacenters",
        "networks",
        "storagedomains",
        "disks",
        "diskprofiles",
        "nicprofiles",
        "servercpus",
    ),
    "openstack": (
        "vms",
        "images",
        "flavors",
        "projects",
        "regions",
        "volumes",
        "volumetypes",
        "snapshots",
        "networks",
        "subnets",
    ),
    "openshift": (
        "vms",
        "namespaces",
        "storageclasses",
        "networkattachmentdefinitions",
        "persistentvolumeclaims",
        "datavolumes",
        "instancetypes",
        "clusterinstancetypes",
        "kubevirts",
    ),
    # "storages", as Forklift routes them (pkg/controller/provider/web/ovfbase/storage.go, hyperv/storage.go)
    "ova": ("vms", "networks", "disks", "storages"),
    "ec2": ("vms", "networks", "volumes", "storages"),
    "hyperv": ("vms", "networks", "disks", "storages", "hosts", "clusters"),
}
_RESOURCE_FIELDS = ("id", "variant", "parent", "path", "revision", "name", "description", "selfLink")
_ENVELOPE_FIELDS = ("uid", "version", "namespace", "name", "selfLink", "id")
# Counts a provider entry carries at detail >= 1: key -> collection (vmCount skips templates).
_COUNTS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "vsphere": (
        ("datacenterCount", "datacenters"),
        ("clusterCount", "clusters"),
        ("hostCount", "hosts"),
        ("vmCount", "vms"),
        ("networkCount", "networks"),
        ("datastoreCount", "datastores"),
    ),
    "ovirt": (
        ("datacenterCount", "datacenters"),
        ("clusterCount", "clusters"),
        ("hostCount", "hosts"),
        ("vmCount", "vms"),
        ("networkCount", "networks"),
        ("storageDomainCount", "storagedomains"),
    ),
    "ova": (("vmCount", "vms"), ("networkCount", "networks"), ("storageCount", "storages")),
    "openstack": (
        ("regionCount", "regions"),
        ("projectCount", "projects"),
        ("vmCount", "vms"),
        ("imageCount", "images"),
        ("volumeCount", "volumes"),
        ("volumeTypeCount", "volumetypes"),
        ("networkCount", "networks"),
    ),
    "openshift": (
        ("vmCount", "vms"),
        ("networkCount", "networkattachmentdefinitions"),
        ("storageClassCount", "storageclasses"),
    ),
}


def to_json(data: Any) -> bytes:
    """Compact JSON bytes (the inventory's wire format)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


def listed(provider_type: str, collection: str, item: Mapping[str, Any]) -> bool:
    """Whether a list returns ``item`` (Forklift skips vSphere templates)."""
    return not (provider_type == "vsphere" and collection == "vms" and item.get("isTemplate"))


@dataclass
class Provider:
    """One provider: its CR, extra detail fields and collections (lists of full objects)."""

    type: str
    object: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)
    collections: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    _bytes: dict[tuple[str, bool], bytes] = field(default_factory=dict, repr=False)
    _index: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict, repr=False)

    @property
    def uid(self) -> str:
        return str(self.object["metadata"]["uid"])

    @property
    def namespace(self) -> str:
        return str(self.object["metadata"].get("namespace", ""))

    def entry(self, detail: int) -> dict[str, Any]:
        """The provider as ``/providers`` lists it at ``detail``."""
        meta = self.object["metadata"]
        base = {
            "uid": self.uid,
            "version": str(meta.get("resourceVersion") or meta.get("generation") or "1"),
            "namespace": meta.get("namespace", ""),
            "name": meta["name"],
            "selfLink": f"providers/{self.type}/{self.uid}",
            "id": self.uid,
        }
        if detail < 1:
            return base
        counts = {
            key: sum(1 for item in self.collections.get(coll, []) if listed(self.type, coll, item))
            for key, coll in _COUNTS.get(self.type, ())
        }
        return {**base, "type": self.type, "object": self.object, **self.extra, **counts}

    def items(self, collection: str) -> list[dict[str, Any]]:
        """The listed items of a collection (empty for a known collection without data)."""
        return [item for item in self.collections.get(collection, []) if listed(self.type, collection, item)]

    def list_bytes(self, collection: str, detail: int) -> bytes:
        """The JSON of a collection list, serialised once per (collection, full/summary)."""
        full = detail >= 1 or (self.type == "vsphere" and collection == "vms")
        key = (collection, full)
        if key not in self._bytes:
            items = self.items(collection)
            self._bytes[key] = to_json(items if full else [summary(self.type, item) for item in items])
        return self._bytes[key]

    def get(self, collection: str, ident: str) -> dict[str, Any] | None:
        """One object by id (templates included), or None."""
        if collection not in self._index:
            self._index[collection] = {str(item.get("id")): item for item in self.collections.get(collection, [])}
        return self._index[collection].get(ident)


def summary(provider_type: str, item: Mapping[str, Any]) -> dict[str, Any]:
    """An item at ``detail=0``."""
    fields = _ENVELOPE_FIELDS if provider_type == "openshift" else _RESOURCE_FIELDS
    return {key: item[key] for key in fields if key in item}


@dataclass
class Inventory:
    """All providers of an inventory service."""

    providers: list[Provider] = field(default_factory=list)

    def find(self, provider_type: str, uid: str) -> Provider | None:
        """The provider of that type and UID, or None."""
        return next((p for p in self.providers if p.type == provider_type and p.uid == uid), None)

    def of_type(self, provider_type: str) -> list[Provider]:
        return [p for p in self.providers if p.type == provider_type]

    def replace(self, provider: Provider) -> None:
        """Put ``provider`` in place of the one with its UID (or add it)."""
        self.providers = [p for p in self.providers if p.uid != provider.uid] + [provider]
