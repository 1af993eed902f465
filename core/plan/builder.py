"""Build the Plan and its automatic NetworkMap/StorageMap as ``kubectl mtv create plan`` would.

The objects are the JSON to send (creation order: NetworkMap, StorageMap, Plan). kubectl-mtv's
dry-run also prints ``creationTimestamp: null`` and ``status: {migration: {}}``; those are
server-side fields and left out here. After the Plan is created, patch each map this build
created with ``map_owner_patch(created_plan)`` (kubectl-mtv does the same).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml
from pydantic import BaseModel, Field

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_models import Affinity
from mtv_mcp.core.plan import checks, maps
from mtv_mcp.core.plan.kubectl_command import CommandLine, vms_flag_value
from mtv_mcp.core.plan.labels import check_labels, parse_key_values
from mtv_mcp.core.plan.models import (
    ObjectMeta,
    ObjectReference,
    Plan,
    PlanMap,
    PlanSpec,
    PlanVM,
    ProviderPair,
)
from mtv_mcp.core.plan.request import PlanRequest


class PlanBuild(BaseModel):
    """The objects to create, what to tell the user, and the equivalent kubectl-mtv command."""

    plan: dict[str, Any]
    network_map: dict[str, Any] | None = Field(description="None when an existing map was named")
    storage_map: dict[str, Any] | None = Field(description="None when an existing map was named, or type conversion")
    warnings: list[str]
    defaults: list[str] = Field(description="Defaults filled in, as kubectl-mtv reports them")
    kubectl_command: str
    kubectl_notes: list[str] = Field(description="What the command cannot express, and how to set it")

    def objects(self) -> list[dict[str, Any]]:
        """The objects in creation order: NetworkMap, StorageMap, Plan."""
        return [obj for obj in (self.network_map, self.storage_map, self.plan) if obj is not None]


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


def _affinity(value: dict[str, Any] | None, field: str) -> Affinity | None:
    return Affinity.from_kube(value, field=field) if value else None


def _labels(value: Any, field: str) -> dict[str, str]:
    mapping = parse_key_values(value, field)
    check_labels(mapping, field)
    return mapping


def _provider(obj: dict[str, Any], field: str) -> tuple[str, str, str]:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    if not meta.get("name") or not meta.get("namespace"):
        raise MtvError("the Provider object lacks metadata.name or metadata.namespace", field=field)
    return str(meta["name"]), str(meta["namespace"]), str(spec.get("type") or "")


def build_plan_objects(
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
) -> PlanBuild:
    """Check the request and build the objects (raises ``MtvError`` naming the bad argument).

    ``vms`` are inventory VM records (vSphere shape: ``id``, ``name``, ``networks[]``,
    ``disks[].datastore``, ``concerns[]``); ``networks``/``datastores`` are the source inventory's
    collections (for names); ``storage_classes``/``nads`` come from the target cluster (Kubernetes
    objects or inventory items). ``forklift_version`` like ``2.12.5`` (None: unknown).
    ``target_provider`` is the resolved destination Provider (the user's or the default one);
    ``request.target_provider`` tells whether the user named it (only then the command has ``--target``).
    Errors name the create_plan argument (``source``, ``target``, ...).
    """
    checks.check_dns_label(request.name, "name")
    checks.check_dns_label(request.namespace, "namespace")
    target_namespace = request.target_namespace or request.namespace
    checks.check_dns_label(target_namespace, "target_namespace")
    convertor_labels = _labels(request.convertor_labels, "convertor_labels")
    checks.check_convertor_label_keys(convertor_labels)
    convertor_selector = _labels(request.convertor_node_selector, "convertor_node_selector")
    target_labels = _labels(request.target_labels, "target_labels")
    target_selector = _labels(request.target_node_selector, "target_node_selector")
    convertor_affinity = _affinity(request.convertor_affinity, "convertor_affinity")
    target_affinity = _affinity(request.target_affinity, "target_affinity")
    checks.check_vms(vms)

    source_name, source_ns, source_type = _provider(source_provider, "source")
    defaults: list[str] = []
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
        defaults.append(f"No target namespace specified, using plan namespace: {target_namespace}")

    migration_type = request.migration_type
    if migration_type == "live" and source_type != "openshift":
        raise MtvError(
            f"live migration moves VMs between OpenShift clusters; {source_name!r} is a {source_type} provider",
            field="migration_type",
            hint="use cold or warm for this source",
        )
    if migration_type == "conversion" and request.storage_map:
        raise MtvError(
            "a conversion-only plan must not have a storage map",
            field="storage_map",
            hint="drop storage_map; conversion works on PVCs that already exist",
        )
    warnings = checks.check_temp_storage(
        request.conversion_temp_storage_class, request.conversion_temp_storage_size, storage_classes
    )

    providers = ProviderPair(
        source=ObjectReference.forklift("Provider", source_name, source_ns),
        destination=ObjectReference.forklift("Provider", target_name, target_ns),
    )
    network_map = None
    network_map_name = request.network_map
    if network_map_name is None:
        maps.require_auto_map_support(source_type, "network_map")
        network_map_name = maps.network_map_name(request.name)
        destination = maps.default_destination_network(
            nads,
            target_namespace=target_namespace,
            plan_namespace=request.namespace,
            requested=request.default_target_network,
        )
        network_map = maps.build_network_map(
            name=network_map_name,
            namespace=request.namespace,
            providers=providers,
            vms=vms,
            networks=networks,
            default_destination=destination,
        )
    storage_map = None
    storage_ref = ObjectReference()
    if migration_type != "conversion":
        storage_map_name = request.storage_map
        if storage_map_name is None:
            maps.require_auto_map_support(source_type, "storage_map")
            storage_map_name = maps.storage_map_name(request.name)
            storage_class = maps.default_storage_class(storage_classes, request.default_target_storage_class)
            if not storage_class:
                warnings.append(
                    "no StorageClass was visible, so the storage map names none (storageClass ''): the disks get "
                    "the cluster's default StorageClass; pass default_target_storage_class to choose one"
                )
            storage_map = maps.build_storage_map(
                name=storage_map_name,
                namespace=request.namespace,
                providers=providers,
                vms=vms,
                datastores=datastores,
                storage_class=storage_class,
            )
        storage_ref = ObjectReference.forklift("StorageMap", storage_map_name, request.namespace)

    spec = PlanSpec(
        target_namespace=target_namespace,
        provider=providers,
        map=PlanMap(
            network=ObjectReference.forklift("NetworkMap", network_map_name, request.namespace),
            storage=storage_ref,
        ),
        vms=[
            PlanVM(id=str(vm["id"]), name=str(vm.get("name") or vm["id"]), namespace=vm.get("namespace")) for vm in vms
        ],
        type=migration_type,
        warm=True if migration_type == "warm" else None,
        target_labels=target_labels or None,
        target_node_selector=target_selector or None,
        target_affinity=target_affinity,
        target_power_state=request.target_power_state,
        convertor_labels=convertor_labels or None,
        convertor_node_selector=convertor_selector or None,
        convertor_affinity=convertor_affinity,
        conversion_temp_storage_class=request.conversion_temp_storage_class,
        conversion_temp_storage_size=request.conversion_temp_storage_size,
        preserve_static_ips=True,
        migrate_shared_disks=True,
        pvc_name_template_use_generate_name=True,
        run_preflight_inspection=True,
        use_compatibility_mode=True,
    )
    plan = Plan(metadata=ObjectMeta(name=request.name, namespace=request.namespace), spec=spec).to_kube()
    set_fields = [name for name in checks.FIELDS_SINCE if name in plan["spec"]]
    warnings += checks.version_warnings(set_fields, forklift_version)
    warnings += checks.provider_warnings(set_fields, source_type)
    warnings += checks.warm_migration_warnings(set_fields, request.migration_type)
    warnings += checks.spreading_warnings(convertor_affinity)
    warnings += checks.target_label_warnings(target_labels)
    warnings += checks.critical_concern_warnings(vms)

    command, notes = _command(request, spec, source_name, source_ns)
    if network_map is not None and len(network_map.spec.map) > 1:
        first = network_map.spec.map[0].source
        notes.append(
            "kubectl-mtv picks which source network gets the default target in random order; "
            f"this plan maps {first.name or first.id} and ignores the others"
        )
    return PlanBuild(
        plan=plan,
        network_map=network_map.to_kube() if network_map else None,
        storage_map=_with_map_list(storage_map.to_kube()) if storage_map else None,
        warnings=warnings,
        defaults=defaults,
        kubectl_command=command,
        kubectl_notes=notes,
    )


def _with_map_list(obj: dict[str, Any]) -> dict[str, Any]:
    """The CRD requires ``spec.map`` even when no VM has a disk: keep it as ``[]``."""
    obj["spec"].setdefault("map", [])
    return obj


def _command(request: PlanRequest, spec: PlanSpec, source_name: str, source_ns: str) -> tuple[str, list[str]]:
    """The command for what the user asked for: ``--target`` only when they named a target."""
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
    vms_text, vm_notes = vms_flag_value([vm.name for vm in spec.vms])
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
    return line.render(request.name, request.namespace), line.notes
