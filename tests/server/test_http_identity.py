"""Who a request runs as, where its token may go and which Host/Origin it may come from: real
``serve --http`` processes against the demo sandbox, over loopback HTTP."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.session import text_of
from tests.server.http_fixtures import (
    INITIALIZE,
    CaptureListener,
    mcp_client,
    post,
    sandbox_flags,
    served,
    tool_call,
)

pytestmark = pytest.mark.anyio
NAMESPACE = "openshift-mtv"
APPLY = {"name": "dropped-header", "source": "vsphere-prod", "vms": "pg-prod-01", "dry_run": False}


@pytest.fixture(scope="module")
def tls_sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    with Sandbox.start(data="demo", crds=sandbox_crds, tls=True) as running:
        yield running


@pytest.fixture(scope="module")
def shared(demo_sandbox: Sandbox, tls_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A shared deployment: bound off loopback, the server's own identity is the sandbox admin."""
    assert tls_sandbox.tls is not None
    flags = [
        *sandbox_flags(demo_sandbox),
        "--token",
        demo_sandbox.admin_token,
        "--insecure-bind",
        "--allowed-kube-servers",
        f"https://127.0.0.1:{tls_sandbox.port}",
        "--certificate-authority",
        str(tls_sandbox.tls.cert_path),
        "--allowed-hosts",
        "mtv-mcp.example",
        "--allowed-origins",
        "https://chat.example",
    ]
    with served(tmp_path_factory.mktemp("home"), *flags, host="0.0.0.0") as url:
        yield url


def plans(demo_sandbox: Sandbox) -> list[str]:
    return sorted(obj["metadata"]["name"] for obj in demo_sandbox.store.list("plans", NAMESPACE))


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer ==", "Basic dXNlcjpwYXNz", "Token abc", "Bearer a b", "bearer\tabc"],
)
def test_off_loopback_a_request_without_a_usable_token_is_401(
    shared: str, demo_sandbox: Sandbox, authorization: str | None
) -> None:
    before = plans(demo_sandbox)
    headers = {} if authorization is None else {"Authorization": authorization}
    response = post(shared, tool_call("create_plan", APPLY), headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith('Bearer realm="mtv-mcp"')
    assert "bearer token" in response.json()["error"].lower() or "Bearer <token>" in response.json()["error"]
    assert plans(demo_sandbox) == before


async def test_a_no_access_token_creates_nothing(shared: str, demo_sandbox: Sandbox) -> None:
    async with mcp_client(shared, {"Authorization": f"Bearer {demo_sandbox.no_access_token}"}) as client:
        result = await client.call_tool("create_plan", APPLY)
    assert result.is_error
    assert "(403)" in text_of(result)
    assert "dropped-header" not in plans(demo_sandbox)


async def test_a_revoked_token_reads_nothing_from_the_cache(shared: str, demo_sandbox: Sandbox) -> None:
    query = {"provider": "vsphere-prod", "query": "where name = 'pg-prod-01'"}
    async with mcp_client(shared, {"Authorization": f"Bearer {demo_sandbox.viewer_token}"}) as client:
        first = await client.call_tool("query_vms", query)
        with demo_sandbox.identities.revoked(demo_sandbox.viewer_token):
            revoked = await client.call_tool("query_vms", query)
        again = await client.call_tool("query_vms", query)
    assert not first.is_error
    assert revoked.is_error
    assert "(401)" in text_of(revoked) or "401" in text_of(revoked)
    assert not again.is_error
    assert again.structured_content == first.structured_content


@pytest.mark.parametrize(
    "named",
    ["https://127.0.0.1:{port}", "http://127.0.0.1:{port}", "https://127.0.0.1:{port}/api", "https://evil.example"],
)
async def test_a_refused_kube_server_is_never_contacted(shared: str, demo_sandbox: Sandbox, named: str) -> None:
    capture = CaptureListener()
    headers = {
        "Authorization": f"Bearer {demo_sandbox.admin_token}",
        "X-Kubernetes-Server": named.format(port=capture.port),
    }
    try:
        async with mcp_client(shared, headers) as client:
            result = await client.call_tool("cluster_overview", {})
    finally:
        capture.close()
    assert result.is_error
    assert "is not one of this server's allowed Kubernetes APIs" in text_of(result)
    assert capture.accepted == 0


async def test_an_allowed_kube_server_gets_the_token(shared: str, tls_sandbox: Sandbox) -> None:
    headers = {
        "Authorization": f"Bearer {tls_sandbox.viewer_token}",
        "X-Kubernetes-Server": f"https://127.0.0.1:{tls_sandbox.port}/",
    }
    with tls_sandbox.faults.injected("GET /api*=delay:0") as (rule,):
        async with mcp_client(shared, headers) as client:
            result = await client.call_tool("cluster_overview", {})
    assert not result.is_error, text_of(result)
    assert rule.hits > 0


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Host": "evil.example"}, 421),
        ({"Host": "evil.example:8080"}, 421),
        ({"Host": "mtv-mcp.example"}, 200),
        ({"Host": "mtv-mcp.example:443"}, 200),
        ({"Host": "127.0.0.9:1234"}, 200),
        ({"Origin": "https://evil.example"}, 403),
        ({"Origin": "null"}, 403),
        ({"Origin": "http://chat.example"}, 403),
        ({"Origin": "https://chat.example"}, 200),
        ({"Origin": "http://[::1]:8080"}, 200),
        ({"Origin": "http://127.0.0.5:3000"}, 200),
        ({"Origin": "http://localhost"}, 200),
    ],
)
def test_host_and_origin_are_checked_off_loopback(
    shared: str, demo_sandbox: Sandbox, headers: dict[str, str], status: int
) -> None:
    response = post(shared, INITIALIZE, {"Authorization": f"Bearer {demo_sandbox.viewer_token}", **headers})
    assert response.status_code == status, response.text


