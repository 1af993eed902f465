"""A forecast before a plan runs: how many convertors run at once, at what copy rate, for how long.

Concurrency is the smaller of Forklift's in-flight budget and the room the candidate nodes have for
one more convertor each: ForkliftController ``controller_max_vm_inflight`` (default 20; the operator
CRD, ``pkg/settings/migration.go`` ``MAX_VM_INFLIGHT``), which for vSphere is a budget per ESXi host
(``pkg/controller/plan/scheduler/vsphere/scheduler.go``: a VM costs a slot on its host), and each
node's allocatable minus what its pods request, divided by the convertor's requests
(``virt_v2v_container_requests_cpu``/``_memory``, defaults 1000m/1Gi, and one KVM device). The copy
rate is learned from finished migrations in this cluster (per candidate node, else overall), else a
stated default; the answer is a range, never one number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError
from mtv_mcp.core.cluster.kinds import FORKLIFT_CONTROLLER
from mtv_mcp.core.cluster.visibility import read_cluster_view
from mtv_mcp.core.convertor.inspect import find_pods, migration_state, reference_now
from mtv_mcp.core.convertor.preview import PlacementPreview, preview_on_cluster
from mtv_mcp.core.convertor.report_figures import rate
from mtv_mcp.core.convertor.runs import CONVERSION_STEP, TRANSFER_STEPS, Measured, VmPlacement, measure_vm
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.placement.models import Node, Pod, parse_object
from mtv_mcp.core.placement.resources import CPU, KVM_RESOURCE, MEMORY, allocatable, amount, used

DEFAULT_INFLIGHT = 20
DEFAULT_MIB_S = (50.0, 150.0)
DEFAULT_CONVERSION_SECONDS = 120
SINGLE_RATE_LOW = 0.8
MIB_PER_GB = 1024


class Forecast(BaseModel):
    """What running the plan would take, as a range."""

    model_config = ConfigDict(frozen=True)

    vms: int
    disk_gb: float
    nodes: list[str] = Field(description="Nodes the convertor pods can land on (placement preview)")
    concurrent: int = Field(description="Convertors running at once")
    concurrency: str = Field(description="Why that many")
    mib_s: list[float] = Field(description="Assumed copy rate range [low, high]")
    mib_s_source: str
    seconds: list[int] = Field(description="Estimated duration range [fast, slow]")
    notes: list[str]


def controller_settings(cluster: ClusterClient, namespace: str, notes: list[str]) -> dict[str, Any]:
    """The ForkliftController's spec in ``namespace`` (empty, with a note, when none can be read)."""
    try:
        controllers = cluster.list_objects(FORKLIFT_CONTROLLER, namespace)
    except ClusterError as error:
        notes.append(f"ForkliftController unreadable ({error.message}): Forklift's defaults assumed")
        return {}
    if not controllers:
        notes.append(f"no ForkliftController in {namespace}: Forklift's defaults assumed")
        return {}
    return dict(controllers[0].get("spec") or {})


