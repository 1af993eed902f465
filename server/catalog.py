"""Registers the workflow prompts and the reference documents on a server."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.prompts.base import Prompt, PromptArgument
from mcp.server.mcpserver.resources.types import TextResource

from mtv_mcp.prompts.loader import WorkflowPrompt, load_references, load_workflows

REFERENCE_URI = "mtv://reference/{name}"


def _as_prompt(workflow: WorkflowPrompt) -> Prompt:
    def render(**values: str) -> str:
        return workflow.render(values)

    return Prompt(
        name=workflow.name,
        title=workflow.title,
        description=workflow.description,
        arguments=[
            PromptArgument(name=a.name, description=a.description, required=a.required) for a in workflow.arguments
        ],
        fn=render,
    )


def register_prompts(server: MCPServer[Any]) -> None:
    """One MCP prompt per workflow file."""
    for workflow in load_workflows():
        server.add_prompt(_as_prompt(workflow))


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
