"""Test-only tools and process helpers for the server tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import httpx
from mcp.types import CallToolResult
from pydantic import BaseModel, Field

from mtv_mcp.tools._common import (
    OFFLINE,
    ToolContext,
    ToolDefinition,
    headers_of,
    respond,
    runtime_of,
    user_errors,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


class Identity(BaseModel):
    source: str
    server: str | None
    has_token: bool


@user_errors
def whoami(ctx: ToolContext) -> Annotated[CallToolResult, Identity]:
    """Which credentials this call would use (never the token itself)."""
    credentials = runtime_of(ctx).credentials(headers_of(ctx))
    result = Identity(source=credentials.source, server=credentials.server, has_token=credentials.token is not None)
    return respond(result, result.model_dump_json(), runtime_of(ctx), narrow_hint="n/a")


class Echo(BaseModel):
    text: str


@user_errors
def echo(ctx: ToolContext, text: Annotated[str, Field(description="what to echo")]) -> Annotated[CallToolResult, Echo]:
    """Echo the text back (to test response capping)."""
    return respond(Echo(text=text), text, runtime_of(ctx), narrow_hint="echo less text")


TEST_TOOLS = [
    ToolDefinition(function=whoami, title="Who am I", annotations=OFFLINE),
    ToolDefinition(function=echo, title="Echo", annotations=OFFLINE),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_env(home: Path) -> dict[str, str]:
    """An environment with no kubeconfig and the checkout importable as ``mtv_mcp``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "MTV_"))}
    env.update(HOME=str(home), PYTHONPATH=str(REPO_ROOT))
    return env


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "mtv_mcp.server", *args]


@contextmanager
def http_server(env: dict[str, str], *extra: str, host: str = "127.0.0.1") -> Iterator[str]:
    """``mtv-mcp serve --http`` in a subprocess; yields its base URL once it answers ``/healthz``
    (for ``host`` 0.0.0.0, the URL over 127.0.0.1).

    The port is chosen free just before the server binds it; should another process take it in
    between, the server exits with "address already in use" and a new port is tried.
    """
    for _ in range(5):
        port = free_port()
        with subprocess.Popen(
            cli_command("serve", "--http", "--host", host, "--port", str(port), *extra),
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ) as process:
            try:
                url = f"http://{'127.0.0.1' if host == '0.0.0.0' else host}:{port}"
                if _wait_healthy(process, url):
                    yield url
                    return
            finally:
                process.terminate()
                process.wait(timeout=10)
    raise RuntimeError("no free port could be bound in 5 tries")


def _wait_healthy(process: subprocess.Popen[bytes], url: str) -> bool:
    """True once ``/healthz`` answers; False when the port was taken; raises on any other exit."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            error = process.stderr.read().decode() if process.stderr else ""
            if "address already in use" in error.lower():
                return False
            raise RuntimeError(f"server exited: {error}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError("the HTTP server did not come up within 30 s")
