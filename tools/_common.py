"""What every tool module shares: annotations, the tool record, errors and result shaping."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent, ToolAnnotations
from pydantic import BaseModel

from mtv_mcp.core.errors import MtvError, clip
from mtv_mcp.core.inventory import Connection
from mtv_mcp.core.runtime import Runtime
from mtv_mcp.tools._declaration import annotated, described
from mtv_mcp.tools._result_cap import cap_structure

READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
OFFLINE = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
# Creates objects, never changes or deletes an existing one (a differing one is a reported conflict).
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=True)
# Replaces, clears or stops something that exists: what was there is lost.
DESTRUCTIVE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=True)

ToolContext = Context[Runtime]
LINE_MAX = 1000  # a safety net; the quotes themselves are cut at source (core.errors.quoted)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class ToolDefinition:
    """One MCP tool: its function (name and docstring become the tool's) and its metadata."""

    function: Callable[..., Any]
    title: str
    annotations: ToolAnnotations

    @property
    def name(self) -> str:
        return self.function.__name__

    @property
    def writes(self) -> bool:
        return not self.annotations.read_only_hint

    def description(self, *, read_only: bool) -> str:
        """The tool's description (its docstring); see ``tools._declaration.described``."""
        return described(inspect.cleandoc(self.function.__doc__ or ""), writes=self.writes, read_only=read_only)

    def annotations_for(self, *, read_only: bool) -> ToolAnnotations:
        """The tool's annotations on this server; see ``tools._declaration.annotated``."""
        return annotated(self.annotations, read_only=read_only)


def runtime_of(ctx: ToolContext) -> Runtime:
    """The server's shared state, from a tool's injected context."""
    return ctx.request_context.lifespan_context


def headers_of(ctx: ToolContext) -> dict[str, str] | None:
    """The HTTP request headers of this call (lower-case names), or None on stdio."""
    headers = ctx.headers
    return {k.lower(): v for k, v in headers.items()} if headers is not None else None


def connect(ctx: ToolContext) -> Connection:
    """This call's connection (cluster, inventory) with its credentials; use it as a context manager."""
    runtime = runtime_of(ctx)
    return Connection(runtime.credentials(headers_of(ctx)), runtime.settings, runtime.inventory_access)


def user_errors(function: F) -> F:
    """Turn ``MtvError`` into an MCP tool error carrying its full text (the tools are synchronous)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except MtvError as error:
            raise ToolError("\n".join(clip(line, LINE_MAX) for line in str(error).splitlines())) from error

    return cast(F, wrapper)


def respond(result: BaseModel, text: str, runtime: Runtime, *, narrow_hint: str) -> CallToolResult:
    """A tool result: compact ``text`` for the assistant, ``result`` as structure, both capped.

    The text is cut at ``--max-response-chars``, the structure's JSON at
    ``max_structured_chars`` (its longest lists and strings first); the text then says what was
    cut and how to narrow the call.
    """
    limit = runtime.settings.max_response_chars
    if limit and len(text) > limit:
        text = f"{text[:limit]}\n[output cut at {limit} characters: {narrow_hint}]"
    structured = result.model_dump(mode="json", by_alias=True, exclude_none=False)
    structured, cut = cap_structure(structured, runtime.settings.max_structured_chars)
    if cut:
        text += (
            f"\n[structured result cut to {runtime.settings.max_structured_chars} characters "
            f"({'; '.join(cut[:5])}): {narrow_hint}]"
        )
    return CallToolResult(content=[TextContent(type="text", text=text)], structured_content=structured)
