"""Unified YAML diffs and JSON merge patches (RFC 7386) between two JSON documents."""

from __future__ import annotations

import copy
import difflib
from typing import Any

import yaml


def yaml_diff(old: Any, new: Any, *, old_label: str, new_label: str) -> str:
    """A unified diff of the YAML forms (keys sorted); ``""`` when they are equal."""
    before = yaml.safe_dump(old, sort_keys=True).splitlines(keepends=True)
    after = yaml.safe_dump(new, sort_keys=True).splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, fromfile=old_label, tofile=new_label))


def merge_patch(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The merge patch turning ``old`` into ``new``: removed keys become ``None`` (JSON null).

    Objects are patched key by key (a merge patch merges maps, so replacing a map needs nulls for
    the keys it drops); lists and scalars are replaced whole.
    """
    patch: dict[str, Any] = {key: None for key in old if key not in new}
    for key, value in new.items():
        before = old.get(key)
        if key in old and before == value:
            continue
        if isinstance(before, dict) and isinstance(value, dict):
            patch[key] = merge_patch(before, value)
        else:
            patch[key] = copy.deepcopy(value)
    return patch


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: apply ``patch`` to a copy of ``target``."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result
