"""The server as a subprocess over stdio: clean stdout, no cluster needed to start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from mtv_mcp.tools import ALL_TOOLS
from tests.server.helpers import REPO_ROOT, clean_env

pytestmark = pytest.mark.anyio


def stdio_params(env: dict[str, str], *extra: str) -> StdioServerParameters:
    return StdioServerParameters(
        command=sys.executable, args=["-m", "mtv_mcp.server", "serve", *extra], env=env, cwd=str(REPO_ROOT)
    )


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_lists_tools_with_no_kubeconfig(mode: str, tmp_path: Path) -> None:
    async with Client(stdio_params(clean_env(tmp_path)), mode=mode) as client:
        assert client.server_info is not None
        assert client.server_info.name == "mtv-mcp"
        tools = (await client.list_tools()).tools
        prompts = (await client.list_prompts()).prompts
    assert {tool.name for tool in tools} == {tool.name for tool in ALL_TOOLS}
    assert prompts


@pytest.mark.parametrize("broken", ["not yaml", "a directory"])
async def test_starts_with_an_unreadable_kubeconfig(tmp_path: Path, broken: str) -> None:
    kubeconfig = tmp_path / "config"
    if broken == "a directory":
        kubeconfig.mkdir()  # unreadable for every user, root included (chmod 0 is not)
    else:
        kubeconfig.write_text("this: [is not: a kubeconfig")
    async with Client(stdio_params(clean_env(tmp_path), "--kubeconfig", str(kubeconfig))) as client:
        assert (await client.list_prompts()).prompts


def test_stdout_carries_only_protocol_messages(tmp_path: Path) -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}},
    }
    completed = subprocess.run(
        [sys.executable, "-m", "mtv_mcp.server", "serve"],
        input=json.dumps(initialize) + "\n",
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    lines = [line for line in completed.stdout.splitlines() if line.strip()]
    assert lines, completed.stderr
    replies = [json.loads(line) for line in lines]
    assert replies[0]["id"] == 1
    assert replies[0]["result"]["serverInfo"]["name"] == "mtv-mcp"
