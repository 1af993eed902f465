"""Streamable HTTP transport: the ``/mcp`` endpoint (stateless), ``/healthz``, and binding rules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from mtv_mcp.core.config import Settings
from mtv_mcp.core.errors import MtvError
from mtv_mcp.server.app import create_server
from mtv_mcp.server.http_guard import GuardMiddleware, HttpPolicy, is_loopback
from mtv_mcp.tools._common import ToolDefinition

MCP_PATH = "/mcp"
MAX_BODY_BYTES = 1024 * 1024  # far above any argument's cap


def check_bind(host: str, *, cert_file: Path | None, key_file: Path | None, insecure_bind: bool) -> None:
    """Refuse to listen beyond loopback without TLS unless explicitly told to."""
    if (cert_file is None) != (key_file is None):
        raise MtvError("--cert-file and --key-file go together", hint="pass both, or neither")
    if is_loopback(host) or cert_file is not None or insecure_bind:
        return
    raise MtvError(
        f"refusing to listen on {host} without TLS: bearer tokens would cross the network in clear",
        hint="pass --cert-file and --key-file, bind to 127.0.0.1, or accept the risk with --insecure-bind",
    )


async def healthz(_: Request) -> JSONResponse:
    """Liveness: the process answers; it says nothing about the cluster."""
    return JSONResponse({"status": "ok"})


def create_http_app(
    settings: Settings,
    *,
    policy: HttpPolicy | None = None,
    tools: Sequence[ToolDefinition] | None = None,
) -> Starlette:
    """The ASGI app: stateless MCP on ``/mcp`` (any replica can answer) and ``/healthz``.

    ``/mcp`` is behind the ``GuardMiddleware`` (Host, Origin, bearer token). The default policy
    answers loopback names only and requires a token unless ``settings`` lend the server's own.
    """
    server = create_server(settings, tools=tools)
    policy = policy or HttpPolicy(tokens_required=not settings.http_server_credentials)
    mcp_app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        max_request_body_size=MAX_BODY_BYTES,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),  # the guard checks
    )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with server.session_manager.run():
            yield

    return Starlette(
        routes=[Route("/healthz", healthz), Mount("/", app=mcp_app)],
        middleware=[Middleware(GuardMiddleware, policy=policy, path=MCP_PATH)],
        lifespan=lifespan,
    )
