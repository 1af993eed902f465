"""The one-call entry point: KARL text → Affinity, warnings, explanation and a soft variant."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from mtv_mcp.core.karl.explain import SUBJECTS, explain_affinity
from mtv_mcp.core.karl.lint import FORKLIFT_DEFAULT_SPREADING, Purpose, ruleset_warnings, spreads_convertors
from mtv_mcp.core.karl.parser import parse_rules, parse_text
from mtv_mcp.core.karl.ruleset import RuleSet
from mtv_mcp.core.kube_models import Affinity


class KarlResult(BaseModel):
    """What a set of KARL rules compiles to."""

    affinity: Affinity = Field(description="The merged Kubernetes Affinity")
    rules: list[str] = Field(description="Each rule in canonical KARL form")
    warnings: list[str] = Field(description="Accepted but probably not intended")
    explanation: list[str] = Field(description="One English sentence per affinity term")
    soft_equivalent: list[str] | None = Field(
        description="The same rules with REQUIRE→PREFER and AVOID→REPEL (None when all rules are soft)"
    )


def compile_affinity(
    text_or_list: str | Sequence[str],
    *,
    purpose: Purpose = "convertor",
    keep_default_spreading: bool = False,
) -> KarlResult:
    """Parse, check and convert KARL rules (raises ``RuleError``).

    ``purpose`` tunes warnings and wording for convertor pods, migrated VMs or any pod.
    ``keep_default_spreading`` adds Forklift's default convertor spreading rule when the rules do
    not spread convertors themselves (a convertor affinity replaces that default).
    """
    rules = parse_rules(text_or_list)
    if keep_default_spreading and not any(spreads_convertors(rule) for rule in rules.rules):
        rules = RuleSet((*rules.rules, *parse_text(FORKLIFT_DEFAULT_SPREADING)))
    affinity = rules.to_affinity()
    return KarlResult(
        affinity=affinity,
        rules=rules.to_karl(),
        warnings=ruleset_warnings(rules, purpose),
        explanation=explain_affinity(affinity, SUBJECTS[purpose]),
        soft_equivalent=rules.softened().to_karl() if rules.has_hard_rules else None,
    )
