"""plan_patch (merge patch + diff), running_migration_reason and compare_plans."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.karl import parse_rules
from mtv_mcp.core.plan import (
    PlacementChanges,
    PlanRequest,
    build_plan_objects,
    compare_plans,
    plan_patch,
    running_migration_reason,
)
from mtv_mcp.core.plan.compare import SPEC_DEFAULTS
from mtv_mcp.core.plan.diff import apply_merge_patch, merge_patch

AVOID_DB = parse_rules("AVOID pods(tier=database) on node").to_affinity().to_kube()
EXISTING: dict[str, Any] = {
    "apiVersion": "forklift.konveyor.io/v1beta1",
    "kind": "Plan",
    "metadata": {"name": "wave1", "namespace": "openshift-mtv", "uid": "u1", "resourceVersion": "7", "generation": 3},
    "spec": {
        "targetNamespace": "app-migrated",
        "vms": [{"id": "vm-2041", "name": "pg-prod-01"}],
        "convertorLabels": {"team": "migration", "wave": "1"},
        "convertorNodeSelector": {"storage": "nvme"},
        "convertorAffinity": AVOID_DB,
        "targetPowerState": "on",
    },
}


def test_patch_replaces_maps_key_by_key_and_clears_with_null() -> None:
    changes = PlacementChanges(
        convertor_labels="team=migration,batch=2",
        convertor_node_selector={},
        convertor_affinity={},
        target_power_state="",
        target_labels="env=prod",
    )
    result = plan_patch(EXISTING, changes)
    assert result.merge_patch == {
        "spec": {
            "convertorLabels": {"wave": None, "batch": "2"},
            "convertorNodeSelector": None,
            "convertorAffinity": None,
            "targetPowerState": None,
            "targetLabels": {"env": "prod"},
        }
    }
    assert result.new_spec == {
        "targetNamespace": "app-migrated",
        "vms": [{"id": "vm-2041", "name": "pg-prod-01"}],
        "convertorLabels": {"batch": "2", "team": "migration"},
        "targetLabels": {"env": "prod"},
    }
    assert apply_merge_patch(EXISTING["spec"], result.merge_patch["spec"]) == result.new_spec
    assert result.changed_fields == [
        "convertorAffinity",
        "convertorLabels",
        "convertorNodeSelector",
        "targetLabels",
        "targetPowerState",
    ]
    assert "-  wave: '1'\n" in result.diff
    assert "+  batch: '2'\n" in result.diff
    assert result.diff.startswith("--- wave1 spec (current)\n+++ wave1 spec (new)\n")


def test_patch_without_changes_is_empty_and_new_affinity_warns() -> None:
    assert plan_patch(EXISTING, PlacementChanges()).merge_patch == {}
    same = plan_patch(EXISTING, PlacementChanges(convertor_labels={"wave": "1", "team": "migration"}))
    assert same.merge_patch == {}
    assert same.diff == ""
    prefer = parse_rules("PREFER pods(app=osd) on zone").to_affinity().to_kube()
    result = plan_patch(EXISTING, PlacementChanges(convertor_affinity=prefer))
    assert result.new_spec["convertorAffinity"] == prefer
    assert apply_merge_patch(EXISTING["spec"], result.merge_patch["spec"]) == result.new_spec
    assert any("replaces Forklift's default" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"convertor_labels": "plan=x"}, "convertor_labels"),
        ({"target_node_selector": "a"}, "target_node_selector"),
        ({"target_affinity": {"nodeAffinity": []}}, "target_affinity.nodeAffinity"),
    ],
)
def test_patch_rejects_bad_values(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(MtvError) as error:
        plan_patch(EXISTING, PlacementChanges(**changes))
    assert error.value.field == field


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=3), json_values, max_size=4)


def _no_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _no_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_no_nulls(v) for v in value]
    return value


@given(json_objects, json_objects)
def test_merge_patch_turns_old_into_new(old: dict[str, Any], new: dict[str, Any]) -> None:
    old, new = _no_nulls(old), _no_nulls(new)
    assert apply_merge_patch(old, merge_patch(old, new)) == new


MIGRATION_RUNNING = {
    "metadata": {"name": "wave1-x8k2p", "namespace": "openshift-mtv", "ownerReferences": [{"uid": "u1"}]},
    "spec": {"plan": {"name": "wave1", "namespace": "openshift-mtv"}},
    "status": {
        "started": "2026-01-01T10:00:00Z",
        "conditions": [{"type": "Running", "status": "True"}],
        "vms": [
            {"id": "vm-2050", "name": "web-frontend-01", "phase": "Completed", "completed": "2026-01-01T10:20:00Z"},
            {"id": "vm-2041", "name": "pg-prod-01", "phase": "CopyDisksVirtV2V"},
            {"id": "vm-2061", "name": "win-sql-01", "phase": "ConvertGuest"},
        ],
    },
}


def test_running_migration_reason() -> None:
    assert running_migration_reason(EXISTING, [MIGRATION_RUNNING]) == (
        "migration wave1-x8k2p of plan wave1 is running since 2026-01-01T10:00:00Z; "
        "VMs not finished: pg-prod-01 (CopyDisksVirtV2V), win-sql-01 (ConvertGuest)"
    )
    finished = copy.deepcopy(MIGRATION_RUNNING)
    finished["status"]["conditions"].append({"type": "Succeeded", "status": "True"})
    assert running_migration_reason(EXISTING, [finished]) is None
    other = copy.deepcopy(MIGRATION_RUNNING)
    other["spec"]["plan"]["name"] = "wave2"
    other["metadata"]["ownerReferences"] = []
    assert running_migration_reason(EXISTING, [other]) is None
    executing = {
        **EXISTING,
        "status": {"conditions": [{"type": "Executing", "status": "True", "message": "EXECUTING"}]},
    }
    assert running_migration_reason(executing, []) == "plan wave1 is executing: EXECUTING"
    ready = {**EXISTING, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
    assert running_migration_reason(ready, []) is None


def test_compare_ignores_server_fields_and_crd_defaults(facts: dict[str, Any], demo_vms: Any) -> None:
    request = PlanRequest(
        name="wave1", namespace="openshift-mtv", source_provider="vsphere-prod", target_namespace="app-migrated"
    )
    desired = build_plan_objects(request, vms=demo_vms("pg-prod-01"), **facts).plan.to_kube()
    existing = copy.deepcopy(desired)
    existing["metadata"].update(uid="u1", resourceVersion="9", creationTimestamp="2026-01-01T00:00:00Z")
    existing["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    existing["spec"].update(deleteVmOnFailMigration=True, skipGuestConversion=False, xfsCompatibility=False)
    del existing["spec"]["runPreflightInspection"]
    existing["spec"]["vms"][0].pop("luks")
    assert compare_plans(desired, existing).model_dump() == {"identical": True, "differences": [], "diff": ""}

    existing["spec"]["convertorLabels"] = {"team": "x"}
    existing["spec"]["preserveStaticIPs"] = False
    result = compare_plans(desired, existing)
    assert not result.identical
    assert result.differences == ["spec.convertorLabels", "spec.preserveStaticIPs"]
    assert "-  convertorLabels:\n-    team: x\n" in result.diff
    assert "+  preserveStaticIPs: true\n" in result.diff


def test_spec_defaults_match_the_plan_crd(crd_dir: Path) -> None:
    crd = yaml.safe_load((crd_dir / "forklift.konveyor.io_plans.yaml").read_text(encoding="utf-8"))
    spec = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
    assert {key: value["default"] for key, value in spec.items() if "default" in value} == SPEC_DEFAULTS
