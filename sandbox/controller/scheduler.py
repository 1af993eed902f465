"""The sandbox's own small kube-scheduler: filters, a simple score and the ``FailedScheduling`` text.

Written from kube-scheduler's behaviour, independently of ``mtv_mcp.core.placement`` (the product's
prediction is checked against this, never echoed by it). It models what convertor pods meet:

- filters run per node in the default profile's order and stop at the first failing plugin:
  NodeUnschedulable (``pkg/scheduler/framework/plugins/nodeunschedulable``), TaintToleration (first
  untolerated NoSchedule/NoExecute taint, ``plugins/tainttoleration/taint_toleration.go``),
  NodeAffinity (``nodeSelector`` and required terms, ``plugins/nodeaffinity/node_affinity.go``),
  NodeResourcesFit (pod count, then cpu, memory and other requests, every shortfall reported,
  ``plugins/noderesources/fit.go``), InterPodAffinity (required affinity, then anti-affinity, then
  existing pods' anti-affinity, ``plugins/interpodaffinity/filtering.go``);
- the message is ``FitError.Error()`` (``pkg/scheduler/framework/types.go``): ``0/N nodes are
  available:`` and the ``count reason`` strings sorted, then the PostFilter tails: DynamicResources'
  ``no new claims to deallocate`` (``plugins/dynamicresources``, on by default since 1.34) and the
  DefaultPreemption summary (``pkg/scheduler/framework/preemption``);
- wording: Kubernetes 1.34 dropped the key from the taint reason (``node(s) had untolerated
  taint(s)``); ``wording="legacy"`` writes the older ``node(s) had untolerated taint {key: value}``
  without the DRA tail;
- the score picks among fitting nodes: preferred pod (anti-)affinity and preferred node affinity
  (weight 2 each, normalised) plus LeastAllocated over cpu and memory; ties go to the first node.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from mtv_mcp.core.quantity import int_value, milli_value
from mtv_mcp.sandbox.kube.selectors import LabelOperator, LabelSelector, Requirement

Wording = Literal["current", "legacy"]
Obj = Mapping[str, Any]

_FILTER_EFFECTS = ("NoSchedule", "NoExecute")
_OPERATORS: dict[str, LabelOperator] = {
    "In": "in",
    "NotIn": "notin",
    "Exists": "exists",
    "DoesNotExist": "!",
    "Gt": "gt",
    "Lt": "lt",
}
_NAMESPACE_LABEL = "kubernetes.io/metadata.name"
# UnschedulableAndUnresolvable failures; preemption "is not helpful" on such nodes.
_UNRESOLVABLE = frozenset({"NodeUnschedulable", "TaintToleration", "NodeAffinity", "InterPodAffinity/affinity"})


@dataclass(frozen=True)
class Decision:
    """Where the pod goes (``node``), or the scheduler's message when nowhere."""

    node: str | None
    message: str
    feasible: tuple[str, ...]
    rejected: dict[str, list[str]] = field(default_factory=dict)


def _meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _labels(obj: Obj) -> Mapping[str, str]:
    return _meta(obj).get("labels") or {}


def _selector(raw: Mapping[str, Any] | None) -> LabelSelector:
    """A ``metav1.LabelSelector`` or a ``NodeSelectorTerm``'s expressions as a label selector."""
    raw = raw or {}
    reqs = [Requirement(k, "=", (str(v),)) for k, v in (raw.get("matchLabels") or {}).items()]
    reqs += [
        Requirement(e["key"], _OPERATORS[e["operator"]], tuple(str(v) for v in e.get("values") or ()))
        for e in raw.get("matchExpressions") or []
    ]
    return LabelSelector(tuple(reqs))


def _tolerated(taint: Obj, tolerations: Sequence[Obj]) -> bool:
    """``v1helper.TolerationsTolerateTaint``: key (empty + Exists = all), operator, value, effect."""
    for tol in tolerations:
        if tol.get("effect") and tol["effect"] != taint.get("effect"):
            continue
        if tol.get("key") and tol["key"] != taint.get("key"):
            continue
        if tol.get("operator") == "Exists" or tol.get("value", "") == taint.get("value", ""):
            return True
    return False


def _requests(pod: Obj) -> Counter[str]:
    """Containers summed, the peak init container if larger, plus overhead (cpu in millicores)."""

    def amounts(container: Obj) -> Counter[str]:
        requests = (container.get("resources") or {}).get("requests") or {}
        return Counter({k: milli_value(v) if k == "cpu" else int_value(v) for k, v in requests.items()})

    spec = pod.get("spec") or {}
    total: Counter[str] = Counter()
    for container in spec.get("containers") or []:
        total.update(amounts(container))
    for init in spec.get("initContainers") or []:
        for name, value in amounts(init).items():
            total[name] = max(total[name], value)
    total.update(amounts({"resources": {"requests": spec.get("overhead") or {}}}))
    return total


def _allocatable(node: Obj) -> Counter[str]:
    raw = (node.get("status") or {}).get("allocatable") or {}
    return Counter({k: milli_value(v) if k == "cpu" else int_value(v) for k, v in raw.items()})


