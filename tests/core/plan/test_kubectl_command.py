"""The equivalent kubectl-mtv command: real flags, POSIX quoting, notes for what it cannot carry."""

from __future__ import annotations

import json
import shlex
from typing import Any

from mtv_mcp.core.karl import parse_rules
from mtv_mcp.core.kube_models import Affinity
from mtv_mcp.core.plan import PlanRequest, build_plan_objects
from mtv_mcp.core.plan.kubectl_command import kubectl_mtv_karl

NS = "openshift-mtv"


def words(command: str) -> list[str]:
    return shlex.split(command.replace("\\\n", " "))


def affinity(text: str) -> Affinity:
    return parse_rules(text).to_affinity()


def test_full_command(facts: dict[str, Any], demo_vms: Any) -> None:
    request = PlanRequest(
        name="wave1",
        namespace=NS,
        source_provider="vsphere-prod",
        target_provider="host",
        target_namespace="app-migrated",
        migration_type="warm",
        convertor_labels={"team": "migration", "wave": "1"},
        convertor_node_selector="storage=nvme",
        convertor_affinity=affinity("REPEL pods(tier in [db,cache],has x, env!=dev) on zone weight=40").to_kube(),
        target_power_state="off",
    )
    build = build_plan_objects(request, vms=demo_vms("pg-prod-01", "win-ad-01"), **facts)
    assert words(build.kubectl_command) == [
        *("kubectl", "mtv", "create", "plan", "wave1", "-n", NS),
        *("--source", "vsphere-prod", "--target", "host", "--target-namespace", "app-migrated"),
        *("--migration-type", "warm", "--vms", "pg-prod-01,win-ad-01"),
        *("--target-power-state", "off", "--convertor-labels", "team=migration,wave=1"),
        *("--convertor-node-selector", "storage=nvme"),
        *("--convertor-affinity", "REPEL pods(tier in [db,cache],has x,env not in [dev]) on zone weight=40"),
    ]
    assert "'REPEL pods(tier in [db,cache],has x,env not in [dev]) on zone weight=40'" in build.kubectl_command


def test_target_flag_only_when_the_user_named_the_target(facts: dict[str, Any], demo_vms: Any) -> None:
    """create_plan passes the resolved default destination; the command must not claim --target for it."""
    defaulted = PlanRequest(name="p", namespace=NS, source_provider="vsphere-prod")
    named = defaulted.model_copy(update={"target_provider": "host"})
    for request, flags in ((defaulted, []), (named, ["--target", "host"])):
        build = build_plan_objects(request, vms=demo_vms("win-ad-01"), **facts)
        assert build.plan.to_kube()["spec"]["provider"]["destination"]["name"] == "host"
        assert words(build.kubectl_command)[7:] == ["--source", "vsphere-prod", *flags, "--vms", "win-ad-01"]


def test_unexpressible_affinity_gets_a_note_and_a_patch(facts: dict[str, Any], demo_vms: Any) -> None:
    two_rules = affinity("PREFER pods(app=osd) in namespaces(openshift-storage) on node; AVOID pods(a=b) on node")
    request = PlanRequest(
        name="p", namespace=NS, source_provider="vsphere-prod", convertor_affinity=two_rules.to_kube()
    )
    build = build_plan_objects(request, vms=demo_vms("win-ad-01"), **facts)
    assert "--convertor-affinity" not in build.kubectl_command
    assert build.kubectl_notes[0] == (
        "--convertor-affinity cannot carry convertorAffinity: it needs 2 KARL rules; kubectl-mtv takes one per flag"
    )
    patch = words(build.kubectl_notes[1].removeprefix("then set the rest with: "))
    assert patch[:9] == ["kubectl", "patch", "plan", "p", "-n", NS, "--type", "merge", "-p"]
    assert json.loads(patch[9]) == {"spec": {"convertorAffinity": build.plan.to_kube()["spec"]["convertorAffinity"]}}


def test_kubectl_mtv_karl_limits() -> None:
    assert kubectl_mtv_karl(affinity("REQUIRE pods(app=db) on node")).rule == "REQUIRE pods(app=db) on node"
    node = kubectl_mtv_karl(affinity("REQUIRE nodes(storage=nvme)"))
    assert node.rule is None
    assert "node affinity" in str(node.reason)
    scoped = kubectl_mtv_karl(affinity("PREFER pods(app=osd) in all namespaces on node weight=80"))
    assert scoped.rule is None
    assert "namespace scope" in str(scoped.reason)


def test_awkward_vm_names_and_provider_namespace(facts: dict[str, Any], make_vm: Any) -> None:
    facts["source_provider"]["metadata"]["namespace"] = "vmware"
    request = PlanRequest(name="p", namespace=NS, source_provider="vsphere-prod")
    build = build_plan_objects(request, vms=[make_vm("vm-1", "a,b", [], []), make_vm("vm-2", "it's", [], [])], **facts)
    argv = words(build.kubectl_command)
    assert argv[argv.index("--source") + 1] == "vmware/vsphere-prod"
    assert argv[argv.index("--vms") + 1] == "a,b,it's"
    assert any("--vms cannot name 'a,b'" in note for note in build.kubectl_notes)
