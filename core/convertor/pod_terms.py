"""Which running pods each ``pods(...)`` term of a convertor affinity matches, and where.

A pod (anti-)affinity term sees only the pods of its namespaces: the listed ones, those a
namespace selector picks, or, with neither, the namespace of the pod that carries the term (the
plan's target namespace), as kube-scheduler's ``getNamespacesFromPodAffinityTerm``
(pkg/scheduler/framework/types.go) has it. A term that matches nothing changes nothing, and the
commonest reason is a selector written for pods that live in another namespace, so each term is
reported with its matches in scope, the nodes they run on, and the namespaces outside the scope
where the selector would match.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.karl import Affinity, NamespaceScope, parse_rules, render_karl
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.placement.models import PodAffinityTerm
from mtv_mcp.core.placement.selectors import label_selector_matches

TERMINATED = frozenset({"Succeeded", "Failed"})
REQUIRED, PREFERRED = (
    "requiredDuringSchedulingIgnoredDuringExecution",
    "preferredDuringSchedulingIgnoredDuringExecution",
)


class PodTermMatch(BaseModel):
    """One pods(...) term: the running pods it matches in its scope, and outside it."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="The term as KARL")
    scope: str = Field(description="The namespaces it looks in")
    matched: int = Field(description="Running pods it matches in scope")
    nodes: list[str] = Field(description="Nodes those pods run on")
    elsewhere: list[str] = Field(description="namespace (count) of matching pods outside the scope")
    warning: str | None = None


def pod_term_matches(
    affinity: Mapping[str, Any] | None,
    pod_namespace: str,
    pods: Sequence[Mapping[str, Any]],
    namespaces: Sequence[Mapping[str, Any]],
) -> list[PodTermMatch]:
    """Each pod (anti-)affinity term of ``affinity`` (carried by a pod in ``pod_namespace``)."""
    namespace_labels = {str(dig(n, "metadata", "name")): dig(n, "metadata", "labels") or {} for n in namespaces}
    running = [p for p in pods if dig(p, "spec", "nodeName") and dig(p, "status", "phase") not in TERMINATED]
    return [
        _match(single, PodAffinityTerm.model_validate(term), pod_namespace, running, namespace_labels)
        for single, term in _single_pod_terms(affinity or {})
    ]


def _single_pod_terms(affinity: Mapping[str, Any]) -> Iterator[tuple[dict[str, Any], Mapping[str, Any]]]:
    """(an Affinity holding just this term, the PodAffinityTerm) for every pod term."""
    for section in ("podAffinity", "podAntiAffinity"):
        for term in dig(affinity, section, REQUIRED) or []:
            yield {section: {REQUIRED: [term]}}, term
        for weighted in dig(affinity, section, PREFERRED) or []:
            yield {section: {PREFERRED: [weighted]}}, weighted.get("podAffinityTerm") or {}


def _match(
    single: dict[str, Any],
    term: PodAffinityTerm,
    pod_namespace: str,
    running: Sequence[Mapping[str, Any]],
    namespace_labels: Mapping[str, Mapping[str, str]],
) -> PodTermMatch:
    rendered = render_karl(Affinity.model_validate(single)).rules
    rule = rendered[0] if rendered else f"pods({term.label_selector}) on {term.topology_key}"
    own = not term.namespaces and term.namespace_selector is None

    def in_scope(namespace: str) -> bool:
        if own:
            return namespace == pod_namespace
        selected = term.namespace_selector is not None and label_selector_matches(
            term.namespace_selector, namespace_labels.get(namespace, {})
        )
        return namespace in term.namespaces or selected

    matching = [p for p in running if label_selector_matches(term.label_selector, dig(p, "metadata", "labels") or {})]
    inside = [p for p in matching if in_scope(str(dig(p, "metadata", "namespace")))]
    outside: dict[str, int] = {}
    for pod in matching:
        namespace = str(dig(pod, "metadata", "namespace"))
        if not in_scope(namespace):
            outside[namespace] = outside.get(namespace, 0) + 1
    scope = _scope_text(term, pod_namespace)
    return PodTermMatch(
        rule=rule,
        scope=scope,
        matched=len(inside),
        nodes=sorted({str(dig(p, "spec", "nodeName")) for p in inside}),
        elsewhere=[f"{namespace} ({count})" for namespace, count in sorted(outside.items())],
        warning=_warning(rule, scope, len(inside), sorted(outside)),
    )


def _scope_text(term: PodAffinityTerm, pod_namespace: str) -> str:
    if not term.namespaces and term.namespace_selector is None:
        return f"namespace {pod_namespace} (the convertor pod's own)"
    if term.namespace_selector is not None and not (
        term.namespace_selector.match_labels or term.namespace_selector.match_expressions
    ):
        return "all namespaces"
    parts = list(term.namespaces)
    if term.namespace_selector is not None:
        parts.append("namespaces selected by labels")
    return "namespaces " + ", ".join(parts)


def _warning(rule: str, scope: str, inside: int, outside: list[str]) -> str | None:
    if inside:
        return None
    if not outside:
        return (
            f"`{rule}` matches no running pod in any namespace, so it changes nothing now; "
            "check the pod labels with cluster_overview"
        )
    return (
        f"`{rule}` matches no running pod in its scope ({scope}), only in {', '.join(outside)}: "
        f"write `{_rescoped(rule, NamespaceScope(names=tuple(outside)))}` "
        f"or `{_rescoped(rule, NamespaceScope(all=True))}`"
    )


def _rescoped(rule: str, scope: NamespaceScope) -> str:
    (parsed,) = parse_rules(rule).rules
    return dataclasses.replace(parsed, namespaces=scope).to_karl()
