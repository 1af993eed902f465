"""The in-process store API the controller and tests use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mtv_mcp.sandbox.kube.status import ApiError
from mtv_mcp.sandbox.kube.store import ChangeEvent
from mtv_mcp.sandbox.runner import Sandbox


def migration() -> dict[str, Any]:
    return {
        "apiVersion": "forklift.konveyor.io/v1beta1",
        "kind": "Migration",
        "metadata": {"generateName": "wave1-", "namespace": "openshift-mtv"},
        "spec": {"plan": {"name": "wave1", "namespace": "openshift-mtv"}},
    }


def test_create_fills_system_fields_and_notifies(sandbox: Sandbox) -> None:
    seen: list[ChangeEvent] = []
    unsubscribe = sandbox.store.on_change(seen.append)
    created = sandbox.store.create(migration())
    unsubscribe()
    meta = created["metadata"]
    assert meta["name"].startswith("wave1-")
    assert len(meta["name"]) == len("wave1-") + 5
    assert meta["uid"]
    assert meta["resourceVersion"]
    assert meta["creationTimestamp"].endswith("Z")
    assert [(c.type, c.resource.kind) for c in seen] == [("ADDED", "Migration")]
    sandbox.store.create(migration())
    assert len(seen) == 1


def test_update_conflicts_on_stale_resource_version(sandbox: Sandbox) -> None:
    store = sandbox.store
    plan = store.get("plans", "openshift-mtv", "wave1")
    plan["spec"]["type"] = "warm"
    updated = store.update(plan)
    assert updated["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as stale:
        store.update(plan)
    assert (stale.value.code, stale.value.reason) == (409, "Conflict")


def test_status_writes_keep_generation(sandbox: Sandbox) -> None:
    store = sandbox.store
    plan = store.get("plan", "openshift-mtv", "wave1")
    plan["status"]["conditions"].append(
        {"type": "Executing", "status": "True", "category": "Advisory", "lastTransitionTime": "2026-01-01T00:00:00Z"}
    )
    assert store.update(plan)["metadata"]["generation"] == 1


def test_delete_cascades_to_owned_objects_unless_orphaned(sandbox: Sandbox) -> None:
    store = sandbox.store
    store.delete("plans", "openshift-mtv", "wave1", propagation="Orphan")
    assert store.get("networkmaps", "openshift-mtv", "wave1-network-map")["metadata"]["ownerReferences"] == []
    store.delete("namespaces", None, "app-migrated")
    assert store.list("pods", "app-migrated") == []
    with pytest.raises(ApiError, match='namespaces "app-migrated" not found'):
        store.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "app-migrated"}})


def test_owner_cascade(sandbox: Sandbox) -> None:
    sandbox.store.delete("plans.forklift.konveyor.io", "openshift-mtv", "wave1")
    assert sandbox.store.list("migrations") == []
    assert sandbox.store.find("networkmaps", "openshift-mtv", "wave1-network-map") is None


def test_emit_event_counts_repeats(sandbox: Sandbox) -> None:
    pod = sandbox.store.get("pods", "app-migrated", "wave1-vm-2041-p7x2c")
    first = sandbox.store.emit_event(pod, "Pulled", "pulled image", component="kubelet")
    again = sandbox.store.emit_event(pod, "Pulled", "pulled image", component="kubelet")
    assert first["metadata"]["name"] == again["metadata"]["name"]
    assert again["count"] == 2
    found = sandbox.store.list(
        "events", "app-migrated", field_selector="involvedObject.name=wave1-vm-2041-p7x2c,reason=Pulled"
    )
    assert [e["count"] for e in found] == [2]


def test_logs_follow_kubelet_rules(sandbox: Sandbox) -> None:
    store = sandbox.store
    store.append_log("app-migrated", "wave1-vm-2041-p7x2c", "virt-v2v", ["done 100 %"])
    assert store.read_log("app-migrated", "wave1-vm-2041-p7x2c", tail_lines=1) == "done 100 %\n"
    assert store.read_log("app-migrated", "wave1-vm-2041-p7x2c", "vddk-side-car") == "vddk copied\n"
    with pytest.raises(ApiError, match="previous terminated container"):
        store.read_log("app-migrated", "wave1-vm-2041-p7x2c", previous=True)
    store.set_logs("app-migrated", "wave1-vm-2041-p7x2c", "virt-v2v", "before restart\n", previous=True)
    assert store.read_log("app-migrated", "wave1-vm-2041-p7x2c", previous=True) == "before restart\n"
    with pytest.raises(ApiError, match="container nope is not valid"):
        store.read_log("app-migrated", "wave1-vm-2041-p7x2c", "nope")


def test_clock_advances_timestamps(sandbox: Sandbox) -> None:
    before = sandbox.clock.now()
    after = sandbox.clock.advance(minutes=6)
    assert (after - before).total_seconds() >= 360
    created = sandbox.store.create(migration())
    assert created["metadata"]["creationTimestamp"] >= after.strftime("%Y-%m-%dT%H:%M:%SZ")[:16]


def test_loader_rejects_invalid_data_with_file_and_field(tmp_path: Any, crd_dir: Path) -> None:
    from mtv_mcp.core.errors import MtvError

    (tmp_path / "kube").mkdir()
    (tmp_path / "kube" / "plans.yaml").write_text(
        "apiVersion: forklift.konveyor.io/v1beta1\nkind: Plan\nmetadata: {name: p, namespace: openshift-mtv}\n"
        "spec: {type: hot}\n"
    )
    with pytest.raises(MtvError, match=r"plans.yaml document 1 \(Plan 'p'\).*spec.type: Unsupported value"):
        Sandbox.start(data=tmp_path, crds=crd_dir)
