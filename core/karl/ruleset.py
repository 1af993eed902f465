"""A parsed set of KARL rules."""

from __future__ import annotations

from dataclasses import dataclass

from mtv_mcp.core.karl.builder import build_affinity
from mtv_mcp.core.karl.model import Rule
from mtv_mcp.core.kube_models import Affinity


@dataclass(frozen=True)
class RuleSet:
    """The rules of one or more rule texts, in the order they were written."""

    rules: tuple[Rule, ...]

    def to_affinity(self) -> Affinity:
        """The merged Kubernetes Affinity of all rules."""
        return build_affinity(self.rules)

    def to_karl(self) -> list[str]:
        """The canonical text of each rule."""
        return [rule.to_karl() for rule in self.rules]

    def softened(self) -> RuleSet:
        """The same rules with every hard rule replaced by its soft twin (weight 100)."""
        return RuleSet(tuple(rule.softened() for rule in self.rules))

    @property
    def has_hard_rules(self) -> bool:
        return any(rule.type.hard for rule in self.rules)
