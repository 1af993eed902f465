"""query_vms through a real MCP client: sandbox Kubernetes API (Route discovery, credentials) and a
loopback Forklift inventory; guide queries, warnings, errors, faults, HTTP bearer tokens.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.loader import seed_inventory_route
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server
from mtv_mcp.server.http import create_http_app
from tests.core.inventory.fake_inventory import FakeInventory

pytestmark = pytest.mark.anyio
DATA = Path(__file__).resolve().parents[1] / "core" / "cluster" / "data"


@pytest.fixture(scope="module")
def inventory() -> Iterator[FakeInventory]:
    with FakeInventory().running() as running:
        yield running


@pytest.fixture(scope="module")
def sandbox(crd_dir: Path, inventory: FakeInventory) -> Iterator[Sandbox]:
    """The sandbox cluster, its forklift-inventory Route pointing at the loopback inventory."""
    with Sandbox.start(data=DATA, crds=crd_dir) as running:
        seed_inventory_route(running.store, inventory.url.removeprefix("http://"))
        yield running


@asynccontextmanager
async def client(sandbox: Sandbox, **settings: Any) -> AsyncIterator[Client]:
    config = Settings(kubeconfig=sandbox.kubeconfig_path, request_timeout=2, **settings)
    async with Client(create_server(config)) as connected:
        yield connected


async def call(sandbox: Sandbox, query: str = "", **arguments: Any) -> Any:
    async with client(sandbox) as c:
        return await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": query, **arguments})


def names(result: Any) -> list[str]:
    return [vm["name"] for vm in result.structured_content["vms"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("where memoryGB > 32", ["win-sql-01", "gpu-render-01"]),
        ("where sum(disks.capacityGB) > 500", ["pg-prod-01", "pg-prod-02", "win-sql-01", "file-srv-01"]),
        ("where sum(disks[*].capacity) > 1Ti", ["win-sql-01", "file-srv-01"]),
        ("where any(disks.capacityGB > 1000)", ["win-sql-01", "file-srv-01"]),
        ("where cluster.name = 'Cluster-Dev'", ["dev-sandbox-07"]),
        ("where guestOS ~= 'Windows'", ["win-sql-01", "file-srv-01"]),
        ("where guestId ~= '^windows'", ["win-sql-01", "file-srv-01"]),
        (
            "where powerState = 'poweredOn' and memoryMB >= 16384",
            ["pg-prod-01", "pg-prod-02", "win-sql-01", "gpu-render-01", "file-srv-01"],
        ),
        ("where criticalConcerns > 0", ["gpu-render-01"]),
        ("memoryGB <= 4 order by memoryGB", ["dev-sandbox-07", "legacy-app-01"]),
    ],
)
async def test_guide_queries(sandbox: Sandbox, query: str, expected: list[str]) -> None:
    result = await call(sandbox, query)
    assert not result.is_error, result.content[0].text
    assert sorted(names(result)) == sorted(expected)
    assert result.structured_content["total"] == 8
    assert result.structured_content["matched"] == len(expected)


async def test_default_fields_are_compact_and_enriched(sandbox: Sandbox) -> None:
    result = await call(sandbox, "where name = 'pg-prod-01'")
    [vm] = result.structured_content["vms"]
    assert vm == {
        "id": "vm-2041",
        "name": "pg-prod-01",
        "powerState": "poweredOn",
        "cpuCount": 8,
        "memoryGB": 32.0,
        "diskCapacityGB": 600.0,
        "guestOS": "Red Hat Enterprise Linux 9 (64-bit)",
        "cluster.name": "Cluster-Prod",
        "hostName": "esxi-01.corp.example.com",
        "criticalConcerns": 0,
        "warningConcerns": 1,
    }


async def test_fields_and_select(sandbox: Sandbox) -> None:
    picked = await call(sandbox, "where name = 'win-sql-01'", fields=["name", "disks.capacityGB", "nics"])
    assert picked.structured_content["vms"] == [
        {"name": "win-sql-01", "disks.capacityGB": [200.0, 1024.0, 250.0], "nics": None}
    ]
    assert "`nics` exists in no VM" in picked.structured_content["warnings"][0]["message"]
    selected = await call(sandbox, "select name, diskCapacityGB as disk where diskCapacityGB > 1000 order by disk desc")
    assert selected.structured_content["vms"] == [
        {"name": "file-srv-01", "disk": 2148.0},
        {"name": "win-sql-01", "disk": 1474.0},
    ]


async def test_unknown_field_warns_and_empty_result_says_so(sandbox: Sandbox) -> None:
    result = await call(sandbox, "where any(disks.iops > 1000)")
    content = result.structured_content
    assert not result.is_error
    assert content["matched"] == 0
    assert content["note"] == "no VM matched the query (see the warnings)"
    assert "`disks.iops` exists in no record" in content["warnings"][0]["message"]
    assert "no VM matched" in result.content[0].text


async def test_truncation_note(sandbox: Sandbox) -> None:
    result = await call(sandbox, "", limit=3)
    content = result.structured_content
    assert (content["matched"], content["returned"], content["truncated"]) == (8, 3, True)
    assert content["note"].startswith("showing the first 3 of 8 VMs: narrow the query")


async def test_bad_query_is_a_tool_error_with_a_caret(sandbox: Sandbox) -> None:
    result = await call(sandbox, "where memoryGB >> 8")
    text = result.content[0].text
    assert result.is_error
    assert "(column 17)" in text
    assert "  where memoryGB >> 8\n                  ^" in text


async def test_unknown_provider(sandbox: Sandbox) -> None:
    async with client(sandbox) as c:
        result = await c.call_tool("query_vms", {"provider": "vmware"})
    assert result.is_error
    assert "provider 'vmware' not found in namespace openshift-mtv" in result.content[0].text


async def test_flags_credentials_and_explicit_inventory_url(sandbox: Sandbox, inventory: FakeInventory) -> None:
    config = Settings(kube_server=sandbox.url, kube_token=sandbox.viewer_token, inventory_url=inventory.url)
    async with Client(create_server(config)) as c:
        result = await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": "where cpuCount >= 16"})
    assert names(result) == ["win-sql-01", "gpu-render-01"]


async def test_no_credentials_is_an_error_per_call(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    async with Client(create_server(Settings())) as c:
        first = await c.call_tool("query_vms", {"provider": "vsphere-prod"})
        second = await c.call_tool("query_vms", {"provider": "vsphere-prod"})
    assert first.is_error
    assert second.is_error
    assert "no Kubernetes credentials" in first.content[0].text


async def test_inventory_faults_are_clear_and_the_next_call_works(sandbox: Sandbox, inventory: FakeInventory) -> None:
    async with client(sandbox) as c:
        inventory.status = 500
        failed = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
        inventory.status = None
        inventory.delay = 2.5
        slow = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
        inventory.delay = 0
        ok = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
    assert failed.is_error
    assert "(HTTP 500)" in failed.content[0].text
    assert slow.is_error
    assert "did not answer within 2 s" in slow.content[0].text
    assert not ok.is_error
    assert ok.structured_content["total"] == 8


async def test_kube_api_faults_during_route_discovery(sandbox: Sandbox) -> None:
    async with client(sandbox) as c:
        with sandbox.faults.injected("GET /apis/route.openshift.io/*=hang"):
            hung = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
        with sandbox.faults.injected("GET /apis/route.openshift.io/*=drop"):
            dropped = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
        ok = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
    assert "did not answer within 2 s while trying to list routes in openshift-mtv" in hung.content[0].text
    assert "was dropped while trying to list routes" in dropped.content[0].text
    assert not ok.is_error


@asynccontextmanager
async def http_client(sandbox: Sandbox, bearer: str) -> AsyncIterator[Client]:
    app = create_http_app(Settings(kube_server=sandbox.url, request_timeout=2))
    async with app.router.lifespan_context(app):
        http = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app),
            base_url="http://127.0.0.1:8080",
            headers={"Authorization": f"Bearer {bearer}"},
        )
        async with http, Client(streamable_http_client("http://127.0.0.1:8080/mcp", http_client=http)) as c:
            yield c


async def test_http_bearer_viewer_can_query(sandbox: Sandbox) -> None:
    async with http_client(sandbox, sandbox.viewer_token) as c:
        result = await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": "where criticalConcerns > 0"})
    assert names(result) == ["gpu-render-01"]


async def test_http_bearer_without_access_gets_a_clear_403(sandbox: Sandbox) -> None:
    async with http_client(sandbox, sandbox.no_access_token) as c:
        result = await c.call_tool("query_vms", {"provider": "vsphere-prod"})
    assert result.is_error
    assert "the token may not" in result.content[0].text
    assert "(403)" in result.content[0].text
