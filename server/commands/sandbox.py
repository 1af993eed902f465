"""``mtv-mcp sandbox``: run the emulated Forklift cluster on loopback until interrupted.

    mtv-mcp sandbox [--port N] [--data demo|large:N|empty|DIR] [--crds DIR]
                    [--write-kubeconfig PATH] [--fault RULE]...
                    [--plain-http] [--viewer-without-logs]

Serves HTTPS with a fresh self-signed certificate (in the kubeconfig) unless ``--plain-http``:
kubectl sends kubeconfig credentials only over TLS. Prints the API URL, the kubeconfig path
(contexts ``admin`` (current), ``viewer``, ``no-access`` and ``tenant``, one per identity), the
inventory URL and the test tokens. ``--fault`` takes the rules of ``mtv_mcp.sandbox.faults``
(``[METHOD ]PATH_GLOB=ACTION[xN]``, ACTION = HTTP status, ``delay:SECONDS``, ``drop`` or ``hang``),
e.g. ``--fault 'GET /providers*=500'``.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import Any

ORDER = 50


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    """Add the ``sandbox`` subcommand."""
    parser = subparsers.add_parser(
        "sandbox",
        help="run the emulated Forklift cluster (Kubernetes API + inventory) on 127.0.0.1",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    parser.add_argument("--data", default="demo", help="data set: demo, large:N, empty or a folder (default: demo)")
    parser.add_argument("--crds", type=Path, help="folder of Forklift CRDs to validate objects against")
    parser.add_argument(
        "--write-kubeconfig",
        type=Path,
        metavar="PATH",
        help="write the kubeconfig here (default: a temporary file)",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="RULE",
        help="inject a fault, e.g. 'GET /providers*=500', '/api/*=delay:0.5', 'POST /apis/*=dropx1' (repeatable)",
    )
    parser.add_argument(
        "--plain-http",
        action="store_true",
        help="serve plain HTTP instead of HTTPS (kubectl then sends no credentials)",
    )
    parser.add_argument("--viewer-without-logs", action="store_true", help="deny the viewer token access to pod logs")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Start the sandbox, print where it is, serve until SIGINT/SIGTERM."""
    from mtv_mcp.sandbox.faults import parse_fault
    from mtv_mcp.sandbox.runner import CONTEXTS, Sandbox

    rules = [parse_fault(rule) for rule in args.fault]
    sandbox = Sandbox.start(
        data=args.data,
        crds=args.crds,
        port=args.port,
        kubeconfig_path=args.write_kubeconfig,
        viewer_can_read_logs=not args.viewer_without_logs,
        tls=not args.plain_http,
    )
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        for rule in rules:
            sandbox.faults.add(rule)
        print(f"Kubernetes API:  {sandbox.url}")
        print(f"kubeconfig:      {sandbox.kubeconfig_path} (contexts: {', '.join(CONTEXTS)}; --context NAME)")
        print(f"inventory URL:   {sandbox.inventory_url or '(no inventory app available)'}")
        print(
            f"tokens:          admin={sandbox.admin_token} viewer={sandbox.viewer_token} "
            f"no-access={sandbox.no_access_token} tenant={sandbox.tenant_token}"
        )
        for rule in rules:
            print(f"fault:           {rule}")
        print("Press Ctrl-C to stop.", flush=True)
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sandbox.stop()
    return 0
