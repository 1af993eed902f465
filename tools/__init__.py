"""The MCP tools: one module each, a thin layer over ``core``.

Every module defines its tool function and a ``TOOL`` record (``tools._common.ToolDefinition``);
``ALL_TOOLS`` is the list the server registers, in the order assistants see them.
"""

from __future__ import annotations

from mtv_mcp.tools import (
    cancel_migration,
    cluster_overview,
    create_plan,
    inspect_convertor_pods,
    migration_report,
    patch_plan,
    query_vms,
    start_migration,
    validate_karl,
)
from mtv_mcp.tools._common import ToolDefinition

ALL_TOOLS: list[ToolDefinition] = [
    cluster_overview.TOOL,
    query_vms.TOOL,
    validate_karl.TOOL,
    create_plan.TOOL,
    patch_plan.TOOL,
    start_migration.TOOL,
    inspect_convertor_pods.TOOL,
    cancel_migration.TOOL,
    migration_report.TOOL,
]
