"""``FailedScheduling`` event messages decoded into counted reasons, each with a concrete fix.

kube-scheduler writes ``0/9 nodes are available: 1 Insufficient memory, 3 node(s) didn't match
Pod's node affinity/selector, 2 node(s) had untolerated taint {dedicated: migration}. preemption:
...``. Wording changed across releases (``didn't match node selector`` → ``didn't match Pod's node
affinity`` → ``.../selector``; ``had taints that the pod didn't tolerate`` → ``had taint {k: v},
that the pod didn't tolerate`` → ``had untolerated taint {k: v}`` → since Kubernetes 1.34
``had untolerated taint(s)``, without the key); every form is understood. When the message no
longer names the taint, the nodes do: each node's first untolerated NoSchedule/NoExecute taint
(kube-scheduler's ``plugins/tainttoleration/taint_toleration.go``) splits the count per taint, so
control-plane taints stay expected and cordoned or NotReady nodes are named as such. The
PostFilter tails after the counted reasons (DynamicResources' ``no new claims to deallocate,``
since 1.34, then ``preemption: ...``) are kept apart from the reasons; ``didn't match
scheduler-enforced node affinity`` (the scheduler profile's ``addedAffinity``,
``plugins/nodeaffinity/node_affinity.go``) is told apart from the pod's own selector. The message
may be wrapped (Forklift's "stuck in Pending ... (reason: Unschedulable: ...)"). With the pod and
the nodes at hand, fixes name the selector entries, taints and nodes involved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict

from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.placement.models import Taint, Toleration
from mtv_mcp.core.placement.resources import KVM_RESOURCE
from mtv_mcp.core.placement.result import INSUFFICIENT, ReasonKind
from mtv_mcp.core.placement.selectors import untolerated_taints


class Reason(BaseModel):
    """One "N node(s) ..." part of the message."""

    model_config = ConfigDict(frozen=True)

    kind: ReasonKind
    count: int | None
    detail: str
    fix: str
    taint_key: str | None = None
    taint_value: str | None = None
    resource: str | None = None
    expected: bool = False
    """True for reasons that need no action (control-plane taints)."""


class SchedulingDiagnosis(BaseModel):
    """A decoded ``FailedScheduling`` message."""

    model_config = ConfigDict(frozen=True)

    total_nodes: int | None
    available_nodes: int | None
    reasons: list[Reason]
    preemption: str | None = None
    message: str

    @property
    def blocking(self) -> list[Reason]:
        """The reasons that need a change (not the expected control-plane taints)."""
        return [r for r in self.reasons if not r.expected]


CONTROL_PLANE_TAINTS = frozenset({"node-role.kubernetes.io/master", "node-role.kubernetes.io/control-plane"})
_UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
_HEADER = re.compile(r"(\d+)/(\d+) nodes are available(?::\s*)?")
_NO_NODES = re.compile(r"no nodes available to schedule pods", re.IGNORECASE)
_ITEM_SPLIT = re.compile(r",\s+(?=\d+\s)")
_COUNTED = re.compile(r"^(\d+)\s+(.*)$", re.DOTALL)
_TAINT = re.compile(r"taints? \{([^:{}]*):\s*([^{}]*)\}")
_KEYLESS_TAINT = re.compile(r"^node\(s\) had untolerated taint\(s\)$")
_REASONS_END = re.compile(r"\.\s+(?=\D)")


@dataclass(frozen=True)
class _Context:
    pod: Mapping[str, Any] | None
    nodes: Sequence[Mapping[str, Any]]


def _labels(node: Mapping[str, Any]) -> Mapping[str, str]:
    return dig(node, "metadata", "labels") or {}


def _name(node: Mapping[str, Any]) -> str:
    return str(name if (name := dig(node, "metadata", "name")) is not None else "?")


def _names(nodes: Sequence[Mapping[str, Any]], limit: int = 6) -> str:
    names = sorted(_name(n) for n in nodes)
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return ", ".join(names[:limit]) + more


def _requests(pod: Mapping[str, Any] | None) -> Mapping[str, str]:
    containers = dig(pod, "spec", "containers") or []
    return (dig(containers[0], "resources", "requests") or {}) if containers else {}


def _required_terms(pod: Mapping[str, Any] | None, kind: str) -> list[Mapping[str, Any]]:
    affinity = dig(pod, "spec", "affinity") or {}
    return list(dig(affinity, kind, "requiredDuringSchedulingIgnoredDuringExecution") or [])


def _selector_text(term: Mapping[str, Any]) -> str:
    selector = term.get("labelSelector") or {}
    parts = [f"{k}={v}" for k, v in (selector.get("matchLabels") or {}).items()]
    for expr in selector.get("matchExpressions") or []:
        values = ",".join(expr.get("values") or [])
        parts.append(f"{expr.get('key')} {expr.get('operator')} ({values})" if values else str(expr.get("key")))
    return ",".join(parts) or "<all pods>"


def _selector_fix(_: re.Match[str], ctx: _Context) -> str:
    fix = (
        "these nodes lack a label the pod requires (convertorNodeSelector, kubevirt.io/schedulable=true, or a "
        "required node affinity): label the nodes meant for conversion (kubectl label node <node> key=value), "
        "remove the entry from convertorNodeSelector, or make a required node affinity preferred"
    )
    selector: Mapping[str, str] = dig(ctx.pod, "spec", "nodeSelector") or {}
    if not selector or not ctx.nodes:
        return fix
    missing = [f"{k}={v}" for k, v in selector.items() if not any(_labels(n).get(k) == v for n in ctx.nodes)]
    if missing:
        return (
            f"no node has the label {' or '.join(missing)} that the node selector requires: label the nodes meant "
            f"for conversion (kubectl label node <node> {missing[0]}) or remove it from convertorNodeSelector"
        )
    fitting = [n for n in ctx.nodes if all(_labels(n).get(k) == v for k, v in selector.items())]
    return f"only {len(fitting)} node(s) ({_names(fitting)}) carry every node selector label; " + fix


def _taint_fix(match: re.Match[str], ctx: _Context) -> str:
    key, value = _taint_of(match)
    if key is None:
        return (
            "Forklift sets no tolerations on convertor pods (there is no convertorTolerations), so tainted nodes can "
            "never run them: remove the taint (kubectl taint nodes <node> <key>-) or steer convertors to untainted "
            "nodes with convertorNodeSelector"
        )
    if key in CONTROL_PLANE_TAINTS:
        return "control-plane nodes never run convertor pods; no action needed"
    shown = f"{key}={value}" if value else key
    tainted = [n for n in ctx.nodes if any(t.get("key") == key for t in dig(n, "spec", "taints") or [])]
    effect = next(
        (t.get("effect") for n in tainted for t in n["spec"]["taints"] if t.get("key") == key),
        "NoSchedule",
    )
    where = f" ({_names(tainted)})" if tainted else ""
    return (
        f"nodes tainted {shown}:{effect}{where} can never run convertor pods, because Forklift sets no tolerations "
        f"on them (there is no convertorTolerations): remove the taint (kubectl taint nodes <node> {shown}:{effect}-) "
        "or keep convertors off those nodes with convertorNodeSelector"
    )


def _taint_of(match: re.Match[str]) -> tuple[str | None, str | None]:
    found = _TAINT.search(match.string)
    return (found.group(1).strip(), found.group(2).strip()) if found else (None, None)


def _resource_fix(match: re.Match[str], ctx: _Context) -> str:
    resource = match.group(1)
    if resource == KVM_RESOURCE:
        without = [n for n in ctx.nodes if str(dig(n, "status", "allocatable", resource) or "0") in ("0", "")]
        where = f" (none allocatable on {_names(without)})" if without else ""
        return (
            f"no node left has {KVM_RESOURCE} free{where}: make sure KubeVirt's device plugin runs on the nodes meant "
            "for conversion (allocatable devices.kubevirt.io/kvm), or set ForkliftController "
            "virt_v2v_dont_request_kvm: true (conversion then runs without KVM acceleration, much slower)"
        )
    requested = _requests(ctx.pod).get(resource)
    amount = f" {requested}" if requested else ""
    setting = {"cpu": "virt_v2v_container_requests_cpu", "memory": "virt_v2v_container_requests_memory"}.get(resource)
    knob = f" or lower ForkliftController {setting}" if setting else ""
    return (
        f"the pod requests{amount} {resource} and these nodes have less left unrequested: free capacity on them "
        f"(move or scale down other pods), widen convertorNodeSelector to more nodes{knob}"
    )


def _anti_affinity_fix(_: re.Match[str], ctx: _Context) -> str:
    terms = _required_terms(ctx.pod, "podAntiAffinity")
    rules = "; ".join(f"avoid pods {_selector_text(t)} per {t.get('topologyKey')}" for t in terms)
    which = f" ({rules})" if rules else ""
    return (
        f"a required pod anti-affinity rule{which} excludes these nodes because pods it avoids run there: relax it "
        "from required to preferred (KARL AVOID → REPEL) or move the avoided pods"
    )


def _affinity_fix(_: re.Match[str], ctx: _Context) -> str:
    terms = _required_terms(ctx.pod, "podAffinity")
    rules = "; ".join(f"near pods {_selector_text(t)} per {t.get('topologyKey')}" for t in terms)
    which = f" ({rules})" if rules else ""
    return (
        f"a required pod affinity rule{which} found no matching pods on these nodes: check that the target pods "
        "exist and run (kubectl get pods -A -l <selector>), or relax the rule from required to preferred "
        "(KARL REQUIRE → PREFER)"
    )


def _fixed(text: str) -> Callable[[re.Match[str], _Context], str]:
    return lambda _match, _ctx: text


_Rule = tuple[ReasonKind, re.Pattern[str], Callable[[re.Match[str], _Context], str]]
_RULES: tuple[_Rule, ...] = (
    (ReasonKind.INSUFFICIENT_RESOURCE, re.compile(r"Insufficient (\S+)"), _resource_fix),
    (
        ReasonKind.TOO_MANY_PODS,
        re.compile(r"Too many pods", re.IGNORECASE),
        _fixed("these nodes run their maximum number of pods: free pod slots or widen convertorNodeSelector"),
    ),
    (
        ReasonKind.UNSCHEDULABLE,
        re.compile(r"were unschedulable|taint \{node\.kubernetes\.io/unschedulable:"),
        _fixed("these nodes are cordoned (maintenance?): uncordon them (kubectl uncordon <node>) or wait"),
    ),
    (
        ReasonKind.NOT_READY,
        re.compile(r"were not ready|node\.kubernetes\.io/(?:not-ready|unreachable)|unknown condition", re.IGNORECASE),
        _fixed("these nodes are NotReady or unreachable: repair them; the scheduler skips them until then"),
    ),
    (
        ReasonKind.TAINT,
        re.compile(r"taint|PodToleratesNodeTaints", re.IGNORECASE),
        _taint_fix,
    ),
    (
        ReasonKind.NODE_AFFINITY,
        re.compile(r"didn't match scheduler-enforced node affinity"),
        _fixed(
            "the scheduler profile's addedAffinity (KubeSchedulerConfiguration, or the OpenShift Scheduler's "
            "defaultNodeSelector / the namespace's openshift.io/node-selector) excludes these nodes, whatever the "
            "plan says: ask the cluster admin, or target a namespace whose node selector includes conversion nodes"
        ),
    ),
    (
        ReasonKind.NODE_AFFINITY,
        re.compile(r"didn't match (?:Pod's )?node (?:affinity|selector)|MatchNodeSelector|NodeAffinity", re.IGNORECASE),
        _selector_fix,
    ),
    (ReasonKind.POD_ANTI_AFFINITY, re.compile(r"didn't match pod anti-affinity"), _anti_affinity_fix),
    (
        ReasonKind.EXISTING_POD_ANTI_AFFINITY,
        re.compile(r"existing pods anti-affinity"),
        _fixed(
            "a pod already on these nodes has a required anti-affinity against the convertor's labels "
            "(forklift.app=virt-v2v or a convertorLabels key): change that pod's rule or the convertor labels"
        ),
    ),
    (ReasonKind.POD_AFFINITY, re.compile(r"didn't match pod affinity rules"), _affinity_fix),
    (
        ReasonKind.POD_AFFINITY_OR_ANTI_AFFINITY,
        re.compile(r"pod affinity/anti-affinity|MatchInterPodAffinity"),
        _fixed(
            "a required pod affinity (KARL REQUIRE) or anti-affinity (KARL AVOID) rule excludes these nodes: "
            "relax it to preferred (PREFER / REPEL) or check which pods it matches"
        ),
    ),
    (
        ReasonKind.TOPOLOGY_SPREAD,
        re.compile(r"topology spread", re.IGNORECASE),
        _fixed("a topology spread constraint cannot be met: check maxSkew and the topology labels of the nodes"),
    ),
    (
        ReasonKind.VOLUME,
        re.compile(r"volume|PersistentVolumeClaim", re.IGNORECASE),
        _fixed(
            "a PVC of the pod is unbound or bound in another zone: check the target PVCs (kubectl get pvc) and "
            "the storage class's topology / volumeBindingMode"
        ),
    ),
    (
        ReasonKind.PORTS,
        re.compile(r"free ports", re.IGNORECASE),
        _fixed("the requested host ports are taken on these nodes"),
    ),
    (
        ReasonKind.NODE_PRESSURE,
        re.compile(r"pressure|out of disk", re.IGNORECASE),
        _fixed("these nodes report memory, disk or PID pressure: free resources on them"),
    ),
    (
        ReasonKind.NODE_NAME,
        re.compile(r"requested (?:hostname|node name)|didn't match the requested", re.IGNORECASE),
        _fixed("the pod names a node (spec.nodeName or a hostname rule) that cannot take it"),
    ),
)


def _reason(item: str, ctx: _Context) -> Reason:
    counted = _COUNTED.match(item)
    count, text = (int(counted.group(1)), counted.group(2)) if counted else (None, item)
    for kind, pattern, fix in _RULES:
        match = pattern.search(text)
        if match is None:
            continue
        fields: dict[str, Any] = {"kind": kind}
        if kind is ReasonKind.INSUFFICIENT_RESOURCE:
            resource = match.group(1).rstrip(".,")
            fields.update(kind=INSUFFICIENT.get(resource, kind), resource=resource)
        elif kind is ReasonKind.TAINT:
            key, value = _taint_of(match)
            fields.update(taint_key=key, taint_value=value, expected=key in CONTROL_PLANE_TAINTS)
        return Reason(count=count, detail=text, fix=fix(match, ctx), **fields)
    return Reason(
        kind=ReasonKind.UNKNOWN,
        count=count,
        detail=text,
        fix="a reason this decoder does not know: read it as written and check the pod's scheduling fields",
    )


def _strip(text: str) -> str:
    """Trailing dots and a closing parenthesis the text did not open (a wrapper's) removed."""
    text = text.strip().rstrip(".").strip()
    while text.endswith(")") and text.count(")") > text.count("("):
        text = text[:-1].rstrip().rstrip(".").strip()
    return text


def _first_untolerated(node: Mapping[str, Any], tolerations: Sequence[Toleration]) -> Taint | None:
    """The taint TaintToleration reports for ``node``; None if it tolerates all or is cordoned first."""
    spec = node.get("spec") or {}
    taints = [Taint.model_validate(t) for t in spec.get("taints") or [] if t.get("effect")]
    if spec.get("unschedulable") and untolerated_taints(
        [Taint(key=_UNSCHEDULABLE_TAINT, effect="NoSchedule")], tolerations, {"NoSchedule"}
    ):
        return None  # NodeUnschedulable runs first and reports the node as unschedulable
    found = untolerated_taints(taints, tolerations, {"NoSchedule", "NoExecute"})
    return found[0] if found else None


def _keyless_taints(reason: Reason, ctx: _Context) -> list[Reason]:
    """``N node(s) had untolerated taint(s)`` split per taint found on the nodes, when the counts agree."""
    raw = dig(ctx.pod, "spec", "tolerations") or []
    tolerations = [Toleration.model_validate(t) for t in raw]
    groups: dict[tuple[str, str], int] = {}
    for node in ctx.nodes:
        taint = _first_untolerated(node, tolerations)
        if taint is not None:
            groups[(taint.key, taint.value)] = groups.get((taint.key, taint.value), 0) + 1
    if not groups or sum(groups.values()) != reason.count:
        return [reason]
    return [
        _reason(f"{count} node(s) had untolerated taint {{{key}: {value}}}", ctx).model_copy(
            update={
                "detail": f"{reason.detail} (on the nodes now: {key}={value})"
                if value
                else f"{reason.detail} (on the nodes now: {key})"
            }
        )
        for (key, value), count in sorted(groups.items(), key=lambda item: -item[1])
    ]


def _expand(reason: Reason, ctx: _Context) -> list[Reason]:
    if reason.kind is ReasonKind.TAINT and reason.taint_key is None and _KEYLESS_TAINT.match(reason.detail):
        return _keyless_taints(reason, ctx)
    return [reason]


def decode_failed_scheduling(
    message: str, *, pod: Mapping[str, Any] | None = None, nodes: Sequence[Mapping[str, Any]] = ()
) -> SchedulingDiagnosis:
    """Decode a ``FailedScheduling`` message; ``pod`` and ``nodes`` make the fixes name what is involved."""
    ctx = _Context(pod, nodes)
    header = _HEADER.search(message)
    if header is None:
        if _NO_NODES.search(message):
            reason = Reason(
                kind=ReasonKind.NO_NODES,
                count=None,
                detail=message.strip(),
                fix="the cluster has no schedulable nodes at all: add or repair nodes",
            )
            return SchedulingDiagnosis(total_nodes=0, available_nodes=0, reasons=[reason], message=message)
        return SchedulingDiagnosis(
            total_nodes=None, available_nodes=None, reasons=[_reason(message.strip(), ctx)], message=message
        )
    body = message[header.end() :]
    body, _, preemption = body.partition("preemption:")
    reasons_end = _REASONS_END.search(body)
    if reasons_end is not None:
        body = body[: reasons_end.start()]  # the PostFilter tails (``no new claims to deallocate,``) follow
    items = [_strip(part) for part in _ITEM_SPLIT.split(_strip(body))]
    return SchedulingDiagnosis(
        total_nodes=int(header.group(2)),
        available_nodes=int(header.group(1)),
        reasons=[found for item in items if item for found in _expand(_reason(item, ctx), ctx)],
        preemption=_strip(preemption) or None,
        message=message,
    )
