"""What a Forklift pod's own object says: kind, VM, phase, container state, resources and timing.

Pure functions over the Pod JSON as the API serves it; the node's topology comes from the Node.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.cluster.nodes import RACK, REGION, ZONE
from mtv_mcp.core.convertor.pod_template import CONVERTOR_APP, CONVERTOR_CONTAINER, FORKLIFT_APP_LABEL
from mtv_mcp.core.kube_fields import dig

PodKind = Literal["convertor", "inspection", "deep-inspection"]
DEEP_INSPECTION_APP = "deep-inspection"
POD_KINDS: dict[str, PodKind] = {
    CONVERTOR_APP: "convertor",
    "virt-v2v-inspection": "inspection",
    DEEP_INSPECTION_APP: "deep-inspection",
}
"""``forklift.app`` label value → the kind of Forklift conversion pod."""
CONTAINER_OF_KIND: dict[PodKind, str] = {
    "convertor": CONVERTOR_CONTAINER,
    "inspection": "virt-v2v-inspection",
    "deep-inspection": "deep-inspection",
}
OOM_KILLED = "OOMKilled"


class ContainerState(BaseModel):
    """One container's status, condensed."""

    model_config = ConfigDict(frozen=True)

    name: str
    state: Literal["waiting", "running", "terminated", "unknown"]
    reason: str | None = Field(None, description="Waiting or terminated reason (PodInitializing, OOMKilled, ...)")
    message: str | None = None
    exit_code: int | None = None
    restarts: int = 0
    oom_killed: bool = Field(False, description="This or the previous instance was OOMKilled")
    started_at: str | None = None
    finished_at: str | None = None


class PodTiming(BaseModel):
    """When the pod was created and how long its main container ran (seconds)."""

    model_config = ConfigDict(frozen=True)

    created: str | None
    age_seconds: int | None
    started: str | None
    finished: str | None
    duration_seconds: int | None = Field(description="Start to finish, or to now while it runs")


class NodePlace(BaseModel):
    """Where a node is."""

    model_config = ConfigDict(frozen=True)

    zone: str | None = None
    region: str | None = None
    rack: str | None = None


def parse_time(text: Any) -> datetime | None:
    """A Kubernetes RFC 3339 timestamp, or None."""
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def pod_kind(pod: Mapping[str, Any]) -> PodKind | None:
    """Convertor, inspection or deep-inspection pod (None: not a Forklift conversion pod)."""
    return POD_KINDS.get(str(dig(pod, "metadata", "labels", FORKLIFT_APP_LABEL)))


def main_container(pod: Mapping[str, Any]) -> str | None:
    """The container that does the work: ``virt-v2v`` (or the inspection one), else the first."""
    kind = pod_kind(pod)
    names = [str(c.get("name")) for c in dig(pod, "spec", "containers") or []]
    wanted = CONTAINER_OF_KIND.get(kind) if kind else None
    if wanted in names:
        return wanted
    return names[0] if names else None


def _state(entry: Mapping[str, Any]) -> ContainerState:
    state = entry.get("state") or {}
    last = dig(entry, "lastState", "terminated") or {}
    kind = next((k for k in ("terminated", "running", "waiting") if state.get(k) is not None), "unknown")
    detail: Mapping[str, Any] = state.get(kind) or {}
    exit_code = detail.get("exitCode")
    return ContainerState(
        name=str(entry.get("name")),
        state=kind,
        reason=detail.get("reason"),
        message=(str(detail["message"])[:300] if detail.get("message") else None),
        exit_code=int(exit_code) if exit_code is not None else None,
        restarts=int(entry.get("restartCount") or 0),
        oom_killed=OOM_KILLED in (detail.get("reason"), last.get("reason")),
        started_at=detail.get("startedAt"),
        finished_at=detail.get("finishedAt"),
    )


def container_states(pod: Mapping[str, Any], *, init: bool = False) -> list[ContainerState]:
    """The pod's (init) container statuses, in status order."""
    key = "initContainerStatuses" if init else "containerStatuses"
    return [_state(entry) for entry in dig(pod, "status", key) or []]


def container_state(pod: Mapping[str, Any], name: str | None) -> ContainerState | None:
    """The status of one container (None: no status reported yet, e.g. while Pending)."""
    return next((s for s in container_states(pod) if s.name == name), None)


def container_resources(pod: Mapping[str, Any], name: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """(requests, limits) of one container, quantities as written (KVM device included)."""
    for container in dig(pod, "spec", "containers") or []:
        if container.get("name") == name:
            resources = container.get("resources") or {}
            requests = {str(k): str(v) for k, v in (resources.get("requests") or {}).items()}
            limits = {str(k): str(v) for k, v in (resources.get("limits") or {}).items()}
            return requests, limits
    return {}, {}


def pod_timing(pod: Mapping[str, Any], state: ContainerState | None, now: datetime) -> PodTiming:
    """Creation, age and run time; a clock behind the cluster's never yields negative figures."""
    created = dig(pod, "metadata", "creationTimestamp")
    started = (state.started_at if state else None) or dig(pod, "status", "startTime")
    finished = state.finished_at if state else None
    created_at, started_at, finished_at = parse_time(created), parse_time(started), parse_time(finished)
    age = max(0, int((now - created_at).total_seconds())) if created_at else None
    duration = None
    if started_at is not None:
        duration = max(0, int(((finished_at or now) - started_at).total_seconds()))
    return PodTiming(created=created, age_seconds=age, started=started, finished=finished, duration_seconds=duration)


def node_place(node: Mapping[str, Any] | None) -> NodePlace:
    """Zone, region and rack labels of a node."""
    labels = dig(node, "metadata", "labels") or {}
    return NodePlace(zone=labels.get(ZONE), region=labels.get(REGION), rack=labels.get(RACK))


def format_seconds(seconds: int | None) -> str:
    """``95`` → ``1m35s``, ``3700`` → ``1h01m``; ``?`` when unknown."""
    if seconds is None:
        return "?"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours >= 24:
        return f"{hours // 24}d{hours % 24:02d}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
