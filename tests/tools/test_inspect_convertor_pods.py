"""inspect_convertor_pods through a real MCP client against the sandbox: the static demo migration,
and fresh migrations run by the sandbox's migration controller on its clock.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import pytest
from kubernetes import client, config
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.core.convertor.progress import STAGE_ORDER, Stage
from mtv_mcp.sandbox.controller.controller import (
    FAIL_ANNOTATION,
    OFF_RULE_ANNOTATION,
    ControllerOptions,
    migration_controller,
)
from mtv_mcp.sandbox.controller.facts import VmFacts
from mtv_mcp.sandbox.runner import DATA_ROOT, Sandbox
from mtv_mcp.server.app import create_server
from tests.pipeline_clock import until_pods

pytestmark = pytest.mark.anyio
GROUP, VERSION, NS = "forklift.konveyor.io", "v1beta1", "openshift-mtv"
GI = 1024**3
FACTS = {
    "vm-2050": VmFacts("web-frontend-01", (("d0", 4 * GI),)),
    "vm-2041": VmFacts("pg-prod-01", (("d0", 4 * GI), ("d1", 8 * GI))),
    "vm-2061": VmFacts("win-sql-01", (("d0", 8 * GI),), windows=True),
}


@pytest.fixture(scope="module")
def demo_cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo data set's Kubernetes objects and logs (the tool never reads the inventory)."""
    folder = tmp_path_factory.mktemp("demo-cluster")
    for part in ("kube", "logs"):
        (folder / part).symlink_to(DATA_ROOT / "demo" / part, target_is_directory=True)
    return folder


@pytest.fixture(scope="module")
def demo(sandbox_crds: Path | None, demo_cluster: Path) -> Iterator[Sandbox]:
    """The demo data as loaded (migration wave1-x8k2p with its three pods); tests must not write."""
    with Sandbox.start(data=demo_cluster, crds=sandbox_crds) as sandbox:
        yield sandbox


@pytest.fixture
def live(sandbox_crds: Path | None, demo_cluster: Path) -> Iterator[Sandbox]:
    """A fresh demo sandbox whose migration controller turns new Migrations into pods."""
    plugin = migration_controller(ControllerOptions(vm_facts=FACTS))
    with Sandbox.start(data=demo_cluster, crds=sandbox_crds, plugins=[plugin]) as sandbox:
        yield sandbox


@asynccontextmanager
async def connected(sandbox: Sandbox, token: str | None = None) -> AsyncIterator[Client]:
    path = sandbox.kubeconfig_path
    if token is not None:
        path = sandbox.write_kubeconfig(path.with_name(f"kubeconfig-{token}"), token)
    async with Client(create_server(Settings(kubeconfig=path, request_timeout=2))) as c:
        yield c


async def inspect(sandbox: Sandbox, token: str | None = None, **arguments: Any) -> Any:
    async with connected(sandbox, token) as c:
        return await c.call_tool("inspect_convertor_pods", {"plan": "wave1", **arguments})


def by_vm(result: Any) -> dict[str, dict[str, Any]]:
    return {pod["vm_name"]: pod for pod in result.structured_content["pods"]}


def custom(sandbox: Sandbox) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(config.new_client_from_config(str(sandbox.kubeconfig_path)))


def start_migration(sandbox: Sandbox, annotations: dict[str, str], vm: str | None = None) -> str:
    """Start wave1 and wait (sandbox clock) until ``vm``'s convertor pod exists (None: every VM's)."""
    api = custom(sandbox)
    api.patch_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave1", {"metadata": {"annotations": annotations}})
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Migration",
        "metadata": {"generateName": "wave1-", "namespace": NS},
        "spec": {"plan": {"name": "wave1", "namespace": NS}},
    }
    created = cast(dict[str, Any], api.create_namespaced_custom_object(GROUP, VERSION, NS, "migrations", body))
    selector = f"migration={created['metadata']['uid']}"
    until_pods(sandbox, f"{selector},vmID={vm}" if vm else selector, 1 if vm else len(FACTS))
    return str(created["metadata"]["name"])


# -- the demo migration as loaded ------------------------------------------------------------------


async def test_demo_migration_summary_comes_first(demo: Sandbox) -> None:
    result = await inspect(demo)
    assert not result.is_error
    data = result.structured_content
    assert data["migration"] == "wave1-x8k2p"
    assert data["summary"]["phases"] == {"Succeeded": 1, "Running": 1, "Pending": 1}
    assert data["summary"]["off_rule"] == []
    text = result.content[0].text
    first, second = text.splitlines()[:2]
    assert first.startswith("plan wave1 (openshift-mtv) → app-migrated, source vsphere; migration wave1-x8k2p")
    assert second.startswith("pods: 3 (Pending 1, Running 1, Succeeded 1); off-rule: none")
    assert text.index("pending:") < text.index("pods:\n") < text.index("recommendations:")


