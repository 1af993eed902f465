"""A sandbox with a small cluster (nodes, pods, Forklift objects) for the cluster-access tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from mtv_mcp.core.cluster import ClusterClient
from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import resolve_credentials
from mtv_mcp.sandbox.runner import Sandbox

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cluster_sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    with Sandbox.start(data=DATA, crds=sandbox_crds) as sandbox:
        yield sandbox


def connect(sandbox: Sandbox, token: str | None = None, timeout: float = 5.0) -> ClusterClient:
    """A client with kubeconfig credentials, or --server/--token ones when ``token`` is given."""
    if token is None:
        settings = Settings(kubeconfig=sandbox.kubeconfig_path, request_timeout=timeout)
    else:
        settings = Settings(kube_server=sandbox.url, kube_token=token, request_timeout=timeout)
    return ClusterClient.connect(resolve_credentials(settings), settings)
