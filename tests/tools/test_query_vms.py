"""query_vms through a real MCP client against the sandbox with the demo data (demo-dataset.md):
Route discovery, the sandbox's Forklift inventory, every ``--vms "where ..."`` form of the
convertor-optimization guide, warnings, errors, credentials, faults and HTTP bearer tokens.
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
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server
from mtv_mcp.server.http import create_http_app

pytestmark = pytest.mark.anyio
TOTAL = 13  # the vSphere VMs of demo-dataset.md §3 (the template tmpl-rhel9 is not listed)
WINDOWS = ["win-ad-01", "win-sql-01", "file-srv-01"]
# Every `--vms "where ..."` form of convertor-optimization-guide.md, and what the demo data answers.
GUIDE_QUERIES: list[tuple[str, list[str]]] = [
    # the guide's cluster names are not in the demo data (its clusters are Cluster-Prod/Cluster-Dev),
    # and `cluster` is an inventory field name (oVirt's cluster id), so the computed one is hostCluster
    ("where cluster.name = 'Legacy-Cluster'", []),
    ("where cluster.name = 'Critical-Production' and powerState = 'poweredOn'", []),
    ("where cluster.name = 'Standard-Production'", []),
    # provisioned disk totals: pg-prod-01 600, pg-prod-02 601, win-sql-01 1474, file-srv-01 2148 GiB
    ("where sum disks.capacityGB > 500", ["pg-prod-01", "pg-prod-02", "win-sql-01", "file-srv-01"]),
    ("where sum disks.capacityGB > 1000", ["win-sql-01", "file-srv-01"]),
    # one disk above 500 GiB: win-sql-01's 1 TiB, file-srv-01's 2 TiB RDM (pg-prod-0x have exactly 500)
    ("where any disks.capacityGB > 500", ["win-sql-01", "file-srv-01"]),
    ("where memoryMB > 32768", ["win-sql-01", "gpu-render-01"]),
    (
        "where memoryMB between 4096 and 16384",
        [
            "pg-witness-01",
            "web-frontend-01",
            "web-frontend-02",
            "win-ad-01",
            "legacy-app-01",
            "build-runner-03",
            "Test_VM_Upper",
            "file-srv-01",
        ],
    ),
    # no demo VM has more than three disks
    ("where len disks > 4", []),
    # no demo VM is called *database*; 'db' is inside 'dev-san-db-ox-07' (regexes match substrings)
    ("where name ~= '.*database.*' or name ~= '.*db.*'", ["dev-sandbox-07"]),
]
# The correct forms of demo-dataset.md §3 and the enriched fields query_vms adds.
DEMO_QUERIES: list[tuple[str, list[str]]] = [
    ("where sum(disks[*].capacity) > 500Gi", ["pg-prod-01", "pg-prod-02", "win-sql-01", "file-srv-01"]),
    ("where sum(disks[*].capacity) > 1Ti", ["win-sql-01", "file-srv-01"]),
    ("where any(disks[*].capacity >= 1Ti)", ["win-sql-01", "file-srv-01"]),
    ("where guestId ~= '^windows'", WINDOWS),
    ("where guestOS ~= '(?i)windows'", WINDOWS),
    (
        "where powerState = 'poweredOn' and memoryMB >= 16384",
        ["pg-prod-01", "pg-prod-02", "win-ad-01", "win-sql-01", "build-runner-03", "gpu-render-01", "file-srv-01"],
    ),
    ("where criticalConcerns > 0", ["gpu-render-01"]),
    ("where hostCluster.name = 'Cluster-Dev'", ["build-runner-03", "Test_VM_Upper", "dev-sandbox-07"]),
    ("where powerState = 'suspended'", ["dev-sandbox-07"]),
    ("memoryGB <= 4 order by memoryGB", ["dev-sandbox-07", "pg-witness-01", "legacy-app-01", "Test_VM_Upper"]),
]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    """The demo cluster and its Forklift inventory (the forklift-inventory Route points at it)."""
    with Sandbox.start(data="demo") as running:
        yield running


@asynccontextmanager
async def client(sandbox: Sandbox, **settings: Any) -> AsyncIterator[Client]:
    config = Settings(**{"kubeconfig": sandbox.kubeconfig_path, "request_timeout": 2, **settings})
    async with Client(create_server(config)) as connected:
        yield connected


async def call(sandbox: Sandbox, query: str = "", **arguments: Any) -> Any:
    async with client(sandbox) as c:
        return await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": query, **arguments})


def text_of(result: Any) -> str:
    return str(result.content[0].text)


def names(result: Any) -> list[str]:
    return [vm["name"] for vm in result.structured_content["vms"]]


def messages(result: Any) -> list[str]:
    return [warning["message"] for warning in result.structured_content["warnings"]]


@pytest.mark.parametrize(
    ("query", "expected"), GUIDE_QUERIES + DEMO_QUERIES, ids=[q for q, _ in GUIDE_QUERIES + DEMO_QUERIES]
)
async def test_guide_and_demo_queries(sandbox: Sandbox, query: str, expected: list[str]) -> None:
    result = await call(sandbox, query)
    content = result.structured_content
    assert not result.is_error, text_of(result)
    if query.endswith("order by memoryGB"):
        assert names(result)[0] == expected[0]
    assert sorted(names(result)) == sorted(expected)
    assert (content["total"], content["matched"]) == (TOTAL, len(expected))
    if " cluster.name" in query:  # the guide's name; the computed field is hostCluster (no shadowing)
        assert [w["suggestions"][0] for w in content["warnings"]] == ["hostCluster.name"]
        assert content["note"] == "no VM matched the query (see the warnings)"
    else:
        assert content["warnings"] == []
        assert content["note"] == (None if expected else "no VM matched the query")


async def test_guide_case_sensitive_windows_pattern_gets_a_fix(sandbox: Sandbox) -> None:
    """The guide's `guestOS ~= '.*windows.*'`: guest names say 'Windows'; the warning says how to fix it."""
    result = await call(sandbox, "where guestOS ~= '.*windows.*'")
    assert not result.is_error
    assert result.structured_content["matched"] == 0
    assert messages(result) == [
        "`guestOS ~= '.*windows.*'` is case-sensitive and matched nothing; ignoring case it matches "
        "3 value(s): start the pattern with (?i)"
    ]
    assert result.structured_content["note"] == "no VM matched the query (see the warnings)"


