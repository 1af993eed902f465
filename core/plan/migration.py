"""Starting and canceling a plan's migration the way kubectl-mtv does.

Start (kubectl-mtv ``pkg/cmd/start/plan/start.go``): a Migration with ``generateName: <plan>-``,
an ownerReference to the Plan (apiVersion, kind, name, uid), ``spec.plan {name, namespace, uid}``,
and for a warm plan ``spec.cutover`` (default: one hour from now; ignored for other types).
Cancel (kubectl-mtv ``pkg/cmd/cancel/plan/cancel.go``): a merge patch of the running Migration's
``spec.cancel`` list of VM refs ``{id, name}``, the existing entries kept (one per VM id). Forklift
then cancels those VMs (``pkg/controller/plan/migration.go``: ``execute`` marks a VM listed in
``spec.cancel`` Canceled, ``Cancel``/``cleanup`` delete its convertor pod).
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mtv_mcp.core.cluster.forklift import migration_type, true_conditions
from mtv_mcp.core.cluster.kinds import FORKLIFT_GROUP, FORKLIFT_VERSION
from mtv_mcp.core.errors import MtvError, quoted
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.plan.diff import yaml_diff

DEFAULT_CUTOVER = timedelta(hours=1)
_API_VERSION = f"{FORKLIFT_GROUP}/{FORKLIFT_VERSION}"


def _meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def parse_cutover(text: str, field_name: str = "cutover") -> datetime:
    """An RFC 3339 time with a zone (as kubectl-mtv's ``--cutover``), in UTC."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("z", "Z"))
        when = parsed.astimezone(UTC) if parsed.tzinfo is not None else None
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range
        when = None
    if when is None:
        raise MtvError(
            f"{quoted(text)} is not an RFC 3339 time with a time zone",
            field=field_name,
            hint="e.g. '2026-12-31T23:00:00Z' or '2026-12-31T18:00:00-05:00'",
        )
    return when


def format_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class MigrationStart:
    """The Migration to create for a plan, its cutover, warnings and the kubectl-mtv command."""

    migration: dict[str, Any]
    cutover: str | None
    warnings: list[str] = field(default_factory=list)
    command: str = ""


def build_migration(plan: dict[str, Any], *, cutover: datetime | None, now: datetime) -> MigrationStart:
    """The Migration ``kubectl mtv start plan`` would create for ``plan`` (as read from the cluster)."""
    meta = _meta(plan)
    name, namespace, uid = meta.get("name"), meta.get("namespace"), meta.get("uid")
    if not name or not namespace or not uid:
        raise MtvError("the plan has no name, namespace or uid", hint="pass the Plan as the API server returned it")
    warnings: list[str] = []
    warm = migration_type(plan) == "warm"
    if not warm and cutover is not None:
        warnings.append(f"cutover is ignored: plan {name} is a {migration_type(plan)} migration, not warm")
        cutover = None
    elif warm and cutover is None:
        cutover = now + DEFAULT_CUTOVER
        warnings.append(f"no cutover given for a warm migration: cutover set to {format_time(cutover)} (in one hour)")
    elif cutover is not None and cutover < now:
        warnings.append(f"cutover {format_time(cutover)} is in the past: Forklift cuts over after the first copy")
    spec: dict[str, Any] = {"plan": {"name": name, "namespace": namespace, "uid": uid}}
    if cutover is not None:
        spec["cutover"] = format_time(cutover)
    migration = {
        "apiVersion": _API_VERSION,
        "kind": "Migration",
        "metadata": {
            "generateName": f"{name}-",
            "namespace": namespace,
            "ownerReferences": [
                {"apiVersion": plan.get("apiVersion") or _API_VERSION, "kind": "Plan", "name": name, "uid": uid}
            ],
        },
        "spec": spec,
    }
    words = ["kubectl", "mtv", "start", "plan", str(name), "-n", str(namespace)]
    words += ["--cutover", spec["cutover"]] if cutover is not None else []
    return MigrationStart(
        migration=migration,
        cutover=spec.get("cutover"),
        warnings=warnings,
        command=" ".join(shlex.quote(word) for word in words),
    )


@dataclass(frozen=True)
class CancelChange:
    """What canceling VMs of a running Migration changes."""

    cancel: list[str]
    skipped: list[str]
    merge_patch: dict[str, Any]
    diff: str
    command: str


def _vm_label(vm: dict[str, Any]) -> str:
    return f"{vm.get('name') or '?'} ({vm.get('id')})"


def _pick_vms(plan: dict[str, Any], wanted: Sequence[str] | None) -> list[dict[str, Any]]:
    vms = [vm for vm in dig(plan, "spec", "vms") or [] if vm.get("id")]
    if wanted is None:
        return vms
    chosen, unknown = [], []
    for item in wanted:
        match = next((vm for vm in vms if item in (vm.get("id"), vm.get("name"))), None)
        if match is None:
            unknown.append(item)
        elif match not in chosen:
            chosen.append(match)
    if unknown:
        raise MtvError(
            f"plan {_meta(plan).get('name')} has no VM {', '.join(map(repr, unknown))}",
            field="vms",
            hint=f"name VMs of the plan by name or id: {', '.join(_vm_label(vm) for vm in vms) or 'it has none'}",
        )
    if not chosen:
        raise MtvError("no VM given", field="vms", hint="leave vms out to cancel every VM, or name some")
    return chosen


def _finished(status_vm: dict[str, Any] | None) -> str | None:
    if not status_vm:
        return None
    kinds = true_conditions({"status": status_vm})
    outcome = next((kind for kind in ("Succeeded", "Failed", "Canceled") if kind in kinds), None)
    if outcome or status_vm.get("completed") or status_vm.get("phase") == "Completed":
        return outcome or "Completed"
    return None


def cancel_change(plan: dict[str, Any], migration: dict[str, Any], vms: Sequence[str] | None) -> CancelChange:
    """The ``spec.cancel`` merge patch that cancels ``vms`` (names or ids; None: all) of ``migration``."""
    current = list(dig(migration, "spec", "cancel") or [])
    listed = {str(ref.get("id")) for ref in current if ref.get("id")}
    statuses = {str(vm.get("id")): vm for vm in dig(migration, "status", "vms") or []}
    cancel, skipped, added = [], [], []
    for vm in _pick_vms(plan, vms):
        vm_id = str(vm["id"])
        outcome = _finished(statuses.get(vm_id))
        if vm_id in listed:
            skipped.append(f"{_vm_label(vm)}: cancellation already requested")
        elif outcome:
            skipped.append(f"{_vm_label(vm)}: already finished ({outcome})")
        else:
            cancel.append(_vm_label(vm))
            added.append({"id": vm_id, "name": str(vm.get("name") or "")})
    merged = [*current, *added]
    patch = {"spec": {"cancel": merged}} if added else {}
    label = f"Migration {_meta(migration).get('name')} spec.cancel"
    return CancelChange(
        cancel=cancel,
        skipped=skipped,
        merge_patch=patch,
        diff=yaml_diff(current, merged, old_label=f"{label} (now)", new_label=f"{label} (after)") if added else "",
        command=_cancel_command(plan, migration, added, patch) if added else "",
    )


def _cancel_command(
    plan: dict[str, Any], migration: dict[str, Any], added: list[dict[str, str]], patch: dict[str, Any]
) -> str:
    """``kubectl mtv cancel plan --vms`` (it takes VM names), or the merge patch when a VM has no name."""
    namespace = str(_meta(plan).get("namespace"))
    if all(ref["name"] for ref in added):
        names = ",".join(ref["name"] for ref in added)
        words = ["kubectl", "mtv", "cancel", "plan", str(_meta(plan).get("name")), "-n", namespace, "--vms", names]
    else:
        body = json.dumps(patch, separators=(",", ":"))
        words = ["kubectl", "patch", "migration", str(_meta(migration).get("name")), "-n", namespace]
        words += ["--type", "merge", "-p", body]
    return " ".join(shlex.quote(word) for word in words)
