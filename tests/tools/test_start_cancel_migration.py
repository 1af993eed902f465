"""start_migration and cancel_migration through a real MCP client against the sandbox, whose
migration controller runs the convertor pods: start → pods where the plan's rules put them →
cancel one VM → its pod is gone and the VM reads Canceled; and every refusal writes nothing.

The cluster is the controller tests' data set: plan wave1 (Ready, never started; convertor node
selector storage=nvme + vmware-migration network, anti-affinity to tier=database pods).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.controller.controller import ControllerOptions, migration_controller
from mtv_mcp.sandbox.controller.facts import VmFacts
from mtv_mcp.sandbox.identity import VIEWER_TOKEN
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server
from mtv_mcp.server.session import list_tools
from mtv_mcp.tools import cancel_migration, create_plan, inspect_convertor_pods, start_migration
from tests.pipeline_clock import until_pods

pytestmark = pytest.mark.anyio
DATA = Path(__file__).resolve().parents[1] / "sandbox" / "controller" / "data"
NS, TARGET = "openshift-mtv", "app-migrated"
PLAN_UID = "7c1d4e2a-0b8f-4c55-9a71-2f6f3c9d1e01"
GI = 1024**3
FACTS = {
    "vm-2050": VmFacts("web-frontend-01", (("d0", 4 * GI),)),
    "vm-2041": VmFacts("pg-prod-01", (("d0", 4 * GI), ("d1", 8 * GI))),
    "vm-2061": VmFacts("win-sql-01", (("d0", 8 * GI),), windows=True),
}


@pytest.fixture
def sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    plugin = migration_controller(ControllerOptions(vm_facts=FACTS))
    with Sandbox.start(
        data=DATA, crds=sandbox_crds, frozen_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC), plugins=[plugin]
    ) as running:
        yield running


async def call(sandbox: Sandbox, tool: str, read_only: bool = False, **arguments: Any) -> CallToolResult:
    settings = Settings(kubeconfig=sandbox.kubeconfig_path, request_timeout=5, read_only=read_only)
    server = create_server(settings, tools=[start_migration.TOOL, cancel_migration.TOOL, inspect_convertor_pods.TOOL])
    async with Client(server) as client:
        return await client.call_tool(tool, arguments)


def text(result: CallToolResult) -> str:
    return str(result.content[0].text)


def migrations(sandbox: Sandbox) -> list[dict[str, Any]]:
    return sandbox.store.list("migrations", NS)


def pods(sandbox: Sandbox) -> dict[str, dict[str, Any]]:
    """The plan's convertor pods by VM id."""
    return {
        p["metadata"]["labels"]["vmID"]: p
        for p in sandbox.store.list("pods", TARGET, label_selector=f"plan={PLAN_UID}")
    }


def vm_status(sandbox: Sandbox, name: str, vm_id: str) -> dict[str, Any]:
    migration = sandbox.store.get("migrations", NS, name)
    return next(vm for vm in migration["status"]["vms"] if vm["id"] == vm_id)


def set_plan(sandbox: Sandbox, patch: dict[str, Any], part: str = "main") -> None:
    sandbox.store.patch("plans", NS, "wave1", patch, part=part)  # type: ignore[arg-type]


# -- start ------------------------------------------------------------------------------------------


async def test_dry_run_shows_the_migration_kubectl_mtv_creates_and_writes_nothing(sandbox: Sandbox) -> None:
    result = await call(sandbox, "start_migration", plan="wave1")
    assert not result.is_error, text(result)
    data = result.structured_content
    assert data is not None
    assert (data["status"], data["migration"], data["cutover"]) == ("dry-run", None, None)
    migration = data["migration_object"]
    assert migration["metadata"]["generateName"] == "wave1-"
    assert migration["metadata"]["ownerReferences"] == [
        {"apiVersion": "forklift.konveyor.io/v1beta1", "kind": "Plan", "name": "wave1", "uid": PLAN_UID}
    ]
    assert migration["spec"] == {"plan": {"name": "wave1", "namespace": NS, "uid": PLAN_UID}}
    assert data["kubectl_command"] == "kubectl mtv start plan wave1 -n openshift-mtv"
    assert data["placement"] == [
        "convertor pods can run on worker-3 (score 38); "
        "8 node(s) excluded (validate_karl with check_cluster=true explains each)"
    ]
    assert text(result).startswith("dry run: would start plan wave1")
    assert migrations(sandbox) == []


