"""The parts of Pods, Nodes and Namespaces that scheduling reads, parsed from Kubernetes JSON dicts.

Field names are Kubernetes' camelCase (aliases), unknown fields are ignored, so the same models
accept dicts from the Kubernetes API, the sandbox store and ``Affinity.to_kube()``. A malformed
dict raises ``MtvError`` naming the object and the field path.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mtv_mcp.core.errors import MtvError

Quantity = str | int | float


class KubeModel(BaseModel):
    """Base: camelCase aliases, extra keys ignored, immutable."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class LabelSelectorRequirement(KubeModel):
    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[str] = Field(default_factory=list)


class LabelSelector(KubeModel):
    match_labels: dict[str, str] = Field(default_factory=dict, alias="matchLabels")
    match_expressions: list[LabelSelectorRequirement] = Field(default_factory=list, alias="matchExpressions")


class NodeSelectorRequirement(KubeModel):
    key: str
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]
    values: list[str] = Field(default_factory=list)


class NodeSelectorTerm(KubeModel):
    match_expressions: list[NodeSelectorRequirement] = Field(default_factory=list, alias="matchExpressions")
    match_fields: list[NodeSelectorRequirement] = Field(default_factory=list, alias="matchFields")


class NodeSelector(KubeModel):
    node_selector_terms: list[NodeSelectorTerm] = Field(default_factory=list, alias="nodeSelectorTerms")


class PreferredSchedulingTerm(KubeModel):
    weight: int
    preference: NodeSelectorTerm


class NodeAffinity(KubeModel):
    required: NodeSelector | None = Field(default=None, alias="requiredDuringSchedulingIgnoredDuringExecution")
    preferred: list[PreferredSchedulingTerm] = Field(
        default_factory=list, alias="preferredDuringSchedulingIgnoredDuringExecution"
    )


class PodAffinityTerm(KubeModel):
    label_selector: LabelSelector | None = Field(default=None, alias="labelSelector")
    namespaces: list[str] = Field(default_factory=list)
    namespace_selector: LabelSelector | None = Field(default=None, alias="namespaceSelector")
    topology_key: str = Field(alias="topologyKey")


class WeightedPodAffinityTerm(KubeModel):
    weight: int
    term: PodAffinityTerm = Field(alias="podAffinityTerm")


class PodAffinity(KubeModel):
    required: list[PodAffinityTerm] = Field(
        default_factory=list, alias="requiredDuringSchedulingIgnoredDuringExecution"
    )
    preferred: list[WeightedPodAffinityTerm] = Field(
        default_factory=list, alias="preferredDuringSchedulingIgnoredDuringExecution"
    )


class Affinity(KubeModel):
    node_affinity: NodeAffinity | None = Field(default=None, alias="nodeAffinity")
    pod_affinity: PodAffinity | None = Field(default=None, alias="podAffinity")
    pod_anti_affinity: PodAffinity | None = Field(default=None, alias="podAntiAffinity")


class Toleration(KubeModel):
    key: str = ""
    operator: Literal["Equal", "Exists", ""] = ""
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute", ""] = ""


class Taint(KubeModel):
    key: str
    value: str = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class Resources(KubeModel):
    requests: dict[str, Quantity] = Field(default_factory=dict)


class Container(KubeModel):
    name: str = ""
    resources: Resources = Field(default_factory=Resources)
    restart_policy: str | None = Field(default=None, alias="restartPolicy")


class ObjectMeta(KubeModel):
    name: str = ""
    namespace: str = "default"
    uid: str = ""
    labels: dict[str, str] = Field(default_factory=dict)


class PodSpec(KubeModel):
    node_name: str = Field(default="", alias="nodeName")
    node_selector: dict[str, str] = Field(default_factory=dict, alias="nodeSelector")
    affinity: Affinity | None = None
    tolerations: list[Toleration] = Field(default_factory=list)
    containers: list[Container] = Field(default_factory=list)
    init_containers: list[Container] = Field(default_factory=list, alias="initContainers")
    overhead: dict[str, Quantity] = Field(default_factory=dict)


class PodStatus(KubeModel):
    phase: str = ""


class Pod(KubeModel):
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: PodSpec = Field(default_factory=PodSpec)
    status: PodStatus = Field(default_factory=PodStatus)

    @property
    def key(self) -> str:
        """``namespace/name``."""
        return f"{self.metadata.namespace}/{self.metadata.name}"

    @property
    def terminated(self) -> bool:
        """Succeeded and Failed pods hold no resources and are invisible to the scheduler."""
        return self.status.phase in ("Succeeded", "Failed")


class NodeSpec(KubeModel):
    unschedulable: bool = False
    taints: list[Taint] = Field(default_factory=list)


class NodeStatus(KubeModel):
    allocatable: dict[str, Quantity] = Field(default_factory=dict)
    capacity: dict[str, Quantity] = Field(default_factory=dict)


class Node(KubeModel):
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: NodeSpec = Field(default_factory=NodeSpec)
    status: NodeStatus = Field(default_factory=NodeStatus)

    @property
    def name(self) -> str:
        return self.metadata.name

    @property
    def labels(self) -> dict[str, str]:
        return self.metadata.labels

    @property
    def allocatable(self) -> Mapping[str, Quantity]:
        """Allocatable resources (capacity when the node reports no allocatable)."""
        return self.status.allocatable or self.status.capacity


class Namespace(KubeModel):
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)


Model = TypeVar("Model", bound=KubeModel)


def parse_object(model: type[Model], data: Any, what: str) -> Model:
    """``data`` as ``model``; ``MtvError`` naming ``what`` and the first bad field otherwise."""
    if isinstance(data, KubeModel):
        data = data.model_dump(by_alias=True)
    if not isinstance(data, Mapping):
        raise MtvError(f"{what} must be a JSON object (a Kubernetes {model.__name__}), not {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(part) for part in first["loc"])
        raise MtvError(
            f"{what} is not a valid Kubernetes {model.__name__}: {first['msg']}",
            field=path,
            hint="pass the object as the Kubernetes API returns it (camelCase JSON)",
        ) from exc
