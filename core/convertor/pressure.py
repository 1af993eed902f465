"""Node pressure where convertors run: allocatable vs requested CPU/memory/KVM, and Pressure conditions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.placement.models import Node, Pod, parse_object
from mtv_mcp.core.placement.resources import CPU, KVM_RESOURCE, MEMORY, allocatable, format_amount, used

PRESSURE_CONDITIONS = ("MemoryPressure", "DiskPressure", "PIDPressure")
BUSY_PERCENT = 90


class ResourceUse(BaseModel):
    """One resource of a node: allocatable, requested by the pods bound there, and the share."""

    model_config = ConfigDict(frozen=True)

    resource: str
    allocatable: str
    requested: str
    percent: int | None = Field(description="requested / allocatable, None when nothing is allocatable")


class NodePressure(BaseModel):
    """A node that hosts (or hosted) convertor pods."""

    model_config = ConfigDict(frozen=True)

    node: str
    ready: bool
    pressure: list[str] = Field(description="True Pressure conditions (MemoryPressure, DiskPressure, PIDPressure)")
    resources: list[ResourceUse]
    convertors: list[str] = Field(description="The inspected pods on this node")
    active_pods: int = Field(description="Non-terminated pods bound to the node")

    @property
    def busy(self) -> list[str]:
        """Resources requested at or above ``BUSY_PERCENT``."""
        return [r.resource for r in self.resources if r.percent is not None and r.percent >= BUSY_PERCENT]


def _conditions(node: Mapping[str, Any]) -> dict[str, str]:
    return {str(c.get("type")): str(c.get("status")) for c in dig(node, "status", "conditions") or []}


def node_pressure(
    node: Mapping[str, Any], pods: Iterable[Mapping[str, Any]], convertors: Sequence[str]
) -> NodePressure:
    """The pressure of one node; ``pods`` are all pods (those bound to other nodes are skipped)."""
    parsed = parse_object(Node, node, "node")
    bound = [
        p
        for p in (parse_object(Pod, raw, "pod") for raw in pods)
        if p.spec.node_name == parsed.name and not p.terminated
    ]
    free = allocatable(parsed.allocatable)
    requested = used(bound)
    resources = [
        ResourceUse(
            resource=name,
            allocatable=format_amount(name, free[name]),
            requested=format_amount(name, requested[name]),
            percent=round(100 * requested[name] / free[name]) if free[name] else None,
        )
        for name in (CPU, MEMORY, KVM_RESOURCE)
        if free[name] or requested[name]
    ]
    conditions = _conditions(node)
    return NodePressure(
        node=parsed.name,
        ready=conditions.get("Ready") == "True",
        pressure=[kind for kind in PRESSURE_CONDITIONS if conditions.get(kind) == "True"],
        resources=resources,
        convertors=list(convertors),
        active_pods=len(bound),
    )


def nodes_pressure(
    hosts: Mapping[str, Sequence[str]], nodes: Iterable[Mapping[str, Any]], pods: Sequence[Mapping[str, Any]]
) -> list[NodePressure]:
    """Pressure of every node in ``hosts`` (node name → inspected pod names), in node order."""
    return [
        node_pressure(node, pods, hosts[name])
        for node in nodes
        if (name := str(dig(node, "metadata", "name"))) in hosts
    ]
