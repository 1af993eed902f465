"""InterPodAffinity: the incoming pod's (anti-)affinity terms against bound pods, and theirs against it.

Follows kube-scheduler's counting: required affinity counts topology domains (key, value) holding
a pod that matches *all* required terms; a node passes when every term's domain has one, or when
no pod anywhere matches and the pod matches its own terms ("first pod of a series").
Anti-affinity (the pod's, and bound pods' against the pod) blocks a node whose domain holds a match.
Preferred terms add (anti: subtract) their weight to every node of the domain of each matching pod;
bound pods' required affinity terms that match the pod add the hard-affinity weight 1.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mtv_mcp.core.placement.models import LabelSelector, Node, Pod, PodAffinityTerm
from mtv_mcp.core.placement.result import Reason, ReasonKind
from mtv_mcp.core.placement.selectors import label_selector_matches

PLUGIN = "InterPodAffinity"
AFFINITY_MESSAGE = "node(s) didn't match pod affinity rules"
ANTI_AFFINITY_MESSAGE = "node(s) didn't match pod anti-affinity rules"
EXISTING_ANTI_AFFINITY_MESSAGE = "node(s) didn't satisfy existing pods anti-affinity rules"
HARD_POD_AFFINITY_WEIGHT = 1

Pair = tuple[str, str]
NamespaceLabels = Mapping[str, Mapping[str, str]]


@dataclass(frozen=True)
class Term:
    """A PodAffinityTerm with its namespaces resolved against the pod that owns it."""

    term: PodAffinityTerm
    namespaces: frozenset[str]
    namespace_selector: LabelSelector | None
    weight: int = 0

    @classmethod
    def of(cls, term: PodAffinityTerm, owner: Pod, weight: int = 0) -> Term:
        own = {owner.metadata.namespace} if not term.namespaces and term.namespace_selector is None else set()
        return cls(term, frozenset(term.namespaces) | own, term.namespace_selector, weight)

    @property
    def key(self) -> str:
        return self.term.topology_key

    def matches(self, pod: Pod, namespace_labels: NamespaceLabels) -> bool:
        """Whether ``pod`` is in the term's namespaces and matches its label selector."""
        namespace = pod.metadata.namespace
        in_scope = namespace in self.namespaces or (
            self.namespace_selector is not None
            and label_selector_matches(self.namespace_selector, namespace_labels.get(namespace, {}))
        )
        return in_scope and label_selector_matches(self.term.label_selector, pod.metadata.labels)


@dataclass(frozen=True)
class PodTerms:
    """A pod's required and preferred affinity and anti-affinity terms."""

    required_affinity: tuple[Term, ...]
    required_anti: tuple[Term, ...]
    preferred_affinity: tuple[Term, ...]
    preferred_anti: tuple[Term, ...]

    @classmethod
    def of(cls, pod: Pod) -> PodTerms:
        affinity = pod.spec.affinity
        pa = affinity.pod_affinity if affinity else None
        anti = affinity.pod_anti_affinity if affinity else None
        return cls(
            tuple(Term.of(t, pod) for t in (pa.required if pa else [])),
            tuple(Term.of(t, pod) for t in (anti.required if anti else [])),
            tuple(Term.of(w.term, pod, w.weight) for w in (pa.preferred if pa else [])),
            tuple(Term.of(w.term, pod, w.weight) for w in (anti.preferred if anti else [])),
        )


def _pair(node: Node, key: str) -> Pair | None:
    value = node.labels.get(key)
    return None if value is None else (key, value)


