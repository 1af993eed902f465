"""The sandbox migration controller, driven over the real Kubernetes API of a running sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from kubernetes import client, config

from mtv_mcp.core.convertor.pod_template import convertor_selector
from mtv_mcp.core.convertor.progress import Stage, parse_v2v_log
from mtv_mcp.core.convertor.scheduling import decode_failed_scheduling
from mtv_mcp.core.placement import ReasonKind, evaluate_placement
from mtv_mcp.sandbox.controller.controller import (
    FAIL_ANNOTATION,
    OFF_RULE_ANNOTATION,
    ControllerOptions,
    migration_controller,
)
from mtv_mcp.sandbox.controller.facts import VmFacts
from mtv_mcp.sandbox.controller.v2v_log import conversion_script
from mtv_mcp.sandbox.runner import Sandbox

DATA = Path(__file__).parent / "data"
GI = 1024**3
MIB = 1024**2
# The timeline of ``timing.py`` for FACTS (the test data has no StorageClass object, so the default
# binding: 5 s for the first claim, 2.5 s for each further one, 0.02 s per GiB, rounded up):
# Initialize 6 s for every VM; DiskAllocation web 5 + 1.2 → 7 s, pg 5 + 2.5 + 12 → 20 s,
# win 5 + 5 + 29.48 → 40 s; so the pods are created 13 s, 26 s and 46 s after the start.
# VirtualMachineCreation: 4 s + 1 s per disk after the pod succeeded.
POD_AT = {"vm-2050": 13, "vm-2041": 26, "vm-2061": 46}
PLAN_UID = "7c1d4e2a-0b8f-4c55-9a71-2f6f3c9d1e01"
GROUP, VERSION, NS = "forklift.konveyor.io", "v1beta1", "openshift-mtv"
FACTS = {
    "vm-2050": VmFacts(
        "web-frontend-01",
        (("[ds-sas-01] web-frontend-01/web-frontend-01.vmdk", 60 * GI),),
        os_label="Red Hat Enterprise Linux 8.9 (Ootpa)",
    ),
    "vm-2041": VmFacts(
        "pg-prod-01",
        (
            ("[ds-nvme-01] pg-prod-01/pg-prod-01.vmdk", 100 * GI),
            ("[ds-nvme-01] pg-prod-01/pg-prod-01_1.vmdk", 500 * GI),
        ),
        uefi=True,
    ),
    "vm-2061": VmFacts(
        "win-sql-01",
        (("d0", 200 * GI), ("d1", 1024 * GI), ("d2", 250 * GI)),
        uefi=True,
        windows=True,
        os_label="Microsoft Windows Server 2022 Datacenter",
    ),
}


@pytest.fixture
def sandbox(sandbox_crds: Path | None) -> Iterator[Sandbox]:
    plugin = migration_controller(ControllerOptions(vm_facts=FACTS))
    with Sandbox.start(
        data=DATA, crds=sandbox_crds, frozen_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC), plugins=[plugin]
    ) as sb:
        yield sb


@pytest.fixture
def api(sandbox: Sandbox) -> client.ApiClient:
    return config.new_client_from_config(str(sandbox.kubeconfig_path))


def _annotate(api: client.ApiClient, annotations: dict[str, str]) -> None:
    client.CustomObjectsApi(api).patch_namespaced_custom_object(
        GROUP, VERSION, NS, "plans", "wave1", {"metadata": {"annotations": annotations}}
    )


def _start(api: client.ApiClient) -> dict[str, Any]:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Migration",
        "metadata": {"generateName": "wave1-", "namespace": NS},
        "spec": {"plan": {"name": "wave1", "namespace": NS}},
    }
    return cast(
        dict[str, Any],
        client.CustomObjectsApi(api).create_namespaced_custom_object(GROUP, VERSION, NS, "migrations", body),
    )


def _start_pods(sandbox: Sandbox, api: client.ApiClient) -> dict[str, Any]:
    """Start the migration and let Initialize and DiskAllocation run until every convertor pod exists."""
    migration = _start(api)
    sandbox.clock.advance(seconds=max(POD_AT.values()))
    return migration


def _pods(api: client.ApiClient, migration: dict[str, Any]) -> dict[str, Any]:
    selector = convertor_selector(PLAN_UID, migration["metadata"]["uid"])
    pods = client.CoreV1Api(api).list_namespaced_pod("app-migrated", label_selector=selector).items
    return {pod.metadata.labels["vmID"]: pod for pod in pods}


def _events(api: client.ApiClient, pod: Any) -> list[Any]:
    return (
        client.CoreV1Api(api)
        .list_namespaced_event("app-migrated", field_selector=f"involvedObject.name={pod.metadata.name}")
        .items
    )


def _migration(api: client.ApiClient, migration: dict[str, Any]) -> dict[str, Any]:
    return cast(
        dict[str, Any],
        client.CustomObjectsApi(api).get_namespaced_custom_object(
            GROUP, VERSION, NS, "migrations", migration["metadata"]["name"]
        ),
    )


def _vm(status: dict[str, Any], vm_id: str) -> dict[str, Any]:
    return next(vm for vm in status["status"]["vms"] if vm["id"] == vm_id)


def test_demo_plan_gives_running_pending_and_later_succeeded_pods(sandbox: Sandbox, api: client.ApiClient) -> None:
    migration = _start_pods(sandbox, api)
    pods = _pods(api, migration)
    assert sorted(pods) == ["vm-2041", "vm-2050", "vm-2061"]
    web, pg, win = pods["vm-2050"], pods["vm-2041"], pods["vm-2061"]
    assert (web.status.phase, web.spec.node_name) == ("Running", "worker-3")
    assert web.metadata.name.startswith("wave1-vm-2050-")
    assert web.metadata.labels["team"] == "migration"
    assert [c.image for c in web.spec.init_containers] == ["registry.example.com/mtv/vddk:8.0.3"]
    assert web.status.init_container_statuses[0].state.terminated.reason == "Completed"
    assert (win.status.phase, win.spec.node_name) == ("Pending", None)
    [failed] = [e for e in _events(api, win) if e.reason == "FailedScheduling"]
    assert failed.type == "Warning"
    diagnosis = decode_failed_scheduling(failed.message)
    assert diagnosis.total_nodes == 9
    kinds = {r.kind for r in diagnosis.reasons}
    assert {
        ReasonKind.INSUFFICIENT_MEMORY,
        ReasonKind.POD_ANTI_AFFINITY,
        ReasonKind.TAINT,
        ReasonKind.NODE_AFFINITY,
    } <= kinds
    assert pg.status.phase == "Pending"
    assert win.status.conditions[0].reason == "Unschedulable"

    sandbox.clock.advance(minutes=4, seconds=30)
    pods = _pods(api, migration)
    assert pods["vm-2050"].status.phase == "Succeeded"
    [state] = pods["vm-2050"].status.container_statuses
    assert (state.state.terminated.exit_code, state.state.terminated.reason) == (0, "Completed")
    assert (pods["vm-2041"].status.phase, pods["vm-2041"].spec.node_name) == ("Running", "worker-3")
    assert pods["vm-2061"].status.phase == "Pending"

    log = client.CoreV1Api(api).read_namespaced_pod_log(
        pods["vm-2050"].metadata.name, "app-migrated", container="virt-v2v"
    )
    done = parse_v2v_log(log, disk_sizes=[60 * GI])
    assert done.completed
    assert done.throughput is not None
    status = _migration(api, migration)
    assert _vm(status, "vm-2050")["phase"] == "Completed"
    assert _vm(status, "vm-2041")["phase"] in ("ConvertGuest", "CopyDisksVirtV2V")
    assert [c["type"] for c in status["status"]["conditions"]] == ["Running"]


def test_progress_in_logs_matches_migration_status(sandbox: Sandbox, api: client.ApiClient) -> None:
    migration = _start(api)
    sandbox.clock.advance(minutes=15)
    pg = _pods(api, migration)["vm-2041"]
    log = client.CoreV1Api(api).read_namespaced_pod_log(pg.metadata.name, "app-migrated", container="virt-v2v")
    sizes = [100 * GI, 500 * GI]
    progress = parse_v2v_log(log, disk_sizes=sizes)
    assert progress.stage is Stage.DISK_COPY
    assert progress.disk_count == 2
    vm = _vm(_migration(api, migration), "vm-2041")
    assert vm["phase"] == "CopyDisksVirtV2V"
    transfer = next(step for step in vm["pipeline"] if step["name"] == "DiskTransferV2v")
    assert transfer["phase"] == "Running"
    assert transfer["progress"]["total"] == 600 * 1024
    # The product rounds its percentage to two decimals; the sandbox counts bytes.
    expected = sum(sizes) * progress.overall_percent(sizes) / 100 / 2**20
    assert transfer["progress"]["completed"] == pytest.approx(expected, rel=1e-3)
    assert [t["name"] for t in transfer["tasks"]] == [name for name, _ in FACTS["vm-2041"].disks]


def test_pending_timeout_and_the_end_of_the_migration(sandbox: Sandbox, api: client.ApiClient) -> None:
    migration = _start(api)
    sandbox.clock.advance(minutes=6)
    win = _vm(_migration(api, migration), "vm-2061")
    assert win["phase"] == "Completed"
    assert win["error"]["reasons"][0].startswith("conversion pod wave1-vm-2061-")
    assert "stuck in Pending for 5m0s (reason: Unschedulable: 0/9 nodes are available" in win["error"]["reasons"][0]
    sandbox.clock.advance(minutes=40)
    pods = _pods(api, migration)
    assert pods["vm-2041"].status.phase == "Succeeded"
    status = _migration(api, migration)
    assert [c["type"] for c in status["status"]["conditions"]] == ["Failed"]
    assert status["status"]["completed"]
    plan = client.CustomObjectsApi(api).get_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave1")
    types = {c["type"] for c in plan["status"]["conditions"]}
    assert "Failed" in types
    assert "Executing" not in types
    assert plan["status"]["migration"]["history"][0]["migration"]["uid"] == migration["metadata"]["uid"]


def test_one_big_step_equals_many_small_ones(sandbox_crds: Path | None) -> None:
    def run(steps: int) -> list[tuple[str, str, str | None, str]]:
        with Sandbox.start(
            data=DATA,
            crds=sandbox_crds,
            frozen_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
            plugins=[migration_controller(ControllerOptions(vm_facts=FACTS))],
        ) as sb:
            own = config.new_client_from_config(str(sb.kubeconfig_path))
            migration = _start(own)
            for _ in range(steps):
                sb.clock.advance(minutes=20 / steps)
            pods = _pods(own, migration)
            core = client.CoreV1Api(own)
            return [
                (
                    vm,
                    p.status.phase,
                    p.spec.node_name,
                    core.read_namespaced_pod_log(p.metadata.name, "app-migrated") if p.spec.node_name else "",
                )
                for vm, p in sorted(pods.items())
            ]

    assert run(1) == run(37)


def test_oom_hook_kills_the_convertor(sandbox: Sandbox, api: client.ApiClient) -> None:
    _annotate(api, {FAIL_ANNOTATION: "vm-2050=oom"})
    migration = _start(api)
    sandbox.clock.advance(minutes=4)
    web = _pods(api, migration)["vm-2050"]
    assert web.status.phase == "Failed"
    [state] = web.status.container_statuses
    assert (state.state.terminated.reason, state.state.terminated.exit_code) == ("OOMKilled", 137)
    assert any(e.reason == "OOMKilling" for e in _events(api, web))
    vm = _vm(_migration(api, migration), "vm-2050")
    assert "OOMKilled" in vm["error"]["reasons"][0]


def test_disk_full_hook_reports_the_root_cause(sandbox: Sandbox, api: client.ApiClient) -> None:
    _annotate(api, {FAIL_ANNOTATION: "vm-2050=disk-full"})
    migration = _start(api)
    sandbox.clock.advance(minutes=4)
    web = _pods(api, migration)["vm-2050"]
    assert web.status.phase == "Failed"
    log = client.CoreV1Api(api).read_namespaced_pod_log(web.metadata.name, "app-migrated")
    assert parse_v2v_log(log).errors[0].code == "disk-full"


def test_off_rule_hook_binds_where_the_rules_forbid(sandbox: Sandbox, api: client.ApiClient) -> None:
    _annotate(api, {OFF_RULE_ANNOTATION: "vm-2041=worker-0"})
    migration = _start_pods(sandbox, api)
    pods = _pods(api, migration)
    assert (pods["vm-2041"].status.phase, pods["vm-2041"].spec.node_name) == ("Running", "worker-0")
    assert pods["vm-2041"].spec.node_selector["storage"] == "nvme"


def test_bad_hook_annotation_is_reported_on_the_migration(sandbox: Sandbox, api: client.ApiClient) -> None:
    _annotate(api, {FAIL_ANNOTATION: "vm-2050=explode"})
    migration = _start(api)
    [condition] = _migration(api, migration)["status"]["conditions"]
    assert (condition["type"], condition["status"], condition["reason"]) == ("Ready", "False", "NotValid")
    assert "explode" in condition["message"]
    assert _pods(api, migration) == {}


def test_product_prediction_agrees_with_the_pods_the_controller_scheduled(
    sandbox: Sandbox, api: client.ApiClient
) -> None:
    migration = _start_pods(sandbox, api)
    core = client.CoreV1Api(api)
    raw = [api.sanitize_for_serialization(p) for p in core.list_pod_for_all_namespaces().items]
    nodes = [api.sanitize_for_serialization(n) for n in core.list_node().items]
    namespaces = [api.sanitize_for_serialization(n) for n in core.list_namespace().items]
    for vm, pod in _pods(api, migration).items():
        body = next(p for p in raw if p["metadata"]["uid"] == pod.metadata.uid)
        unbound = {**body, "spec": {k: v for k, v in body["spec"].items() if k != "nodeName"}}
        others = [p for p in raw if p["metadata"]["uid"] != pod.metadata.uid]
        fitting = [v.node for v in evaluate_placement(unbound, nodes, others, namespaces).fitting()]
        if pod.spec.node_name:
            assert pod.spec.node_name in fitting, vm
        else:
            assert fitting == [], vm
            [failed] = [e for e in _events(api, pod) if e.reason == "FailedScheduling"]
            assert "untolerated taint(s)" in failed.message
            assert "no new claims to deallocate, preemption: 0/9 nodes are available" in failed.message
            taints = [r for r in decode_failed_scheduling(failed.message, nodes=nodes).reasons if r.taint_key]
            assert {(r.taint_key, r.expected) for r in taints} == {
                ("node-role.kubernetes.io/master", True),
                ("dedicated", False),
            }


def test_cancel_stops_a_pending_pod_marks_its_conversion_and_lets_the_others_run(
    sandbox: Sandbox, api: client.ApiClient
) -> None:
    migration = _start_pods(sandbox, api)
    assert _pods(api, migration)["vm-2041"].status.phase == "Pending"
    secrets = client.CoreV1Api(api).list_namespaced_secret("app-migrated", label_selector="vmID=vm-2041").items
    assert len(secrets) == 1
    client.CustomObjectsApi(api).patch_namespaced_custom_object(
        GROUP, VERSION, NS, "migrations", migration["metadata"]["name"], {"spec": {"cancel": [{"id": "vm-2041"}]}}
    )
    assert "vm-2041" not in _pods(api, migration)
    assert client.CoreV1Api(api).list_namespaced_secret("app-migrated", label_selector="vmID=vm-2041").items == []
    [conversion] = sandbox.store.list("conversions", NS, label_selector="vmID=vm-2041")
    assert (conversion["status"]["phase"], conversion["status"]["stage"]) == ("Canceled", "Finished")
    pg = _vm(_migration(api, migration), "vm-2041")
    assert pg["phase"] == "Completed"
    assert [(c["type"], c["status"], c["message"]) for c in pg["conditions"]] == [
        ("Canceled", "True", "The migration has been canceled.")
    ]
    sandbox.clock.advance(minutes=180)
    status = _migration(api, migration)["status"]
    outcomes = {vm["id"]: [c["type"] for c in vm["conditions"]] for vm in status["vms"]}
    assert outcomes["vm-2050"] == ["Succeeded"]
    assert outcomes["vm-2041"] == ["Canceled"]
    ended = {c["type"] for c in status["conditions"] if c["status"] == "True"}
    assert ended == ({"Failed"} if outcomes["vm-2061"] == ["Failed"] else {"Succeeded"})


def test_vms_canceled_before_the_start_get_no_pod_and_all_canceled_ends_canceled(api: client.ApiClient) -> None:
    body = {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Migration",
        "metadata": {"generateName": "wave1-", "namespace": NS},
        "spec": {
            "plan": {"name": "wave1", "namespace": NS},
            "cancel": [{"id": vm} for vm in ("vm-2050", "vm-2041", "vm-2061")],
        },
    }
    migration = cast(
        dict[str, Any],
        client.CustomObjectsApi(api).create_namespaced_custom_object(GROUP, VERSION, NS, "migrations", body),
    )
    assert _pods(api, migration) == {}
    status = _migration(api, migration)["status"]
    assert {vm["conditions"][0]["type"] for vm in status["vms"]} == {"Canceled"}
    [ended] = [c for c in status["conditions"] if c["status"] == "True" and c["type"] != "Running"]
    assert (ended["type"], ended["message"]) == ("Canceled", "The migration has been CANCELED.")
    plan = client.CustomObjectsApi(api).get_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave1")
    assert "Canceled" in {c["type"] for c in plan["status"]["conditions"] if c["status"] == "True"}


def test_older_scheduler_wording_on_request(sandbox_crds: Path | None) -> None:
    options = ControllerOptions(vm_facts=FACTS, scheduler_wording="legacy")
    with Sandbox.start(
        data=DATA,
        crds=sandbox_crds,
        frozen_at=datetime(2026, 3, 1, 9, 0, tzinfo=UTC),
        plugins=[migration_controller(options)],
    ) as sb:
        own = config.new_client_from_config(str(sb.kubeconfig_path))
        win = _pods(own, _start_pods(sb, own))["vm-2061"]
        [failed] = [e for e in _events(own, win) if e.reason == "FailedScheduling"]
    assert "1 node(s) had untolerated taint {dedicated: migration}" in failed.message
    assert "no new claims to deallocate" not in failed.message
    assert failed.message.endswith("Preemption is not helpful for scheduling.")


def _steps(status: dict[str, Any], vm_id: str) -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in _vm(status, vm_id)["pipeline"]}


def _seconds(step: dict[str, Any]) -> float:
    started, completed = (datetime.fromisoformat(step[k].replace("Z", "+00:00")) for k in ("started", "completed"))
    return (completed - started).total_seconds()


def test_initialize_allocation_and_vm_creation_take_their_time(sandbox: Sandbox, api: client.ApiClient) -> None:
    """Forklift's cold itinerary: the pod comes after Initialize and DiskAllocation, the VM succeeds
    after VirtualMachineCreation (numbers at POD_AT)."""
    migration = _start(api)
    core = client.CoreV1Api(api)
    assert _pods(api, migration) == {}
    web = _vm(_migration(api, migration), "vm-2050")
    assert web["phase"] == "Started"
    assert [s["phase"] for s in web["pipeline"]] == ["Running", "Pending", "Pending", "Pending", "Pending"]
    claims = core.list_namespaced_persistent_volume_claim("app-migrated", label_selector="vmID=vm-2041").items
    assert [c.status.phase for c in claims] == ["Pending", "Pending"]

    sandbox.clock.advance(seconds=6)
    assert _vm(_migration(api, migration), "vm-2050")["phase"] == "AllocateDisks"
    sandbox.clock.advance(seconds=6)
    assert _pods(api, migration) == {}
    sandbox.clock.advance(seconds=1)
    assert sorted(_pods(api, migration)) == ["vm-2050"]
    sandbox.clock.advance(seconds=33)
    pods = _pods(api, migration)
    assert sorted(pods) == ["vm-2041", "vm-2050", "vm-2061"]
    for vm_id, pod in pods.items():
        assert pod.metadata.creation_timestamp == datetime(2026, 3, 1, 9, 0, POD_AT[vm_id], tzinfo=UTC)
    claims = core.list_namespaced_persistent_volume_claim("app-migrated", label_selector="vmID=vm-2041").items
    assert [c.status.phase for c in claims] == ["Bound", "Bound"]
    status = _migration(api, migration)
    for vm_id, pod_at in POD_AT.items():
        steps = _steps(status, vm_id)
        assert _seconds(steps["Initialize"]) == 6
        assert _seconds(steps["DiskAllocation"]) == pod_at - 6

    # web's virt-v2v run: 60 GiB at the default 400 MiB/s after 88.7 s of inspection and conversion.
    copy_seconds = 60 * 1024 / 400
    script_end = POD_AT["vm-2050"] + 88.7 + copy_seconds
    assert conversion_script(FACTS["vm-2050"].guest(), [60 * GI], bytes_per_second=400 * MIB).duration >= (
        88.7 + copy_seconds
    )
    sandbox.clock.advance(seconds=script_end - 46)
    while _pods(api, migration)["vm-2050"].status.phase == "Running":  # the log's last lines, a few seconds
        sandbox.clock.advance(seconds=1)
    ended = _pods(api, migration)["vm-2050"].status.container_statuses[0].state.terminated.finished_at
    web = _vm(_migration(api, migration), "vm-2050")
    assert (web["phase"], web.get("conditions")) == ("CreateVM", None)
    assert _steps(_migration(api, migration), "vm-2050")["VirtualMachineCreation"]["phase"] == "Running"
    sandbox.clock.advance(seconds=5)
    status = _migration(api, migration)
    web = _vm(status, "vm-2050")
    assert (web["phase"], [c["type"] for c in web["conditions"]]) == ("Completed", ["Succeeded"])
    creation = _steps(status, "vm-2050")["VirtualMachineCreation"]
    assert _seconds(creation) == 5
    assert creation["started"] == ended.strftime("%Y-%m-%dT%H:%M:%SZ")
