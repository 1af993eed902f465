"""The ``migration_report`` tool: what a plan's migration took per VM and node, and beside a baseline."""

from __future__ import annotations

from typing import Annotated

from mcp.types import CallToolResult

from mtv_mcp.core.convertor.pod_status import format_seconds
from mtv_mcp.core.convertor.report import migration_report as build_report
from mtv_mcp.core.convertor.report_models import Comparison, Group, MigrationReport, VmRun
from mtv_mcp.tools._args import LabelName, ObjectName, QualifiedName
from mtv_mcp.tools._common import READ_ONLY, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors
from mtv_mcp.tools._rendering import bullets

NARROW_HINT = "pass migration= for one Migration, or drop compare_with"
_STEP_SHORT = {
    "Initialize": "init",
    "DiskAllocation": "alloc",
    "ImageConversion": "convert",
    "DiskTransferV2v": "copy",
    "DiskTransfer": "copy",
    "VirtualMachineCreation": "vm",
}


def _rate(value: float | None) -> str:
    return f"{value:g} MiB/s" if value is not None else "-"


def _number(value: float | None) -> str:
    return f"{value:g}" if value is not None else "-"


def _vm_line(run: VmRun) -> str:
    where = f"{run.node}" + (f"[{run.zone}]" if run.zone else "") if run.node else "no node"
    head = f"- {run.vm}: {run.state} on {where} ({run.rules}), {run.disk_gb:g} GB/{run.disks} disk(s)"
    head += f", {format_seconds(run.seconds)}"
    steps = " ".join(f"{_STEP_SHORT.get(k, k)} {format_seconds(v)}" for k, v in run.phases.items())
    rates = f"copy {_rate(run.mib_s)} (pipeline), {_rate(run.log_mib_s)} (log)"
    lines = [head, f"  {steps}; {rates}"]
    if run.progress_pct is not None:
        lines.append(f"  progress {run.progress_pct:g} %, ETA {format_seconds(run.eta_seconds)}")
    if run.error:
        lines.append(f"  ! {run.error}")
    return "\n".join(lines)


def _group_line(group: Group) -> str:
    per_gb = f", {group.s_per_gb:g} s/GB" if group.s_per_gb is not None else ""
    return f"{group.key}: {group.vms} VM(s), {group.disk_gb:g} GB, {_rate(group.mib_s)}{per_gb}"


def _comparison_lines(comparison: Comparison) -> list[str]:
    lines = [f"compared with {comparison.plan} ({comparison.migration}): {comparison.verdict}"]
    lines += [
        f"- {r.metric}: {r.this if r.this is not None else '-'} vs {r.other if r.other is not None else '-'}"
        for r in comparison.rows
    ]
    lines += [f"- node {n}: {_rate(a)} vs {_rate(b)}" for n, (a, b) in comparison.node_mib_s.items()]
    lines += [
        f"- VM {p.vm} vs {p.other_vm} (same {p.match}): {format_seconds(p.seconds)} vs "
        f"{format_seconds(p.other_seconds)}"
        for p in comparison.vms
    ]
    return lines


def render(report: MigrationReport) -> str:
    """Compact text: the migration, each VM, the groups, the slowest VMs, metrics, the comparison."""
    run, breakdown = report.run, report.breakdown
    wall = format_seconds(run.wall_seconds)
    lines = [f"plan {run.plan} ({run.namespace}), migration {run.migration} {run.state}, wall {wall}"]
    lines += ["VMs:", *(_vm_line(vm) for vm in report.vms)]
    lines += bullets("by node", [_group_line(g) for g in breakdown.node])
    lines += bullets("by storage class / source datastore", [_group_line(g) for g in breakdown.storage])
    lines += bullets("by placement rule", [_group_line(g) for g in breakdown.rule])
    lines += bullets("slowest", [f"{s.vm} {s.mib_s:g} MiB/s: {'; '.join(s.why)}" for s in breakdown.slowest])
    metrics = run.metrics
    usage = [f"pod {u.name}: cpu {u.cpu_cores:g}, mem {u.memory_gib:g} GiB" for u in metrics.pods]
    usage += [f"node {u.name}: cpu {u.cpu_cores:g}, mem {u.memory_gib:g} GiB" for u in metrics.nodes]
    lines += [f"resource use (metrics.k8s.io): {metrics.note}", *(f"- {u}" for u in usage)]
    if report.comparison is not None:
        lines += _comparison_lines(report.comparison)
    lines += bullets("notes", run.notes)
    return "\n".join(lines)


@user_errors
def migration_report(
    plan: ObjectName,
    ctx: ToolContext,
    *,
    namespace: LabelName | None = None,
    migration: ObjectName | None = None,
    compare_with: QualifiedName | None = None,
) -> Annotated[CallToolResult, MigrationReport]:
    """Step times, copy MiB/s, ETA, slowest VMs and why, of a plan's migration; compare_with a baseline."""
    runtime = runtime_of(ctx)
    with connect(ctx) as connection:
        report = build_report(
            connection.cluster,
            plan,
            namespace or runtime.settings.namespace,
            migration=migration,
            compare_with=compare_with,
        )
    return respond(report, render(report), runtime, narrow_hint=NARROW_HINT)


TOOL = ToolDefinition(function=migration_report, title="Migration report", annotations=READ_ONLY)
