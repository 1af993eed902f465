"""Placement scenarios with answers worked out by hand from kube-scheduler's rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.placement import ReasonKind, evaluate_placement
from tests.core.placement.builders import node, pod, term

DEMO = Path(__file__).resolve().parents[3] / "sandbox" / "data" / "demo" / "kube"
GI = 1024**3


def demo_objects() -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(DEMO.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            found.setdefault(doc["kind"], []).append(doc)
    return found


def test_demo_pending_convertor_gets_the_documented_message() -> None:
    objects = demo_objects()
    pending = next(p for p in objects["Pod"] if p["metadata"]["name"] == "wave1-vm-2061-zk4qd")
    result = evaluate_placement(pending, objects["Node"], objects["Pod"], objects["Namespace"])
    assert result.best_node() is None
    assert result.failed_scheduling_message() == (
        "0/9 nodes are available: 1 Insufficient memory, 1 node(s) didn't match pod anti-affinity rules, "
        "1 node(s) had untolerated taint {dedicated: migration}, 3 node(s) didn't match Pod's node affinity/selector, "
        "3 node(s) had untolerated taint {node-role.kubernetes.io/master: }."
    )
    memory = result.verdict("worker-3").reasons[0]
    assert (memory.kind, memory.resource, memory.requested, memory.free) == (
        ReasonKind.INSUFFICIENT_MEMORY,
        "memory",
        GI,
        60 * GI - int(59.25 * GI),
    )
    assert result.verdict("worker-4").reasons[0].pods == ["prod-db/postgres-0"]
    taint = result.verdict("mig-0").reasons[0].taint
    assert taint is not None
    assert (taint.key, taint.value, taint.effect) == ("dedicated", "migration", "NoSchedule")
    # Every reason is listed, but only the first failing plugin's reach the message.
    master = result.verdict("master-0").reasons
    assert [r.kind for r in master] == [ReasonKind.TAINT, ReasonKind.NODE_AFFINITY, ReasonKind.INSUFFICIENT_KVM]
    assert [r.reported for r in master] == [True, False, False]
    assert master[2].resource == "devices.kubevirt.io/kvm"


def test_the_same_pod_fits_once_the_running_convertor_is_gone() -> None:
    objects = demo_objects()
    pending = next(p for p in objects["Pod"] if p["metadata"]["name"] == "wave1-vm-2061-zk4qd")
    others = [p for p in objects["Pod"] if p["metadata"]["name"] != "wave1-vm-2041-p7x2c"]
    result = evaluate_placement(pending, objects["Node"], others, objects["Namespace"])
    assert [v.node for v in result.fitting()] == ["worker-3"]
    assert result.best_node() == "worker-3"
    assert result.failed_scheduling_message() == ""


def test_taints_and_tolerations() -> None:
    nodes = [
        node("plain"),
        node("dedicated", taints=[{"key": "dedicated", "value": "migration", "effect": "NoSchedule"}]),
        node("evicting", taints=[{"key": "maintenance", "effect": "NoExecute"}]),
        node("soft", taints=[{"key": "spot", "value": "true", "effect": "PreferNoSchedule"}]),
        node(
            "two",
            taints=[
                {"key": "a", "value": "1", "effect": "NoSchedule"},
                {"key": "b", "value": "2", "effect": "NoSchedule"},
            ],
        ),
    ]
    bare = evaluate_placement(pod("p"), nodes, [])
    assert [v.node for v in bare.fitting()] == ["plain", "soft"]
    two = bare.verdict("two").reasons
    assert [(r.taint.key if r.taint else None, r.reported) for r in two] == [("a", True), ("b", False)]
    assert bare.failed_scheduling_message() == ""
    tolerant = pod(
        "p",
        tolerations=[
            {"key": "dedicated", "operator": "Equal", "value": "migration", "effect": "NoSchedule"},
            {"key": "maintenance", "operator": "Exists"},
        ],
    )
    assert [v.node for v in evaluate_placement(tolerant, nodes, []).fitting()] == [
        "plain",
        "dedicated",
        "evicting",
        "soft",
    ]
    wrong_value = pod("p", tolerations=[{"key": "dedicated", "operator": "Equal", "value": "other"}])
    assert not evaluate_placement(wrong_value, nodes, []).verdict("dedicated").fits
    wrong_effect = pod("p", tolerations=[{"key": "dedicated", "operator": "Exists", "effect": "NoExecute"}])
    assert not evaluate_placement(wrong_effect, nodes, []).verdict("dedicated").fits
    everything = pod("p", tolerations=[{"operator": "Exists"}])
    assert len(evaluate_placement(everything, nodes, []).fitting()) == 5


def test_cordoned_node_and_requested_node_name() -> None:
    nodes = [node("a", unschedulable=True), node("b")]
    result = evaluate_placement(pod("p"), nodes, [])
    assert result.verdict("a").reasons[0].message == "node(s) were unschedulable"
    tolerant = pod("p", tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists"}])
    assert evaluate_placement(tolerant, nodes, []).verdict("a").fits
    named = pod("p")
    named["spec"]["nodeName"] = "a"
    message = evaluate_placement(named, nodes, []).failed_scheduling_message()
    assert (
        message
        == "0/2 nodes are available: 1 node(s) didn't match the requested node name, 1 node(s) were unschedulable."
    )


def test_kvm_exhausted_and_missing() -> None:
    nodes = [node("full", kvm="2"), node("nokvm", kvm=None), node("free", kvm="2")]
    bound = [pod(f"v{i}", node_name="full", requests={"devices.kubevirt.io/kvm": "1"}) for i in range(2)]
    bound.append(pod("done", node_name="free", requests={"devices.kubevirt.io/kvm": "2"}, phase="Succeeded"))
    convertor = pod("new", requests={"cpu": "1", "memory": "1Gi", "devices.kubevirt.io/kvm": "1"})
    result = evaluate_placement(convertor, nodes, bound)
    assert [v.node for v in result.fitting()] == ["free"]
    full = result.verdict("full").reasons[0]
    assert (full.message, full.requested, full.free, full.allocatable) == (
        "Insufficient devices.kubevirt.io/kvm",
        1,
        0,
        2,
    )
    assert result.verdict("nokvm").reasons[0].allocatable == 0
    result = evaluate_placement(convertor, nodes[:2], bound)
    assert result.failed_scheduling_message() == "0/2 nodes are available: 2 Insufficient devices.kubevirt.io/kvm."


def test_cpu_memory_and_pod_count_are_all_reported() -> None:
    nodes = [node("small", cpu="2", memory="4Gi", pods="1")]
    bound = [pod("hog", node_name="small", requests={"cpu": "1500m", "memory": "3Gi"})]
    result = evaluate_placement(pod("p", requests={"cpu": "1", "memory": "2Gi"}), nodes, bound)
    reasons = result.verdict("small").reasons
    assert [r.message for r in reasons] == ["Too many pods", "Insufficient cpu", "Insufficient memory"]
    assert (reasons[1].requested, reasons[1].free, reasons[1].unit) == (1000, 500, "millicores")
    assert result.failed_scheduling_message() == (
        "0/1 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods."
    )


def test_init_containers_and_overhead_count_as_kube_does() -> None:
    convertor = pod("p", requests={"cpu": "1", "memory": "1Gi"})
    convertor["spec"]["initContainers"] = [{"name": "init", "resources": {"requests": {"cpu": "2", "memory": "100Mi"}}}]
    convertor["spec"]["overhead"] = {"cpu": "250m"}
    result = evaluate_placement(convertor, [node("n", cpu="2")], [])
    cpu = result.verdict("n").reasons[0]
    assert (cpu.resource, cpu.requested) == ("cpu", 2250)  # max(1, 2) + 0.25


def test_node_selector_and_required_node_affinity() -> None:
    nodes = [
        node("a", labels={"storage": "nvme", "gen": "5"}),
        node("b", labels={"storage": "sas", "gen": "3"}),
        node("c", labels={"storage": "nvme", "gen": "2"}),
    ]
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "gen", "operator": "Gt", "values": ["3"]}]},
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["b"]}]},
                ]
            }
        }
    }
    result = evaluate_placement(pod("p", node_selector={"storage": "nvme"}, affinity=affinity), nodes, [])
    assert [v.node for v in result.fitting()] == ["a"]
    assert "storage=sas" in result.verdict("b").reasons[0].detail
    assert "gen Gt [3]" in result.verdict("c").reasons[0].detail
    assert result.failed_scheduling_message() == ""


def test_required_pod_affinity_to_pods_in_another_namespace_by_zone() -> None:
    nodes = [node("a1", zone="a"), node("a2", zone="a"), node("b1", zone="b"), node("nozone")]
    osd = pod("osd-0", "openshift-storage", labels={"app": "rook-ceph-osd"}, node_name="a1")
    near = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                term({"app": "rook-ceph-osd"}, "topology.kubernetes.io/zone", namespaces=["openshift-storage"])
            ]
        }
    }
    result = evaluate_placement(pod("p", affinity=near), nodes, [osd])
    assert [v.node for v in result.fitting()] == ["a1", "a2"]
    assert result.verdict("b1").reasons[0].kind == ReasonKind.POD_AFFINITY
    assert "no label" in result.verdict("nozone").reasons[0].detail
    # Without namespaces the term looks only in the pod's own namespace: nothing matches, the pod
    # does not match itself either, so no node fits.
    own_ns = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                term({"app": "rook-ceph-osd"}, "topology.kubernetes.io/zone")
            ]
        }
    }
    message = evaluate_placement(pod("p", affinity=own_ns), nodes, [osd]).failed_scheduling_message()
    assert message == "0/4 nodes are available: 4 node(s) didn't match pod affinity rules."
    # A namespaceSelector picks namespaces by their labels.
    by_label = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                term(
                    {"app": "rook-ceph-osd"},
                    "topology.kubernetes.io/zone",
                    namespaceSelector={"matchLabels": {"storage": "ceph"}},
                )
            ]
        }
    }
    namespaces = [{"metadata": {"name": "openshift-storage", "labels": {"storage": "ceph"}}}]
    assert len(evaluate_placement(pod("p", affinity=by_label), nodes, [osd], namespaces).fitting()) == 2
    assert not evaluate_placement(pod("p", affinity=by_label), nodes, [osd], []).fitting()


def test_first_pod_with_affinity_to_itself() -> None:
    nodes = [node("a", zone="a"), node("b", zone="b"), node("nozone")]
    together = {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [term({"wave": "1"}, "topology.kubernetes.io/zone")]
        }
    }
    first = pod("p", labels={"wave": "1"}, affinity=together)
    assert [v.node for v in evaluate_placement(first, nodes, []).fitting()] == ["a", "b"]
    second = evaluate_placement(
        pod("q", labels={"wave": "1"}, affinity=together),
        nodes,
        [{**first, "spec": {**first["spec"], "nodeName": "b"}}],
    )
    assert [v.node for v in second.fitting()] == ["b"]
    stranger = pod("r", labels={"wave": "2"}, affinity=together)
    assert not evaluate_placement(stranger, nodes, []).fitting()


def test_anti_affinity_against_itself_spreads_convertors() -> None:
    nodes = [node("a"), node("b"), node("c")]
    spread = {
        "podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term({"forklift.app": "virt-v2v"})]}
    }
    labels = {"forklift.app": "virt-v2v"}
    running = [
        pod("v1", labels=labels, node_name="a", affinity=spread),
        pod("v2", labels=labels, node_name="b", affinity=spread),
    ]
    incoming = pod("v3", labels=labels, affinity=spread)
    assert [v.node for v in evaluate_placement(incoming, nodes, running).fitting()] == ["c"]
    # The incoming pod is ignored when it appears in the pod list (as read back from a store).
    assert [v.node for v in evaluate_placement(incoming, nodes, [*running, incoming]).fitting()] == ["c"]
    # An existing pod's anti-affinity also keeps a pod without rules away.
    plain = evaluate_placement(pod("x", labels=labels), nodes, running)
    assert [v.node for v in plain.fitting()] == ["c"]
    assert plain.verdict("a").reasons[0].kind == ReasonKind.EXISTING_POD_ANTI_AFFINITY
    assert plain.verdict("a").reasons[0].message == "node(s) didn't satisfy existing pods anti-affinity rules"


def test_preferred_node_affinity_weights_and_normalisation() -> None:
    nodes = [node("a", labels={"storage": "nvme", "net": "fast"}), node("b", labels={"storage": "nvme"}), node("c")]
    prefer = {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 80,
                    "preference": {"matchExpressions": [{"key": "storage", "operator": "In", "values": ["nvme"]}]},
                },
                {"weight": 20, "preference": {"matchExpressions": [{"key": "net", "operator": "Exists"}]}},
            ]
        }
    }
    result = evaluate_placement(pod("p", affinity=prefer), nodes, [])
    assert [result.verdict(n).preferred_node_affinity for n in "abc"] == [100, 80, 0]
    assert [result.verdict(n).scores["NodeAffinity"] for n in "abc"] == [100, 80, 0]
    assert result.best_node() == "a"


def test_preferred_pod_affinity_and_anti_affinity_scores() -> None:
    nodes = [node("a", zone="z1"), node("b", zone="z1"), node("c", zone="z2"), node("d", zone="z3")]
    bound = [
        pod("osd", "storage", labels={"app": "osd"}, node_name="a"),
        pod("db", labels={"tier": "database"}, node_name="c"),
    ]
    rules = {
        "podAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 60,
                    "podAffinityTerm": term({"app": "osd"}, "topology.kubernetes.io/zone", namespaceSelector={}),
                }
            ]
        },
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 40, "podAffinityTerm": term({"tier": "database"})}
            ]
        },
    }
    result = evaluate_placement(pod("p", affinity=rules), nodes, bound)
    assert [result.verdict(n).preferred_pod_affinity for n in "abcd"] == [60, 60, -40, 0]
    # min-max normalisation: (raw + 40) / 100 * 100
    assert [result.verdict(n).scores["InterPodAffinity"] for n in "abcd"] == [100, 100, 0, 40]
    assert result.best_node() in ("a", "b")


def test_bad_input_names_the_field() -> None:
    with pytest.raises(MtvError) as info:
        evaluate_placement(pod("p", tolerations=[{"operator": "Maybe"}]), [node("a")], [])
    assert info.value.field == "spec.tolerations.0.operator"
    with pytest.raises(MtvError, match="nodes\\[0\\]"):
        evaluate_placement(pod("p"), ["worker-0"], [])  # type: ignore[list-item]
    with pytest.raises(MtvError, match="quantity '1 Gi'"):
        evaluate_placement(pod("p", requests={"memory": "1 Gi"}), [node("a")], [])


def test_no_nodes() -> None:
    assert evaluate_placement(pod("p"), [], []).failed_scheduling_message() == "no nodes available to schedule pods"
