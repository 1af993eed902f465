"""The README's demo command and ``--demo`` mode: real processes, the sandbox on loopback."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from mtv_mcp.tools import ALL_TOOLS
from tests.server.helpers import REPO_ROOT, clean_env, cli_command

pytestmark = pytest.mark.anyio


def run_cli(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cli_command(*args), capture_output=True, text=True, env=clean_env(home), cwd=REPO_ROOT, timeout=240, check=False
    )


def test_demo_walks_through_every_tool_and_prints_the_assistant_config(tmp_path: Path) -> None:
    completed = run_cli(tmp_path, "demo")
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    out = completed.stdout
    for tool in ALL_TOOLS:
        assert f"> {tool.name}(" in out, tool.name
    assert "every convertor pod of this plan would stay Pending" in out
    assert "patched convertorAffinity of plan wave2-storage" in out
    assert "started plan wave2-storage: Migration wave2-storage-" in out
    assert "canceled win-ad-01 (vm-2060) in Migration wave2-storage-" in out
    assert "canceled (Migration spec.cancel; Forklift deleted their convertor pods): win-ad-01 (vm-2060)" in out
    assert "plan wave1 (openshift-mtv) already runs; nothing was started" in out
    assert "SharedDisks-vm-2042: Virtual Machines pg-prod-02 are running with attached shared disk" in out
    assert "did you mean PREFER?" in out
    assert "kubectl mtv create plan wave2-storage" in out
    assert "forecast: " in out
    assert "compared with wave0 (wave0-m4r7t): wave1 copied at" in out
    assert "x faster per GB" in out
    config = json.loads(out[out.rindex('{\n  "mcpServers"') :])
    assert config["mcpServers"]["mtv-demo"]["args"] == ["serve", "--demo"]
    assert "HTTP Request" not in completed.stderr


async def test_serve_demo_over_stdio(tmp_path: Path) -> None:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "mtv_mcp.server", "serve", "--demo"],
        env=clean_env(tmp_path),
        cwd=str(REPO_ROOT),
    )
    async with Client(params) as client:
        result = await client.call_tool("query_vms", {"provider": "vsphere-prod", "query": "where name = 'pg-prod-01'"})
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert [vm["name"] for vm in result.structured_content["vms"]] == ["pg-prod-01"]


def test_call_prints_json_or_the_tool_error(tmp_path: Path) -> None:
    ok = run_cli(
        tmp_path,
        "call",
        "--demo",
        "query_vms",
        "--arg",
        "provider=vsphere-prod",
        "--arg",
        "query=where memoryGB >= 64",
        "--arg",
        'fields=["name","memoryGB"]',
    )
    assert ok.returncode == 0, ok.stderr
    result = json.loads(ok.stdout)
    assert all(vm["memoryGB"] >= 64 for vm in result["vms"])
    assert ok.stderr == ""  # no library INFO lines at the default --log-level warning
    bad = run_cli(tmp_path, "call", "--demo", "query_vms", "--json", '{"provider": "vsphere-prod", "query": "where ("}')
    assert bad.returncode == 2
    assert "column" in bad.stderr
    assert bad.stdout == ""


def test_log_level_debug_logs_requests_on_stderr_only(tmp_path: Path) -> None:
    completed = run_cli(
        tmp_path, "call", "--demo", "--log-level", "debug", "query_vms", "--arg", "provider=vsphere-prod"
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["provider"] == "vsphere-prod"
    requests = [line for line in completed.stderr.splitlines() if "mtv_mcp.core.inventory.client" in line]
    assert any(re.search(r"DEBUG .*: GET /providers\S* -> 200 in \d+ ms$", line) for line in requests), requests
    assert "HTTP Request" not in completed.stderr  # httpx stays at warning


def test_call_rejects_malformed_arguments(tmp_path: Path) -> None:
    completed = run_cli(tmp_path, "call", "query_vms", "--json", "{not json")
    assert completed.returncode == 2
    assert "--json is not valid JSON" in completed.stderr
