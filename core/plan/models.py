"""Pydantic models of the Forklift objects a plan needs: Plan, NetworkMap, StorageMap.

Python names are snake_case, the wire form (``to_kube()``) is Forklift's camelCase JSON with
unset fields omitted, as Go's ``omitempty`` serialises the typed objects kubectl-mtv builds.
Only the spec fields this project writes are modelled (forklift-model §1.1, §1.2, §2.2).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ConfigDict, Field

from mtv_mcp.core.kube_models import Affinity, KubeModel

API_VERSION = "forklift.konveyor.io/v1beta1"
MigrationType = Literal["cold", "warm", "live", "conversion"]
PowerState = Literal["on", "off", "auto"]


class ObjectReference(KubeModel):
    """A core/v1 ObjectReference; an empty one serialises as ``{}``."""

    kind: str | None = None
    namespace: str | None = None
    name: str | None = None
    uid: str | None = None
    api_version: str | None = None

    @classmethod
    def forklift(cls, kind: str, name: str, namespace: str) -> ObjectReference:
        """A reference to a Forklift object, filled as kubectl-mtv fills it."""
        return cls(kind=kind, api_version=API_VERSION, name=name, namespace=namespace)


class OwnerReference(KubeModel):
    api_version: str
    kind: str
    name: str
    uid: str
    controller: bool | None = None


class ObjectMeta(KubeModel):
    name: str
    namespace: str
    owner_references: list[OwnerReference] | None = None


class ProviderPair(KubeModel):
    source: ObjectReference
    destination: ObjectReference


class PlanVM(KubeModel):
    """One ``spec.vms[]`` item; ``luks`` is not omitempty in Forklift, so it is always ``{}``."""

    id: str
    name: str
    namespace: str | None = None
    luks: ObjectReference = Field(default_factory=ObjectReference)


class PlanMap(KubeModel):
    network: ObjectReference
    storage: ObjectReference


class PlanSpec(KubeModel):
    description: str | None = None
    target_namespace: str
    provider: ProviderPair
    map: PlanMap
    vms: list[PlanVM]
    type: MigrationType | None = None
    warm: bool | None = None
    target_labels: dict[str, str] | None = None
    target_node_selector: dict[str, str] | None = None
    target_affinity: Affinity | None = None
    target_power_state: PowerState | None = None
    convertor_labels: dict[str, str] | None = None
    convertor_node_selector: dict[str, str] | None = None
    convertor_affinity: Affinity | None = None
    conversion_temp_storage_class: str | None = None
    conversion_temp_storage_size: str | None = None
    preserve_static_ips: bool | None = Field(None, alias="preserveStaticIPs")
    migrate_shared_disks: bool | None = None
    pvc_name_template_use_generate_name: bool | None = None
    delete_vm_on_fail_migration: bool | None = None
    run_preflight_inspection: bool | None = None
    use_compatibility_mode: bool | None = None


class Plan(KubeModel):
    api_version: str = API_VERSION
    kind: Literal["Plan"] = "Plan"
    metadata: ObjectMeta
    spec: PlanSpec


class NetworkSource(KubeModel):
    id: str | None = None
    name: str | None = None
    namespace: str | None = None
    type: str | None = None


class DestinationNetwork(KubeModel):
    type: Literal["pod", "multus", "ignored"]
    namespace: str | None = None
    name: str | None = None


class NetworkPair(KubeModel):
    source: NetworkSource
    destination: DestinationNetwork


class NetworkMapSpec(KubeModel):
    provider: ProviderPair
    map: list[NetworkPair]


class NetworkMap(KubeModel):
    api_version: str = API_VERSION
    kind: Literal["NetworkMap"] = "NetworkMap"
    metadata: ObjectMeta
    spec: NetworkMapSpec


class StorageSource(KubeModel):
    id: str | None = None
    name: str | None = None


class DestinationStorage(KubeModel):
    storage_class: str
    volume_mode: Literal["Filesystem", "Block"] | None = None
    access_mode: Literal["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"] | None = None


class StoragePair(KubeModel):
    source: StorageSource
    destination: DestinationStorage


class StorageMapSpec(KubeModel):
    provider: ProviderPair
    map: list[StoragePair]


class StorageMap(KubeModel):
    api_version: str = API_VERSION
    kind: Literal["StorageMap"] = "StorageMap"
    metadata: ObjectMeta
    spec: StorageMapSpec

    def to_kube(self) -> dict[str, Any]:
        """As ``KubeModel.to_kube``, but the CRD requires ``spec.map`` even when no VM has a disk."""
        out = super().to_kube()
        out["spec"].setdefault("map", [])
        return out


class Placement(KubeModel):
    """Where a plan's convertor pods and migrated VMs may run: the placement fields of a Plan spec."""

    model_config = ConfigDict(extra="ignore")

    convertor_labels: dict[str, str] | None = None
    convertor_node_selector: dict[str, str] | None = None
    convertor_affinity: Affinity | None = None
    target_labels: dict[str, str] | None = None
    target_node_selector: dict[str, str] | None = None
    target_affinity: Affinity | None = None

    @classmethod
    def of(cls, spec: PlanSpec) -> Placement:
        """The placement of a spec this program built."""
        return cls(**{name: getattr(spec, name) for name in cls.model_fields})

    @classmethod
    def from_kube(cls, spec: Mapping[str, Any]) -> Placement:
        """The placement of a Plan spec read from the cluster (empty fields count as unset)."""

        def affinity(key: str) -> Affinity | None:
            value = spec.get(key)
            return Affinity.from_kube(value, field=f"spec.{key}") if value else None

        return cls(
            convertor_labels=spec.get("convertorLabels") or None,
            convertor_node_selector=spec.get("convertorNodeSelector") or None,
            convertor_affinity=affinity("convertorAffinity"),
            target_labels=spec.get("targetLabels") or None,
            target_node_selector=spec.get("targetNodeSelector") or None,
            target_affinity=affinity("targetAffinity"),
        )
