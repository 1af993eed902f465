"""Writes that move a sandbox convertor pod through its life: pending, bound, running, terminated.

Each function takes the store and the pod's current object and writes the pod the way the
scheduler and the kubelet would, with the matching Events.
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from mtv_mcp.core.convertor.pod_template import CONVERTOR_CONTAINER
from mtv_mcp.sandbox.kube.store import ObjectStore

Outcome = Literal["Succeeded", "Failed", "OOMKilled"]
_SCHEDULER = "default-scheduler"


def _pod_ip(name: str) -> str:
    digest = hashlib.sha256(name.encode()).digest()
    return f"10.128.{digest[0] % 16}.{2 + digest[1] % 250}"


def _conditions(now: str, *, scheduled: bool, ready: bool, reason: str = "", message: str = "") -> list[dict[str, Any]]:
    scheduled_condition: dict[str, Any] = {
        "type": "PodScheduled",
        "status": "True" if scheduled else "False",
        "lastProbeTime": None,
        "lastTransitionTime": now,
    }
    if not scheduled:
        scheduled_condition.update(reason="Unschedulable", message=message)
    if not scheduled:
        return [scheduled_condition]
    flag = "True" if ready else "False"
    others = [
        {"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": now}
        for kind, status in (("Initialized", "True"), ("Ready", flag), ("ContainersReady", flag))
    ]
    if reason:
        for entry in others[1:]:
            entry["reason"] = reason
    return [*others, scheduled_condition]


def mark_unschedulable(store: ObjectStore, pod: dict[str, Any], message: str, now: str) -> dict[str, Any]:
    """Leave the pod Pending with PodScheduled=False and a ``FailedScheduling`` Warning Event."""
    pod["status"] = {
        "phase": "Pending",
        "qosClass": "Burstable",
        "conditions": _conditions(now, scheduled=False, ready=False, message=message),
    }
    pod["metadata"].pop("resourceVersion", None)
    stored = store.update(pod)
    store.emit_event(stored, "FailedScheduling", message, type="Warning", component=_SCHEDULER)
    return stored


def bind_and_start(store: ObjectStore, pod: dict[str, Any], node: str, now: str) -> dict[str, Any]:
    """Bind the pod to ``node`` and run it (init container done, ``virt-v2v`` running)."""
    meta, spec = pod["metadata"], pod["spec"]
    spec["nodeName"] = node
    ip = _pod_ip(meta["name"])
    init = [
        {
            "name": c["name"],
            "image": c["image"],
            "imageID": f"{c['image']}@sha256:{hashlib.sha256(c['image'].encode()).hexdigest()}",
            "ready": True,
            "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "startedAt": now, "finishedAt": now}},
        }
        for c in spec.get("initContainers") or []
    ]
    main = [
        {
            "name": c["name"],
            "image": c["image"],
            "imageID": f"{c['image']}@sha256:{hashlib.sha256(c['image'].encode()).hexdigest()}",
            "ready": True,
            "started": True,
            "restartCount": 0,
            "state": {"running": {"startedAt": now}},
        }
        for c in spec["containers"]
    ]
    pod["status"] = {
        "phase": "Running",
        "qosClass": "Burstable",
        "hostIP": "",
        "podIP": ip,
        "podIPs": [{"ip": ip}],
        "startTime": now,
        "conditions": _conditions(now, scheduled=True, ready=True),
        "containerStatuses": main,
        **({"initContainerStatuses": init} if init else {}),
    }
    meta.pop("resourceVersion", None)
    stored = store.update(pod)
    namespace = meta["namespace"]
    store.emit_event(
        stored, "Scheduled", f"Successfully assigned {namespace}/{meta['name']} to {node}", component=_SCHEDULER
    )
    store.emit_event(stored, "AddedInterface", f"Add eth0 [{ip}/23] from ovn-kubernetes", component="multus", host=node)
    for container in [*(spec.get("initContainers") or []), *spec["containers"]]:
        for reason, message in (
            ("Pulled", f'Container image "{container["image"]}" already present on machine'),
            ("Created", f"Created container {container['name']}"),
            ("Started", f"Started container {container['name']}"),
        ):
            store.emit_event(stored, reason, message, component="kubelet", host=node)
    return stored


def terminate(store: ObjectStore, pod: dict[str, Any], outcome: Outcome, exit_code: int, now: str) -> dict[str, Any]:
    """End the ``virt-v2v`` container: Succeeded (exit 0), Failed (Error) or Failed (OOMKilled)."""
    status = pod["status"]
    status["phase"] = "Succeeded" if outcome == "Succeeded" else "Failed"
    status["conditions"] = _conditions(now, scheduled=True, ready=False, reason="PodCompleted")
    reason = {"Succeeded": "Completed", "Failed": "Error", "OOMKilled": "OOMKilled"}[outcome]
    for entry in status.get("containerStatuses") or []:
        if entry["name"] == CONVERTOR_CONTAINER:
            started = (entry["state"].get("running") or {}).get("startedAt", now)
            entry.update(ready=False, started=False)
            entry["state"] = {
                "terminated": {"exitCode": exit_code, "reason": reason, "startedAt": started, "finishedAt": now}
            }
    pod["metadata"].pop("resourceVersion", None)
    stored = store.update(pod)
    if outcome == "OOMKilled":
        store.emit_event(
            stored,
            "OOMKilling",
            f"Memory cgroup out of memory: Killed process (qemu-kvm) in container {CONVERTOR_CONTAINER}",
            type="Warning",
            component="kernel-monitor",
            host=pod["spec"].get("nodeName"),
        )
    return stored
