"""Limits of the HTTP server, over real HTTP against the demo sandbox: header and idle timeouts,
the connection cap, concurrent calls and the time budget, argument caps, bounded error quotes and
the structured-result cap."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest

from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.session import text_of
from tests.server.http_fixtures import mcp_client, post, sandbox_flags, served, tool_call

pytestmark = pytest.mark.anyio
LIMITS = ["--header-timeout", "1", "--idle-timeout", "1", "--max-connections", "8", "--max-calls", "1"]


@pytest.fixture(scope="module")
def url(demo_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    flags = [*sandbox_flags(demo_sandbox), *LIMITS, "--call-timeout", "3", "--max-structured-chars", "4000"]
    with served(tmp_path_factory.mktemp("home"), *flags) as base:
        yield base


def connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


def closed_by_server(sock: socket.socket) -> bool:
    """True when the server closes the connection (read returns EOF) within the socket timeout."""
    try:
        while data := sock.recv(65536):
            if not data:
                break
        return True
    except TimeoutError:
        return False
    finally:
        sock.close()


def test_a_request_head_that_never_completes_is_cut_off(url: str) -> None:
    silent = connect(url)
    slow = connect(url)
    slow.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
    assert closed_by_server(silent)
    assert closed_by_server(slow)


def test_an_idle_keep_alive_connection_is_closed(url: str) -> None:
    sock = connect(url)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert b"200 OK" in sock.recv(65536)
    assert closed_by_server(sock)


def test_connections_beyond_the_cap_get_503(url: str) -> None:
    held = [connect(url) for _ in range(8)]
    try:
        refused = httpx.get(f"{url}/healthz")
    finally:
        for sock in held:
            sock.close()
    assert refused.status_code == 503


async def test_calls_wait_for_a_slot_and_end_at_the_time_budget(url: str, demo_sandbox: Sandbox) -> None:
    results: list[Any] = []
    headers = {"Authorization": f"Bearer {demo_sandbox.viewer_token}"}

    async def overview() -> None:
        async with mcp_client(url, headers) as client:
            results.append(await client.call_tool("cluster_overview", {}))

    with demo_sandbox.faults.injected("GET /api/v1/nodes=hang") as (nodes,):
        async with anyio.create_task_group() as group:
            group.start_soon(overview)
            group.start_soon(overview)
            with anyio.fail_after(10):
                while nodes.hits < 1:
                    await anyio.sleep(0.05)
            await anyio.sleep(1)  # time for the second call to arrive; it must wait for the slot
            while_first_runs = nodes.hits
    assert while_first_runs == 1
    assert [result.is_error for result in results] == [True, True]
    # Both end at the budget; which answer arrives first is up to the scheduler of a busy machine.
    assert any("did not finish within its time budget of 3 s (running)" in text_of(r) for r in results)
    async with mcp_client(url, headers) as client:
        after = await client.call_tool("cluster_overview", {})
    assert not after.is_error, text_of(after)


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("query_vms", {"provider": "vsphere-prod", "query": "where " + "x" * 5000}, "at most 4000 characters"),
        ("query_vms", {"provider": "vsphere-prod", "fields": [f"f{i}" for i in range(100_000)]}, "at most 50 items"),
        ("validate_karl", {"rules": ["PREFER nodes(a=b)"] * 21}, "at most 20 items"),
        ("validate_karl", {"rules": "PREFER pods(app=" + "x" * 1_000_000 + ") on node"}, "at most 1000 characters"),
        (
            "create_plan",
            {"name": "big", "source": "vsphere-prod", "vms": [f"vm-{i}" for i in range(1001)]},
            "at most 1000 items",
        ),
        ("create_plan", {"name": "x" * 100, "source": "vsphere-prod", "vms": "a"}, "at most 63 characters"),
        (
            "create_plan",
            {
                "name": "labels",
                "source": "vsphere-prod",
                "vms": "a",
                "convertor_labels": {f"k{i}": "v" for i in range(65)},
            },
            "at most 64 items",
        ),
        ("patch_plan", {"name": "wave1", "target_node_selector": "k=v," * 3000}, "at most 8192 characters"),
        ("start_migration", {"plan": "wave1", "cutover": "2026-11-28T12:00:00Z" + " " * 100}, "at most 64 characters"),
        ("inspect_convertor_pods", {"plan": "wave1", "vm": "v" * 300}, "at most 255 characters"),
    ],
)
async def test_oversized_arguments_are_refused_before_any_cluster_call(
    url: str, demo_sandbox: Sandbox, tool: str, arguments: dict[str, Any], expected: str
) -> None:
    with demo_sandbox.faults.injected("/*=delay:0") as (requests,):
        async with mcp_client(url, {"Authorization": f"Bearer {demo_sandbox.admin_token}"}) as client:
            result = await client.call_tool(tool, arguments)
    assert result.is_error
    assert expected in text_of(result)
    assert len(text_of(result)) < 2000
    assert requests.hits == 0


def test_a_body_over_1_mib_is_refused(url: str, demo_sandbox: Sandbox) -> None:
    body = tool_call("create_plan", {"name": "big", "source": "vsphere-prod", "vms": ["v" * 100] * 20_000})
    response = post(url, body, {"Authorization": f"Bearer {demo_sandbox.admin_token}"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("tool", "arguments"),
    [
        ("query_vms", {"provider": "vsphere-prod", "query": "where name = 'a' and " + "memoryGB > 1 and " * 200 + "("}),
        ("validate_karl", {"rules": "PREFER pods(app=x" + ", b=c" * 150 + " on node"}),
        ("create_plan", {"name": "Bad_Name" + "x" * 40, "source": "vsphere-prod", "vms": "pg-prod-01"}),
        ("create_plan", {"name": "quotes", "source": "vsphere-prod", "vms": ["v" * 250 + str(i) for i in range(900)]}),
    ],
)
async def test_errors_quote_little_of_the_input(
    url: str, demo_sandbox: Sandbox, tool: str, arguments: dict[str, Any]
) -> None:
    async with mcp_client(url, {"Authorization": f"Bearer {demo_sandbox.admin_token}"}) as client:
        result = await client.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error
    assert len(text) < 3000, text
    assert max(len(line) for line in text.splitlines()) <= 500, text


async def test_missing_vm_suggestions_stay_cheap_and_short(url: str, demo_sandbox: Sandbox) -> None:
    names = [f"pg-prod-{i:04d}" for i in range(1000)]
    arguments = {"name": "missing", "source": "vsphere-prod", "vms": names}
    async with mcp_client(url, {"Authorization": f"Bearer {demo_sandbox.admin_token}"}) as client:
        result = await client.call_tool("create_plan", arguments)
    text = text_of(result)
    assert "has no VM with the name or id 'pg-prod-0000'" in text
    assert "and 995 more" in text
    assert "did you mean" in text


async def test_the_structured_result_is_capped_with_a_note(url: str, demo_sandbox: Sandbox) -> None:
    arguments = {"provider": "vsphere-prod", "limit": 500, "fields": ["name", "id", "disks", "nics", "cluster"]}
    async with mcp_client(url, {"Authorization": f"Bearer {demo_sandbox.viewer_token}"}) as client:
        result = await client.call_tool("query_vms", arguments)
    assert not result.is_error, text_of(result)
    assert result.structured_content is not None
    assert len(json.dumps(result.structured_content, separators=(",", ":"))) <= 4000
    assert "[structured result cut to 4000 characters (vms:" in text_of(result)
    assert result.structured_content["returned"] > len(result.structured_content["vms"]) > 0
