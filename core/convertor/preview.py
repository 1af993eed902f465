"""The placement preview: where a convertor pod with given rules could run, before any plan exists.

The pod is ``pod_template.preview_convertor_pod`` (node selector plus KVM's schedulable label,
affinity or Forklift's default spreading, requests with the KVM device as the cluster's
ForkliftController and the source type set them: ``controller_settings``) evaluated by
``core.placement`` against the live nodes and pods. Fitting nodes come ranked by score; every
excluded node has its reasons; when none fits the pod "would stay Pending", with the scheduler's
message decoded into causes and fixes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.cluster import ClusterClient
from mtv_mcp.core.cluster.visibility import read_cluster_view
from mtv_mcp.core.convertor.controller_settings import ConvertorResources, cluster_convertor_settings, describe
from mtv_mcp.core.convertor.pod_status import NodePlace, node_place
from mtv_mcp.core.convertor.pod_template import ConvertorSettings, preview_convertor_pod
from mtv_mcp.core.convertor.pod_terms import PodTermMatch, pod_term_matches
from mtv_mcp.core.convertor.scheduling import Reason, decode_failed_scheduling
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.placement import Reason as NodeReason
from mtv_mcp.core.placement import evaluate_placement


class CandidateNode(BaseModel):
    """A node the pod could run on."""

    model_config = ConfigDict(frozen=True)

    node: str
    score: int = Field(description="Scheduler score (higher wins)")
    soft_pod_affinity: int = Field(description="Raw preferred pod (anti-)affinity sum")
    soft_node_affinity: int = Field(description="Sum of the weights of matching preferred node terms")
    place: NodePlace


class ExcludedNode(BaseModel):
    """A node the pod cannot run on, and every reason."""

    model_config = ConfigDict(frozen=True)

    node: str
    reasons: list[NodeReason] = Field(description="Every reason, with the scheduler's wording and an explanation")


class PlacementPreview(BaseModel):
    """Where a convertor pod with these rules could run now."""

    model_config = ConfigDict(frozen=True)

    target_namespace: str
    node_selector: dict[str, str] = Field(description="The pod's effective node selector (KVM label included)")
    kvm_requested: bool
    pod: ConvertorResources = Field(description="Requests, limits and KVM modelled, and where they come from")
    candidates: list[CandidateNode] = Field(description="Nodes that fit, best first")
    excluded: list[ExcludedNode]
    would_stay_pending: bool = Field(description="No node can take the pod: it would stay Pending")
    scheduler_message: str | None = Field(description="What kube-scheduler would report when nothing fits")
    causes: list[Reason] = Field(description="The scheduler message decoded, with fixes (blocking first)")
    pod_terms: list[PodTermMatch] = Field(
        default_factory=list, description="Each pods(...) term: the running pods it matches in scope, and where"
    )


def preview_placement(
    target_namespace: str,
    *,
    node_selector: Mapping[str, str] | None,
    affinity: Mapping[str, Any] | None,
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]],
    labels: Mapping[str, str] | None = None,
    settings: ConvertorSettings | None = None,
    resources: ConvertorResources | None = None,
) -> PlacementPreview:
    """The preview on the given cluster objects (``affinity`` None: Forklift's default spreading).

    ``resources`` says where ``settings`` came from (default: Forklift's defaults, no cluster read).
    """
    settings = settings or ConvertorSettings()
    resources = resources or describe(settings, "Forklift's defaults (no ForkliftController read)", {})
    pod = preview_convertor_pod(
        target_namespace, node_selector=node_selector, affinity=affinity, labels=labels, settings=settings
    )
    result = evaluate_placement(pod, nodes, pods, namespaces)
    places = {str(dig(n, "metadata", "name")): node_place(n) for n in nodes}
    candidates = sorted(
        (
            CandidateNode(
                node=v.node,
                score=v.score,
                soft_pod_affinity=v.preferred_pod_affinity,
                soft_node_affinity=v.preferred_node_affinity,
                place=places.get(v.node, NodePlace()),
            )
            for v in result.fitting()
        ),
        key=lambda c: -c.score,
    )
    message = result.failed_scheduling_message()
    causes = decode_failed_scheduling(message, pod=pod, nodes=nodes).reasons if message else []
    return PlacementPreview(
        target_namespace=target_namespace,
        node_selector=dict(pod["spec"]["nodeSelector"]),
        kvm_requested=settings.kvm_requested,
        pod=resources,
        candidates=candidates,
        excluded=[ExcludedNode(node=v.node, reasons=v.reasons) for v in result.verdicts if not v.fits],
        would_stay_pending=not candidates,
        scheduler_message=message or None,
        causes=sorted(causes, key=lambda r: r.expected),
        pod_terms=pod_term_matches(affinity, target_namespace, pods, namespaces),
    )


def preview_on_cluster(
    cluster: ClusterClient,
    target_namespace: str,
    *,
    node_selector: Mapping[str, str] | None,
    affinity: Mapping[str, Any] | None,
    labels: Mapping[str, str] | None = None,
    notes: list[str],
    provider_type: str | None = None,
) -> PlacementPreview | None:
    """The preview against the cluster's nodes, pods and namespaces, with its ForkliftController's
    settings; None (with a note) when the user may not see the nodes."""
    view = read_cluster_view(cluster, notes, target_namespace)
    if not view.nodes_visible:
        return None
    settings, resources = cluster_convertor_settings(cluster, provider_type=provider_type)
    return preview_placement(
        target_namespace,
        node_selector=node_selector,
        affinity=affinity,
        labels=labels,
        settings=settings,
        resources=resources,
        nodes=view.nodes,
        pods=view.pods,
        namespaces=view.namespaces,
    )
