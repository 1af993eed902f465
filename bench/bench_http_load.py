"""Load on ``mtv-mcp serve --http`` against the demo sandbox, over real loopback HTTP.

Prints figures (no pass/fail):
1. N concurrent clients x M tool calls each (a mix of query_vms, cluster_overview, validate_karl
   and a create_plan dry run, each client with its own bearer token): p50/p95/p99 and errors;
2. K sequential calls on one client: the server's RSS at the start, every 100 calls and the end;
3. S slow-header clients (a request head trickled one byte every 2 s) while normal calls go on:
   the normal calls' p50/p95/p99 and errors, and how many slow connections the server closed.
Run from the repository root: ``python bench/bench_http_load.py [--clients 50 --calls 20 ...]``.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mtv_mcp.sandbox.runner import Sandbox

ROOT = Path(__file__).resolve().parents[1]
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("query_vms", {"provider": "vsphere-prod", "query": "where memoryGB > 8", "limit": 20}),
    ("cluster_overview", {}),
    ("validate_karl", {"rules": "PREFER pods(app=ceph-osd) in namespaces(openshift-storage) on node weight=80"}),
    ("create_plan", {"name": "bench", "source": "vsphere-prod", "vms": "where memoryGB > 16"}),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def server(sandbox: Sandbox, header_timeout: float) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``serve --http`` on a free port, pointed at the sandbox; yields its URL and process."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "mtv_mcp.server",
        "serve",
        "--http",
        "--port",
        str(port),
        "--server",
        sandbox.url,
        "--inventory-url",
        str(sandbox.inventory_url),
        "--require-token",
        "--header-timeout",
        str(header_timeout),
        "--max-calls",
        "16",
        "--log-level",
        "warning",
    ]
    with (
        tempfile.TemporaryDirectory() as home,
        subprocess.Popen(
            command, cwd=ROOT, env={"HOME": home, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
        ) as process,
    ):
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        try:
            yield url, process
        finally:
            process.terminate()
            process.wait(timeout=10)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(samples: list[float]) -> str:
    if len(samples) < 2:
        return "n/a"
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms"


async def client_run(url: str, token: str, calls: int, offset: int, latencies: list[float], errors: list[str]) -> None:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=120)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http)) as client:
        for index in range(calls):
            name, arguments = CALLS[(offset + index) % len(CALLS)]
            started = time.perf_counter()
            try:
                result = await client.call_tool(name, arguments)
            except Exception as error:  # a bench counts every failure
                errors.append(f"{name}: {type(error).__name__}: {error}")
                continue
            latencies.append(time.perf_counter() - started)
            if result.is_error:
                errors.append(f"{name}: {str(result.content)[:200]}")


async def concurrent(url: str, tokens: list[str], clients: int, calls: int) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    async with anyio.create_task_group() as group:
        for number in range(clients):
            group.start_soon(client_run, url, tokens[number % len(tokens)], calls, number, latencies, errors)
    wall = time.perf_counter() - started
    print(f"1. {clients} clients x {calls} calls: {len(latencies)} answered in {wall:.1f} s, {percentiles(latencies)}")
    print(f"   errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


async def sequential(url: str, token: str, pid: int, total: int) -> None:
    samples = [rss_mib(pid)]
    latencies: list[float] = []
    errors: list[str] = []
    for block in range(0, total, 100):
        await client_run(url, token, min(100, total - block), block, latencies, errors)
        samples.append(rss_mib(pid))
    shown = ", ".join(f"{value:.0f}" for value in samples)
    print(f"2. {total} sequential calls: {percentiles(latencies)}, errors: {len(errors)}")
    print(f"   server RSS (MiB) at start and after every 100 calls: {shown}")


async def slow_headers(url: str, token: str, count: int, calls: int) -> None:
    host, port = url.removeprefix("http://").split(":")
    slow: list[socket.socket] = []
    for _ in range(count):
        sock = socket.create_connection((host, int(port)), timeout=5)
        sock.setblocking(False)
        sock.send(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        slow.append(sock)
    stop = anyio.Event()
    closed = 0

    async def drip() -> None:
        nonlocal closed
        while not stop.is_set():
            for sock in slow:
                if sock.fileno() < 0:
                    continue
                try:
                    sock.send(b"a")
                    if sock.recv(1) == b"":
                        raise ConnectionResetError
                except BlockingIOError:
                    pass
                except OSError:
                    sock.close()
                    closed += 1
            with anyio.move_on_after(2):
                await stop.wait()

    latencies: list[float] = []
    errors: list[str] = []
    async with anyio.create_task_group() as group:
        group.start_soon(drip)
        await client_run(url, token, calls, 0, latencies, errors)
        await anyio.sleep(12)  # past the header timeout: the server must have closed them
        stop.set()
    for sock in slow:
        if sock.fileno() >= 0:
            sock.close()
    print(
        f"3. {count} slow-header clients; {calls} normal calls meanwhile: {percentiles(latencies)}, "
        f"errors: {len(errors)}; slow connections closed by the server: {closed}/{count}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--sequential", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=300)
    parser.add_argument("--header-timeout", type=float, default=10.0)
    args = parser.parse_args()
    with Sandbox.start(data="demo") as sandbox, server(sandbox, args.header_timeout) as (url, process):
        tokens = [sandbox.admin_token, sandbox.viewer_token]
        print(f"server pid {process.pid}, demo sandbox at {sandbox.url}, header timeout {args.header_timeout:g} s")
        anyio.run(concurrent, url, tokens, args.clients, args.calls)
        anyio.run(sequential, url, sandbox.viewer_token, process.pid, args.sequential)
        anyio.run(slow_headers, url, sandbox.viewer_token, args.slow, 50)


if __name__ == "__main__":
    main()
