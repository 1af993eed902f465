"""What the inventory layer hands out: a provider as the inventory knows it, and its enriched VMs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, Field

VM = dict[str, Any]


class ProviderRef(BaseModel):
    """A provider of the Forklift inventory (keyed by the Provider CR's UID)."""

    name: str
    namespace: str
    uid: str
    type: str = Field(description="vsphere, ovirt, openshift, openstack, ova, ec2, hyperv ...")
    vm_count: int | None = Field(None, description="VM count the inventory reports (detail >= 1)")
    phase: str | None = Field(None, description="The Provider object's phase (Ready, ConnectionFailed ...)")


@dataclass(frozen=True)
class EnrichedInventory:
    """One provider's VMs after enrichment (plain JSON dicts, as served plus the computed fields).

    ``vms`` is a `Snapshot` where the inventory layer builds it: queries learn its value types once.
    """

    provider: ProviderRef
    vms: Sequence[VM]
    base_url: str
    fetched_at: float
    warnings: tuple[str, ...] = field(default=())
