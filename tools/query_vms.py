"""The ``query_vms`` tool: filter a provider's VM inventory with TSL, over enriched records."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.core.errors import clip
from mtv_mcp.core.inventory import load_vms
from mtv_mcp.core.tsl import compile_query, parse_query
from mtv_mcp.core.tsl.diagnostics import missing_fields
from mtv_mcp.core.tsl.values import pluck
from mtv_mcp.tools._args import FieldList, LabelName, ObjectName, Query
from mtv_mcp.tools._common import READ_ONLY, ToolContext, ToolDefinition, connect, respond, runtime_of, user_errors

DEFAULT_FIELDS = (
    "id",
    "name",
    "powerState",
    "cpuCount",
    "memoryGB",
    "diskCapacityGB",
    "guestOS",
    "hostCluster.name",
    "hypervisorHost",
    "criticalConcerns",
    "warningConcerns",
)
MAX_LIMIT = 1000
NARROW_HINT = "narrow the query with a where clause, pass fewer `fields`, or lower `limit`"


class QueryIssue(BaseModel):
    """A warning about the query or the data (never an error)."""

    message: str
    suggestions: list[str] = Field(default_factory=list, description="Field names that do exist")
    column: int | None = Field(None, description="1-based column in the query, when it is about the query")


class VmQueryResult(BaseModel):
    """The result of query_vms."""

    provider: str
    provider_type: str
    namespace: str
    total: int = Field(description="VMs in the provider's inventory")
    matched: int = Field(description="VMs the query matched (before any limit)")
    returned: int
    vms: list[dict[str, Any]] = Field(description="Matched VMs: the select columns, `fields`, or a compact default set")
    warnings: list[QueryIssue] = Field(description="message, suggestions, column")
    truncated: bool
    note: str | None = Field(description="What to do about an empty or truncated result")


def _steps(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))


def _field_warnings(fields: list[str], vms: Sequence[dict[str, Any]]) -> list[QueryIssue]:
    return [
        QueryIssue(
            message=f"fields: `{'.'.join(map(str, field.steps))}` exists in no VM{field.advice}",
            suggestions=field.suggestions,
        )
        for field in missing_fields([_steps(path) for path in fields], vms)
    ]


def _project(vm: dict[str, Any], fields: list[str] | tuple[str, ...]) -> dict[str, Any]:
    return {path: pluck(vm, _steps(path)) for path in fields}


def _text(result: VmQueryResult, query: str) -> str:
    where = f" match `{clip(query)}`" if query.strip() else ""
    lines = [f"{result.provider} ({result.provider_type}): {result.matched} of {result.total} VMs{where}"]
    lines += [f"warning: {issue.message}" for issue in result.warnings]
    if result.note:
        lines.append(result.note)
    lines += [json.dumps(vm, separators=(",", ":"), default=str) for vm in result.vms]
    return "\n".join(lines)


@user_errors
def query_vms(
    provider: Annotated[ObjectName, Field(description="Source Provider name or UID")],
    ctx: ToolContext,
    *,
    query: Annotated[
        Query,
        Field(
            description=(
                "TSL query, e.g. \"where memoryGB > 8 and hostCluster.name = 'Cluster-Prod'\", "
                '"where sum(disks.capacityGB) > 500", "select name, memoryGB where guestOS ~= \'Windows\' '
                'order by memoryGB desc". A bare condition means where. Empty: every VM'
            )
        ),
    ] = "",
    namespace: Annotated[
        LabelName | None, Field(description="Namespace of the Provider (default: the server's)")
    ] = None,
    fields: Annotated[
        FieldList | None,
        Field(description="Fields per VM, dotted paths allowed (e.g. hostCluster.name)"),
    ] = None,
    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Most VMs to return")] = 50,
    refresh: Annotated[bool, Field(description="Refetch the cached inventory")] = False,
) -> Annotated[CallToolResult, VmQueryResult]:
    """Find VMs of a source provider with a TSL query over its Forklift inventory.

    Records are the inventory's VM JSON (vSphere: name, powerState poweredOn|poweredOff|suspended,
    cpuCount, memoryMB, guestId, guestName, firmware, host, disks[].capacity in bytes,
    disks[].datastore.id, networks[].id, concerns[] ...) plus: provider; hostCluster {id, name};
    hypervisorHost (the ESXi/oVirt host's name); memoryGB; guestOS; disks[].capacityGB;
    diskCapacityGB (sum); criticalConcerns, warningConcerns, infoConcerns (counts). Unknown
    fields are named with suggestions; errors give the column.
    """
    compiled = compile_query(parse_query(query))
    runtime = runtime_of(ctx)
    with connect(ctx) as connection:
        inventory = load_vms(connection, runtime.inventory_cache, provider, namespace, refresh)
    outcome = compiled.run(inventory.vms, rows=limit)
    available = outcome.matched if compiled.query.limit is None else min(outcome.matched, compiled.query.limit)
    shown = fields or DEFAULT_FIELDS
    rows = outcome.items if compiled.query.select else [_project(vm, shown) for vm in outcome.items]
    warnings = [QueryIssue(message=w.message, suggestions=w.suggestions, column=w.column) for w in outcome.warnings]
    warnings += _field_warnings(fields, inventory.vms) if fields else []
    warnings += [QueryIssue(message=text) for text in inventory.warnings]
    truncated = available > limit
    note = None
    if not outcome.matched:
        note = "no VM matched the query" + (" (see the warnings)" if warnings else "")
    elif truncated:
        note = f"showing the first {limit} of {available} VMs: {NARROW_HINT}, or raise limit (max {MAX_LIMIT})"
    result = VmQueryResult(
        provider=inventory.provider.name,
        provider_type=inventory.provider.type,
        namespace=inventory.provider.namespace,
        total=len(inventory.vms),
        matched=outcome.matched,
        returned=len(rows),
        vms=rows,
        warnings=warnings,
        truncated=truncated,
        note=note,
    )
    return respond(result, _text(result, query), runtime, narrow_hint=NARROW_HINT)


TOOL = ToolDefinition(function=query_vms, title="Query source VMs (TSL)", annotations=READ_ONLY)
