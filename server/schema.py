"""Lean JSON schemas for ``tools/list``: what a model needs to call a tool and read its result.

``tools/list`` is paid for in context on every conversation. Pydantic's schemas carry a generated
``title`` per field, an ``anyOf`` pair for every optional value, defaults of output fields and
module-qualified definition names; none of that tells a model anything the property name and
type do not. Output schemas are also cut at a depth: the result's own fields are typed and
described, the objects nested in them are plain objects (their values are still in
``structuredContent`` and explained in the text; describing them cost more than half of the
20 KB budget). Every value the full
schema accepts, the lean one accepts, so a client validating results keeps working.
"""

from __future__ import annotations

import re
from typing import Any

_QUALIFIED = re.compile(r"^(?:[A-Za-z_][A-Za-z0-9_]*__)+")
_DEFS = "#/$defs/"
# Keywords that constrain one JSON type only (plus enum, handled apart).
_TYPED_KEYWORDS: dict[str, frozenset[str]] = {
    "string": frozenset({"enum", "format", "pattern", "minLength", "maxLength"}),
    "integer": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}),
    "number": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}),
    "boolean": frozenset(),
    "null": frozenset(),
    "array": frozenset({"items", "minItems", "maxItems"}),
    "object": frozenset({"additionalProperties", "properties", "required", "minProperties", "maxProperties"}),
}


def lean_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """An argument schema without titles; defaults other than null stay (they say what omitting means).

    An argument whose default is null is offered without ``null`` (leave it out instead); the tool
    still accepts an explicit null.
    """
    return _Rewriter(schema, output=False).root()


def lean_output_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A result schema: its own fields typed and described, nested objects plain ``object``.

    No titles, defaults or ``required`` (every field is always present in a result).
    """
    return _Rewriter(schema, output=True).root()


class _Rewriter:
    def __init__(self, schema: dict[str, Any], *, output: bool) -> None:
        self.schema = schema
        self.definitions: dict[str, Any] = schema.get("$defs", {})
        self.output = output
        self.renames = _short_names(self.definitions)
        self.used: dict[str, Any] = {}

    def root(self) -> dict[str, Any]:
        # An output's own description only restates the tool's ("The result of ...").
        dropped = {"$defs", "description"} if self.output else {"$defs"}
        out = self.node({key: value for key, value in self.schema.items() if key not in dropped})
        if self.used:
            out["$defs"] = self.used
        return dict(out)

    def node(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.node(item) for item in node]
        if not isinstance(node, dict):
            return node
        if isinstance(ref := node.get("$ref"), str) and ref.startswith(_DEFS):
            return self.reference(node, ref.removeprefix(_DEFS))
        out = {
            key: self.node(value) for key, value in node.items() if key != "properties" and not self.dropped(key, value)
        }
        if "properties" in node:
            out["properties"] = {name: self.node(sub) for name, sub in node["properties"].items()}
        if self.output and out.get("items") == {"type": "object"}:  # says no more than "array"
            del out["items"]
        merged = _merged_types(out)
        if not self.output and "default" in node and node["default"] is None:
            return _without_null(merged)
        return merged

    def dropped(self, key: str, value: Any) -> bool:
        if key == "title" or (key == "default" and value is None):  # omitting already means null
            return True
        if key == "additionalProperties" and value is True:  # the default
            return True
        return self.output and key in ("default", "required")

    def reference(self, node: dict[str, Any], name: str) -> dict[str, Any]:
        """A definition: an object one is opaque in an output, anything else is kept and shared."""
        target = self.definitions[name]
        siblings = {
            key: self.node(value) for key, value in node.items() if key != "$ref" and not self.dropped(key, value)
        }
        if self.output and target.get("type") == "object":
            return {**siblings, "type": "object"}
        short = self.renames.get(name, name)
        if short not in self.used:
            self.used[short] = {}
            self.used[short] = self.node(target)
        return {**siblings, "$ref": _DEFS + short}


def _without_null(node: dict[str, Any]) -> dict[str, Any]:
    """An argument whose default is null: leaving it out says null, so the schema offers the type only."""
    kinds = node.get("type")
    if not isinstance(kinds, list) or "null" not in kinds:
        return node
    rest = [kind for kind in kinds if kind != "null"]
    out = {**node, "type": rest[0] if len(rest) == 1 else rest}
    if "enum" in out:
        out["enum"] = [value for value in out["enum"] if value is not None]
    return out


def _short_names(definitions: dict[str, Any]) -> dict[str, str]:
    """``mtv_mcp__core__placement__result__Reason`` → ``ResultReason`` (unique, shortest first)."""
    renames: dict[str, str] = {}
    taken = {name for name in definitions if not _QUALIFIED.match(name)}
    for name in sorted(definitions):
        if not _QUALIFIED.match(name):
            continue
        parts = name.split("__")
        short = parts[-1]
        for qualifier in reversed(parts[:-1]):
            if short not in taken:
                break
            short = qualifier.capitalize() + short
        taken.add(short)
        renames[name] = short
    return renames


def _merged_types(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf`` of plain typed schemas → one schema with a list of types (the same values validate).

    ``{anyOf: [{type: string}, {type: array, items: S}, {type: null}]}`` becomes
    ``{type: [string, array, null], items: S}``: each kept keyword applies to one type only
    (``items`` to arrays, ``maxLength`` to strings ...), so merging changes nothing. An ``enum``
    applies to every type and is merged only beside ``null``.
    """
    options = node.get("anyOf")
    if not isinstance(options, list) or len(options) < 2:
        return node
    types: list[str] = []
    merged = {key: value for key, value in node.items() if key != "anyOf"}
    for option in options:
        kind = option.get("type") if isinstance(option, dict) else None
        keywords = set(option) - {"type"} if isinstance(option, dict) else set()
        if not isinstance(kind, str) or kind in types or keywords - _TYPED_KEYWORDS.get(kind, frozenset()):
            return node
        if keywords & set(merged):
            return node
        types.append(kind)
        merged.update({key: option[key] for key in keywords})
    if "enum" in merged:
        if types[1:] != ["null"]:
            return node
        merged["enum"] = [*merged["enum"], None]
    merged["type"] = types
    return merged
