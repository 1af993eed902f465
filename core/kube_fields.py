"""Reading Kubernetes JSON without ``(obj.get("a") or {}).get("b")`` chains."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def dig(obj: Any, *keys: str) -> Any:
    """``obj[k1][k2]...``, or None where a level is missing, null or not an object.

    ``dig(pod, "spec", "nodeName")``, ``dig(plan, "spec", "provider", "source", "name")``.
    """
    for key in keys:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(key)
    return obj
