"""Build the Plan and its automatic NetworkMap/StorageMap as ``kubectl mtv create plan`` would.

The objects are the JSON to send (creation order: NetworkMap, StorageMap, Plan). kubectl-mtv's
dry-run also prints ``creationTimestamp: null`` and ``status: {migration: {}}``; those are
server-side fields and left out here. After the Plan is created, patch each map this build
created with ``map_owner_patch(created_plan)`` (kubectl-mtv does the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from pydantic import BaseModel, Field

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_models import Affinity
from mtv_mcp.core.plan import checks, maps
from mtv_mcp.core.plan.kubectl_command import CommandLine, vms_flag_value
from mtv_mcp.core.plan.labels import check_labels, parse_key_values
from mtv_mcp.core.plan.models import (
    NetworkMap,
    ObjectMeta,
    ObjectReference,
    Plan,
    PlanMap,
    PlanSpec,
    PlanVM,
    ProviderPair,
    StorageMap,
)
from mtv_mcp.core.plan.request import PlanRequest
from mtv_mcp.core.plan.storage_destinations import storage_destination


class PlanBuild(BaseModel):
    """The objects to create (typed; ``objects()`` is their JSON), what to tell the user, and the
    equivalent kubectl-mtv command."""

    plan: Plan
    network_map: NetworkMap | None = Field(description="None when an existing map was named")
    storage_map: StorageMap | None = Field(description="None when an existing map was named, or type conversion")
    warnings: list[str]
    defaults: list[str] = Field(description="Defaults filled in, as kubectl-mtv reports them")
    kubectl_command: str
    kubectl_notes: list[str] = Field(description="What the command cannot express, and how to set it")

    def objects(self) -> list[dict[str, Any]]:
        """The objects to send, in creation order: NetworkMap, StorageMap, Plan."""
        return [obj.to_kube() for obj in (self.network_map, self.storage_map, self.plan) if obj is not None]


def objects_as_yaml(build: PlanBuild) -> str:
    """YAML documents, each after ``---``, keys sorted like kubectl-mtv's dry-run output."""
    return "".join("---\n" + yaml.safe_dump(obj, sort_keys=True) for obj in build.objects())


def owner_reference(created_plan: dict[str, Any]) -> dict[str, Any]:
    """The ownerReference kubectl-mtv puts on the maps it created, from the Plan as created."""
    meta = created_plan.get("metadata") or {}
    if not meta.get("uid"):
        raise MtvError("the Plan has no metadata.uid yet", hint="pass the Plan as the API server returned it")
    return {
        "apiVersion": created_plan.get("apiVersion"),
        "kind": created_plan.get("kind"),
        "name": meta.get("name"),
        "uid": meta["uid"],
        "controller": True,
    }


def map_owner_patch(created_plan: dict[str, Any]) -> dict[str, Any]:
    """The merge patch that makes a map owned by the Plan."""
    return {"metadata": {"ownerReferences": [owner_reference(created_plan)]}}


def _labels(value: Any, field: str) -> dict[str, str]:
    mapping = parse_key_values(value, field)
    check_labels(mapping, field)
    return mapping


def _provider(obj: dict[str, Any], field: str) -> tuple[str, str, str]:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    if not meta.get("name") or not meta.get("namespace"):
        raise MtvError("the Provider object lacks metadata.name or metadata.namespace", field=field)
    return str(meta["name"]), str(meta["namespace"]), str(spec.get("type") or "")


@dataclass(frozen=True)
class _Inputs:
    """What the cluster and the inventory contributed."""

    vms: list[dict[str, Any]]
    networks: Sequence[dict[str, Any]]
    datastores: Sequence[dict[str, Any]]
    storage_classes: Sequence[dict[str, Any]]
    nads: Sequence[dict[str, Any]]
    forklift_version: str | None
    storage_details: Sequence[dict[str, Any]]


@dataclass(frozen=True)
class _Placement:
    """The request's placement fields, checked and parsed."""

    target_namespace: str
    convertor_labels: dict[str, str]
    convertor_selector: dict[str, str]
    convertor_affinity: Affinity | None
    target_labels: dict[str, str]
    target_selector: dict[str, str]
    target_affinity: Affinity | None


@dataclass(frozen=True)
class _Providers:
    """Source and destination, as the Plan references them."""

    source_name: str
    source_namespace: str
    source_type: str
    pair: ProviderPair