def test_healthz_needs_no_token_and_any_host(shared: str) -> None:
    response = httpx.get(f"{shared}/healthz", headers={"Host": "10.1.2.3:8080"})
    assert response.json() == {"status": "ok"}


EXEC_PLUGIN = """\
import json, pathlib, sys
pathlib.Path(sys.argv[1]).write_text("ran")
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                  "status": {"token": sys.argv[2]}}))
"""


def exec_kubeconfig(folder: Path, demo_sandbox: Sandbox, marker: Path) -> Path:
    """A kubeconfig whose user's token comes from an exec plugin that leaves ``marker`` behind."""
    plugin = folder / "plugin.py"
    plugin.write_text(EXEC_PLUGIN)
    user = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": [str(plugin), str(marker), demo_sandbox.admin_token],
        }
    }
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sb", "cluster": {"server": demo_sandbox.url}}],
        "users": [{"name": "sb", "user": user}],
        "contexts": [{"name": "sb", "context": {"cluster": "sb", "user": "sb", "namespace": NAMESPACE}}],
        "current-context": "sb",
    }
    path = folder / "kubeconfig"
    path.write_text(json.dumps(document))
    return path


async def test_loopback_single_user_fallback_and_bearer_requests_skip_the_kubeconfig(
    demo_sandbox: Sandbox, tmp_path: Path
) -> None:
    marker = tmp_path / "exec-plugin-ran"
    kubeconfig = exec_kubeconfig(tmp_path, demo_sandbox, marker)
    flags = [*sandbox_flags(demo_sandbox), "--kubeconfig", str(kubeconfig)]
    with served(tmp_path / "home", *flags, host="127.0.0.5") as url:
        async with mcp_client(url, {"Authorization": f"Bearer {demo_sandbox.viewer_token}"}) as client:
            bearer = await client.call_tool("query_vms", {"provider": "vsphere-prod", "limit": 1})
        assert not bearer.is_error, text_of(bearer)
        assert not marker.exists()
        malformed = post(url, INITIALIZE, {"Authorization": "Basic abc"})
        async with mcp_client(url, {"Origin": "http://[::1]:9999"}) as client:
            fallback = await client.call_tool("query_vms", {"provider": "vsphere-prod", "limit": 1})
    assert malformed.status_code == 401
    assert not fallback.is_error, text_of(fallback)
    assert marker.read_text() == "ran"


def test_require_token_on_loopback(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    with served(tmp_path, *sandbox_flags(demo_sandbox), "--token", demo_sandbox.admin_token, "--require-token") as url:
        missing = post(url, INITIALIZE)
        given = post(url, INITIALIZE, {"Authorization": f"Bearer {demo_sandbox.viewer_token}"})
    assert missing.status_code == 401
    assert given.status_code == 200


async def test_server_credentials_off_loopback_only_when_asked(demo_sandbox: Sandbox, tmp_path: Path) -> None:
    flags = [
        *sandbox_flags(demo_sandbox),
        "--token",
        demo_sandbox.admin_token,
        "--insecure-bind",
        "--allow-server-credentials",
    ]
    with served(tmp_path, *flags, host="0.0.0.0") as url:
        async with mcp_client(url) as client:
            result = await client.call_tool("cluster_overview", {})
    assert not result.is_error, text_of(result)
