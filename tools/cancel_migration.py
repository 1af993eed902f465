"""The ``cancel_migration`` tool: cancel VMs of a plan's running migration, as ``kubectl mtv cancel plan`` does."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import kinds
from mtv_mcp.core.convertor.inspect import migration_state, migrations_of
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.plan.migration import cancel_change
from mtv_mcp.core.plan.running import in_progress_migration
from mtv_mcp.tools._args import ObjectName, Query, VmList
from mtv_mcp.tools._common import DESTRUCTIVE, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors
from mtv_mcp.tools._plan_common import DryRun, Namespace, read_plan, refuse_writes_when_read_only
from mtv_mcp.tools._rendering import bullets

Status = Literal["dry-run", "canceled", "unchanged"]


class CancelMigrationResult(BaseModel):
    """The result of cancel_migration."""

    status: Status = Field(description="unchanged: every VM named is finished or already being canceled")
    plan: str
    namespace: str
    migration: str
    canceled: list[str] = Field(description="VMs this call cancels: name (id)")
    skipped: list[str]
    merge_patch: dict[str, Any]
    diff: str
    kubectl_command: str


def _vm_list(value: str | list[str] | None) -> list[str] | None:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip() for item in items if item.strip()]


def _text(result: CancelMigrationResult) -> str:
    vms = ", ".join(result.canceled)
    headline = {
        "dry-run": f"dry run: would cancel {vms} in Migration {result.migration} (apply with dry_run=false)",
        "canceled": f"canceled {vms} in Migration {result.migration}; Forklift stops the convertor pod of each",
        "unchanged": f"nothing to cancel in Migration {result.migration}",
    }[result.status]
    return "\n".join(
        [
            f"{headline} (plan {result.plan}, namespace {result.namespace})",
            *([result.diff.rstrip()] if result.diff else []),
            *bullets("skipped", result.skipped),
            *([f"equivalent: {result.kubectl_command}"] if result.kubectl_command else []),
        ]
    )


@user_errors
def cancel_migration(
    plan: Annotated[ObjectName, Field(description="Name of the Forklift Plan")],
    *,
    ctx: ToolContext,
    vms: Annotated[
        Query | VmList | None, Field(description="VM names or ids to cancel, a list or 'a,b' (default: all)")
    ] = None,
    namespace: Namespace = None,
    dry_run: DryRun = True,
) -> Annotated[CallToolResult, CancelMigrationResult]:
    """Cancel all or some VMs of a plan's running migration (the Migration's spec.cancel list).

    Forklift stops the convertor pods of the canceled VMs; the other VMs go on. Dry run by
    default: show the user the diff, apply with dry_run=false.
    """
    runtime = runtime_of(ctx)
    refuse_writes_when_read_only(runtime, dry_run)
    wanted = _vm_list(vms)
    namespace = namespace or runtime.settings.namespace
    with connect(ctx) as connection:
        cluster = connection.cluster
        found = read_plan(cluster, namespace, plan, field="plan")
        migrations = migrations_of(cluster, found)
        running = in_progress_migration(found, migrations)
        if running is None:
            latest = migrations[-1] if migrations else None
            state = (
                f"its latest Migration {dig(latest, 'metadata', 'name')} is {migration_state(latest)}"
                if latest
                else "it was never started"
            )
            raise MtvError(
                f"refused: no migration of plan '{plan}' is running ({state}); nothing was changed",
                field="plan",
                hint="start it with start_migration; cancel applies to a running migration only",
            )
        change = cancel_change(found, running, wanted)
        name = str(dig(running, "metadata", "name"))
        status: Status = "dry-run" if change.merge_patch else "unchanged"
        if change.merge_patch and not dry_run:
            cluster.patch(kinds.MIGRATION, namespace, name, change.merge_patch)
            status = "canceled"
    result = CancelMigrationResult(
        status=status,
        plan=plan,
        namespace=namespace,
        migration=name,
        canceled=change.cancel,
        skipped=change.skipped,
        merge_patch=change.merge_patch,
        diff=change.diff,
        kubectl_command=change.command,
    )
    return respond(result, _text(result), runtime, narrow_hint="cancel fewer VMs at a time")


TOOL = ToolDefinition(function=cancel_migration, title="Cancel a plan's migration", annotations=DESTRUCTIVE)
