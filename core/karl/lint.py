"""Warnings for KARL rules that are accepted but probably not what the author wants."""

from __future__ import annotations

from typing import Literal

from mtv_mcp.core.karl.model import Operator, Position, Rule, RuleType, Selector, TargetKind, Topology
from mtv_mcp.core.karl.ruleset import RuleSet

Purpose = Literal["convertor", "target", "any"]
CONVERTOR_LABEL = ("forklift.app", "virt-v2v")
FORKLIFT_DEFAULT_SPREADING = "REPEL pods(forklift.app in [virt-v2v]) in all namespaces on node"
"""Forklift's own convertor affinity when a plan sets none, written in KARL."""


def _where(position: Position | None) -> str:
    if position is None:
        return ""
    field = f"{position.field} " if position.field else ""
    return f"{field}column {position.column}: "


def _selects_convertors(selectors: tuple[Selector, ...]) -> bool:
    key, value = CONVERTOR_LABEL
    return any(s.key == key and value in s.values and s.operator in (Operator.EQUALS, Operator.IN) for s in selectors)


def spreads_convertors(rule: Rule) -> bool:
    return (
        rule.target is TargetKind.PODS
        and rule.type.anti
        and rule.topology is Topology.NODE
        and _selects_convertors(rule.selectors)
    )


def rule_warnings(rule: Rule, purpose: Purpose) -> list[str]:
    """What is suspicious in one rule."""
    where = _where(rule.position)
    found: list[str] = []
    if rule.type.hard and rule.weight is not None:
        found.append(
            f"{where}weight={rule.weight} is ignored: {rule.type.value} is a hard rule; "
            f"use {rule.type.soft_twin.value} for a weighted preference"
        )
    if rule.topology is Topology.RACK:
        found.append(
            f"{where}'on rack' uses the node label {Topology.RACK.key}, which Kubernetes does not set; "
            "nodes must be labelled with it by hand"
        )
    for selector in (*rule.selectors, *(rule.namespaces.selectors if rule.namespaces else ())):
        at = _where(selector.position) or where
        if selector.operator is Operator.EQUALS and selector.values == ("",):
            found.append(
                f'{at}{selector.key}="" matches only an empty label value; '
                f"to require the label at all write has {selector.key}"
            )
        if len(set(selector.values)) < len(selector.values):
            found.append(f"{at}the list for {selector.key!r} repeats a value")
    if rule.target is TargetKind.PODS:
        found.extend(_pod_warnings(rule, purpose, where))
    return found


def _pod_warnings(rule: Rule, purpose: Purpose, where: str) -> list[str]:
    found: list[str] = []
    scheduled = {"convertor": "the convertor pod (the plan's target namespace)", "target": "the migrated VM"}
    if rule.namespaces is None and not (purpose == "convertor" and _selects_convertors(rule.selectors)):
        own = scheduled.get(purpose, "the scheduled pod")
        found.append(
            f"{where}pods(...) only sees pods in the namespace of {own}; if the pods run elsewhere "
            "(e.g. ceph-osd in openshift-storage) add 'in namespaces(<name>)' or 'in all namespaces'"
        )
    if rule.namespaces is not None and rule.namespaces.names and rule.namespaces.selectors:
        found.append(
            f"{where}namespace names and namespace labels are combined with OR: pods in any listed "
            "namespace or in any namespace matching the labels count"
        )
    if purpose == "convertor":
        if any(s.key == "app" and "virt-v2v" in s.values for s in rule.selectors):
            found.append(
                f"{where}convertor pods carry the label forklift.app=virt-v2v, not app=virt-v2v; "
                "this selector matches no convertor"
            )
        if rule.type is RuleType.AVOID and spreads_convertors(rule):
            found.append(
                f"{where}AVOID of convertor pods on node allows at most one convertor per node; further "
                "convertors stay Pending. REPEL spreads them without blocking"
            )
    return found


def ruleset_warnings(rules: RuleSet, purpose: Purpose) -> list[str]:
    """All warnings: per rule, then for the set as a whole."""
    found = [warning for rule in rules.rules for warning in rule_warnings(rule, purpose)]
    if purpose == "convertor" and not any(spreads_convertors(rule) for rule in rules.rules):
        found.append(
            "this convertor affinity replaces Forklift's default, which spreads convertor pods across "
            f"nodes; to keep spreading add the rule: {FORKLIFT_DEFAULT_SPREADING}"
        )
    return found