async def test_start_then_pods_follow_the_rules_cancel_one_vm_then_all(sandbox: Sandbox) -> None:
    started = await call(sandbox, "start_migration", plan="wave1", dry_run=False)
    assert not started.is_error, text(started)
    data = started.structured_content
    assert data is not None
    assert data["status"] == "started"
    name = data["migration"]
    assert name.startswith("wave1-")
    assert [m["metadata"]["name"] for m in migrations(sandbox)] == [name]

    until_pods(sandbox, f"plan={PLAN_UID}", 3)
    running = pods(sandbox)
    assert sorted(running) == ["vm-2041", "vm-2050", "vm-2061"]
    nodes = {n["metadata"]["name"]: n["metadata"]["labels"] for n in sandbox.store.list("nodes")}
    database_nodes = {
        p["spec"].get("nodeName")
        for p in sandbox.store.list("pods")
        if p["metadata"].get("labels", {}).get("tier") == "database"
    }
    for pod in running.values():
        node = pod["spec"].get("nodeName")
        if node is not None:  # bound: the node meets the selector and hosts no database pod
            assert nodes[node]["storage"] == "nvme"
            assert nodes[node]["network.example.com/vmware-migration"] == "true"
            assert node not in database_nodes
    assert running["vm-2050"]["status"]["phase"] == "Running"

    again = await call(sandbox, "start_migration", plan="wave1", dry_run=False)
    assert not again.is_error, text(again)
    assert again.structured_content is not None
    assert (again.structured_content["status"], again.structured_content["migration"]) == ("running", name)
    assert "already runs" in text(again)
    assert len(migrations(sandbox)) == 1

    preview = await call(sandbox, "cancel_migration", plan="wave1", vms="web-frontend-01")
    assert preview.structured_content is not None
    assert preview.structured_content["status"] == "dry-run"
    assert "+- id: vm-2050" in preview.structured_content["diff"]
    assert "cancel" not in sandbox.store.get("migrations", NS, name)["spec"]
    assert "vm-2050" in pods(sandbox)

    canceled = await call(sandbox, "cancel_migration", plan="wave1", vms=["vm-2050"], dry_run=False)
    assert not canceled.is_error, text(canceled)
    result = canceled.structured_content
    assert result is not None
    assert (result["status"], result["canceled"]) == ("canceled", ["web-frontend-01 (vm-2050)"])
    assert result["kubectl_command"] == "kubectl mtv cancel plan wave1 -n openshift-mtv --vms web-frontend-01"
    assert sandbox.store.get("migrations", NS, name)["spec"]["cancel"] == [{"id": "vm-2050", "name": "web-frontend-01"}]
    assert "vm-2050" not in pods(sandbox)  # its convertor pod is stopped and deleted
    web = vm_status(sandbox, name, "vm-2050")
    assert web["phase"] == "Completed"
    assert [(c["type"], c["reason"]) for c in web["conditions"]] == [("Canceled", "UserRequested")]
    assert sorted(pods(sandbox)) == ["vm-2041", "vm-2061"]  # the others go on
    assert vm_status(sandbox, name, "vm-2041")["phase"] != "Completed"
    killed = [e for e in sandbox.store.list("events", TARGET) if e["reason"] == "Killing"]
    assert len(killed) == 1
    inspected = await call(sandbox, "inspect_convertor_pods", plan="wave1", log_lines=0)
    assert inspected.structured_content is not None
    assert sorted(pod["vm_id"] for pod in inspected.structured_content["pods"]) == ["vm-2041", "vm-2061"]
    assert (
        "canceled (Migration spec.cancel; Forklift deleted their convertor pods): web-frontend-01 (vm-2050)"
        in inspected.structured_content["notes"]
    )

    repeat = await call(sandbox, "cancel_migration", plan="wave1", vms="web-frontend-01", dry_run=False)
    assert repeat.structured_content is not None
    assert repeat.structured_content["status"] == "unchanged"
    assert "cancellation already requested" in repeat.structured_content["skipped"][0]

    rest = await call(sandbox, "cancel_migration", plan="wave1", dry_run=False)
    assert rest.structured_content is not None
    assert rest.structured_content["canceled"] == ["pg-prod-01 (vm-2041)", "win-sql-01 (vm-2061)"]
    assert pods(sandbox) == {}
    ended = sandbox.store.get("migrations", NS, name)
    assert {c["type"] for c in ended["status"]["conditions"] if c["status"] == "True"} == {"Canceled"}

    nothing = await call(sandbox, "cancel_migration", plan="wave1", dry_run=False)
    assert nothing.is_error
    assert f"no migration of plan 'wave1' is running (its latest Migration {name} is Canceled)" in text(nothing)


