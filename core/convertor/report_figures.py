"""Figures over measured VMs: groups, the slowest VMs with the likely why, and a side-by-side comparison.

The comparison is the convertor-optimization guide's "Performance Benchmarking" step: a baseline
wave and an optimized one, compared per node and per GB.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import median
from typing import Any

from mtv_mcp.core.convertor.report_models import CompareRow, Comparison, Group, SlowVm, VmPair, VmRun
from mtv_mcp.core.convertor.runs import CONVERSION_STEP, Measured, overlapping
from mtv_mcp.core.kube_fields import dig

SLOW_SHARE = 0.75
"""A VM, node or storage group below this share of the best one's copy rate is called slow."""
MAX_SLOWEST = 3
SIZE_CLASSES_GB = (50.0, 200.0, 500.0)
"""Upper bounds of the disk-size classes VMs are paired by when no VM of the same name ran in both."""
_GENERIC_LABEL_PREFIXES = (
    "kubernetes.io/",
    "topology.kubernetes.io/",
    "node.kubernetes.io/",
    "beta.kubernetes.io/",
    "node-role.kubernetes.io/",
)


def rate(runs: Iterable[Measured]) -> float | None:
    """Copied MiB / seconds copying, over ``runs`` (None when none copied)."""
    chosen = [m for m in runs if m.copy_seconds > 0 and m.copied_mib > 0]
    seconds = sum(m.copy_seconds for m in chosen)
    return round(sum(m.copied_mib for m in chosen) / seconds, 1) if seconds else None


def _per_gb(runs: Iterable[Measured]) -> list[float]:
    return [
        m.run.seconds / m.run.disk_gb for m in runs if m.run.state == "Succeeded" and m.run.seconds and m.run.disk_gb
    ]


def group(runs: Sequence[Measured], keys: Callable[[Measured], Iterable[str]]) -> list[Group]:
    """One ``Group`` per key (a VM may count under several keys), slowest copy rate first."""
    members: dict[str, list[Measured]] = {}
    for measured in runs:
        for key in keys(measured):
            members.setdefault(key, []).append(measured)
    groups = [
        Group(
            key=key,
            vms=len(found),
            disk_gb=round(sum(m.run.disk_gb for m in found), 1),
            mib_s=rate(found),
            s_per_gb=round(sum(per) / len(per), 1) if (per := _per_gb(found)) else None,
        )
        for key, found in members.items()
    ]
    return sorted(groups, key=lambda g: (g.mib_s is None, g.mib_s or 0, g.key))


def _best(groups: Sequence[Group]) -> Group | None:
    rated = [g for g in groups if g.mib_s]
    return max(rated, key=lambda g: g.mib_s or 0) if len(rated) > 1 else None


def _relevant_labels(node: Mapping[str, Any] | None) -> dict[str, str]:
    labels = dig(node, "metadata", "labels") or {}
    return {k: str(v) for k, v in labels.items() if not k.startswith(_GENERIC_LABEL_PREFIXES)}


def label_gap(slow: Mapping[str, Any] | None, fast: Mapping[str, Any] | None) -> list[str]:
    """Labels of the faster node this one lacks or has with another value (``storage=nvme (here sas)``)."""
    mine, theirs = _relevant_labels(slow), _relevant_labels(fast)
    gaps = []
    for key, value in sorted(theirs.items()):
        if key not in mine:
            gaps.append(f"lacks {key}={value}")
        elif mine[key] != value:
            gaps.append(f"{key}={mine[key]} (not {value})")
    return gaps[:3]


def _slow_reason(groups: Sequence[Group], key: str, what: str) -> str | None:
    best = _best(groups)
    mine = next((g for g in groups if g.key == key), None)
    if best is None or mine is None or mine.key == best.key or not mine.mib_s or not best.mib_s:
        return None
    if mine.mib_s >= best.mib_s * SLOW_SHARE:
        return None
    slow, fast = key.removeprefix("ds:"), best.key.removeprefix("ds:")
    return f"{what} {slow} averaged {mine.mib_s:g} MiB/s vs {best.mib_s:g} on {fast}"


def slowest(
    runs: Sequence[Measured],
    by_node: Sequence[Group],
    by_storage: Sequence[Group],
    nodes: Mapping[str, Mapping[str, Any]],
) -> list[SlowVm]:
    """Up to ``MAX_SLOWEST`` VMs copying below ``SLOW_SHARE`` of the fastest, each with the likely causes."""
    rated = [m for m in runs if m.run.mib_s]
    if len(rated) < 2:
        return []
    fastest = max(m.run.mib_s or 0 for m in rated)
    conversions = [m.run.phases[CONVERSION_STEP] for m in runs if CONVERSION_STEP in m.run.phases]
    typical_conversion = median(conversions) if conversions else None
    best_node = _best(by_node)
    found: list[SlowVm] = []
    for measured in sorted(rated, key=lambda m: m.run.mib_s or 0):
        run = measured.run
        if (run.mib_s or 0) >= fastest * SLOW_SHARE or len(found) == MAX_SLOWEST:
            break
        why = []
        node_reason = _slow_reason(by_node, run.node or "unplaced", "node")
        if node_reason and best_node is not None:
            gaps = label_gap(nodes.get(run.node or ""), nodes.get(best_node.key))
            why.append(node_reason + (f"; it {', '.join(gaps)}" if gaps else ""))
        shared = overlapping(measured, runs)
        if shared:
            why.append(f"node pressure: shared {run.node} with {shared} other convertor(s) while copying")
        if run.storage_class:
            why.append(
                _slow_reason([g for g in by_storage if not g.key.startswith("ds:")], run.storage_class, "storage class")
                or ""
            )
        for datastore in run.datastores:
            why.append(
                _slow_reason([g for g in by_storage if g.key.startswith("ds:")], f"ds:{datastore}", "source datastore")
                or ""
            )
        if run.disks > 1:
            why.append(f"{run.disks} disks, copied one after another")
        conversion = run.phases.get(CONVERSION_STEP)
        if conversion and typical_conversion and conversion > 2 * typical_conversion:
            guest = run.guest_os or "guest OS unknown"
            why.append(f"guest conversion took {conversion}s ({guest}) vs {typical_conversion:g}s typical")
        if run.rules == "off-rule":
            why.append("its node breaks the plan's convertor rules")
        reasons = [w for w in why if w] or ["no single cause stands out"]
        found.append(SlowVm(vm=run.vm, mib_s=run.mib_s or 0, why=reasons))
    return found


