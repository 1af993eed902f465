"""Invalid KARL: the message, the 1-based column, the caret and a hint."""

from __future__ import annotations

import pytest

from mtv_mcp.core.karl import RuleError, parse_rules
from mtv_mcp.core.kube_labels import (
    validate_dns_label,
    validate_label_key,
    validate_label_value,
)

CASES = [
    # (rule, column, part of the message, part of the hint)
    ("ATTRACT pods(a=b) on node", 1, "unknown rule type 'ATTRACT'", "did you mean PREFER"),
    ("REQUIRE tag:zone=us-east", 12, "expected '('", "pods(label selectors)"),
    ("REQUIRE nodez(a=b) on node", 9, "unknown target 'nodez'", "nodes(label selectors)"),
    ("REQUIRE zone(east) AND AVOID pods(resource=intensive)", 9, "is a topology, not a target", "on zone"),
    (
        "REQUIRE pods(a=b) on node and AVOID pods(c=d) on zone",
        27,
        "unexpected 'and'",
        "separate rules with ';'",
    ),
    ("REQUIRE pods(a=b) on node AVOID pods(c=d) on zone", 27, "unexpected 'AVOID'", "pass a list"),
    ("REPEL pods(app=web) zone weight=75", 21, "expected 'on'", "REQUIRE|PREFER|AVOID|REPEL"),
    ("REQUIRE pods(a=b)", 18, "missing 'on <topology>'", "on zone"),
    ("REQUIRE pods(a=b) on host", 22, "unknown topology 'host'", "did you mean 'node'"),
    ("REQUIRE pods(a=b) on kubernetes.io/hostname", 22, "unknown topology", "did you mean 'node'"),
    ("REQUIRE pods() on node", 14, "pods(...) needs at least one label selector", "pods(app=web)"),
    ("REQUIRE pods(app) on node", 14, "'app' alone is not a label selector", "has app"),
    ("REQUIRE pods(=web) on node", 14, "expected", "label key before '='"),
    ("REQUIRE pods(a in []) on node", 20, "'in [...]' needs at least one value", "has key"),
    ("REQUIRE pods(a not in [ ]) on node", 25, "'not in [...]' needs at least one value", "not has key"),
    ("REQUIRE pods(a in (x,y)) on node", 16, "unexpected 'in'", "lists use [ ]"),
    ("REQUIRE pods(a=b, a=c) on node", 19, "label key 'a' is used twice", "one expression per key"),
    ("REQUIRE pods(has a, not has a) on node", 21, "used twice", "one expression per key"),
    ("REQUIRE pods(app~=web) on node", 14, "invalid label key 'app~'", "app!=value"),
    ("REQUIRE pods(Bad_Prefix/x=1) on node", 14, "key prefix", "DNS subdomain"),
    ("REQUIRE pods(a/b/c=1) on node", 14, "at most one '/'", "prefix"),
    (f"REQUIRE pods({'k' * 64}=1) on node", 14, "64 characters", "1-63"),
    ("REQUIRE pods(a='x y') on node", 16, "invalid label value 'x y'", "1-63"),
    ("REQUIRE pods(a=caf\u00e9) on node", 16, "invalid label value", "letters"),
    ("REQUIRE pods(a=-x) on node", 16, "invalid label value '-x'", "starting and ending"),
    ("REQUIRE pods(a=b) in namespaces(Open_Shift) on node", 33, "invalid namespace name", "DNS labels"),
    ("REQUIRE pods(a=b) in namespaces() on node", 33, "at least one namespace", "all namespaces"),
    ("REQUIRE pods(a=b) in everywhere on node", 22, "expected", "in all namespaces"),
    ("PREFER pods(a=b) on node weight=5 weight=6", 35, "weight is given twice", "keep one"),
    ("PREFER pods(a=b) on node weigth=5", 26, "unknown option 'weigth=5'", "weight=N"),
    ("AVOID nodes(a=b, c=d)", 7, "takes exactly one label expression", "one AVOID rule per label"),
    ("REQUIRE nodes(a=b) in namespaces(x) on node", 9, "no namespace scope", "remove"),
    ("REQUIRE nodes(a=b) on zone", 23, "'on zone' does not apply", "topology.kubernetes.io/zone"),
    ("REQUIRE pods(a=b) on node; AVOID pods(a=b) on node", 28, "no placement can satisfy both", "REPEL"),
    ("pods(a=b) on node", 5, "expected a word", "start the rule with its type"),
    ("REQUIRE pods(a=b", 17, "unexpected end of the rule", "close the selector list with ')'"),
    ("REQUIRE pods(a in [b) on node", 21, "unexpected ')'", "close the list with ']'"),
    ("", 1, "the rule text is empty", "a rule reads"),
    (" ; ;", 1, "the rule text is empty", "a rule reads"),
]


@pytest.mark.parametrize(("rule", "column", "message", "hint"), CASES)
def test_error_points_at_the_column_with_a_hint(rule: str, column: int, message: str, hint: str) -> None:
    with pytest.raises(RuleError) as caught:
        parse_rules(rule)
    error = caught.value
    assert message in error.message
    assert error.column == column, str(error)
    assert error.hint is not None
    assert hint in error.hint
    text = str(error)
    assert f"(column {column})" in text
    caret_line = text.splitlines()[2]
    assert caret_line == "  " + " " * (column - 1) + "^"


def test_every_invalid_text_of_a_list_is_reported() -> None:
    with pytest.raises(RuleError) as caught:
        parse_rules(["PREFER pods(a=b) on node", "PREFER pods(a=b) on nod", "FOO pods(a=b) on node"])
    errors = caught.value.all
    assert [(e.field, e.column) for e in errors] == [("rules[1]", 21), ("rules[2]", 1)]
    assert "rules[1]: unknown topology" in str(caught.value)
    assert "rules[2]: unknown rule type" in str(caught.value)


def test_an_empty_list_and_non_text_are_errors() -> None:
    with pytest.raises(RuleError, match="no KARL rule given"):
        parse_rules([])
    with pytest.raises(RuleError, match="must be text"):
        parse_rules([42])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("app", None),
        ("app.kubernetes.io/name", None),
        ("kubevirt.io/domain", None),
        ("a" * 63, None),
        (f"{'p' * 253}/x", None),
        ("", "must not be empty"),
        ("a" * 64, "at most 63"),
        (f"{'p' * 254}/x", "at most 253"),
        ("/x", "prefix"),
        ("x/", "name part"),
        ("UPPER.io/x", "prefix"),
        ("-a", "start and end"),
        ("a b", "only ASCII"),
    ],
)
def test_label_keys(key: str, problem: str | None) -> None:
    found = validate_label_key(key)
    assert found is None if problem is None else problem in (found or "")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("", True),
        ("web", True),
        ("A.b_c-1", True),
        ("x" * 63, True),
        ("x" * 64, False),
        ("a/b", False),
        ("a:", False),
    ],
)
def test_label_values(value: str, valid: bool) -> None:
    assert (validate_label_value(value) is None) is valid


@pytest.mark.parametrize(
    ("name", "valid"), [("openshift-storage", True), ("Upper", False), ("a.b", False), ("", False)]
)
def test_namespace_names(name: str, valid: bool) -> None:
    assert (validate_dns_label(name) is None) is valid
