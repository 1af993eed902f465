"""KARL rules → one Kubernetes ``Affinity`` (terms in rule order, several rules merged)."""

from __future__ import annotations

from collections.abc import Sequence

from mtv_mcp.core.karl.model import NamespaceScope, Operator, Rule, RuleType, Selector, TargetKind
from mtv_mcp.core.kube_models import (
    Affinity,
    LabelSelector,
    LabelSelectorRequirement,
    NodeAffinity,
    NodeSelector,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    PodAffinity,
    PodAffinityTerm,
    PodAntiAffinity,
    PreferredSchedulingTerm,
    WeightedPodAffinityTerm,
)

_NEGATED = {
    Operator.IN: Operator.NOT_IN,
    Operator.NOT_IN: Operator.IN,
    Operator.EXISTS: Operator.DOES_NOT_EXIST,
    Operator.DOES_NOT_EXIST: Operator.EXISTS,
}


def label_selector(selectors: Sequence[Selector]) -> LabelSelector:
    """Equalities become ``matchLabels``; everything else ``matchExpressions`` in source order."""
    labels = {s.key: s.values[0] for s in selectors if s.operator is Operator.EQUALS}
    expressions = [
        LabelSelectorRequirement(key=s.key, operator=s.operator.value, values=list(s.values) or None)
        for s in selectors
        if s.operator is not Operator.EQUALS
    ]
    return LabelSelector(match_labels=labels or None, match_expressions=expressions or None)


def pod_affinity_term(rule: Rule) -> PodAffinityTerm:
    assert rule.topology is not None
    scope = rule.namespaces or NamespaceScope()
    namespace_selector = None
    if scope.all or scope.selectors:
        namespace_selector = label_selector(scope.selectors)
    return PodAffinityTerm(
        label_selector=label_selector(rule.selectors),
        namespaces=list(scope.names) or None,
        topology_key=rule.topology.key,
        namespace_selector=namespace_selector,
    )


def node_requirements(rule: Rule) -> list[NodeSelectorRequirement]:
    """Node selector requirements; AVOID/REPEL negate their (single) expression."""
    requirements = []
    for selector in rule.selectors:
        operator: Operator = Operator.IN if selector.operator is Operator.EQUALS else selector.operator
        if rule.type.anti:
            operator = _NEGATED[operator]
        requirements.append(
            NodeSelectorRequirement(key=selector.key, operator=operator.value, values=list(selector.values) or None)
        )
    return requirements


def build_affinity(rules: Sequence[Rule]) -> Affinity:
    """One Affinity for all rules: hard terms are ANDed, soft terms add up their weights.

    All hard node rules share one node-selector term, because separate terms would be ORed.
    """
    required: dict[RuleType, list[PodAffinityTerm]] = {RuleType.REQUIRE: [], RuleType.AVOID: []}
    preferred: dict[RuleType, list[WeightedPodAffinityTerm]] = {RuleType.PREFER: [], RuleType.REPEL: []}
    node_required: list[NodeSelectorRequirement] = []
    node_preferred: list[PreferredSchedulingTerm] = []
    for rule in rules:
        if rule.target is TargetKind.NODES:
            requirements = node_requirements(rule)
            if rule.type.hard:
                node_required.extend(requirements)
            else:
                term = NodeSelectorTerm(match_expressions=requirements)
                node_preferred.append(PreferredSchedulingTerm(weight=rule.effective_weight, preference=term))
        elif rule.type.hard:
            required[rule.type].append(pod_affinity_term(rule))
        else:
            weighted = WeightedPodAffinityTerm(weight=rule.effective_weight, pod_affinity_term=pod_affinity_term(rule))
            preferred[rule.type].append(weighted)
    node_affinity = None
    if node_required or node_preferred:
        node_selector = None
        if node_required:
            node_selector = NodeSelector(node_selector_terms=[NodeSelectorTerm(match_expressions=node_required)])
        node_affinity = NodeAffinity(
            required_during_scheduling_ignored_during_execution=node_selector,
            preferred_during_scheduling_ignored_during_execution=node_preferred or None,
        )
    pod_affinity = None
    if required[RuleType.REQUIRE] or preferred[RuleType.PREFER]:
        pod_affinity = PodAffinity(
            required_during_scheduling_ignored_during_execution=required[RuleType.REQUIRE] or None,
            preferred_during_scheduling_ignored_during_execution=preferred[RuleType.PREFER] or None,
        )
    anti_affinity = None
    if required[RuleType.AVOID] or preferred[RuleType.REPEL]:
        anti_affinity = PodAntiAffinity(
            required_during_scheduling_ignored_during_execution=required[RuleType.AVOID] or None,
            preferred_during_scheduling_ignored_during_execution=preferred[RuleType.REPEL] or None,
        )
    return Affinity(node_affinity=node_affinity, pod_affinity=pod_affinity, pod_anti_affinity=anti_affinity)
