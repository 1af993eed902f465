"""Kubernetes matching rules: label selectors, node selector terms and taint tolerations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mtv_mcp.core.placement.models import (
    LabelSelector,
    LabelSelectorRequirement,
    Node,
    NodeSelectorRequirement,
    NodeSelectorTerm,
    Taint,
    Toleration,
)


def _requirement_matches(req: LabelSelectorRequirement | NodeSelectorRequirement, labels: Mapping[str, str]) -> bool:
    present = req.key in labels
    value = labels.get(req.key, "")
    match req.operator:
        case "In":
            return present and value in req.values
        case "NotIn":
            return not present or value not in req.values
        case "Exists":
            return present
        case "DoesNotExist":
            return not present
        case "Gt" | "Lt":
            return present and _compare_int(value, req.values, greater=req.operator == "Gt")
    return False


def _compare_int(value: str, values: Sequence[str], *, greater: bool) -> bool:
    """``Gt``/``Lt``: both sides must be integers (exactly one value), else no match."""
    if len(values) != 1:
        return False
    try:
        have, want = int(value), int(values[0])
    except ValueError:
        return False
    return have > want if greater else have < want


def label_selector_matches(selector: LabelSelector | None, labels: Mapping[str, str]) -> bool:
    """metav1 LabelSelector semantics: ``None`` matches nothing, an empty selector everything."""
    if selector is None:
        return False
    if any(labels.get(key) != value for key, value in selector.match_labels.items()):
        return False
    return all(_requirement_matches(req, labels) for req in selector.match_expressions)


def node_selector_term_matches(term: NodeSelectorTerm, node: Node) -> bool:
    """A NodeSelectorTerm: an empty term matches no node; expressions and fields are ANDed."""
    if not term.match_expressions and not term.match_fields:
        return False
    if not all(_requirement_matches(req, node.labels) for req in term.match_expressions):
        return False
    fields = {"metadata.name": node.name}
    return all(req.key in fields and _requirement_matches(req, fields) for req in term.match_fields)


def describe_requirement(req: LabelSelectorRequirement | NodeSelectorRequirement) -> str:
    """``key In [a, b]`` / ``key Exists`` — for reason details."""
    if req.operator in ("Exists", "DoesNotExist"):
        return f"{req.key} {req.operator}"
    return f"{req.key} {req.operator} [{', '.join(req.values)}]"


def tolerates(toleration: Toleration, taint: Taint) -> bool:
    """``ToleratesTaint``: empty effect matches every effect, ``Exists`` with no key every key."""
    if toleration.effect and toleration.effect != taint.effect:
        return False
    if toleration.key and toleration.key != taint.key:
        return False
    if toleration.operator == "Exists":
        return True
    return toleration.value == taint.value


def untolerated_taints(taints: Sequence[Taint], tolerations: Sequence[Toleration], effects: set[str]) -> list[Taint]:
    """The taints with one of ``effects`` that no toleration tolerates, in node order."""
    return [
        taint
        for taint in taints
        if taint.effect in effects and not any(tolerates(toleration, taint) for toleration in tolerations)
    ]
