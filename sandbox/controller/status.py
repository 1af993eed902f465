"""Forklift-shaped status for Migrations and Plans: per-VM phase, pipeline steps and conditions.

A cold vSphere VM converted and copied by virt-v2v walks the phases ``Started → AllocateDisks →
CreateGuestConversionPod → ConvertGuest → CopyDisksVirtV2V → CreateVM → Completed`` with the pipeline
``Initialize, DiskAllocation, ImageConversion, DiskTransferV2v, VirtualMachineCreation``
(forklift-model.md §1.3; ``pkg/controller/plan/migrator/base/migrator.go`` ``Step``); how long each
step lasts is ``timing.py``'s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mtv_mcp.sandbox.controller.v2v_log import LogLine, V2VStage

MIB = 1024 * 1024
PIPELINE: tuple[tuple[str, str], ...] = (
    ("Initialize", "Initialize migration."),
    ("DiskAllocation", "Allocate disks."),
    ("ImageConversion", "Convert image to kubevirt."),
    ("DiskTransferV2v", "Copy disks."),
    ("VirtualMachineCreation", "Create VM."),
)
_ORDER = tuple(V2VStage)


def condition(
    kind: str, *, category: str, now: str, reason: str = "", message: str = "", status: str = "True"
) -> dict[str, Any]:
    found = {"type": kind, "status": status, "category": category, "lastTransitionTime": now}
    if reason:
        found["reason"] = reason
    if message:
        found["message"] = message
    return found


def set_condition(conditions: list[dict[str, Any]], new: dict[str, Any]) -> list[dict[str, Any]]:
    """Replace the condition of the same type (keeping its transition time when nothing changed)."""
    old = next((c for c in conditions if c.get("type") == new["type"]), None)
    if old is not None and (old.get("status"), old.get("message")) == (new["status"], new.get("message")):
        new = {**new, "lastTransitionTime": old["lastTransitionTime"]}
    return [*(c for c in conditions if c.get("type") != new["type"]), new]


def drop_condition(conditions: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [c for c in conditions if c.get("type") != kind]


def _step(name: str, description: str, total: int) -> dict[str, Any]:
    return {"name": name, "description": description, "phase": "Pending", "progress": {"total": total, "completed": 0}}


def initial_vm_status(vm: dict[str, Any], disks: Sequence[tuple[str, int]], now: str) -> dict[str, Any]:
    """A VM that just ``Started`` (its ``Initialize`` step running); ``disks`` are (name, bytes) pairs."""
    total_mb = sum(size for _, size in disks) // MIB
    pipeline = [_step(name, description, 1) for name, description in PIPELINE]
    _start(pipeline[0], now)
    pipeline[1]["progress"] = {"total": total_mb, "completed": 0}
    pipeline[1]["annotations"] = {"unit": "MB"}
    transfer = pipeline[3]
    transfer["progress"] = {"total": total_mb, "completed": 0}
    transfer["annotations"] = {"unit": "MB"}
    transfer["tasks"] = [
        {
            "name": name,
            "phase": "Pending",
            "progress": {"total": size // MIB, "completed": 0},
            "annotations": {"unit": "MB"},
        }
        for name, size in disks
    ]
    return {
        "id": vm["id"],
        "name": vm.get("name", vm["id"]),
        "phase": "Started",
        "started": now,
        "restorePowerState": "On",
        "pipeline": pipeline,
    }


def _start(step: dict[str, Any], now: str) -> None:
    if step["phase"] == "Pending":
        step["phase"] = "Running"
        step["started"] = now


def _complete(step: dict[str, Any], now: str) -> None:
    if step["phase"] != "Completed":
        step.setdefault("started", now)
        step["phase"] = "Completed"
        step["completed"] = now
        step["progress"]["completed"] = step["progress"]["total"]


def enter(status: dict[str, Any], phase: str, now: str) -> None:
    """Move the VM to ``phase``: ``AllocateDisks`` (Initialize done, DiskAllocation running),
    ``CreateGuestConversionPod`` (disks bound) or ``CreateVM`` (virt-v2v done, VirtualMachineCreation
    running)."""
    steps = {step["name"]: step for step in status["pipeline"]}
    done, running = {
        "AllocateDisks": (("Initialize",), "DiskAllocation"),
        "CreateGuestConversionPod": (("Initialize", "DiskAllocation"), None),
        "CreateVM": (("ImageConversion", "DiskTransferV2v"), "VirtualMachineCreation"),
    }[phase]
    for name in done:
        _complete(steps[name], now)
    if phase == "CreateVM":
        for task in steps["DiskTransferV2v"].get("tasks", []):
            _complete(task, now)
    if running is not None:
        _start(steps[running], now)
    status["phase"] = phase


def _copied(line: LogLine, sizes: Sequence[int]) -> int:
    """Bytes copied by the state ``line`` leaves the run in."""
    if _ORDER.index(line.stage) > _ORDER.index(V2VStage.DISK_COPY):
        return sum(sizes)
    if line.stage is not V2VStage.DISK_COPY or not line.disk_index:
        return 0
    done = sum(sizes[: line.disk_index - 1])
    return done + int(sizes[line.disk_index - 1] * (line.percent or 0) / 100)


def apply_progress(status: dict[str, Any], line: LogLine | None, sizes: Sequence[int], now: str) -> None:
    """Move the VM's phase and pipeline to where the run is after its last written ``line``."""
    steps = {step["name"]: step for step in status["pipeline"]}
    conversion, transfer = steps["ImageConversion"], steps["DiskTransferV2v"]
    status["phase"] = "ConvertGuest"
    _start(conversion, now)
    if line is None or _ORDER.index(line.stage) < _ORDER.index(V2VStage.DISK_COPY):
        return
    _complete(conversion, now)
    status["phase"] = "CopyDisksVirtV2V"
    _start(transfer, now)
    transfer["progress"]["completed"] = _copied(line, sizes) // MIB
    finished = line.stage is not V2VStage.DISK_COPY
    for index, task in enumerate(transfer.get("tasks", []), start=1):
        if finished or (line.disk_index and index < line.disk_index):
            _complete(task, now)
        elif index == line.disk_index:
            _start(task, now)
            task["progress"]["completed"] = int(task["progress"]["total"] * (line.percent or 0) / 100)


