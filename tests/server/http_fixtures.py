"""Real ``mtv-mcp serve --http`` processes against the sandbox, and raw HTTP helpers for them."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mtv_mcp.sandbox.runner import Sandbox
from tests.server.helpers import clean_env, http_server

MCP_ACCEPT = {"Accept": "application/json, text/event-stream"}
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


def tool_call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A raw JSON-RPC ``tools/call`` body."""
    return {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": name, "arguments": arguments}}


def sandbox_flags(sandbox: Sandbox) -> list[str]:
    """Point a server at the sandbox's API (for bearer tokens) and inventory."""
    return ["--server", sandbox.url, "--inventory-url", str(sandbox.inventory_url), "--timeout", "5"]


@contextmanager
def served(home: Path, *flags: str, host: str = "127.0.0.1") -> Iterator[str]:
    """A running ``serve --http`` with ``flags``; yields its base URL (over 127.0.0.1 for 0.0.0.0)."""
    with http_server(clean_env(home), *flags, host=host) as url:
        yield url


def post(url: str, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
    """One raw POST to ``/mcp``."""
    return httpx.post(f"{url}/mcp", json=body, headers={**MCP_ACCEPT, **(headers or {})}, timeout=30)


@asynccontextmanager
async def mcp_client(url: str, headers: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """An MCP client of the server at ``url`` sending ``headers`` with every request."""
    http = httpx2.AsyncClient(headers=headers or {}, timeout=60)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
        yield client


class CaptureListener:
    """A TCP listener on loopback that only counts the connections it is offered."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self._socket.close()
