"""The sandbox's plan validation: a new or changed Plan gets Forklift's reference checks and Ready.

Models the part of Forklift's plan validation that needs no inventory (``pkg/controller/plan/
validation.go``, ``pkg/controller/validation/provider.go``): the source and destination providers
and the network and storage maps exist (``SourceProviderNotValid``, ``DestinationProviderNotValid``,
``NetworkMapRefNotValid``, ``StorageRefNotValid``; category Critical), and ``Ready`` ("The migration
plan is ready.", category Required) when no Critical or Error condition is true. Conditions it does
not own (e.g. ``SharedDisks-<vm>`` of the data set) are kept; ``status.observedGeneration`` records
the generation validated, so a plan is checked once per spec change.
"""

from __future__ import annotations

from typing import Any

from mtv_mcp.sandbox.controller import status as st
from mtv_mcp.sandbox.kube.store import ObjectStore

_REFERENCES = (
    ("SourceProviderNotValid", "providers", ("provider", "source"), "Source provider"),
    ("DestinationProviderNotValid", "providers", ("provider", "destination"), "Destination provider"),
    ("NetworkMapRefNotValid", "networkmaps", ("map", "network"), "Map"),
    ("StorageRefNotValid", "storagemaps", ("map", "storage"), "Map"),
)
_OWNED = {"Ready", *(kind for kind, *_ in _REFERENCES)}


def needs_validation(plan: dict[str, Any]) -> bool:
    """Whether the plan's spec changed since it was last validated."""
    generation = int(plan["metadata"].get("generation") or 1)
    return int((plan.get("status") or {}).get("observedGeneration") or 0) < generation


def validate_plan(store: ObjectStore, plan: dict[str, Any], now: str) -> None:
    """Write the plan's reference conditions, Ready and observedGeneration."""
    meta, spec = plan["metadata"], plan.get("spec") or {}
    conditions = [c for c in (plan.get("status") or {}).get("conditions") or [] if c.get("type") not in _OWNED]
    for kind, resource, (group, key), noun in _REFERENCES:
        ref = (spec.get(group) or {}).get(key) or {}
        name = ref.get("name") or ""
        if not name or store.find(resource, ref.get("namespace") or meta["namespace"], name) is None:
            message = f"{noun} reference is not valid." if name else f"{noun} reference is missing."
            conditions.append(st.condition(kind, category="Critical", now=now, reason="NotFound", message=message))
    blocked = any(c.get("status") == "True" and c.get("category") in ("Critical", "Error") for c in conditions)
    if not blocked:
        conditions.append(st.condition("Ready", category="Required", now=now, message="The migration plan is ready."))
    status = {"conditions": conditions, "observedGeneration": int(meta.get("generation") or 1)}
    store.patch("plans", meta["namespace"], meta["name"], {"status": status}, part="status")