async def test_guide_iops_field_is_unknown_with_suggestions(sandbox: Sandbox) -> None:
    """The guide's `any disks.iops > 10000`: the inventory has no IOPS; an empty result that says why."""
    result = await call(sandbox, "where any disks.iops > 10000")
    content = result.structured_content
    assert not result.is_error
    assert content["matched"] == 0
    assert content["note"] == "no VM matched the query (see the warnings)"
    [warning] = content["warnings"]
    assert warning["message"].startswith("the field `disks.iops` exists in no record; did you mean disks.")
    assert warning["column"] == 11
    assert warning["suggestions"]
    assert "no VM matched" in text_of(result)
    assert "warning: the field `disks.iops` exists in no record" in text_of(result)


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
        "hostCluster.name": "Cluster-Prod",
        "hypervisorHost": "esxi-01.corp.example.com",
        "criticalConcerns": 0,
        "warningConcerns": 1,
    }


async def test_fields_and_select(sandbox: Sandbox) -> None:
    picked = await call(sandbox, "where name = 'win-sql-01'", fields=["name", "disks.capacityGB", "disks.iops"])
    assert picked.structured_content["vms"] == [
        {"name": "win-sql-01", "disks.capacityGB": [200.0, 1024.0, 250.0], "disks.iops": [None, None, None]}
    ]
    assert "`disks.iops` exists in no VM" in messages(picked)[0]
    selected = await call(sandbox, "select name, diskCapacityGB as disk where diskCapacityGB > 1000 order by disk desc")
    assert selected.structured_content["vms"] == [
        {"name": "file-srv-01", "disk": 2148.0},
        {"name": "win-sql-01", "disk": 1474.0},
    ]


async def test_truncation_note(sandbox: Sandbox) -> None:
    result = await call(sandbox, "", limit=3)
    content = result.structured_content
    assert (content["matched"], content["returned"], content["truncated"]) == (TOTAL, 3, True)
    assert content["note"].startswith(f"showing the first 3 of {TOTAL} VMs: narrow the query")


