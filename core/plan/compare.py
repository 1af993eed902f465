"""Is an existing Plan the one we would create? Spec compared with server-filled parts ignored."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, Field

from mtv_mcp.core.plan.diff import yaml_diff

SPEC_DEFAULTS: dict[str, Any] = {
    "deleteVmOnFailMigration": True,
    "migrateSharedDisks": True,
    "preserveStaticIPs": True,
    "runPreflightInspection": True,
    "skipGuestConversion": False,
    "useCompatibilityMode": True,
    "xfsCompatibility": False,
}
"""The Plan CRD's ``default`` values for spec fields; the API server fills them in on create."""


class PlanComparison(BaseModel):
    identical: bool
    differences: list[str] = Field(description="Top-level spec fields (and metadata.name/namespace) that differ")
    diff: str = Field(description="Unified diff, existing vs desired, of the compared form ('' when identical)")


def _pruned(value: Any) -> Any:
    """Drop None, False, empty maps and empty lists (Go omitempty), recursively."""
    if isinstance(value, dict):
        pruned = {key: _pruned(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if item not in (None, False, {}, [])}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


def comparable(plan: dict[str, Any]) -> dict[str, Any]:
    """Name, namespace and spec with CRD defaults applied and empty values dropped."""
    meta = plan.get("metadata") or {}
    spec = {**SPEC_DEFAULTS, **copy.deepcopy(plan.get("spec") or {})}
    return {"name": meta.get("name"), "namespace": meta.get("namespace"), "spec": _pruned(spec)}


def compare_plans(desired: dict[str, Any], existing: dict[str, Any]) -> PlanComparison:
    """Compare ``desired`` (as built) with ``existing`` (as read from the cluster)."""
    want, have = comparable(desired), comparable(existing)
    differences = [f"metadata.{key}" for key in ("name", "namespace") if want[key] != have[key]]
    keys = sorted(set(want["spec"]) | set(have["spec"]))
    differences += [f"spec.{key}" for key in keys if want["spec"].get(key) != have["spec"].get(key)]
    name = want["name"] or "plan"
    diff = yaml_diff(have, want, old_label=f"{name} (existing)", new_label=f"{name} (desired)")
    return PlanComparison(identical=not differences, differences=differences, diff=diff)
