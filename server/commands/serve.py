"""``mtv-mcp serve``: run the MCP server over stdio (default) or streamable HTTP."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import normalize_kube_server
from mtv_mcp.core.errors import MtvError
from mtv_mcp.server.options import add_settings_arguments, settings_from_args

if TYPE_CHECKING:
    from mtv_mcp.server.http_listener import HttpListener

ORDER = 10


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _positive(kind: type[int] | type[float]) -> Any:
    def parse(value: str) -> int | float:
        try:
            number = kind(value)
        except ValueError:
            number = 0
        if number <= 0:
            raise argparse.ArgumentTypeError(f"{value!r} is not a positive {kind.__name__}")
        return number

    return parse


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
    identity = http.add_mutually_exclusive_group()
    identity.add_argument(
        "--require-token", action="store_true", help="on loopback too, refuse requests without a bearer token (401)"
    )
    identity.add_argument(
        "--allow-server-credentials",
        action="store_true",
        help="off loopback, run requests without a bearer token as the server's own identity (unsafe when shared)",
    )
    http.add_argument(
        "--allowed-kube-servers",
        type=_list,
        default=[],
        metavar="URL,...",
        help="https Kubernetes APIs a request may name in X-Kubernetes-Server (default: none)",
    )
    http.add_argument(
        "--allowed-hosts", type=_list, default=[], metavar="HOST,...", help="Host names served besides loopback"
    )
    http.add_argument(
        "--allowed-origins",
        type=_list,
        default=[],
        metavar="ORIGIN,...",
        help="browser Origins allowed besides loopback ones",
    )
    limits = parser.add_argument_group("HTTP limits")
    seconds, count = _positive(float), _positive(int)
    limits.add_argument("--header-timeout", type=seconds, default=10.0, metavar="S", help="request head (default: 10)")
    limits.add_argument("--idle-timeout", type=count, default=30, metavar="S", help="idle keep-alive (default: 30)")
    limits.add_argument("--max-connections", type=count, default=1000, metavar="N", help="open connections (1000)")
    limits.add_argument("--max-calls", type=count, default=16, metavar="N", help="tool calls at once (default: 16)")
    limits.add_argument("--call-timeout", type=seconds, default=60.0, metavar="S", help="one tool call (default: 60)")
    parser.set_defaults(handler=run)


def http_settings(settings: Settings, args: argparse.Namespace, *, loopback: bool) -> Settings:
    """``settings`` plus what the HTTP flags decide: whose identity token-less requests get, and
    which Kubernetes APIs a request may name."""
    return settings.model_copy(
        update={
            "http_server_credentials": args.allow_server_credentials or (loopback and not args.require_token),
            "allowed_kube_servers": tuple(normalize_kube_server(url) for url in args.allowed_kube_servers),
        }
    )


def run(args: argparse.Namespace) -> int:
    from mtv_mcp.server.demo_cluster import cluster_for

    settings = settings_from_args(args).model_copy(
        update={"call_timeout": args.call_timeout, "max_concurrent_calls": args.max_calls}
    )
    listener = _http_listener(settings, args) if args.http else None
    with cluster_for(settings if listener is None else listener.settings, demo=args.demo) as effective:
        if listener is not None:
            listener.serve(effective)
        else:
            from mtv_mcp.server.app import create_server

            create_server(effective).run()
    return 0


def _http_listener(settings: Settings, args: argparse.Namespace) -> HttpListener:
    """Every HTTP flag checked before anything starts."""
    from mtv_mcp.server.http import check_bind
    from mtv_mcp.server.http_guard import HttpPolicy, is_loopback
    from mtv_mcp.server.http_listener import ConnectionLimits, HttpListener

    check_bind(args.host, cert_file=args.cert_file, key_file=args.key_file, insecure_bind=args.insecure_bind)
    loopback = is_loopback(args.host)
    try:
        servers = tuple(normalize_kube_server(url) for url in args.allowed_kube_servers)
    except MtvError as error:
        raise MtvError(f"--allowed-kube-servers: {error.message}", hint=error.hint) from None
    lends = args.allow_server_credentials or (loopback and not args.require_token)
    return HttpListener(
        settings=settings.model_copy(update={"http_server_credentials": lends, "allowed_kube_servers": servers}),
        policy=HttpPolicy.build(args.allowed_hosts, args.allowed_origins, tokens_required=not lends),
        limits=ConnectionLimits(
            header_timeout=args.header_timeout, idle_timeout=args.idle_timeout, max_connections=args.max_connections
        ),
        host=args.host,
        port=args.port,
        cert_file=args.cert_file,
        key_file=args.key_file,
    )
