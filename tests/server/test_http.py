"""Streamable HTTP: per-request bearer tokens, /healthz, and the refusal to bind publicly."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette
from starlette.routing import Mount

from mtv_mcp.core.config import Settings
from mtv_mcp.core.errors import MtvError
from mtv_mcp.server.app import create_server
from mtv_mcp.server.http import check_bind, healthz
from mtv_mcp.server.http_guard import is_loopback
from mtv_mcp.tools import ALL_TOOLS
from tests.server.helpers import REPO_ROOT, TEST_TOOLS, clean_env, cli_command, free_port, http_server

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def http_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with http_server(clean_env(tmp_path_factory.mktemp("home"))) as url:
        yield url


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_real_http_server_lists_tools(http_url: str, mode: str) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": "Bearer abc"})
    async with http, Client(streamable_http_client(f"{http_url}/mcp", http_client=http), mode=mode) as client:
        tools = (await client.list_tools()).tools
    assert {tool.name for tool in tools} == {tool.name for tool in ALL_TOOLS}


def test_healthz(http_url: str) -> None:
    response = httpx.get(f"{http_url}/healthz")
    assert response.json() == {"status": "ok"}


@pytest.fixture
async def asgi_http() -> AsyncIterator[httpx2.AsyncClient]:
    server = create_server(Settings(allowed_kube_servers=("https://a:6443", "https://b:6443")), tools=TEST_TOOLS)
    mcp_app = server.streamable_http_app(stateless_http=True)
    app = Starlette(routes=[Mount("/", app=mcp_app)])
    async with server.session_manager.run():
        client = httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1:8080")
        async with client:
            yield client


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_each_request_carries_its_own_credentials(asgi_http: httpx2.AsyncClient, mode: str) -> None:
    asgi_http.headers.update({"Authorization": "Bearer t1", "X-Kubernetes-Server": "https://a:6443"})
    transport = streamable_http_client("http://127.0.0.1:8080/mcp", http_client=asgi_http)
    async with Client(transport, mode=mode) as client:
        first = await client.call_tool("whoami", {})
        asgi_http.headers["X-Kubernetes-Server"] = "https://b:6443"
        second = await client.call_tool("whoami", {})
    assert first.structured_content == {"source": "request", "server": "https://a:6443", "has_token": True}
    assert second.structured_content == {"source": "request", "server": "https://b:6443", "has_token": True}
    assert "t1" not in str(first.content)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.5"])
def test_loopback_binds_need_nothing(host: str) -> None:
    assert is_loopback(host)
    check_bind(host, cert_file=None, key_file=None, insecure_bind=False)


def test_public_bind_needs_tls_or_an_explicit_flag(tmp_path: Path) -> None:
    with pytest.raises(MtvError, match="without TLS"):
        check_bind("0.0.0.0", cert_file=None, key_file=None, insecure_bind=False)
    check_bind("0.0.0.0", cert_file=None, key_file=None, insecure_bind=True)
    check_bind("10.1.2.3", cert_file=tmp_path / "c.pem", key_file=tmp_path / "k.pem", insecure_bind=False)
    with pytest.raises(MtvError, match="go together"):
        check_bind("127.0.0.1", cert_file=tmp_path / "c.pem", key_file=None, insecure_bind=False)


def test_cli_refuses_public_bind_without_tls(tmp_path: Path) -> None:
    completed = subprocess.run(
        cli_command("serve", "--http", "--host", "0.0.0.0", "--port", str(free_port())),
        capture_output=True,
        text=True,
        env=clean_env(tmp_path),
        cwd=REPO_ROOT,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "refusing to listen on 0.0.0.0 without TLS" in completed.stderr
    assert "--insecure-bind" in completed.stderr


async def test_healthz_handler_answers_without_a_cluster() -> None:
    response = await healthz(None)  # type: ignore[arg-type]
    assert response.status_code == 200