async def test_running_pod_progress_placement_and_resources(demo: Sandbox) -> None:
    running = by_vm(await inspect(demo))["pg-prod-01"]
    assert (running["phase"], running["node"], running["vm_id"]) == ("Running", "worker-3", "vm-2041")
    assert running["place"]["zone"] == "us-east-1a"
    assert running["requests"]["devices.kubevirt.io/kvm"] == "1"
    assert running["limits"]["memory"] == "8Gi"
    assert running["container"]["state"] == "running"
    log = running["log"]
    assert (log["stage"], log["stage_label"], log["percent"]) == ("disk-copy", "Copying disk 2 of 2", 42)
    assert log["excerpt"][-1] == "virt-v2v monitoring: Progress update, completed 42 %"
    assert len(log["excerpt"]) == 5  # the default log_lines
    rules = running["rules"]
    assert rules["satisfied"] is True
    assert rules["selector_missing"] == []
    assert rules["labels_missing"] == []


async def test_pending_pod_is_decoded_confirmed_and_fixed(demo: Sandbox) -> None:
    result = await inspect(demo)
    pending = by_vm(result)["win-sql-01"]
    assert pending["phase"] == "Pending"
    assert pending["node"] is None
    assert pending["log"] is None
    diagnosis = pending["pending"]
    assert diagnosis["source"] == "event"
    assert diagnosis["event"]["count"] == 7
    assert diagnosis["fits_now"] == []
    nodes_by_kind = {r["reason"]["kind"]: r["nodes"] for r in diagnosis["reasons"]}
    assert nodes_by_kind["insufficient-memory"] == ["worker-3"]
    assert nodes_by_kind["pod-anti-affinity"] == ["worker-4"]
    taints = {
        r["reason"]["taint_key"]: r["nodes"] for r in diagnosis["reasons"] if r["reason"]["kind"] == "untolerated-taint"
    }
    assert taints["dedicated"] == ["mig-0"]
    assert sorted(taints["node-role.kubernetes.io/master"]) == ["master-0", "master-1", "master-2"]
    assert sorted(nodes_by_kind["node-affinity"]) == ["worker-0", "worker-1", "worker-2"]
    fixes = [r["reason"]["fix"] for r in diagnosis["reasons"]]
    assert any("AVOID → REPEL" in fix for fix in fixes)
    assert any("dedicated=migration:NoSchedule" in fix for fix in fixes)
    assert diagnosis["message"] is None  # the event's message is the one decoded
    causes = {
        c["detail"].split(";")[0]: c["nodes"] for c in diagnosis["node_causes"] if c["kind"] == "untolerated-taint"
    }
    assert causes == {
        "taint node-role.kubernetes.io/master=:NoSchedule": ["master-0", "master-1", "master-2"],
        "taint dedicated=migration:NoSchedule": ["mig-0"],
    }
    summary = result.structured_content["summary"]["pending"]
    assert summary[0].startswith(f"{pending['name']}: 1 Insufficient memory")
    assert any("AVOID → REPEL" in r for r in result.structured_content["recommendations"])


async def test_succeeded_pod_and_node_pressure(demo: Sandbox) -> None:
    result = await inspect(demo)
    done = by_vm(result)["web-frontend-01"]
    assert done["phase"] == "Succeeded"
    assert done["container"]["exit_code"] == 0
    assert done["log"]["completed"] is True
    assert done["log"]["stage"] == "finish"
    (worker3,) = result.structured_content["nodes"]
    assert worker3["node"] == "worker-3"
    memory = next(r for r in worker3["resources"] if r["resource"] == "memory")
    assert memory["allocatable"] == "60Gi"
    assert memory["percent"] >= 98
    assert any("node worker-3" in r and "memory" in r for r in result.structured_content["recommendations"])


async def test_one_vm_by_name_and_log_lines(demo: Sandbox) -> None:
    result = await inspect(demo, vm="pg-prod-01", log_lines=2)
    (pod,) = result.structured_content["pods"]
    assert pod["vm_id"] == "vm-2041"
    assert len(pod["log"]["excerpt"]) == 2
    assert pod["log"]["stage"] == "disk-copy"


