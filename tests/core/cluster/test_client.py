"""ClusterClient against the sandbox's Kubernetes API over real HTTP: reads, writes, errors, faults."""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from mtv_mcp.core.cluster import ClusterClient, ClusterError, ClusterUnreachable, kinds
from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import Credentials, resolve_credentials
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory import Connection
from mtv_mcp.sandbox.runner import Sandbox
from tests.core.cluster.conftest import DATA, connect

NS = "openshift-mtv"


def test_kubeconfig_credentials_read_forklift_objects(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox) as cluster:
        assert cluster.default_namespace == NS
        assert sorted(p["metadata"]["name"] for p in cluster.list_plans(NS)) == ["wave1", "wave2-db"]
        plan = cluster.get_plan(NS, "wave1")
        assert plan["spec"]["convertorNodeSelector"] == {"storage": "nvme"}
        assert {p["kind"] for p in cluster.list_providers(None)} == {"Provider"}


def test_selectors_and_logs(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox, cluster_sandbox.viewer_token) as cluster:
        pods = cluster.list_pods("app-migrated", label_selector="forklift.app=virt-v2v,vmID=vm-2041")
        assert [p["metadata"]["name"] for p in pods] == ["wave1-vm-2041-p7x2c"]
        on_worker = cluster.list_pods(None, field_selector="spec.nodeName=worker-0")
        assert len(on_worker) == 4
        events = cluster.list_events("app-migrated", "involvedObject.name=wave1-vm-2061-zk4qd")
        assert [e["reason"] for e in events] == ["FailedScheduling"]
        assert [n["metadata"]["name"] for n in cluster.list_nodes("storage=nvme")] == ["mig-0"]
        log = cluster.read_log("app-migrated", "wave1-vm-2041-p7x2c", "virt-v2v", tail_lines=1)
        assert log.strip() == "virt-v2v monitoring: Progress update, completed 42 %"


def test_not_found_names_the_object(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox) as cluster, pytest.raises(ClusterError) as caught:
        cluster.get_plan(NS, "wave9")
    assert caught.value.status == 404
    assert caught.value.message == "plan 'wave9' not found in namespace openshift-mtv"


def test_logs_of_an_unscheduled_pod_say_why(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox) as cluster, pytest.raises(ClusterError) as caught:
        cluster.read_log("app-migrated", "wave1-vm-2061-zk4qd", "virt-v2v")
    assert "no logs of pod 'wave1-vm-2061-zk4qd'" in str(caught.value)
    assert "does not have a host assigned" in str(caught.value)


def test_forbidden_says_what_the_token_may_not_do(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox, cluster_sandbox.no_access_token) as cluster, pytest.raises(ClusterError) as caught:
        cluster.list_pods("app-migrated")
    assert caught.value.message == "the token may not list pods in app-migrated (403)"
    assert "RBAC" in (caught.value.hint or "")


def test_viewer_may_not_write(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox, cluster_sandbox.viewer_token) as cluster, pytest.raises(ClusterError) as caught:
        cluster.patch(kinds.PLAN, NS, "wave1", {"metadata": {"labels": {"x": "y"}}})
    assert caught.value.message == "the token may not patch plan 'wave1' in namespace openshift-mtv (403)"


def test_unknown_token_is_401(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox, "not-a-token") as cluster, pytest.raises(ClusterError) as caught:
        cluster.list_nodes()
    assert "rejected the credentials (401 Unauthorized) while trying to list nodes" in str(caught.value)


def test_create_patch_delete_round_trip(sandbox_crds: Path | None) -> None:
    with Sandbox.start(data=DATA, crds=sandbox_crds) as sandbox, connect(sandbox) as cluster:
        hook = {
            "apiVersion": "forklift.konveyor.io/v1beta1",
            "kind": "Hook",
            "metadata": {"name": "pre", "namespace": NS},
            "spec": {"image": "quay.io/konveyor/hook-runner"},
        }
        created = cluster.create(kinds.HOOK, NS, hook)
        assert created["metadata"]["uid"]
        with pytest.raises(ClusterError) as caught:
            cluster.create(kinds.HOOK, NS, hook)
        assert caught.value.message == "hook 'pre' already exists in namespace openshift-mtv (409)"
        merged = cluster.patch(kinds.PLAN, NS, "wave1", {"spec": {"convertorNodeSelector": {"storage": "sas"}}})
        assert merged["spec"]["convertorNodeSelector"] == {"storage": "sas"}
        affinity = {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [
                    {"labelSelector": {"matchLabels": {"tier": "database"}}, "topologyKey": "kubernetes.io/hostname"}
                ]
            }
        }
        patched = cluster.patch(
            kinds.PLAN,
            NS,
            "wave1",
            [{"op": "add", "path": "/spec/convertorAffinity", "value": affinity}],
            json_patch=True,
        )
        assert patched["spec"]["convertorAffinity"] == affinity
        cluster.delete(kinds.HOOK, NS, "pre")
        with pytest.raises(ClusterError):
            cluster.get(kinds.HOOK, NS, "pre")


@pytest.mark.usefixtures("crd_dir")  # convertor fields detected from the CRD schema
def test_forklift_version_and_convertor_support(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox) as cluster:
        version = cluster.forklift_version()
    assert version.version == "2.12.5"
    assert version.operator_namespace == NS
    assert version.convertor_fields is True
    assert "schema" in version.convertor_fields_source


