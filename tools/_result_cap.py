"""Cutting a structured result down to a size: the longest lists lose their tail first, then the
longest strings, so what remains still matches the tool's output schema."""

from __future__ import annotations

import json
from typing import Any

_MIN_STRING = 200


def _size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":"), default=str))


def _largest(value: Any, path: str, found: list[tuple[int, str, Any, Any]], parent: Any, key: Any) -> None:
    """Collect (size, path, parent, key) of every list with items and every long string."""
    if isinstance(value, list):
        if len(value) > 0:
            found.append((_size(value), path, parent, key))
        for index, item in enumerate(value):
            _largest(item, f"{path}[{index}]", found, value, index)
    elif isinstance(value, dict):
        for name, item in value.items():
            _largest(item, f"{path}.{name}" if path else str(name), found, value, name)
    elif isinstance(value, str) and len(value) > _MIN_STRING:
        found.append((len(value), path, parent, key))


def cap_structure(structured: dict[str, Any], limit: int) -> tuple[dict[str, Any], list[str]]:
    """``structured`` cut to at most ``limit`` characters of JSON, and what was cut (paths)."""
    cut: dict[str, str] = {}
    while _size(structured) > limit:
        found: list[tuple[int, str, Any, Any]] = []
        _largest(structured, "", found, None, None)
        if not found:
            break
        _, path, parent, key = max(found, key=lambda entry: entry[0])
        value = parent[key]
        if isinstance(value, list):
            before = cut.get(path, f"{len(value)} items").split(" ")[0]
            parent[key] = value[: len(value) // 2]
            cut[path] = f"{before} items -> {len(parent[key])}"
        else:
            before = cut.get(path, f"{len(value)} characters").split(" ")[0]
            parent[key] = value[: max(_MIN_STRING, len(value) // 2)]
            cut[path] = f"{before} characters -> {len(parent[key])}"
    return structured, [f"{path}: {change}" for path, change in cut.items()]
