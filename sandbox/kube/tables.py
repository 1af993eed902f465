"""Server-side printing: the ``meta.k8s.io/v1`` ``Table`` that ``kubectl get`` asks for.

Built-in kinds get the columns a real API server prints (pods, nodes, namespaces, events,
storage classes, ...); CRD-backed kinds get their ``additionalPrinterColumns`` evaluated with
the small JSONPath subset CRDs use (``.a.b``, ``[n]``, ``[*]``, ``[?(@.k=='v')]``). Columns with
``priority`` 1 are the ``-o wide`` extras.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from mtv_mcp.sandbox.kube.resources import ResourceType

Column = tuple[str, str, int, str]  # name, type, priority, format
Row = list[Any]
_NAME: Column = ("Name", "string", 0, "name")


def human_age(since: str | None, now: datetime) -> str:
    """kubectl's short age (``45s``, ``5m30s``, ``3h``, ``2d4h``, ``400d``); ``<unknown>`` when unset."""
    if not since:
        return "<unknown>"
    try:
        then = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        return "<invalid>"
    seconds = int((now - then).total_seconds())
    if seconds < 0:
        return "0s"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 120:
        return f"{seconds}s"
    if minutes < 10:
        return f"{minutes}m{seconds % 60}s" if seconds % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{days}d{hours % 24}h" if hours % 24 else f"{days}d"
    if days < 365 * 2:
        return f"{days}d"
    return f"{days // 365}y{days % 365}d" if days < 365 * 8 else f"{days // 365}y"


