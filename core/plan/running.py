"""Whether a plan has a migration in progress (plan conditions, Migration status; §1.3, §2.3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mtv_mcp.core.cluster.forklift import true_conditions
from mtv_mcp.core.kube_fields import dig

_FINISHED = ("Succeeded", "Failed", "Canceled")


def _belongs(migration: dict[str, Any], plan: dict[str, Any]) -> bool:
    plan_meta, meta = plan.get("metadata") or {}, migration.get("metadata") or {}
    ref = dig(migration, "spec", "plan") or {}
    same_name = ref.get("name") == plan_meta.get("name") and (
        (ref.get("namespace") or meta.get("namespace")) == plan_meta.get("namespace")
    )
    owned = bool(plan_meta.get("uid")) and any(
        owner.get("uid") == plan_meta.get("uid") for owner in meta.get("ownerReferences") or ()
    )
    return same_name or owned


def _vms_in_progress(status: dict[str, Any]) -> list[str]:
    return [
        f"{vm.get('name') or vm.get('id')} ({vm.get('phase') or 'pending'})"
        for vm in status.get("vms") or ()
        if not vm.get("completed") and vm.get("phase") != "Completed"
    ]


def _in_progress(obj: dict[str, Any]) -> bool:
    """Started and not finished, or not yet seen by Forklift (no status: its plan controller runs
    pending Migrations in creation order, ``pendingMigrations`` in ``pkg/controller/plan/controller.go``)."""
    status, conditions = obj.get("status") or {}, true_conditions(obj)
    if any(kind in conditions for kind in _FINISHED) or status.get("completed"):
        return False
    return "Running" in conditions or bool(status.get("started")) or not status


def _progress_text(status: dict[str, Any]) -> str:
    vms = _vms_in_progress(status)
    started = f" since {status['started']}" if status.get("started") else ""
    return f"{started}; VMs not finished: {', '.join(vms)}" if vms else started


def in_progress_migration(plan: dict[str, Any], migrations: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The plan's Migration that has started and not finished, if any."""
    return next((m for m in migrations if _belongs(m, plan) and _in_progress(m)), None)


def running_migration_reason(plan: dict[str, Any], migrations: Sequence[dict[str, Any]]) -> str | None:
    """Why the plan counts as running (a sentence), or ``None`` when no migration is in progress."""
    name = dig(plan, "metadata", "name")
    executing = true_conditions(plan).get("Executing")
    migration = in_progress_migration(plan, migrations)
    if migration is not None:
        status = migration.get("status") or {}
        migration_name = dig(migration, "metadata", "name")
        return f"migration {migration_name} of plan {name} is running{_progress_text(status)}"
    if executing is not None:
        message = executing.get("message") or "condition Executing is True"
        return f"plan {name} is executing: {message}{_progress_text(dig(plan, 'status', 'migration') or {})}"
    plan_migration = dig(plan, "status", "migration") or {}
    if plan_migration.get("started") and not plan_migration.get("completed") and _vms_in_progress(plan_migration):
        return f"plan {name} has a migration in progress{_progress_text(plan_migration)}"
    return None
