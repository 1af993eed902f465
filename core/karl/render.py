"""Kubernetes Affinity → KARL rules, term by term, saying what KARL cannot express."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from pydantic import BaseModel, Field

from mtv_mcp.core.karl.builder import build_affinity
from mtv_mcp.core.karl.errors import RuleError
from mtv_mcp.core.karl.model import (
    DEFAULT_WEIGHT,
    TOPOLOGY_KEYS,
    NamespaceScope,
    Operator,
    Rule,
    RuleType,
    Selector,
    TargetKind,
)
from mtv_mcp.core.karl.parser import parse_text
from mtv_mcp.core.kube_models import (
    Affinity,
    LabelSelector,
    NodeAffinity,
    NodeSelector,
    NodeSelectorTerm,
    PodAffinity,
    PodAffinityTerm,
    PodAntiAffinity,
    WeightedPodAffinityTerm,
)

_TOPOLOGIES = {key: topology for topology, key in TOPOLOGY_KEYS.items()}


class KarlRendering(BaseModel):
    """KARL text for an Affinity: ``rules`` for what KARL can express, ``unexpressed`` for the rest."""

    rules: list[str] = Field(description="KARL rules that together give the expressible terms")
    unexpressed: list[str] = Field(description="Terms KARL cannot express, each with the reason")

    @property
    def complete(self) -> bool:
        return not self.unexpressed


class _UnexpressibleError(Exception):
    """A term KARL cannot write; the message says why."""


def _selectors(selector: LabelSelector | None) -> tuple[Selector, ...]:
    if selector is None:
        raise _UnexpressibleError("it has no label selector (matches nothing)")
    found = [Selector(k, Operator.EQUALS, (v,)) for k, v in (selector.match_labels or {}).items()]
    for requirement in selector.match_expressions or ():
        found.append(_selector(requirement.key, requirement.operator, requirement.values))
    if not found:
        raise _UnexpressibleError("its label selector is empty (matches every pod); KARL needs at least one label")
    return tuple(found)


def _selector(key: str, operator: str, values: Sequence[str] | None) -> Selector:
    values = tuple(values or ())
    if operator in ("Gt", "Lt"):
        raise _UnexpressibleError(f"KARL has no {operator} operator ({key})")
    kind = Operator(operator)
    if kind in (Operator.IN, Operator.NOT_IN) and not values:
        raise _UnexpressibleError(f"{key} {operator} has no values")
    if kind in (Operator.EXISTS, Operator.DOES_NOT_EXIST) and values:
        raise _UnexpressibleError(f"{key} {operator} carries values")
    return Selector(key, kind, values)


def _scope(term: PodAffinityTerm) -> NamespaceScope | None:
    names = tuple(term.namespaces or ())
    namespace_selector = term.namespace_selector
    if namespace_selector is None:
        return NamespaceScope(names=names) if names else None
    if not (namespace_selector.match_labels or namespace_selector.match_expressions):
        if names:
            raise _UnexpressibleError("it lists namespaces and also selects all namespaces")
        return NamespaceScope(all=True)
    return NamespaceScope(names=names, selectors=_selectors(namespace_selector))


def _weight(weight: int) -> int | None:
    return None if weight == DEFAULT_WEIGHT else weight


def _pod_rule(rule_type: RuleType, term: PodAffinityTerm, weight: int | None = None) -> Rule:
    topology = _TOPOLOGIES.get(term.topology_key)
    if topology is None:
        raise _UnexpressibleError(f"topologyKey {term.topology_key!r} is not node, zone, region or rack")
    if term.match_label_keys or term.mismatch_label_keys:
        raise _UnexpressibleError("it uses matchLabelKeys/mismatchLabelKeys")
    return Rule(rule_type, TargetKind.PODS, _selectors(term.label_selector), topology, _scope(term), weight)


def _node_rule(rule_type: RuleType, term: NodeSelectorTerm, weight: int | None = None) -> Rule:
    if term.match_fields:
        raise _UnexpressibleError("it selects nodes by fields (matchFields)")
    selectors = []
    for requirement in term.match_expressions or ():
        selector = _selector(requirement.key, requirement.operator, requirement.values)
        if selector.operator is Operator.IN and len(selector.values) == 1:
            selector = Selector(selector.key, Operator.EQUALS, selector.values)
        selectors.append(selector)
    if not selectors:
        raise _UnexpressibleError("its node selector term is empty")
    return Rule(rule_type, TargetKind.NODES, tuple(selectors), weight=weight)


def _checked(rules: Sequence[Rule], expected: Affinity) -> list[str]:
    """The rules' text if it parses back to exactly ``expected``; otherwise raise why not."""
    texts = [rule.to_karl() for rule in rules]
    try:
        parsed = [rule for text in texts for rule in parse_text(text)]
    except RuleError as error:
        raise _UnexpressibleError(f"KARL rejects it: {error.message}") from None
    if build_affinity(parsed).to_kube() != expected.to_kube():
        raise _UnexpressibleError("KARL would write it differently")
    return texts


