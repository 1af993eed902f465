"""Command-line options shared by the subcommands that run the server, and their Settings."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from pydantic import SecretStr

from mtv_mcp.core.config import DEFAULT_NAMESPACE, Settings
from mtv_mcp.server.logs import DEFAULT_LEVEL, LEVELS

INVENTORY_URL_ENV = "MTV_INVENTORY_URL"


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags that become ``Settings`` (cluster access, namespace, limits, --demo)."""
    cluster = parser.add_argument_group("cluster access (resolved per call, never at start-up)")
    cluster.add_argument("--kubeconfig", type=Path, help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config)")
    cluster.add_argument("--context", help="kubeconfig context to use")
    cluster.add_argument("--server", help="Kubernetes API URL; with --token, used instead of a kubeconfig")
    cluster.add_argument("--token", help="bearer token for --server (prefer $MTV_TOKEN: flags show in ps)")
    cluster.add_argument("--certificate-authority", type=Path, help="CA bundle for the Kubernetes API")
    cluster.add_argument("--insecure-skip-tls-verify", action="store_true", help="do not verify the API's TLS")
    cluster.add_argument(
        "--inventory-url",
        help=f"Forklift inventory URL (default: ${INVENTORY_URL_ENV}, else the forklift-inventory Route)",
    )
    cluster.add_argument("--inventory-ca", type=Path, help="CA bundle for the inventory service")
    cluster.add_argument("--inventory-insecure", action="store_true", help="do not verify the inventory's TLS")
    cluster.add_argument(
        "--demo", action="store_true", help="start the embedded sandbox cluster and use it (no real cluster needed)"
    )
    behaviour = parser.add_argument_group("behaviour")
    behaviour.add_argument(
        "-n",
        "--namespace",
        default=DEFAULT_NAMESPACE,
        help=f"default namespace of Forklift objects (default: {DEFAULT_NAMESPACE})",
    )
    behaviour.add_argument(
        "--read-only", action="store_true", help="never write to the cluster: plans can only be dry-run"
    )
    behaviour.add_argument(
        "--max-response-chars",
        type=int,
        default=40_000,
        metavar="N",
        help="cap the text part of tool results at N characters (0: no cap)",
    )
    behaviour.add_argument(
        "--log-level",
        choices=LEVELS,
        default=DEFAULT_LEVEL,
        help=f"log mtv-mcp's requests and retries on stderr from this level (default: {DEFAULT_LEVEL})",
    )
    behaviour.add_argument(
        "--max-structured-chars",
        type=int,
        default=500_000,
        metavar="N",
        help="cap the JSON of the structured part of tool results at N characters (default: 500000)",
    )
    behaviour.add_argument(
        "--timeout",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="timeout of each cluster and inventory call (default: 20)",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from parsed flags, with environment fallbacks for the token and inventory."""
    token = args.token or os.environ.get("MTV_TOKEN")
    return Settings(
        namespace=args.namespace,
        read_only=args.read_only,
        max_response_chars=args.max_response_chars,
        max_structured_chars=args.max_structured_chars,
        kube_server=args.server,
        kube_token=SecretStr(token) if token else None,
        kubeconfig=args.kubeconfig,
        kube_context=args.context,
        kube_ca_file=args.certificate_authority,
        kube_insecure=args.insecure_skip_tls_verify,
        inventory_url=args.inventory_url or os.environ.get(INVENTORY_URL_ENV),
        inventory_ca_file=args.inventory_ca,
        inventory_insecure=args.inventory_insecure,
        request_timeout=args.timeout,
    )