@dataclass(frozen=True)
class _Maps:
    """The maps the plan references, and the ones this build creates."""

    network_ref: ObjectReference
    storage_ref: ObjectReference
    network_map: NetworkMap | None
    storage_map: StorageMap | None


def _check(request: PlanRequest, vms: list[dict[str, Any]]) -> _Placement:
    """Names, labels, selectors and affinities of the request, and the VMs (errors name the argument)."""
    checks.check_dns_label(request.name, "name")
    checks.check_dns_label(request.namespace, "namespace")
    target_namespace = request.target_namespace or request.namespace
    checks.check_dns_label(target_namespace, "target_namespace")
    convertor_labels = _labels(request.convertor_labels, "convertor_labels")
    checks.check_convertor_label_keys(convertor_labels)
    placement = _Placement(
        target_namespace=target_namespace,
        convertor_labels=convertor_labels,
        convertor_selector=_labels(request.convertor_node_selector, "convertor_node_selector"),
        convertor_affinity=request.convertor_affinity or None,
        target_labels=_labels(request.target_labels, "target_labels"),
        target_selector=_labels(request.target_node_selector, "target_node_selector"),
        target_affinity=request.target_affinity or None,
    )
    checks.check_vms(vms)
    return placement


def _resolve_providers(
    request: PlanRequest, source_provider: dict[str, Any], target_provider: dict[str, Any], defaults: list[str]
) -> _Providers:
    """The providers, checked against the migration type (``defaults`` gets what was filled in)."""
    source_name, source_ns, source_type = _provider(source_provider, "source")
    target_name, target_ns, target_type = _provider(target_provider, "target")
    if target_type != "openshift":
        raise MtvError(
            f"the target provider {target_name!r} is of type {target_type or 'unknown'}, not openshift",
            field="target",
            hint="migrate to an OpenShift/KubeVirt provider, usually 'host'",
        )
    if request.target_provider is None:
        defaults.append(f"No target provider specified, using default OpenShift provider: {target_name}")
    if request.target_namespace is None:
        defaults.append(f"No target namespace specified, using plan namespace: {request.namespace}")
    if request.migration_type == "live" and source_type != "openshift":
        raise MtvError(
            f"live migration moves VMs between OpenShift clusters; {source_name!r} is a {source_type} provider",
            field="migration_type",
            hint="use cold or warm for this source",
        )
    if request.migration_type == "conversion" and request.storage_map:
        raise MtvError(
            "a conversion-only plan must not have a storage map",
            field="storage_map",
            hint="drop storage_map; conversion works on PVCs that already exist",
        )
    pair = ProviderPair(
        source=ObjectReference.forklift("Provider", source_name, source_ns),
        destination=ObjectReference.forklift("Provider", target_name, target_ns),
    )
    return _Providers(source_name, source_ns, source_type, pair)


def _network_map(
    request: PlanRequest, providers: _Providers, target_namespace: str, inputs: _Inputs
) -> tuple[str, NetworkMap | None]:
    """The named NetworkMap, or a new one for the VMs' networks."""
    if request.network_map is not None:
        return request.network_map, None
    maps.require_auto_map_support(providers.source_type, "network_map")
    name = maps.network_map_name(request.name)
    destination = maps.default_destination_network(
        () if providers.source_type == "ec2" else inputs.nads,  # EC2: the pod network (network/mapper/ec2)
        target_namespace=target_namespace,
        plan_namespace=request.namespace,
        requested=request.default_target_network,
    )
    built = maps.build_network_map(
        name=name,
        namespace=request.namespace,
        providers=providers.pair,
        vms=inputs.vms,
        networks=inputs.networks,
        default_destination=destination,
        provider_type=providers.source_type,
        target_nads=inputs.nads,
        target_namespace=target_namespace,
    )
    return name, built


