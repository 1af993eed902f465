"""``migration_report``: what a plan's migration took, VM by VM, where its convertors ran, and why some were slow.

    report = migration_report(cluster, "wave1", "openshift-mtv", compare_with="wave0")

Read-only. Timings come from the Migration's status (``runs``); where each convertor ran from its
pod (Forklift's labels, as ``inspect``), its node and PVCs; the guest OS and a second copy rate from
the virt-v2v log; CPU/memory from ``metrics.k8s.io`` when the cluster serves it (metrics-server,
what ``kubectl top`` reads), else a note saying it does not. Reads other than the plan, its
Migration and the pods degrade to notes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from mtv_mcp.core.cluster import ClusterClient, ClusterError
from mtv_mcp.core.cluster.kinds import NODE_METRICS, POD_METRICS
from mtv_mcp.core.cluster.visibility import read_cluster_view
from mtv_mcp.core.convertor.inspect import (
    choose_migration,
    disk_sizes,
    find_pods,
    migration_state,
    migrations_of,
    pvc_sizes,
    reference_now,
)
from mtv_mcp.core.convertor.log_report import SCAN_LINES, report_from_text
from mtv_mcp.core.convertor.pod_status import main_container, node_place, parse_time, pod_kind
from mtv_mcp.core.convertor.report_figures import Side, compare, group, slowest
from mtv_mcp.core.convertor.report_models import (
    Breakdown,
    Comparison,
    Metrics,
    MigrationReport,
    RuleState,
    RunSummary,
    Usage,
)
from mtv_mcp.core.convertor.rules_check import check_rules
from mtv_mcp.core.convertor.runs import Measured, VmPlacement, guest_os, measure_vm
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.quantity import parse_quantity

GIB = 1024**3


def _name(obj: Mapping[str, Any]) -> str:
    return str(dig(obj, "metadata", "name") or "")


def _has_rules(plan: Mapping[str, Any]) -> bool:
    spec = plan.get("spec") or {}
    return bool(spec.get("convertorNodeSelector") or spec.get("convertorAffinity"))


class _Reader:
    """The cluster objects one report needs, read once."""

    def __init__(self, cluster: ClusterClient, plan: Mapping[str, Any], migration: Mapping[str, Any], notes: list[str]):
        self.cluster, self.plan, self.notes = cluster, plan, notes
        target = str(dig(plan, "spec", "targetNamespace"))
        uid = str(dig(migration, "metadata", "uid"))
        self.pods = [p for p in find_pods(cluster, plan, uid, None) if pod_kind(p) == "convertor"]
        self.view = read_cluster_view(cluster, notes, target)
        try:
            pvcs = cluster.list_pvcs(target, f"migration={uid}")
        except ClusterError as error:
            notes.append(f"target PVCs unavailable ({error.message}): no storage classes")
            pvcs = []
        self.sizes = pvc_sizes(pvcs)
        self.classes = {_name(p): str(dig(p, "spec", "storageClassName") or "") for p in pvcs}
        self.nodes = {_name(n): n for n in self.view.nodes}

    def placement(self, pod: Mapping[str, Any] | None, with_log: bool) -> VmPlacement:
        if pod is None:
            return VmPlacement()
        spec = pod.get("spec") or {}
        node = spec.get("nodeName")
        claims = [
            v["persistentVolumeClaim"]["claimName"] for v in spec.get("volumes") or [] if v.get("persistentVolumeClaim")
        ]
        storage = next((self.classes[c] for c in claims if self.classes.get(c)), None)
        rules: RuleState = "unplaced"
        if node and not _has_rules(self.plan):
            rules = "no rules"
        elif node:
            check = check_rules(pod, self.plan.get("spec") or {}, self.view.nodes, self.view.pods, self.view.namespaces)
            rules = "unplaced" if check is None else "met" if check.satisfied else "off-rule"
        os_name, log_rate = self._log(pod) if with_log and node else (None, None)
        return VmPlacement(
            pod=_name(pod),
            node=node,
            zone=node_place(self.nodes.get(str(node))).zone if node else None,
            rules=rules,
            storage_class=storage,
            guest_os=os_name,
            log_mib_s=log_rate,
        )

    def _log(self, pod: Mapping[str, Any]) -> tuple[str | None, float | None]:
        container = main_container(pod)
        meta = pod.get("metadata") or {}
        try:
            text = self.cluster.read_log(str(meta.get("namespace")), _name(pod), container, tail_lines=SCAN_LINES)
        except ClusterError as error:
            note = f"virt-v2v logs unreadable ({error.message}): no log copy rate or guest OS"
            if note not in self.notes:
                self.notes.append(note)
            return None, None
        report = report_from_text(container or "", text, disk_sizes=disk_sizes(pod, self.sizes), log_lines=0)
        return guest_os(text), report.throughput_mib_per_second


def _wall(migration: Mapping[str, Any], now: datetime) -> int | None:
    status = migration.get("status") or {}
    started = parse_time(status.get("started"))
    ended = parse_time(status.get("completed")) or now
    return max(0, int((ended - started).total_seconds())) if started else None


def measure_migration(
    cluster: ClusterClient, plan: Mapping[str, Any], migration: Mapping[str, Any], notes: list[str], *, with_logs: bool
) -> tuple[list[Measured], int | None, _Reader]:
    """Every VM of ``migration`` measured, the migration's wall time, and what was read."""
    reader = _Reader(cluster, plan, migration, notes)
    by_vm = {str(dig(p, "metadata", "labels", "vmID")): p for p in reader.pods}
    now = reference_now([*reader.pods, migration])
    runs = [
        measure_vm(vm, reader.placement(by_vm.get(str(vm.get("id"))), with_logs), now)
        for vm in dig(migration, "status", "vms") or []
    ]
    return runs, _wall(migration, now), reader