def _required_node_rules(single: Affinity, selector: NodeSelector) -> list[str]:
    terms = selector.node_selector_terms
    if len(terms) != 1:
        raise _UnexpressibleError(f"it has {len(terms)} alternative node selector terms; KARL rules are ANDed")
    rule = _node_rule(RuleType.REQUIRE, terms[0])
    try:
        return _checked([rule], single)
    except _UnexpressibleError:
        return _checked([Rule(RuleType.REQUIRE, TargetKind.NODES, (s,)) for s in rule.selectors], single)


def _single_terms(affinity: Affinity) -> Iterator[tuple[str, Affinity]]:
    """Each term of ``affinity`` on its own (all required node terms form one), with a label."""
    node = affinity.node_affinity
    if node is not None:
        required = node.required_during_scheduling_ignored_during_execution
        if required is not None:
            only = NodeAffinity(required_during_scheduling_ignored_during_execution=required)
            yield "required node affinity", Affinity(node_affinity=only)
        for index, term in enumerate(node.preferred_during_scheduling_ignored_during_execution or ()):
            only = NodeAffinity(preferred_during_scheduling_ignored_during_execution=[term])
            yield f"preferred node affinity term {index + 1}", Affinity(node_affinity=only)
    for anti, section in ((False, affinity.pod_affinity), (True, affinity.pod_anti_affinity)):
        name = "pod anti-affinity" if anti else "pod affinity"
        required_terms = section.required_during_scheduling_ignored_during_execution if section else None
        for index, pod_term in enumerate(required_terms or ()):
            yield f"required {name} term {index + 1}", _pod_affinity(anti, required=[pod_term])
        preferred_terms = section.preferred_during_scheduling_ignored_during_execution if section else None
        for index, weighted in enumerate(preferred_terms or ()):
            yield f"preferred {name} term {index + 1}", _pod_affinity(anti, preferred=[weighted])


def _render_single(single: Affinity) -> list[str]:
    node = single.node_affinity
    if node is not None:
        if node.required_during_scheduling_ignored_during_execution is not None:
            return _required_node_rules(single, node.required_during_scheduling_ignored_during_execution)
        preferred = (node.preferred_during_scheduling_ignored_during_execution or [])[0]
        rule = _node_rule(RuleType.PREFER, preferred.preference, _weight(preferred.weight))
        return _checked([rule], single)
    anti = single.pod_anti_affinity is not None
    section = single.pod_anti_affinity or single.pod_affinity
    assert section is not None
    hard, soft = (RuleType.AVOID, RuleType.REPEL) if anti else (RuleType.REQUIRE, RuleType.PREFER)
    if section.required_during_scheduling_ignored_during_execution:
        (term,) = section.required_during_scheduling_ignored_during_execution
        return _checked([_pod_rule(hard, term)], single)
    weighted = (section.preferred_during_scheduling_ignored_during_execution or [])[0]
    return _checked([_pod_rule(soft, weighted.pod_affinity_term, _weight(weighted.weight))], single)


def render_karl(affinity: Affinity) -> KarlRendering:
    """KARL rules for ``affinity``; terms KARL cannot express are listed with the reason."""
    rules: list[str] = []
    unexpressed: list[str] = []
    for label, single in _single_terms(affinity):
        try:
            rules.extend(_render_single(single))
        except _UnexpressibleError as reason:
            unexpressed.append(f"{label}: {reason}")
    return KarlRendering(rules=rules, unexpressed=unexpressed)


def _pod_affinity(
    anti: bool,
    required: list[PodAffinityTerm] | None = None,
    preferred: list[WeightedPodAffinityTerm] | None = None,
) -> Affinity:
    if anti:
        return Affinity(
            pod_anti_affinity=PodAntiAffinity(
                required_during_scheduling_ignored_during_execution=required,
                preferred_during_scheduling_ignored_during_execution=preferred,
            )
        )
    return Affinity(
        pod_affinity=PodAffinity(
            required_during_scheduling_ignored_during_execution=required,
            preferred_during_scheduling_ignored_during_execution=preferred,
        )
    )
