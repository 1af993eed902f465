"""Fixtures and helpers shared by the create_plan and patch_plan tests: the demo sandbox (its
cluster and Forklift inventory, CRD validation on), one per module and shared by its tests (each
test uses its own plan names); over HTTPS only for the tests that read back with kubectl, which
sends no token over plain HTTP.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server
from mtv_mcp.tools import create_plan, patch_plan

KUBECTL = shutil.which("kubectl")
NAMESPACE = "openshift-mtv"


@pytest.fixture(scope="module")
def sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    """The demo sandbox over HTTP, for the tests that check results through the tool or the store."""
    with Sandbox.start(data="demo", crds=sandbox_crds) as running:
        yield running


@pytest.fixture(scope="module")
def tls_sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    """The demo sandbox over HTTPS, for the tests that read objects back with kubectl."""
    with Sandbox.start(data="demo", crds=sandbox_crds, tls=True) as running:
        yield running


@asynccontextmanager
async def connect(sandbox: Sandbox, token: str | None = None, **settings: Any) -> AsyncIterator[Client]:
    """An MCP client of a server with just the plan tools, pointed at the sandbox (inventory via its Route;
    over HTTPS trusted through the ingress CA the sandbox publishes, as on OpenShift)."""
    kubeconfig = sandbox.kubeconfig_path
    if token is not None:
        kubeconfig = sandbox.write_kubeconfig(kubeconfig.with_name(f"kubeconfig-{token}"), token)
    config = Settings(kubeconfig=kubeconfig, request_timeout=5, **settings)
    async with Client(create_server(config, tools=[create_plan.TOOL, patch_plan.TOOL])) as client:
        yield client


def stored_names(sandbox: Sandbox, resource: str) -> list[str]:
    """Names of the ``resource`` objects in the plan namespace, as the sandbox holds them."""
    return sorted(obj["metadata"]["name"] for obj in sandbox.store.list(resource, NAMESPACE))


def kubectl(sandbox: Sandbox, *args: str) -> str:
    if KUBECTL is None:
        pytest.skip("kubectl is not installed on this machine")
    done = subprocess.run(
        [KUBECTL, "--kubeconfig", str(sandbox.kubeconfig_path), "-n", NAMESPACE, *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def kubectl_get(sandbox: Sandbox, resource: str, name: str) -> dict[str, Any]:
    """The object as ``kubectl get -o yaml`` shows it."""
    loaded: dict[str, Any] = yaml.safe_load(kubectl(sandbox, "get", resource, name, "-o", "yaml"))
    return loaded


def kubectl_names(sandbox: Sandbox, resource: str) -> list[str]:
    items = json.loads(kubectl(sandbox, "get", resource, "-o", "json"))["items"]
    return sorted(item["metadata"]["name"] for item in items)


def text_of(result: Any) -> str:
    return str(result.content[0].text)