def _pod_status(pod: Mapping[str, Any]) -> str:
    status = pod.get("status") or {}
    if pod["metadata"].get("deletionTimestamp"):
        return "Terminating"
    reason = status.get("reason") or status.get("phase") or "Unknown"
    init_specs = (pod.get("spec") or {}).get("initContainers") or []
    for index, init in enumerate(status.get("initContainerStatuses") or []):
        state = init.get("state") or {}
        if "terminated" in state and state["terminated"].get("exitCode", 0) == 0:
            continue
        if "waiting" in state and state["waiting"].get("reason", "PodInitializing") != "PodInitializing":
            return f"Init:{state['waiting']['reason']}"
        return f"Init:{index}/{len(init_specs)}"
    for container in status.get("containerStatuses") or []:
        state = container.get("state") or {}
        if state.get("waiting", {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif state.get("terminated", {}).get("reason"):
            reason = state["terminated"]["reason"]
    return str(reason)


def _pod_row(pod: Mapping[str, Any], now: datetime) -> Row:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for c in statuses if c.get("ready"))
    restarts = sum(int(c.get("restartCount", 0)) for c in statuses)
    return [
        pod["metadata"]["name"],
        f"{ready}/{len(spec.get('containers') or [])}",
        _pod_status(pod),
        restarts,
        human_age(pod["metadata"].get("creationTimestamp"), now),
        status.get("podIP") or "<none>",
        spec.get("nodeName") or "<none>",
        status.get("nominatedNodeName") or "<none>",
        ",".join(g.get("conditionType", "") for g in spec.get("readinessGates") or []) or "<none>",
    ]


def _node_row(node: Mapping[str, Any], now: datetime) -> Row:
    meta, status = node["metadata"], node.get("status") or {}
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = "Ready" if ready and ready.get("status") == "True" else "NotReady" if ready else "Unknown"
    if (node.get("spec") or {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    roles = sorted(
        key.split("/", 1)[1] for key in meta.get("labels") or {} if key.startswith("node-role.kubernetes.io/")
    )
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    info = status.get("nodeInfo") or {}
    return [
        meta["name"],
        state,
        ",".join(roles) or "<none>",
        human_age(meta.get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        addresses.get("InternalIP", "<none>"),
        addresses.get("ExternalIP", "<none>"),
        info.get("osImage", ""),
        info.get("kernelVersion", ""),
        info.get("containerRuntimeVersion", ""),
    ]


def _event_row(event: Mapping[str, Any], now: datetime) -> Row:
    involved = event.get("involvedObject") or {}
    last = event.get("lastTimestamp") or event.get("eventTime") or event["metadata"].get("creationTimestamp")
    source = (event.get("source") or {}).get("component") or event.get("reportingComponent", "")
    return [
        human_age(last, now),
        event.get("type", ""),
        event.get("reason", ""),
        f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        event.get("message", ""),
        involved.get("fieldPath", ""),
        source,
        human_age(event.get("firstTimestamp") or last, now),
        event.get("count", 1),
        event["metadata"]["name"],
    ]


def _simple(*fields: Callable[[Mapping[str, Any]], Any]) -> Callable[[Mapping[str, Any], datetime], Row]:
    def row(obj: Mapping[str, Any], now: datetime) -> Row:
        return [
            obj["metadata"]["name"],
            *(f(obj) for f in fields),
            human_age(obj["metadata"].get("creationTimestamp"), now),
        ]

    return row


def _columns(*names: str, wide: tuple[str, ...] = ()) -> list[Column]:
    """Printer columns by name (``wide``: the ``-o wide`` extras); ``Name`` is the name column."""
    return [
        (name, "integer" if name == "Count" else "string", priority, "name" if name == "Name" else "")
        for priority, group in ((0, names), (1, wide))
        for name in group
    ]


_BUILTIN: dict[str, tuple[list[Column], Callable[[Mapping[str, Any], datetime], Row]]] = {
    "pods": (
        _columns(
            "Name", "Ready", "Status", "Restarts", "Age", wide=("IP", "Node", "Nominated Node", "Readiness Gates")
        ),
        _pod_row,
    ),
    "nodes": (
        _columns(
            "Name",
            "Status",
            "Roles",
            "Age",
            "Version",
            wide=("Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"),
        ),
        _node_row,
    ),
    "events": (
        _columns(
            "Last Seen",
            "Type",
            "Reason",
            "Object",
            "Message",
            wide=("Subobject", "Source", "First Seen", "Count", "Name"),
        ),
        _event_row,
    ),
    "namespaces": (
        _columns("Name", "Status", "Age"),
        _simple(lambda o: (o.get("status") or {}).get("phase", "Active")),
    ),
    "storageclasses": (
        _columns("Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"),
        _simple(
            lambda o: o.get("provisioner", ""),
            lambda o: o.get("reclaimPolicy", "Delete"),
            lambda o: o.get("volumeBindingMode", "Immediate"),
            lambda o: str(bool(o.get("allowVolumeExpansion"))).lower(),
        ),
    ),
    "persistentvolumeclaims": (
        _columns("Name", "Status", "Volume", "Capacity", "Storage Class", "Age"),
        _simple(
            lambda o: (o.get("status") or {}).get("phase", ""),
            lambda o: (o.get("spec") or {}).get("volumeName", ""),
            lambda o: ((o.get("status") or {}).get("capacity") or {}).get("storage", ""),
            lambda o: (o.get("spec") or {}).get("storageClassName", ""),
        ),
    ),
    "secrets": (
        _columns("Name", "Type", "Data", "Age"),
        _simple(lambda o: o.get("type", "Opaque"), lambda o: len(o.get("data") or {})),
    ),
    "configmaps": (_columns("Name", "Data", "Age"), _simple(lambda o: len(o.get("data") or {}))),
    "routes": (
        _columns("Name", "Host/Port", "Path", "Services", "Age"),
        _simple(
            lambda o: (o.get("spec") or {}).get("host", ""),
            lambda o: (o.get("spec") or {}).get("path", ""),
            lambda o: ((o.get("spec") or {}).get("to") or {}).get("name", ""),
        ),
    ),
}


def jsonpath(obj: Any, path: str) -> list[Any]:
    """The values a CRD printer-column JSONPath selects (``.a.b``, ``[n]``, ``[*]``, ``[?(@.k=='v')]``)."""
    values = [obj]
    for name, index, star, filter_key, filter_value in re.findall(
        r"\.([A-Za-z0-9_-]+)|\[(\d+)\]|\[(\*)\]|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*['\"]([^'\"]*)['\"]\)\]",
        path,
    ):
        nxt: list[Any] = []
        for value in values:
            if name and isinstance(value, Mapping) and name in value:
                nxt.append(value[name])
            elif index and isinstance(value, list) and int(index) < len(value):
                nxt.append(value[int(index)])
            elif star and isinstance(value, list):
                nxt.extend(value)
            elif filter_key and isinstance(value, list):
                nxt.extend(item for item in value if _field_equals(item, filter_key, filter_value))
        values = nxt
    return values


def _field_equals(item: Any, key: str, expected: str) -> bool:
    found = jsonpath(item, "." + key)
    return bool(found) and str(found[0]) == expected


def _crd_cell(obj: Mapping[str, Any], json_path: str, kind: str, now: datetime) -> Any:
    found = jsonpath(obj, json_path)
    if not found:
        return None
    value = found[0]
    if kind == "date" and isinstance(value, str):
        return human_age(value, now)
    return value if isinstance(value, int | float | bool) and not isinstance(value, str) else str(value)


def to_table(
    res: ResourceType,
    objects: list[dict[str, Any]],
    now: datetime,
    *,
    resource_version: str,
    include_object: str = "Metadata",
) -> dict[str, Any]:
    """The ``Table`` for ``objects`` of one resource (``include_object``: None, Metadata or Object)."""
    if res.crd is None and res.plural in _BUILTIN:
        columns, make_row = _BUILTIN[res.plural]
    elif res.printer_columns:
        columns = [_NAME, *((c.name, c.type, c.priority, c.format) for c in res.printer_columns)]

        def make_row(obj: Mapping[str, Any], now: datetime) -> Row:
            return [
                obj["metadata"]["name"],
                *(_crd_cell(obj, c.json_path, c.type, now) for c in res.printer_columns),
            ]
    elif res.kind == "CustomResourceDefinition":
        columns = [_NAME, ("Created At", "date", 0, "")]

        def make_row(obj: Mapping[str, Any], now: datetime) -> Row:
            return [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp", "")]
    else:
        columns, make_row = _columns("Name", "Age"), _simple()
    rows = []
    for obj in objects:
        row: dict[str, Any] = {"cells": make_row(obj, now)}
        if include_object == "Object":
            row["object"] = obj
        elif include_object != "None":
            row["object"] = {
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": obj["metadata"],
            }
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": [
            {"name": name, "type": kind, "format": fmt, "description": name, "priority": prio}
            for name, kind, prio, fmt in columns
        ],
        "rows": rows,
    }
