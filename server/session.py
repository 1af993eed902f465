"""A real MCP client session against an in-process server, for scripted use of the tools."""

from __future__ import annotations

from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, TextContent

from mtv_mcp.core.config import Settings
from mtv_mcp.server.app import create_server


def call_tool(settings: Settings, name: str, arguments: dict[str, Any]) -> CallToolResult:
    """Call one tool through the MCP protocol, exactly as an assistant would."""

    async def session() -> CallToolResult:
        async with Client(create_server(settings)) as client:
            return await client.call_tool(name, arguments)

    return anyio.run(session)


def list_tools(settings: Settings) -> list[dict[str, Any]]:
    """``tools/list`` as JSON-ready dictionaries (wire names, camelCase)."""

    async def session() -> list[dict[str, Any]]:
        async with Client(create_server(settings)) as client:
            listed = await client.list_tools()
        return [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in listed.tools]

    return anyio.run(session)


def text_of(result: CallToolResult) -> str:
    """The text content blocks of a result, joined."""
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))
