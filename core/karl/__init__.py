"""KARL, the Kubernetes Affinity Rule Language: rules ↔ Kubernetes Affinity, checks and English.

Our dialect follows kubectl-mtv's KARL where that is right and is strict where it is silently
wrong; it adds several rules at once, ``nodes(...)`` targets and namespace scopes
(see ``prompts/reference/karl.md``).
"""

from __future__ import annotations

from mtv_mcp.core.karl.compile import KarlResult, compile_affinity
from mtv_mcp.core.karl.errors import RuleError
from mtv_mcp.core.karl.explain import explain_affinity
from mtv_mcp.core.karl.lint import FORKLIFT_DEFAULT_SPREADING, Purpose
from mtv_mcp.core.karl.model import NamespaceScope, Operator, Rule, RuleType, Selector, TargetKind, Topology
from mtv_mcp.core.karl.parser import parse_rules
from mtv_mcp.core.karl.render import KarlRendering, render_karl
from mtv_mcp.core.karl.ruleset import RuleSet
from mtv_mcp.core.kube_models import Affinity

__all__ = [
    "FORKLIFT_DEFAULT_SPREADING",
    "Affinity",
    "KarlRendering",
    "KarlResult",
    "NamespaceScope",
    "Operator",
    "Purpose",
    "Rule",
    "RuleError",
    "RuleSet",
    "RuleType",
    "Selector",
    "TargetKind",
    "Topology",
    "compile_affinity",
    "explain_affinity",
    "parse_rules",
    "render_karl",
]
