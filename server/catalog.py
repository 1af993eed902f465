"""The server's tools, workflow prompts and reference documents."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.server.mcpserver.resources.types import TextResource
from mcp.server.mcpserver.tools import Tool
from mcp.server.mcpserver.utilities.func_metadata import ArgModelBase, FuncMetadata
from pydantic import Field

from mtv_mcp.prompts.loader import WorkflowPrompt, load_references, load_workflows
from mtv_mcp.server.arguments import ArgumentGate
from mtv_mcp.server.schema import lean_input_schema, lean_output_schema
from mtv_mcp.tools import tool_definition
from mtv_mcp.tools._declaration import ToolDeclaration, load_declarations

if TYPE_CHECKING:
    from mtv_mcp.tools._common import ToolDefinition

REFERENCE_URI = "mtv://reference/{name}"


Wrap = Callable[[Callable[..., Any]], Callable[..., Any]]


def build_tool(definition: ToolDefinition, *, read_only: bool, wrap: Wrap) -> Tool:
    """The SDK tool of ``definition``: its ``wrap``-ped function with lean schemas."""
    tool = Tool.from_function(
        wrap(definition.function),
        title=definition.title,
        description=definition.description(read_only=read_only),
        annotations=definition.annotations_for(read_only=read_only),
    )
    tool.parameters = lean_input_schema(tool.parameters)
    if tool.fn_metadata.output_schema is not None:
        # FuncMetadata reads its fields live; the published schema is the lean one.
        tool.fn_metadata.output_schema = lean_output_schema(tool.fn_metadata.output_schema)
    return tool


def declare(definition: ToolDefinition) -> ToolDeclaration:
    """What ``tools/list`` says about ``definition`` (as on a writable server), for ``declarations.json``."""
    tool = build_tool(definition, read_only=False, wrap=lambda function: function)
    return ToolDeclaration(
        name=tool.name,
        title=definition.title,
        text=tool.description,
        annotations=definition.annotations,
        input_schema=tool.parameters,
        output_schema=tool.output_schema,
    )


class DeclaredTool(Tool):
    """A tool listed from its declaration; ``load`` imports and builds the real one on the first call."""

    load: Callable[[], Tool] = Field(exclude=True)

    def argument_metadata(self) -> FuncMetadata:
        """The real tool's argument model (for ``ArgumentGate``)."""
        return self.load().fn_metadata

    async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
        return await self.load().run(arguments, context, convert_result=convert_result)


def declared_tool(declaration: ToolDeclaration, *, read_only: bool, wrap: Wrap) -> DeclaredTool:
    """The tool of ``declaration``, its module imported (once) when it is first called."""

    @cache
    def load() -> Tool:
        return build_tool(tool_definition(declaration.name), read_only=read_only, wrap=wrap)

    return DeclaredTool(
        fn=load,
        load=load,
        name=declaration.name,
        title=declaration.title,
        description=declaration.description(read_only=read_only),
        parameters=declaration.input_schema,
        fn_metadata=FuncMetadata(arg_model=ArgModelBase, output_schema=declaration.output_schema),
        is_async=False,
        annotations=declaration.annotations_for(read_only=read_only),
    )


def catalogue_tools(
    gate: ArgumentGate,
    tools: Sequence[ToolDefinition] | None,
    *,
    read_only: bool,
    wrap: Wrap,
) -> list[Tool]:
    """The server's tools, each call checked by ``gate``: ``tools`` built now, or (None) every
    tool from ``declarations.json``, its module imported on its first call."""
    if tools is not None:
        built = [build_tool(definition, read_only=read_only, wrap=wrap) for definition in tools]
        for tool in built:
            gate.add_tool(tool.name, _metadata_of(tool))
        return built
    declared = [declared_tool(d, read_only=read_only, wrap=wrap) for d in load_declarations()]
    for lazy in declared:
        gate.add_tool(lazy.name, lazy.argument_metadata)
    return list(declared)


def _metadata_of(tool: Tool) -> Callable[[], FuncMetadata]:
    return lambda: tool.fn_metadata


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