# -- refusals: each says why and writes nothing ---------------------------------------------------


async def test_a_plan_that_is_not_ready_is_refused_with_reasons_and_fixes(sandbox: Sandbox) -> None:
    condition = {
        "type": "VMNetworksNotMapped",
        "status": "True",
        "category": "Critical",
        "message": "Source network not mapped.",
        "lastTransitionTime": "2026-03-01T09:00:00Z",
    }
    set_plan(sandbox, {"status": {"conditions": [condition]}}, part="status")
    for dry_run in (True, False):
        result = await call(sandbox, "start_migration", plan="wave1", dry_run=dry_run)
        assert result.is_error
        assert "plan: refused: plan 'wave1' is not Ready, nothing was created" in text(result)
        assert (
            "- VMNetworksNotMapped: Source network not mapped. (fix: add the VM's networks to the plan's NetworkMap)"
            in text(result)
        )
    assert migrations(sandbox) == []


async def test_a_plan_whose_pods_would_all_stay_pending_is_refused_unless_forced(sandbox: Sandbox) -> None:
    set_plan(sandbox, {"spec": {"convertorNodeSelector": {"storage": "tape"}}})
    refused = await call(sandbox, "start_migration", plan="wave1", dry_run=False)
    assert refused.is_error
    message = text(refused)
    assert "every convertor pod of this plan would stay Pending" in message
    assert "node(s) didn't match Pod's node affinity/selector" in message
    assert "force=true" in message
    assert migrations(sandbox) == []

    forced = await call(sandbox, "start_migration", plan="wave1", force=True, dry_run=False)
    assert not forced.is_error, text(forced)
    assert forced.structured_content is not None
    assert any("force=true" in w for w in forced.structured_content["warnings"])
    until_pods(sandbox, f"plan={PLAN_UID}", 3)
    assert {p["status"]["phase"] for p in pods(sandbox).values()} == {"Pending"}


async def test_a_read_only_server_only_dry_runs(sandbox: Sandbox) -> None:
    for tool in ("start_migration", "cancel_migration"):
        result = await call(sandbox, tool, read_only=True, plan="wave1", dry_run=False)
        assert result.is_error
        assert "this server is read-only: dry_run=false is refused" in text(result)
    dry = await call(sandbox, "start_migration", read_only=True, plan="wave1")
    assert not dry.is_error
    assert migrations(sandbox) == []


async def test_cancel_refuses_when_nothing_runs_and_names_unknown_vms(sandbox: Sandbox) -> None:
    idle = await call(sandbox, "cancel_migration", plan="wave1", dry_run=False)
    assert idle.is_error
    assert "no migration of plan 'wave1' is running (it was never started); nothing was changed" in text(idle)
    await call(sandbox, "start_migration", plan="wave1", dry_run=False)
    before = migrations(sandbox)
    unknown = await call(sandbox, "cancel_migration", plan="wave1", vms="web-frontend-01,nope", dry_run=False)
    assert unknown.is_error
    assert "vms: plan wave1 has no VM 'nope'" in text(unknown)
    assert "web-frontend-01 (vm-2050)" in text(unknown)
    assert migrations(sandbox) == before


async def test_unknown_plan_is_named_with_the_plans_that_exist(sandbox: Sandbox) -> None:
    for tool in ("start_migration", "cancel_migration"):
        result = await call(sandbox, tool, plan="wave9")
        assert result.is_error
        assert "plan: plan 'wave9' does not exist in namespace openshift-mtv\nhint: plans there: wave1" in text(result)


# -- cutover ---------------------------------------------------------------------------------------


async def test_cutover_of_warm_and_cold_plans(sandbox: Sandbox) -> None:
    cold = await call(sandbox, "start_migration", plan="wave1", cutover="2026-03-01T12:00:00Z")
    assert cold.structured_content is not None
    assert cold.structured_content["cutover"] is None
    assert "cutover is ignored: plan wave1 is a cold migration" in cold.structured_content["warnings"][0]

    set_plan(sandbox, {"spec": {"type": "warm"}})
    warm = await call(sandbox, "start_migration", plan="wave1", cutover="2026-12-31T18:00:00-05:00")
    assert warm.structured_content is not None
    assert warm.structured_content["migration_object"]["spec"]["cutover"] == "2026-12-31T23:00:00Z"
    assert warm.structured_content["kubectl_command"].endswith("--cutover 2026-12-31T23:00:00Z")
    default = await call(sandbox, "start_migration", plan="wave1")
    assert default.structured_content is not None
    assert "no cutover given for a warm migration" in default.structured_content["warnings"][0]

    bad = await call(sandbox, "start_migration", plan="wave1", cutover="tomorrow")
    assert bad.is_error
    assert "cutover: 'tomorrow' is not an RFC 3339 time with a time zone" in text(bad)
    assert migrations(sandbox) == []


