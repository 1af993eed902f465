"""The ``mtv-mcp`` command line: one subcommand per module of ``server.commands``."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from mtv_mcp.core.errors import MtvError
from mtv_mcp.server import commands
from mtv_mcp.server.logs import DEFAULT_LEVEL, configure_logging
from mtv_mcp.server.version import package_version

USAGE_ERROR = 2


def _command_modules() -> list[ModuleType]:
    modules = [
        importlib.import_module(f"{commands.__name__}.{info.name}")
        for info in pkgutil.iter_modules(commands.__path__)
        if not info.name.startswith("_")
    ]
    return sorted(modules, key=lambda module: int(getattr(module, "ORDER", 100)))


def build_parser() -> argparse.ArgumentParser:
    """The parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(
        prog="mtv-mcp",
        description="MCP server for planning and tuning Forklift/MTV migrations and their convertor pods.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {package_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return USAGE_ERROR
    configure_logging(getattr(args, "log_level", DEFAULT_LEVEL))
    try:
        status: int = handler(args)
    except MtvError as error:
        print(f"mtv-mcp: {error}", file=sys.stderr)
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    return status


if __name__ == "__main__":
    sys.exit(main())
