"""Nodes as placement sees them: role, topology, labels, taints, allocatable, and notable pods."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from mtv_mcp.core.kube_fields import dig

ROLE_PREFIX = "node-role.kubernetes.io/"
ZONE, REGION, RACK = "topology.kubernetes.io/zone", "topology.kubernetes.io/region", "topology.kubernetes.io/rack"
KVM = "devices.kubevirt.io/kvm"
# Labels every node has, or that repeat what other fields already say (hidden unless verbose).
ROUTINE_LABELS = frozenset(
    {
        "kubernetes.io/hostname",
        "kubernetes.io/os",
        "kubernetes.io/arch",
        "beta.kubernetes.io/os",
        "beta.kubernetes.io/arch",
        "node.openshift.io/os_id",
        ZONE,
        REGION,
        RACK,
        "failure-domain.beta.kubernetes.io/zone",
        "failure-domain.beta.kubernetes.io/region",
    }
)
# Label domains that add hundreds of hardware-feature labels (node feature discovery, KubeVirt).
NOISY_DOMAINS = ("feature.node.kubernetes.io", "node.kubevirt.io", "cpu-model", "cpu-feature", "host-model")
ACTIVE_PHASES = frozenset({"Running", "Pending"})
# Pod labels controllers generate per pod or revision: a rule selecting on them matches one pod, by accident.
GENERATED_POD_LABELS = frozenset(
    {
        "pod-template-hash",
        "controller-revision-hash",
        "pod-template-generation",
        "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index",
        "batch.kubernetes.io/controller-uid",
        "controller-uid",
        # Forklift's per-VM convertor labels (pkg/controller/plan/kubevirt.go): one pod each.
        "vmID",
        "conversion",
    }
)
_UID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class NodeSummary(BaseModel):
    """One node, with what matters for placing convertor pods."""

    name: str
    roles: list[str]
    zone: str | None
    region: str | None
    rack: str | None
    labels: dict[str, str] = Field(
        description="Other labels (routine and hardware-feature labels hidden unless verbose)"
    )
    taints: list[str] = Field(description="key=value:Effect")
    cpu: str | None = Field(description="Allocatable CPU")
    memory: str | None = Field(description="Allocatable memory")
    kvm: str | None = Field(description="Allocatable devices.kubevirt.io/kvm (None: no KVM device plugin)")
    schedulable: bool = Field(description="Ready and not cordoned (taints are listed separately)")
    notable_pods: list[str] = Field(
        description="Storage, database and convertor pods: namespace/name (what) [labels pods(...) can select]"
    )


def pod_category(labels: dict[str, str]) -> str | None:
    """What a pod is, for placement decisions, from common labels (None: not notable)."""
    app = (labels.get("app") or labels.get("app.kubernetes.io/name") or "").lower()
    component = (labels.get("component") or labels.get("app.kubernetes.io/component") or "").lower()
    tier = labels.get("tier", "").lower()
    if labels.get("forklift.app") == "virt-v2v":
        return "virt-v2v convertor"
    if app == "rook-ceph-osd" or "ceph-osd-id" in labels:
        return "Ceph OSD"
    if app.startswith("rook-ceph-mon"):
        return "Ceph monitor"
    if "storage-controller" in app or component in ("csi-controller", "storage-controller"):
        return "storage controller"
    databases = ("postgres", "mysql", "mariadb", "mongo", "oracle", "mssql", "cockroach", "cassandra")
    if tier == "database" or component == "database" or any(db in app for db in databases):
        return "database"
    if tier == "cache" or app in ("redis", "memcached"):
        return "cache"
    if tier == "search" or app in ("elasticsearch", "opensearch"):
        return "search"
    return None


def selectable_labels(labels: dict[str, str]) -> str:
    """``k=v, k2=v2`` of the labels a KARL ``pods(...)`` selector can use (no generated or uid ones)."""
    return ", ".join(
        f"{key}={value}"
        for key, value in sorted(labels.items())
        if key not in GENERATED_POD_LABELS and not _UID.match(value)
    )


def _is_daemon(pod: dict[str, Any]) -> bool:
    owners = dig(pod, "metadata", "ownerReferences") or []
    return any(owner.get("kind") == "DaemonSet" for owner in owners)


def pods_by_node(pods: Iterable[dict[str, Any]], *, verbose: bool) -> dict[str, list[str]]:
    """``namespace/name (what) [labels]`` of the active pods per node: notable ones, or all with ``verbose``."""
    found: dict[str, list[str]] = {}
    for pod in pods:
        node = dig(pod, "spec", "nodeName")
        if not node or dig(pod, "status", "phase") not in ACTIVE_PHASES:
            continue
        meta = pod.get("metadata") or {}
        category = pod_category(meta.get("labels") or {})
        if category is None and not verbose:
            continue
        if _is_daemon(pod) and not verbose:
            continue
        what = f" ({category})" if category else ""
        selectable = selectable_labels(meta.get("labels") or {})
        labels = f" [{selectable}]" if selectable else ""
        found.setdefault(node, []).append(f"{meta.get('namespace')}/{meta.get('name')}{what}{labels}")
    return found


def _shown_label(key: str, verbose: bool) -> bool:
    if verbose:
        return True
    if key in ROUTINE_LABELS or key.startswith(ROLE_PREFIX):
        return False
    domain = key.split("/", 1)[0] if "/" in key else ""
    return not any(noisy in domain for noisy in NOISY_DOMAINS)


def summarize_node(node: dict[str, Any], pods: list[str], *, verbose: bool = False) -> NodeSummary:
    """The placement-relevant facts of one Node object."""
    meta, spec, status = node.get("metadata") or {}, node.get("spec") or {}, node.get("status") or {}
    labels: dict[str, str] = meta.get("labels") or {}
    allocatable = status.get("allocatable") or {}
    ready = any(c.get("type") == "Ready" and c.get("status") == "True" for c in status.get("conditions") or [])
    taints = [
        f"{t.get('key')}{'=' + t['value'] if t.get('value') else ''}:{t.get('effect')}"
        for t in spec.get("taints") or []
    ]
    return NodeSummary(
        name=str(meta.get("name")),
        roles=sorted(key.removeprefix(ROLE_PREFIX) for key in labels if key.startswith(ROLE_PREFIX)),
        zone=labels.get(ZONE),
        region=labels.get(REGION),
        rack=labels.get(RACK),
        labels={k: v for k, v in sorted(labels.items()) if _shown_label(k, verbose)},
        taints=taints,
        cpu=allocatable.get("cpu"),
        memory=allocatable.get("memory"),
        kvm=allocatable.get(KVM),
        schedulable=ready and not spec.get("unschedulable", False),
        notable_pods=pods,
    )
