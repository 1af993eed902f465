"""metrics.k8s.io as metrics-server serves it: NodeMetrics per node, PodMetrics per running pod only."""

from __future__ import annotations

from pathlib import Path

import httpx

from mtv_mcp.core.quantity import parse_quantity
from mtv_mcp.sandbox.runner import Sandbox


def _get(sandbox: Sandbox, path: str) -> httpx.Response:
    return httpx.get(sandbox.url + path, headers={"Authorization": f"Bearer {sandbox.admin_token}"})


def test_nodes_and_running_pods_have_usage(sandbox_crds: Path | None) -> None:
    with Sandbox.start(data="demo", crds=sandbox_crds) as sandbox:
        nodes = _get(sandbox, "/apis/metrics.k8s.io/v1beta1/nodes").json()
        assert nodes["kind"] == "NodeMetricsList"
        assert {n["metadata"]["name"] for n in nodes["items"]} == {
            n["metadata"]["name"] for n in sandbox.store.list("nodes")
        }
        worker3 = _get(sandbox, "/apis/metrics.k8s.io/v1beta1/nodes/worker-3").json()
        assert worker3["usage"]["cpu"].endswith("n")
        assert worker3["usage"]["memory"].endswith("Ki")
        pods = _get(
            sandbox, "/apis/metrics.k8s.io/v1beta1/namespaces/app-migrated/pods?labelSelector=forklift.app%3Dvirt-v2v"
        )
        names = [p["metadata"]["name"] for p in pods.json()["items"]]
        running = [
            p["metadata"]["name"]
            for p in sandbox.store.list("pods", "app-migrated", label_selector="forklift.app=virt-v2v")
            if p["status"]["phase"] == "Running"
        ]
        assert names == running == ["wave1-vm-2041-p7x2c"]
        usage = pods.json()["items"][0]["containers"][0]["usage"]
        assert 1 < float(parse_quantity(usage["cpu"])) < 4, "a converting virt-v2v works between its request and limit"
        groups = [g["name"] for g in _get(sandbox, "/apis").json()["groups"]]
        assert "metrics.k8s.io" in groups