@dataclass
class _Cluster:
    pod: Obj
    nodes: Sequence[Obj]
    by_node: dict[str, list[Obj]]
    namespaces: dict[str, Mapping[str, str]]

    def term_namespaces(self, term: Obj, owner: Obj) -> set[str] | None:
        """Namespaces a pod affinity term looks at (None: every namespace)."""
        names = set(term.get("namespaces") or [])
        selector = term.get("namespaceSelector")
        if selector is None:
            return names or {_meta(owner).get("namespace", "default")}
        chosen = _selector(selector)
        if not selector:
            return None
        return names | {ns for ns, labels in self.namespaces.items() if chosen.matches(labels)}

    def matches(self, term: Obj, owner: Obj, other: Obj) -> bool:
        spaces = self.term_namespaces(term, owner)
        in_ns = spaces is None or _meta(other).get("namespace") in spaces
        return in_ns and _selector(term.get("labelSelector")).matches(_labels(other))

    def topology_pods(self, node: Obj, key: str) -> list[Obj]:
        value = _labels(node).get(key)
        if value is None:
            return []
        return [p for n in self.nodes if _labels(n).get(key) == value for p in self.by_node.get(_meta(n)["name"], [])]


def _affinity(obj: Obj, kind: str) -> Mapping[str, Any]:
    return ((obj.get("spec") or {}).get("affinity") or {}).get(kind) or {}


def _required(obj: Obj, kind: str) -> list[Obj]:
    return list(_affinity(obj, kind).get("requiredDuringSchedulingIgnoredDuringExecution") or [])


def _node_affinity_ok(pod: Obj, node: Obj) -> bool:
    labels = _labels(node)
    selector = (pod.get("spec") or {}).get("nodeSelector") or {}
    if any(labels.get(k) != v for k, v in selector.items()):
        return False
    required = _affinity(pod, "nodeAffinity").get("requiredDuringSchedulingIgnoredDuringExecution")
    if required is None:
        return True
    fields = {"metadata.name": _meta(node).get("name", "")}
    return any(
        (term.get("matchExpressions") or term.get("matchFields"))
        and _selector({"matchExpressions": term.get("matchExpressions")}).matches(labels)
        and _selector({"matchExpressions": term.get("matchFields")}).matches(fields)
        for term in required.get("nodeSelectorTerms") or []
    )


def _interpod(cluster: _Cluster, node: Obj) -> str | None:
    """The InterPodAffinity plugin's failing check on ``node``, or None."""
    pod = cluster.pod
    for term in _required(pod, "podAffinity"):
        near = [p for p in cluster.topology_pods(node, term["topologyKey"]) if cluster.matches(term, pod, p)]
        anywhere = any(cluster.matches(term, pod, p) for group in cluster.by_node.values() for p in group)
        # kube-scheduler lets the first pod of a group in when nothing matches and it matches itself.
        if not near and (anywhere or not cluster.matches(term, pod, pod)):
            return "affinity"
    for term in _required(pod, "podAntiAffinity"):
        if any(cluster.matches(term, pod, p) for p in cluster.topology_pods(node, term["topologyKey"])):
            return "anti-affinity"
    for group in cluster.by_node.values():
        for other in group:
            for term in _required(other, "podAntiAffinity"):
                where = next(n for n in cluster.nodes if _meta(n)["name"] == other["spec"]["nodeName"])
                key = term["topologyKey"]
                same = key in _labels(node) and _labels(node).get(key) == _labels(where).get(key)
                if same and cluster.matches(term, other, pod):
                    return "existing"
    return None


_INTERPOD_MESSAGES = {
    "affinity": "node(s) didn't match pod affinity rules",
    "anti-affinity": "node(s) didn't match pod anti-affinity rules",
    "existing": "node(s) didn't satisfy existing pods anti-affinity rules",
}


def _filter(cluster: _Cluster, node: Obj, requests: Counter[str], wording: Wording) -> tuple[str, list[str]] | None:
    """(plugin, reasons) of the first plugin that rejects ``node``, or None when the pod fits."""
    spec = cluster.pod.get("spec") or {}
    tolerations = spec.get("tolerations") or []
    node_spec = node.get("spec") or {}
    unschedulable = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
    if node_spec.get("unschedulable") and not _tolerated(unschedulable, tolerations):
        return "NodeUnschedulable", ["node(s) were unschedulable"]
    taints = [t for t in node_spec.get("taints") or [] if t.get("effect") in _FILTER_EFFECTS]
    untolerated = next((t for t in taints if not _tolerated(t, tolerations)), None)
    if untolerated is not None:
        if wording == "current":
            return "TaintToleration", ["node(s) had untolerated taint(s)"]
        return "TaintToleration", [
            f"node(s) had untolerated taint {{{untolerated['key']}: {untolerated.get('value', '')}}}"
        ]
    if not _node_affinity_ok(cluster.pod, node):
        return "NodeAffinity", ["node(s) didn't match Pod's node affinity/selector"]
    free = _allocatable(node)
    for other in cluster.by_node.get(_meta(node)["name"], []):
        free.subtract(_requests(other))
        free["pods"] -= 1
    short = ["Too many pods"] if free["pods"] < 1 else []
    names = ["cpu", "memory", "ephemeral-storage", *sorted(set(requests) - {"cpu", "memory", "ephemeral-storage"})]
    short += [f"Insufficient {name}" for name in names if requests.get(name, 0) > free[name]]
    if short:
        return "NodeResourcesFit", short
    failed = _interpod(cluster, node)
    if failed is not None:
        return f"InterPodAffinity/{failed}", [_INTERPOD_MESSAGES[failed]]
    return None


