"""Inspect the virt-v2v pods of a plan: where they run, whether that meets the plan's rules, why they
are Pending, how far they are, what failed, and how loaded their nodes are.

    with ClusterClient.connect(credentials, settings) as cluster:
        report = inspect_plan_convertors(cluster, "wave1", "openshift-mtv", log_lines=20)

Pods are found with Forklift's labels (``forklift.app``, ``plan``/``plan-name``, ``migration``,
``vmID``) in the plan's target namespace, for the latest (or a named) Migration; deep-inspection
pods run in the Plan's own namespace and carry no ``migration`` label (forklift
``pkg/controller/plan/kubevirt.go`` CreateDeepInspectionConversion / DeleteDeepInspectionPods,
``pkg/controller/conversion/builder.go`` BuildDeepInspectionPod), so they are found there by
``plan`` uid (and ``vmID``). Reads that are
not essential (events, PVCs, logs, the provider) degrade to a note instead of failing the call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError
from mtv_mcp.core.cluster.forklift import true_conditions
from mtv_mcp.core.cluster.visibility import ClusterView, read_cluster_view
from mtv_mcp.core.convertor.controller_settings import cluster_convertor_settings
from mtv_mcp.core.convertor.events import (
    EventSummary,
    events_by_pod,
    latest_failed_scheduling,
    notable_events,
)
from mtv_mcp.core.convertor.log_report import LogReport, read_log_report
from mtv_mcp.core.convertor.pending import PendingDiagnosis, diagnose_pending
from mtv_mcp.core.convertor.pod_status import (
    DEEP_INSPECTION_APP,
    POD_KINDS,
    ContainerState,
    NodePlace,
    PodKind,
    PodTiming,
    container_resources,
    container_state,
    container_states,
    main_container,
    node_place,
    parse_time,
    pod_kind,
    pod_timing,
)
from mtv_mcp.core.convertor.pod_template import FORKLIFT_APP_LABEL, provider_has_convertor
from mtv_mcp.core.convertor.pressure import NodePressure, nodes_pressure
from mtv_mcp.core.convertor.preview import PlacementPreview, preview_placement
from mtv_mcp.core.convertor.recommend import pod_findings, recommendations
from mtv_mcp.core.convertor.rules_check import RuleCheck, check_rules
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.quantity import int_value

_KIND_SELECTOR = f"{FORKLIFT_APP_LABEL} in ({','.join(POD_KINDS)})"


class ConvertorPodReport(BaseModel):
    """One Forklift conversion pod."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: PodKind
    vm_id: str | None
    vm_name: str | None
    vm_phase: str | None = Field(description="The VM's phase in the Migration (e.g. CopyDisksVirtV2V)")
    vm_error: list[str] = Field(description="The VM's error reasons in the Migration")
    node: str | None
    place: NodePlace
    phase: str = Field(description="Pod phase: Pending, Running, Succeeded, Failed, Unknown")
    status_reason: str | None = Field(description="Pod status reason, e.g. Evicted")
    status_message: str | None
    container: ContainerState | None
    init_containers: list[ContainerState]
    requests: dict[str, str]
    limits: dict[str, str]
    timing: PodTiming
    off_rule: bool = Field(description="Its node breaks the plan's convertor rules")
    rules: RuleCheck | None = Field(description="Rule check of a placed pod")
    pending: PendingDiagnosis | None = Field(description="Why a Pending pod does not run")
    log: LogReport | None = Field(description="Progress, error patterns and the last lines of its log")
    events: list[EventSummary] = Field(
        description="Its last Warning and notable events (the FailedScheduling a diagnosis decodes is in pending)"
    )
    findings: list[str] = Field(description="What stands out, one line each")


class InspectionSummary(BaseModel):
    """The counts and the pods that need attention."""

    model_config = ConfigDict(frozen=True)

    phases: dict[str, int] = Field(description="Pods per phase")
    off_rule: list[str] = Field(description="Pods on nodes that break the plan's rules")
    pending: list[str] = Field(description="'pod: main reason' of each Pending pod")
    failed: list[str] = Field(description="'pod: cause' of each Failed pod")


