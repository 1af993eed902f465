"""The PATCH flavours of the Kubernetes API, applied to plain JSON objects.

- ``application/merge-patch+json``: RFC 7386 JSON merge patch (``null`` deletes a key), the one
  of ``mtv_mcp.core.plan.diff.apply_merge_patch``.
- ``application/json-patch+json``: RFC 6902 JSON patch (add, remove, replace, move, copy, test).
- ``application/strategic-merge-patch+json`` (built-in kinds only, as on a real server): merge
  patch, except that lists of objects with a known merge key (``containers`` by ``name``,
  ``conditions`` by ``type``, ...) are merged item by item and ``{"$patch": "delete"}`` items or
  ``"$patch": "replace"`` maps are honoured.

``PatchError`` carries a message in the API server's words; callers turn it into 422 Invalid.
"""

from __future__ import annotations

import copy
from typing import Any

MERGE_PATCH = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"

_MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "volumeMounts": "mountPath",
    "conditions": "type",
    "ports": "containerPort",
    "imagePullSecrets": "name",
    "ownerReferences": "uid",
    "addresses": "type",
    "containerStatuses": "name",
    "initContainerStatuses": "name",
    "hostAliases": "ip",
    "taints": "key",
}


class PatchError(ValueError):
    """A patch that cannot be applied."""


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """A strategic merge patch for built-in kinds (see the module docstring for the subset)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    if patch.get("$patch") == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if k != "$patch"}
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if key.startswith("$"):
            continue
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and key in _MERGE_KEYS and isinstance(result.get(key), list):
            result[key] = _merge_list(result[key], value, _MERGE_KEYS[key])
        else:
            result[key] = strategic_merge_patch(result.get(key), value)
    return result


def _merge_list(current: list[Any], patch: list[Any], merge_key: str) -> list[Any]:
    merged = copy.deepcopy(current)
    for item in patch:
        if not isinstance(item, dict) or merge_key not in item:
            raise PatchError(f"map: {item!r} does not contain declared merge key: {merge_key}")
        index = next(
            (i for i, old in enumerate(merged) if isinstance(old, dict) and old.get(merge_key) == item[merge_key]),
            None,
        )
        if item.get("$patch") == "delete":
            if index is not None:
                del merged[index]
        elif index is None:
            merged.append({k: v for k, v in item.items() if k != "$patch"})
        else:
            merged[index] = strategic_merge_patch(merged[index], item)
    return merged


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f'JSON pointer {path!r} must start with "/"')
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _slot(container: Any, part: str, path: str) -> str | int:
    """The key (object) or index (array) ``part`` names in ``container``; it must be there."""
    if isinstance(container, dict) and part in container:
        return part
    if isinstance(container, list) and part.isdigit() and int(part) < len(container):
        return int(part)
    raise PatchError(f'doc is missing path: "{path}": missing value')


def _parent(doc: Any, parts: list[str], path: str) -> Any:
    current = doc
    for part in parts[:-1]:
        current = current[_slot(current, part, path)]
    return current


def _get(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return doc
    parent = _parent(doc, parts, path)
    return parent[_slot(parent, parts[-1], path)]


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    parent = _parent(doc, parts, path)
    last = parts[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise PatchError(f'add operation does not apply: doc is missing path: "{path}": missing value')
    else:
        raise PatchError(f'doc is missing path: "{path}": missing value')
    return doc


def _remove(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        raise PatchError("cannot remove the whole document")
    parent = _parent(doc, parts, path)
    del parent[_slot(parent, parts[-1], path)]
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902: apply a list of operations to a copy of ``target``."""
    if not isinstance(operations, list):
        raise PatchError(
            'a JSON patch must be a list of operations, e.g. [{"op": "replace", "path": "/spec/type", "value": "warm"}]'
        )
    doc = copy.deepcopy(target)
    for number, operation in enumerate(operations):
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise PatchError(f'operation {number} needs "op" and "path": {operation!r}')
        op, path = operation["op"], operation["path"]
        if op in ("add", "replace", "test") and "value" not in operation:
            raise PatchError(f'operation {number} ({op} {path}) needs a "value"')
        if op == "add":
            doc = _add(doc, path, copy.deepcopy(operation["value"]))
        elif op == "remove":
            doc = _remove(doc, path)
        elif op == "replace":
            _get(doc, path)
            doc = (
                _add(_remove(doc, path), path, copy.deepcopy(operation["value"]))
                if _pointer(path)
                else copy.deepcopy(operation["value"])
            )
        elif op in ("move", "copy"):
            if "from" not in operation:
                raise PatchError(f'operation {number} ({op} {path}) needs a "from"')
            value = copy.deepcopy(_get(doc, operation["from"]))
            if op == "move":
                doc = _remove(doc, operation["from"])
            doc = _add(doc, path, value)
        elif op == "test":
            if _get(doc, path) != operation["value"]:
                raise PatchError(f"testing value {path} failed: test operation failed")
        else:
            raise PatchError(f"Unexpected kind: {op}")
    return doc
