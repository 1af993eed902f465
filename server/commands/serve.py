"""``mtv-mcp serve``: run the MCP server over stdio (default) or streamable HTTP."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from mtv_mcp.server.options import add_settings_arguments, settings_from_args

ORDER = 10


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="run the MCP server (stdio by default)",
        description="Run the MCP server. Logs go to stderr; stdout carries only protocol messages in stdio mode.",
    )
    add_settings_arguments(parser)
    http = parser.add_argument_group("streamable HTTP")
    http.add_argument("--http", action="store_true", help="serve streamable HTTP on /mcp instead of stdio")
    http.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    http.add_argument("--port", type=int, default=8080, help="port to bind (default: 8080)")
    http.add_argument("--cert-file", type=Path, help="TLS certificate (required off loopback)")
    http.add_argument("--key-file", type=Path, help="TLS private key")
    http.add_argument("--insecure-bind", action="store_true", help="allow listening off loopback without TLS")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mtv_mcp.server.demo_cluster import cluster_for

    settings = settings_from_args(args)
    if args.http:
        from mtv_mcp.server.http import check_bind

        check_bind(args.host, cert_file=args.cert_file, key_file=args.key_file, insecure_bind=args.insecure_bind)
    for noisy in ("httpx", "mcp", "kubernetes", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with cluster_for(settings, demo=args.demo) as effective:
        if args.http:
            import uvicorn

            from mtv_mcp.server.http import create_http_app

            uvicorn.run(
                create_http_app(effective, host=args.host),
                host=args.host,
                port=args.port,
                ssl_certfile=args.cert_file,
                ssl_keyfile=args.key_file,
                log_level="warning",
            )
        else:
            from mtv_mcp.server.app import create_server

            create_server(effective).run()
    return 0
