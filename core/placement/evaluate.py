"""``evaluate_placement``: kube-scheduler's filters and scores for one pod against every node."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from mtv_mcp.core.placement import filters
from mtv_mcp.core.placement.interpod import InterPodState
from mtv_mcp.core.placement.models import Namespace, Node, Pod, parse_object
from mtv_mcp.core.placement.resources import allocatable, pod_requests, used
from mtv_mcp.core.placement.result import NodeVerdict, PlacementResult, Reason
from mtv_mcp.core.placement.scoring import (
    WEIGHTS,
    least_allocated,
    preferred_node_affinity,
    scale_min_max,
    scale_to_max,
)

METADATA_NAME_LABEL = "kubernetes.io/metadata.name"
# Plugins whose first reason alone appears in the scheduler's message.
_SINGLE_REASON_PLUGINS = {"TaintToleration", "InterPodAffinity"}


def _same_pod(a: Pod, b: Pod) -> bool:
    if a.metadata.uid and b.metadata.uid:
        return a.metadata.uid == b.metadata.uid
    return a.key == b.key


def _namespace_labels(namespaces: Sequence[Namespace], pods: Sequence[Pod]) -> dict[str, dict[str, str]]:
    """Labels per namespace, with the ``kubernetes.io/metadata.name`` label the API server adds."""
    labels = {pod.metadata.namespace: {METADATA_NAME_LABEL: pod.metadata.namespace} for pod in pods}
    for ns in namespaces:
        labels[ns.metadata.name] = {**ns.metadata.labels, METADATA_NAME_LABEL: ns.metadata.name}
    return labels


def _mark_reported(groups: list[list[Reason]]) -> list[Reason]:
    """All reasons, with ``reported`` set on those kube-scheduler's message would contain."""
    marked: list[Reason] = []
    first = next((g for g in groups if g), None)
    for group in groups:
        for index, reason in enumerate(group):
            shown = group is first and (index == 0 or reason.plugin not in _SINGLE_REASON_PLUGINS)
            marked.append(reason.model_copy(update={"reported": shown}))
    return marked


def evaluate_placement(
    pod: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]] | None = None,
) -> PlacementResult:
    """Whether ``pod`` fits each of ``nodes``, every reason where it does not, and scores where it does.

    ``pods`` are the cluster's pods (the incoming pod itself, unbound pods and Succeeded/Failed pods
    are ignored); ``namespaces`` supply labels for ``namespaceSelector`` terms.
    """
    incoming = parse_object(Pod, pod, "pod")
    node_models = [parse_object(Node, n, f"nodes[{i}]") for i, n in enumerate(nodes)]
    pod_models = [parse_object(Pod, p, f"pods[{i}]") for i, p in enumerate(pods)]
    ns_models = [parse_object(Namespace, n, f"namespaces[{i}]") for i, n in enumerate(namespaces or [])]
    by_name = {node.name: node for node in node_models}
    on_node: dict[str, list[Pod]] = defaultdict(list)
    for other in pod_models:
        if other.spec.node_name in by_name and not other.terminated and not _same_pod(other, incoming):
            on_node[other.spec.node_name].append(other)
    bound = [(other, by_name[name]) for name, group in on_node.items() for other in group]
    ns_labels = _namespace_labels(ns_models, [incoming, *pod_models])
    interpod = InterPodState.build(incoming, bound, ns_labels)
    requests = pod_requests(incoming)

    reasons: dict[str, list[Reason]] = {}
    for node in node_models:
        groups = [
            filters.node_unschedulable(incoming, node),
            filters.node_name(incoming, node),
            filters.taint_toleration(incoming, node),
            filters.node_affinity(incoming, node),
            filters.resources_fit(requests, allocatable(node.allocatable), used(on_node[node.name])),
            interpod.reasons(node, ns_labels),
        ]
        reasons[node.name] = _mark_reported(groups)

    fitting = [node for node in node_models if not reasons[node.name]]
    node_raw = {node.name: preferred_node_affinity(incoming, node) for node in fitting}
    pod_raw = {node.name: interpod.raw_score(node) for node in fitting}
    plugin_scores = {
        "NodeAffinity": scale_to_max(node_raw),
        "InterPodAffinity": scale_min_max(pod_raw),
        "NodeResourcesFit": {
            node.name: least_allocated(incoming, allocatable(node.allocatable), on_node[node.name]) for node in fitting
        },
    }
    verdicts = []
    for node in node_models:
        fits = not reasons[node.name]
        scores = {plugin: values[node.name] for plugin, values in plugin_scores.items()} if fits else {}
        verdicts.append(
            NodeVerdict(
                node=node.name,
                fits=fits,
                reasons=reasons[node.name],
                score=sum(WEIGHTS[plugin] * value for plugin, value in scores.items()),
                scores=scores,
                preferred_node_affinity=node_raw.get(node.name, 0),
                preferred_pod_affinity=pod_raw.get(node.name, 0),
            )
        )
    return PlacementResult(verdicts=verdicts)