async def test_viewer_without_log_access_still_gets_the_rest(demo: Sandbox) -> None:
    demo.identities.viewer_can_read_logs = False
    try:
        result = await inspect(demo, token=demo.viewer_token)
    finally:
        demo.identities.viewer_can_read_logs = True
    assert not result.is_error
    running = by_vm(result)["pg-prod-01"]
    assert "(403)" in running["log"]["problem"]
    assert running["rules"]["satisfied"] is True
    assert any(note.startswith("logs unreadable") and "pods/log" in note for note in result.structured_content["notes"])


# -- clear answers for everything else -------------------------------------------------------------


async def test_missing_plan(demo: Sandbox) -> None:
    result = await inspect(demo, plan="wave9")
    assert result.is_error
    assert "plan 'wave9' not found in namespace openshift-mtv" in result.content[0].text


async def test_unknown_vm_and_migration(demo: Sandbox) -> None:
    result = await inspect(demo, vm="nope")
    assert result.is_error
    assert "vm: plan 'wave1' has no VM 'nope'" in result.content[0].text
    assert "pg-prod-01 (vm-2041)" in result.content[0].text
    result = await inspect(demo, migration="wave1-zzzzz")
    assert result.is_error
    assert "it has: wave1-x8k2p" in result.content[0].text


async def test_plan_without_migration_previews_its_rules(demo: Sandbox) -> None:
    result = await inspect(demo, plan="wave2-db")
    assert not result.is_error
    data = result.structured_content
    assert data["migration"] is None
    assert data["pods"] == []
    assert "has no Migration yet" in data["notes"][0]
    preview = data["preview"]
    assert preview["would_stay_pending"] is False
    assert {c["node"] for c in preview["candidates"]} >= {"worker-0", "worker-1", "worker-2"}
    assert "placement preview in app-migrated" in result.content[0].text