def node_room(
    nodes: Sequence[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]], spec: Mapping[str, Any]
) -> dict[str, int]:
    """How many more convertors each node has room for, by the convertor's requests."""
    requests = {
        CPU: amount(CPU, str(spec.get("virt_v2v_container_requests_cpu") or "1000m")),
        MEMORY: amount(MEMORY, str(spec.get("virt_v2v_container_requests_memory") or "1Gi")),
    }
    if str(spec.get("virt_v2v_dont_request_kvm")).lower() != "true":
        requests[KVM_RESOURCE] = 1
    parsed = [parse_object(Pod, raw, "pod") for raw in pods]
    room: dict[str, int] = {}
    for raw in nodes:
        node = parse_object(Node, raw, "node")
        free = allocatable(node.allocatable)
        taken = used(p for p in parsed if p.spec.node_name == node.name and not p.terminated)
        room[node.name] = max(0, min((free[r] - taken[r]) // need for r, need in requests.items() if need))
    return room


def _inflight(vms: Sequence[Mapping[str, Any]], limit: int) -> int:
    """VMs Forklift lets run at once: ``limit`` per ESXi host when the VMs name one, else overall."""
    hosts: dict[str, int] = {}
    for vm in vms:
        hosts[str(vm.get("host") or "")] = hosts.get(str(vm.get("host") or ""), 0) + 1
    if "" in hosts:
        return min(len(vms), limit)
    return sum(min(count, limit) for count in hosts.values())


def _storage_classes(cluster: ClusterClient, plan: Mapping[str, Any], migration_uid: str) -> dict[str, str]:
    """VM id → storage class of its target PVCs (Forklift labels them ``vmID`` and ``migration``)."""
    target = dig(plan, "spec", "targetNamespace")
    try:
        pvcs = cluster.list_pvcs(str(target), f"migration={migration_uid}") if target else []
    except ClusterError:
        return {}
    return {str(dig(p["metadata"], "labels", "vmID")): str(dig(p, "spec", "storageClassName") or "") for p in pvcs}


def finished_runs(cluster: ClusterClient, namespace: str, notes: list[str]) -> list[Measured]:
    """Every VM of the finished (Succeeded or Failed) migrations in ``namespace``, with its node and storage class."""
    try:
        plans = {p["metadata"]["name"]: p for p in cluster.list_plans(namespace)}
        migrations = [m for m in cluster.list_migrations(namespace) if migration_state(m) in ("Succeeded", "Failed")]
    except ClusterError as error:
        notes.append(f"past migrations unreadable ({error.message}): default copy rates assumed")
        return []
    found: list[Measured] = []
    for migration in migrations:
        plan = plans.get(str(dig(migration, "spec", "plan", "name")))
        if plan is None:
            continue
        uid = str(migration["metadata"].get("uid"))
        try:
            pods = find_pods(cluster, plan, uid, None)
        except ClusterError:
            pods = []
        nodes = {str(p["metadata"].get("labels", {}).get("vmID")): p.get("spec", {}).get("nodeName") for p in pods}
        classes = _storage_classes(cluster, plan, uid)
        now = reference_now([migration])
        for vm in dig(migration, "status", "vms") or []:
            vm_id = str(vm.get("id"))
            found.append(measure_vm(vm, VmPlacement(node=nodes.get(vm_id), storage_class=classes.get(vm_id)), now))
    return [m for m in found if m.run.state == "Succeeded" and m.run.mib_s]


def _assumed_rates(
    history: Sequence[Measured], candidates: Sequence[str], storage_classes: Sequence[str]
) -> tuple[list[float], str]:
    """Per candidate node, else per target storage class, else over the cluster, else the default."""
    on_candidates = [m for m in history if m.run.node in candidates]
    per_node = {n: r for n in candidates if (r := rate(m for m in on_candidates if m.run.node == n))}
    if per_node:
        low, high = min(per_node.values()), max(per_node.values())
        where = ", ".join(f"{n} {r:g}" for n, r in sorted(per_node.items()))
        return [low, high], f"finished migrations in this cluster on the candidate nodes (MiB/s: {where})"
    by_class = [r for m in history if m.run.storage_class in storage_classes and (r := m.run.mib_s)]
    if by_class:
        classes = ", ".join(storage_classes)
        return [min(by_class), max(by_class)], f"finished migrations to storage class {classes} ({len(by_class)} VMs)"
    overall = [r for m in history if (r := m.run.mib_s)]
    if overall:
        return [min(overall), max(overall)], f"finished migrations in this cluster ({len(overall)} VMs, other nodes)"
    return list(DEFAULT_MIB_S), "default: no finished migration in this cluster to learn from"


def _duration(sizes_mib: Sequence[float], slots: int, mib_s: float, overhead: float) -> int:
    """Longest-first onto ``slots`` parallel convertors; each VM takes ``overhead`` + size / rate."""
    ends = [0.0] * max(1, slots)
    for size in sorted(sizes_mib, reverse=True):
        index = ends.index(min(ends))
        ends[index] += overhead + size / mib_s
    return math.ceil(max(ends))


def _disk_mib(vm: Mapping[str, Any]) -> float:
    return sum(math.ceil(int(d.get("capacity") or 0) / 1024**2) for d in vm.get("disks") or [])


def forecast(
    cluster: ClusterClient,
    namespace: str,
    vms: Sequence[Mapping[str, Any]],
    preview: PlacementPreview | None,
    notes: list[str],
    storage_classes: Sequence[str] = (),
) -> Forecast:
    """The forecast for ``vms`` (inventory records) placed as ``preview`` says, in ``namespace``'s cluster."""
    spec = controller_settings(cluster, namespace, notes)
    limit = int(spec.get("controller_max_vm_inflight") or DEFAULT_INFLIGHT)
    candidates = [c.node for c in preview.candidates] if preview is not None else []
    inflight = _inflight(vms, limit)
    if preview is None:
        room: dict[str, int] = {}
        fits = inflight
        notes.append("nodes not visible to this user: node room not counted, only the in-flight budget")
    else:
        view = read_cluster_view(cluster, notes, preview.target_namespace)
        room = node_room([n for n in view.nodes if n["metadata"]["name"] in candidates], view.pods, spec)
        fits = sum(room.values())
    concurrent = max(0, min(len(vms), inflight, fits))
    concurrency = (
        f"min({len(vms)} VMs, in-flight budget {inflight} (controller_max_vm_inflight {limit}"
        + (" per ESXi host" if all(vm.get("host") for vm in vms) else "")
        + f"), room on candidate nodes {fits} ({', '.join(f'{n} {r}' for n, r in room.items()) or 'none'}))"
    )
    history = finished_runs(cluster, namespace, notes)
    mib_s, source = _assumed_rates(history, candidates, storage_classes)
    sharing = math.ceil(concurrent / len(candidates)) if candidates and concurrent else 1
    if sharing > 1:
        mib_s[0] /= sharing
        notes.append(f"the low rate assumes {sharing} convertors share a node's link at once")
    if mib_s[0] == mib_s[1]:
        mib_s[0] *= SINGLE_RATE_LOW
        notes.append(f"one observed rate: the low end is {SINGLE_RATE_LOW:.0%} of it")
    # Every step but the copy (Initialize, DiskAllocation, ImageConversion, VirtualMachineCreation) is per-VM overhead.
    overheads = sorted(
        sum(seconds for step, seconds in m.run.phases.items() if step not in TRANSFER_STEPS)
        for m in history
        if CONVERSION_STEP in m.run.phases
    )
    overhead = overheads[len(overheads) // 2] if overheads else DEFAULT_CONVERSION_SECONDS
    sizes = [_disk_mib(vm) for vm in vms]
    if concurrent == 0:
        notes.append("no candidate node has room for a convertor: the pods would stay Pending, so no duration")
    seconds = [_duration(sizes, concurrent, r, overhead) for r in sorted(mib_s, reverse=True)] if concurrent else []
    notes.append(
        f"each VM: {overhead}s of steps besides the copy (median of past runs, else a default) + disk GB / rate"
    )
    return Forecast(
        vms=len(vms),
        disk_gb=round(sum(sizes) / MIB_PER_GB, 1),
        nodes=candidates,
        concurrent=concurrent,
        concurrency=concurrency,
        mib_s=[round(r, 1) for r in mib_s],
        mib_s_source=source,
        seconds=seconds,
        notes=notes,
    )


def plan_forecast(
    cluster: ClusterClient,
    plan: Mapping[str, Any],
    vms: Sequence[Mapping[str, Any]],
    storage_map: Mapping[str, Any] | None = None,
) -> Forecast:
    """The forecast of a built (not yet created) Plan: its convertor rules previewed on the cluster,
    its StorageMap's classes for the rate fallback."""
    spec, meta = plan.get("spec") or {}, plan.get("metadata") or {}
    notes: list[str] = []
    target = str(spec.get("targetNamespace") or meta.get("namespace"))
    preview = preview_on_cluster(
        cluster,
        target,
        node_selector=spec.get("convertorNodeSelector"),
        affinity=spec.get("convertorAffinity"),
        labels=spec.get("convertorLabels"),
        notes=notes,
    )
    pairs = dig(storage_map, "spec", "map") or []
    classes = sorted({str(c) for p in pairs if (c := dig(p, "destination", "storageClass"))})
    return forecast(cluster, str(meta.get("namespace")), vms, preview, notes, classes)
