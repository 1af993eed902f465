"""``mtv-mcp tsl QUERY --input FILE``: run a TSL query over a JSON array of records."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

ORDER = 40


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "tsl",
        help="run a TSL query over a JSON array of objects",
        description='Print {"items": [...], "warnings": [...]} for the records that match QUERY.',
    )
    parser.add_argument("query", metavar="QUERY", help='e.g. "select name where memoryMB > 4096 limit 5"')
    parser.add_argument("--input", required=True, metavar="FILE", help="JSON array of objects; - for stdin")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from mtv_mcp.core.tsl import compile_query, parse_query

    compiled = compile_query(parse_query(args.query))
    records = _read_records(args.input)
    result = compiled.run(records)
    output = {"items": result.items, "warnings": [warning.model_dump() for warning in result.warnings]}
    json.dump(output, sys.stdout, default=str)
    sys.stdout.write("\n")
    return 0


def _read_records(source: str) -> list[dict[str, Any]]:
    from mtv_mcp.core.errors import MtvError

    try:
        if source == "-":
            data = json.load(sys.stdin)
        else:
            with open(source, encoding="utf-8") as handle:
                data = json.load(handle)
    except OSError as problem:
        raise MtvError(f"cannot read {source}: {problem.strerror}", field="--input") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as problem:
        raise MtvError(f"{source} is not valid JSON: {problem}", field="--input") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise MtvError(f"{source} must hold a JSON array of objects", field="--input")
    return data
