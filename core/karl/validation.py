"""Checks on the words and labels of a KARL rule, with Kubernetes' own label rules."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from mtv_mcp.core.errors import quoted
from mtv_mcp.core.karl.errors import RuleError
from mtv_mcp.core.karl.grammar import SELECTOR_FORMS
from mtv_mcp.core.karl.model import (
    Operator,
    Position,
    Rule,
    RuleType,
    Selector,
    TargetKind,
    Topology,
)
from mtv_mcp.core.kube_labels import validate_dns_label, validate_label_key, validate_label_value

RULE_SHAPE = "REQUIRE|PREFER|AVOID|REPEL pods(selectors) on node|zone|region|rack [weight=N]"
_RULE_TYPE_SYNONYMS = {
    "ATTRACT": RuleType.PREFER,
    "PREFERRED": RuleType.PREFER,
    "REQUIRED": RuleType.REQUIRE,
    "MUST": RuleType.REQUIRE,
    "AFFINITY": RuleType.REQUIRE,
    "ANTI": RuleType.AVOID,
    "AVOIDED": RuleType.AVOID,
    "REPULSE": RuleType.REPEL,
    "SPREAD": RuleType.REPEL,
}
_TOPOLOGY_SYNONYMS = {
    "host": Topology.NODE,
    "hostname": Topology.NODE,
    "nodes": Topology.NODE,
    "zones": Topology.ZONE,
    "regions": Topology.REGION,
    "racks": Topology.RACK,
    **{topology.key: topology for topology in Topology},
}
SOFT_WEIGHT_RANGE = (1, 100)
_EXISTS_AND_NOT_IN = {Operator.EXISTS, Operator.NOT_IN}


def _suggest(word: str, choices: Sequence[str]) -> str | None:
    close = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1, cutoff=0.6)
    return next((c for c in choices if c.lower() == close[0]), None) if close else None


def rule_type(word: str, position: Position) -> RuleType:
    """The rule type, case-insensitive; unknown words get a suggestion."""
    upper = word.upper()
    if upper in RuleType.__members__:
        return RuleType[upper]
    guess = _RULE_TYPE_SYNONYMS.get(upper) or _suggest(word, list(RuleType.__members__))
    hint = f"did you mean {guess}? " if guess else ""
    raise RuleError.at(
        position,
        f"unknown rule type {quoted(word)}",
        f"{hint}REQUIRE/AVOID must hold (hard), PREFER/REPEL only score (soft); a rule reads: {RULE_SHAPE}",
    )


def target_kind(word: str, position: Position) -> TargetKind:
    """The target: ``pods`` or ``nodes`` (case-insensitive)."""
    lower = word.lower()
    if lower in (kind.value for kind in TargetKind):
        return TargetKind(lower)
    if lower in (t.value for t in Topology) or lower in _TOPOLOGY_SYNONYMS:
        raise RuleError.at(
            position,
            f"{quoted(word)} is a topology, not a target",
            f"select pods or nodes and put the topology after 'on', e.g. REQUIRE pods(app=web) on {lower}; "
            f"to pick nodes by zone use nodes(topology.kubernetes.io/zone=<zone>)",
        )
    raise RuleError.at(
        position,
        f"unknown target {quoted(word)}",
        "the target is pods(label selectors) for pod (anti-)affinity or nodes(label selectors) for node affinity",
    )


def topology(word: str, position: Position) -> Topology:
    """The topology after ``on`` (case-insensitive)."""
    lower = word.lower()
    if lower in (t.value for t in Topology):
        return Topology(lower)
    known = _TOPOLOGY_SYNONYMS.get(word) or _TOPOLOGY_SYNONYMS.get(lower)
    guess = known.value if known else _suggest(word, [t.value for t in Topology])
    hint = f"did you mean {quoted(guess)}? " if guess else ""
    if ";" not in word and word.endswith((",", "&", "&&")):
        hint += "separate rules with ';'. "
    raise RuleError.at(
        position,
        f"unknown topology {quoted(word)}",
        f"{hint}the topology is node, zone, region or rack ({', '.join(f'{t.value} = {t.key}' for t in Topology)})",
    )


def weight(option: str, position: Position) -> int:
    """The number of a ``weight=N`` option: a whole number from 1 to 100."""
    name, _, raw = option.partition("=")
    value = raw.strip()
    value_position = position.shifted(len(option) - len(value))
    low, high = SOFT_WEIGHT_RANGE
    if not (value.isascii() and value.isdigit()):
        shown = repr(value) if value else "nothing"
        raise RuleError.at(
            value_position,
            f"weight must be a whole number from {low} to {high}, got {shown}",
            f"write e.g. {name.strip()}=50",
        )
    digits = value.lstrip("0") or "0"
    if len(digits) > len(str(high)) or not low <= int(digits) <= high:
        shown = digits if len(digits) <= 20 else f"a number of {len(digits)} digits"
        raise RuleError.at(
            value_position,
            f"weight must be from {low} to {high}, got {shown}",
            "Kubernetes accepts preferred-term weights 1..100; weights only matter relative to other soft rules",
        )
    return int(digits)


def stray_word(word: str, position: Position, *, seen_topology: bool) -> RuleError:
    """The error for a word after the rule that the grammar does not know."""
    upper = word.upper()
    if upper in RuleType.__members__ or upper in {"AND", "&&", "&", ",", "THEN", "PLUS"}:
        return RuleError.at(
            position,
            f"unexpected {quoted(word)} after the rule",
            "one rule per rule text: separate rules with ';' or pass a list of rules",
        )
    if upper.startswith("WEIGHT") or _suggest(word.partition("=")[0], ["weight"]):
        return RuleError.at(position, f"unknown option {quoted(word)}", "write the weight as weight=N (1..100)")
    if not seen_topology:
        return RuleError.at(
            position,
            f"unexpected {quoted(word)}; expected 'on' and a topology",
            f"a rule reads: {RULE_SHAPE}",
        )
    return RuleError.at(
        position,
        f"unexpected {quoted(word)} after the rule",
        f"only weight=N may follow the topology; a rule reads: {RULE_SHAPE}",
    )


def label_key(key: str, position: Position, *, what: str = "label key") -> None:
    problem = validate_label_key(key)
    if problem:
        raise RuleError.at(position, f"invalid {what} {quoted(key)}: {problem}", _key_hint(key))


def _key_hint(key: str) -> str:
    if key.endswith(("!", "~")):
        return f"for 'not equal' write {key[:-1]}!=value or {key[:-1]} not in [value]"
    return (
        "a label key is [prefix/]name: name 1-63 characters of letters, digits, '-', '_', '.', starting "
        "and ending with a letter or digit; prefix a DNS subdomain such as app.kubernetes.io"
    )


def label_value(value: str, position: Position) -> None:
    problem = validate_label_value(value)
    if problem:
        raise RuleError.at(
            position,
            f"invalid label value {quoted(value)}: {problem}",
            "label values are empty or 1-63 characters of letters, digits, '-', '_', '.', "
            "starting and ending with a letter or digit",
        )


def namespace_name(name: str, position: Position) -> None:
    problem = validate_dns_label(name)
    if problem:
        raise RuleError.at(
            position,
            f"invalid namespace name {quoted(name)}: {problem.removeprefix('the name ')}",
            "namespace names are DNS labels such as openshift-storage; to select namespaces by label "
            "write namespaces(key=value)",
        )


def bare_key(key: str, position: Position) -> RuleError:
    return RuleError.at(
        position,
        f"{quoted(key)} alone is not a label selector",
        f"write has {key}, {key}=value or {key} in [a, b]; the forms are: {SELECTOR_FORMS}",
    )


def selector_list(selectors: Sequence[Selector], position: Position, what: str) -> None:
    """At least one selector, each key used once (except ``has k`` with ``k not in [..]``)."""
    if not selectors:
        raise RuleError.at(
            position,
            f"{what}(...) needs at least one label selector",
            f"write e.g. {what}(app=web); the forms are: {SELECTOR_FORMS}",
        )
    seen: dict[str, Selector] = {}
    for selector in selectors:
        earlier = seen.get(selector.key)
        if earlier is not None and {earlier.operator, selector.operator} != {
            Operator.EXISTS,
            Operator.NOT_IN,
        }:
            raise RuleError.at(
                selector.position or position,
                f"label key {quoted(selector.key)} is used twice in {what}(...)",
                f"all selectors must hold at once, so '{earlier.to_karl()}' and '{selector.to_karl()}' "
                "contradict or repeat each other; keep one expression per key, e.g. "
                f"{selector.key} in [x, y] (only 'has k' may go with 'k not in [..]')",
            )
        seen[selector.key] = selector


def node_rule(rule: Rule, position: Position) -> None:
    """Node targets: AVOID/REPEL negate a single expression; no namespace scope."""
    if rule.type.anti and len(rule.selectors) > 1:
        raise RuleError.at(
            position,
            f"{rule.type.value} nodes(...) takes exactly one label expression",
            "avoiding nodes that match several labels at once cannot be written as one node-affinity "
            f"term; write one {rule.type.value} rule per label (this avoids nodes matching any of them), "
            "or a REQUIRE nodes(...) rule with !=, not in [..] or not has",
        )
    if rule.namespaces is not None:
        raise RuleError.at(
            position,
            "a nodes(...) target has no namespace scope",
            "namespaces only apply to pods(...) targets; remove the 'in ...' part",
        )


def contradictions(rules: Sequence[Rule]) -> None:
    """A pod rule that REQUIREs exactly what another AVOIDs can never be satisfied."""
    pods = [r for r in rules if r.target is TargetKind.PODS]
    required = {(r.selectors, r.namespaces, r.topology) for r in pods if r.type is RuleType.REQUIRE}
    for rule in pods:
        if rule.type is RuleType.AVOID and (rule.selectors, rule.namespaces, rule.topology) in required:
            assert rule.position is not None
            raise RuleError.at(
                rule.position,
                "this rule AVOIDs exactly what another rule REQUIREs, so no placement can satisfy both",
                f"drop one of them, or soften one: {rule.softened().to_karl()}",
            )
