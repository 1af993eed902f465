"""The resource metrics API (``metrics.k8s.io/v1beta1``) as metrics-server serves it: what ``kubectl top`` reads.

metrics-server (``kubernetes-sigs/metrics-server``, types in ``k8s.io/metrics/pkg/apis/metrics/v1beta1/
types.go``) answers ``NodeMetrics`` ({metadata, timestamp, window, usage {cpu, memory}}) per node and
``PodMetrics`` ({metadata, timestamp, window, containers [{name, usage}]}) per running pod only; CPU
in nanocores (``"1834000000n"``), memory as working set in ``Ki``. The sandbox has no kubelet to
scrape, so usage follows a fixed model: a running ``virt-v2v`` container works hard (virt-v2v and
nbdcopy threads, its memory near the guest appliance's), other containers use a share of their
requests, a node adds its system daemons; a small per-pod variation (from the name) keeps the numbers
from looking cloned. Finished and pending pods have no metrics, as with metrics-server.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from mtv_mcp.core.quantity import int_value, parse_quantity
from mtv_mcp.sandbox.kube.selectors import parse_label_selector

METRICS_GROUP = "metrics.k8s.io"
METRICS_VERSION = "v1beta1"
WINDOW = "15s"
GI = 1024**3
_CONVERTOR_USAGE = (1.8, int(1.4 * GI))
_SYSTEM_USAGE = (0.4, 3 * GI)
_CPU_SHARE, _MEMORY_SHARE = 0.4, 0.75
_DEFAULT_REQUESTS = (0.05, 64 * 1024**2)


def _jitter(name: str) -> float:
    """0.9 .. 1.1, fixed per name."""
    return 0.9 + hashlib.sha256(name.encode()).digest()[0] / 255 * 0.2


def _request(container: Mapping[str, Any], resource: str) -> str | None:
    value = ((container.get("resources") or {}).get("requests") or {}).get(resource)
    return str(value) if value is not None else None


def _cpu_cores(text: str | None) -> float:
    return float(parse_quantity(text)) if text is not None else _DEFAULT_REQUESTS[0]


def container_usage(pod: Mapping[str, Any], container: Mapping[str, Any]) -> tuple[float, int]:
    """(CPU cores, memory bytes) one running container uses."""
    factor = _jitter(f"{pod['metadata'].get('name')}/{container.get('name')}")
    if container.get("name") == "virt-v2v":
        return _CONVERTOR_USAGE[0] * factor, int(_CONVERTOR_USAGE[1] * factor)
    memory = _request(container, "memory")
    memory_bytes = int_value(memory) if memory else _DEFAULT_REQUESTS[1]
    return _cpu_cores(_request(container, "cpu")) * _CPU_SHARE * factor, int(memory_bytes * _MEMORY_SHARE * factor)


def _running(pods: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [
        p for p in pods if (p.get("status") or {}).get("phase") == "Running" and (p.get("spec") or {}).get("nodeName")
    ]


def _usage(cpu: float, memory: int) -> dict[str, str]:
    return {"cpu": f"{int(cpu * 1e9)}n", "memory": f"{memory // 1024}Ki"}


def pod_metrics(pod: Mapping[str, Any], now: str) -> dict[str, Any]:
    """The ``PodMetrics`` of a running pod."""
    meta = pod["metadata"]
    containers = [
        {"name": c["name"], "usage": _usage(*container_usage(pod, c))}
        for c in (pod.get("spec") or {}).get("containers") or []
    ]
    return {
        "kind": "PodMetrics",
        "apiVersion": f"{METRICS_GROUP}/{METRICS_VERSION}",
        "metadata": {
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "creationTimestamp": now,
            "labels": dict(meta.get("labels") or {}),
        },
        "timestamp": now,
        "window": WINDOW,
        "containers": containers,
    }


def node_metrics(node: Mapping[str, Any], pods: Iterable[Mapping[str, Any]], now: str) -> dict[str, Any]:
    """The ``NodeMetrics`` of a node: its running pods plus the system daemons, within allocatable."""
    name = node["metadata"]["name"]
    cpu, memory = _SYSTEM_USAGE[0] * _jitter(name), int(_SYSTEM_USAGE[1] * _jitter(name))
    for pod in _running(pods):
        if pod["spec"]["nodeName"] == name:
            for container in pod["spec"].get("containers") or []:
                used_cpu, used_memory = container_usage(pod, container)
                cpu, memory = cpu + used_cpu, memory + used_memory
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    if allocatable.get("cpu"):
        cpu = min(cpu, _cpu_cores(str(allocatable["cpu"])))
    if allocatable.get("memory"):
        memory = min(memory, int_value(str(allocatable["memory"])))
    return {
        "kind": "NodeMetrics",
        "apiVersion": f"{METRICS_GROUP}/{METRICS_VERSION}",
        "metadata": {"name": name, "creationTimestamp": now, "labels": dict(node["metadata"].get("labels") or {})},
        "timestamp": now,
        "window": WINDOW,
        "usage": _usage(cpu, memory),
    }


def metrics_list(
    kind: str,
    nodes: Iterable[Mapping[str, Any]],
    pods: Iterable[Mapping[str, Any]],
    now: str,
    *,
    namespace: str | None = None,
    label_selector: str | None = None,
) -> list[dict[str, Any]]:
    """``NodeMetrics`` of every node, or ``PodMetrics`` of every running pod (in ``namespace``), by labels."""
    selector = parse_label_selector(label_selector)
    all_pods = list(pods)
    if kind == "NodeMetrics":
        items = [node_metrics(node, all_pods, now) for node in nodes]
    else:
        items = [pod_metrics(p, now) for p in _running(all_pods) if namespace in (None, p["metadata"].get("namespace"))]
    return [item for item in items if selector.matches(item["metadata"]["labels"])]
