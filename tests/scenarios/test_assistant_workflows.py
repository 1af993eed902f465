"""What an assistant does for a user, step by step, through a real MCP client against the demo.

Each test is one task from the convertor-optimization guide's workflows, scripted as an assistant
would run it (read, decide, write, check) and ends on the state the user wanted: where the
convertor pods actually run in the sandbox, which plans and Migrations exist. The sandbox's own
migration controller and scheduler (not mtv-mcp's placement code) turn a started Migration into
pods, so "lands where the rules say" is checked against an independent scheduler.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client, config
from mcp import Client
from mcp.types import TextContent

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.controller.history import data_set_controller
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server
from tests.pipeline_clock import until_pods

pytestmark = pytest.mark.anyio
NS, TARGET = "openshift-mtv", "app-migrated"
WAVE1_SELECTOR = "storage=nvme,network.example.com/vmware-migration=true"


class Assistant:
    """One MCP session, used as an assistant uses it: call a tool, read the result."""

    def __init__(self, session: Client, sandbox: Sandbox) -> None:
        self.session = session
        self.sandbox = sandbox

    async def ok(self, tool: str, **arguments: Any) -> dict[str, Any]:
        """The structured result of a call that must succeed."""
        result = await self.session.call_tool(tool, arguments)
        assert not result.is_error, self._text(result.content)
        assert result.structured_content is not None
        return result.structured_content

    async def refused(self, tool: str, **arguments: Any) -> str:
        """The error text of a call that must fail."""
        result = await self.session.call_tool(tool, arguments)
        assert result.is_error, f"{tool} should have failed"
        return self._text(result.content)

    async def create_and_start(self, plan: str, vms: str, **placement: Any) -> None:
        """Create a plan in the target namespace and start its migration (both applied, not dry runs)."""
        created = await self.ok(
            "create_plan",
            name=plan,
            source="vsphere-prod",
            vms=vms,
            target_namespace=TARGET,
            dry_run=False,
            **placement,
        )
        assert created["status"] == "created"
        await self.start(plan)

    async def start(self, plan: str) -> None:
        """Start ``plan``'s migration and wait (sandbox clock) until each of its VMs has a convertor pod."""
        started = await self.ok("start_migration", plan=plan, dry_run=False)
        assert started["status"] == "started"
        vms = self.sandbox.store.get("plans", NS, plan)["spec"]["vms"]
        until_pods(self.sandbox, f"plan-name={plan}", len(vms))

    @staticmethod
    def _text(content: list[Any]) -> str:
        return "\n".join(block.text for block in content if isinstance(block, TextContent))


