"""Property tests: arbitrary text fails only with RuleError; valid rule models survive every round trip."""

from __future__ import annotations

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mtv_mcp.core.karl import (
    NamespaceScope,
    Operator,
    Rule,
    RuleError,
    RuleSet,
    RuleType,
    Selector,
    TargetKind,
    Topology,
    parse_rules,
    render_karl,
)
from mtv_mcp.core.kube_models import Affinity

VOCABULARY = [
    "REQUIRE", "prefer", "AVOID", "Repel", "pods(", "nodes(", "(", ")", "[", "]", ",", ";", "=", "!=",
    "in", "not", "has", "on", "node", "zone", "region", "rack", "weight=", "50", "0", "app", "web",
    "a.b/c", '"', "'", "namespaces", "all", "\t", "\n", "\u00a0", "é", "-", "",
]  # fmt: skip

name_part = st.from_regex(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?", fullmatch=True)
dns_label = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,6}[a-z0-9])?", fullmatch=True)
prefix = st.lists(dns_label, min_size=1, max_size=3).map(".".join)
label_key = st.one_of(name_part, st.tuples(prefix, name_part).map("/".join))
label_value = st.one_of(st.just(""), name_part)
value_list = st.lists(name_part, min_size=1, max_size=3).map(tuple)


@st.composite
def selectors(draw: st.DrawFn, max_size: int = 4) -> tuple[Selector, ...]:
    keys = draw(st.lists(label_key, min_size=1, max_size=max_size, unique=True))
    found = []
    for key in keys:
        operator = draw(st.sampled_from(list(Operator)))
        if operator is Operator.EQUALS:
            values: tuple[str, ...] = (draw(label_value),)
        elif operator in (Operator.IN, Operator.NOT_IN):
            values = draw(value_list)
        else:
            values = ()
        found.append(Selector(key, operator, values))
    return tuple(found)


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    rule_type = draw(st.sampled_from(list(RuleType)))
    weight = draw(st.one_of(st.none(), st.integers(1, 100)))
    if draw(st.booleans()):
        chosen = draw(selectors(max_size=1 if rule_type.anti else 4))
        return Rule(rule_type, TargetKind.NODES, chosen, weight=weight)
    scope = draw(
        st.one_of(
            st.none(),
            st.just(NamespaceScope(all=True)),
            st.builds(
                NamespaceScope,
                names=st.lists(dns_label, max_size=2, unique=True).map(tuple),
                selectors=st.one_of(st.just(()), selectors(max_size=2)),
            ).filter(lambda s: bool(s.names or s.selectors)),
        )
    )
    return Rule(rule_type, TargetKind.PODS, draw(selectors()), draw(st.sampled_from(list(Topology))), scope, weight)


def _contradictory(chosen: list[Rule]) -> bool:
    pods = [r for r in chosen if r.target is TargetKind.PODS]
    required = {(r.selectors, r.namespaces, r.topology) for r in pods if r.type is RuleType.REQUIRE}
    return any(r.type is RuleType.AVOID and (r.selectors, r.namespaces, r.topology) in required for r in pods)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(VOCABULARY), max_size=14).map(" ".join)))
def test_any_text_either_parses_or_raises_rule_error(text: str) -> None:
    problem: RuleError | None = None
    try:
        parsed = parse_rules(text)
    except RuleError as error:
        problem = error
    if problem is None:
        assert parsed.rules
    else:
        assert 1 <= problem.column <= len(text) + 1
        assert problem.hint


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chosen=st.lists(rules(), min_size=1, max_size=4).filter(lambda chosen: not _contradictory(chosen)))
def test_rule_models_print_parse_and_convert_back(
    chosen: list[Rule], affinity_schema: jsonschema.protocols.Validator
) -> None:
    ruleset = RuleSet(tuple(chosen))
    texts = ruleset.to_karl()
    reparsed = parse_rules(texts)
    assert reparsed.rules == ruleset.rules
    assert parse_rules("; ".join(texts)).rules == ruleset.rules
    affinity = ruleset.to_affinity()
    kube = affinity.to_kube()
    affinity_schema.validate(kube)
    assert Affinity.model_validate(kube) == affinity
    rendering = render_karl(affinity)
    assert rendering.complete, rendering.unexpressed
    assert parse_rules(rendering.rules).to_affinity().to_kube() == kube
