"""The ``create_plan`` tool: build (dry run) or create a Forklift Plan with convertor placement."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError
from mtv_mcp.core.convertor.forecast import Forecast, plan_forecast
from mtv_mcp.core.convertor.pod_status import format_seconds
from mtv_mcp.core.karl import FORKLIFT_DEFAULT_SPREADING, KarlResult
from mtv_mcp.core.plan import PlanBuild, PlanRequest, objects_as_yaml
from mtv_mcp.core.plan.apply import PlanConflictError, PreparedPlan, apply_plan, prepare_plan
from mtv_mcp.core.plan.models import Placement
from mtv_mcp.core.plan.resolve import compile_rules
from mtv_mcp.tools._args import KarlRules, LabelName, ObjectName, QualifiedName, Query, Short, VmList
from mtv_mcp.tools._common import WRITES, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors
from mtv_mcp.tools._plan_common import (
    ConvertorAffinity,
    ConvertorLabels,
    ConvertorNodeSelector,
    DryRun,
    Namespace,
    TargetAffinity,
    TargetLabels,
    TargetNodeSelector,
    placement_summary,
    refuse_writes_when_read_only,
)
from mtv_mcp.tools._rendering import bullets

Status = Literal["dry-run", "created", "exists", "conflict"]


class PlanVmRef(BaseModel):
    id: str
    name: str


class CreatePlanResult(BaseModel):
    """The result of create_plan."""

    status: Status = Field(description="exists: an identical plan is there; conflict: a different one (see diff)")
    plan: str
    namespace: str
    vms: list[PlanVmRef] = Field(description="The VMs, resolved from names, ids or the query")
    query: str | None
    objects: list[dict[str, Any]] = Field(description="Maps (when built) and Plan")
    objects_text: str
    warnings: list[str]
    placement: list[str] = Field(description="Where convertor pods and VMs may run, in English")
    kubectl_command: str
    notes: list[str] = Field(description="Defaults filled in; what the command cannot express")
    created: list[str]
    diff: str | None = Field(description="On conflict: unified diff, existing vs desired")
    forecast: Forecast | None = None


def _rules(value: KarlRules | None, purpose: Literal["convertor", "target"]) -> KarlResult | None:
    if value is None or value == [] or (isinstance(value, str) and not value.strip()):
        return None
    return compile_rules(value, field=f"{purpose}_affinity", purpose=purpose)


def _karl_warnings(result: KarlResult | None) -> list[str]:
    # The builder reports a replaced default spreading itself (as convertor_affinity).
    return [w for w in (result.warnings if result else []) if FORKLIFT_DEFAULT_SPREADING not in w]


def _objects_text(objects: list[dict[str, Any]], prepared: PreparedPlan, output: str) -> str:
    return json.dumps(objects, indent=2) if output == "json" else objects_as_yaml(prepared.build)


def _headline(result: CreatePlanResult) -> str:
    where = f"in namespace {result.namespace}"
    names = ", ".join(f"{o['kind']}/{o['metadata']['name']}" for o in result.objects)
    return {
        "dry-run": f"dry run: would create {names} {where}; nothing was written (apply with dry_run=false)",
        "created": f"created {', '.join(result.created)} {where}",
        "exists": f"plan {result.plan} already exists {where} with this spec; nothing changed",
        "conflict": f"conflict: plan {result.plan} already exists {where} with a different spec; nothing changed",
    }[result.status]


def _forecast_lines(forecast: Forecast) -> list[str]:
    span = " to ".join(format_seconds(s) for s in forecast.seconds) or "none (no room)"
    rates = " to ".join(f"{r:g}" for r in forecast.mib_s)
    nodes = ", ".join(forecast.nodes) or "no node"
    return [
        f"forecast: {forecast.vms} VMs, {forecast.disk_gb:g} GB; convertors fit on {nodes}",
        f"- {forecast.concurrent} at once: {forecast.concurrency}",
        f"- copy {rates} MiB/s ({forecast.mib_s_source})",
        f"- duration about {span}",
        *(f"- {note}" for note in forecast.notes),
    ]


def _text(result: CreatePlanResult) -> str:
    vms = ", ".join(f"{vm.name} ({vm.id})" for vm in result.vms)
    lines = [
        _headline(result),
        *([result.diff.rstrip()] if result.diff else []),
        f"VMs ({len(result.vms)}): {vms}" + (f"  [query: {result.query}]" if result.query else ""),
        *bullets("warnings", result.warnings),
        *bullets("placement", result.placement),
        "kubectl-mtv equivalent:",
        result.kubectl_command,
        *bullets("notes", result.notes),
        *(_forecast_lines(result.forecast) if result.forecast else []),
        "objects:",
        result.objects_text.rstrip(),
    ]
    return "\n".join(lines)


def _forecast(cluster: ClusterClient, build: PlanBuild, vms: list[dict[str, Any]]) -> Forecast | None:
    """The dry run's forecast; a cluster that cannot be read for it gives none, not an error."""
    storage_map = build.storage_map.to_kube() if build.storage_map is not None else None
    try:
        return plan_forecast(cluster, build.plan.to_kube(), vms, storage_map)
    except ClusterError:
        return None