def _storage_map(
    request: PlanRequest, providers: _Providers, inputs: _Inputs, warnings: list[str]
) -> tuple[ObjectReference, StorageMap | None]:
    """The named StorageMap, or a new one for the VMs' datastores (none for type conversion)."""
    if request.migration_type == "conversion":
        return ObjectReference(), None
    if request.storage_map is not None:
        return ObjectReference.forklift("StorageMap", request.storage_map, request.namespace), None
    maps.require_auto_map_support(providers.source_type, "storage_map")
    name = maps.storage_map_name(request.name)
    storage_class = maps.default_storage_class(inputs.storage_classes, request.default_target_storage_class)
    if not storage_class:
        warnings.append(
            "no StorageClass was visible, so the storage map names none (storageClass ''): the disks get "
            "the cluster's default StorageClass; pass default_target_storage_class to choose one"
        )
    built = maps.build_storage_map(
        name=name,
        namespace=request.namespace,
        providers=providers.pair,
        vms=inputs.vms,
        datastores=inputs.datastores,
        destination=lambda source: storage_destination(
            source,
            provider_type=providers.source_type,
            default_class=storage_class,
            storage_classes=inputs.storage_classes,
            requested=request.default_target_storage_class,
        ),
        provider_type=providers.source_type,
        storage_details=inputs.storage_details,
    )
    return ObjectReference.forklift("StorageMap", name, request.namespace), built


def _maps(
    request: PlanRequest, providers: _Providers, placement: _Placement, inputs: _Inputs, warnings: list[str]
) -> _Maps:
    network_name, network_map = _network_map(request, providers, placement.target_namespace, inputs)
    storage_ref, storage_map = _storage_map(request, providers, inputs, warnings)
    return _Maps(
        network_ref=ObjectReference.forklift("NetworkMap", network_name, request.namespace),
        storage_ref=storage_ref,
        network_map=network_map,
        storage_map=storage_map,
    )


def _spec(
    request: PlanRequest,
    placement: _Placement,
    providers: _Providers,
    plan_maps: _Maps,
    vms: list[dict[str, Any]],
    forklift_version: str | None,
) -> PlanSpec:
    """The Plan spec; ``pvcNameTemplateUseGenerateName`` stays unset, so Forklift picks it per source
    (false for OpenShift, true otherwise: kubev2v/forklift pkg/controller/plan/adapter/base/template.go;
    the CRD of 2.10/2.11 defaults it to true)."""
    return PlanSpec(
        target_namespace=placement.target_namespace,
        provider=providers.pair,
        map=PlanMap(network=plan_maps.network_ref, storage=plan_maps.storage_ref),
        vms=[
            PlanVM(id=str(vm["id"]), name=str(vm.get("name") or vm["id"]), namespace=vm.get("namespace")) for vm in vms
        ],
        type=request.migration_type,
        warm=True if request.migration_type == "warm" else None,
        target_labels=placement.target_labels or None,
        target_node_selector=placement.target_selector or None,
        target_affinity=placement.target_affinity,
        target_power_state=request.target_power_state,
        convertor_labels=placement.convertor_labels or None,
        convertor_node_selector=placement.convertor_selector or None,
        convertor_affinity=placement.convertor_affinity,
        conversion_temp_storage_class=request.conversion_temp_storage_class,
        conversion_temp_storage_size=request.conversion_temp_storage_size,
        preserve_static_ips=True,
        migrate_shared_disks=True,
        run_preflight_inspection=True,
        use_compatibility_mode=True,
        delete_vm_on_fail_migration=checks.delete_vm_on_fail_default(forklift_version),
    )


def _warnings(
    request: PlanRequest, spec: PlanSpec, placement: _Placement, providers: _Providers, inputs: _Inputs
) -> list[str]:
    """What the user should know about fields this Forklift or provider ignores, and about the VMs."""
    written = spec.to_kube()
    set_fields = [name for name in checks.FIELDS_SINCE if name in written]
    return [
        *checks.version_warnings(set_fields, inputs.forklift_version),
        *checks.provider_warnings(set_fields, providers.source_type),
        *checks.warm_migration_warnings(set_fields, request.migration_type),
        *checks.spreading_warnings(placement.convertor_affinity),
        *checks.target_label_warnings(placement.target_labels),
        *checks.critical_concern_warnings(inputs.vms),
    ]