async def test_bad_query_is_a_tool_error_with_a_caret(sandbox: Sandbox) -> None:
    result = await call(sandbox, "where memoryGB >> 8")
    text = text_of(result)
    assert result.is_error
    assert "(column 17)" in text
    assert "  where memoryGB >> 8\n                  ^" in text


async def test_unknown_provider(sandbox: Sandbox) -> None:
    async with client(sandbox) as c:
        result = await c.call_tool("query_vms", {"provider": "vmware"})
    assert result.is_error
    assert "provider 'vmware' not found in namespace openshift-mtv" in text_of(result)


async def test_ovirt_provider(sandbox: Sandbox) -> None:
    async with client(sandbox) as c:
        result = await c.call_tool("query_vms", {"provider": "ovirt-legacy", "query": "where memoryGB >= 16"})
    assert (result.structured_content["provider_type"], result.structured_content["total"]) == ("ovirt", 4)
    assert sorted(names(result)) == ["erp-app-01", "erp-db-01"]


@pytest.mark.parametrize("explicit_url", [False, True], ids=["route-discovery", "explicit-inventory-url"])
async def test_server_and_token_flags(sandbox: Sandbox, explicit_url: bool) -> None:
    config = Settings(
        kube_server=sandbox.url,
        kube_token=sandbox.viewer_token,
        inventory_url=sandbox.inventory_url if explicit_url else None,
    )
    async with Client(create_server(config)) as c:
        result = await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": "where cpuCount >= 16"})
    assert sorted(names(result)) == ["gpu-render-01", "win-sql-01"]


async def test_no_credentials_is_an_error_per_call(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("KUBECONFIG", raising=False)
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    async with Client(create_server(Settings())) as c:
        first = await c.call_tool("query_vms", {"provider": "vsphere-prod"})
        second = await c.call_tool("query_vms", {"provider": "vsphere-prod"})
    assert first.is_error
    assert second.is_error
    assert "no Kubernetes credentials" in text_of(first)


async def test_inventory_faults_are_clear_and_the_next_call_works(sandbox: Sandbox) -> None:
    async with client(sandbox, request_timeout=1) as c:

        async def query() -> Any:
            return await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})

        with sandbox.faults.injected("GET /providers*=500"):
            failed = await query()
        with sandbox.faults.injected("GET /providers/vsphere/*/vms=hang"):
            hung = await query()
        with sandbox.faults.injected("GET /providers*=drop"):
            dropped = await query()
        with sandbox.faults.injected("GET /providers/vsphere/*/hosts=delay:0.3"):
            slow = await query()
        ok = await query()
    assert failed.is_error
    assert "failed to return the hosts of provider 'vsphere-prod' (HTTP 500)" in text_of(failed)  # read first
    assert hung.is_error
    assert "did not answer within 1 s" in text_of(hung)
    assert dropped.is_error
    assert "dropped" in text_of(dropped) or "cannot reach" in text_of(dropped)
    assert "Traceback" not in text_of(dropped)
    assert slow.structured_content["total"] == ok.structured_content["total"] == TOTAL


async def test_kube_api_faults_during_route_discovery(sandbox: Sandbox) -> None:
    async with client(sandbox, request_timeout=1) as c:
        with sandbox.faults.injected("GET /apis/route.openshift.io/*=hang"):
            hung = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
        with sandbox.faults.injected("GET /apis/route.openshift.io/*=drop"):
            dropped = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
        ok = await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})
    assert "did not answer within 1 s while trying to list routes in openshift-mtv" in text_of(hung)
    assert "was dropped while trying to list routes" in text_of(dropped)
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
    assert "the token may not" in text_of(result)
    assert "(403)" in text_of(result)


async def test_namespace_scoped_tenant_can_query(sandbox: Sandbox) -> None:
    """The tenant may not list providers cluster-wide in the inventory (forklift
    pkg/controller/provider/web/base/auth.go); the Provider is read from the Kubernetes API and the
    inventory asked for /providers/<type>/<uid>/vms, as kubectl-mtv does."""
    async with client(sandbox, kube_context="tenant") as c:
        result = await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": "where cpuCount >= 16"})
    assert not result.is_error, text_of(result)
    assert sorted(names(result)) == ["gpu-render-01", "win-sql-01"]


