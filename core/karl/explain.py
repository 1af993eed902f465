"""Kubernetes Affinity → plain English, one sentence per term."""

from __future__ import annotations

from collections.abc import Sequence

from mtv_mcp.core.karl.model import TOPOLOGY_KEYS, Topology
from mtv_mcp.core.kube_models import (
    Affinity,
    LabelSelector,
    NodeSelectorTerm,
    PodAffinity,
    PodAffinityTerm,
)

SUBJECTS = {"convertor": "The convertor pod", "target": "The migrated VM", "any": "The pod"}
_DOMAINS = {key: topology.value for topology, key in TOPOLOGY_KEYS.items()}


def _values(values: Sequence[str] | None) -> str:
    return f"({', '.join(values or ())})"


def _requirement(key: str, operator: str, values: Sequence[str] | None, *, label: bool = True) -> str:
    match operator:
        case "In" if values and len(values) == 1:
            return f"{key}={values[0]}"
        case "In":
            return f"{key} in {_values(values)}"
        case "NotIn":
            absent = f" (or no {key} label)" if label else ""
            return f"{key} not in {_values(values)}{absent}"
        case "Exists":
            return f"a {key} label"
        case "DoesNotExist":
            return f"no {key} label"
        case "Gt":
            return f"{key} greater than {values[0] if values else '?'}"
        case _:
            return f"{key} less than {values[0] if values else '?'}"


def describe_selector(selector: LabelSelector) -> str:
    """The conditions of a label selector, joined with "and" ("" when it has none)."""
    conditions = [f"{key}={value}" for key, value in sorted((selector.match_labels or {}).items())]
    conditions += [_requirement(r.key, r.operator, r.values) for r in selector.match_expressions or ()]
    return " and ".join(conditions)


def _pods(term: PodAffinityTerm) -> str:
    if term.label_selector is None:
        return "no pod at all (the term has no label selector, which matches nothing)"
    conditions = describe_selector(term.label_selector)
    pods = f"a pod with {conditions}" if conditions else "any pod"
    if term.match_label_keys:
        pods += f", with the same {', '.join(term.match_label_keys)} as the scheduled pod"
    if term.mismatch_label_keys:
        pods += f", with a different {', '.join(term.mismatch_label_keys)} than the scheduled pod"
    return f"{pods} {_namespaces(term)}"


def _namespaces(term: PodAffinityTerm) -> str:
    places = []
    if term.namespaces:
        noun = "namespace" if len(term.namespaces) == 1 else "namespaces"
        places.append(f"in {noun} {', '.join(term.namespaces)}")
    if term.namespace_selector is not None:
        conditions = describe_selector(term.namespace_selector)
        places.append(f"in namespaces with {conditions}" if conditions else "in any namespace")
    return " or ".join(places) if places else "in its own namespace"


def _domain(topology_key: str) -> str:
    name = _DOMAINS.get(topology_key)
    if name is None:
        return f"topology domain (nodes sharing the same {topology_key} label)"
    if name == Topology.RACK.value:
        return f"rack (node label {topology_key})"
    return name


def _place(topology_key: str) -> str:
    domain = _domain(topology_key)
    return f"on a {domain}" if domain == Topology.NODE.value else f"in a {domain}"


def _pod_sentences(subject: str, affinity: PodAffinity | None, anti: bool) -> list[str]:
    if affinity is None:
        return []
    sentences = []
    for term in affinity.required_during_scheduling_ignored_during_execution or ():
        verb = "must not run" if anti else "must run"
        runs = "that runs" if anti else "that already runs"
        sentences.append(f"{subject} {verb} {_place(term.topology_key)} {runs} {_pods(term)}.")
    for weighted in affinity.preferred_during_scheduling_ignored_during_execution or ():
        term = weighted.pod_affinity_term
        verb = "not to run" if anti else "to run"
        where = _place(term.topology_key)
        sentences.append(f"{subject} prefers (weight {weighted.weight}) {verb} {where} that runs {_pods(term)}.")
    return sentences


def _node_conditions(term: NodeSelectorTerm) -> str:
    conditions = [_requirement(r.key, r.operator, r.values) for r in term.match_expressions or ()]
    conditions += [f"field {_requirement(r.key, r.operator, r.values, label=False)}" for r in term.match_fields or ()]
    return " and ".join(conditions)


def explain_affinity(affinity: Affinity, subject: str = SUBJECTS["any"]) -> list[str]:
    """One English sentence per affinity term (a required node selector counts as one term)."""
    sentences: list[str] = []
    node = affinity.node_affinity
    if node is not None:
        required = node.required_during_scheduling_ignored_during_execution
        if required is not None:
            terms = [_node_conditions(t) or "any labels" for t in required.node_selector_terms]
            if not terms:
                sentences.append(f"{subject} cannot run anywhere (the required node selector has no terms).")
            elif len(terms) == 1:
                sentences.append(f"{subject} must run on a node with {terms[0]}.")
            else:
                options = " or ".join(f"({t})" for t in terms)
                sentences.append(f"{subject} must run on a node with {options}.")
        for preferred in node.preferred_during_scheduling_ignored_during_execution or ():
            conditions = _node_conditions(preferred.preference)
            target = f"a node with {conditions}" if conditions else "any node (this term has no effect)"
            sentences.append(f"{subject} prefers (weight {preferred.weight}) to run on {target}.")
    sentences += _pod_sentences(subject, affinity.pod_affinity, anti=False)
    sentences += _pod_sentences(subject, affinity.pod_anti_affinity, anti=True)
    return sentences
