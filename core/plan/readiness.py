"""Why a plan cannot be started: its conditions decoded into plain reasons, each with a fix.

``kubectl mtv start plan`` starts a plan only when its ``Ready`` condition is True and it has not
already succeeded (kubectl-mtv ``pkg/cmd/start/plan/start.go``, ``pkg/cmd/get/plan/status``);
Forklift sets ``Ready`` when no condition of category Critical or Error is true (the condition
types are those of Forklift's ``pkg/controller/plan/validation.go``).
"""

from __future__ import annotations

from typing import Any

from mtv_mcp.core.cluster.forklift import true_conditions
from mtv_mcp.core.kube_fields import dig

_BLOCKING = ("Critical", "Error")
# Fixes by condition type (a type suffixed with "-<vm id>", as SharedDisks-vm-2042, by its prefix).
_FIXES = {
    "VMNotFound": "the VM is gone from the source inventory: remove it from the plan, or refresh the inventory",
    "VMRefNotValid": "name each VM by an id or name the source inventory knows",
    "VMAlreadyExists": "a VM of that name exists in the target namespace: delete or rename it, or pick another "
    "target namespace",
    "DuplicateVM": "list each VM once in spec.vms",
    "VMNetworksNotMapped": "add the VM's networks to the plan's NetworkMap",
    "VMStorageNotMapped": "add the VM's datastores to the plan's StorageMap",
    "NetworkMapNotReady": "fix the NetworkMap (its own conditions say what is wrong)",
    "StorageMapNotReady": "fix the StorageMap (its own conditions say what is wrong)",
    "NetworkMapRefNotValid": "point spec.map.network at an existing NetworkMap",
    "StorageRefNotValid": "point spec.map.storage at an existing StorageMap",
    "NamespaceNotValid": "set targetNamespace to a valid DNS label",
    "TargetNameNotValid": "give the VM a target name that is a valid DNS label",
    "SharedDisks": "power off the VMs with shared disks, or set migrateSharedDisks=false and migrate the shared "
    "disks with one plan only",
    "VMCriticalConcerns": "resolve the VM's critical concerns (query_vms shows them) or drop the VM from the plan",
    "VDDKInitImageNotReady": "set a pullable vddkInitImage on the vSphere provider",
    "VDDKInitImageUnavailable": "set a pullable vddkInitImage on the vSphere provider",
    "VDDKInvalid": "set a working vddkInitImage on the vSphere provider",
    "MigrationTypeNotValid": "choose a migration type the source provider supports",
    "WarmMigrationNotReady": "enable Changed Block Tracking on the VMs, or migrate cold",
    "TransferNetworkNotValid": "point transferNetwork at an existing NetworkAttachmentDefinition",
    "HookNotValid": "point the plan's hooks at existing, valid Hooks",
    "ServiceAccountNotValid": "name an existing service account in the target namespace",
}
_DEFAULT_FIX = "fix what the message says; Forklift validates the plan again after every change"


def _fix(condition_type: str) -> str:
    return _FIXES.get(condition_type) or _FIXES.get(condition_type.split("-", 1)[0]) or _DEFAULT_FIX


def start_blockers(plan: dict[str, Any]) -> list[str]:
    """Why the plan cannot start (each reason with its fix); empty when it can."""
    conditions = true_conditions(plan)
    name = dig(plan, "metadata", "name")
    if "Succeeded" in conditions:
        return [f"plan {name} has already succeeded: create a new plan for the VMs to migrate again"]
    if "Archived" in conditions:
        return [f"plan {name} is archived: an archived plan never runs again; create a new plan"]
    blockers = [
        f"{kind}: {condition.get('message') or 'no message'} (fix: {_fix(kind)})"
        for kind, condition in conditions.items()
        if condition.get("category") in _BLOCKING
    ]
    if blockers or "Ready" in conditions:
        return blockers
    return [
        f"plan {name} has no Ready condition: Forklift has not validated it yet (wait a moment and retry; if it "
        "stays so, check that forklift-controller runs)"
    ]
