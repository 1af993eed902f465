"""kube-scheduler's node filters that need only the pod and one node (plus its bound pods' usage)."""

from __future__ import annotations

from collections import Counter

from mtv_mcp.core.placement.models import Node, Pod, Taint, Toleration
from mtv_mcp.core.placement.resources import CPU, EPHEMERAL, MEMORY, PODS, format_amount
from mtv_mcp.core.placement.result import INSUFFICIENT, Reason, ReasonKind, TaintInfo
from mtv_mcp.core.placement.selectors import describe_requirement, node_selector_term_matches, untolerated_taints

UNSCHEDULABLE_TAINT = Taint(key="node.kubernetes.io/unschedulable", effect="NoSchedule")
FILTER_EFFECTS = {"NoSchedule", "NoExecute"}


def node_unschedulable(pod: Pod, node: Node) -> list[Reason]:
    """NodeUnschedulable: a cordoned node, unless the pod tolerates the unschedulable taint."""
    if not node.spec.unschedulable or not untolerated_taints(
        [UNSCHEDULABLE_TAINT], pod.spec.tolerations, {"NoSchedule"}
    ):
        return []
    return [
        Reason(
            kind=ReasonKind.UNSCHEDULABLE,
            plugin="NodeUnschedulable",
            message="node(s) were unschedulable",
            detail="the node is cordoned (spec.unschedulable: true)",
        )
    ]


def node_name(pod: Pod, node: Node) -> list[Reason]:
    """NodeName: a pod with ``spec.nodeName`` fits only that node."""
    if not pod.spec.node_name or pod.spec.node_name == node.name:
        return []
    return [
        Reason(
            kind=ReasonKind.NODE_NAME,
            plugin="NodeName",
            message="node(s) didn't match the requested node name",
            detail=f"the pod asks for node {pod.spec.node_name!r}",
        )
    ]


def taint_toleration(pod: Pod, node: Node) -> list[Reason]:
    """TaintToleration: every NoSchedule/NoExecute taint no toleration covers (the first is reported)."""
    return [
        _taint_reason(taint, pod.spec.tolerations)
        for taint in untolerated_taints(node.spec.taints, pod.spec.tolerations, FILTER_EFFECTS)
    ]


def _taint_reason(taint: Taint, tolerations: list[Toleration]) -> Reason:
    fix = "the pod has no tolerations" if not tolerations else "none of the pod's tolerations matches it"
    return Reason(
        kind=ReasonKind.TAINT,
        plugin="TaintToleration",
        message=f"node(s) had untolerated taint {{{taint.key}: {taint.value}}}",
        detail=f"taint {taint.key}={taint.value}:{taint.effect}; {fix}",
        taint=TaintInfo(key=taint.key, value=taint.value, effect=taint.effect),
    )


def node_affinity(pod: Pod, node: Node) -> list[Reason]:
    """NodeAffinity: ``nodeSelector`` entries and required node affinity terms (ANDed)."""
    problems = []
    for key, want in pod.spec.node_selector.items():
        have = node.labels.get(key)
        if have != want:
            found = "the node has no such label" if have is None else f"the node has {key}={have}"
            problems.append(f"nodeSelector {key}={want}: {found}")
    affinity = pod.spec.affinity.node_affinity if pod.spec.affinity else None
    required = affinity.required if affinity else None
    if required is not None and not any(node_selector_term_matches(t, node) for t in required.node_selector_terms):
        terms = [
            " and ".join(describe_requirement(r) for r in [*t.match_expressions, *t.match_fields]) or "(empty term)"
            for t in required.node_selector_terms
        ]
        problems.append("no required node affinity term matches: " + (" | ".join(terms) or "(no terms)"))
    if not problems:
        return []
    return [
        Reason(
            kind=ReasonKind.NODE_AFFINITY,
            plugin="NodeAffinity",
            message="node(s) didn't match Pod's node affinity/selector",
            detail="; ".join(problems),
        )
    ]


def _unit(resource: str) -> str:
    if resource == CPU:
        return "millicores"
    if resource in (MEMORY, EPHEMERAL) or resource.startswith("hugepages-"):
        return "bytes"
    return "count"


def resources_fit(requests: Counter[str], allocatable: Counter[str], in_use: Counter[str]) -> list[Reason]:
    """NodeResourcesFit: pod count, then cpu, memory, ephemeral-storage, then other resources by name."""
    found: list[Reason] = []
    if in_use[PODS] + 1 > allocatable[PODS]:
        found.append(
            Reason(
                kind=ReasonKind.TOO_MANY_PODS,
                plugin="NodeResourcesFit",
                message="Too many pods",
                detail=f"{in_use[PODS]} of {allocatable[PODS]} allowed pods already run on the node",
                resource=PODS,
                unit="count",
                requested=1,
                free=allocatable[PODS] - in_use[PODS],
                allocatable=allocatable[PODS],
            )
        )
    others = sorted(name for name in requests if name not in (CPU, MEMORY, EPHEMERAL, PODS))
    for name in [CPU, MEMORY, EPHEMERAL, *others]:
        want = requests.get(name, 0)
        free = allocatable[name] - in_use[name]
        if want > 0 and want > free:
            found.append(
                Reason(
                    kind=INSUFFICIENT.get(name, ReasonKind.INSUFFICIENT_RESOURCE),
                    plugin="NodeResourcesFit",
                    message=f"Insufficient {name}",
                    detail=(
                        f"the pod requests {format_amount(name, want)} {name}; the node has "
                        f"{format_amount(name, max(free, 0))} free of "
                        f"{format_amount(name, allocatable[name])} allocatable"
                    ),
                    resource=name,
                    unit=_unit(name),
                    requested=want,
                    free=free,
                    allocatable=allocatable[name],
                )
            )
    return found
