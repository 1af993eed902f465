"""What a caller asks for when creating a plan (the inputs of ``kubectl mtv create plan``)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from mtv_mcp.core.kube_models import Affinity
from mtv_mcp.core.plan.models import MigrationType, PowerState

LabelArgument = dict[str, str] | str | None


class PlanRequest(BaseModel):
    """Plan inputs; label maps may be given as maps or as ``k=v,k=v`` text."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Plan name (a DNS-1123 label)")
    namespace: str = Field(description="Namespace of the plan and of its maps")
    source_provider: str = Field(description="Source Provider CR name")
    target_provider: str | None = Field(
        None, description="Destination Provider CR name as the user gave it (None: the default, usually host)"
    )
    target_namespace: str | None = Field(None, description="Where VMs and convertor pods go (default: plan namespace)")
    migration_type: MigrationType | None = Field(None, description="cold, warm, live or conversion (unset = cold)")
    convertor_labels: LabelArgument = None
    convertor_node_selector: LabelArgument = None
    convertor_affinity: Affinity | None = Field(None, description="A core/v1 Affinity for convertor pods")
    target_labels: LabelArgument = None
    target_node_selector: LabelArgument = None
    target_affinity: Affinity | None = Field(None, description="A core/v1 Affinity for the migrated VMs")
    target_power_state: PowerState | None = None
    network_map: str | None = Field(None, description="Existing NetworkMap name (default: build one)")
    storage_map: str | None = Field(None, description="Existing StorageMap name (default: build one)")
    default_target_network: str | None = Field(
        None, description="Auto network map target: 'default' (pod network), 'ns/name' or 'name' of a NAD"
    )
    default_target_storage_class: str | None = Field(None, description="Auto storage map StorageClass")
    conversion_temp_storage_class: str | None = None
    conversion_temp_storage_size: str | None = None

    @field_validator("convertor_affinity", "target_affinity", mode="before")
    @classmethod
    def _affinity(cls, value: Any, info: ValidationInfo) -> Any:
        """An Affinity given as JSON is read here, so an error names the argument and the path."""
        if isinstance(value, dict):
            return Affinity.from_kube(value, field=str(info.field_name)) if value else None
        return value
