"""Kubernetes access for mtv-mcp: per-call clients, Forklift kinds, version detection, clear errors."""

from mtv_mcp.core.cluster.client import ClusterClient
from mtv_mcp.core.cluster.errors import ClusterError, ClusterUnreachable, Operation, UnreadableAnswer
from mtv_mcp.core.cluster.kinds import FORKLIFT_KINDS, Kind, forklift_kind
from mtv_mcp.core.cluster.version import ForkliftVersion, detect_forklift_version, operator_namespace

__all__ = [
    "FORKLIFT_KINDS",
    "ClusterClient",
    "ClusterError",
    "ClusterUnreachable",
    "ForkliftVersion",
    "Kind",
    "Operation",
    "UnreadableAnswer",
    "detect_forklift_version",
    "forklift_kind",
    "operator_namespace",
]
