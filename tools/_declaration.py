"""A tool as ``tools/list`` shows it, without its implementation: the server's start-up catalogue.

``declarations.json`` holds one record per tool (name, title, annotations, description and the
published argument and output schemas), derived from the tool modules by
``mtv_mcp.server.catalog.declare``; ``tests/server/test_tool_declarations.py`` checks it still
matches them. The server lists tools from it and imports a tool's module (and the ``core``
modules behind it) on the tool's first call.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from mcp.types import ToolAnnotations
from pydantic import BaseModel, ConfigDict

DECLARATIONS = Path(__file__).with_name("declarations.json")
READ_ONLY_NOTE = "\n\nRead-only server: dry runs only."


def described(text: str, *, writes: bool, read_only: bool) -> str:
    """A tool's description; a read-only server says that only dry runs are possible."""
    return text + READ_ONLY_NOTE if read_only and writes else text


def annotated(annotations: ToolAnnotations, *, read_only: bool) -> ToolAnnotations:
    """On a read-only server a writing tool can only dry-run, so it is read-only (and not destructive)."""
    if read_only and not annotations.read_only_hint:
        update = {"read_only_hint": True, "destructive_hint": False, "idempotent_hint": True}
        return annotations.model_copy(update=update)
    return annotations


class ToolDeclaration(BaseModel):
    """What ``tools/list`` says about one tool (the schemas as published, already lean)."""

    model_config = ConfigDict(frozen=True)

    name: str
    title: str
    text: str
    annotations: ToolAnnotations
    input_schema: dict[str, Any]
    output_schema: dict[str, Any] | None

    def description(self, *, read_only: bool) -> str:
        return described(self.text, writes=not self.annotations.read_only_hint, read_only=read_only)

    def annotations_for(self, *, read_only: bool) -> ToolAnnotations:
        return annotated(self.annotations, read_only=read_only)


@cache
def load_declarations() -> tuple[ToolDeclaration, ...]:
    """The declarations of every tool, in the order assistants see them."""
    records = json.loads(DECLARATIONS.read_text(encoding="utf-8"))
    return tuple(ToolDeclaration.model_validate(record) for record in records)


def dump_declarations(declarations: list[ToolDeclaration]) -> str:
    """``declarations.json``'s text for ``declarations``."""
    records = [declaration.model_dump(mode="json", exclude_none=True) for declaration in declarations]
    return json.dumps(records, indent=1) + "\n"
