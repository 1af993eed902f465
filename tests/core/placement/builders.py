"""Builders for small Kubernetes objects used by the placement scenarios."""

from __future__ import annotations

from typing import Any


def node(
    name: str,
    *,
    labels: dict[str, str] | None = None,
    taints: list[dict[str, str]] | None = None,
    cpu: str = "16",
    memory: str = "64Gi",
    pods: str = "110",
    kvm: str | None = "1k",
    unschedulable: bool = False,
    zone: str | None = None,
) -> dict[str, Any]:
    allocatable = {"cpu": cpu, "memory": memory, "pods": pods}
    if kvm is not None:
        allocatable["devices.kubevirt.io/kvm"] = kvm
    all_labels = {
        "kubernetes.io/hostname": name,
        **({"topology.kubernetes.io/zone": zone} if zone else {}),
        **(labels or {}),
    }
    spec: dict[str, Any] = {"taints": taints or []}
    if unschedulable:
        spec["unschedulable"] = True
    return {"metadata": {"name": name, "labels": all_labels}, "spec": spec, "status": {"allocatable": allocatable}}


def pod(
    name: str,
    namespace: str = "app",
    *,
    labels: dict[str, str] | None = None,
    node_name: str | None = None,
    requests: dict[str, str] | None = None,
    affinity: dict[str, Any] | None = None,
    tolerations: list[dict[str, Any]] | None = None,
    node_selector: dict[str, str] | None = None,
    phase: str = "Running",
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": [{"name": "main", "resources": {"requests": requests or {}}}]}
    if node_name:
        spec["nodeName"] = node_name
    if affinity:
        spec["affinity"] = affinity
    if tolerations:
        spec["tolerations"] = tolerations
    if node_selector:
        spec["nodeSelector"] = node_selector
    return {
        "metadata": {"name": name, "namespace": namespace, "uid": f"uid-{namespace}-{name}", "labels": labels or {}},
        "spec": spec,
        "status": {"phase": phase},
    }


def term(labels: dict[str, str], key: str = "kubernetes.io/hostname", **extra: Any) -> dict[str, Any]:
    return {"labelSelector": {"matchLabels": labels}, "topologyKey": key, **extra}
