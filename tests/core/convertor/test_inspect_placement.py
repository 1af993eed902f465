"""Rule checks, Pending diagnoses, node pressure and the placement preview on the demo data files."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from mtv_mcp.core.convertor.events import events_by_pod, latest_failed_scheduling
from mtv_mcp.core.convertor.pending import diagnose_pending
from mtv_mcp.core.convertor.pod_status import container_state
from mtv_mcp.core.convertor.pressure import nodes_pressure
from mtv_mcp.core.convertor.preview import preview_placement
from mtv_mcp.core.convertor.rules_check import check_rules
from mtv_mcp.core.placement import ReasonKind
from mtv_mcp.sandbox.runner import DATA_ROOT

KUBE = DATA_ROOT / "demo" / "kube"


def _documents() -> Iterator[dict[str, Any]]:
    for path in sorted(KUBE.glob("*.yaml")):
        yield from (doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc)


DEMO = list(_documents())


def of_kind(kind: str) -> list[dict[str, Any]]:
    return [copy.deepcopy(d) for d in DEMO if d.get("kind") == kind]


def named(kind: str, name: str) -> dict[str, Any]:
    return next(d for d in of_kind(kind) if d["metadata"]["name"] == name)


NODES, PODS, NAMESPACES = of_kind("Node"), of_kind("Pod"), of_kind("Namespace")
PLAN_SPEC = named("Plan", "wave1")["spec"]
RUNNING, PENDING = "wave1-vm-2041-p7x2c", "wave1-vm-2061-zk4qd"


def placed_on(node: str) -> dict[str, Any]:
    pod = named("Pod", RUNNING)
    pod["spec"]["nodeName"] = node
    return pod


def test_running_pod_meets_the_rules() -> None:
    check = check_rules(named("Pod", RUNNING), PLAN_SPEC, NODES, PODS, NAMESPACES)
    assert check is not None
    assert check.satisfied
    assert check.violations == []
    assert check.labels_missing == []
    assert not check.rules_changed
    # Without its own 1Gi, worker-3 has room again: it is the only node the rules allow, and the best.
    assert check.candidates == 1
    assert check.best_node == "worker-3"
    assert check.score == check.best_score


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("worker-0", "didn't match Pod's node affinity/selector"),
        ("worker-4", "didn't match pod anti-affinity rules"),
        ("mig-0", "untolerated taint {dedicated: migration}"),
    ],
)
def test_off_rule_nodes_are_flagged_with_the_rule_they_break(node: str, expected: str) -> None:
    check = check_rules(placed_on(node), PLAN_SPEC, NODES, PODS, NAMESPACES)
    assert check is not None
    assert not check.satisfied
    assert any(expected in v for v in check.violations)


def test_selector_entries_missing_on_the_node() -> None:
    check = check_rules(placed_on("worker-0"), PLAN_SPEC, NODES, PODS, NAMESPACES)
    assert check is not None
    assert check.selector_missing == ["storage=nvme", "network.example.com/vmware-migration=true"]


def test_missing_convertor_labels_and_changed_rules() -> None:
    pod = named("Pod", RUNNING)
    del pod["metadata"]["labels"]["team"]
    spec = {**PLAN_SPEC, "convertorNodeSelector": {"storage": "nvme"}}
    check = check_rules(pod, spec, NODES, PODS, NAMESPACES)
    assert check is not None
    assert check.labels_missing == ["team=migration"]
    assert check.rules_changed


def test_unbound_pod_has_no_rule_check() -> None:
    assert check_rules(named("Pod", PENDING), PLAN_SPEC, NODES, PODS, NAMESPACES) is None


def test_pending_pod_from_its_event() -> None:
    events = events_by_pod(of_kind("Event"))[PENDING]
    pod = named("Pod", PENDING)
    diagnosis = diagnose_pending(
        pod,
        event=latest_failed_scheduling(events),
        state=container_state(pod, "virt-v2v"),
        nodes=NODES,
        pods=PODS,
        namespaces=NAMESPACES,
    )
    assert diagnosis.source == "event"
    counted = {(c.reason.kind, c.reason.count): c.nodes for c in diagnosis.reasons}
    assert counted[(ReasonKind.INSUFFICIENT_MEMORY, 1)] == ["worker-3"]
    assert counted[(ReasonKind.POD_ANTI_AFFINITY, 1)] == ["worker-4"]
    assert diagnosis.reasons[-1].reason.expected  # the control-plane taint needs no action and comes last
    assert diagnosis.fits_now == []
    causes = {(c.kind.value, c.detail): c.nodes for c in diagnosis.node_causes}
    taint = "taint dedicated=migration:NoSchedule; none of the pod's tolerations matches it"
    assert causes["untolerated-taint", taint] == ["mig-0"]
    excluded = {node for cause in diagnosis.node_causes for node in cause.nodes}
    assert len(excluded) == len(NODES)  # every node is named, each reason once
    assert len(diagnosis.fixes()) == 4


def test_pending_pod_without_events_uses_placement() -> None:
    pod = named("Pod", PENDING)
    diagnosis = diagnose_pending(pod, event=None, state=None, nodes=NODES, pods=PODS, namespaces=NAMESPACES)
    assert diagnosis.source == "placement"
    assert diagnosis.message is not None
    assert diagnosis.message.startswith("0/9 nodes are available: 1 Insufficient memory")
    kinds = {c.reason.kind for c in diagnosis.reasons}
    assert {ReasonKind.INSUFFICIENT_MEMORY, ReasonKind.POD_ANTI_AFFINITY, ReasonKind.TAINT} <= kinds
    assert all(c.nodes for c in diagnosis.reasons)


def test_pending_pod_fits_once_memory_is_freed() -> None:
    pod = named("Pod", PENDING)
    others = [p for p in PODS if not p["metadata"]["name"].startswith("elasticsearch")]
    diagnosis = diagnose_pending(pod, event=None, state=None, nodes=NODES, pods=others, namespaces=NAMESPACES)
    assert diagnosis.fits_now == ["worker-3"]
    assert diagnosis.fixes()[0].startswith("placement finds room now on worker-3")


def test_bound_pod_waiting_for_its_container() -> None:
    pod = placed_on("worker-3")
    pod["status"] = {
        "phase": "Pending",
        "containerStatuses": [{"name": "virt-v2v", "state": {"waiting": {"reason": "ImagePullBackOff"}}}],
    }
    diagnosis = diagnose_pending(
        pod, event=None, state=container_state(pod, "virt-v2v"), nodes=NODES, pods=PODS, namespaces=NAMESPACES
    )
    assert (diagnosis.state, diagnosis.waiting_reason) == ("waiting", "ImagePullBackOff")
    assert "ImagePullBackOff" in diagnosis.fixes()[0]


def test_node_pressure_of_the_convertor_node() -> None:
    (worker3,) = nodes_pressure({"worker-3": ["a", "b"]}, NODES, PODS)
    memory = next(r for r in worker3.resources if r.resource == "memory")
    assert (memory.allocatable, memory.percent) == ("60Gi", 99)
    assert worker3.busy == ["memory"]
    assert worker3.ready
    assert worker3.convertors == ["a", "b"]


def test_preview_selector_key_no_node_has() -> None:
    preview = preview_placement(
        "app-migrated", node_selector={"gpu": "true"}, affinity=None, nodes=NODES, pods=PODS, namespaces=NAMESPACES
    )
    assert preview.would_stay_pending
    selector = next(c for c in preview.causes if c.kind is ReasonKind.NODE_AFFINITY)
    assert "no node has the label gpu=true" in selector.fix
    assert len(preview.excluded) == len(NODES)


LABEL_PAIRS = sorted(
    {(k, v) for node in NODES for k, v in node["metadata"]["labels"].items() if not k.startswith("kubernetes.io/h")}
)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(LABEL_PAIRS), max_size=3, unique_by=lambda pair: pair[0]))
def test_preview_partitions_the_nodes_and_honours_the_selector(pairs: list[tuple[str, str]]) -> None:
    selector = dict(pairs)
    preview = preview_placement(
        "app-migrated", node_selector=selector, affinity=None, nodes=NODES, pods=PODS, namespaces=NAMESPACES
    )
    names = {c.node for c in preview.candidates} | {e.node for e in preview.excluded}
    assert names == {n["metadata"]["name"] for n in NODES}
    assert preview.would_stay_pending == (not preview.candidates)
    assert [c.score for c in preview.candidates] == sorted((c.score for c in preview.candidates), reverse=True)
    labels = {n["metadata"]["name"]: n["metadata"]["labels"] for n in NODES}
    for candidate in preview.candidates:
        assert all(labels[candidate.node].get(k) == v for k, v in preview.node_selector.items())
