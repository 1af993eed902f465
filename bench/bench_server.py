"""Server overhead against a minimal MCPServer, measured side by side in one run.

Prints ratios (ours / minimal, medians of interleaved runs):
- cold start to the ``tools/list`` answer (after ``initialize``) over stdio, ``mtv-mcp serve``
  (target <= 1.25);
- round trip of a trivial tool over stdio and over streamable HTTP (target <= 1.2): our server
  with all its tools plus the tests' trivial ``echo`` tool, which goes through our whole tool
  pipeline, against the minimal server's no-op;
- for information, the cheapest real tool, ``validate_karl`` on a one-term rule (it parses, builds
  the Affinity, renders YAML and English, and the client validates a larger output schema).
Run from the repository root: ``python bench/bench_server.py [--runs N] [--calls N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

ROOT = Path(__file__).resolve().parents[1]
MINIMAL = [sys.executable, str(ROOT / "bench" / "minimal_server.py")]
OURS = [sys.executable, "-m", "mtv_mcp.server", "serve"]
OURS_WITH_TRIVIAL_TOOL = [sys.executable, str(ROOT / "bench" / "trivial_tool_server.py")]
TRIVIAL_CALL = ("echo", {"text": "ok"})
KARL_CALL = ("validate_karl", {"rules": "PREFER nodes(disk=nvme)"})
MINIMAL_CALL: tuple[str, dict[str, str]] = ("noop", {})
INITIALIZE = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "bench", "version": "0"},
        },
    }
)


INITIALIZED = json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"})
TOOLS_LIST = json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env["PYTHONPATH"] = str(ROOT)
    return env


def cold_start(command: list[str]) -> float:
    """Seconds from process start to the ``tools/list`` answer (after ``initialize``)."""
    started = time.perf_counter()
    with subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment(),
        cwd=ROOT,
        text=True,
    ) as process:
        assert process.stdin
        assert process.stdout
        process.stdin.write(INITIALIZE + "\n")
        process.stdin.flush()
        answer = process.stdout.readline()
        process.stdin.write(INITIALIZED + "\n" + TOOLS_LIST + "\n")
        process.stdin.flush()
        listed = process.stdout.readline()
        elapsed = time.perf_counter() - started
        process.kill()
    if '"result"' not in answer or '"tools"' not in listed:
        raise RuntimeError(f"no initialize and tools/list answers from {command}: {answer!r} {listed[:200]!r}")
    return elapsed


async def round_trips(client: Client, call: tuple[str, dict[str, Any]], count: int) -> list[float]:
    times = []
    for _ in range(count):
        started = time.perf_counter()
        result = await client.call_tool(*call)
        times.append(time.perf_counter() - started)
        if result.is_error:
            raise RuntimeError(f"{call[0]} failed: {result.content}")
    return times


async def stdio_round_trip(command: list[str], call: tuple[str, dict[str, Any]], count: int) -> float:
    params = StdioServerParameters(command=command[0], args=command[1:], env=environment(), cwd=str(ROOT))
    async with Client(params) as client:
        await round_trips(client, call, 3)
        return statistics.median(await round_trips(client, call, count))


async def http_round_trip(command: list[str], call: tuple[str, dict[str, Any]], count: int) -> float:
    with (
        socket_port() as port,
        subprocess.Popen(
            [*command, *http_flags(command, port)], env=environment(), cwd=ROOT, stderr=subprocess.DEVNULL
        ) as process,
    ):
        try:
            wait_until_listening(port)
            # Both servers get the same header; ours requires a bearer token on /mcp (the trivial
            # tool never uses it), the minimal one ignores it.
            http = httpx2.AsyncClient(headers={"Authorization": "Bearer bench"})
            transport = streamable_http_client(f"http://127.0.0.1:{port}/mcp", http_client=http)
            async with http, Client(transport) as client:
                await round_trips(client, call, 3)
                return statistics.median(await round_trips(client, call, count))
        finally:
            process.kill()


def http_flags(command: list[str], port: int) -> list[str]:
    return ["--http", "--port", str(port)] if command is OURS else ["--http", str(port)]


class socket_port:  # noqa: N801 - used as a context manager
    """A free loopback port."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port: int = sock.getsockname()[1]
        return port

    def __exit__(self, *_: object) -> None:
        return None


def wait_until_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.post(f"http://127.0.0.1:{port}/mcp", timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


def interleaved(measure: Callable[[list[str]], float], runs: int, ours_command: list[str]) -> tuple[float, float]:
    ours: list[float] = []
    minimal: list[float] = []
    for run in range(runs):  # alternating which goes first
        for command in (ours_command, MINIMAL) if run % 2 == 0 else (MINIMAL, ours_command):
            (ours if command is ours_command else minimal).append(measure(command))
    return statistics.median(ours), statistics.median(minimal)


def report(label: str, ours: float, minimal: float, target: float | None) -> None:
    ratio = ours / minimal
    if target is None:
        verdict = "(for information)"
    else:
        verdict = f"(target <= {target})  " + ("ok" if ratio <= target else "OVER TARGET")
    print(
        f"{label:<34} ours {ours * 1000:8.2f} ms   minimal {minimal * 1000:8.2f} ms   ratio {ratio:5.2f}  {verdict}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()

    report("cold start to tools/list (stdio)", *interleaved(cold_start, args.runs, OURS), 1.25)

    def trip(
        transport: Callable[[list[str], tuple[str, dict[str, Any]], int], Awaitable[float]],
        call: tuple[str, dict[str, Any]],
    ) -> Callable[[list[str]], float]:
        def measure(command: list[str]) -> float:
            return anyio.run(transport, command, MINIMAL_CALL if command is MINIMAL else call, args.calls)

        return measure

    trivial = OURS_WITH_TRIVIAL_TOOL
    report("trivial tool round trip (stdio)", *interleaved(trip(stdio_round_trip, TRIVIAL_CALL), 3, trivial), 1.2)
    report("trivial tool round trip (HTTP)", *interleaved(trip(http_round_trip, TRIVIAL_CALL), 3, trivial), 1.2)
    report("validate_karl round trip (stdio)", *interleaved(trip(stdio_round_trip, KARL_CALL), 3, OURS), None)


if __name__ == "__main__":
    main()
