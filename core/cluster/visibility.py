"""Reading what placement needs when the user may see only part of the cluster.

A namespace-scoped user (an OpenShift project admin without cluster roles) may not list nodes or
pods across namespaces; placement facts then come back empty with a note that says so plainly,
instead of failing the whole call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mtv_mcp.core.cluster.client import ClusterClient
from mtv_mcp.core.cluster.errors import ClusterError
from mtv_mcp.core.cluster.kinds import NAMESPACE

NODES_HIDDEN = "nodes are not visible to this user"


@dataclass(frozen=True)
class ClusterView:
    """The cluster objects placement needs, read once per call (``nodes_visible`` False: none)."""

    nodes: list[dict[str, Any]]
    pods: list[dict[str, Any]]
    namespaces: list[dict[str, Any]]
    nodes_visible: bool = True


def visible_nodes(cluster: ClusterClient, notes: list[str]) -> list[dict[str, Any]] | None:
    """All nodes, or None (with a note) when the user may not list nodes."""
    try:
        return cluster.list_nodes()
    except ClusterError as error:
        if error.status != 403:
            raise
        notes.append(f"{NODES_HIDDEN} ({error.message}), so node placement facts are not shown")
        return None


def visible_pods(cluster: ClusterClient, namespace: str | None, notes: list[str]) -> list[dict[str, Any]]:
    """All pods, or only ``namespace``'s (with a note) when the user may not list them everywhere."""
    try:
        return cluster.list_pods(None)
    except ClusterError as error:
        if error.status != 403 or not namespace:
            raise
        notes.append(f"pods outside {namespace} are not visible to this user; pod-affinity checks see {namespace} only")
        return cluster.list_pods(namespace)


def read_cluster_view(cluster: ClusterClient, notes: list[str], namespace: str | None = None) -> ClusterView:
    """Nodes, pods (``namespace``'s when no more are visible) and namespaces (optional: placement
    then falls back to pod namespaces); nothing but the note when the nodes are not visible."""
    nodes = visible_nodes(cluster, notes)
    if nodes is None:
        return ClusterView([], [], [], nodes_visible=False)
    pods = visible_pods(cluster, namespace, notes)
    try:
        namespaces = cluster.list_objects(NAMESPACE)
    except ClusterError as error:
        notes.append(f"namespace labels unavailable ({error.message}); namespaceSelector rules see names only")
        namespaces = []
    return ClusterView(nodes or [], pods, namespaces, nodes_visible=nodes is not None)