def _score(cluster: _Cluster, fitting: Sequence[Obj], requests: Counter[str]) -> str:
    """The best fitting node by preferred (anti-)affinity, preferred node affinity and free share."""
    pod = cluster.pod

    def preferred_pods(node: Obj) -> int:
        total = 0
        for kind, sign in (("podAffinity", 1), ("podAntiAffinity", -1)):
            for item in _affinity(pod, kind).get("preferredDuringSchedulingIgnoredDuringExecution") or []:
                term = item["podAffinityTerm"]
                hits = sum(cluster.matches(term, pod, p) for p in cluster.topology_pods(node, term["topologyKey"]))
                total += sign * item["weight"] * hits
        return total

    def preferred_node(node: Obj) -> int:
        items = _affinity(pod, "nodeAffinity").get("preferredDuringSchedulingIgnoredDuringExecution") or []
        return sum(i["weight"] for i in items if _selector(i.get("preference")).matches(_labels(node)))

    def least_allocated(node: Obj) -> float:
        alloc = _allocatable(node)
        used = Counter(requests)
        for other in cluster.by_node.get(_meta(node)["name"], []):
            used.update(_requests(other))
        shares = [max(alloc[r] - used[r], 0) / alloc[r] for r in ("cpu", "memory") if alloc[r]]
        return 100 * sum(shares) / len(shares) if shares else 0.0

    def normalise(raw: dict[str, int]) -> dict[str, float]:
        low, high = min(raw.values()), max(raw.values())
        return {k: 100 * (v - low) / (high - low) if high > low else 0.0 for k, v in raw.items()}

    names = [str(_meta(n)["name"]) for n in fitting]
    pods = normalise({_meta(n)["name"]: preferred_pods(n) for n in fitting})
    nodes = normalise({_meta(n)["name"]: preferred_node(n) for n in fitting})
    free = {_meta(n)["name"]: least_allocated(n) for n in fitting}
    return max(names, key=lambda name: 2 * pods[name] + 2 * nodes[name] + free[name])


def _message(total: int, rejected: Mapping[str, tuple[str, list[str]]], wording: Wording) -> str:
    counts = Counter(reason for _, reasons in rejected.values() for reason in reasons)
    body = ", ".join(sorted(f"{n} {reason}" for reason, n in counts.items()))
    resolvable = sum(1 for plugin, _ in rejected.values() if plugin not in _UNRESOLVABLE)
    tails = [
        f"{n} {text}"
        for n, text in (
            (resolvable, "No preemption victims found for incoming pod"),
            (total - resolvable, "Preemption is not helpful for scheduling"),
        )
        if n
    ]
    dra = "no new claims to deallocate, " if wording == "current" else ""
    return f"0/{total} nodes are available: {body}. {dra}preemption: 0/{total} nodes are available: {', '.join(tails)}."


def schedule(
    pod: Obj,
    nodes: Sequence[Obj],
    pods: Sequence[Obj],
    namespaces: Sequence[Obj] = (),
    *,
    wording: Wording = "current",
) -> Decision:
    """Pick a node for ``pod`` among ``nodes`` given the cluster's ``pods``, or say why none fits."""
    if not nodes:
        return Decision(None, "no nodes available to schedule pods", ())
    names = {_meta(n)["name"] for n in nodes}
    uid = _meta(pod).get("uid")
    by_node: dict[str, list[Obj]] = {}
    for other in pods:
        node_name = str((other.get("spec") or {}).get("nodeName") or "")
        phase = (other.get("status") or {}).get("phase")
        if node_name in names and phase not in ("Succeeded", "Failed") and _meta(other).get("uid") != uid:
            by_node.setdefault(node_name, []).append(other)
    ns_labels: dict[str, Mapping[str, str]] = {
        str(_meta(n)["name"]): {**_labels(n), _NAMESPACE_LABEL: str(_meta(n)["name"])} for n in namespaces
    }
    cluster = _Cluster(pod, nodes, by_node, ns_labels)
    requests = _requests(pod)
    rejected: dict[str, tuple[str, list[str]]] = {}
    fitting = []
    for node in nodes:
        failed = _filter(cluster, node, requests, wording)
        if failed is None:
            fitting.append(node)
        else:
            rejected[_meta(node)["name"]] = failed
    feasible = tuple(_meta(n)["name"] for n in fitting)
    reasons = {name: list(failure[1]) for name, failure in rejected.items()}
    if fitting:
        return Decision(_score(cluster, fitting, requests), "", feasible, reasons)
    return Decision(None, _message(len(nodes), rejected, wording), feasible, reasons)
