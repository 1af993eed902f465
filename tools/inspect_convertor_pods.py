"""The ``inspect_convertor_pods`` tool: a plan's virt-v2v pods, their rules, scheduling, progress and nodes."""

from __future__ import annotations

from typing import Annotated

from mcp.types import CallToolResult
from pydantic import Field

from mtv_mcp.core.convertor.inspect import ConvertorInspection, ConvertorPodReport, inspect_plan_convertors
from mtv_mcp.core.convertor.pod_status import format_seconds
from mtv_mcp.core.convertor.pressure import NodePressure
from mtv_mcp.core.placement.resources import KVM_RESOURCE
from mtv_mcp.tools._args import ObjectName, VmRef
from mtv_mcp.tools._common import READ_ONLY, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors
from mtv_mcp.tools._plan_common import Namespace
from mtv_mcp.tools._rendering import bullets, preview_lines

NARROW_HINT = "pass vm= for one VM, or lower log_lines"


def _resources(values: dict[str, str]) -> str:
    return ", ".join(f"{'kvm' if k == KVM_RESOURCE else k} {v}" for k, v in values.items()) or "none"


def _progress(pod: ConvertorPodReport) -> str:
    log = pod.log
    if log is None:
        return ""
    if log.problem:
        return "log unreadable"
    parts = [log.stage_label or "no stage yet"]
    if log.percent is not None and not log.completed:
        parts.append(f"{log.percent:g} %")
    if log.overall_percent is not None and log.disk_count and log.disk_count > 1 and not log.completed:
        parts.append(f"overall {log.overall_percent:g} %")
    if log.throughput_mib_per_second is not None:
        parts.append(f"{log.throughput_mib_per_second:g} MiB/s")
    if log.completed:
        parts.append("finished")
    return ", ".join(parts)


def _rules(pod: ConvertorPodReport) -> str:
    rules = pod.rules
    if rules is None:
        return ""
    if not rules.satisfied:
        return "OFF-RULE"
    score = f", score {rules.score}" if rules.score is not None else ""
    best = (
        f", best now {rules.best_node} ({rules.best_score})"
        if rules.best_node is not None and rules.best_node != rules.node and pod.phase in ("Pending", "Running")
        else ""
    )
    return f"rules met{score}{best}"


def _pod_lines(pod: ConvertorPodReport) -> list[str]:
    vm = f"{pod.vm_name or '?'} ({pod.vm_id})" if pod.vm_id else "?"
    where = f" on {pod.node}" + (f" [{pod.place.zone}]" if pod.place.zone else "") if pod.node else ""
    kind = "" if pod.kind == "convertor" else f" {pod.kind}"
    timing = pod.timing
    ran = f", ran {format_seconds(timing.duration_seconds)}" if timing.duration_seconds is not None else ""
    head = f"- {pod.name}{kind} {vm}: {pod.phase}{where}, age {format_seconds(timing.age_seconds)}{ran}"
    details = "; ".join(part for part in (_progress(pod), _rules(pod)) if part)
    lines = [head + (f"; {details}" if details else "")]
    lines.append(f"  requests {_resources(pod.requests)}; limits {_resources(pod.limits)}")
    if pod.vm_phase:
        lines.append(f"  VM phase {pod.vm_phase}")
    lines += [f"  ! {finding}" for finding in pod.findings]
    if pod.log is not None and pod.log.excerpt:
        lines.append("  log:")
        lines += [f"    | {line}" for line in pod.log.excerpt]
    return lines


def _node_line(node: NodePressure) -> str:
    used = ", ".join(f"{r.resource} {r.requested}/{r.allocatable} ({r.percent} %)" for r in node.resources)
    state = ", ".join([*node.pressure, *([] if node.ready else ["NotReady"])])
    return f"- {node.node}: requested {used}" + (f"; {state}" if state else "") + f"; {', '.join(node.convertors)}"


def _summary_lines(view: ConvertorInspection) -> list[str]:
    target = view.target_namespace or "?"
    head = f"plan {view.plan} ({view.namespace}) → {target}"
    if view.provider_type:
        head += f", source {view.provider_type}"
    if view.migration:
        head += f"; migration {view.migration} {view.migration_state}"
    if view.vm:
        head += f"; VM {view.vm}"
    summary = view.summary
    counts = ", ".join(f"{phase} {count}" for phase, count in sorted(summary.phases.items())) or "none"
    lines = [head, f"pods: {len(view.pods)} ({counts}); off-rule: {', '.join(summary.off_rule) or 'none'}"]
    lines += bullets("pending", summary.pending)
    lines += bullets("failed", summary.failed)
    return lines


def render(view: ConvertorInspection) -> str:
    """Compact text: summary, one entry per pod, nodes, recommendations, notes."""
    lines = _summary_lines(view)
    if not view.pods:
        lines += bullets("notes", view.notes)
    if view.pods:
        lines.append("pods:")
        for pod in view.pods:
            lines += _pod_lines(pod)
    if view.nodes:
        lines.append("nodes:")
        lines += [_node_line(node) for node in view.nodes]
    if view.preview is not None:
        lines += preview_lines(view.preview)
    lines += bullets("recommendations", view.recommendations)
    if view.pods:
        lines += bullets("notes", view.notes)
    return "\n".join(lines)


@user_errors
def inspect_convertor_pods(
    plan: Annotated[ObjectName, Field(description="Name of the Forklift Plan")],
    ctx: ToolContext,
    *,
    namespace: Namespace = None,
    migration: Annotated[
        ObjectName | None, Field(description="One of the plan's Migrations, name or uid (default: the latest)")
    ] = None,
    vm: Annotated[VmRef | None, Field(description="Only this VM (name or id)")] = None,
    log_lines: Annotated[int, Field(ge=0, le=200, description="Last log lines per pod")] = 5,
) -> Annotated[CallToolResult, ConvertorInspection]:
    """Inspect the virt-v2v convertor pods of a plan's latest (or given) migration.

    Per pod: VM, node and zone, phase, container state, requests, whether its node meets the
    plan's convertor rules; for a Pending pod the scheduling reasons decoded, per node, with a
    fix; stage, progress and known errors from the log. Also node load and recommendations.
    """
    runtime = runtime_of(ctx)
    settings = runtime.settings
    with connect(ctx) as connection:
        view = inspect_plan_convertors(
            connection.cluster, plan, namespace or settings.namespace, migration=migration, vm=vm, log_lines=log_lines
        )
    return respond(view, render(view), runtime, narrow_hint=NARROW_HINT)


TOOL = ToolDefinition(function=inspect_convertor_pods, title="Inspect convertor pods", annotations=READ_ONLY)
