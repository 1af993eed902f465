"""The ``start_migration`` tool: start a Ready plan's migration, as ``kubectl mtv start plan`` does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError, kinds
from mtv_mcp.core.convertor.inspect import plan_preview, plan_provider_type
from mtv_mcp.core.convertor.pod_template import provider_has_convertor
from mtv_mcp.core.convertor.preview import PlacementPreview
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.plan.migration import build_migration, parse_cutover
from mtv_mcp.core.plan.readiness import start_blockers
from mtv_mcp.core.plan.running import in_progress_migration, running_migration_reason
from mtv_mcp.tools._args import ObjectName, Short
from mtv_mcp.tools._common import WRITES, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors
from mtv_mcp.tools._plan_common import DryRun, Namespace, read_plan, refuse_writes_when_read_only
from mtv_mcp.tools._rendering import bullets

Status = Literal["dry-run", "started", "running"]
NARROW_HINT = "the structured result has it all"


class StartMigrationResult(BaseModel):
    """The result of start_migration."""

    status: Status = Field(description="running: the plan already runs; nothing was created")
    plan: str
    namespace: str
    migration: str | None
    migration_object: dict[str, Any] = Field(description="The Migration (to create, created, or running)")
    cutover: str | None
    placement: list[str] = Field(description="Where its convertor pods can go now")
    warnings: list[str]
    kubectl_command: str


def _preview_lines(preview: PlacementPreview) -> list[str]:
    """Compact: the nodes that fit (best first), or why none does, with fixes."""
    if preview.would_stay_pending:
        return [
            f"no node can take a convertor pod now: {preview.scheduler_message}",
            *(f"- {cause.detail} → {cause.fix}" for cause in preview.causes if not cause.expected),
        ]
    fits = ", ".join(f"{c.node} (score {c.score})" for c in preview.candidates[:5])
    more = f" and {len(preview.candidates) - 5} more" if len(preview.candidates) > 5 else ""
    excluded = f"{len(preview.excluded)} node(s) excluded (validate_karl with check_cluster=true explains each)"
    return [f"convertor pods can run on {fits}{more}; {excluded}"]


def _placement(cluster: ClusterClient, plan: dict[str, Any], force: bool, warnings: list[str]) -> list[str]:
    """The placement preview as text; refuses a plan whose convertor pods would all stay Pending."""
    notes: list[str] = []
    provider_type = plan_provider_type(cluster, plan, notes)
    if provider_type is not None and not provider_has_convertor(provider_type):
        return [f"no convertor pods: Forklift runs no virt-v2v pod for a {provider_type} source"]
    try:
        preview: PlacementPreview | None = plan_preview(cluster, plan, notes, provider_type)
    except ClusterError as error:
        warnings.append(f"placement not checked: {error.message}")
        return []
    warnings += notes
    if preview is None:
        return []
    lines = _preview_lines(preview)
    if preview.would_stay_pending and not force:
        raise MtvError(
            "refused: every convertor pod of this plan would stay Pending (no node fits its rules now); "
            "nothing was created\n" + "\n".join(lines),
            field="plan",
            hint="change the placement with patch_plan (or free the nodes), or pass force=true to start anyway",
        )
    if preview.would_stay_pending:
        warnings.append("force=true: starting although every convertor pod would stay Pending")
    return lines


def _running_answer(
    plan: dict[str, Any], migrations: list[dict[str, Any]], reason: str
) -> tuple[str | None, dict[str, Any]]:
    migration = in_progress_migration(plan, migrations) or {}
    meta = migration.get("metadata") or {}
    shown = {
        "metadata": {key: meta[key] for key in ("name", "namespace", "uid", "creationTimestamp") if key in meta},
        "spec": migration.get("spec") or {},
        "status": {key: value for key, value in (migration.get("status") or {}).items() if key != "vms"},
    }
    return meta.get("name"), shown if migration else {"reason": reason}


def _text(result: StartMigrationResult) -> str:
    if result.status == "running":
        return "\n".join(
            [
                f"plan {result.plan} ({result.namespace}) already runs; nothing was started (one migration at a time):",
                *result.warnings,
                "watch it with inspect_convertor_pods; stop VMs with cancel_migration",
            ]
        )
    headline = (
        f"dry run: would start plan {result.plan} (apply with dry_run=false)"
        if result.status == "dry-run"
        else f"started plan {result.plan}: Migration {result.migration}"
    )
    return "\n".join(
        [
            f"{headline} in namespace {result.namespace}",
            *([f"cutover: {result.cutover}"] if result.cutover else []),
            *bullets("warnings", result.warnings),
            *result.placement,
            f"equivalent: {result.kubectl_command}",
        ]
    )


@user_errors
def start_migration(
    plan: Annotated[ObjectName, Field(description="Name of the Forklift Plan")],
    *,
    ctx: ToolContext,
    namespace: Namespace = None,
    cutover: Annotated[
        Short | None, Field(description="Warm plans: RFC 3339 cutover time (default: in 1 hour)")
    ] = None,
    force: Annotated[bool, Field(description="Start even if every convertor pod would stay Pending")] = False,
    dry_run: DryRun = True,
) -> Annotated[CallToolResult, StartMigrationResult]:
    """Start a plan's migration (create its Migration) after checking it can run.

    Refused, with reasons and fixes, when the plan is not Ready or every convertor pod would stay
    Pending (unless force=true); a running plan answers status 'running'. Dry run by default.
    """
    runtime = runtime_of(ctx)
    refuse_writes_when_read_only(runtime, dry_run)
    when = parse_cutover(cutover) if cutover is not None else None
    namespace = namespace or runtime.settings.namespace
    with connect(ctx) as connection:
        cluster = connection.cluster
        found = read_plan(cluster, namespace, plan, field="plan")
        migrations = cluster.list_migrations(namespace)
        start = build_migration(found, cutover=when, now=datetime.now(UTC))
        reason = running_migration_reason(found, migrations)
        if reason is not None:
            name, shown = _running_answer(found, migrations, reason)
            result = StartMigrationResult(
                status="running",
                plan=plan,
                namespace=namespace,
                migration=name,
                migration_object=shown,
                cutover=dig(shown, "spec", "cutover"),
                placement=[],
                warnings=[reason],
                kubectl_command=start.command,
            )
            return respond(result, _text(result), runtime, narrow_hint=NARROW_HINT)
        blockers = start_blockers(found)
        if blockers:
            raise MtvError(
                f"refused: plan '{plan}' is not Ready, nothing was created:\n"
                + "\n".join(f"- {line}" for line in blockers),
                field="plan",
                hint="fix the reasons above (patch_plan changes placement; other fields with kubectl), then retry",
            )
        warnings = list(start.warnings)
        placement = _placement(cluster, found, force, warnings)
        body, name = start.migration, None
        status: Status = "dry-run"
        if not dry_run:
            body = cluster.create(kinds.MIGRATION, namespace, start.migration)
            status, name = "started", dig(body, "metadata", "name")
    result = StartMigrationResult(
        status=status,
        plan=plan,
        namespace=namespace,
        migration=name,
        migration_object=body,
        cutover=start.cutover,
        placement=placement,
        warnings=warnings,
        kubectl_command=start.command,
    )
    return respond(result, _text(result), runtime, narrow_hint=NARROW_HINT)


TOOL = ToolDefinition(function=start_migration, title="Start a plan's migration", annotations=WRITES)