def cancel_vm(status: dict[str, Any], now: str) -> None:
    """Canceled by the user: condition Canceled (reason UserRequested), phase Completed, and every
    started step marked completed (Forklift ``pkg/controller/plan/migration.go``: ``execute`` and
    ``Cancel`` with ``markStartedStepsCompleted``)."""
    for step in status["pipeline"]:
        if step["phase"] == "Running":
            step.update(phase="Completed", completed=now)
    status["conditions"] = [
        {
            **condition(
                "Canceled",
                category="Advisory",
                now=now,
                reason="UserRequested",
                message="The migration has been canceled.",
            ),
            "durable": True,
        }
    ]
    status["phase"] = "Completed"
    status["completed"] = now


def outcome(vms: Sequence[dict[str, Any]]) -> str:
    """How a finished migration ended (Forklift ``Migration.end``): Failed if any VM failed, else
    Succeeded if any VM succeeded, else Canceled."""
    kinds = {c.get("type") for vm in vms for c in vm.get("conditions") or [] if c.get("status") == "True"}
    return "Failed" if "Failed" in kinds else "Succeeded" if "Succeeded" in kinds else "Canceled"


def finish_vm(status: dict[str, Any], now: str, error: str | None = None) -> None:
    """Completed (successfully, or with ``error`` on the step that was running)."""
    steps = {step["name"]: step for step in status["pipeline"]}
    if error is None:
        for step in status["pipeline"]:
            _complete(step, now)
        for task in steps["DiskTransferV2v"].get("tasks", []):
            _complete(task, now)
    else:
        running = next((s for s in status["pipeline"] if s["phase"] == "Running"), steps["ImageConversion"])
        running.setdefault("started", now)
        running.update(phase="Completed", completed=now, error={"phase": running["name"], "reasons": [error]})
        status["error"] = {"phase": status["phase"], "reasons": [error]}
        status["conditions"] = [condition("Failed", category="Advisory", now=now, message=error)]
    if error is None:
        status["conditions"] = [condition("Succeeded", category="Advisory", now=now)]
    status["phase"] = "Completed"
    status["completed"] = now