def _usage(name: str, usage: Mapping[str, Any]) -> Usage:
    return Usage(
        name=name,
        cpu_cores=round(float(parse_quantity(str(usage.get("cpu") or "0"))), 2),
        memory_gib=round(float(parse_quantity(str(usage.get("memory") or "0"))) / GIB, 2),
    )


def read_metrics(cluster: ClusterClient, target: str, migration_uid: str, runs: Sequence[Measured]) -> Metrics:
    """CPU/memory of the migration's running convertors and their nodes from ``metrics.k8s.io``."""
    try:
        pods = cluster.list_objects(POD_METRICS, target, label_selector=f"migration={migration_uid}")
        nodes = cluster.list_objects(NODE_METRICS)
    except ClusterError as error:
        if error.status == 404:
            note = "the cluster serves no metrics.k8s.io (metrics-server not installed): no CPU/memory use to show"
        else:
            note = f"metrics.k8s.io unreadable: {error.message}"
        return Metrics(available=False, note=note)
    pod_usage = [
        _usage(
            _name(p),
            {
                k: sum(float(parse_quantity(str(dig(c, "usage", k) or "0"))) for c in p.get("containers") or [])
                for k in ("cpu", "memory")
            },
        )
        for p in pods
    ]
    hosts = {m.run.node for m in runs if m.run.state == "Running" and m.run.node}
    node_usage = [_usage(_name(n), n.get("usage") or {}) for n in nodes if _name(n) in hosts]
    note = "metrics-server reports running pods only" + ("" if pod_usage else "; none of these convertors runs now")
    return Metrics(available=True, note=note, pods=pod_usage, nodes=node_usage)


def _compared(cluster: ClusterClient, namespace: str, other: str, this: Side, notes: list[str]) -> Comparison:
    other_plan = cluster.get_plan(namespace, other)
    migrations = migrations_of(cluster, other_plan)
    finished = [m for m in migrations if migration_state(m) in ("Succeeded", "Failed")]
    chosen = (finished or migrations)[-1] if migrations else None
    if chosen is None:
        raise MtvError(
            f"plan '{other}' has no Migration to compare with",
            field="compare_with",
            hint="name a plan that has run (its latest finished migration is used)",
        )
    if chosen not in finished:
        notes.append(f"plan '{other}' has no finished migration; compared with its running '{_name(chosen)}'")
    other_runs, other_wall, _ = measure_migration(cluster, other_plan, chosen, notes, with_logs=False)
    return compare(this, Side(other, _name(chosen), other_runs, other_wall))


def migration_report(
    cluster: ClusterClient,
    plan_name: str,
    namespace: str,
    *,
    migration: str | None = None,
    compare_with: str | None = None,
) -> MigrationReport:
    """The report of ``plan_name``'s latest (or named) Migration, optionally beside another plan's."""
    plan = cluster.get_plan(namespace, plan_name)
    chosen = choose_migration(migrations_of(cluster, plan), migration, plan_name)
    if chosen is None:
        raise MtvError(
            f"plan '{plan_name}' has no Migration yet, so there is nothing to report",
            field="plan",
            hint="start it with start_migration; before that, create_plan's dry run carries a forecast",
        )
    if compare_with == plan_name:
        raise MtvError(
            "compare_with names the plan itself", field="compare_with", hint="name another plan, e.g. the baseline wave"
        )
    notes: list[str] = []
    runs, wall, reader = measure_migration(cluster, plan, chosen, notes, with_logs=True)
    target = str(dig(plan, "spec", "targetNamespace"))
    uid = str(dig(chosen, "metadata", "uid"))
    by_node = group(runs, lambda m: [m.run.node or "unplaced"])
    by_storage = group(runs, lambda m: [m.run.storage_class] if m.run.storage_class else [])
    by_storage += group(runs, lambda m: [f"ds:{d}" for d in m.run.datastores])
    this = Side(plan_name, _name(chosen), runs, wall)
    comparison = _compared(cluster, namespace, compare_with, this, notes) if compare_with else None
    if not runs:
        notes.append(f"Migration '{_name(chosen)}' lists no VMs yet")
    metrics = read_metrics(cluster, target, uid, runs)
    summary = RunSummary(
        plan=plan_name,
        namespace=namespace,
        migration=_name(chosen),
        state=migration_state(chosen),
        wall_seconds=wall,
        metrics=metrics,
        notes=notes,
    )
    breakdown = Breakdown(
        node=by_node,
        storage=by_storage,
        rule=group(runs, lambda m: [m.run.rules]),
        slowest=slowest(runs, by_node, by_storage, reader.nodes),
    )
    return MigrationReport(run=summary, vms=[m.run for m in runs], breakdown=breakdown, comparison=comparison)