async def test_plan_from_a_provider_without_convertors(live: Sandbox) -> None:
    api = custom(live)
    plan = cast(dict[str, Any], api.get_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave2-db"))
    body = {
        "apiVersion": plan["apiVersion"],
        "kind": "Plan",
        "metadata": {"name": "legacy", "namespace": NS},
        "spec": copy.deepcopy(plan["spec"]),
    }
    body["spec"]["provider"]["source"]["name"] = "ovirt-legacy"
    api.create_namespaced_custom_object(GROUP, VERSION, NS, "plans", body)
    result = await inspect(live, plan="legacy")
    assert not result.is_error
    data = result.structured_content
    assert data["provider_type"] == "ovirt"
    assert data["pods"] == []
    assert "runs no virt-v2v convertor pods" in data["notes"][0]


# -- migrations run by the sandbox controller -------------------------------------------------------


async def test_off_rule_pod_and_stages_follow_the_clock(live: Sandbox) -> None:
    name = start_migration(live, {OFF_RULE_ANNOTATION: "vm-2050=worker-0"}, vm="vm-2050")
    seen: list[tuple[int, float]] = []
    for seconds in (20, 40, 33, 15, 120):
        live.clock.advance(seconds=seconds)
        pod = by_vm(await inspect(live, migration=name, vm="vm-2050"))["web-frontend-01"]
        log = pod["log"]
        seen.append((STAGE_ORDER.index(Stage(log["stage"])), log["percent"] or 0.0))
    assert seen == sorted(seen)
    assert seen[0][0] == STAGE_ORDER.index(Stage.INSPECT)
    assert seen[1][0] == STAGE_ORDER.index(Stage.CONVERT)
    assert seen[2][0] == STAGE_ORDER.index(Stage.DISK_COPY)
    assert 0 < seen[2][1] < 100
    assert pod["phase"] == "Succeeded"
    assert pod["log"]["completed"] is True
    assert pod["node"] == "worker-0"
    assert pod["off_rule"] is True
    assert pod["rules"]["selector_missing"] == ["storage=nvme", "network.example.com/vmware-migration=true"]
    assert any(f.startswith("off-rule on worker-0") for f in pod["findings"])


async def test_off_rule_oom_and_pending_in_one_migration(live: Sandbox) -> None:
    name = start_migration(live, {OFF_RULE_ANNOTATION: "vm-2041=worker-1", FAIL_ANNOTATION: "vm-2041=oom"})
    live.clock.advance(minutes=3)
    result = await inspect(live, migration=name)
    data = result.structured_content
    assert data["migration"] == name
    pods = by_vm(result)
    oom = pods["pg-prod-01"]
    assert oom["phase"] == "Failed"
    assert oom["container"]["oom_killed"] is True
    assert oom["container"]["exit_code"] == 137
    assert oom["findings"][0] == "virt-v2v was OOMKilled (memory limit 12Gi)"  # the demo ForkliftController
    violations = " ".join(oom["rules"]["violations"])
    assert "node affinity/selector" in violations
    assert "anti-affinity" in violations
    assert pods["win-sql-01"]["phase"] == "Pending"
    assert pods["win-sql-01"]["pending"]["reasons"]
    assert data["summary"]["off_rule"] == [oom["name"]]
    assert any("virt_v2v_container_limits_memory" in r for r in data["recommendations"])
    assert "! virt-v2v was OOMKilled" in result.content[0].text


async def test_namespace_scoped_tenant_inspects_a_migration_into_its_namespace(live: Sandbox) -> None:
    """The tenant sees Forklift objects and pods in openshift-mtv only: no nodes, no other namespaces."""
    patch = {"spec": {"targetNamespace": NS}}
    custom(live).patch_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave1", patch)
    name = start_migration(live, {})
    live.clock.advance(minutes=1)
    result = await inspect(live, live.tenant_token, migration=name)
    assert not result.is_error, result.content[0].text
    pods = by_vm(result)
    assert set(pods) == {"web-frontend-01", "pg-prod-01", "win-sql-01"}
    assert any(note.startswith("nodes are not visible to this user") for note in result.structured_content["notes"])


async def test_error_pattern_in_the_log_is_a_root_cause(live: Sandbox) -> None:
    name = start_migration(live, {OFF_RULE_ANNOTATION: "vm-2050=worker-3", FAIL_ANNOTATION: "vm-2050=inspection"})
    live.clock.advance(minutes=1)
    pod = by_vm(await inspect(live, migration=name, vm="web-frontend-01"))["web-frontend-01"]
    assert pod["phase"] == "Failed"
    first = pod["log"]["errors"][0]
    assert (first["code"], first["root_cause"]) == ("inspection-failed", True)
    assert pod["findings"][0].startswith("virt-v2v exited with code 1")
    assert any(f.startswith("log: virt-v2v found no operating system") for f in pod["findings"])


def _deep_inspection_pod(plan_uid: str, vm_id: str) -> Any:  # a V1Pod body as a dict (the client takes both)
    """A deep-inspection pod as Forklift makes it: in the Plan's namespace, no ``migration`` label."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "generateName": f"wave1-{vm_id}-deep-inspection-",
            "namespace": NS,
            "labels": {
                "forklift.app": "deep-inspection",
                "plan": plan_uid,
                "vmID": vm_id,
                "conversion-type": "DeepInspection",
            },
        },
        "spec": {"containers": [{"name": "deep-inspection", "image": "quay.io/kubev2v/deep-inspection:latest"}]},
    }


async def test_deep_inspection_pods_in_the_plan_namespace_are_found(live: Sandbox) -> None:
    core = client.CoreV1Api(config.new_client_from_config(str(live.kubeconfig_path)))
    plan = client.CustomObjectsApi(core.api_client).get_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave1")
    mine = core.create_namespaced_pod(NS, _deep_inspection_pod(plan["metadata"]["uid"], "vm-2050"))
    core.create_namespaced_pod(NS, _deep_inspection_pod("another-plan-uid", "vm-2050"))
    result = await inspect(live)
    deep = [p for p in result.structured_content["pods"] if p["kind"] == "deep-inspection"]
    assert [(p["name"], p["vm_id"]) for p in deep] == [(mine.metadata.name, "vm-2050")]
    assert len(result.structured_content["pods"]) == 4
    only_pg = await inspect(live, vm="pg-prod-01")
    assert all(p["kind"] != "deep-inspection" for p in only_pg.structured_content["pods"])


async def test_preview_models_the_pod_the_controller_then_creates(live: Sandbox) -> None:
    previewed = (await inspect(live, plan="wave2-db")).structured_content["preview"]["pod"]
    assert previewed["source"] == "ForkliftController openshift-mtv/forklift-controller"
    assert previewed["provider_type"] == "vsphere"
    name = start_migration(live, {})
    result = await inspect(live, migration=name)
    for pod in result.structured_content["pods"]:
        assert pod["requests"] == previewed["requests"], pod["name"]
        assert pod["limits"] == previewed["limits"], pod["name"]


async def test_the_demo_inspection_fits_the_context_budget(demo: Sandbox) -> None:
    """wave1 with a Pending pod on a nine-node cluster: text plus structured at most 16,000 bytes."""
    result = await inspect(demo)
    text = "\n".join(block.text for block in result.content if block.type == "text")
    structured = json.dumps(result.structured_content, separators=(",", ":"), ensure_ascii=False)
    assert len(text.encode()) + len(structured.encode()) <= 16_000
    causes = by_vm(result)["win-sql-01"]["pending"]["node_causes"]
    explained = [(cause["kind"], cause["detail"]) for cause in causes]
    assert len(explained) == len(set(explained))  # each reason once, with its nodes
