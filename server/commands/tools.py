"""``mtv-mcp tools``: list the tools with their schemas, as an assistant sees them."""

from __future__ import annotations

import argparse
import json
from typing import Any

ORDER = 30


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("tools", help="list the tools and their schemas as JSON")
    parser.add_argument("--read-only", action="store_true", help="list what a read-only server offers")
    parser.add_argument("--names", action="store_true", help="print only the names, one per line")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mtv_mcp.core.config import Settings
    from mtv_mcp.server.session import list_tools

    tools = list_tools(Settings(read_only=args.read_only))
    if args.names:
        print("\n".join(tool["name"] for tool in tools))
    else:
        print(json.dumps(tools, indent=2))
    return 0
