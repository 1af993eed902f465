"""Strict arguments: every tool and prompt call is checked against what it takes, before it runs.

The SDK validates tool arguments with pydantic in lax mode and silently drops names it does not
know, so ``query_vms {where: ...}`` answered every VM and ``create_plan {dryRun: false}`` quietly
dry-ran. This middleware (the SDK's documented hook that sees each request before validation)
refuses unknown names, naming the closest argument the tool does take, and turns validation
failures into one sentence per argument instead of pydantic's report. Prompts get the same check;
their failures are JSON-RPC invalid params (-32602), as the MCP specification asks of
``prompts/get`` with missing or unknown arguments.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver.utilities.func_metadata import FuncMetadata
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, CallToolResult, TextContent
from pydantic import ValidationError
from pydantic_core import ErrorDetails

# Words assistants use for an argument under another name; offered only when the tool has it.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "where": ("query",),
    "filter": ("query",),
    "tsl": ("query",),
    "select": ("query", "fields"),
    "rule": ("rules",),
    "karl": ("rules", "convertor_affinity"),
    "affinity": ("convertor_affinity", "rules"),
    "node_selector": ("convertor_node_selector",),
    "labels": ("convertor_labels",),
    "plan_name": ("name", "plan"),
    "provider": ("source",),
    "source_provider": ("source", "provider"),
    "target_provider": ("target",),
    "vm_names": ("vms",),
    "vm_list": ("vms",),
    "ns": ("namespace",),
    "max": ("limit",),
    "max_results": ("limit",),
    "apply": ("dry_run",),
    "preview": ("check_cluster", "dry_run"),
}
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@dataclass(frozen=True)
class Signature:
    """What one tool or prompt takes: argument names (in order) and which are required."""

    arguments: tuple[str, ...]
    required: frozenset[str]


def closest(unknown: str, known: Iterable[str]) -> str | None:
    """The known argument an assistant most likely meant by ``unknown``, if any is close."""
    names = list(known)
    snake = _CAMEL_BOUNDARY.sub("_", unknown).replace("-", "_").lower()
    if snake in names:
        return snake
    for candidate in SYNONYMS.get(snake, ()):
        if candidate in names:
            return candidate
    for name in names:
        if name.endswith(f"_{snake}") or snake.endswith(f"_{name}"):
            return name
    close = difflib.get_close_matches(snake, names, n=1, cutoff=0.6)
    return close[0] if close else None


def unknown_argument_problems(signature: Signature, given: Iterable[str]) -> list[str]:
    """One sentence per argument the tool or prompt does not take."""
    problems = []
    for name in given:
        if name in signature.arguments:
            continue
        guess = closest(name, signature.arguments)
        hint = f"did you mean `{guess}`?" if guess else f"it takes {', '.join(signature.arguments) or 'none'}."
        problems.append(f"unknown argument `{name}`: {hint}")
    return problems


def validation_problems(error: ValidationError) -> list[str]:
    """Pydantic's errors as one sentence per argument (a union's alternatives folded together)."""
    by_argument: dict[str, list[ErrorDetails]] = {}
    for detail in error.errors(include_url=False):
        by_argument.setdefault(_where(detail["loc"]), []).append(detail)
    return [_sentence(argument, details) for argument, details in by_argument.items()]


def _where(loc: tuple[int | str, ...]) -> str:
    """``('fields', 3)`` → ``fields[3]``; a union's branch names (``'str'``, ``'list[str]'``,
    ``'constrained-str'``) dropped."""
    text = str(loc[0]) if loc else "arguments"
    for step in loc[1:]:
        if isinstance(step, int):
            text += f"[{step}]"
        elif "[" not in step and step not in _TYPE_WORDS and not step.startswith("constrained-"):
            text += f".{step}"
    return text


_TYPE_WORDS = frozenset({"str", "int", "float", "bool", "list", "dict", "none", "null", "function-after"})


def _sentence(argument: str, details: list[ErrorDetails]) -> str:
    if any(detail["type"] == "missing" for detail in details):
        return f"`{argument}` is required."
    messages = list(dict.fromkeys(_message(detail) for detail in details))
    return f"`{argument}`: {' or '.join(messages)}."


def _message(detail: ErrorDetails) -> str:
    message = detail["msg"].removeprefix("Value error, ").rstrip(".")
    return message[:1].lower() + message[1:]


class ArgumentGate:
    """Server middleware checking ``tools/call`` and ``prompts/get`` arguments."""

    def __init__(self) -> None:
        self.tools: dict[str, Callable[[], FuncMetadata]] = {}
        self.prompts: dict[str, Signature] = {}

    def add_tool(self, name: str, metadata: Callable[[], FuncMetadata]) -> None:
        """Check calls of ``name`` against the argument model ``metadata()`` gives (at the first call)."""
        self.tools[name] = metadata

    def add_prompt(self, name: str, arguments: Iterable[tuple[str, bool]]) -> None:
        """Check requests of prompt ``name``; ``arguments`` are (name, required) pairs."""
        pairs = list(arguments)
        self.prompts[name] = Signature(tuple(n for n, _ in pairs), frozenset(n for n, required in pairs if required))

    async def __call__(self, ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
        params: Mapping[str, Any] = ctx.params or {}
        name = params.get("name")
        arguments = params.get("arguments") or {}
        if not isinstance(name, str) or not isinstance(arguments, Mapping):
            return await call_next(ctx)
        if ctx.method == "tools/call" and name in self.tools:
            problems = self.tool_problems(name, arguments)
            if problems:
                text = f"Invalid arguments for {name}: " + " ".join(problems)
                return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)
        elif ctx.method == "prompts/get" and name in self.prompts:
            problems = self.prompt_problems(name, arguments)
            if problems:
                raise MCPError(
                    code=INVALID_PARAMS, message=f"Invalid arguments for prompt {name}: {' '.join(problems)}"
                )
        return await call_next(ctx)

    def tool_problems(self, name: str, arguments: Mapping[str, Any]) -> list[str]:
        metadata = self.tools[name]()
        fields = metadata.arg_model.model_fields
        signature = Signature(
            tuple(field.alias or key for key, field in fields.items()),
            frozenset(field.alias or key for key, field in fields.items() if field.is_required()),
        )
        problems = unknown_argument_problems(signature, arguments)
        try:
            metadata.validate_arguments(dict(arguments))
        except ValidationError as error:
            problems += validation_problems(error)
        return problems

    def prompt_problems(self, name: str, arguments: Mapping[str, Any]) -> list[str]:
        signature = self.prompts[name]
        problems = unknown_argument_problems(signature, arguments)
        problems += [
            f"`{a}` is required." for a in signature.arguments if a in signature.required and not arguments.get(a)
        ]
        problems += [
            f"`{a}` must be a string."
            for a, v in arguments.items()
            if a in signature.arguments and not isinstance(v, str)
        ]
        return problems
