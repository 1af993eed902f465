"""The typed KARL rule model and its canonical text form."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

DEFAULT_WEIGHT = 100


class RuleType(StrEnum):
    REQUIRE = "REQUIRE"
    PREFER = "PREFER"
    AVOID = "AVOID"
    REPEL = "REPEL"

    @property
    def hard(self) -> bool:
        """REQUIRE and AVOID must hold; PREFER and REPEL only score."""
        return self in (RuleType.REQUIRE, RuleType.AVOID)

    @property
    def anti(self) -> bool:
        """AVOID and REPEL keep the pod away from what the target selects."""
        return self in (RuleType.AVOID, RuleType.REPEL)

    @property
    def soft_twin(self) -> RuleType:
        """The soft rule type with the same direction."""
        return RuleType.REPEL if self.anti else RuleType.PREFER


class Topology(StrEnum):
    NODE = "node"
    ZONE = "zone"
    REGION = "region"
    RACK = "rack"

    @property
    def key(self) -> str:
        """The node label Kubernetes groups nodes by (the term's ``topologyKey``)."""
        return TOPOLOGY_KEYS[self]


TOPOLOGY_KEYS: dict[Topology, str] = {
    Topology.NODE: "kubernetes.io/hostname",
    Topology.ZONE: "topology.kubernetes.io/zone",
    Topology.REGION: "topology.kubernetes.io/region",
    Topology.RACK: "topology.kubernetes.io/rack",
}


class Operator(StrEnum):
    EQUALS = "="
    IN = "In"
    NOT_IN = "NotIn"
    EXISTS = "Exists"
    DOES_NOT_EXIST = "DoesNotExist"


class TargetKind(StrEnum):
    PODS = "pods"
    NODES = "nodes"


@dataclass(frozen=True)
class Position:
    """Where a piece of a rule was written: source text, 1-based column, and which input."""

    source: str
    column: int
    field: str | None = None

    def shifted(self, offset: int) -> Position:
        """The position ``offset`` characters further on."""
        return Position(self.source, self.column + offset, self.field)


@dataclass(frozen=True)
class Selector:
    """One label expression: ``k=v``, ``k in [..]``, ``k not in [..]``, ``has k``, ``not has k``."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()
    position: Position | None = field(default=None, compare=False, repr=False)

    def to_karl(self) -> str:
        match self.operator:
            case Operator.EQUALS:
                return f"{self.key}={_value(self.values[0])}"
            case Operator.EXISTS:
                return f"has {self.key}"
            case Operator.DOES_NOT_EXIST:
                return f"not has {self.key}"
            case Operator.NOT_IN if len(self.values) == 1:
                return f"{self.key}!={_value(self.values[0])}"
            case Operator.NOT_IN:
                return f"{self.key} not in [{', '.join(map(_value, self.values))}]"
            case _:
                return f"{self.key} in [{', '.join(map(_value, self.values))}]"


def _value(text: str) -> str:
    return text if text else '""'


@dataclass(frozen=True)
class NamespaceScope:
    """Which namespaces a pod selector looks in: names, a namespace label selector, or all."""

    all: bool = False
    names: tuple[str, ...] = ()
    selectors: tuple[Selector, ...] = ()

    def to_karl(self) -> str:
        if self.all:
            return "in all namespaces"
        items = [*self.names, *(s.to_karl() for s in self.selectors)]
        return f"in namespaces({', '.join(items)})"


@dataclass(frozen=True)
class Rule:
    """One KARL rule. ``weight`` is the explicit ``weight=`` (None: default 100 for soft rules)."""

    type: RuleType
    target: TargetKind
    selectors: tuple[Selector, ...]
    topology: Topology | None = None
    namespaces: NamespaceScope | None = None
    weight: int | None = None
    position: Position | None = field(default=None, compare=False, repr=False)

    @property
    def effective_weight(self) -> int:
        return DEFAULT_WEIGHT if self.weight is None else self.weight

    def to_karl(self) -> str:
        """Canonical text; parsing it gives back an equal rule."""
        parts = [self.type.value, f"{self.target.value}({', '.join(s.to_karl() for s in self.selectors)})"]
        if self.namespaces is not None:
            parts.append(self.namespaces.to_karl())
        if self.topology is not None:
            parts.append(f"on {self.topology.value}")
        if self.weight is not None:
            parts.append(f"weight={self.weight}")
        return " ".join(parts)

    def softened(self) -> Rule:
        """The soft equivalent of a hard rule (weight 100); soft rules are returned unchanged."""
        if not self.type.hard:
            return self
        return Rule(self.type.soft_twin, self.target, self.selectors, self.topology, self.namespaces)