def build_plan_objects(  # noqa: PLR0913 - keyword-only facts from the cluster and the inventory
    request: PlanRequest,
    *,
    source_provider: dict[str, Any],
    target_provider: dict[str, Any],
    vms: list[dict[str, Any]],
    networks: Sequence[dict[str, Any]] = (),
    datastores: Sequence[dict[str, Any]] = (),
    storage_classes: Sequence[dict[str, Any]] = (),
    nads: Sequence[dict[str, Any]] = (),
    forklift_version: str | None = None,
    inventory_names: Sequence[str] = (),
    storage_details: Sequence[dict[str, Any]] = (),
) -> PlanBuild:
    """Check the request and build the objects (raises ``MtvError`` naming the bad argument).

    ``vms`` are inventory VM records (vSphere shape: ``id``, ``name``, ``networks[]``,
    ``disks[].datastore``, ``concerns[]``); ``networks``/``datastores`` are the source inventory's
    collections (for names); ``storage_details`` the source's ``maps.STORAGE_DETAIL_COLLECTIONS``
    collection (OpenShift PVCs, EC2 storages); ``storage_classes``/``nads`` come from the target cluster (Kubernetes
    objects or inventory items). ``forklift_version`` like ``2.12.5`` (None: unknown).
    ``inventory_names`` are the names of all the source provider's VMs (names that repeat there make
    the command select VMs by id).
    ``target_provider`` is the resolved destination Provider (the user's or the default one);
    ``request.target_provider`` tells whether the user named it (only then the command has ``--target``).
    Errors name the create_plan argument (``source``, ``target``, ...).

    Steps: check the request → resolve the providers → the maps → the spec → the warnings.
    """
    inputs = _Inputs(vms, networks, datastores, storage_classes, nads, forklift_version, storage_details)
    placement = _check(request, vms)
    defaults: list[str] = []
    providers = _resolve_providers(request, source_provider, target_provider, defaults)
    warnings = checks.check_temp_storage(
        request.conversion_temp_storage_class, request.conversion_temp_storage_size, storage_classes
    )
    plan_maps = _maps(request, providers, placement, inputs, warnings)
    spec = _spec(request, placement, providers, plan_maps, vms, forklift_version)
    plan = Plan(metadata=ObjectMeta(name=request.name, namespace=request.namespace), spec=spec)
    warnings += _warnings(request, spec, placement, providers, inputs)
    command, notes = _command(request, spec, providers, inventory_names)
    network_map = plan_maps.network_map
    if network_map is not None and len(network_map.spec.map) > 1:
        first = network_map.spec.map[0].source
        notes.append(
            "kubectl-mtv picks which source network gets the default target in random order; "
            f"this plan maps {first.name or first.id} and ignores the others"
        )
    return PlanBuild(
        plan=plan,
        network_map=network_map,
        storage_map=plan_maps.storage_map,
        warnings=warnings,
        defaults=defaults,
        kubectl_command=command,
        kubectl_notes=notes,
    )


def _command(
    request: PlanRequest, spec: PlanSpec, providers: _Providers, inventory_names: Sequence[str]
) -> tuple[str, list[str]]:
    """The command for what the user asked for: ``--target`` only when they named a target."""
    source_name, source_ns = providers.source_name, providers.source_namespace
    line = CommandLine(words=["kubectl", "mtv", "create", "plan", request.name, "-n", request.namespace])
    line.add("--source", source_name if source_ns == request.namespace else f"{source_ns}/{source_name}")
    if request.target_provider is not None:
        destination = spec.provider.destination
        target = (
            destination.name
            if destination.namespace == request.namespace
            else f"{destination.namespace}/{destination.name}"
        )
        line.add("--target", target)
    line.add("--target-namespace", request.target_namespace)
    line.add("--migration-type", request.migration_type)
    vms_text, vm_notes = vms_flag_value([(vm.id, vm.name) for vm in spec.vms], inventory_names)
    line.add("--vms", vms_text)
    line.notes.extend(vm_notes)
    line.add("--network-mapping", request.network_map)
    line.add("--storage-mapping", request.storage_map)
    line.add("--default-target-network", request.default_target_network)
    line.add("--default-target-storage-class", request.default_target_storage_class)
    line.add_map("--target-labels", spec.target_labels or {})
    line.add_map("--target-node-selector", spec.target_node_selector or {})
    line.add_affinity("--target-affinity", "targetAffinity", spec.target_affinity)
    line.add("--target-power-state", spec.target_power_state)
    line.add_map("--convertor-labels", spec.convertor_labels or {})
    line.add_map("--convertor-node-selector", spec.convertor_node_selector or {})
    line.add_affinity("--convertor-affinity", "convertorAffinity", spec.convertor_affinity)
    line.add("--conversion-temp-storage-class", spec.conversion_temp_storage_class)
    line.add("--conversion-temp-storage-size", spec.conversion_temp_storage_size)
    if providers.source_type == "openshift":  # kubectl-mtv forces true; Forklift's default here is false
        line.add("--pvc-name-template-use-generate-name", "false")
    return line.render(request.name, request.namespace), line.notes
