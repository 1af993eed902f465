"""The product's placement prediction against the sandbox's own scheduler, on the demo cluster and variants.

The sandbox scheduler (``mtv_mcp.sandbox.controller.scheduler``) is written independently of
``mtv_mcp.core.placement``; where they disagree about which nodes fit, where the pod lands, or
what the scheduler says when nothing fits, these tests fail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mtv_mcp.core.convertor.pod_template import default_convertor_affinity, preview_convertor_pod
from mtv_mcp.core.placement import evaluate_placement
from mtv_mcp.sandbox.controller.scheduler import schedule
from mtv_mcp.sandbox.loader import read_documents

DEMO = Path(__file__).resolve().parents[3] / "sandbox" / "data" / "demo" / "kube"
WAVE1_SELECTOR = {"storage": "nvme", "network.example.com/vmware-migration": "true"}
AVOID_DATABASES = {
    "podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {
                "labelSelector": {"matchLabels": {"tier": "database"}},
                "namespaceSelector": {},
                "topologyKey": "kubernetes.io/hostname",
            }
        ]
    }
}
# The same term without namespaceSelector sees only the pod's own namespace (no databases there).
AVOID_DATABASES_HERE = {
    "podAntiAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {"labelSelector": {"matchLabels": {"tier": "database"}}, "topologyKey": "kubernetes.io/hostname"}
        ]
    }
}
Cluster = dict[str, list[dict[str, Any]]]


def _demo() -> Cluster:
    found: Cluster = {"Node": [], "Pod": [], "Namespace": []}
    for _, raw in read_documents(DEMO):
        if raw.get("kind") in found:
            obj = copy.deepcopy(raw)
            meta = obj["metadata"]
            meta.setdefault("name", f"{meta.get('generateName', 'pod-')}{len(found[obj['kind']])}")
            meta.setdefault("uid", f"uid-{obj['kind']}-{meta['name']}")
            found[obj["kind"]].append(obj)
    return found


def _node(cluster: Cluster, name: str) -> dict[str, Any]:
    return next(n for n in cluster["Node"] if n["metadata"]["name"] == name)


def _unchanged(_: Cluster) -> None:
    return None


def _cordon_worker_3(c: Cluster) -> None:
    _node(c, "worker-3")["spec"]["unschedulable"] = True


def _untaint_mig_0(c: Cluster) -> None:
    _node(c, "mig-0")["spec"]["taints"] = []


def _fill_worker_4(c: Cluster) -> None:
    _node(c, "worker-4")["status"]["allocatable"]["pods"] = "2"


def _no_kvm(c: Cluster) -> None:
    for node in c["Node"]:
        node["status"]["allocatable"].pop("devices.kubevirt.io/kvm", None)


def _repelling_database(c: Cluster) -> None:
    postgres = next(p for p in c["Pod"] if p["metadata"]["name"] == "postgres-0")
    postgres["spec"]["affinity"] = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {
                    "labelSelector": {"matchLabels": {"forklift.app": "virt-v2v"}},
                    "namespaceSelector": {},
                    "topologyKey": "topology.kubernetes.io/zone",
                }
            ]
        }
    }


NEAR_CACHE = {
    "podAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": [
            {
                "labelSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["cache"]}]},
                "namespaceSelector": {},
                "topologyKey": "topology.kubernetes.io/zone",
            }
        ]
    }
}
ZONE_B_ONLY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["us-east-1b"]}
                    ]
                }
            ]
        },
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 50, "preference": {"matchExpressions": [{"key": "storage", "operator": "Exists"}]}}
        ],
    }
}

CASES: dict[str, tuple[dict[str, str], dict[str, Any] | None, Callable[[Cluster], None]]] = {
    "wave1 as planned (Pending)": (WAVE1_SELECTOR, AVOID_DATABASES, _unchanged),
    "wave1, mig-0 untainted": (WAVE1_SELECTOR, AVOID_DATABASES, _untaint_mig_0),
    "wave1 without the anti-affinity": (WAVE1_SELECTOR, None, _unchanged),
    "wave1, anti-affinity in its own namespace": (WAVE1_SELECTOR, AVOID_DATABASES_HERE, _unchanged),
    "wave1, worker-3 cordoned": (WAVE1_SELECTOR, None, _cordon_worker_3),
    "wave1, worker-4 full of pods": (WAVE1_SELECTOR, None, _fill_worker_4),
    "no selector, default spreading": ({}, None, _unchanged),
    "no selector, no kvm anywhere": ({}, None, _no_kvm),
    "a database repels convertors per zone": ({}, default_convertor_affinity(), _repelling_database),
    "near the cache per zone": ({}, NEAR_CACHE, _unchanged),
    "zone b only, prefer storage": ({}, ZONE_B_ONLY, _unchanged),
    "sas storage": ({"storage": "sas"}, None, _unchanged),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_product_prediction_matches_the_sandbox_scheduler(case: str) -> None:
    selector, affinity, change = CASES[case]
    cluster = _demo()
    change(cluster)
    pod = preview_convertor_pod("app-migrated", node_selector=selector, affinity=affinity, labels={"team": "m"})
    pod["metadata"].update(name="probe", uid="probe-uid")
    nodes, pods, namespaces = cluster["Node"], cluster["Pod"], cluster["Namespace"]

    predicted = evaluate_placement(pod, nodes, pods, namespaces)
    legacy = schedule(pod, nodes, pods, namespaces, wording="legacy")
    current = schedule(pod, nodes, pods, namespaces)

    assert list(legacy.feasible) == [v.node for v in predicted.fitting()], case
    assert current.feasible == legacy.feasible
    assert current.node == legacy.node
    assert legacy.node == predicted.best_node(), case
    product_message = predicted.failed_scheduling_message()
    if legacy.node is None:
        # The product writes the part before kube-scheduler's PostFilter tail word for word.
        assert legacy.message.startswith(product_message), (legacy.message, product_message)
        assert " preemption: " in legacy.message
        assert "no new claims to deallocate, preemption: " in current.message
        assert "untolerated taint(s)" in current.message or "taint" not in current.message
    else:
        assert product_message == ""
        assert legacy.message == ""


def test_the_demo_story_has_both_a_fitting_and_a_pending_case() -> None:
    outcomes = {case: schedule_case(case) for case in CASES}
    assert outcomes["wave1 as planned (Pending)"] is None
    assert outcomes["wave1, mig-0 untainted"] == "mig-0"
    assert outcomes["wave1 without the anti-affinity"] == "worker-4"
    assert outcomes["wave1, anti-affinity in its own namespace"] == "worker-4"
    assert outcomes["wave1, worker-4 full of pods"] is None


def schedule_case(case: str) -> str | None:
    selector, affinity, change = CASES[case]
    cluster = _demo()
    change(cluster)
    pod = preview_convertor_pod("app-migrated", node_selector=selector, affinity=affinity)
    pod["metadata"].update(name="probe", uid="probe-uid")
    return schedule(pod, cluster["Node"], cluster["Pod"], cluster["Namespace"]).node
