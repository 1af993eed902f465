"""The demo walkthrough: a real MCP client session that follows the convertor-optimization guide.

The sandbox runs in this process; the server runs as ``mtv-mcp serve`` over stdio, exactly as an
assistant would start it, pointed at the sandbox's kubeconfig and inventory.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.types import CallToolResult

from mtv_mcp.server.session import text_of

RULE = "=" * 78


@dataclass(frozen=True)
class Step:
    """One call of the walkthrough and why a user would make it."""

    why: str
    tool: str
    arguments: dict[str, Any]
    expects_error: bool = False


CEPH_RULE = "PREFER pods(app=rook-ceph-osd) in namespaces(openshift-storage) on node"
DATABASE_RULE = "pods(tier=database) in all namespaces on node"
WAVE2 = {
    "name": "wave2-storage",
    "source": "vsphere-prod",
    "vms": "where powerState = 'poweredOn' and hostCluster.name = 'Cluster-Prod' and memoryGB <= 16",
    "convertor_labels": "migration-wave=wave2,team=migration",
    "convertor_node_selector": "storage=nvme",
    "convertor_affinity": [CEPH_RULE, "AVOID " + DATABASE_RULE],
    "dry_run": True,
}
STEPS = (
    Step("Discover the cluster: providers, plans, and the nodes convertor pods could use.", "cluster_overview", {}),
    Step(
        "Pick the VMs: large powered-on VMs of the vSphere provider (TSL, enriched fields).",
        "query_vms",
        {
            "provider": "vsphere-prod",
            "query": "where powerState = 'poweredOn' and memoryGB >= 8 order by diskCapacityGB desc",
        },
    ),
    Step(
        "A field that exists nowhere is reported, not silently empty.",
        "query_vms",
        {"provider": "vsphere-prod", "query": "where any(disks[*].iops > 10000)"},
    ),
    Step(
        "A list where one true/false is needed gets the column and a fix.",
        "query_vms",
        {"provider": "vsphere-prod", "query": "where disks.capacityGB > 500"},
        expects_error=True,
    ),
    Step(
        "Design convertor placement: near Ceph OSDs, away from production databases.",
        "validate_karl",
        {"rules": [CEPH_RULE, "AVOID " + DATABASE_RULE], "check_cluster": True},
    ),
    Step(
        "A typo in a rule gets the column and a hint.",
        "validate_karl",
        {"rules": "PREFERR pods(app=rook-ceph-osd) on node"},
        expects_error=True,
    ),
    Step("Dry-run a plan with convertor labels, node selector and affinity.", "create_plan", WAVE2),
    Step("The user agrees: create the plan (it becomes Ready).", "create_plan", {**WAVE2, "dry_run": False}),
    Step(
        "Starting it is refused: AVOID is a hard rule, and every node left has a database pod or no room.",
        "start_migration",
        {"plan": "wave2-storage", "dry_run": False},
        expects_error=True,
    ),
    Step(
        "Relax the rule: REPEL keeps convertors off database nodes when it can, instead of never.",
        "patch_plan",
        {"name": "wave2-storage", "convertor_affinity": [CEPH_RULE, "REPEL " + DATABASE_RULE], "dry_run": False},
    ),
    Step(
        "Start it: the Migration kubectl mtv start plan would create.",
        "start_migration",
        {"plan": "wave2-storage", "dry_run": False},
    ),
    Step(
        "Where did its convertor pods land, and do the nodes meet the rules?",
        "inspect_convertor_pods",
        {"plan": "wave2-storage", "log_lines": 0},
    ),
    Step(
        "Cancel one VM: Forklift stops its convertor pod, the others go on.",
        "cancel_migration",
        {"plan": "wave2-storage", "vms": "win-ad-01", "dry_run": False},
    ),
    Step(
        "The canceled VM reads Canceled and has no convertor pod any more.",
        "inspect_convertor_pods",
        {"plan": "wave2-storage", "vm": "win-ad-01"},
    ),
    Step(
        "Starting plan wave2-db is refused: it is not Ready, and the reasons come with fixes.",
        "start_migration",
        {"plan": "wave2-db"},
        expects_error=True,
    ),
    Step(
        "Starting plan wave1 again starts nothing: its migration already runs (the answer names it).",
        "start_migration",
        {"plan": "wave1", "dry_run": False},
    ),
    Step(
        "Inspect the running migration of plan wave1: placement, Pending reasons, progress.",
        "inspect_convertor_pods",
        {"plan": "wave1"},
    ),
    Step(
        "Measure the finished baseline wave0 (default spreading): copy rates per VM and node, the slowest and why.",
        "migration_report",
        {"plan": "wave0"},
    ),
    Step(
        "Compare: wave1's placement on NVMe nodes with the migration network, beside the baseline.",
        "migration_report",
        {"plan": "wave1", "compare_with": "wave0"},
    ),
)


def assistant_config(executable: str) -> dict[str, Any]:
    """The MCP client configuration entry that runs this server on the sandbox."""
    return {"mcpServers": {"mtv-demo": {"command": executable, "args": ["serve", "--demo"]}}}


def server_parameters(kubeconfig: Path, inventory_url: str) -> StdioServerParameters:
    env = {key: value for key, value in os.environ.items() if key in ("PATH", "PYTHONPATH", "HOME", "LANG")}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "mtv_mcp.server", "serve", "--kubeconfig", str(kubeconfig), "--inventory-url", inventory_url],
        env=env,
    )


def describe_call(step: Step) -> str:
    arguments = json.dumps(step.arguments, indent=None) if step.arguments else ""
    return f"{step.tool}({arguments})"


def show(result: CallToolResult, write: Callable[[str], None]) -> None:
    label = "tool error" if result.is_error else "result"
    write(f"--- {label} ---")
    write(text_of(result).rstrip())


async def run_walkthrough(kubeconfig: Path, inventory_url: str, write: Callable[[str], None]) -> int:
    """Run every step whose tool the server offers; returns how many calls failed unexpectedly."""
    failures = 0
    async with Client(server_parameters(kubeconfig, inventory_url)) as client:
        offered = {tool.name for tool in (await client.list_tools()).tools}
        write(f"Server tools: {', '.join(sorted(offered))}")
        for number, step in enumerate(STEPS, start=1):
            if step.tool not in offered:
                continue
            write(f"\n{RULE}\nStep {number}. {step.why}\n> {describe_call(step)}")
            result = await client.call_tool(step.tool, step.arguments)
            show(result, write)
            expects_error = step.expects_error
            failures += int(result.is_error != expects_error)
    return failures
