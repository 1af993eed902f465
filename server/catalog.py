"""Registers the tools, the workflow prompts and the reference documents on a server."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.server.mcpserver.resources.types import TextResource
from mcp.server.mcpserver.tools import Tool

from mtv_mcp.prompts.loader import WorkflowPrompt, load_references, load_workflows
from mtv_mcp.server.arguments import ArgumentGate
from mtv_mcp.server.schema import lean_input_schema, lean_output_schema
from mtv_mcp.tools._common import ToolDefinition

REFERENCE_URI = "mtv://reference/{name}"


def register_tools(
    server: MCPServer[Any],
    gate: ArgumentGate,
    tools: Sequence[ToolDefinition],
    *,
    read_only: bool,
    wrap: Callable[[Callable[..., Any]], Callable[..., Any]],
) -> None:
    """Each tool's ``wrap``-ped function with lean schemas, its calls checked by ``gate``."""
    for definition in tools:
        server.add_tool(
            wrap(definition.function),
            title=definition.title,
            description=definition.description(read_only=read_only),
            annotations=definition.annotations_for(read_only=read_only),
        )
        tool = _registered(server, definition.name)
        tool.parameters = lean_input_schema(tool.parameters)
        if tool.fn_metadata.output_schema is not None:
            # FuncMetadata reads its fields live; the published schema is the lean one.
            tool.fn_metadata.output_schema = lean_output_schema(tool.fn_metadata.output_schema)
        gate.add_tool(definition.name, tool.fn_metadata)


def _registered(server: MCPServer[Any], name: str) -> Tool:
    """The SDK's record of a tool just added (``MCPServer`` has no public getter for it)."""
    tool = server._tool_manager.get_tool(name)
    if tool is None:
        raise LookupError(f"tool {name} was not registered")
    return tool


def _as_prompt(workflow: WorkflowPrompt) -> Prompt:
    def render(**values: str) -> str:
        return workflow.render(values)

    return Prompt(
        name=workflow.name,
        title=workflow.title,
        description=workflow.description,
        arguments=[
            PromptArgument(name=a.name, description=a.described(), required=a.required) for a in workflow.arguments
        ],
        fn=render,
    )


def register_prompts(server: MCPServer[Any], gate: ArgumentGate) -> None:
    """One MCP prompt per workflow file, its requests checked by ``gate``."""
    for workflow in load_workflows():
        server.add_prompt(_as_prompt(workflow))
        gate.add_prompt(workflow.name, [(a.name, a.required) for a in workflow.arguments])


def register_resources(server: MCPServer[Any]) -> None:
    """One text resource per reference document (``mtv://reference/tsl`` ...)."""
    for document in load_references():
        server.add_resource(
            TextResource(
                uri=REFERENCE_URI.format(name=document.name),
                name=f"{document.name}-reference",
                title=document.title,
                description=f"{document.title} (Markdown)",
                mime_type="text/markdown",
                text=document.text,
            )
        )
