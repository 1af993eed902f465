"""What the tool list costs an assistant's context, and that the lean schemas mean the same."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.config import Settings
from mtv_mcp.server.schema import lean_input_schema, lean_output_schema
from mtv_mcp.server.session import list_tools

TOOLS_LIST_BUDGET = 20_000  # bytes of compact JSON, every tool together

# What each tool does to the cluster, as MCP's hints say it (read-only, destructive, idempotent).
HINTS = {
    "cluster_overview": (True, False, True),
    "query_vms": (True, False, True),
    "validate_karl": (True, False, True),
    "create_plan": (False, False, True),  # creates; an existing plan is reported, never changed
    "patch_plan": (False, True, True),  # replaces and clears fields of an existing plan
    "start_migration": (False, False, True),  # creates a Migration; a running one is reported
    "inspect_convertor_pods": (True, False, True),
    "cancel_migration": (False, True, True),  # stops the convertors of the canceled VMs
    "migration_report": (True, False, True),
}


def _compact(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


@pytest.mark.parametrize("read_only", [False, True])
def test_tools_list_fits_the_budget(read_only: bool) -> None:
    tools = list_tools(Settings(read_only=read_only))
    assert _compact(tools) <= TOOLS_LIST_BUDGET, {tool["name"]: _compact(tool) for tool in tools}


def test_tools_list_keeps_structured_results() -> None:
    for tool in list_tools(Settings()):
        assert tool["outputSchema"]["type"] == "object", tool["name"]
        assert tool["outputSchema"]["properties"], tool["name"]
        assert "title" not in json.dumps(tool["inputSchema"]), tool["name"]


def test_annotations_say_what_each_tool_does() -> None:
    for tool in list_tools(Settings()):
        hints = tool["annotations"]
        assert (hints["readOnlyHint"], hints["destructiveHint"], hints["idempotentHint"]) == HINTS[tool["name"]]
    for tool in list_tools(Settings(read_only=True)):  # a read-only server only dry-runs
        hints = tool["annotations"]
        assert (hints["readOnlyHint"], hints["destructiveHint"]) == (True, False), tool["name"]


FULL = {
    "$defs": {
        "mtv_mcp__core__a__Reason": {"type": "object", "properties": {"kind": {"$ref": "#/$defs/Kind"}}},
        "mtv_mcp__core__b__Reason": {"type": "object", "title": "Reason", "properties": {"n": {"type": "integer"}}},
        "Kind": {"enum": ["taint", "selector"], "type": "string", "title": "Kind"},
    },
    "type": "object",
    "title": "Result",
    "description": "The result of x.",
    "properties": {
        "title": {"type": "string", "title": "Title"},
        "labels": {
            "anyOf": [
                {"type": "object", "additionalProperties": {"type": "string"}},
                {"type": "string"},
                {"type": "null"},
            ],
            "default": None,
        },
        "rules": {"anyOf": [{"type": "string", "maxLength": 5}, {"type": "array", "items": {"type": "string"}}]},
        "mode": {"anyOf": [{"enum": ["a", "b"], "type": "string"}, {"type": "null"}], "default": "a"},
        "count": {"anyOf": [{"type": "integer", "minimum": 0}, {"type": "number", "minimum": 1}]},
        "reason": {"$ref": "#/$defs/mtv_mcp__core__a__Reason"},
        "other": {"anyOf": [{"$ref": "#/$defs/mtv_mcp__core__b__Reason"}, {"type": "null"}]},
        "kind": {"$ref": "#/$defs/Kind"},
        "reasons": {"type": "array", "items": {"$ref": "#/$defs/mtv_mcp__core__a__Reason"}},
    },
    "required": ["title", "reason"],
}

DEFAULT_NULL = {key for key, sub in FULL["properties"].items() if "default" in sub and sub["default"] is None}  # type: ignore[attr-defined]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-3, 3) | st.sampled_from(["a", "b", "taint", "xxxxxx"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["kind", "n", "k"]), inner, max_size=2),
    max_leaves=6,
)
VALUES = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(FULL["properties"], JSON),
)


def _valid(schema: dict[str, Any], value: Any) -> bool:
    return jsonschema.Draft202012Validator(schema).is_valid(value)


def test_lean_schemas_drop_titles_shorten_names_and_merge_types() -> None:
    lean_in = lean_input_schema(FULL)
    # default null: leaving the argument out is the null, so the lean schema offers the other types
    assert lean_in["properties"]["labels"] == {"additionalProperties": {"type": "string"}, "type": ["object", "string"]}
    assert lean_in["properties"]["rules"] == {"maxLength": 5, "items": {"type": "string"}, "type": ["string", "array"]}
    assert lean_in["properties"]["mode"] == {"default": "a", "enum": ["a", "b", None], "type": ["string", "null"]}
    assert "anyOf" in lean_in["properties"]["count"]  # minimum means something to both types: kept apart
    assert lean_in["properties"]["title"] == {"type": "string"}  # a field named title stays
    assert set(lean_in["$defs"]) == {"Reason", "BReason", "Kind"}  # the first keeps the short name
    lean_out = lean_output_schema(FULL)
    assert lean_out["properties"]["reason"] == {"type": "object"}
    assert lean_out["properties"]["other"] == {"type": ["object", "null"]}
    assert lean_out["properties"]["kind"] == {"$ref": "#/$defs/Kind"}
    assert lean_out["properties"]["reasons"] == {"type": "array"}
    assert "required" not in lean_out
    assert "description" not in lean_out


@given(VALUES)
def test_lean_schemas_accept_what_the_full_schema_accepts(value: dict[str, Any]) -> None:
    if _valid(FULL, value):
        assert _valid(lean_output_schema(FULL), value)
    given = {key: item for key, item in value.items() if not (item is None and key in DEFAULT_NULL)}
    assert _valid(FULL, given) == _valid(lean_input_schema(FULL), given)
