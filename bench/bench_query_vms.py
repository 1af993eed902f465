"""query_vms end to end over HTTP against the sandbox's ``large:N`` inventory (the demo data plus N
generated VMs in vsphere-prod), beside a bare httpx fetch + decode of the same VM list.

Run from the repository root: python -m bench.bench_query_vms [--count 10000]
Targets (issue 6): first call (fetch, parse, enrich, filter) <= 2x the bare fetch; a cached call
<= 0.1x.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.http import create_http_app

QUERY = "where memoryGB > 8 and sum(disks.capacityGB) > 500 and powerState = 'poweredOn'"


@contextlib.contextmanager
def environment(count: int) -> Iterator[tuple[Sandbox, str, int]]:
    """(sandbox, vsphere-prod VM list URL, its VM count) for the demo data plus ``count`` VMs."""
    with Sandbox.start(data=f"large:{count}") as sandbox, httpx.Client() as http:
        providers = http.get(
            f"{sandbox.url}/providers",
            params={"detail": 1},
            headers={"Authorization": f"Bearer {sandbox.admin_token}"},
        ).json()
        vsphere = next(p for p in providers["vsphere"] if p["name"] == "vsphere-prod")
        print(f"inventory: sandbox large:{count}, vsphere-prod has {vsphere['vmCount']} VMs")
        yield sandbox, f"{sandbox.url}/providers/vsphere/{vsphere['uid']}/vms?detail=4", vsphere["vmCount"]


def best(runs: int, work: Callable[[], Any]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


async def best_async(runs: int, work: Callable[[], Awaitable[Any]]) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return min(times)


@contextlib.asynccontextmanager
async def mcp_over_http(sandbox: Sandbox) -> AsyncIterator[Client]:
    app = create_http_app(Settings(kube_server=sandbox.url, request_timeout=60))
    async with app.router.lifespan_context(app):
        http = httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app),
            base_url="http://127.0.0.1:8080",
            headers={"Authorization": f"Bearer {sandbox.admin_token}"},
            timeout=120,
        )
        async with http, Client(streamable_http_client("http://127.0.0.1:8080/mcp", http_client=http)) as client:
            yield client


async def measure(count: int, runs: int) -> None:
    with environment(count) as (sandbox, vms_url, total):
        headers = {"Authorization": f"Bearer {sandbox.admin_token}"}

        def bare_fetch() -> None:
            with httpx.Client(timeout=120) as http:
                json.loads(http.get(vms_url, headers=headers).content)

        async with mcp_over_http(sandbox) as client:

            async def call(refresh: bool) -> None:
                result = await client.call_tool(
                    "query_vms", {"provider": "vsphere-prod", "query": QUERY, "refresh": refresh}
                )
                assert not result.is_error, result.content
                assert result.structured_content["total"] == total

            await call(True)  # warm-up: imports, connection pools
            fetch = best(runs, bare_fetch)
            first = await best_async(runs, lambda: call(True))
            cached = await best_async(runs, lambda: call(False))
            fetch_after = best(runs, bare_fetch)
    fetch = min(fetch, fetch_after)
    print(f"bare httpx fetch + json decode : {fetch * 1000:8.1f} ms")
    print(f"query_vms first call (refresh) : {first * 1000:8.1f} ms  ratio {first / fetch:5.2f}  (target <= 2)")
    print(f"query_vms cached call          : {cached * 1000:8.1f} ms  ratio {cached / fetch:5.2f}  (target <= 0.1)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    anyio.run(measure, args.count, args.runs)


if __name__ == "__main__":
    main()
