"""validate_karl's placement preview (check_cluster=true) through a real MCP client against the demo sandbox."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import DATA_ROOT, Sandbox
from mtv_mcp.server.app import create_server

pytestmark = pytest.mark.anyio
OSD_HERE = "REQUIRE pods(app=rook-ceph-osd) on node"
OSD_STORAGE = "REQUIRE pods(app=rook-ceph-osd) in namespaces(openshift-storage) on node"


@pytest.fixture(scope="module")
def demo(sandbox_crds: Path | None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """The demo cluster (objects only; the preview never reads the inventory)."""
    folder = tmp_path_factory.mktemp("demo-cluster")
    (folder / "kube").symlink_to(DATA_ROOT / "demo" / "kube", target_is_directory=True)
    with Sandbox.start(data=folder, crds=sandbox_crds) as sandbox:
        yield sandbox


async def preview(sandbox: Sandbox, rules: str, token: str | None = None, **arguments: Any) -> Any:
    path = sandbox.kubeconfig_path
    if token is not None:
        path = sandbox.write_kubeconfig(path.with_name(f"kubeconfig-{token}"), token)
    async with Client(create_server(Settings(kubeconfig=path, request_timeout=2))) as c:
        return await c.call_tool(
            "validate_karl",
            {"rules": rules, "check_cluster": True, "target_namespace": "app-migrated", **arguments},
        )


def candidates(result: Any) -> list[str]:
    return [c["node"] for c in result.structured_content["placement"]["candidates"]]


async def test_satisfiable_rules_list_nodes_and_exclusions(demo: Sandbox) -> None:
    result = await preview(demo, OSD_STORAGE, node_selector="storage=sas")
    assert not result.is_error
    placement = result.structured_content["placement"]
    assert placement["would_stay_pending"] is False
    assert sorted(candidates(result)) == ["worker-0", "worker-1", "worker-2"]
    assert placement["node_selector"] == {"storage": "sas", "kubevirt.io/schedulable": "true"}
    excluded = {e["node"]: e["reasons"] for e in placement["excluded"]}
    assert {r["kind"] for r in excluded["mig-0"]} >= {"untolerated-taint", "node-affinity"}
    assert "the node has storage=nvme" in " ".join(r["detail"] for r in excluded["worker-4"])
    text = result.content[0].text
    assert "placement preview in app-migrated (node selector: storage=sas, kubevirt.io/schedulable=true):" in text
    assert "- fits worker-0 [us-east-1a] score" in text


async def test_rule_no_node_can_satisfy_would_stay_pending(demo: Sandbox) -> None:
    result = await preview(demo, OSD_HERE)
    placement = result.structured_content["placement"]
    assert placement["would_stay_pending"] is True
    assert placement["candidates"] == []
    assert placement["scheduler_message"].startswith("0/9 nodes are available:")
    affinity = next(c for c in placement["causes"] if c["kind"] == "pod-affinity")
    assert "REQUIRE → PREFER" in affinity["fix"]
    assert "- would stay Pending: 0/9 nodes are available" in result.content[0].text


async def test_selector_key_no_node_has(demo: Sandbox) -> None:
    result = await preview(demo, "PREFER pods(app=x) on node", node_selector={"gpu": "true"})
    placement = result.structured_content["placement"]
    assert placement["would_stay_pending"] is True
    selector = next(c for c in placement["causes"] if c["kind"] == "node-affinity")
    assert "no node has the label gpu=true" in selector["fix"]


async def test_namespace_scope_of_pod_affinity(demo: Sandbox) -> None:
    here = await preview(demo, OSD_HERE)
    storage = await preview(demo, OSD_STORAGE)
    assert here.structured_content["placement"]["would_stay_pending"] is True
    assert sorted(candidates(storage)) == ["worker-0", "worker-1", "worker-2"]
    assert any("only sees pods in the namespace" in w for w in here.structured_content["warnings"])


async def test_soft_rules_rank_nodes(demo: Sandbox) -> None:
    near = "PREFER pods(app=storage-controller) in namespaces(openshift-storage) on node weight=100"
    result = await preview(demo, near, node_selector="storage=sas")
    ranked = result.structured_content["placement"]["candidates"]
    assert ranked[0]["node"] == "worker-1"
    assert ranked[0]["soft_pod_affinity"] > 0
    assert all(c["soft_pod_affinity"] == 0 for c in ranked[1:])
    away = "REPEL pods(app=storage-controller) in namespaces(openshift-storage) on node weight=100"
    repelled = await preview(demo, away, node_selector="storage=sas")
    assert candidates(repelled)[-1] == "worker-1"


async def test_viewer_can_preview_and_no_access_is_told_plainly(demo: Sandbox) -> None:
    viewer = await preview(demo, OSD_STORAGE, token=demo.viewer_token)
    assert not viewer.is_error
    denied = await preview(demo, OSD_STORAGE, token=demo.no_access_token)
    assert not denied.is_error
    assert denied.structured_content["placement"] is None
    assert "nodes are not visible to this user (the token may not list nodes (403))" in denied.content[0].text


async def test_bad_arguments_are_clear(demo: Sandbox) -> None:
    bad = await preview(demo, OSD_STORAGE, node_selector="storage")
    assert bad.is_error
    assert "node_selector: item 1 'storage' is not a key=value pair" in bad.content[0].text
    target = await preview(demo, OSD_STORAGE, purpose="target")
    assert target.is_error
    assert "check_cluster: the placement preview is for convertor pods" in target.content[0].text


async def test_without_check_cluster_nothing_is_contacted() -> None:
    async with Client(create_server(Settings())) as c:
        result = await c.call_tool("validate_karl", {"rules": OSD_STORAGE})
    assert not result.is_error
    assert result.structured_content["placement"] is None


async def test_namespace_scoped_tenant_is_told_nodes_are_hidden(demo: Sandbox) -> None:
    result = await preview(demo, OSD_STORAGE, token=demo.tenant_token)
    assert not result.is_error, result.content[0].text
    assert result.structured_content["placement"] is None
    assert any(w.startswith("nodes are not visible to this user") for w in result.structured_content["warnings"])


async def test_preview_models_the_forklift_controller_settings(demo: Sandbox) -> None:
    result = await preview(demo, OSD_STORAGE, node_selector="storage=sas")
    pod = result.structured_content["placement"]["pod"]
    assert pod["requests"] == {"cpu": "2000m", "memory": "2Gi", "devices.kubevirt.io/kvm": "1"}
    assert pod["limits"] == {"cpu": "6000m", "memory": "12Gi", "devices.kubevirt.io/kvm": "1"}
    assert pod["source"].startswith("ForkliftController openshift-mtv/forklift-controller")
    assert "vSphere assumed" in pod["source"]
    assert pod["changed"]["virt_v2v_container_requests_memory"] == "2Gi"
    assert "modelled pod requests cpu 2000m, memory 2Gi, devices.kubevirt.io/kvm 1" in result.content[0].text


async def test_preview_without_kvm_when_the_controller_says_so(sandbox_crds: Path | None, tmp_path: Path) -> None:
    (tmp_path / "kube").symlink_to(DATA_ROOT / "demo" / "kube", target_is_directory=True)
    with Sandbox.start(data=tmp_path, crds=sandbox_crds) as sandbox:
        sandbox.store.patch(
            "forkliftcontrollers",
            "openshift-mtv",
            "forklift-controller",
            {"spec": {"virt_v2v_dont_request_kvm": "true"}},
        )
        result = await preview(sandbox, OSD_STORAGE, node_selector="storage=sas")
    placement = result.structured_content["placement"]
    assert placement["pod"]["kvm_requested"] is False
    assert "devices.kubevirt.io/kvm" not in placement["pod"]["requests"]
    assert placement["kvm_requested"] is False
    assert placement["node_selector"] == {"storage": "sas"}
    assert sorted(candidates(result)) == ["worker-0", "worker-1", "worker-2"]


async def test_each_pods_term_says_what_it_matches_and_where(demo: Sandbox) -> None:
    result = await preview(
        demo,
        "AVOID pods(tier=database) on node; PREFER pods(app=rook-ceph-osd) in namespaces(openshift-storage) "
        "on node; REPEL pods(app=nothing-here) in all namespaces on node",
    )
    terms = {term["rule"]: term for term in result.structured_content["placement"]["pod_terms"]}
    osd = terms["PREFER pods(app=rook-ceph-osd) in namespaces(openshift-storage) on node"]
    assert (osd["matched"], osd["nodes"], osd["elsewhere"]) == (3, ["worker-0", "worker-1", "worker-2"], [])
    databases = terms["AVOID pods(tier=database) on node"]
    assert (databases["matched"], databases["scope"]) == (0, "namespace app-migrated (the convertor pod's own)")
    assert databases["elsewhere"] == ["prod-db (3)"]
    warnings = result.structured_content["warnings"]
    assert (
        "`AVOID pods(tier=database) on node` matches no running pod in its scope (namespace app-migrated (the "
        "convertor pod's own)), only in prod-db: write `AVOID pods(tier=database) in namespaces(prod-db) on node` "
        "or `AVOID pods(tier=database) in all namespaces on node`"
    ) in warnings
    assert any(
        w.startswith("`REPEL pods(app=nothing-here) in all namespaces on node` matches no running pod in any")
        for w in warnings
    )
    rescoped = await preview(demo, "AVOID pods(tier=database) in namespaces(prod-db) on node")
    (term,) = rescoped.structured_content["placement"]["pod_terms"]
    assert (term["matched"], term["nodes"]) == (3, ["worker-1", "worker-2", "worker-4"])
    assert term["warning"] is None
    assert "matches 3 running pod(s) in namespaces prod-db on worker-1, worker-2, worker-4" in rescoped.content[0].text
