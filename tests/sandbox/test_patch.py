"""Merge, JSON and strategic merge patches."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.plan.diff import apply_merge_patch
from mtv_mcp.sandbox.kube.patch import PatchError, json_patch, strategic_merge_patch

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)
objects = st.dictionaries(st.text(max_size=3), json_values, max_size=4)


def test_merge_patch_deletes_with_null_and_replaces_lists() -> None:
    assert apply_merge_patch({"a": 1, "b": {"c": 2, "d": 3}, "l": [1]}, {"a": None, "b": {"c": 5}, "l": [2]}) == {
        "b": {"c": 5, "d": 3},
        "l": [2],
    }


@given(objects, objects)
def test_merge_patch_is_idempotent(target: dict[str, Any], patch: dict[str, Any]) -> None:
    once = apply_merge_patch(target, patch)
    assert apply_merge_patch(once, patch) == once


def test_json_patch_operations() -> None:
    doc = {"spec": {"vms": [{"id": "a"}], "type": "cold"}}
    result = json_patch(
        doc,
        [
            {"op": "add", "path": "/spec/convertorAffinity", "value": {"podAntiAffinity": {}}},
            {"op": "replace", "path": "/spec/type", "value": "warm"},
            {"op": "add", "path": "/spec/vms/-", "value": {"id": "b"}},
            {"op": "test", "path": "/spec/vms/0/id", "value": "a"},
            {"op": "copy", "from": "/spec/type", "path": "/spec/mode"},
            {"op": "move", "from": "/spec/mode", "path": "/spec/mode2"},
            {"op": "remove", "path": "/spec/vms/0"},
        ],
    )
    assert result == {
        "spec": {"vms": [{"id": "b"}], "type": "warm", "convertorAffinity": {"podAntiAffinity": {}}, "mode2": "warm"}
    }
    assert doc["spec"]["type"] == "cold"


@pytest.mark.parametrize(
    "ops",
    [
        [{"op": "replace", "path": "/spec/missing", "value": 1}],
        [{"op": "remove", "path": "/nope"}],
        [{"op": "test", "path": "/spec/type", "value": "warm"}],
        [{"op": "frobnicate", "path": "/spec"}],
        {"op": "add"},
    ],
)
def test_json_patch_errors(ops: Any) -> None:
    with pytest.raises(PatchError):
        json_patch({"spec": {"type": "cold"}}, ops)


def test_strategic_merge_by_name() -> None:
    pod = {"spec": {"containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y"}]}}
    patched = strategic_merge_patch(
        pod, {"spec": {"containers": [{"name": "b", "image": "z"}, {"name": "a", "$patch": "delete"}]}}
    )
    assert patched == {"spec": {"containers": [{"name": "b", "image": "z"}]}}
