"""``mtv-mcp karl RULE [RULE ...]``: compile KARL rules to a Kubernetes Affinity offline."""

from __future__ import annotations

import argparse
import json
from typing import Any

ORDER = 40


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "karl",
        help="compile KARL affinity rules to a Kubernetes Affinity",
        description="Compile KARL rules (each argument one rule text; ';' separates rules too) into "
        "one Kubernetes Affinity. Prints {affinity, warnings, explanation} as JSON, or with --yaml "
        "the Affinity alone as YAML. An invalid rule prints the error with its column on stderr "
        "and exits with status 2.",
    )
    parser.add_argument("rules", nargs="+", metavar="RULE", help='e.g. "PREFER pods(app=ceph-osd) on node"')
    parser.add_argument("--yaml", action="store_true", help="print only the Affinity, as YAML")
    parser.add_argument(
        "--purpose",
        choices=["convertor", "target", "any"],
        default="convertor",
        help="what the affinity is for (tunes warnings and wording; default: convertor)",
    )
    parser.add_argument(
        "--keep-default-spreading",
        action="store_true",
        help="add Forklift's default convertor spreading rule",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    import yaml

    from mtv_mcp.core.karl import compile_affinity

    rules = args.rules[0] if len(args.rules) == 1 else args.rules
    result = compile_affinity(rules, purpose=args.purpose, keep_default_spreading=args.keep_default_spreading)
    affinity = result.affinity.to_kube()
    if args.yaml:
        print(yaml.safe_dump(affinity, sort_keys=False), end="")
    else:
        document = {"affinity": affinity, "warnings": result.warnings, "explanation": result.explanation}
        print(json.dumps(document, indent=2))
    return 0
