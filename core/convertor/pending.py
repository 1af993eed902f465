"""Why a convertor pod is Pending: the scheduler's ``FailedScheduling`` decoded, confirmed per node.

The newest ``FailedScheduling`` event is decoded by ``scheduling.decode_failed_scheduling`` into
counted reasons with fixes; ``core.placement`` evaluates the pod against the live nodes and pods,
so every reason lists the nodes it excludes now. Without an event (none yet, or events not
readable) placement's own scheduler message is decoded. A pod that is bound but whose container
waits (``PodInitializing``, ``ImagePullBackOff``) is reported with that reason instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.convertor.events import EventSummary
from mtv_mcp.core.convertor.pod_status import ContainerState
from mtv_mcp.core.convertor.rules_check import others
from mtv_mcp.core.convertor.scheduling import Reason, decode_failed_scheduling
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.placement import PlacementResult, ReasonKind, evaluate_placement
from mtv_mcp.core.placement.result import Reason as NodeReason


def _confirms(decoded: ReasonKind, found: ReasonKind) -> bool:
    """Whether a reason placement finds on a node is the one the scheduler's message names."""
    if decoded is ReasonKind.POD_AFFINITY_OR_ANTI_AFFINITY:
        return found in (ReasonKind.POD_AFFINITY, ReasonKind.POD_ANTI_AFFINITY)
    return found is decoded


class ConfirmedReason(BaseModel):
    """A decoded reason and the nodes placement finds it on now."""

    model_config = ConfigDict(frozen=True)

    reason: Reason
    nodes: list[str] = Field(description="Nodes placement excludes for this reason now")


class NodeCause(BaseModel):
    """One reason placement finds now, explained, and every node it excludes."""

    model_config = ConfigDict(frozen=True)

    kind: ReasonKind
    detail: str = Field(description="The reason in terms of this pod and these nodes")
    reported: bool = Field(description="kube-scheduler names it (it stops at a node's first failing filter)")
    nodes: list[str]


def _by_reason(result: PlacementResult) -> list[NodeCause]:
    """Each distinct reason once with the nodes it excludes (nine nodes share a few reasons)."""
    grouped: dict[tuple[ReasonKind, str, bool], list[str]] = {}
    for verdict in result.verdicts:
        for reason in verdict.reasons:
            grouped.setdefault((reason.kind, reason.detail, reason.reported), []).append(verdict.node)
    return [
        NodeCause(kind=kind, detail=detail, reported=reported, nodes=nodes)
        for (kind, detail, reported), nodes in grouped.items()
    ]


class PendingDiagnosis(BaseModel):
    """Why a pod is Pending and what to change."""

    model_config = ConfigDict(frozen=True)

    state: Literal["unscheduled", "waiting"] = Field(
        description="unscheduled: no node yet; waiting: bound, container not started"
    )
    waiting_reason: str | None = Field(None, description="Container waiting reason of a bound pod")
    source: Literal["event", "placement", "none"] = Field(
        description="Where the decoded message comes from: the newest FailedScheduling event or placement"
    )
    event: EventSummary | None = None
    message: str | None = Field(None, description="Placement's scheduler message, decoded when there is no event")
    reasons: list[ConfirmedReason] = Field(default_factory=list, description="Counted reasons, blocking first")
    fits_now: list[str] = Field(default_factory=list, description="Nodes placement finds the pod fits on now")
    node_causes: list[NodeCause] = Field(
        default_factory=list, description="Every reason placement finds now, each with the nodes it excludes"
    )

    def decoded_message(self) -> str | None:
        """The scheduler message the reasons come from (the event's, or placement's)."""
        return self.message or (self.event.message if self.event else None)

    def fixes(self) -> list[str]:
        """Concrete changes, most useful first (each reason's fix is in ``reasons``, not repeated)."""
        if self.state == "waiting":
            reason = self.waiting_reason
            if reason in (None, "PodInitializing", "ContainerCreating"):
                return []
            return [f"the container is waiting ({reason}): see the pod's Warning events for the cause"]
        fixes: list[str] = []
        if self.fits_now:
            fixes.append(
                f"placement finds room now on {', '.join(self.fits_now)}: the scheduler retries on its own; if "
                "the pod stays Pending, look for what changed since the last FailedScheduling event"
            )
        for item in self.reasons:
            if not item.reason.expected and item.reason.fix not in fixes:
                fixes.append(item.reason.fix)
        return fixes


def _matches(reason: Reason, found: NodeReason) -> bool:
    if not _confirms(reason.kind, found.kind) or not found.reported:
        return False
    if reason.kind is ReasonKind.TAINT and reason.taint_key is not None:
        return found.taint is not None and found.taint.key == reason.taint_key
    if reason.resource is not None:
        return found.resource == reason.resource
    return True


def _confirm(reason: Reason, result: PlacementResult) -> ConfirmedReason:
    nodes = [v.node for v in result.verdicts if any(_matches(reason, r) for r in v.reasons)]
    return ConfirmedReason(reason=reason, nodes=nodes)


def diagnose_pending(
    pod: Mapping[str, Any],
    *,
    event: EventSummary | None,
    state: ContainerState | None,
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]],
) -> PendingDiagnosis:
    """The diagnosis of a Pending pod (``event``: its newest FailedScheduling, if any)."""
    if dig(pod, "spec", "nodeName"):
        reason = state.reason if state else None
        return PendingDiagnosis(state="waiting", waiting_reason=reason or "ContainerCreating", source="none")
    result = evaluate_placement(pod, nodes, others(pods, pod), namespaces)
    message = event.message if event else result.failed_scheduling_message()
    diagnosis = decode_failed_scheduling(message, pod=pod, nodes=nodes) if message else None
    confirmed = [_confirm(r, result) for r in diagnosis.reasons] if diagnosis else []
    confirmed.sort(key=lambda c: c.reason.expected)
    fits_now = [v.node for v in result.fitting()]
    return PendingDiagnosis(
        state="unscheduled",
        source="event" if event else ("placement" if message else "none"),
        event=event,
        message=None if event else (message or None),
        reasons=confirmed,
        fits_now=fits_now,
        node_causes=_by_reason(result),
    )