def _median(values: Sequence[float]) -> float | None:
    return round(median(values), 1) if values else None


def _figures(runs: Sequence[Measured], wall: int | None) -> dict[str, float | None]:
    finished = [m for m in runs if m.run.state == "Succeeded"]
    minutes = [m.run.seconds / 60 for m in finished if m.run.seconds is not None]
    per_node: dict[str, int] = {}
    for m in runs:
        if m.run.node:
            per_node[m.run.node] = per_node.get(m.run.node, 0) + 1
    return {
        "VMs succeeded": len(finished),
        "disk GB": round(sum(m.run.disk_gb for m in runs), 1),
        "copy MiB/s": rate(runs),
        "s per GB (median VM)": _median(_per_gb(runs)),
        "VM minutes (median)": _median(minutes),
        "VM minutes (max)": round(max(minutes), 1) if minutes else None,
        "wall minutes": round(wall / 60, 1) if wall is not None else None,
        "nodes used": len(per_node),
        "max VMs on one node": max(per_node.values()) if per_node else 0,
    }


@dataclass(frozen=True)
class Side:
    """One migration of a comparison."""

    plan: str
    migration: str
    runs: Sequence[Measured]
    wall: int | None


def _size_class(run: VmRun) -> int:
    return sum(1 for bound in SIZE_CLASSES_GB if run.disk_gb > bound)


def pair_vms(mine: Sequence[VmRun], theirs: Sequence[VmRun]) -> list[VmPair]:
    """Each VM beside the other migration's VM of the same name, else the closest in size of the same
    size class (``SIZE_CLASSES_GB``); each VM of the other side is used once, unmatched VMs are left out."""
    left = list(theirs)
    pairs: list[VmPair] = []
    for kind in ("name", "size"):
        for run in mine:
            if any(p.vm == run.vm for p in pairs):
                continue
            same = (
                [o for o in left if o.vm == run.vm]
                if kind == "name"
                else sorted(
                    (o for o in left if _size_class(o) == _size_class(run)), key=lambda o: abs(o.disk_gb - run.disk_gb)
                )
            )
            if same:
                left.remove(same[0])
                pairs.append(
                    VmPair(
                        vm=run.vm, other_vm=same[0].vm, match=kind, seconds=run.seconds, other_seconds=same[0].seconds
                    )
                )
    order = [run.vm for run in mine]
    return sorted(pairs, key=lambda p: order.index(p.vm))


def compare(this: Side, other: Side) -> Comparison:
    """This migration beside another: the guide's baseline-vs-optimized table and a one-line verdict."""
    mine, theirs = _figures(this.runs, this.wall), _figures(other.runs, other.wall)
    rows = [CompareRow(metric=k, this=mine[k], other=theirs[k]) for k in mine]
    nodes = sorted({m.run.node for m in [*this.runs, *other.runs] if m.run.node})
    node_rates = {
        n: [rate(m for m in this.runs if m.run.node == n), rate(m for m in other.runs if m.run.node == n)]
        for n in nodes
    }
    this_rate, other_rate = mine["copy MiB/s"], theirs["copy MiB/s"]
    speedup = round(this_rate / other_rate, 2) if this_rate and other_rate else None
    if speedup is None:
        verdict = "no copy rate to compare: one of the migrations copied nothing yet"
    else:
        direction = "faster" if speedup > 1 else "slower" if speedup < 1 else "as fast"
        factor = speedup if speedup >= 1 else 1 / speedup
        verdict = (
            f"{this.plan} copied at {this_rate:g} MiB/s vs {other_rate:g} MiB/s in {other.plan}: "
            f"{factor:.1f}x {direction} per GB"
        )
        unfinished = sum(1 for m in this.runs if m.run.state in ("Running", "Pending"))
        if unfinished:
            verdict += f" ({unfinished} VM(s) of {this.plan} not finished yet, their copy so far counted)"
    return Comparison(
        plan=other.plan,
        migration=other.migration,
        rows=rows,
        node_mib_s=node_rates,
        vms=pair_vms([m.run for m in this.runs], [m.run for m in other.runs]),
        speedup=speedup,
        verdict=verdict,
    )
