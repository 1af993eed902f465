"""The ``cluster_overview`` tool: providers, plans, Forklift version and nodes, for placement work."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError, ForkliftVersion
from mtv_mcp.core.cluster.forklift import convertor_placement, migration_type, plan_blockers, plan_phase, provider_phase
from mtv_mcp.core.cluster.nodes import NodeSummary, pods_by_node, summarize_node
from mtv_mcp.core.cluster.visibility import visible_nodes
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory import Connection
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.tools._args import NamespaceOrAll
from mtv_mcp.tools._common import READ_ONLY, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors

ALL_NAMESPACES = "*"
NARROW_HINT = "pass a namespace, and leave verbose off"


class ProviderSummary(BaseModel):
    name: str
    namespace: str
    type: str
    phase: str
    url: str | None
    vm_count: int | None = Field(description="From the inventory; None when it could not be read")


class PlanSummary(BaseModel):
    name: str
    namespace: str
    phase: str = Field(description="Ready, Running, Succeeded, Failed, Canceled, Archived, Paused or Not ready")
    migration_type: str
    source_provider: str | None
    target_namespace: str | None
    vm_count: int
    convertor_placement: list[str] = Field(description="Which convertorLabels/NodeSelector/Affinity are set")
    blockers: list[str] = Field(description="Messages of true Critical/Error conditions")


class ClusterOverview(BaseModel):
    """The result of cluster_overview."""

    server: str
    namespace: str = Field(description="Namespace of the providers and plans shown ('*': all)")
    forklift: ForkliftVersion
    providers: list[ProviderSummary]
    plans: list[PlanSummary]
    nodes: list[NodeSummary] = Field(description="Per node: name, zone, labels, taints, cpu, memory, kvm, notable_pods")
    warnings: list[str]


def _vm_counts(connection: Connection, scope: str | None, warnings: list[str]) -> dict[tuple[str, str], int | None]:
    """VM count per (namespace, provider name) from the inventory, asked for ``scope`` only (a
    namespace-scoped user may list providers there, not cluster-wide); a warning when it fails."""
    try:
        return {(p.namespace, p.name): p.vm_count for p in connection.inventory.providers(scope)}
    except MtvError as error:
        warnings.append(f"VM counts unavailable: {error.message}")
        return {}


def _provider(obj: dict[str, Any], counts: dict[tuple[str, str], int | None]) -> ProviderSummary:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    return ProviderSummary(
        name=meta.get("name", ""),
        namespace=meta.get("namespace", ""),
        type=spec.get("type", "unknown"),
        phase=provider_phase(obj),
        url=spec.get("url") or None,
        vm_count=counts.get((meta.get("namespace", ""), meta.get("name", ""))),
    )


def _plan(obj: dict[str, Any]) -> PlanSummary:
    meta, spec = obj.get("metadata") or {}, obj.get("spec") or {}
    return PlanSummary(
        name=meta.get("name", ""),
        namespace=meta.get("namespace", ""),
        phase=plan_phase(obj),
        migration_type=migration_type(obj),
        source_provider=dig(spec, "provider", "source", "name"),
        target_namespace=spec.get("targetNamespace"),
        vm_count=len(spec.get("vms") or []),
        convertor_placement=convertor_placement(obj),
        blockers=plan_blockers(obj),
    )


def _nodes(cluster: ClusterClient, warnings: list[str], *, verbose: bool) -> list[NodeSummary]:
    nodes = visible_nodes(cluster, warnings)
    if nodes is None:
        return []
    try:
        placed = pods_by_node(cluster.list_pods(None), verbose=verbose)
    except ClusterError as error:
        warnings.append(f"pods per node unavailable: {error.message}")
        placed = {}
    return [summarize_node(node, placed.get(node["metadata"]["name"], []), verbose=verbose) for node in nodes]


def _node_line(node: NodeSummary) -> str:
    where = "/".join(part for part in (node.region, node.zone, node.rack) if part) or "no zone"
    labels = ", ".join(f"{k}={v}" if v else k for k, v in node.labels.items()) or "-"
    state = "" if node.schedulable else " NOT SCHEDULABLE"
    return (
        f"- {node.name} [{','.join(node.roles) or 'no role'}] {where}{state}; cpu {node.cpu}, memory {node.memory}, "
        f"kvm {node.kvm or 'none'}; labels: {labels}; taints: {', '.join(node.taints) or '-'}"
        + (f"; pods: {', '.join(node.notable_pods)}" if node.notable_pods else "")
    )


def _plan_line(plan: PlanSummary) -> str:
    placement = ", ".join(plan.convertor_placement) or "none (default spreading)"
    blocked = f"; blocked: {'; '.join(plan.blockers)}" if plan.blockers else ""
    return (
        f"- {plan.name} {plan.phase}, {plan.migration_type}, {plan.vm_count} VMs from {plan.source_provider} "
        f"to {plan.target_namespace}; convertor placement: {placement}{blocked}"
    )


def _text(view: ClusterOverview) -> str:
    fl = view.forklift
    support = {True: "yes", False: "no", None: "unknown"}[fl.convertor_fields]
    lines = [
        f"cluster {view.server}; Forklift {fl.version or 'version unknown'}; convertor fields: {support}",
        f"providers ({view.namespace}):",
        *(
            f"- {p.name} ({p.type}) {p.phase}, {'?' if p.vm_count is None else p.vm_count} VMs"
            + (f" in {p.namespace}" if view.namespace == ALL_NAMESPACES else "")
            for p in view.providers
        ),
        f"plans ({view.namespace}):",
        *(_plan_line(plan) for plan in view.plans),
        f"nodes ({len(view.nodes)}):",
        *(_node_line(node) for node in view.nodes),
        *(f"warning: {w}" for w in view.warnings),
    ]
    return "\n".join(lines)


@user_errors
def cluster_overview(
    ctx: ToolContext,
    namespace: Annotated[
        NamespaceOrAll | None,
        Field(description="Namespace of providers and plans (default: the server's; '*': all)"),
    ] = None,
    verbose: Annotated[
        bool, Field(description="Every node label and running pod, not only those placement uses")
    ] = False,
) -> Annotated[CallToolResult, ClusterOverview]:
    """Overview for planning convertor placement: providers, plans, the Forklift version, and
    every node with its labels, taints, zone, free CPU/memory/KVM and notable pods (storage, Ceph
    OSDs, databases, convertors) with the labels a pods(...) rule can select. Rules can only use
    labels that exist here.
    """
    runtime = runtime_of(ctx)
    settings = runtime.settings
    shown = namespace or settings.namespace
    scope = None if shown == ALL_NAMESPACES else shown
    warnings: list[str] = []
    with connect(ctx) as connection:
        cluster = connection.cluster
        providers = cluster.list_providers(scope)
        plans = cluster.list_plans(scope)
        counts = _vm_counts(connection, scope, warnings) if providers else {}
        view = ClusterOverview(
            server=cluster.server,
            namespace=shown,
            forklift=cluster.forklift_version(),
            providers=[_provider(p, counts) for p in providers],
            plans=[_plan(p) for p in plans],
            nodes=_nodes(cluster, warnings, verbose=verbose),
            warnings=warnings,
        )
    return respond(view, _text(view), runtime, narrow_hint=NARROW_HINT)


TOOL = ToolDefinition(function=cluster_overview, title="Cluster overview for placement", annotations=READ_ONLY)
