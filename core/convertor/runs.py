"""One VM of a Migration, measured: pipeline step durations, copy rate, progress and ETA.

The numbers come from the Migration's ``status.vms[]`` (Forklift ``pkg/apis/forklift/v1beta1/plan/vm.go``
``VMStatus``: ``pipeline[]`` steps with ``started``/``completed`` from ``plan/timed.go`` and
``progress {total, completed}``), where the disk transfer step (``DiskTransferV2v`` for virt-v2v
copies, ``DiskTransfer`` for CDI) counts MB as MiB per disk task (``pkg/controller/plan/adapter/vsphere/
builder.go`` ``Tasks``: ``RoundUp(capacity, 0x100000) / 0x100000``, task name = the disk's backing file
``[datastore] folder/disk.vmdk``). Step names are ``pkg/controller/plan/migrator/base/migrator.go``'s.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mtv_mcp.core.convertor.pod_status import parse_time
from mtv_mcp.core.convertor.report_models import RuleState, VmRun, VmState
from mtv_mcp.core.kube_fields import dig

TRANSFER_STEPS = ("DiskTransferV2v", "DiskTransfer")
CONVERSION_STEP = "ImageConversion"
GIB_PER_MIB = 1 / 1024
_DATASTORE = re.compile(r"^\[([^\]]+)\]")
_GUEST = re.compile(r"\]\s+Converting (.+?) to run on KVM")


@dataclass(frozen=True)
class Measured:
    """A ``VmRun`` with the raw figures the aggregates sum: MiB copied, seconds copying, when."""

    run: VmRun
    copied_mib: float
    copy_seconds: float
    copy_start: datetime | None
    copy_end: datetime | None


@dataclass(frozen=True)
class VmPlacement:
    """Where the VM's convertor ran, read from its pod, node and PVCs."""

    pod: str | None = None
    node: str | None = None
    zone: str | None = None
    rules: RuleState = "unplaced"
    storage_class: str | None = None
    guest_os: str | None = None
    log_mib_s: float | None = None


def guest_os(log_text: str) -> str | None:
    """The guest virt-v2v names in its ``Converting <os> to run on KVM`` stage line."""
    found = _GUEST.search(log_text)
    return found.group(1) if found else None


def vm_state(vm: Mapping[str, Any]) -> VmState:
    """Succeeded/Failed/Canceled by the VM's true condition; Running once started, else Pending."""
    true = {c.get("type") for c in vm.get("conditions") or [] if c.get("status") == "True"}
    for state in ("Failed", "Canceled", "Succeeded"):
        if state in true:
            return state
    if vm.get("error"):
        return "Failed"
    return (
        "Running"
        if vm.get("started") and not vm.get("completed")
        else ("Succeeded" if vm.get("completed") else "Pending")
    )


def _seconds(start: datetime | None, end: datetime | None) -> int | None:
    return max(0, int((end - start).total_seconds())) if start is not None and end is not None else None


def _transfer(vm: Mapping[str, Any]) -> Mapping[str, Any] | None:
    steps = {str(s.get("name")): s for s in vm.get("pipeline") or []}
    return next((steps[name] for name in TRANSFER_STEPS if name in steps), None)


def datastores(step: Mapping[str, Any] | None) -> list[str]:
    """Source datastores named by the transfer step's disk tasks (``[ds-nvme-01] vm/vm.vmdk``)."""
    found = {m.group(1) for t in dig(step, "tasks") or [] if (m := _DATASTORE.match(str(t.get("name") or "")))}
    return sorted(found)


def measure_vm(vm: Mapping[str, Any], place: VmPlacement, now: datetime) -> Measured:
    """Timings, copy rate, progress and ETA of one ``status.vms[]`` entry."""
    state = vm_state(vm)
    phases: dict[str, int] = {}
    for step in vm.get("pipeline") or []:
        started = parse_time(step.get("started"))
        ended = parse_time(step.get("completed")) or (now if started is not None and state == "Running" else None)
        seconds = _seconds(started, ended)
        if seconds is not None:
            phases[str(step.get("name"))] = seconds
    transfer = _transfer(vm)
    progress = dig(transfer, "progress") or {}
    total_mib, copied_mib = float(progress.get("total") or 0), float(progress.get("completed") or 0)
    copy_start = parse_time(dig(transfer, "started"))
    copy_end = parse_time(dig(transfer, "completed")) or (now if copy_start and state == "Running" else None)
    copy_seconds = float(_seconds(copy_start, copy_end) or 0)
    rate = copied_mib / copy_seconds if copy_seconds > 0 and copied_mib > 0 else None
    running = state == "Running" and total_mib > 0
    remaining = max(0.0, total_mib - copied_mib)
    tasks = dig(transfer, "tasks") or []
    error = dig(vm, "error", "reasons") or []
    run = VmRun(
        vm=str(vm.get("name") or vm.get("id")),
        id=str(vm.get("id")),
        state=state,
        pod=place.pod,
        node=place.node,
        zone=place.zone,
        rules=place.rules,
        disk_gb=round(total_mib * GIB_PER_MIB, 1),
        disks=len(tasks),
        storage_class=place.storage_class,
        datastores=datastores(transfer),
        guest_os=place.guest_os,
        seconds=_seconds(
            parse_time(vm.get("started")), parse_time(vm.get("completed")) or (now if state == "Running" else None)
        ),
        phases=phases,
        mib_s=round(rate, 1) if rate else None,
        log_mib_s=place.log_mib_s,
        progress_pct=round(100 * copied_mib / total_mib, 1) if running else None,
        eta_seconds=int(remaining / rate) if running and rate else None,
        error=str(error[0])[:300] if error else None,
    )
    return Measured(run, copied_mib, copy_seconds, copy_start, copy_end)


def overlapping(one: Measured, others: Sequence[Measured]) -> int:
    """How many of ``others`` on the same node copied while ``one`` did."""
    if one.copy_start is None or one.copy_end is None or one.run.node is None:
        return 0
    return sum(
        1
        for other in others
        if other is not one
        and other.run.node == one.run.node
        and other.copy_start is not None
        and other.copy_end is not None
        and other.copy_start < one.copy_end
        and one.copy_start < other.copy_end
    )
