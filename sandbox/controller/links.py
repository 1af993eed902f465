"""How fast a sandbox convertor copies: its node's storage and network, shared with the convertors beside it.

virt-v2v reads the source disks over the network (VDDK/NBD from ESXi) and writes them to the target
PVCs through the node, so a node with fast local storage and a dedicated migration network copies
faster than a general worker, and convertors running side by side on one node share its link
(the convertor-optimization guide's "Storage-optimized" and "Network-optimized" placement). The
demo's nodes say so with their labels (``storage=nvme|sas``, ``network.example.com/vmware-migration``).
The rate is fixed when the pod starts, so a run's timings follow from its node at bind time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

MIB = 1024 * 1024


@dataclass(frozen=True)
class LinkModel:
    """Copy rate (bytes/s) of one convertor by its node's labels and the convertors already running there."""

    best: float = 180 * MIB
    """Rate on a node with the fastest storage and the migration network, running alone."""
    storage_label: str = "storage"
    storage_factors: Mapping[str, float] = field(default_factory=lambda: {"nvme": 1.0, "ssd": 0.8, "sas": 0.5})
    other_storage: float = 0.4
    network_label: str = "network.example.com/vmware-migration"
    without_network: float = 0.6
    sharing: float = 0.5
    """Each convertor already running on the node slows a new one by this share."""

    def factor(self, node: Mapping[str, Any]) -> float:
        """The node's share of ``best`` for a convertor running alone."""
        labels = (node.get("metadata") or {}).get("labels") or {}
        storage = self.storage_factors.get(str(labels.get(self.storage_label)), self.other_storage)
        network = 1.0 if str(labels.get(self.network_label)).lower() == "true" else self.without_network
        return storage * network

    def rate(self, node: Mapping[str, Any], running_beside: int) -> float:
        """Bytes/s for a convertor starting on ``node`` while ``running_beside`` others run there."""
        return self.best * self.factor(node) / (1 + self.sharing * max(0, running_beside))


DEMO_LINKS = LinkModel()
