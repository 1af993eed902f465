"""``mtv-mcp call TOOL``: run one tool through a real MCP client session (the scripted use)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from mtv_mcp.core.errors import MtvError
from mtv_mcp.server.options import add_settings_arguments, settings_from_args

ORDER = 20
TOOL_ERROR = 2


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "call",
        help="call one tool and print its result as JSON",
        description="Call one tool through an in-process MCP session. Prints the structured result "
        "as JSON on stdout (exit 0) or the tool error on stderr (exit 2).",
    )
    parser.add_argument("tool", help="tool name (see `mtv-mcp tools`)")
    parser.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="one argument; VALUE is read as JSON when it parses, else as a string",
    )
    parser.add_argument(
        "--json",
        dest="json_arguments",
        metavar="OBJECT",
        help="all arguments as one JSON object (--arg values override)",
    )
    parser.add_argument("--text", action="store_true", help="print the text content instead of JSON")
    add_settings_arguments(parser)
    parser.set_defaults(handler=run)


def parse_arguments(json_arguments: str | None, pairs: list[str]) -> dict[str, Any]:
    """The tool arguments from ``--json`` and ``--arg NAME=VALUE`` flags."""
    arguments: dict[str, Any] = {}
    if json_arguments:
        try:
            loaded = json.loads(json_arguments)
        except json.JSONDecodeError as error:
            raise MtvError(
                f"--json is not valid JSON: {error.msg} at character {error.pos + 1}",
                hint='quote the object for the shell: --json \'{"provider": "vsphere"}\'',
            ) from None
        if not isinstance(loaded, dict):
            raise MtvError("--json must be a JSON object", hint="wrap the arguments in {...}")
        arguments.update(loaded)
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise MtvError(f"--arg {pair!r} is not NAME=VALUE", hint="for example --arg provider=vsphere")
        try:
            arguments[name] = json.loads(raw)
        except json.JSONDecodeError:
            arguments[name] = raw
    return arguments


def run(args: argparse.Namespace) -> int:
    from mtv_mcp.server.demo_cluster import cluster_for
    from mtv_mcp.server.session import call_tool, text_of

    arguments = parse_arguments(args.json_arguments, args.arg)
    with cluster_for(settings_from_args(args), demo=args.demo) as settings:
        result = call_tool(settings, args.tool, arguments)
    if result.is_error:
        print(text_of(result), file=sys.stderr)
        return TOOL_ERROR
    if args.text or result.structured_content is None:
        print(text_of(result))
    else:
        print(json.dumps(result.structured_content, indent=2))
    return 0
