"""dig: nested Kubernetes JSON fields, None wherever a level is missing, null or not an object."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.kube_fields import dig

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=10,
)


def test_reads_nested_fields() -> None:
    pod = {"metadata": {"name": "p"}, "spec": {"nodeName": None}, "status": []}
    assert dig(pod, "metadata", "name") == "p"
    assert dig(pod, "spec", "nodeName") is None
    assert dig(pod, "status", "phase") is None  # a list where an object was expected
    assert dig(pod, "missing", "deeper") is None
    assert dig(None, "metadata") is None
    assert dig(pod) is pod


@given(json_values, st.lists(st.sampled_from("abc"), max_size=4))
def test_matches_the_get_or_empty_chain_without_failing(value: Any, keys: list[str]) -> None:
    expected: Any = value
    for key in keys:
        expected = expected.get(key) if isinstance(expected, dict) else None
    assert dig(value, *keys) == expected
