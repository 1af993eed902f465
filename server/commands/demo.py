"""``mtv-mcp demo``: the sandbox, the server and a scripted assistant session, printed."""

from __future__ import annotations

import argparse
import json
import shutil
from typing import Any

ORDER = 60


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="walk through the convertor-optimization workflow on the embedded sandbox",
        description="Start the sandbox cluster and the server, run a real MCP client session through "
        "the guide's workflow, print every call and result, then the assistant configuration to use.",
    )
    parser.set_defaults(handler=run)


def run(_: argparse.Namespace) -> int:
    import anyio

    from mtv_mcp.server.demo_cluster import demo_sandbox
    from mtv_mcp.server.walkthrough import assistant_config, run_walkthrough

    def write(text: str) -> None:
        print(text, flush=True)

    with demo_sandbox() as sandbox:
        write(f"Sandbox cluster: {sandbox.url} (kubeconfig {sandbox.kubeconfig_path})")
        failures = anyio.run(run_walkthrough, sandbox.kubeconfig_path, sandbox.inventory_url, write)
    executable = shutil.which("mtv-mcp") or "mtv-mcp"
    print("\nTo use the sandbox from an assistant, add this to its MCP configuration:")
    print(json.dumps(assistant_config(executable), indent=2))
    if failures:
        print(f"\n{failures} call(s) did not behave as expected.")
    return 1 if failures else 0
