"""One connection per tool call: the kubeconfig is read once, one Kubernetes ``ApiClient`` and one
``httpx.Client`` (the inventory's) are built, however many steps of the call need them.

The counters wrap the real constructors (they still run): nothing is replaced.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from kubernetes import client as kube_client
from kubernetes.config import kube_config
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server

pytestmark = pytest.mark.anyio


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often each of the counted things was constructed (kubeconfig parses, API clients)."""
    counts: Counter[str] = Counter()

    def counting(name: str, init: Callable[..., None]) -> Callable[..., None]:
        def wrapper(self: Any, *args: Any, **kwargs: Any) -> None:
            counts[name] += 1
            init(self, *args, **kwargs)

        return wrapper

    # KubeConfigMerger reads and parses the kubeconfig file(s): every load goes through it.
    monkeypatch.setattr(
        kube_config.KubeConfigMerger, "__init__", counting("kubeconfig", kube_config.KubeConfigMerger.__init__)
    )
    monkeypatch.setattr(kube_client.ApiClient, "__init__", counting("ApiClient", kube_client.ApiClient.__init__))
    monkeypatch.setattr(httpx.Client, "__init__", counting("httpx.Client", httpx.Client.__init__))
    return counts


async def _call(demo_sandbox: Sandbox, counts: Counter[str], tool: str, arguments: dict[str, Any]) -> Counter[str]:
    settings = Settings(kubeconfig=demo_sandbox.kubeconfig_path, request_timeout=5, inventory_cache_seconds=0)
    async with Client(create_server(settings)) as client:
        counts.clear()
        result = await client.call_tool(tool, arguments)
        assert not result.is_error, result.content
        return Counter(counts)


async def test_dry_run_create_plan_reads_the_kubeconfig_once(demo_sandbox: Sandbox, built: Counter[str]) -> None:
    arguments = {"name": "count-1", "source": "vsphere-prod", "vms": "where memoryGB >= 32", "dry_run": True}
    counts = await _call(demo_sandbox, built, "create_plan", arguments)
    assert counts == Counter({"kubeconfig": 1, "ApiClient": 1, "httpx.Client": 1})


async def test_query_vms_reads_the_kubeconfig_once(demo_sandbox: Sandbox, built: Counter[str]) -> None:
    counts = await _call(demo_sandbox, built, "query_vms", {"provider": "vsphere-prod", "query": "where memoryGB > 8"})
    assert counts == Counter({"kubeconfig": 1, "ApiClient": 1, "httpx.Client": 1})
