"""Pydantic mirrors of Kubernetes ``core/v1`` scheduling types (Affinity and its parts).

Field names follow the Kubernetes JSON names exactly (camelCase on the wire, snake_case in
Python), and the field order follows the Go structs, so ``to_kube()`` prints what ``kubectl``
would. ``to_kube()`` omits unset fields and empty lists/maps (Go's ``omitempty``) but keeps empty
objects such as ``labelSelector: {}``, which mean "match everything".
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

from mtv_mcp.core.errors import MtvError

LabelOperator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
NodeOperator = Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]


class KubeModel(BaseModel):
    """Base: camelCase aliases, unknown fields rejected, serialisation like the API server."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def to_kube(self) -> dict[str, Any]:
        """The Kubernetes JSON form: camelCase, unset and empty fields omitted, maps sorted."""
        out: dict[str, Any] = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None or (isinstance(value, list | dict) and not value):
                continue
            out[field.alias or name] = _kube_value(value)
        return out


def _kube_value(value: Any) -> Any:
    if isinstance(value, KubeModel):
        return value.to_kube()
    if isinstance(value, list):
        return [_kube_value(item) for item in value]
    if isinstance(value, dict):
        return {key: value[key] for key in sorted(value)}
    return value


class LabelSelectorRequirement(KubeModel):
    key: str
    operator: LabelOperator
    values: list[str] | None = None


class LabelSelector(KubeModel):
    match_labels: dict[str, str] | None = None
    match_expressions: list[LabelSelectorRequirement] | None = None


class PodAffinityTerm(KubeModel):
    label_selector: LabelSelector | None = None
    namespaces: list[str] | None = None
    topology_key: str
    namespace_selector: LabelSelector | None = None
    match_label_keys: list[str] | None = None
    mismatch_label_keys: list[str] | None = None


class WeightedPodAffinityTerm(KubeModel):
    weight: int
    pod_affinity_term: PodAffinityTerm


class PodAffinity(KubeModel):
    required_during_scheduling_ignored_during_execution: list[PodAffinityTerm] | None = None
    preferred_during_scheduling_ignored_during_execution: list[WeightedPodAffinityTerm] | None = None


class PodAntiAffinity(PodAffinity):
    """Same shape as ``PodAffinity``; the scheduler reads it as "keep away from"."""


class NodeSelectorRequirement(KubeModel):
    key: str
    operator: NodeOperator
    values: list[str] | None = None


class NodeSelectorTerm(KubeModel):
    match_expressions: list[NodeSelectorRequirement] | None = None
    match_fields: list[NodeSelectorRequirement] | None = None


class NodeSelector(KubeModel):
    node_selector_terms: list[NodeSelectorTerm]


class PreferredSchedulingTerm(KubeModel):
    weight: int
    preference: NodeSelectorTerm


class NodeAffinity(KubeModel):
    required_during_scheduling_ignored_during_execution: NodeSelector | None = None
    preferred_during_scheduling_ignored_during_execution: list[PreferredSchedulingTerm] | None = None


class Affinity(KubeModel):
    node_affinity: NodeAffinity | None = None
    pod_affinity: PodAffinity | None = None
    pod_anti_affinity: PodAntiAffinity | None = None

    @classmethod
    def from_kube(cls, data: Any, *, field: str = "affinity") -> Affinity:
        """Read a Kubernetes Affinity object; a malformed one raises ``MtvError`` naming the path."""
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            path = ".".join(str(part) for part in first["loc"])
            where = f"{field}.{path}" if path else field
            raise MtvError(
                f"not a valid Kubernetes Affinity: {first['msg']}",
                field=where,
                hint="use the core/v1 Affinity shape: nodeAffinity, podAffinity, podAntiAffinity",
            ) from error
