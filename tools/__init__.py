"""The MCP tools: one module each, a thin layer over ``core``.

Every module defines its tool function and a ``TOOL`` record (``tools._common.ToolDefinition``).
``TOOL_NAMES`` is the order assistants see them in. Importing this package imports no tool:
``tool_definition`` (and ``ALL_TOOLS``, all of them) import their modules when asked, so a server
can start from ``tools._declaration`` alone.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mtv_mcp.tools._common import ToolDefinition

TOOL_NAMES: tuple[str, ...] = (
    "cluster_overview",
    "query_vms",
    "validate_karl",
    "create_plan",
    "patch_plan",
    "start_migration",
    "inspect_convertor_pods",
    "cancel_migration",
    "migration_report",
)


def tool_definition(name: str) -> ToolDefinition:
    """The ``TOOL`` record of tool ``name``, its module imported now."""
    definition: ToolDefinition = import_module(f"{__name__}.{name}").TOOL
    return definition


def __getattr__(name: str) -> list[ToolDefinition]:
    """``ALL_TOOLS``: every tool's record, in ``TOOL_NAMES`` order (imports every tool)."""
    if name == "ALL_TOOLS":
        return [tool_definition(tool) for tool in TOOL_NAMES]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
