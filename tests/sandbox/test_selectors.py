"""Label and field selectors: syntax, semantics and errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.sandbox.kube.selectors import (
    Requirement,
    SelectorError,
    field_value,
    parse_field_selector,
    parse_label_selector,
)

LABELS = {"app": "postgres", "tier": "database", "env": "production", "empty": ""}


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("", True),
        ("app=postgres", True),
        ("app==postgres,tier=database", True),
        ("app!=postgres", False),
        ("missing!=x", True),
        ("tier in (database, cache)", True),
        ("tier notin (database)", False),
        ("missing notin (a)", True),
        ("missing in (a)", False),
        ("app", True),
        ("!app", False),
        ("!missing", True),
        ("empty=", True),
        ("app=postgres,!missing,env in (production)", True),
    ],
)
def test_label_semantics(selector: str, expected: bool) -> None:
    assert parse_label_selector(selector).matches(LABELS) is expected


@pytest.mark.parametrize("selector", ["app=", "=x", "app in x", "app in (a", "a b", "bad key=x", "app=(x)"])
def test_malformed_label_selectors_name_a_column(selector: str) -> None:
    if selector == "app=":
        assert parse_label_selector(selector).matches({"app": ""})
        return
    with pytest.raises(SelectorError, match="column"):
        parse_label_selector(selector)


names = st.from_regex(r"[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?", fullmatch=True)
requirements = st.one_of(
    st.builds(lambda k, v: Requirement(k, "=", (v,)), names, names),
    st.builds(lambda k, v: Requirement(k, "!=", (v,)), names, names),
    st.builds(lambda k, vs: Requirement(k, "in", tuple(sorted(set(vs)))), names, st.lists(names, min_size=1)),
    st.builds(lambda k, vs: Requirement(k, "notin", tuple(sorted(set(vs)))), names, st.lists(names, min_size=1)),
    st.builds(lambda k: Requirement(k, "exists"), names),
    st.builds(lambda k: Requirement(k, "!"), names),
)


@given(st.lists(requirements, min_size=1, max_size=4))
def test_rendered_selectors_parse_back(reqs: list[Requirement]) -> None:
    text = ",".join(str(r) for r in reqs)
    assert parse_label_selector(text).requirements == tuple(reqs)


@given(st.lists(requirements, min_size=1, max_size=4), st.dictionaries(names, names, max_size=5))
def test_selector_is_the_conjunction_of_its_requirements(reqs: list[Requirement], labels: dict[str, str]) -> None:
    selector = parse_label_selector(",".join(str(r) for r in reqs))
    assert selector.matches(labels) == all(r.matches(labels) for r in reqs)


def test_field_selectors() -> None:
    pod = {
        "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"nodeName": "worker-3"},
        "status": {"phase": "Running"},
    }
    keys = {"metadata.name", "spec.nodeName", "status.phase"}
    assert parse_field_selector("spec.nodeName=worker-3,status.phase!=Succeeded", keys).matches(pod)
    assert not parse_field_selector("spec.nodeName==worker-4", keys).matches(pod)
    assert parse_field_selector("spec.nodeName=", keys).matches({"metadata": {}}) is True
    with pytest.raises(SelectorError, match=r"field label not supported: spec\.foo"):
        parse_field_selector("spec.foo=x", keys)


def test_field_value_of_event_source() -> None:
    assert field_value({"source": {"component": "default-scheduler"}}, "source") == "default-scheduler"
