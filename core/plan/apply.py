"""Create-plan orchestration: gather what the builder needs from the cluster and the inventory,
then write the objects with rollback (no orphans) and idempotency (an identical plan is reported,
a different one is a conflict with a diff).
"""

from __future__ import annotations

import time
from typing import Any, Literal

from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError, ClusterUnreachable, UnreadableAnswer, forklift_kind, kinds
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory import Connection, EnrichedInventory, InventoryCache, InventoryError, load_vms
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.plan.builder import PlanBuild, build_plan_objects, map_owner_patch
from mtv_mcp.core.plan.compare import PlanComparison, compare_plans
from mtv_mcp.core.plan.maps import SOURCE_COLLECTIONS, STORAGE_DETAIL_COLLECTIONS
from mtv_mcp.core.plan.request import PlanRequest
from mtv_mcp.core.plan.resolve import (
    VmSelection,
    VmSelectionInput,
    default_target_provider,
    optional_list,
    ready_provider,
    require_map,
    resolve_vms,
)


class PreparedPlan(BaseModel):
    """The built objects and how the VMs were chosen."""

    build: PlanBuild
    selection: VmSelection
    warnings: list[str] = Field(description="From gathering the inputs (inventory, query, cluster reads)")


class AppliedPlan(BaseModel):
    """What applying did: created the objects, or found the identical plan already there."""

    status: Literal["created", "exists"]
    created: list[str] = Field(description="Kind/name of every object this call created")
    plan: dict[str, Any] = Field(description="The Plan as the cluster returned it")


class PlanConflictError(MtvError):
    """A plan of that name exists with a different spec."""

    def __init__(self, comparison: PlanComparison, name: str, namespace: str) -> None:
        super().__init__(
            f"plan '{name}' already exists in namespace {namespace} and differs in "
            f"{', '.join(comparison.differences)}:\n{comparison.diff}",
            field="name",
            hint="choose another name, or change the existing plan's placement with patch_plan",
        )
        self.comparison = comparison