class ConvertorInspection(BaseModel):
    """The result of inspecting a plan's convertor pods."""

    model_config = ConfigDict(frozen=True)

    plan: str
    namespace: str
    target_namespace: str | None
    provider_type: str | None
    migration: str | None = Field(description="The Migration inspected (None: the plan never started)")
    migration_state: str | None = Field(description="Running, Succeeded, Failed, Canceled or Pending")
    vm: str | None
    summary: InspectionSummary = Field(description="phases (pods per phase), off_rule, pending, failed")
    pods: list[ConvertorPodReport] = Field(
        description="Per pod: name, vm_name, node, phase, rules (node vs plan), pending (reasons, fixes), "
        "log (stage, percent, errors), findings"
    )
    nodes: list[NodePressure] = Field(description="Nodes hosting the pods: requested vs allocatable, pressure")
    recommendations: list[str]
    notes: list[str]
    preview: PlacementPreview | None = Field(
        None, description="Where convertors of a plan that never started would go, under its rules"
    )


def _name(obj: Mapping[str, Any]) -> str:
    return str(dig(obj, "metadata", "name") or "")


def _created(obj: Mapping[str, Any]) -> str:
    return str(dig(obj, "metadata", "creationTimestamp") or "")


def migrations_of(cluster: ClusterClient, plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's Migrations, oldest first."""
    meta = plan.get("metadata") or {}
    found = [
        m
        for m in cluster.list_migrations(meta.get("namespace"))
        if dig(m, "spec", "plan", "name") == meta.get("name")
        and (dig(m, "spec", "plan", "namespace") or dig(m, "metadata", "namespace")) == meta.get("namespace")
    ]
    return sorted(found, key=_created)


def choose_migration(migrations: Sequence[dict[str, Any]], wanted: str | None, plan: str) -> dict[str, Any] | None:
    """The named (name or uid) or the latest Migration; ``MtvError`` for an unknown name."""
    if wanted is None:
        return migrations[-1] if migrations else None
    for migration in migrations:
        meta = migration.get("metadata") or {}
        if wanted in (meta.get("name"), meta.get("uid")):
            return migration
    known = ", ".join(_name(m) for m in migrations) or "none"
    raise MtvError(
        f"plan '{plan}' has no Migration '{wanted}'",
        field="migration",
        hint=f"give a Migration name or uid of this plan (it has: {known}), or leave it out for the latest",
    )


def resolve_vm(plan: Mapping[str, Any], wanted: str | None) -> tuple[str, str | None] | None:
    """(id, name) of the plan VM named or id'd ``wanted``; ``MtvError`` when the plan has no such VM."""
    if wanted is None:
        return None
    vms = dig(plan, "spec", "vms") or []
    for vm in vms:
        if wanted in (vm.get("id"), vm.get("name")):
            return str(vm.get("id")), vm.get("name")
    known = ", ".join(f"{vm.get('name') or '?'} ({vm.get('id')})" for vm in vms) or "none"
    raise MtvError(
        f"plan '{_name(plan)}' has no VM '{wanted}'",
        field="vm",
        hint=f"give a VM name or id of the plan: {known}",
    )


def migration_state(migration: Mapping[str, Any]) -> str:
    conditions = true_conditions(dict(migration))
    return next((s for s in ("Canceled", "Failed", "Succeeded", "Running") if s in conditions), "Pending")


def find_pods(
    cluster: ClusterClient, plan: Mapping[str, Any], migration_uid: str, vm_id: str | None
) -> list[dict[str, Any]]:
    """Conversion pods of the migration (by ``plan`` uid and the 2.12 ``plan-name`` label) and the
    plan's deep-inspection pods, oldest first."""
    meta = plan.get("metadata") or {}
    target = str(dig(plan, "spec", "targetNamespace"))
    vm = f",vmID={vm_id}" if vm_id else ""
    narrow = f",migration={migration_uid}{vm}"
    searches = [
        (target, f"{_KIND_SELECTOR},{owner}{narrow}")
        for owner in (f"plan={meta.get('uid')}", f"plan-name={meta.get('name')}")
    ]
    searches.append(
        (str(meta.get("namespace")), f"{FORKLIFT_APP_LABEL}={DEEP_INSPECTION_APP},plan={meta.get('uid')}{vm}")
    )
    found: dict[str, dict[str, Any]] = {}
    for namespace, selector in searches:
        for pod in cluster.list_pods(namespace, label_selector=selector):
            pod_meta = pod.get("metadata") or {}
            found[str(pod_meta.get("uid") or pod_meta.get("name"))] = pod
    return sorted(found.values(), key=lambda p: (_created(p), _name(p)))


def disk_sizes(pod: Mapping[str, Any], pvcs: Mapping[str, int]) -> list[int]:
    """Sizes (bytes) of the pod's PVC volumes in disk order; empty when any is unknown."""
    claims = [
        str(v["persistentVolumeClaim"].get("claimName"))
        for v in dig(pod, "spec", "volumes") or []
        if v.get("persistentVolumeClaim")
    ]
    return [pvcs[c] for c in claims] if claims and all(c in pvcs for c in claims) else []


def pvc_sizes(pvcs: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """PVC name → bound capacity (else requested size) in bytes."""
    sizes: dict[str, int] = {}
    for pvc in pvcs:
        quantity = dig(pvc, "status", "capacity", "storage") or dig(pvc, "spec", "resources", "requests", "storage")
        if quantity:
            try:
                sizes[_name(pvc)] = int_value(quantity)
            except MtvError:
                continue
    return sizes


def reference_now(objects: Iterable[Mapping[str, Any]]) -> datetime:
    """Our clock, or the newest timestamp the cluster wrote when the cluster's clock is ahead."""
    newest = datetime.now(UTC)
    for obj in objects:
        for text in (
            _created(obj),
            obj.get("lastTimestamp"),
            *(
                dig(s, "state", k, f)
                for s in dig(obj, "status", "containerStatuses") or []
                for k, f in (("running", "startedAt"), ("terminated", "finishedAt"))
            ),
        ):
            moment = parse_time(text)
            if moment is not None and moment > newest:
                newest = moment
    return newest


def _vm_statuses(migration: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(vm.get("id")): vm for vm in dig(migration, "status", "vms") or []}


def _canceled_vms(migration: Mapping[str, Any], vm_id: str | None) -> list[str]:
    """The Migration's VMs whose Canceled condition is true (only ``vm_id`` when given)."""
    return [
        f"{vm.get('name') or '?'} ({vm.get('id')})"
        for vm in dig(migration, "status", "vms") or []
        if (vm_id is None or vm.get("id") == vm_id) and "Canceled" in true_conditions({"status": vm})
    ]


@dataclass
class _Context:
    """What every pod of one inspection shares."""

    cluster: ClusterClient
    plan: Mapping[str, Any]
    view: ClusterView
    events: dict[str, list[Mapping[str, Any]]]
    pvcs: dict[str, int]
    vm_status: dict[str, Mapping[str, Any]]
    now: datetime
    log_lines: int
    log_problem: str | None = None


def _log(
    ctx: _Context, pod: Mapping[str, Any], container: str | None, state: ContainerState | None
) -> LogReport | None:
    if container is None or not dig(pod, "spec", "nodeName") or state is None:
        return None
    if ctx.log_problem is not None:
        return LogReport(container=container, problem=ctx.log_problem)
    meta = pod.get("metadata") or {}
    report = read_log_report(
        ctx.cluster,
        str(meta.get("namespace")),
        str(meta.get("name")),
        container,
        previous=state.state == "waiting" and state.restarts > 0,
        disk_sizes=disk_sizes(pod, ctx.pvcs),
        log_lines=ctx.log_lines,
    )
    if report.problem and "(403)" in report.problem:
        ctx.log_problem = report.problem
    return report


def pod_report(ctx: _Context, pod: Mapping[str, Any]) -> ConvertorPodReport:
    """Everything about one pod."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    labels = meta.get("labels") or {}
    vm_id = labels.get("vmID")
    vm_status = ctx.vm_status.get(str(vm_id)) or {}
    plan_vms = dig(ctx.plan, "spec", "vms") or []
    plan_vm: Mapping[str, Any] = next((v for v in plan_vms if v.get("id") == vm_id), {})
    container = main_container(pod)
    state = container_state(pod, container)
    requests, limits = container_resources(pod, container)
    node = spec.get("nodeName")
    node_obj = next((n for n in ctx.view.nodes if _name(n) == node), None)
    phase = str(status.get("phase") or "Unknown")
    own_events = ctx.events.get(str(meta.get("name")), [])
    plan_spec = ctx.plan.get("spec") or {}
    kind = pod_kind(pod) or "convertor"
    view = ctx.view
    rules = check_rules(pod, plan_spec, view.nodes, view.pods, view.namespaces) if kind == "convertor" else None
    pending = (
        diagnose_pending(
            pod,
            event=latest_failed_scheduling(own_events),
            state=state,
            nodes=view.nodes,
            pods=view.pods,
            namespaces=view.namespaces,
        )
        if phase == "Pending"
        else None
    )
    log = _log(ctx, pod, container, state)
    report = ConvertorPodReport(
        name=str(meta.get("name")),
        kind=kind,
        vm_id=vm_id,
        vm_name=plan_vm.get("name") or vm_status.get("name"),
        vm_phase=vm_status.get("phase"),
        vm_error=[str(r) for r in dig(vm_status, "error", "reasons") or []],
        node=node,
        place=node_place(node_obj),
        phase=phase,
        status_reason=status.get("reason"),
        status_message=(str(status["message"])[:300] if status.get("message") else None),
        container=state,
        init_containers=container_states(pod, init=True),
        requests=requests,
        limits=limits,
        timing=pod_timing(pod, state, ctx.now),
        off_rule=rules is not None and not rules.satisfied,
        rules=rules,
        pending=pending,
        log=log,
        events=[e for e in notable_events(own_events) if pending is None or e != pending.event],
        findings=[],
    )
    return report.model_copy(update={"findings": pod_findings(report)})


def _summary(pods: Sequence[ConvertorPodReport]) -> InspectionSummary:
    def first_reason(pod: ConvertorPodReport) -> str:
        diagnosis = pod.pending
        if diagnosis is None:
            return "unknown"
        if diagnosis.state == "waiting":
            return f"bound to {pod.node}, container waiting ({diagnosis.waiting_reason})"
        blocking = [f"{c.reason.count or '?'} {c.reason.detail}" for c in diagnosis.reasons if not c.reason.expected]
        return "; ".join(blocking) or diagnosis.decoded_message() or "no scheduler message yet"

    return InspectionSummary(
        phases=dict(Counter(p.phase for p in pods)),
        off_rule=[p.name for p in pods if p.off_rule],
        pending=[f"{p.name}: {first_reason(p)}" for p in pods if p.phase == "Pending"],
        failed=[f"{p.name}: {p.findings[0] if p.findings else 'failed'}" for p in pods if p.phase == "Failed"],
    )


def _optional(read: Any, what: str, notes: list[str], *args: Any, **kwargs: Any) -> list[dict[str, Any]]:
    try:
        result: list[dict[str, Any]] = read(*args, **kwargs)
    except ClusterError as error:
        notes.append(f"{what} unavailable: {error.message}")
        return []
    return result


def plan_preview(
    cluster: ClusterClient, plan: Mapping[str, Any], notes: list[str], provider_type: str | None = None
) -> PlacementPreview | None:
    """Where the plan's convertor pods would go under its rules and the cluster's ForkliftController
    settings now (None without a target namespace or when the nodes are not visible)."""
    spec = plan.get("spec") or {}
    target = spec.get("targetNamespace")
    if not target:
        return None
    view = read_cluster_view(cluster, notes, str(target))
    if not view.nodes_visible:
        return None
    settings, resources = cluster_convertor_settings(cluster, provider_type=provider_type)
    return preview_placement(
        str(target),
        node_selector=spec.get("convertorNodeSelector"),
        affinity=spec.get("convertorAffinity"),
        labels=spec.get("convertorLabels"),
        nodes=view.nodes,
        pods=view.pods,
        namespaces=view.namespaces,
        settings=settings,
        resources=resources,
    )


def plan_provider_type(cluster: ClusterClient, plan: Mapping[str, Any], notes: list[str]) -> str | None:
    """The type of the plan's source provider (None, with a note, when it cannot be read)."""
    ref = dig(plan, "spec", "provider", "source") or {}
    if not ref.get("name"):
        return None
    try:
        provider_namespace = str(ref.get("namespace") or dig(plan, "metadata", "namespace"))
        provider = cluster.get_provider(provider_namespace, str(ref["name"]))
    except ClusterError as error:
        notes.append(f"source provider type unknown: {error.message}")
        return None
    kind = dig(provider, "spec", "type")
    return None if kind is None else str(kind)


def _without_pods(
    plan: Mapping[str, Any],
    namespace: str,
    *,
    provider_type: str | None,
    vm: str | None,
    notes: list[str],
    preview: PlacementPreview | None = None,
) -> ConvertorInspection:
    """The answer when there is nothing to inspect (no convertor for the provider, no Migration yet)."""
    return ConvertorInspection(
        plan=_name(plan),
        namespace=namespace,
        target_namespace=dig(plan, "spec", "targetNamespace"),
        provider_type=provider_type,
        migration=None,
        migration_state=None,
        vm=vm,
        summary=InspectionSummary(phases={}, off_rule=[], pending=[], failed=[]),
        pods=[],
        nodes=[],
        recommendations=[],
        notes=notes,
        preview=preview,
    )


def inspect_plan_convertors(
    cluster: ClusterClient,
    plan_name: str,
    namespace: str,
    *,
    migration: str | None = None,
    vm: str | None = None,
    log_lines: int = 20,
) -> ConvertorInspection:
    """Inspect the conversion pods of ``plan_name`` (its latest, or the named, Migration; optionally one VM)."""
    plan = cluster.get_plan(namespace, plan_name)
    spec = plan.get("spec") or {}
    target = spec.get("targetNamespace")
    vm_ref = resolve_vm(plan, vm)
    notes: list[str] = []
    provider_type = plan_provider_type(cluster, plan, notes)
    common: dict[str, Any] = {"provider_type": provider_type, "vm": vm, "notes": notes}
    if provider_type is not None and not provider_has_convertor(provider_type):
        notes.insert(
            0,
            f"plan '{plan_name}' migrates from a {provider_type} provider: Forklift runs no virt-v2v convertor pods "
            "for it (disks are imported by CDI or copied as they are), so there is nothing to inspect",
        )
        return _without_pods(plan, namespace, **common)
    chosen = choose_migration(migrations_of(cluster, plan), migration, plan_name)
    if chosen is None:
        notes.insert(
            0,
            f"plan '{plan_name}' has no Migration yet, so no convertor pods exist; start it (start_migration) to "
            "create them. The preview shows where its convertor pods would go under its rules now",
        )
        preview = plan_preview(cluster, plan, notes, provider_type)
        return _without_pods(plan, namespace, preview=preview, **common)
    migration_meta = chosen.get("metadata") or {}
    pods = find_pods(cluster, plan, str(migration_meta.get("uid")), vm_ref[0] if vm_ref else None)
    view = read_cluster_view(cluster, notes, target)
    events = _optional(cluster.list_events, "pod events", notes, target)
    selector = f"migration={migration_meta.get('uid')}"
    pvcs = _optional(cluster.list_pvcs, "target PVCs (disk sizes)", notes, target, selector)
    ctx = _Context(
        cluster=cluster,
        plan=plan,
        view=view,
        events=events_by_pod(events),
        pvcs=pvc_sizes(pvcs),
        vm_status=_vm_statuses(chosen),
        now=reference_now([*pods, *events]),
        log_lines=log_lines,
    )
    reports = [pod_report(ctx, pod) for pod in pods]
    if ctx.log_problem:
        notes.append(f"logs unreadable: {ctx.log_problem}")
    canceled = _canceled_vms(chosen, vm_ref[0] if vm_ref else None)
    if canceled:
        notes.append(f"canceled (Migration spec.cancel; Forklift deleted their convertor pods): {', '.join(canceled)}")
    if not pods:
        notes.append(
            f"Migration '{migration_meta.get('name')}' has no conversion pods in {target}"
            + (f" for VM {vm}" if vm else "")
            + ": they appear when a VM reaches CreateGuestConversionPod, and are gone if Forklift deleted them "
            "(deleteGuestConversionPod) or the namespace was cleaned up"
        )
    hosts: dict[str, list[str]] = {}
    for report in reports:
        if report.node:
            hosts.setdefault(report.node, []).append(report.name)
    pressure = nodes_pressure(hosts, view.nodes, view.pods)
    return ConvertorInspection(
        plan=plan_name,
        namespace=namespace,
        target_namespace=target,
        migration=migration_meta.get("name"),
        migration_state=migration_state(chosen),
        summary=_summary(reports),
        pods=reports,
        nodes=pressure,
        recommendations=recommendations(reports, pressure),
        **common,
    )
