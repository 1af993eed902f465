"""What create_plan and patch_plan share: placement argument types and result text pieces."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.karl import explain_affinity
from mtv_mcp.core.karl.explain import SUBJECTS
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.plan.models import Placement
from mtv_mcp.core.runtime import Runtime
from mtv_mcp.tools._args import KarlRules, LabelMap, LabelName

ConvertorLabels = Annotated[LabelMap | None, Field(description="Extra labels on the convertor pods")]
ConvertorNodeSelector = Annotated[LabelMap | None, Field(description="Node labels the convertor pods must run on")]
ConvertorAffinity = Annotated[
    KarlRules | None,
    Field(
        description=("Convertor pod affinity, KARL rules as in validate_karl; replaces Forklift's default spreading")
    ),
]
TargetLabels = Annotated[LabelMap | None, Field(description="Labels on the migrated VMs")]
TargetNodeSelector = Annotated[LabelMap | None, Field(description="Node labels the migrated VMs must run on")]
TargetAffinity = Annotated[KarlRules | None, Field(description="Affinity of the migrated VMs, KARL rules")]
Namespace = Annotated[LabelName | None, Field(description="Plan namespace (default: the server's)")]
DryRun = Annotated[bool, Field(description="false: write to the cluster")]


def refuse_writes_when_read_only(runtime: Runtime, dry_run: bool) -> None:
    """A read-only server only dry-runs."""
    if not dry_run and runtime.settings.read_only:
        raise MtvError(
            "this server is read-only: dry_run=false is refused",
            field="dry_run",
            hint="call with dry_run=true (the default) to see the result, and apply it with the kubectl "
            "command it returns, or restart the server without --read-only",
        )


def read_plan(cluster: ClusterClient, namespace: str, name: str, field: str = "name") -> dict[str, Any]:
    """The Plan, or an error naming the plans that exist."""
    try:
        return cluster.get_plan(namespace, name)
    except ClusterError as error:
        if error.status != 404:
            raise
    known = sorted(str(dig(p, "metadata", "name")) for p in cluster.list_plans(namespace))
    raise MtvError(
        f"plan '{name}' does not exist in namespace {namespace}",
        field=field,
        hint=f"plans there: {', '.join(known)}" if known else "create it with create_plan",
    )


def _selector_sentence(subject: str, selector: dict[str, str] | None) -> list[str]:
    if not selector:
        return []
    return [f"{subject} runs only on nodes labelled {_pairs(selector)}."]


def placement_summary(placement: Placement) -> list[str]:
    """Where a plan's convertor pods and migrated VMs may run, in English."""
    convertor, target = SUBJECTS["convertor"], SUBJECTS["target"]
    lines = _selector_sentence(convertor, placement.convertor_node_selector)
    if placement.convertor_affinity:
        lines += explain_affinity(placement.convertor_affinity, convertor)
    else:
        lines.append(f"{convertor} keeps Forklift's default affinity: convertors prefer to be spread across nodes.")
    if placement.convertor_labels:
        lines.append(f"{convertor} carries the extra labels {_pairs(placement.convertor_labels)}.")
    lines += _selector_sentence(target, placement.target_node_selector)
    if placement.target_affinity:
        lines += explain_affinity(placement.target_affinity, target)
    if placement.target_labels:
        lines.append(f"{target} carries the extra labels {_pairs(placement.target_labels)}.")
    return lines


def _pairs(mapping: dict[str, str]) -> str:
    return ", ".join(f"{key}={value}" for key, value in sorted(mapping.items()))
