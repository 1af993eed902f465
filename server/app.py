"""The MCP server factory: tools, prompts and resources on one ``MCPServer``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from mcp.server.mcpserver import MCPServer

from mtv_mcp.core.config import Settings
from mtv_mcp.core.runtime import Runtime
from mtv_mcp.server.arguments import ArgumentGate
from mtv_mcp.server.call_limits import CallSlots
from mtv_mcp.server.catalog import catalogue_tools, register_prompts, register_resources
from mtv_mcp.server.completions import register_completions
from mtv_mcp.server.version import package_version

if TYPE_CHECKING:
    from mtv_mcp.tools._common import ToolDefinition

SERVER_NAME = "mtv-mcp"

INSTRUCTIONS = """\
mtv-mcp plans and tunes Forklift (MTV) migrations of VMs to KubeVirt, above all the temporary
virt-v2v convertor pods that copy and convert each VM's disks: where they are scheduled
(convertorNodeSelector, convertorAffinity written in KARL), how they are labelled
(convertorLabels), and whether they run where and as fast as intended.

Work in this order:
1. cluster_overview - providers, plans, Forklift version, and the nodes with their labels,
   taints, zones and free KVM devices. Placement rules can only use labels that exist.
2. query_vms - pick the VMs with a TSL query ("where memoryGB > 8 and hostCluster.name = 'Prod'");
   read its warnings: an unknown field is reported with suggestions, never silently empty.
3. validate_karl - write the convertor affinity as KARL rules (e.g. "PREFER pods(app=ceph-osd)
   on node") and check them; fix every error at the column it names. Prefer soft rules
   (PREFER/REPEL) unless the user needs a guarantee; a hard rule no node satisfies leaves
   convertor pods Pending.
4. create_plan - always dry-run first (the default) and show the user the objects, warnings
   and the equivalent kubectl-mtv command; apply (dry_run=false) only when the user agrees.
   patch_plan changes placement of an existing plan that is not running.
5. start_migration - dry-run first: it checks the plan is Ready and its convertor pods would
   schedule, and shows the Migration; start (dry_run=false) only when the user agrees.
6. inspect_convertor_pods - after a migration starts: where each convertor landed, whether
   that node satisfies the plan's rules, why a pod is Pending, stage and progress from the
   virt-v2v log, and what to change. cancel_migration stops some or all VMs (dry-run first).
7. migration_report - what the placement bought: per VM step durations and copy MiB/s, totals
   per node and storage, the slowest VMs and why; compare_with a baseline plan's migration.
   create_plan's dry run carries a forecast (concurrency, copy rate, duration range).
Queries and rules are validated before anything touches the cluster. Errors name the argument
and column and say how to fix them. References: the resources mtv://reference/tsl and
mtv://reference/karl; the prompts walk through common optimisation workflows.
"""


def create_server(
    settings: Settings | None = None, *, tools: Sequence[ToolDefinition] | None = None
) -> MCPServer[Runtime]:
    """A new, independent server; it contacts no cluster until a tool is called.

    Without ``tools`` it serves every tool from ``tools/declarations.json``, importing a tool's
    module when the tool is first called.
    """
    runtime = Runtime(settings=settings or Settings())
    slots = CallSlots(runtime.settings)
    gate = ArgumentGate()

    @asynccontextmanager
    async def lifespan(_: MCPServer[Runtime]) -> AsyncIterator[Runtime]:
        try:
            yield runtime
        finally:
            runtime.close()

    server: MCPServer[Runtime] = MCPServer(
        SERVER_NAME,
        title="Forklift / MTV convertor placement",
        version=package_version(),
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        tools=catalogue_tools(gate, tools, read_only=runtime.settings.read_only, wrap=slots.limit),
    )
    server.middleware.append(gate)
    register_prompts(server, gate)
    register_completions(server, runtime)
    register_resources(server)
    return server