def test_bearer_token_of_each_credential_kind(cluster_sandbox: Sandbox) -> None:
    kubeconfig = resolve_credentials(Settings(kubeconfig=cluster_sandbox.kubeconfig_path))
    with ClusterClient.connect(kubeconfig, Settings()) as cluster:
        assert cluster.bearer_token == cluster_sandbox.admin_token
    request = Credentials(source="request", server=cluster_sandbox.url, token=SecretStr("t1"))
    with ClusterClient.connect(request, Settings()) as cluster:
        assert cluster.bearer_token == "t1"
    with Connection(kubeconfig, Settings()) as connection:
        assert connection.bearer_token == cluster_sandbox.admin_token


def test_request_token_without_server_or_kubeconfig_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    credentials = Credentials(source="request", token=SecretStr("t"))
    with pytest.raises(MtvError, match="names no Kubernetes API server"):
        ClusterClient.connect(credentials, Settings())


def test_broken_kubeconfig_is_explained(tmp_path: object) -> None:
    path = tmp_path / "kubeconfig"  # type: ignore[operator]
    path.write_text("apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n")
    credentials = Credentials(source="kubeconfig", kubeconfig=path)
    with pytest.raises(MtvError, match="cannot use the kubeconfig"):
        ClusterClient.connect(credentials, Settings())


def test_hanging_api_fails_within_the_timeout_and_recovers(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox, timeout=1.0) as cluster:
        with cluster_sandbox.faults.injected("GET /api/v1/nodes=hang"):
            started = time.monotonic()
            with pytest.raises(ClusterError, match=r"did not answer within 1 s while trying to list nodes"):
                cluster.list_nodes()
            assert time.monotonic() - started < 3
        assert len(cluster.list_nodes()) == 3


def test_reads_are_retried_after_a_dropped_connection(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox) as cluster, cluster_sandbox.faults.injected("GET /api/v1/nodes=dropx1") as rules:
        assert len(cluster.list_nodes()) == 3
        assert rules[0].hits == 1


def test_reads_are_retried_after_503(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox) as cluster, cluster_sandbox.faults.injected("GET /api/v1/nodes=503x2"):
        assert len(cluster.list_nodes()) == 3


def test_requests_and_retries_are_logged_without_the_token(
    cluster_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with (
        caplog.at_level(logging.DEBUG, logger="mtv_mcp"),
        connect(cluster_sandbox, token=cluster_sandbox.admin_token) as cluster,
        cluster_sandbox.faults.injected("GET /api/v1/nodes=503x1"),
    ):
        cluster.list_nodes()
    messages = [record.getMessage() for record in caplog.records]
    assert re.fullmatch(r"GET /api/v1/nodes -> 503 in \d+ ms", messages[0])
    assert messages[1] == "GET /api/v1/nodes: attempt 1 of 3 failed (HTTP 503); retrying in 0.2 s"
    assert re.fullmatch(r"GET /api/v1/nodes -> 200 in \d+ ms", messages[2])
    assert not any(cluster_sandbox.admin_token in text for text in [*messages, caplog.text])


def test_persistent_failure_and_dropped_writes_are_errors(cluster_sandbox: Sandbox) -> None:
    with connect(cluster_sandbox) as cluster:
        with cluster_sandbox.faults.injected("GET /api/v1/nodes=500"), pytest.raises(ClusterError) as failed:
            cluster.list_nodes()
        assert failed.value.message.startswith("the Kubernetes API failed to list nodes (500 InternalError)")
        with cluster_sandbox.faults.injected("PATCH /apis/*=drop") as rules, pytest.raises(ClusterError) as dropped:
            cluster.patch(kinds.PLAN, NS, "wave1", {"metadata": {"labels": {"a": "b"}}})
        assert "was dropped while trying to patch plan 'wave1'" in dropped.value.message
        assert rules[0].hits == 1  # a write is never repeated


def test_unreachable_server() -> None:
    settings = Settings(kube_server="http://127.0.0.1:9", kube_token=SecretStr("t"), request_timeout=2)
    with (
        ClusterClient.connect(resolve_credentials(settings), settings) as cluster,
        pytest.raises(ClusterError) as caught,
    ):
        cluster.list_nodes()
    assert (
        caught.value.message == "cannot reach the Kubernetes API at http://127.0.0.1:9 to list nodes: connection failed"
    )
    assert isinstance(caught.value, ClusterUnreachable)
    assert caught.value.status is None


def test_an_error_answer_is_not_unreachable(cluster_sandbox: Sandbox) -> None:
    with (
        connect(cluster_sandbox) as cluster,
        cluster_sandbox.faults.injected("GET /api/v1/nodes=500"),
        pytest.raises(ClusterError) as failed,
    ):
        cluster.list_nodes()
    assert not isinstance(failed.value, ClusterUnreachable)
    assert failed.value.status == 500


def test_untrusted_certificate_is_a_tls_failure(crd_dir: Path) -> None:
    with Sandbox.start(data=DATA, crds=crd_dir, tls=True) as sandbox:
        settings = Settings(kube_server=sandbox.url, kube_token=SecretStr(sandbox.admin_token), request_timeout=2)
        with (
            ClusterClient.connect(resolve_credentials(settings), settings) as cluster,
            pytest.raises(ClusterUnreachable) as caught,
        ):
            cluster.list_nodes()
        assert caught.value.message.startswith(f"TLS verification of the Kubernetes API at {sandbox.url} failed")
        assert "--certificate-authority" in str(caught.value.hint)
        trusted = settings.model_copy(update={"kube_ca_file": sandbox.tls.cert_path if sandbox.tls else None})
        with ClusterClient.connect(resolve_credentials(trusted), trusted) as cluster:
            assert len(cluster.list_nodes()) == 3