async def test_provider_still_loading_is_retried_never_cached_and_said(sandbox: Sandbox) -> None:
    """Forklift answers 206 with an empty body until the provider's inventory is in parity
    (forklift pkg/lib/inventory/web/handler.go EnsureParity); that is not "zero VMs"."""
    async with client(sandbox, request_timeout=2) as c:

        async def query() -> Any:
            return await c.call_tool("query_vms", {"provider": "vsphere-prod", "refresh": True})

        with sandbox.faults.injected("GET /providers/*=206x1") as (once,):
            retried = await query()
        with sandbox.faults.injected("GET /providers/*/vms=206"):
            loading = await query()
        after = await c.call_tool("query_vms", {"provider": "vsphere-prod"})
    assert once.hits == 1
    assert retried.structured_content["total"] == TOTAL
    assert loading.is_error
    assert "the inventory of provider 'vsphere-prod' is still loading (provider phase: Ready)" in text_of(loading)
    assert after.structured_content["total"] == TOTAL  # nothing empty was cached


async def test_inventory_fields_keep_their_meaning(sandbox: Sandbox) -> None:
    """A kubectl-mtv query means the same here: oVirt `cluster` is the cluster id (forklift
    model/ovirt/model.go), vSphere `hostName` the guest's host name (forklift web/vsphere/vm.go);
    computed fields have names of their own, and the guide's `cluster.name` is pointed at one."""
    cluster_id = "475d3e7a-0e7d-2c48-b67c-88ef9fc32d03"
    async with client(sandbox) as c:
        ovirt = await c.call_tool("query_vms", {"provider": "ovirt-legacy", "query": f"where cluster = '{cluster_id}'"})
        guest = await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": "where hostName ~= '^pg-prod-01'"})
        guide = await c.call_tool(
            "query_vms", {"provider": "vsphere-prod", "query": "where cluster.name = 'Cluster-Dev'"}
        )
    assert ovirt.structured_content["matched"] == 4
    assert names(guest) == ["pg-prod-01"]
    assert names(guide) == []
    assert any("hostCluster.name" in issue["suggestions"] for issue in guide.structured_content["warnings"])


@pytest.mark.parametrize("context", ["admin", "tenant"])
async def test_https_inventory_is_trusted_with_only_a_kubeconfig(sandbox_crds: Path | None, context: str) -> None:
    """The Route's certificate comes from the ingress CA, not the API server's: the client trusts
    the OS store, the kubeconfig's CA and the ingress CA the cluster publishes
    (openshift-config-managed/default-ingress-cert), as a cluster user's tools do."""
    with Sandbox.start(data="demo", crds=sandbox_crds, tls=True) as tls_sandbox:
        settings = Settings(kubeconfig=tls_sandbox.kubeconfig_path, kube_context=context, request_timeout=3)
        async with Client(create_server(settings)) as c:
            result = await c.call_tool("query_vms", {"provider": "vsphere-prod", "query": "where cpuCount >= 16"})
    assert not result.is_error, text_of(result)
    assert sorted(names(result)) == ["gpu-render-01", "win-sql-01"]


async def test_ova_and_openstack_providers_are_enriched(sandbox: Sandbox) -> None:
    """OVA disks carry ``Capacity`` in bytes (forklift model/ovf/model.go, no JSON tags); OpenStack
    servers get memory and CPUs from their flavor, the image name, and attached volume sizes."""
    async with client(sandbox) as c:
        ova = await c.call_tool("query_vms", {"provider": "ova-archive", "query": "where diskCapacityGB > 100"})
        osp = await c.call_tool(
            "query_vms",
            {"provider": "openstack-lab", "query": "where memoryGB >= 8", "fields": ["name", "cpuCount", "guestOS"]},
        )
        by_type = await c.call_tool(
            "query_vms", {"provider": "openstack-lab", "query": "where any(volumeTypes = 'ceph-hdd')"}
        )
    assert not ova.is_error, text_of(ova)
    assert [(vm["name"], vm["memoryGB"], vm["diskCapacityGB"]) for vm in ova.structured_content["vms"]] == [
        ("legacy-crm-01", 8.0, 280.0)
    ]
    assert osp.structured_content["vms"] == [
        {"name": "lab-api-01", "cpuCount": 4, "guestOS": "rhel-9.4-x86_64"},
        {"name": "lab-ad-02", "cpuCount": 8, "guestOS": "windows-server-2022"},
    ]
    assert names(by_type) == ["lab-api-01"]
