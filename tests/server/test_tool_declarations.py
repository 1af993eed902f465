"""Start-up from the tool declarations: they match the tool modules, and serving ``tools/list``
imports no tool implementation.

``tools/list`` is answered from ``tools/declarations.json``, so after an intended change to a
tool's schema, title, annotations or docstring regenerate it and then the reviewed snapshots, in
that order, in one run: ``MTV_UPDATE_SNAPSHOTS=1 python -m pytest
tests/server/test_tool_declarations.py tests/server/test_tools_snapshot.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from mtv_mcp.server.catalog import declare
from mtv_mcp.tools import ALL_TOOLS, TOOL_NAMES
from mtv_mcp.tools._declaration import DECLARATIONS, dump_declarations
from tests.server.helpers import REPO_ROOT, clean_env

# What answering tools/list must not import: the tools, the core behind them, their libraries.
HEAVY = (
    *(f"mtv_mcp.tools.{name}" for name in TOOL_NAMES),
    "mtv_mcp.tools._common",
    "mtv_mcp.core.inventory",
    "mtv_mcp.core.cluster",
    "mtv_mcp.core.karl",
    "mtv_mcp.core.tsl",
    "mtv_mcp.core.plan",
    "mtv_mcp.core.convertor",
    "mtv_mcp.core.placement",
    "kubernetes",
    "lark",
    "httpx",
    "msgspec",
)


def test_the_declarations_are_those_of_the_tool_modules() -> None:
    current = dump_declarations([declare(tool) for tool in ALL_TOOLS])
    if os.environ.get("MTV_UPDATE_SNAPSHOTS"):
        DECLARATIONS.write_text(current, encoding="utf-8")
    # Compared as data: pydantic may order a schema's keywords differently from run to run.
    stored = json.loads(DECLARATIONS.read_text(encoding="utf-8"))
    assert stored == json.loads(current), "a tool changed; review and regenerate declarations"


# A fresh interpreter: the CLI's commands (as `mtv-mcp serve` imports them), a server, tools/list,
# then one call of validate_karl; the modules loaded before and after that call.
SESSION = """
import json, sys
import anyio
from mcp import Client
from mtv_mcp.server.app import create_server
from mtv_mcp.server.cli import build_parser

build_parser()

async def session():
    async with Client(create_server()) as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        before = sorted(sys.modules)
        result = await client.call_tool("validate_karl", {"rules": "PREFER nodes(disk=nvme)"})
        after = sorted(sys.modules)
    answer = result.structured_content or {}
    print(json.dumps({"listed": listed, "before": before, "after": after, "affinity": answer.get("affinity")}))

anyio.run(session)
"""


def _heavy(modules: list[str]) -> set[str]:
    return {name for name in modules if any(name == h or name.startswith(f"{h}.") for h in HEAVY)}


def test_tools_list_imports_no_tool_and_a_first_call_imports_only_its_own(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", SESSION],
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    seen = json.loads(completed.stdout)
    assert seen["listed"] == list(TOOL_NAMES)
    assert "mtv_mcp.server.app" in seen["before"]
    assert _heavy(seen["before"]) == set()
    assert "nvme" in json.dumps(seen["affinity"])
    loaded = _heavy(seen["after"])
    assert {"mtv_mcp.tools.validate_karl", "mtv_mcp.core.karl", "lark"} <= loaded
    assert not {f"mtv_mcp.tools.{name}" for name in TOOL_NAMES if name != "validate_karl"} & loaded
