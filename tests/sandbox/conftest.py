"""Shared fixtures of the sandbox tests: a small data set, running sandboxes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client, config

from mtv_mcp.sandbox.runner import Sandbox

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def shared_sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    """A read-mostly sandbox for a whole module (tests must not change its objects)."""
    with Sandbox.start(data=DATA, crds=sandbox_crds) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    """A fresh sandbox per test, for tests that write."""
    with Sandbox.start(data=DATA, crds=sandbox_crds) as fresh:
        yield fresh


def api_client(sandbox: Sandbox, token: str | None = None) -> client.ApiClient:
    """A real kubernetes ApiClient from a kubeconfig of the sandbox (admin, or another token)."""
    path = sandbox.kubeconfig_path
    if token is not None:
        path = sandbox.write_kubeconfig(path.with_name(f"kubeconfig-{token}"), token)
    return config.new_client_from_config(str(path))