@pytest.fixture
def demo(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    """The demo data set with Forklift's migration controller running (each test writes)."""
    with Sandbox.start(data="demo", crds=sandbox_crds, plugins=[data_set_controller()]) as sandbox:
        yield sandbox


@pytest.fixture
async def assistant(demo: Sandbox) -> AsyncIterator[Assistant]:
    settings = Settings(kubeconfig=demo.kubeconfig_path, inventory_url=demo.inventory_url, request_timeout=10)
    async with Client(create_server(settings)) as session:
        yield Assistant(session, demo)


# -- the cluster as it is at the end ------------------------------------------------------------


def convertor_nodes(sandbox: Sandbox, plan: str) -> dict[str, str | None]:
    """VM id → node of each convertor pod of ``plan`` (None: not scheduled)."""
    pods = sandbox.store.list("pods", TARGET, label_selector=f"plan-name={plan}")
    return {p["metadata"]["labels"]["vmID"]: p["spec"].get("nodeName") for p in pods}


def nodes_running(sandbox: Sandbox, labels: dict[str, str]) -> set[str]:
    """Nodes hosting a running pod with all these labels (any namespace)."""
    return {
        str(p["spec"]["nodeName"])
        for p in sandbox.store.list("pods")
        if p["spec"].get("nodeName")
        and p.get("status", {}).get("phase") in ("Running", "Pending")
        and labels.items() <= (p["metadata"].get("labels") or {}).items()
    }


def plan_names(sandbox: Sandbox) -> set[str]:
    return {p["metadata"]["name"] for p in sandbox.store.list("plans", NS)}


def node_labels(sandbox: Sandbox) -> dict[str, dict[str, str]]:
    return {n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in sandbox.store.list("nodes")}


def quoted(text: str) -> list[str]:
    """The `...` spans of a message: what an assistant copies out of an error or warning."""
    return re.findall(r"`([^`]+)`", text)


# -- the workflows ----------------------------------------------------------------------------------


async def test_convertors_near_ceph_osds_away_from_databases_keeping_default_spreading(
    assistant: Assistant, demo: Sandbox
) -> None:
    """ "Place wave2's convertors near the Ceph OSDs and away from databases, keep default spreading"."""
    overview = await assistant.ok("cluster_overview", namespace="*")
    notable = [pod for node in overview["nodes"] for pod in node["notable_pods"]]
    osd = next(pod for pod in notable if "(Ceph OSD)" in pod)
    assert osd.startswith("openshift-storage/")
    assert "app=rook-ceph-osd" in osd
    assert any("(database)" in pod and "tier=database" in pod for pod in notable)

    rules = (
        "PREFER pods(app=rook-ceph-osd) in namespaces(openshift-storage) on node weight=80; "
        "AVOID pods(tier=database) in all namespaces on node"
    )
    checked = await assistant.ok(
        "validate_karl", rules=rules, keep_default_spreading=True, check_cluster=True, target_namespace=TARGET
    )
    assert checked["valid"]
    assert any("forklift.app in [virt-v2v]" in rule for rule in checked["rules"])  # spreading kept
    assert all(term["matched"] > 0 for term in checked["placement"]["pod_terms"][:2])

    dry = await assistant.ok(
        "create_plan",
        name="wave2",
        source="vsphere-prod",
        vms="web-frontend-02,win-ad-01,build-runner-03",
        target_namespace=TARGET,
        convertor_affinity=checked["rules"],
    )
    assert dry["status"] == "dry-run"
    assert "wave2" not in plan_names(demo)  # a dry run writes nothing
    await assistant.create_and_start(
        "wave2", "web-frontend-02,win-ad-01,build-runner-03", convertor_affinity=checked["rules"]
    )

    placed = convertor_nodes(demo, "wave2")
    assert sorted(placed) == ["vm-2051", "vm-2060", "vm-2071"]
    osd_nodes = nodes_running(demo, {"app": "rook-ceph-osd"})
    database_nodes = nodes_running(demo, {"tier": "database"})
    for node in placed.values():
        assert node in osd_nodes - database_nodes
    inspected = await assistant.ok("inspect_convertor_pods", plan="wave2")
    assert inspected["summary"]["off_rule"] == []


async def test_why_win_sql_01_is_pending_what_to_change_and_a_plan_that_places_it(
    assistant: Assistant, demo: Sandbox
) -> None:
    """ "Why is win-sql-01 Pending → what to change → a plan with that change places its convertor"."""
    inspected = await assistant.ok("inspect_convertor_pods", plan="wave1", vm="win-sql-01")
    (pod,) = inspected["pods"]
    assert pod["phase"] == "Pending"
    reasons = {r["reason"]["kind"]: r for r in pod["pending"]["reasons"]}
    assert reasons["pod-anti-affinity"]["nodes"] == ["worker-4"]
    assert "AVOID → REPEL" in reasons["pod-anti-affinity"]["reason"]["fix"]

    original = await assistant.ok("validate_karl", rules="AVOID pods(tier=database) in all namespaces on node")
    (softened,) = original["soft_equivalent"]
    preview = await assistant.ok(
        "validate_karl", rules=softened, check_cluster=True, node_selector=WAVE1_SELECTOR, target_namespace=TARGET
    )
    assert [c["node"] for c in preview["placement"]["candidates"]] == ["worker-4"]

    # wave1 keeps running for its other VMs: take win-sql-01 out of it, then give it its own plan
    canceled = await assistant.ok("cancel_migration", plan="wave1", vms="win-sql-01", dry_run=False)
    assert canceled["status"] == "canceled"
    await assistant.create_and_start(
        "wave1-win-sql", "win-sql-01", convertor_node_selector=WAVE1_SELECTOR, convertor_affinity=softened
    )

    assert convertor_nodes(demo, "wave1-win-sql") == {"vm-2061": "worker-4"}
    wave1 = demo.store.list("migrations", NS)
    assert any({"id": "vm-2061", "name": "win-sql-01"} in (m["spec"].get("cancel") or []) for m in wave1)
    again = await assistant.ok("inspect_convertor_pods", plan="wave1-win-sql")
    assert again["summary"]["pending"] == []
    assert again["summary"]["off_rule"] == []


async def test_phase_the_migration_by_vm_size(assistant: Assistant, demo: Sandbox) -> None:
    """ "Phase the migration by VM size": small VMs first with their own convertor label, the rest later."""
    prompt = await assistant.session.get_prompt("phased_migration", {"provider": "vsphere-prod"})
    assert "query_vms" in "".join(m.content.text for m in prompt.messages if isinstance(m.content, TextContent))
    scope = "powerState = 'poweredOn' and diskCapacityGB < 300 and name != 'web-frontend-01'"
    everything = await assistant.ok("query_vms", provider="vsphere-prod", query=scope, fields=["name"])
    small = await assistant.ok("query_vms", provider="vsphere-prod", query=f"{scope} and diskCapacityGB <= 100")
    large = await assistant.ok("query_vms", provider="vsphere-prod", query=f"{scope} and diskCapacityGB > 100")
    names = {vm["name"] for vm in everything["vms"]}
    small_names, large_names = {vm["name"] for vm in small["vms"]}, {vm["name"] for vm in large["vms"]}
    assert small_names
    assert large_names
    assert small_names | large_names == names
    assert not small_names & large_names

    for wave, query in (
        ("small", f"where {scope} and diskCapacityGB <= 100"),
        ("large", f"where {scope} and diskCapacityGB > 100"),
    ):
        plan = await assistant.ok(
            "create_plan",
            name=f"wave-{wave}",
            source="vsphere-prod",
            vms=query,
            target_namespace=TARGET,
            convertor_labels=f"migration-wave={wave}",
            dry_run=False,
        )
        assert {vm["name"] for vm in plan["vms"]} == (small_names if wave == "small" else large_names)
    await assistant.start("wave-small")

    small_pods = demo.store.list("pods", TARGET, label_selector="plan-name=wave-small")
    assert len(small_pods) == len(small_names)
    assert all(p["metadata"]["labels"]["migration-wave"] == "small" for p in small_pods)
    started = {m["spec"]["plan"]["name"] for m in demo.store.list("migrations", NS)}
    assert "wave-small" in started
    assert "wave-large" not in started


async def test_dedicated_tainted_migration_nodes_explained_then_used(assistant: Assistant, demo: Sandbox) -> None:
    """ "Dedicated migration nodes with a taint → explain why nothing lands there and what to change"."""
    overview = await assistant.ok("cluster_overview")
    (dedicated,) = [n for n in overview["nodes"] if "migration" in n["roles"]]
    assert dedicated["taints"] == ["dedicated=migration:NoSchedule"]

    rule = "REQUIRE nodes(has node-role.kubernetes.io/migration)"
    blocked = await assistant.ok("validate_karl", rules=rule, check_cluster=True, target_namespace=TARGET)
    assert blocked["placement"]["would_stay_pending"]
    (taint,) = [c for c in blocked["placement"]["causes"] if c["kind"] == "untolerated-taint" and not c["expected"]]
    assert "Forklift sets no tolerations" in taint["fix"]
    assert "kubectl taint nodes <node> dedicated=migration:NoSchedule-" in taint["fix"]

    # the user's cluster admin applies the fix (`kubectl taint nodes mig-0 dedicated-`, through the API)
    config.load_kube_config(config_file=str(demo.kubeconfig_path))
    client.CoreV1Api().patch_node(dedicated["name"], [{"op": "remove", "path": "/spec/taints"}])

    open_now = await assistant.ok("validate_karl", rules=rule, check_cluster=True, target_namespace=TARGET)
    assert [c["node"] for c in open_now["placement"]["candidates"]] == [dedicated["name"]]
    await assistant.create_and_start("dedicated", "win-ad-01,build-runner-03", convertor_affinity=rule)
    assert set(convertor_nodes(demo, "dedicated").values()) == {dedicated["name"]}


async def test_isolate_convertors_from_production_with_the_scope_the_warning_names(
    assistant: Assistant, demo: Sandbox
) -> None:
    """ "Keep convertors away from production": the first rule sees no pod; its warning says how to fix it."""
    first = await assistant.ok(
        "validate_karl", rules="AVOID pods(env=production) on node", check_cluster=True, target_namespace=TARGET
    )
    (term,) = first["placement"]["pod_terms"]
    assert term["matched"] == 0
    assert term["elsewhere"]
    (warning,) = [w for w in first["warnings"] if w.startswith("`AVOID pods(env=production) on node` matches no")]
    suggestion = next(q for q in quoted(warning) if "in all namespaces" in q)

    fixed = await assistant.ok("validate_karl", rules=suggestion, check_cluster=True, target_namespace=TARGET)
    (term,) = fixed["placement"]["pod_terms"]
    assert term["matched"] > 0
    assert not term["warning"]
    await assistant.create_and_start("isolated", "web-frontend-02,pg-witness-01", convertor_affinity=suggestion)
    production = nodes_running(demo, {"env": "production"})
    placed = convertor_nodes(demo, "isolated")
    assert len(placed) == 2
    assert all(node is not None and node not in production for node in placed.values())


async def test_misspelled_arguments_are_corrected_in_one_round_trip(assistant: Assistant, demo: Sandbox) -> None:
    """An assistant guessing argument names is told the right one, and nothing happens meanwhile."""
    error = await assistant.refused("query_vms", provider="vsphere-prod", where="memoryGB > 16")
    wrong, right = quoted(error)
    assert (wrong, right) == ("where", "query")
    found = await assistant.ok("query_vms", provider="vsphere-prod", **{right: "memoryGB > 16"})
    assert found["matched"] == found["returned"] > 0
    assert all(vm["memoryGB"] > 16 for vm in found["vms"])

    arguments = {"name": "typo", "source": "vsphere-prod", "vms": "legacy-app-01", "target_namespace": TARGET}
    error = await assistant.refused("create_plan", **arguments, dryRun=False)
    assert quoted(error) == ["dryRun", "dry_run"]
    assert "typo" not in plan_names(demo)  # and no silent dry run either
    created = await assistant.ok("create_plan", **arguments, dry_run=False)
    assert created["status"] == "created"
    assert "typo" in plan_names(demo)


async def test_a_field_that_exists_nowhere_is_named_first_then_the_right_query_builds_the_plan(
    assistant: Assistant, demo: Sandbox
) -> None:
    """ "Big-disk VMs by IOPS": the field does not exist; the assistant switches to capacity in one step."""
    error = await assistant.refused("query_vms", provider="vsphere-prod", query="where disks.iops > 100")
    assert error.splitlines()[0].startswith(
        "Error executing tool query_vms: the field `disks.iops` exists in no record"
    )
    query = "where any(disks.capacityGB > 500)"
    found = await assistant.ok("query_vms", provider="vsphere-prod", query=query, fields=["name"])
    names = {vm["name"] for vm in found["vms"]}
    assert names
    plan = await assistant.ok(
        "create_plan", name="big-disks", source="vsphere-prod", vms=query, target_namespace=TARGET
    )
    assert plan["status"] == "dry-run"
    assert {vm["name"] for vm in plan["vms"]} == names
    assert plan["query"] == query


async def test_placement_patched_before_the_start_is_where_the_pods_go(assistant: Assistant, demo: Sandbox) -> None:
    """ "Pin a plan's convertors to NVMe nodes after creating it": patch (dry run, then apply), start."""
    await assistant.ok(
        "create_plan",
        name="late-pin",
        source="vsphere-prod",
        vms="web-frontend-02,pg-witness-01",
        target_namespace=TARGET,
        dry_run=False,
    )
    preview = await assistant.ok("patch_plan", name="late-pin", convertor_node_selector="storage=nvme")
    assert preview["status"] == "dry-run"
    assert preview["changed_fields"] == ["convertorNodeSelector"]
    assert "convertorNodeSelector" not in demo.store.get("plans", NS, "late-pin")["spec"]
    patched = await assistant.ok("patch_plan", name="late-pin", convertor_node_selector="storage=nvme", dry_run=False)
    assert patched["status"] == "patched"
    await assistant.start("late-pin")

    labels = node_labels(demo)
    placed = convertor_nodes(demo, "late-pin")
    assert len(placed) == 2
    assert all(node is not None and labels[node]["storage"] == "nvme" for node in placed.values())
    refused = await assistant.refused("patch_plan", name="late-pin", convertor_node_selector="", dry_run=False)
    assert "running" in refused  # a running plan keeps its placement
