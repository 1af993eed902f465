"""The model-facing contract: ``tools/list`` (names, descriptions, schemas, annotations).

A change to any tool's schema or description shows up here as a diff to review. After an
intended change, regenerate with ``MTV_UPDATE_SNAPSHOTS=1 python -m pytest tests/server/test_tools_snapshot.py``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mtv_mcp.core.config import Settings
from mtv_mcp.server.session import list_tools

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.mark.parametrize(("name", "settings"), [("tools", Settings()), ("tools-read-only", Settings(read_only=True))])
def test_tools_list_matches_the_reviewed_snapshot(name: str, settings: Settings) -> None:
    current = json.dumps(list_tools(settings), indent=2, sort_keys=True) + "\n"
    path = SNAPSHOTS / f"{name}.json"
    if os.environ.get("MTV_UPDATE_SNAPSHOTS"):
        path.write_text(current)
    assert path.read_text() == current, f"tools/list changed; review and regenerate {path.name}"


def test_every_tool_is_annotated_and_documented() -> None:
    for tool in list_tools(Settings()):
        assert tool["description"].strip(), tool["name"]
        assert "annotations" in tool, tool["name"]
        assert "readOnlyHint" in tool["annotations"], tool["name"]
        assert tool.get("outputSchema"), tool["name"]
