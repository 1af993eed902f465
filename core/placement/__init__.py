"""Where would kube-scheduler put a pod? Filters with every reason, scores, FailedScheduling text.

    result = evaluate_placement(pod, nodes, pods, namespaces)
    result.best_node()                  # "worker-3" or None
    result.failed_scheduling_message()  # "0/9 nodes are available: 1 Insufficient memory, ..."
    result.verdict("mig-0").reasons     # [Reason(kind=untolerated-taint, taint=..., ...)]

Inputs are plain Kubernetes JSON dicts. Filters: NodeUnschedulable, NodeName, TaintToleration
(NoSchedule/NoExecute), NodeAffinity (nodeSelector + required terms), NodeResourcesFit (pods, cpu,
memory, ephemeral-storage, extended resources), InterPodAffinity. Volumes, ports and topology
spread constraints are not evaluated.
"""

from mtv_mcp.core.placement.evaluate import evaluate_placement
from mtv_mcp.core.placement.result import NodeVerdict, PlacementResult, Reason, ReasonKind, TaintInfo

__all__ = ["NodeVerdict", "PlacementResult", "Reason", "ReasonKind", "TaintInfo", "evaluate_placement"]
