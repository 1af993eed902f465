"""Placement results: structured reasons per node and kube-scheduler's FailedScheduling message."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.placement.resources import CPU, KVM_RESOURCE, MEMORY

NO_NODES_MESSAGE = "no nodes available to schedule pods"


class ReasonKind(StrEnum):
    """Why a pod cannot be scheduled on a node: one vocabulary for what placement predicts per node
    and for what the scheduler's ``FailedScheduling`` message says (``core/convertor/scheduling``)."""

    UNSCHEDULABLE = "node-unschedulable"
    NODE_NAME = "node-name"
    TAINT = "untolerated-taint"
    NODE_AFFINITY = "node-affinity"  # the NodeAffinity plugin: nodeSelector and required node affinity
    TOO_MANY_PODS = "too-many-pods"
    INSUFFICIENT_CPU = "insufficient-cpu"
    INSUFFICIENT_MEMORY = "insufficient-memory"
    INSUFFICIENT_KVM = "insufficient-kvm"
    INSUFFICIENT_RESOURCE = "insufficient-resource"
    POD_AFFINITY = "pod-affinity"
    POD_ANTI_AFFINITY = "pod-anti-affinity"
    EXISTING_POD_ANTI_AFFINITY = "existing-pod-anti-affinity"
    POD_AFFINITY_OR_ANTI_AFFINITY = "pod-affinity-or-anti-affinity"  # older schedulers' combined wording
    NOT_READY = "not-ready"
    NODE_PRESSURE = "node-pressure"
    VOLUME = "volume"
    TOPOLOGY_SPREAD = "topology-spread"
    PORTS = "host-ports"
    NO_NODES = "no-nodes"
    UNKNOWN = "unknown"


INSUFFICIENT = {
    CPU: ReasonKind.INSUFFICIENT_CPU,
    MEMORY: ReasonKind.INSUFFICIENT_MEMORY,
    KVM_RESOURCE: ReasonKind.INSUFFICIENT_KVM,
}
"""The specific kind for a resource the scheduler reports as ``Insufficient <resource>``."""


class TaintInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    value: str
    effect: str


class Reason(BaseModel):
    """Why a node cannot take the pod.

    ``message`` is kube-scheduler's wording; ``reported`` says whether kube-scheduler would show this
    reason (it stops at a node's first failing filter plugin and names only its first untolerated
    taint), ``detail`` explains it in terms of this pod and node.
    """

    model_config = ConfigDict(frozen=True)

    kind: ReasonKind
    plugin: str = Field(description="kube-scheduler filter plugin, e.g. TaintToleration")
    message: str
    detail: str
    reported: bool = True
    taint: TaintInfo | None = None
    resource: str | None = None
    unit: str | None = Field(default=None, description="millicores for cpu, else bytes or count")
    requested: int | None = Field(default=None, description="what the pod requests, in `unit`")
    free: int | None = Field(default=None, description="allocatable minus what bound pods request")
    allocatable: int | None = None
    topology_key: str | None = None
    term: int | None = Field(default=None, description="index of the affinity term")
    pods: list[str] = Field(default_factory=list, description="namespace/name of the pods involved")


class NodeVerdict(BaseModel):
    """One node: whether the pod fits, every reason if not, and its score if it does."""

    node: str
    fits: bool
    reasons: list[Reason] = Field(default_factory=list)
    score: int = Field(0, description="weighted sum of the normalised plugin scores (fitting nodes only)")
    scores: dict[str, int] = Field(default_factory=dict, description="normalised 0-100 score per plugin")
    preferred_node_affinity: int = Field(0, description="sum of the weights of matching preferred node terms")
    preferred_pod_affinity: int = Field(0, description="raw InterPodAffinity sum (anti-affinity subtracts)")


class PlacementResult(BaseModel):
    """Verdicts for every node, in the order the nodes were given."""

    verdicts: list[NodeVerdict]

    def fitting(self) -> list[NodeVerdict]:
        """The nodes the pod fits on."""
        return [v for v in self.verdicts if v.fits]

    def verdict(self, node: str) -> NodeVerdict:
        """The verdict for one node by name (``KeyError`` if unknown)."""
        for item in self.verdicts:
            if item.node == node:
                return item
        raise KeyError(node)

    def best_node(self) -> str | None:
        """The highest-scoring fitting node (first in input order on a tie), or None."""
        fitting = self.fitting()
        return max(fitting, key=lambda v: v.score).node if fitting else None

    def failed_scheduling_message(self) -> str:
        """kube-scheduler's FailedScheduling text when no node fits, else ``""``.

        ``0/N nodes are available: <count> <reason>, ...`` with the counted reasons sorted as plain
        strings, as the scheduler does. The ``preemption:`` tail is not produced.
        """
        if not self.verdicts:
            return NO_NODES_MESSAGE
        if self.fitting():
            return ""
        counts = Counter(r.message for v in self.verdicts for r in v.reasons if r.reported)
        parts = sorted(f"{count} {message}" for message, count in counts.items())
        return f"0/{len(self.verdicts)} nodes are available: {', '.join(parts)}."