def _source_collections(
    connection: Connection, inventory: EnrichedInventory
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The provider's networks, storages and storage details (``SOURCE_COLLECTIONS`` and
    ``STORAGE_DETAIL_COLLECTIONS``: what automatic maps read; empty when not served)."""
    connection.know_inventory_url(inventory.base_url)
    provider_type = inventory.provider.type
    names = [*SOURCE_COLLECTIONS.get(provider_type, ("networks", "datastores"))]
    names.append(STORAGE_DETAIL_COLLECTIONS.get(provider_type, ""))
    found: list[list[dict[str, Any]]] = []
    for name in names:
        try:
            found.append(connection.inventory.collection(inventory.provider, name) if name else [])
        except InventoryError as error:
            if error.status != 404:
                raise
            found.append([])
    return found[0], found[1], found[2]


def prepare_plan(
    connection: Connection,
    cache: InventoryCache,
    request: PlanRequest,
    vms: VmSelectionInput,
) -> PreparedPlan:
    """Check providers, maps and VMs against the cluster and inventory, and build the objects."""
    cluster = connection.cluster
    namespace = request.namespace
    source = ready_provider(cluster, namespace, request.source_provider, "source")
    if request.target_provider:
        target = ready_provider(cluster, namespace, request.target_provider, "target")
    else:
        target = default_target_provider(cluster, namespace)
    if request.network_map:
        require_map(cluster, kinds.NETWORK_MAP, namespace, request.network_map, "network_map")
    if request.storage_map:
        require_map(cluster, kinds.STORAGE_MAP, namespace, request.storage_map, "storage_map")
    source_meta = source.get("metadata") or {}
    inventory = load_vms(connection, cache, str(source_meta["name"]), str(source_meta["namespace"]))
    selection = resolve_vms(vms, inventory.vms, provider=inventory.provider.name)
    warnings = [*inventory.warnings, *selection.warnings]
    networks, datastores, storage_details = _source_collections(connection, inventory)
    storage_classes = optional_list(cluster.list_storage_classes, "storage classes", warnings)
    nads = optional_list(cluster.list_nads, "network attachment definitions", warnings)
    version = cluster.forklift_version()
    build = build_plan_objects(
        request,
        source_provider=source,
        target_provider=target,
        vms=selection.vms,
        networks=networks,
        datastores=datastores,
        storage_classes=storage_classes,
        nads=nads,
        forklift_version=version.version,
        inventory_names=[str(vm.get("name") or "") for vm in inventory.vms],
        storage_details=storage_details,
    )
    return PreparedPlan(build=build, selection=selection, warnings=warnings)


def existing_plan(cluster: ClusterClient, namespace: str, name: str) -> dict[str, Any] | None:
    """The plan ``name``, or None when there is none."""
    try:
        return cluster.get_plan(namespace, name)
    except ClusterError as error:
        if error.status == 404:
            return None
        raise


def _label(obj: dict[str, Any]) -> str:
    return f"{obj.get('kind')}/{dig(obj, 'metadata', 'name')}"


def _rollback(cluster: ClusterClient, created: list[dict[str, Any]]) -> list[str]:
    """Delete ``created`` newest first; sentences for what could not be deleted."""
    left: list[str] = []
    for obj in reversed(created):
        meta = obj.get("metadata") or {}
        kind = forklift_kind(str(obj.get("kind")))
        try:
            cluster.delete(kind, meta.get("namespace"), str(meta.get("name")))
        except ClusterError as error:
            if error.status != 404:
                left.append(
                    f"{_label(obj)} is left over ({error.message}); remove it with: "
                    f"kubectl delete {kind.plural} {meta.get('name')} -n {meta.get('namespace')}"
                )
    return left


RACE_WAIT_SECONDS = 5.0  # how long a call that lost a creation race waits for the winner's plan


def _committed(cluster: ClusterClient, obj: dict[str, Any]) -> dict[str, Any] | None:
    """After a create whose answer was lost or unreadable: the object, if the API committed it."""
    meta = obj["metadata"]
    try:
        return cluster.get(forklift_kind(obj["kind"]), meta["namespace"], meta["name"])
    except ClusterError:
        return None


def _exists(build: PlanBuild, found: dict[str, Any]) -> AppliedPlan:
    """``exists`` for a plan already in the cluster that equals ``build``; a different one conflicts."""
    comparison = compare_plans(build.plan.to_kube(), found)
    if not comparison.identical:
        raise PlanConflictError(comparison, build.plan.metadata.name, build.plan.metadata.namespace)
    return AppliedPlan(status="exists", created=[], plan=found)


def _winner(cluster: ClusterClient, build: PlanBuild) -> AppliedPlan | None:
    """After a 409 on our first write: the plan a concurrent identical call is creating, once it
    is there (``exists``), or None when no such plan appears in time."""
    meta = build.plan.metadata
    deadline = time.monotonic() + RACE_WAIT_SECONDS
    while True:
        found = existing_plan(cluster, meta.namespace, meta.name)
        if found is not None:
            return _exists(build, found)
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)


def apply_plan(cluster: ClusterClient, build: PlanBuild) -> AppliedPlan:
    """Create the maps and the plan, then make the maps owned by the plan.

    An identical existing plan is reported (status ``exists``); a different one raises
    ``PlanConflictError``. When any write fails, everything this call created is deleted again
    and the cluster's message is raised. A create whose answer was lost (timeout, dropped
    connection) or was not JSON is followed by a read: if the API committed the object, the
    rollback deletes it too. A call that loses a race with an identical one (409 on its first
    write) waits for the winner's plan and reports ``exists``.
    """
    meta = build.plan.metadata
    found = existing_plan(cluster, meta.namespace, meta.name)
    if found is not None:
        return _exists(build, found)
    created: list[dict[str, Any]] = []
    step = ""
    try:
        for obj in build.objects():
            step = f"creating {_label(obj)}"
            kind = forklift_kind(obj["kind"])
            try:
                created.append(cluster.create(kind, obj["metadata"]["namespace"], obj))
            except (ClusterUnreachable, UnreadableAnswer):
                committed = _committed(cluster, obj)
                if committed is not None:
                    created.append(committed)
                raise
        plan = created[-1]
        for owned in created[:-1]:
            step = f"making the plan own {_label(owned)}"
            owned_meta = owned["metadata"]
            cluster.patch(
                forklift_kind(owned["kind"]), owned_meta["namespace"], owned_meta["name"], map_owner_patch(plan)
            )
    except ClusterError as error:
        if error.status == 409 and not created:
            winner = _winner(cluster, build)
            if winner is not None:
                return winner
        left = _rollback(cluster, created)
        undone = ", ".join(_label(obj) for obj in created)
        cleanup = f"; removed what this call had created ({undone})" if undone else "; nothing was created"
        cleanup = "; " + "; ".join(left) if left else cleanup
        raise MtvError(f"{step} failed: {error.message}{cleanup}", hint=error.hint) from None
    return AppliedPlan(status="created", created=[_label(obj) for obj in created], plan=plan)
