"""The ``patch_plan`` tool: change the convertor and target placement of an existing plan."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import kinds
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.plan import PlacementChanges, plan_patch, running_migration_reason
from mtv_mcp.core.plan.models import Placement
from mtv_mcp.core.plan.resolve import compile_rules
from mtv_mcp.tools._args import KarlRules, LabelMap, ObjectName
from mtv_mcp.tools._common import DESTRUCTIVE, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors
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
    read_plan,
    refuse_writes_when_read_only,
)
from mtv_mcp.tools._rendering import bullets

KEEP = "unchanged"
"""Default of every placement argument: leave the field as it is (null or empty clears it)."""


class PatchPlanResult(BaseModel):
    """The result of patch_plan."""

    status: Literal["dry-run", "patched", "unchanged"]
    plan: str
    namespace: str
    changed_fields: list[str]
    diff: str = Field(description="Unified diff of the spec as YAML, current vs new ('' when unchanged)")
    merge_patch: dict[str, Any]
    warnings: list[str]
    placement: list[str] = Field(description="Where convertor pods and VMs may run after the change")


def _labels(value: LabelMap | None) -> LabelMap | None:
    """KEEP → None (keep), None → '' (clear), else the value."""
    return None if value == KEEP else ("" if value is None else value)


def _affinity(value: KarlRules | None, purpose: Literal["convertor", "target"]) -> dict[str, Any] | None:
    if value == KEEP:
        return None
    if value is None or value == [] or (isinstance(value, str) and not value.strip()):
        return {}
    return compile_rules(value, field=f"{purpose}_affinity", purpose=purpose).affinity.to_kube()


def _text(result: PatchPlanResult) -> str:
    headline = {
        "dry-run": f"dry run: would change {', '.join(result.changed_fields)} of plan {result.plan} "
        "(apply with dry_run=false)",
        "patched": f"patched {', '.join(result.changed_fields)} of plan {result.plan}",
        "unchanged": f"plan {result.plan} already has these settings; nothing to change",
    }[result.status]
    return "\n".join(
        [
            f"{headline} in namespace {result.namespace}",
            *([result.diff.rstrip()] if result.diff else []),
            *bullets("warnings", result.warnings),
            *bullets("placement", result.placement),
        ]
    )


@user_errors
def patch_plan(
    name: Annotated[ObjectName, Field(description="Plan name")],
    *,
    ctx: ToolContext,
    namespace: Namespace = None,
    convertor_labels: ConvertorLabels = KEEP,
    convertor_node_selector: ConvertorNodeSelector = KEEP,
    convertor_affinity: ConvertorAffinity = KEEP,
    target_labels: TargetLabels = KEEP,
    target_node_selector: TargetNodeSelector = KEEP,
    target_affinity: TargetAffinity = KEEP,
    dry_run: DryRun = True,
) -> Annotated[CallToolResult, PatchPlanResult]:
    """Change placement fields of a plan that is not running, showing the diff.

    An argument left out keeps its field; null or empty ('', {}, []) clears it; a value replaces
    it whole. Dry run by default; apply with dry_run=false once the user agrees.
    Label maps: {k: v} or 'k=v,k2=v2'.
    """
    runtime = runtime_of(ctx)
    refuse_writes_when_read_only(runtime, dry_run)
    changes = PlacementChanges(
        convertor_labels=_labels(convertor_labels),
        convertor_node_selector=_labels(convertor_node_selector),
        convertor_affinity=_affinity(convertor_affinity, "convertor"),
        target_labels=_labels(target_labels),
        target_node_selector=_labels(target_node_selector),
        target_affinity=_affinity(target_affinity, "target"),
    )
    namespace = namespace or runtime.settings.namespace
    with connect(ctx) as connection:
        cluster = connection.cluster
        plan = read_plan(cluster, namespace, name)
        reason = running_migration_reason(plan, cluster.list_migrations(namespace))
        if reason:
            raise MtvError(
                f"plan '{name}' cannot be changed while it runs: {reason}",
                field="name",
                hint="wait until the migration finishes (or cancel it), then patch the plan",
            )
        patch = plan_patch(plan, changes)
        status: Literal["dry-run", "patched", "unchanged"] = "unchanged" if not patch.merge_patch else "dry-run"
        if patch.merge_patch and not dry_run:
            cluster.patch(kinds.PLAN, namespace, name, patch.merge_patch)
            status = "patched"
    result = PatchPlanResult(
        status=status,
        plan=name,
        namespace=namespace,
        changed_fields=patch.changed_fields,
        diff=patch.diff,
        merge_patch=patch.merge_patch,
        warnings=patch.warnings,
        placement=placement_summary(Placement.from_kube(patch.new_spec)),
    )
    return respond(result, _text(result), runtime, narrow_hint="change fewer fields at a time")


TOOL = ToolDefinition(function=patch_plan, title="Change the placement of a plan", annotations=DESTRUCTIVE)
