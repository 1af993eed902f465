"""Reading Forklift objects: a plan's phase, migration type and convertor placement; a provider's phase."""

from __future__ import annotations

from typing import Any

from mtv_mcp.core.kube_fields import dig

CONVERTOR_PLACEMENT_FIELDS = ("convertorLabels", "convertorNodeSelector", "convertorAffinity")
# Lifecycle conditions in the order that decides a plan's phase (the first one that is True wins).
_PLAN_PHASES = (
    ("Archived", "Archived"),
    ("Deleted", "Deleted"),
    ("Canceled", "Canceled"),
    ("Failed", "Failed"),
    ("Succeeded", "Succeeded"),
    ("Executing", "Running"),
    ("Paused", "Paused"),
    ("Ready", "Ready"),
)


def true_conditions(obj: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The object's status conditions whose status is "True", by type."""
    conditions = dig(obj, "status", "conditions") or []
    return {str(c.get("type")): c for c in conditions if str(c.get("status")) == "True"}


def plan_phase(plan: dict[str, Any]) -> str:
    """Archived, Canceled, Failed, Succeeded, Running, Paused, Ready, or "Not ready"."""
    conditions = true_conditions(plan)
    return next((phase for condition, phase in _PLAN_PHASES if condition in conditions), "Not ready")


def plan_blockers(plan: dict[str, Any]) -> list[str]:
    """Messages of the plan's true Critical/Error conditions (why it is not ready)."""
    return [
        str(c.get("message") or c.get("type"))
        for c in true_conditions(plan).values()
        if c.get("category") in ("Critical", "Error")
    ]


def migration_type(plan: dict[str, Any]) -> str:
    """``spec.type``, else ``warm`` for the legacy ``spec.warm: true``, else ``cold``."""
    spec = plan.get("spec") or {}
    return str(spec.get("type") or ("warm" if spec.get("warm") else "cold"))


def convertor_placement(plan: dict[str, Any]) -> list[str]:
    """Which of convertorLabels/NodeSelector/Affinity the plan sets (non-empty)."""
    spec = plan.get("spec") or {}
    return [field for field in CONVERTOR_PLACEMENT_FIELDS if spec.get(field)]


def provider_phase(provider: dict[str, Any]) -> str:
    """``status.phase``, else Ready when the Ready condition is true, else Unknown."""
    phase = dig(provider, "status", "phase")
    if phase:
        return str(phase)
    return "Ready" if "Ready" in true_conditions(provider) else "Unknown"
