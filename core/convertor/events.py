"""Kubernetes Events of a pod, condensed: which ones matter and the latest ``FailedScheduling``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from mtv_mcp.core.kube_fields import dig

FAILED_SCHEDULING = "FailedScheduling"
# Normal events worth showing besides every Warning (kubectl-mtv's diagnostics keep the same set).
NOTABLE_NORMAL = frozenset({"Scheduled", "Started", "Evicted", "Preempted", "Killing", "OOMKilling"})
MAX_MESSAGE = 2000


class EventSummary(BaseModel):
    """One event: reason, type, how often, first and last time, message (capped)."""

    model_config = ConfigDict(frozen=True)

    reason: str
    type: str
    message: str
    count: int
    first: str | None
    last: str | None


def _last_time(event: Mapping[str, Any]) -> str:
    series = event.get("series") or {}
    return str(
        series.get("lastObservedTime")
        or event.get("lastTimestamp")
        or event.get("eventTime")
        or dig(event, "metadata", "creationTimestamp")
        or ""
    )


def summarize_event(event: Mapping[str, Any]) -> EventSummary:
    message = str(event.get("message") or "").strip()
    count = int(dig(event, "series", "count") or event.get("count") or 1)
    return EventSummary(
        reason=str(event.get("reason") or ""),
        type=str(event.get("type") or "Normal"),
        message=message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…",
        count=count,
        first=event.get("firstTimestamp") or event.get("eventTime"),
        last=_last_time(event) or None,
    )


def events_by_pod(events: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """Pod events grouped by pod name, oldest first."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for event in events:
        involved = event.get("involvedObject") or event.get("regarding") or {}
        if involved.get("kind") == "Pod" and involved.get("name"):
            grouped.setdefault(str(involved["name"]), []).append(event)
    for found in grouped.values():
        found.sort(key=_last_time)
    return grouped


def notable_events(events: Iterable[Mapping[str, Any]], limit: int = 5) -> list[EventSummary]:
    """The last ``limit`` Warning (and notable Normal) events."""
    kept = [e for e in events if e.get("type") == "Warning" or e.get("reason") in NOTABLE_NORMAL]
    return [summarize_event(e) for e in kept[-limit:]] if limit > 0 else []


def latest_failed_scheduling(events: Iterable[Mapping[str, Any]]) -> EventSummary | None:
    """The newest ``FailedScheduling`` event (its message is what the scheduler says now)."""
    failed = [e for e in events if e.get("reason") == FAILED_SCHEDULING]
    return summarize_event(failed[-1]) if failed else None