@dataclass
class InterPodState:
    """Topology-domain counts of the bound pods for one incoming pod (PreFilter + PreScore)."""

    pod: Pod
    terms: PodTerms
    affinity: dict[Pair, list[str]] = field(default_factory=lambda: defaultdict(list))
    anti: dict[Pair, list[str]] = field(default_factory=lambda: defaultdict(list))
    existing_anti: dict[Pair, list[str]] = field(default_factory=lambda: defaultdict(list))
    score: dict[Pair, int] = field(default_factory=lambda: defaultdict(int))

    @classmethod
    def build(cls, pod: Pod, bound: Sequence[tuple[Pod, Node]], namespace_labels: NamespaceLabels) -> InterPodState:
        state = cls(pod, PodTerms.of(pod))
        own = state.terms
        for other, node in bound:
            name = other.key
            if own.required_affinity and all(t.matches(other, namespace_labels) for t in own.required_affinity):
                for t in own.required_affinity:
                    if (pair := _pair(node, t.key)) is not None:
                        state.affinity[pair].append(name)
            for t in own.required_anti:
                if (pair := _pair(node, t.key)) is not None and t.matches(other, namespace_labels):
                    state.anti[pair].append(name)
            theirs = PodTerms.of(other)
            for t in theirs.required_anti:
                if (pair := _pair(node, t.key)) is not None and t.matches(pod, namespace_labels):
                    state.existing_anti[pair].append(name)
            state._score_own(other, node, namespace_labels)
            state._score_theirs(theirs, node, namespace_labels)
        return state

    def _add(self, node: Node, key: str, weight: int) -> None:
        if (pair := _pair(node, key)) is not None:
            self.score[pair] += weight

    def _score_own(self, other: Pod, node: Node, namespace_labels: NamespaceLabels) -> None:
        for t in self.terms.preferred_affinity:
            if t.matches(other, namespace_labels):
                self._add(node, t.key, t.weight)
        for t in self.terms.preferred_anti:
            if t.matches(other, namespace_labels):
                self._add(node, t.key, -t.weight)

    def _score_theirs(self, theirs: PodTerms, node: Node, namespace_labels: NamespaceLabels) -> None:
        for t in theirs.required_affinity:
            if t.matches(self.pod, namespace_labels):
                self._add(node, t.key, HARD_POD_AFFINITY_WEIGHT)
        for t in theirs.preferred_affinity:
            if t.matches(self.pod, namespace_labels):
                self._add(node, t.key, t.weight)
        for t in theirs.preferred_anti:
            if t.matches(self.pod, namespace_labels):
                self._add(node, t.key, -t.weight)

    def raw_score(self, node: Node) -> int:
        """The node's InterPodAffinity sum before normalisation."""
        return sum(self.score.get((key, value), 0) for key, value in node.labels.items())

    def reasons(self, node: Node, namespace_labels: NamespaceLabels) -> list[Reason]:
        """Every InterPodAffinity failure on ``node``, in the order the scheduler checks them."""
        found: list[Reason] = []
        affinity = self._affinity_reason(node, namespace_labels)
        if affinity is not None:
            found.append(affinity)
        for index, t in enumerate(self.terms.required_anti):
            pair = _pair(node, t.key)
            pods = self.anti.get(pair, []) if pair else []
            if pods:
                found.append(
                    Reason(
                        kind=ReasonKind.POD_ANTI_AFFINITY,
                        plugin=PLUGIN,
                        message=ANTI_AFFINITY_MESSAGE,
                        detail=f"anti-affinity term {index} ({t.key}): {', '.join(pods)} in {_domain(pair)}",
                        topology_key=t.key,
                        term=index,
                        pods=list(pods),
                    )
                )
        blockers = sorted(
            {name for key, value in node.labels.items() for name in self.existing_anti.get((key, value), [])}
        )
        if blockers:
            found.append(
                Reason(
                    kind=ReasonKind.EXISTING_POD_ANTI_AFFINITY,
                    plugin=PLUGIN,
                    message=EXISTING_ANTI_AFFINITY_MESSAGE,
                    detail=f"the required anti-affinity of {', '.join(blockers)} excludes the pod from this domain",
                    pods=blockers,
                )
            )
        return found

    def _affinity_reason(self, node: Node, namespace_labels: NamespaceLabels) -> Reason | None:
        terms = self.terms.required_affinity
        missing = [t.key for t in terms if t.key not in node.labels]
        if missing:
            detail = f"the node has no label {missing[0]!r}, the topology key of a required pod affinity term"
            return self._affinity(detail, missing[0], None)
        empty = [(i, t) for i, t in enumerate(terms) if not self.affinity.get((t.key, node.labels[t.key]))]
        if not empty:
            return None
        if not self.affinity and all(t.matches(self.pod, namespace_labels) for t in terms):
            return None  # the first pod of a series with affinity to itself
        index, t = empty[0]
        detail = (
            f"affinity term {index} ({t.key}): no pod matching all required affinity terms runs in "
            f"{_domain((t.key, node.labels[t.key]))}"
        )
        return self._affinity(detail, t.key, index)

    @staticmethod
    def _affinity(detail: str, key: str, index: int | None) -> Reason:
        return Reason(
            kind=ReasonKind.POD_AFFINITY,
            plugin=PLUGIN,
            message=AFFINITY_MESSAGE,
            detail=detail,
            topology_key=key,
            term=index,
        )


def _domain(pair: Pair | None) -> str:
    return f"{pair[0]}={pair[1]}" if pair else "no domain"