# -- the whole loop on the demo data: create a plan, start it ------------------------------------


async def test_a_plan_created_with_create_plan_becomes_ready_and_starts(sandbox_crds: Path | None) -> None:
    plugin = migration_controller(ControllerOptions(vm_facts=FACTS))
    with Sandbox.start(data="demo", crds=sandbox_crds, plugins=[plugin]) as demo:
        settings = Settings(kubeconfig=demo.kubeconfig_path, inventory_url=demo.inventory_url, request_timeout=5)
        tools = [create_plan.TOOL, start_migration.TOOL]
        async with Client(create_server(settings, tools=tools)) as client:
            created = await client.call_tool(
                "create_plan",
                {"name": "loop1", "source": "vsphere-prod", "vms": "web-frontend-01", "dry_run": False},
            )
            assert not created.is_error, text(created)
            plan = demo.store.get("plans", NS, "loop1")
            ready = [c for c in plan["status"]["conditions"] if c["type"] == "Ready"]
            assert [(c["status"], c["message"]) for c in ready] == [("True", "The migration plan is ready.")]
            started = await client.call_tool("start_migration", {"plan": "loop1", "dry_run": False})
        assert not started.is_error, text(started)
        assert started.structured_content is not None
        name = started.structured_content["migration"]
        uid = demo.store.get("plans", NS, "loop1")["metadata"]["uid"]
        until_pods(demo, f"plan={uid},vmID=vm-2050", 1)
        [pod] = demo.store.list("pods", None, label_selector=f"plan={uid},vmID=vm-2050")
        assert pod["metadata"]["labels"]["migration"] == demo.store.get("migrations", NS, name)["metadata"]["uid"]
        assert pod["status"]["phase"] == "Running"


async def test_a_plan_with_a_missing_map_is_not_ready(sandbox: Sandbox) -> None:
    set_plan(sandbox, {"spec": {"map": {"storage": {"name": "gone", "namespace": NS}}}})
    result = await call(sandbox, "start_migration", plan="wave1")
    assert result.is_error
    assert (
        "- StorageRefNotValid: Map reference is not valid. (fix: point spec.map.storage at an existing StorageMap)"
        in text(result)
    )
    assert migrations(sandbox) == []


async def test_a_viewer_cannot_start_and_a_failed_create_leaves_nothing(sandbox: Sandbox) -> None:
    viewer = sandbox.write_kubeconfig(sandbox.kubeconfig_path.with_name("kubeconfig-viewer"), VIEWER_TOKEN)
    settings = Settings(kubeconfig=viewer, request_timeout=5)
    async with Client(create_server(settings, tools=[start_migration.TOOL, cancel_migration.TOOL])) as client:
        dry = await client.call_tool("start_migration", {"plan": "wave1"})
        assert not dry.is_error, text(dry)
        refused = await client.call_tool("start_migration", {"plan": "wave1", "dry_run": False})
    assert refused.is_error
    assert "the token may not create migration 'wave1-' in namespace openshift-mtv (403)" in text(refused)
    assert migrations(sandbox) == []
    with sandbox.faults.injected(f"POST /apis/forklift.konveyor.io/v1beta1/namespaces/{NS}/migrations=500"):
        failed = await call(sandbox, "start_migration", plan="wave1", dry_run=False)
    assert failed.is_error
    assert "500" in text(failed)
    assert migrations(sandbox) == []
    assert sandbox.store.list("pods", TARGET) == []


@pytest.mark.parametrize("read_only", [False, True])
def test_annotations_say_what_each_tool_may_do(read_only: bool) -> None:
    tools = {tool["name"]: tool for tool in list_tools(Settings(read_only=read_only))}
    start, cancel = tools["start_migration"]["annotations"], tools["cancel_migration"]["annotations"]
    assert start == {"readOnlyHint": read_only, "destructiveHint": False, "idempotentHint": True, "openWorldHint": True}
    assert cancel == {
        "readOnlyHint": read_only,
        "destructiveHint": not read_only,
        "idempotentHint": True,
        "openWorldHint": True,
    }
    assert tools["cancel_migration"]["description"].endswith("Read-only server: dry runs only.") is read_only
