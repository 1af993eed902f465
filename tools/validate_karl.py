"""The ``validate_karl`` tool: check KARL affinity rules and show the Affinity they produce."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import yaml
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.core.convertor.preview import PlacementPreview, preview_on_cluster
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.karl import RuleError, compile_affinity
from mtv_mcp.core.plan.labels import check_labels, parse_key_values
from mtv_mcp.tools._args import KarlRules, LabelMap, LabelName
from mtv_mcp.tools._common import READ_ONLY, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors
from mtv_mcp.tools._rendering import bullets, preview_lines


class KarlIssue(BaseModel):
    """One invalid rule text: where it is wrong and how to fix it."""

    field: str | None = Field(description="Which item of `rules` (rules[i]) when a list was given")
    column: int = Field(description="1-based column in that rule text")
    message: str
    hint: str | None
    text: str = Field(description="The full error text with the rule and a caret under the column")


class KarlValidation(BaseModel):
    """The result of validate_karl."""

    valid: bool = Field(description="True when every rule is valid; then `affinity` is set")
    errors: list[KarlIssue] = Field(description="Per invalid rule: text, column, message, hint")
    rules: list[str]
    warnings: list[str] = Field(description="Accepted but probably not intended")
    affinity: dict[str, Any] | None = Field(description="The Kubernetes Affinity (spec.convertorAffinity)")
    affinity_yaml: str | None
    explanation: list[str] = Field(description="One English sentence per affinity term")
    soft_equivalent: list[str] | None = Field(
        description="The rules with REQUIRE→PREFER and AVOID→REPEL, when any rule is hard"
    )
    placement: PlacementPreview | None = Field(
        None, description="With check_cluster: where a convertor pod with these rules could run, and why not"
    )


def _invalid(error: RuleError) -> KarlValidation:
    issues = [KarlIssue(field=e.field, column=e.column, message=e.message, hint=e.hint, text=str(e)) for e in error.all]
    return KarlValidation(
        valid=False,
        errors=issues,
        rules=[],
        warnings=[],
        affinity=None,
        affinity_yaml=None,
        explanation=[],
        soft_equivalent=None,
    )


def _preview(
    ctx: ToolContext,
    affinity: dict[str, Any],
    node_selector: dict[str, str],
    target_namespace: str | None,
    notes: list[str],
) -> PlacementPreview | None:
    runtime = runtime_of(ctx)
    with connect(ctx) as connection:
        return preview_on_cluster(
            connection.cluster,
            target_namespace or runtime.settings.namespace,
            node_selector=node_selector,
            affinity=affinity or None,
            notes=notes,
        )


@user_errors
def validate_karl(
    rules: Annotated[
        KarlRules,
        Field(
            description=(
                "KARL rules, a list or ';'-separated, merged into one Affinity. A rule: "
                "REQUIRE|PREFER|AVOID|REPEL pods(selectors) [in namespaces(a, b) | in all namespaces] "
                "on node|zone|region|rack [weight=1..100], or REQUIRE|PREFER|AVOID|REPEL nodes(selectors) "
                "[weight=N]. Selectors: k=v, k!=v, k in [a, b], k not in [a, b], has k, not has k. "
                "E.g. PREFER pods(app=ceph-osd) in namespaces(openshift-storage) on node weight=90"
            )
        ),
    ],
    ctx: ToolContext,
    *,
    purpose: Annotated[
        Literal["convertor", "target", "any"],
        Field(description="convertor, target (the VMs' targetAffinity) or any; tunes warnings"),
    ] = "convertor",
    keep_default_spreading: Annotated[
        bool,
        Field(description="Add Forklift's default spreading, which a convertor affinity replaces"),
    ] = False,
    check_cluster: Annotated[
        bool,
        Field(
            description=(
                "Preview on the cluster: where a convertor pod could run, why not elsewhere, and the "
                "pods each pods(...) term matches"
            )
        ),
    ] = False,
    node_selector: Annotated[
        LabelMap | None,
        Field(description="With check_cluster: the convertorNodeSelector"),
    ] = None,
    target_namespace: Annotated[
        LabelName | None,
        Field(description=("With check_cluster: the plan's targetNamespace (where the pod runs)")),
    ] = None,
) -> Annotated[CallToolResult, KarlValidation]:
    """Check KARL affinity rules and return the Kubernetes Affinity they produce (JSON and YAML).

    Also canonical rules, warnings, one English sentence per term and a soft equivalent of hard
    rules. Invalid rules are an error naming the rule, column and fix. Offline unless
    check_cluster is set.
    """
    runtime = runtime_of(ctx)
    hint = "pass fewer rules at a time"
    selector = parse_key_values(node_selector, "node_selector")
    check_labels(selector, "node_selector")
    if check_cluster and purpose == "target":
        raise MtvError(
            "the placement preview is for convertor pods",
            field="check_cluster",
            hint="use purpose='convertor' (or 'any') with check_cluster, or leave check_cluster off",
        )
    try:
        compiled = compile_affinity(rules, purpose=purpose, keep_default_spreading=keep_default_spreading)
    except RuleError as error:
        result = respond(_invalid(error), f"invalid KARL:\n{error}", runtime, narrow_hint=hint)
        return result.model_copy(update={"is_error": True})
    affinity = compiled.affinity.to_kube()
    affinity_yaml = yaml.safe_dump(affinity, sort_keys=False)
    warnings = list(compiled.warnings)
    placement = _preview(ctx, affinity, selector, target_namespace, warnings) if check_cluster else None
    warnings += [term.warning for term in placement.pod_terms if term.warning] if placement else []
    validation = KarlValidation(
        valid=True,
        errors=[],
        rules=compiled.rules,
        warnings=warnings,
        affinity=affinity,
        affinity_yaml=affinity_yaml,
        explanation=compiled.explanation,
        soft_equivalent=compiled.soft_equivalent,
        placement=placement,
    )
    lines = [
        f"valid: {len(compiled.rules)} rule(s)",
        *bullets("rules", compiled.rules),
        *bullets("meaning", compiled.explanation),
        *bullets("warnings", warnings),
        *bullets("soft equivalent", compiled.soft_equivalent or []),
        "affinity:",
        affinity_yaml.rstrip(),
        *(preview_lines(validation.placement) if validation.placement else []),
    ]
    return respond(validation, "\n".join(lines), runtime, narrow_hint=hint)


TOOL = ToolDefinition(function=validate_karl, title="Validate KARL affinity rules", annotations=READ_ONLY)
