"""Node scores for the nodes a pod fits, normalised as kube-scheduler's score plugins do.

- NodeAffinity (weight 2): sum of the weights of matching preferred node terms, scaled so the best
  node gets 100 (``100 * raw // max``; all 0 when no node matches a term).
- InterPodAffinity (weight 2): the raw sum of ``interpod``, min-max scaled to 0..100
  (``int(100 * (raw - min) / (max - min))`` in float64 as the scheduler computes it; 0 when all equal).
- NodeResourcesFit, LeastAllocated (weight 1): mean over cpu and memory of ``(free after placing)
  * 100 // allocatable``, counting 100m / 200Mi for containers that request nothing.

Only fitting nodes are scored; the total is the weighted sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from mtv_mcp.core.placement.models import Node, Pod
from mtv_mcp.core.placement.resources import CPU, MEMORY, scoring_requests
from mtv_mcp.core.placement.selectors import node_selector_term_matches

MAX_SCORE = 100
WEIGHTS = {"NodeAffinity": 2, "InterPodAffinity": 2, "NodeResourcesFit": 1}


def preferred_node_affinity(pod: Pod, node: Node) -> int:
    """Sum of the weights of the pod's preferred node affinity terms that ``node`` matches."""
    affinity = pod.spec.affinity.node_affinity if pod.spec.affinity else None
    if affinity is None:
        return 0
    return sum(t.weight for t in affinity.preferred if t.weight and node_selector_term_matches(t.preference, node))


def scale_to_max(raw: Mapping[str, int]) -> dict[str, int]:
    """``DefaultNormalizeScore``: ``100 * score // max`` (unchanged when the max is 0)."""
    top = max(raw.values(), default=0)
    return {name: (MAX_SCORE * score // top if top else score) for name, score in raw.items()}


def scale_min_max(raw: Mapping[str, int]) -> dict[str, int]:
    """InterPodAffinity's normalisation: min-max to 0..100, truncated, 0 when every score is equal."""
    low, high = min(raw.values(), default=0), max(raw.values(), default=0)
    spread = high - low
    return {
        name: int(float(MAX_SCORE) * (float(score - low) / float(spread))) if spread else 0
        for name, score in raw.items()
    }


def least_allocated(pod: Pod, node_allocatable: Mapping[str, int], bound: Iterable[Pod]) -> int:
    """LeastAllocated score of placing ``pod`` next to ``bound`` on a node."""
    want_cpu, want_memory = scoring_requests(pod)
    for other in bound:
        cpu, memory = scoring_requests(other)
        want_cpu, want_memory = want_cpu + cpu, want_memory + memory
    parts = []
    for resource, requested in ((CPU, want_cpu), (MEMORY, want_memory)):
        capacity = node_allocatable.get(resource, 0)
        parts.append(0 if capacity == 0 or requested > capacity else (capacity - requested) * MAX_SCORE // capacity)
    return sum(parts) // len(parts)
