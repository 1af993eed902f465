"""New placement settings for an existing plan: the new spec, its YAML diff and the merge patch."""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.kube_models import Affinity
from mtv_mcp.core.plan import checks
from mtv_mcp.core.plan.diff import merge_patch, yaml_diff
from mtv_mcp.core.plan.labels import check_labels, parse_key_values
from mtv_mcp.core.plan.models import PowerState
from mtv_mcp.core.plan.request import LabelArgument

_LABEL_FIELDS = {
    "convertor_labels": "convertorLabels",
    "convertor_node_selector": "convertorNodeSelector",
    "target_labels": "targetLabels",
    "target_node_selector": "targetNodeSelector",
}
_AFFINITY_FIELDS = {"convertor_affinity": "convertorAffinity", "target_affinity": "targetAffinity"}


class PlacementChanges(BaseModel):
    """Placement fields to change: ``None`` keeps a field, an empty map/text/"" clears it."""

    model_config = ConfigDict(extra="forbid")

    convertor_labels: LabelArgument = None
    convertor_node_selector: LabelArgument = None
    convertor_affinity: dict[str, Any] | None = None
    target_labels: LabelArgument = None
    target_node_selector: LabelArgument = None
    target_affinity: dict[str, Any] | None = None
    target_power_state: PowerState | Literal[""] | None = Field(None, description="on, off, auto, or '' to clear")


class PlanPatch(BaseModel):
    """What to send and what it changes."""

    merge_patch: dict[str, Any] = Field(description="JSON merge patch for the Plan ({} when nothing changes)")
    new_spec: dict[str, Any]
    diff: str = Field(description="Unified diff of the spec as YAML, old vs new ('' when unchanged)")
    changed_fields: list[str]
    warnings: list[str]


def _set(spec: dict[str, Any], key: str, value: dict[str, Any] | str) -> None:
    if value:
        spec[key] = value
    else:
        spec.pop(key, None)


def plan_patch(existing_plan: dict[str, Any], changes: PlacementChanges) -> PlanPatch:
    """Apply ``changes`` to the plan's spec (raises ``MtvError`` for invalid values)."""
    old_spec = (existing_plan.get("spec") or {}) if isinstance(existing_plan, dict) else {}
    new_spec = copy.deepcopy(old_spec)
    warnings: list[str] = []
    for arg, key in _LABEL_FIELDS.items():
        value = getattr(changes, arg)
        if value is None:
            continue
        mapping = parse_key_values(value, arg)
        check_labels(mapping, arg)
        if arg == "convertor_labels":
            checks.check_convertor_label_keys(mapping)
        if arg == "target_labels":
            warnings += checks.target_label_warnings(mapping)
        _set(new_spec, key, dict(sorted(mapping.items())))
    for arg, key in _AFFINITY_FIELDS.items():
        value = getattr(changes, arg)
        if value is None:
            continue
        affinity = Affinity.from_kube(value, field=arg) if value else None
        if arg == "convertor_affinity":
            warnings += checks.spreading_warnings(affinity)
        _set(new_spec, key, affinity.to_kube() if affinity else {})
    if changes.target_power_state is not None:
        _set(new_spec, "targetPowerState", changes.target_power_state)
    spec_patch = merge_patch(old_spec, new_spec)
    name = found if (found := dig(existing_plan, "metadata", "name")) is not None else "plan"
    return PlanPatch(
        merge_patch={"spec": spec_patch} if spec_patch else {},
        new_spec=new_spec,
        diff=yaml_diff(old_spec, new_spec, old_label=f"{name} spec (current)", new_label=f"{name} spec (new)"),
        changed_fields=sorted(spec_patch),
        warnings=warnings,
    )
