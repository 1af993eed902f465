"""Fixtures and helpers shared by the create_plan and patch_plan tests: a TLS sandbox cluster with
the Forklift CRDs (so kubectl can talk to it), a loopback inventory, MCP clients, kubectl read-back.
"""

from __future__ import annotations

import json
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
from tests.core.inventory.fake_inventory import FakeInventory

DATA = Path(__file__).resolve().parents[1] / "core" / "cluster" / "data"
CRDS = Path(__file__).resolve().parents[2].parent / "shared" / "crds"
KUBECTL = "/usr/bin/kubectl"
NAMESPACE = "openshift-mtv"
STORAGE_CLASS = {
    "apiVersion": "storage.k8s.io/v1",
    "kind": "StorageClass",
    "metadata": {
        "name": "ocs-storagecluster-ceph-rbd-virtualization",
        "annotations": {"storageclass.kubevirt.io/is-default-virt-class": "true"},
    },
    "provisioner": "openshift-storage.rbd.csi.ceph.com",
}


@pytest.fixture(scope="module")
def inventory() -> Iterator[FakeInventory]:
    with FakeInventory().running() as running:
        yield running


def _start() -> Sandbox:
    running = Sandbox.start(data=DATA, crds=CRDS, tls=True)
    running.store.create(STORAGE_CLASS)
    return running


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh sandbox per test (tests write), over HTTPS so kubectl sends the token."""
    with _start() as running:
        yield running


@pytest.fixture(scope="module")
def shared_sandbox() -> Iterator[Sandbox]:
    """One sandbox for a module's tests that must not change it (errors, refusals)."""
    with _start() as running:
        yield running


@asynccontextmanager
async def connect(
    sandbox: Sandbox, inventory: FakeInventory, token: str | None = None, **settings: Any
) -> AsyncIterator[Client]:
    """An MCP client of a server with just the plan tools, pointed at the sandbox and the inventory."""
    kubeconfig = sandbox.kubeconfig_path
    if token is not None:
        kubeconfig = sandbox.write_kubeconfig(kubeconfig.with_name(f"kubeconfig-{token}"), token)
    config = Settings(
        kubeconfig=kubeconfig, inventory_url=inventory.url, request_timeout=5, inventory_cache_seconds=0, **settings
    )
    async with Client(create_server(config, tools=[create_plan.TOOL, patch_plan.TOOL])) as client:
        yield client


def kubectl(sandbox: Sandbox, *args: str) -> str:
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