@user_errors
def create_plan(
    name: Annotated[LabelName, Field(description="Plan name, a DNS-1123 label")],
    source: Annotated[QualifiedName, Field(description="Source Provider name (or namespace/name)")],
    vms: Annotated[
        Query | VmList,
        Field(
            description=(
                "VM names or ids ('pg-prod-01,vm-2061' or a list), or a TSL query as in query_vms "
                '("where memoryGB > 16")'
            )
        ),
    ],
    *,
    ctx: ToolContext,
    namespace: Namespace = None,
    target: Annotated[
        QualifiedName | None, Field(description="Destination OpenShift Provider (default: the local one)")
    ] = None,
    target_namespace: Annotated[
        LabelName | None, Field(description="Namespace of the migrated VMs and convertor pods (default: plan's)")
    ] = None,
    migration_type: Annotated[
        Literal["cold", "warm", "live", "conversion"] | None, Field(description="default: cold")
    ] = None,
    convertor_labels: ConvertorLabels = None,
    convertor_node_selector: ConvertorNodeSelector = None,
    convertor_affinity: ConvertorAffinity = None,
    target_labels: TargetLabels = None,
    target_node_selector: TargetNodeSelector = None,
    target_affinity: TargetAffinity = None,
    target_power_state: Annotated[
        Literal["on", "off", "auto"] | None, Field(description="After migration (auto: as source)")
    ] = None,
    network_map: Annotated[ObjectName | None, Field(description="Existing NetworkMap (default: build one)")] = None,
    storage_map: Annotated[ObjectName | None, Field(description="Existing StorageMap (default: build one)")] = None,
    conversion_temp_storage_class: Annotated[
        ObjectName | None, Field(description="StorageClass of a virt-v2v scratch volume (Forklift 2.11+)")
    ] = None,
    conversion_temp_storage_size: Annotated[Short | None, Field(description="Its size, e.g. 100Gi")] = None,
    dry_run: DryRun = True,
    output: Annotated[Literal["yaml", "json"], Field(description="Format of objects_text")] = "yaml",
) -> Annotated[CallToolResult, CreatePlanResult]:
    """Build a Forklift Plan (plus NetworkMap/StorageMap unless named); dry_run=false creates it.

    Dry-run first (the default) and apply only when the user agrees. Everything is checked before
    writing; applying is all-or-nothing and idempotent. Label maps: {k: v} or 'k=v,k2=v2'.
    """
    runtime = runtime_of(ctx)
    refuse_writes_when_read_only(runtime, dry_run)
    convertor = _rules(convertor_affinity, "convertor")
    target_rules = _rules(target_affinity, "target")
    request = PlanRequest(
        name=name,
        namespace=namespace or runtime.settings.namespace,
        source_provider=source,
        target_provider=target,
        target_namespace=target_namespace,
        migration_type=migration_type,
        convertor_labels=convertor_labels,
        convertor_node_selector=convertor_node_selector,
        convertor_affinity=convertor.affinity if convertor else None,
        target_labels=target_labels,
        target_node_selector=target_node_selector,
        target_affinity=target_rules.affinity if target_rules else None,
        target_power_state=target_power_state,
        network_map=network_map,
        storage_map=storage_map,
        conversion_temp_storage_class=conversion_temp_storage_class,
        conversion_temp_storage_size=conversion_temp_storage_size,
    )
    with connect(ctx) as connection:
        prepared = prepare_plan(connection, runtime.inventory_cache, request, vms)
        build = prepared.build
        status: Status = "dry-run"
        created: list[str] = []
        diff: str | None = None
        forecast = _forecast(connection.cluster, build, prepared.selection.vms) if dry_run else None
        if not dry_run:
            try:
                applied = apply_plan(connection.cluster, build)
                status, created = applied.status, applied.created
            except PlanConflictError as conflict:
                status, diff = "conflict", conflict.comparison.diff
    objects = build.objects()
    result = CreatePlanResult(
        status=status,
        plan=request.name,
        namespace=request.namespace,
        vms=[PlanVmRef(id=vm.id, name=vm.name or vm.id) for vm in build.plan.spec.vms],
        query=prepared.selection.query,
        objects=objects,
        objects_text=_objects_text(objects, prepared, output),
        warnings=[*prepared.warnings, *_karl_warnings(convertor), *_karl_warnings(target_rules), *build.warnings],
        placement=placement_summary(Placement.of(build.plan.spec)),
        kubectl_command=build.kubectl_command,
        notes=[*build.defaults, *build.kubectl_notes],
        created=created,
        diff=diff,
        forecast=forecast,
    )
    response = respond(result, _text(result), runtime, narrow_hint="ask for fewer VMs, or output='yaml'")
    return response.model_copy(update={"is_error": True}) if status == "conflict" else response


TOOL = ToolDefinition(function=create_plan, title="Create a migration plan", annotations=WRITES)
