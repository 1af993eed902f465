"""Findings per convertor pod and the recommendations of a whole inspection, most useful first."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from mtv_mcp.core.convertor.pressure import BUSY_PERCENT, NodePressure

if TYPE_CHECKING:
    from mtv_mcp.core.convertor.inspect import ConvertorPodReport

OOM_FIX = (
    "virt-v2v ran out of memory: raise ForkliftController virt_v2v_container_limits_memory (limit now {limit}) "
    "or lower virt_v2v_memsize, then restart the migration of the VM"
)
EVICTION_FIX = (
    "the pod was evicted for lack of node ephemeral storage: set the plan's conversionTempStorageClass and "
    "conversionTempStorageSize so virt-v2v's temporary files live on a PVC"
)
OFF_RULE_FIX = (
    "{pods} run(s) on nodes that break the plan's convertor rules (placed by hand, or the rules changed after the "
    "pod was made); later pods follow the rules: check them with validate_karl check_cluster=true"
)


def _pending_finding(pod: ConvertorPodReport) -> list[str]:
    diagnosis = pod.pending
    if diagnosis is None:
        return []
    if diagnosis.state == "waiting":
        return [f"bound to {pod.node} but the container waits ({diagnosis.waiting_reason})"]
    blocking = [
        f"{c.reason.count or '?'} {c.reason.detail}" + (f" ({', '.join(c.nodes)})" if c.nodes else "")
        for c in diagnosis.reasons
        if not c.reason.expected
    ]
    found = [f"Pending: {'; '.join(blocking) or diagnosis.decoded_message() or 'no scheduler message yet'}"]
    if diagnosis.fits_now:
        found.append(f"placement finds room now on {', '.join(diagnosis.fits_now)}")
    return found


def _container_finding(pod: ConvertorPodReport) -> list[str]:
    state = pod.container
    if state is None:
        return []
    if state.oom_killed:
        return [f"{state.name} was OOMKilled (memory limit {pod.limits.get('memory', 'none')})"]
    if state.state == "terminated" and state.exit_code not in (None, 0):
        return [f"{state.name} exited with code {state.exit_code} ({state.reason or 'Error'})"]
    if state.state == "waiting" and state.reason not in (None, "PodInitializing", "ContainerCreating"):
        return [f"{state.name} waits: {state.reason}" + (f" ({state.message})" if state.message else "")]
    return []


def pod_findings(pod: ConvertorPodReport) -> list[str]:
    """What stands out about one pod, one line each (failures and rule breaks first)."""
    found: list[str] = []
    if pod.status_reason:
        found.append(f"{pod.status_reason}: {pod.status_message or ''}".rstrip(": "))
    found += _container_finding(pod)
    if pod.log is not None:
        found += [f"log: {e.summary}: {e.line}" for e in pod.log.errors if e.root_cause][:2]
    found += [f"Forklift: {reason}" for reason in pod.vm_error][:2]
    found += _pending_finding(pod)
    if pod.rules is not None and not pod.rules.satisfied:
        changed = " (the plan's rules changed after the pod was made)" if pod.rules.rules_changed else ""
        found.append(f"off-rule on {pod.node}: {'; '.join(pod.rules.violations)}{changed}")
    if pod.rules is not None and pod.rules.labels_missing:
        found.append(f"convertorLabels missing on the pod: {', '.join(pod.rules.labels_missing)}")
    if pod.log is not None and pod.log.problem and "(403)" not in pod.log.problem:
        found.append(f"no log: {pod.log.problem}")
    return found


def _node_advice(node: NodePressure) -> str | None:
    busy = [f"{r.resource} {r.percent} %" for r in node.resources if (r.percent or 0) >= BUSY_PERCENT]
    if not node.pressure and not busy and node.ready:
        return None
    problems = [*node.pressure, *(["NotReady"] if not node.ready else []), *(f"requested {b}" for b in busy)]
    return (
        f"node {node.node} ({', '.join(problems)}) hosts {', '.join(node.convertors)}: free capacity there or steer "
        "convertors to other nodes with convertorNodeSelector"
    )


def recommendations(pods: Sequence[ConvertorPodReport], nodes: Sequence[NodePressure]) -> list[str]:
    """Concrete next steps for the whole inspection, without repeats."""
    found: list[str] = []

    def add(text: str | None) -> None:
        if text and text not in found:
            found.append(text)

    for pod in pods:
        for fix in pod.pending.fixes() if pod.pending else []:
            add(fix)
    off_rule = [p.name for p in pods if p.off_rule]
    if off_rule:
        add(OFF_RULE_FIX.format(pods=", ".join(off_rule)))
    for pod in pods:
        if pod.container is not None and pod.container.oom_killed:
            add(OOM_FIX.format(limit=pod.limits.get("memory", "none")))
        if pod.status_reason == "Evicted" and "ephemeral-storage" in (pod.status_message or ""):
            add(EVICTION_FIX)
        for error in pod.log.errors if pod.log else []:
            if error.root_cause and error.hint:
                add(f"{error.summary}: {error.hint}")
    for node in nodes:
        add(_node_advice(node))
    return found
