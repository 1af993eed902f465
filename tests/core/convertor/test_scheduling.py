"""FailedScheduling messages of many Kubernetes releases decoded into reasons and fixes."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.convertor.pod_template import ConvertorSettings
from mtv_mcp.core.convertor.scheduling import decode_failed_scheduling
from mtv_mcp.core.placement import ReasonKind
from mtv_mcp.sandbox.controller.convertor_pod import build_convertor_pod

DEMO = (
    "0/9 nodes are available: 1 Insufficient memory, 1 node(s) didn't match pod anti-affinity rules, 1 node(s) had "
    "untolerated taint {dedicated: migration}, 3 node(s) didn't match Pod's node affinity/selector, 3 node(s) had "
    "untolerated taint {node-role.kubernetes.io/master: }. preemption: 0/9 nodes are available: 1 No preemption "
    "victims found for incoming pod, 8 Preemption is not helpful for scheduling."
)


def _node(name: str, labels: dict[str, str], taints: list[dict[str, str]] | None = None, kvm: str = "1k") -> Any:
    return {
        "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **labels}},
        "spec": {"taints": taints or []},
        "status": {"allocatable": {"cpu": "32", "memory": "120Gi", "devices.kubevirt.io/kvm": kvm}},
    }


NVME = {"kubevirt.io/schedulable": "true", "storage": "nvme", "network.example.com/vmware-migration": "true"}
NODES = [
    *(
        _node(
            f"master-{i}",
            {"kubevirt.io/schedulable": "false"},
            [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}],
            kvm="0",
        )
        for i in range(3)
    ),
    *(_node(f"worker-{i}", {"kubevirt.io/schedulable": "true", "storage": "sas"}) for i in range(3)),
    _node("worker-3", NVME),
    _node("worker-4", NVME),
    _node("mig-0", NVME, [{"key": "dedicated", "value": "migration", "effect": "NoSchedule"}]),
]


def _kinds(message: str) -> list[tuple[ReasonKind, int | None]]:
    return [(r.kind, r.count) for r in decode_failed_scheduling(message).reasons]


def test_demo_message() -> None:
    diagnosis = decode_failed_scheduling(DEMO)
    assert (diagnosis.total_nodes, diagnosis.available_nodes) == (9, 0)
    assert [(r.kind, r.count) for r in diagnosis.reasons] == [
        (ReasonKind.INSUFFICIENT_MEMORY, 1),
        (ReasonKind.POD_ANTI_AFFINITY, 1),
        (ReasonKind.TAINT, 1),
        (ReasonKind.NODE_AFFINITY, 3),
        (ReasonKind.TAINT, 3),
    ]
    taint, master = diagnosis.reasons[2], diagnosis.reasons[4]
    assert (taint.taint_key, taint.taint_value, taint.expected) == ("dedicated", "migration", False)
    assert (master.taint_key, master.taint_value, master.expected) == ("node-role.kubernetes.io/master", "", True)
    assert "no action" in master.fix
    assert [r.kind for r in diagnosis.blocking] == [r.kind for r in diagnosis.reasons[:4]]
    assert diagnosis.preemption is not None
    assert diagnosis.preemption.endswith("not helpful for scheduling")
    assert sum(r.count or 0 for r in diagnosis.reasons) == 9


def test_fixes_name_what_is_involved_with_pod_and_nodes(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    pod = build_convertor_pod(plan, migration, {"id": "vm-2061"})
    diagnosis = decode_failed_scheduling(DEMO, pod=pod, nodes=NODES)
    fixes = {r.kind: r.fix for r in diagnosis.reasons}
    assert "1Gi memory" in fixes[ReasonKind.INSUFFICIENT_MEMORY]
    assert "virt_v2v_container_requests_memory" in fixes[ReasonKind.INSUFFICIENT_MEMORY]
    assert "tier=database" in fixes[ReasonKind.POD_ANTI_AFFINITY]
    assert "AVOID → REPEL" in fixes[ReasonKind.POD_ANTI_AFFINITY]
    assert "dedicated=migration:NoSchedule (mig-0)" in diagnosis.reasons[2].fix
    assert "convertorTolerations" in diagnosis.reasons[2].fix
    assert "3 node(s) (mig-0, worker-3, worker-4)" in fixes[ReasonKind.NODE_AFFINITY]


def test_selector_key_no_node_has(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    plan["spec"]["convertorNodeSelector"] = {"storage": "optane"}
    pod = build_convertor_pod(plan, migration, {"id": "vm-2061"})
    reason = decode_failed_scheduling(
        "0/9 nodes are available: 9 node(s) didn't match Pod's node affinity/selector.", pod=pod, nodes=NODES
    ).reasons[0]
    assert reason.kind is ReasonKind.NODE_AFFINITY
    assert "no node has the label storage=optane" in reason.fix
    assert "kubectl label node <node> storage=optane" in reason.fix


def test_kvm_shortage(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    pod = build_convertor_pod(plan, migration, {"id": "vm-2061"}, settings=ConvertorSettings())
    reason = decode_failed_scheduling(
        "0/9 nodes are available: 3 Insufficient devices.kubevirt.io/kvm, 6 node(s) didn't match node selector.",
        pod=pod,
        nodes=NODES,
    ).reasons[0]
    assert (reason.kind, reason.count, reason.resource) == (ReasonKind.INSUFFICIENT_KVM, 3, "devices.kubevirt.io/kvm")
    assert "no node left has devices.kubevirt.io/kvm free" in reason.fix
    assert "master-0" in reason.fix
    assert "virt_v2v_dont_request_kvm" in reason.fix


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        # Kubernetes <= 1.9 predicate names
        ("0/3 nodes are available: 3 MatchNodeSelector.", [(ReasonKind.NODE_AFFINITY, 3)]),
        (
            "0/3 nodes are available: 1 PodToleratesNodeTaints, 2 Insufficient cpu.",
            [(ReasonKind.TAINT, 1), (ReasonKind.INSUFFICIENT_CPU, 2)],
        ),
        # 1.10 - 1.17
        (
            "0/4 nodes are available: 1 node(s) had taints that the pod didn't tolerate, 3 node(s) didn't match node "
            "selector.",
            [(ReasonKind.TAINT, 1), (ReasonKind.NODE_AFFINITY, 3)],
        ),
        # 1.18 - 1.24
        (
            "0/6 nodes are available: 3 node(s) had taint {node-role.kubernetes.io/master: }, that the pod didn't "
            "tolerate, 3 node(s) didn't match Pod's node affinity.",
            [(ReasonKind.TAINT, 3), (ReasonKind.NODE_AFFINITY, 3)],
        ),
        (
            "0/3 nodes are available: 1 node(s) didn't match pod affinity/anti-affinity, 2 node(s) didn't satisfy "
            "existing pods anti-affinity rules.",
            [(ReasonKind.POD_AFFINITY_OR_ANTI_AFFINITY, 1), (ReasonKind.EXISTING_POD_ANTI_AFFINITY, 2)],
        ),
        # 1.25+
        (
            "0/5 nodes are available: 2 node(s) didn't match pod affinity rules, 3 Too many pods. preemption: 0/5 "
            "nodes are available: 5 Preemption is not helpful for scheduling.",
            [(ReasonKind.POD_AFFINITY, 2), (ReasonKind.TOO_MANY_PODS, 3)],
        ),
        (
            "0/4 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unschedulable: }, 1 node(s) "
            "were unschedulable, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.",
            [(ReasonKind.UNSCHEDULABLE, 1), (ReasonKind.UNSCHEDULABLE, 1), (ReasonKind.NOT_READY, 2)],
        ),
        ("0/3 nodes are available: 3 node(s) had untolerated taint(s).", [(ReasonKind.TAINT, 3)]),
        (
            "0/3 nodes are available: 1 Insufficient ephemeral-storage, 2 node(s) had volume node affinity conflict.",
            [(ReasonKind.INSUFFICIENT_RESOURCE, 1), (ReasonKind.VOLUME, 2)],
        ),
        (
            "0/9 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/9 nodes are "
            "available: 9 Preemption is not helpful for scheduling.",
            [(ReasonKind.VOLUME, None)],
        ),
        (
            "0/2 nodes are available: 2 node(s) didn't match pod topology spread constraints (missing required label).",
            [(ReasonKind.TOPOLOGY_SPREAD, 2)],
        ),
        (
            "0/2 nodes are available: 1 node(s) didn't have free ports for the requested pod ports, 1 node(s) had "
            "memory pressure.",
            [(ReasonKind.PORTS, 1), (ReasonKind.NODE_PRESSURE, 1)],
        ),
        ("0/1 nodes are available: 1 node(s) didn't match the requested node name.", [(ReasonKind.NODE_NAME, 1)]),
        ("0/2 nodes are available: 2 node(s) frobnicated.", [(ReasonKind.UNKNOWN, 2)]),
    ],
)
def test_message_variants(message: str, expected: list[tuple[ReasonKind, int | None]]) -> None:
    assert _kinds(message) == expected


def test_forklift_pending_timeout_wrapper() -> None:
    wrapped = f"conversion pod wave1-vm-2061-zk4qd stuck in Pending for 5m0s (reason: Unschedulable: {DEMO})"
    diagnosis = decode_failed_scheduling(wrapped)
    assert diagnosis.total_nodes == 9
    assert [r.kind for r in diagnosis.reasons] == [r.kind for r in decode_failed_scheduling(DEMO).reasons]
    assert diagnosis.preemption is not None
    assert not diagnosis.preemption.endswith(")")
    no_preemption = (
        "stuck (reason: Unschedulable: 0/3 nodes are available: 3 node(s) had taint {a: b}, that the pod "
        "didn't tolerate.)"
    )
    reason = decode_failed_scheduling(no_preemption).reasons[0]
    assert (reason.taint_key, reason.taint_value) == ("a", "b")


def test_no_nodes_and_unrecognised_text() -> None:
    empty = decode_failed_scheduling("no nodes available to schedule pods")
    assert (empty.total_nodes, empty.reasons[0].kind) == (0, ReasonKind.NO_NODES)
    other = decode_failed_scheduling("skip schedule deleting pod: app/x")
    assert other.total_nodes is None
    assert other.reasons[0].kind is ReasonKind.UNKNOWN


@given(st.text(max_size=300))
def test_any_text_decodes(text: str) -> None:
    diagnosis = decode_failed_scheduling(text)
    assert all(r.fix for r in diagnosis.reasons)


CURRENT = (
    "0/9 nodes are available: 1 Insufficient memory, 1 node(s) didn't match pod anti-affinity rules, 3 node(s) "
    "didn't match Pod's node affinity/selector, 4 node(s) had untolerated taint(s). no new claims to deallocate, "
    "preemption: 0/9 nodes are available: 2 No preemption victims found for incoming pod, 7 Preemption is not "
    "helpful for scheduling."
)


def test_current_wording_keeps_the_reasons_apart_from_the_post_filter_tails() -> None:
    diagnosis = decode_failed_scheduling(CURRENT)
    assert [r.detail for r in diagnosis.reasons] == [
        "Insufficient memory",
        "node(s) didn't match pod anti-affinity rules",
        "node(s) didn't match Pod's node affinity/selector",
        "node(s) had untolerated taint(s)",
    ]
    assert diagnosis.preemption is not None
    assert diagnosis.preemption.startswith("0/9 nodes are available: 2 No preemption victims")


def test_keyless_taint_is_found_on_the_nodes_and_control_plane_stays_expected() -> None:
    diagnosis = decode_failed_scheduling(CURRENT, nodes=NODES)
    taints = [r for r in diagnosis.reasons if r.kind is ReasonKind.TAINT]
    assert [(r.count, r.taint_key, r.expected) for r in taints] == [
        (3, "node-role.kubernetes.io/master", True),
        (1, "dedicated", False),
    ]
    assert "no action" in taints[0].fix
    assert "mig-0" in taints[1].fix
    assert [r.kind for r in diagnosis.blocking].count(ReasonKind.TAINT) == 1
    assert sum(r.count or 0 for r in diagnosis.reasons) == 9


def test_keyless_taint_on_a_cordoned_or_changed_cluster() -> None:
    cordoned = [*NODES[:3], {**NODES[3], "spec": {"unschedulable": True, "taints": [_UNSCHED]}}]
    message = "0/4 nodes are available: 1 node(s) were unschedulable, 3 node(s) had untolerated taint(s)."
    diagnosis = decode_failed_scheduling(message, nodes=cordoned)
    assert [(r.kind, r.count, r.expected) for r in diagnosis.reasons] == [
        (ReasonKind.UNSCHEDULABLE, 1, False),
        (ReasonKind.TAINT, 3, True),
    ]
    changed = decode_failed_scheduling("0/9 nodes are available: 5 node(s) had untolerated taint(s).", nodes=NODES)
    [kept] = changed.reasons
    assert (kept.count, kept.taint_key, kept.expected) == (5, None, False)


_UNSCHED = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


def test_scheduler_enforced_node_affinity_is_not_the_plans_selector() -> None:
    message = "0/6 nodes are available: 6 node(s) didn't match scheduler-enforced node affinity."
    [reason] = decode_failed_scheduling(message, nodes=NODES).reasons
    assert (reason.kind, reason.count) == (ReasonKind.NODE_AFFINITY, 6)
    assert "addedAffinity" in reason.fix
