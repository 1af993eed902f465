"""Does a placed convertor pod's node satisfy its plan's convertor rules, and how well do soft rules score?

The pod is re-evaluated with ``core.placement`` under the plan's *current* ``convertorNodeSelector``
and ``convertorAffinity`` (Forklift's default spreading when unset), against the live nodes and
every other pod — the guide's "verify convertor placement meets affinity rules" as one answer.
Capacity reasons are left out: the pod already holds its resources there.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.convertor.pod_template import SCHEDULABLE_LABEL, default_convertor_affinity
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.placement import PlacementResult, evaluate_placement
from mtv_mcp.core.placement.result import ReasonKind

RULE_REASONS = frozenset(
    {ReasonKind.NODE_AFFINITY, ReasonKind.TAINT, ReasonKind.POD_AFFINITY, ReasonKind.POD_ANTI_AFFINITY}
)
"""Reasons that mean the plan's rules (or Forklift's lack of tolerations) exclude a node."""


class RuleCheck(BaseModel):
    """The verdict on one placed pod."""

    model_config = ConfigDict(frozen=True)

    node: str
    satisfied: bool = Field(description="The node meets every hard rule (selector, required affinity, taints)")
    violations: list[str] = Field(description="Each hard rule the node breaks, explained")
    selector_missing: list[str] = Field(description="key=value of the node selector the node lacks")
    score: int | None = Field(description="The node's scheduler score under the rules (None: rules not met)")
    soft_pod_affinity: int = Field(description="Raw preferred pod (anti-)affinity sum on this node")
    soft_node_affinity: int = Field(description="Sum of the weights of matching preferred node terms")
    best_node: str | None = Field(description="The node the rules would choose now")
    best_score: int | None
    candidates: int = Field(description="Nodes that meet the rules now")
    labels_missing: list[str] = Field(description="convertorLabels (key=value) not on the pod")
    rules_changed: bool = Field(description="The pod was made under other rules than the plan has now")


def _plan_rules(plan_spec: Mapping[str, Any], pod_selector: Mapping[str, str]) -> tuple[dict[str, str], Any]:
    selector = dict(plan_spec.get("convertorNodeSelector") or {})
    if SCHEDULABLE_LABEL in pod_selector:
        selector[SCHEDULABLE_LABEL] = pod_selector[SCHEDULABLE_LABEL]
    return selector, plan_spec.get("convertorAffinity") or default_convertor_affinity()


def rules_pod(pod: Mapping[str, Any], plan_spec: Mapping[str, Any]) -> dict[str, Any]:
    """The pod unbound, with the plan's selector and affinity (KVM's schedulable label kept)."""
    candidate = copy.deepcopy(dict(pod))
    spec = candidate.setdefault("spec", {})
    spec.pop("nodeName", None)
    spec["nodeSelector"], spec["affinity"] = _plan_rules(plan_spec, spec.get("nodeSelector") or {})
    candidate["status"] = {"phase": "Pending"}
    return candidate


def others(pods: Sequence[Mapping[str, Any]], pod: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every pod but ``pod`` itself (it must not count against its own rules or resources)."""

    def key(obj: Mapping[str, Any]) -> tuple[Any, Any]:
        meta = obj.get("metadata") or {}
        return meta.get("namespace"), meta.get("name")

    return [p for p in pods if key(p) != key(pod)]


def evaluate_under_plan(
    pod: Mapping[str, Any],
    plan_spec: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]],
) -> PlacementResult:
    """Placement of ``pod`` under the plan's rules, the pod itself left out of ``pods``."""
    return evaluate_placement(rules_pod(pod, plan_spec), nodes, others(pods, pod), namespaces)


def _rule_fit(result: PlacementResult, node: str) -> bool:
    verdict = result.verdict(node)
    return not any(r.kind in RULE_REASONS for r in verdict.reasons)


def check_rules(
    pod: Mapping[str, Any],
    plan_spec: Mapping[str, Any],
    nodes: Sequence[Mapping[str, Any]],
    pods: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]],
) -> RuleCheck | None:
    """The rule check of a pod bound to a node (None when it is not bound, or the node is gone)."""
    spec = pod.get("spec") or {}
    node = spec.get("nodeName")
    node_obj = next((n for n in nodes if dig(n, "metadata", "name") == node), None)
    if not node or node_obj is None:
        return None
    result = evaluate_under_plan(pod, plan_spec, nodes, pods, namespaces)
    verdict = result.verdict(node)
    selector, affinity = _plan_rules(plan_spec, spec.get("nodeSelector") or {})
    node_labels = dig(node_obj, "metadata", "labels") or {}
    violations = [f"{r.message}: {r.detail}" for r in verdict.reasons if r.kind in RULE_REASONS]
    best = result.best_node()
    labels = dig(pod, "metadata", "labels") or {}
    wanted = plan_spec.get("convertorLabels") or {}
    return RuleCheck(
        node=node,
        satisfied=not violations,
        violations=violations,
        selector_missing=[f"{k}={v}" for k, v in selector.items() if node_labels.get(k) != v],
        score=verdict.score if verdict.fits else None,
        soft_pod_affinity=verdict.preferred_pod_affinity,
        soft_node_affinity=verdict.preferred_node_affinity,
        best_node=best,
        best_score=result.verdict(best).score if best else None,
        candidates=sum(1 for v in result.verdicts if _rule_fit(result, v.node)),
        labels_missing=[f"{k}={v}" for k, v in wanted.items() if labels.get(k) != v],
        rules_changed=(spec.get("nodeSelector") or {}) != selector or spec.get("affinity") != affinity,
    )
