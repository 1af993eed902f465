"""The sandbox's Kubernetes API through the real kubernetes client and httpx."""

from __future__ import annotations

import json
from typing import Any, cast

import httpx
import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from mtv_mcp.sandbox.runner import Sandbox
from tests.sandbox.conftest import api_client

GROUP, VERSION, NS = "forklift.konveyor.io", "v1beta1", "openshift-mtv"


def status_of(error: ApiException) -> dict[str, Any]:
    return json.loads(error.body or "{}")


def plan_body(name: str = "wave9", **spec: object) -> dict[str, Any]:
    ref = {"name": "x", "namespace": NS}
    return {
        "apiVersion": f"{GROUP}/{VERSION}",
        "kind": "Plan",
        "metadata": {"name": name},
        "spec": {
            "targetNamespace": "app-migrated",
            "provider": {"source": ref, "destination": ref},
            "map": {"network": ref, "storage": ref},
            "vms": [{"id": "vm-2041"}],
            **spec,
        },
    }


def test_discovery(shared_sandbox: Sandbox) -> None:
    api = api_client(shared_sandbox)
    assert client.VersionApi(api).get_code().git_version.startswith("v1.")
    groups = {g.name for g in client.ApisApi(api).get_api_versions().groups}
    assert {"forklift.konveyor.io", "route.openshift.io", "k8s.cni.cncf.io", "apiextensions.k8s.io"} <= groups
    core = client.CoreV1Api(api).get_api_resources()
    assert {"pods", "pods/log", "nodes", "events", "namespaces"} <= {r.name for r in core.resources}


def test_core_lists_and_selectors(shared_sandbox: Sandbox) -> None:
    core = client.CoreV1Api(api_client(shared_sandbox))
    assert {n.metadata.name for n in core.list_node().items} == {"worker-3", "mig-0"}
    pods = core.list_namespaced_pod("app-migrated", label_selector="forklift.app=virt-v2v,vmID in (vm-2041,vm-2061)")
    assert sorted(str(p.metadata.name) for p in pods.items) == ["wave1-vm-2041-p7x2c", "wave1-vm-2061-zk4qd"]
    on_node = core.list_pod_for_all_namespaces(field_selector="spec.nodeName=worker-3,status.phase=Running")
    assert sorted(str(p.metadata.name) for p in on_node.items) == ["postgres-0", "wave1-vm-2041-p7x2c"]
    assert pods.metadata.resource_version
    assert [p.metadata.name for p in core.list_namespaced_pod("prod-db", label_selector="!tier").items] == []
    events = core.list_namespaced_event("app-migrated", field_selector="involvedObject.name=wave1-vm-2061-zk4qd")
    assert [(e.reason, e.count) for e in events.items] == [("FailedScheduling", 7)]
    with pytest.raises(ApiException) as bad:
        core.list_namespaced_pod("app-migrated", field_selector="spec.bogus=1")
    assert bad.value.status == 400
    assert "field label not supported" in status_of(bad.value)["message"]


def test_other_kinds(shared_sandbox: Sandbox) -> None:
    api = api_client(shared_sandbox)
    custom = client.CustomObjectsApi(api)
    assert [s.metadata.name for s in client.StorageV1Api(api).list_storage_class().items] == [
        "ocs-storagecluster-ceph-rbd-virtualization"
    ]
    nads = custom.list_namespaced_custom_object(
        "k8s.cni.cncf.io", "v1", "app-migrated", "network-attachment-definitions"
    )
    assert [n["metadata"]["name"] for n in nads["items"]] == ["br-prod-110"]
    route = custom.get_namespaced_custom_object("route.openshift.io", "v1", NS, "routes", "forklift-inventory")
    assert route["spec"]["host"] == f"127.0.0.1:{shared_sandbox.port}"
    assert "tls" not in route["spec"]
    crd = client.ApiextensionsV1Api(api).read_custom_resource_definition("plans.forklift.konveyor.io")
    assert crd.spec.names.kind == "Plan"
    providers = custom.list_namespaced_custom_object(GROUP, VERSION, NS, "providers")
    assert providers["kind"] == "ProviderList"
    assert len(providers["items"]) == 2


def test_pod_logs(shared_sandbox: Sandbox) -> None:
    core = client.CoreV1Api(api_client(shared_sandbox))
    text = core.read_namespaced_pod_log("wave1-vm-2041-p7x2c", "app-migrated", container="virt-v2v", tail_lines=1)
    assert text == "virt-v2v monitoring: Progress update, completed 42 %\n"
    for pod, message in [
        ("wave1-vm-2061-zk4qd", "does not have a host assigned"),
        ("wave1-vm-2072-init9", "is waiting to start: PodInitializing"),
    ]:
        with pytest.raises(ApiException) as error:
            core.read_namespaced_pod_log(pod, "app-migrated", container="virt-v2v")
        assert error.value.status == 400
        assert message in status_of(error.value)["message"]
    with pytest.raises(ApiException) as ambiguous:
        core.read_namespaced_pod_log("wave1-vm-2041-p7x2c", "app-migrated", previous=True)
    assert ambiguous.value.status == 400


@pytest.mark.usefixtures("crd_dir")  # CRD defaults
def test_create_update_patch_delete(sandbox: Sandbox) -> None:
    custom = client.CustomObjectsApi(api_client(sandbox))
    created = cast(dict[str, Any], custom.create_namespaced_custom_object(GROUP, VERSION, NS, "plans", plan_body()))
    assert created["spec"]["preserveStaticIPs"] is True
    assert created["metadata"]["uid"]
    with pytest.raises(ApiException) as exists:
        custom.create_namespaced_custom_object(GROUP, VERSION, NS, "plans", plan_body())
    assert (exists.value.status, status_of(exists.value)["reason"]) == (409, "AlreadyExists")
    stale = dict(created)
    created["spec"]["type"] = "warm"
    custom.replace_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave9", created)
    with pytest.raises(ApiException) as conflict:
        custom.replace_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave9", stale)
    assert (conflict.value.status, status_of(conflict.value)["reason"]) == (409, "Conflict")
    patched = custom.patch_namespaced_custom_object(
        GROUP, VERSION, NS, "plans", "wave9", {"spec": {"convertorNodeSelector": {"storage": "nvme"}}}
    )
    assert patched["spec"]["convertorNodeSelector"] == {"storage": "nvme"}
    affinity = {
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                {"labelSelector": {"matchLabels": {"tier": "database"}}, "topologyKey": "kubernetes.io/hostname"}
            ]
        }
    }
    patched = custom.patch_namespaced_custom_object(
        GROUP,
        VERSION,
        NS,
        "plans",
        "wave9",
        [{"op": "add", "path": "/spec/convertorAffinity", "value": affinity}],
        _content_type="application/json-patch+json",
    )
    assert patched["spec"]["convertorAffinity"] == affinity
    custom.delete_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave9")
    with pytest.raises(ApiException) as gone:
        custom.get_namespaced_custom_object(GROUP, VERSION, NS, "plans", "wave9")
    assert gone.value.status == 404
    assert status_of(gone.value)["message"] == 'plans.forklift.konveyor.io "wave9" not found'


def test_generate_name_and_core_patch(sandbox: Sandbox) -> None:
    core = client.CoreV1Api(api_client(sandbox))
    pod = client.V1Pod(
        metadata=client.V1ObjectMeta(generate_name="wave1-vm-2090-", labels={"a": "b"}),
        spec=client.V1PodSpec(containers=[client.V1Container(name="virt-v2v", image="i")]),
    )
    created = core.create_namespaced_pod("app-migrated", pod)
    assert created.metadata.name.startswith("wave1-vm-2090-")
    assert created.metadata.uid
    patched = core.patch_namespaced_pod(
        str(created.metadata.name), "app-migrated", {"metadata": {"labels": {"c": "d"}}}
    )
    assert patched.metadata.labels == {"a": "b", "c": "d"}


@pytest.mark.usefixtures("crd_dir")  # CRD schema
def test_schema_violations_are_422_with_causes(sandbox: Sandbox) -> None:
    custom = client.CustomObjectsApi(api_client(sandbox))
    with pytest.raises(ApiException) as error:
        custom.create_namespaced_custom_object(GROUP, VERSION, NS, "plans", plan_body(type="hot"))
    status = status_of(error.value)
    assert (error.value.status, status["reason"]) == (422, "Invalid")
    assert status["details"]["causes"] == [
        {
            "reason": "FieldValueNotSupported",
            "field": "spec.type",
            "message": 'Unsupported value: "hot": supported values: "cold", "warm", "live", "conversion"',
        }
    ]


@pytest.mark.usefixtures("crd_dir")  # CRD schema
def test_unknown_fields_warn_or_fail(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {sandbox.admin_token}"}
    url = f"{sandbox.url}/apis/{GROUP}/{VERSION}/namespaces/{NS}/plans"
    warned = httpx.post(url, json=plan_body("a", convertorTolerations=[]), headers=headers)
    assert warned.status_code == 201
    assert 'unknown field \\"spec.convertorTolerations\\"' in warned.headers["warning"]
    assert "convertorTolerations" not in warned.json()["spec"]
    strict = httpx.post(url + "?fieldValidation=Strict", json=plan_body("b", convertorTolerations=[]), headers=headers)
    assert strict.status_code == 400
    assert "strict decoding error" in strict.json()["message"]


def test_identities(shared_sandbox: Sandbox) -> None:
    url = f"{shared_sandbox.url}/api/v1/namespaces/app-migrated/pods"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}).json()["reason"] == "Unauthorized"
    viewer = api_client(shared_sandbox, shared_sandbox.viewer_token)
    core = client.CoreV1Api(viewer)
    assert core.list_namespaced_pod("app-migrated").items
    with pytest.raises(ApiException) as write:
        core.delete_namespaced_pod("wave1-vm-2041-p7x2c", "app-migrated")
    assert write.value.status == 403
    assert 'User "sandbox-viewer" cannot delete' in status_of(write.value)["message"]
    with pytest.raises(ApiException) as nobody:
        client.CoreV1Api(api_client(shared_sandbox, shared_sandbox.no_access_token)).list_node()
    assert nobody.value.status == 403
    review = client.AuthorizationV1Api(viewer).create_self_subject_access_review(
        client.V1SelfSubjectAccessReview(
            spec=client.V1SelfSubjectAccessReviewSpec(
                resource_attributes=client.V1ResourceAttributes(verb="create", group=GROUP, resource="plans")
            )
        )
    )
    assert review.status.allowed is False


def test_viewer_without_log_access(shared_sandbox: Sandbox) -> None:
    core = client.CoreV1Api(api_client(shared_sandbox, shared_sandbox.viewer_token))
    assert core.read_namespaced_pod_log("wave1-vm-2041-p7x2c", "app-migrated", container="virt-v2v")
    shared_sandbox.identities.viewer_can_read_logs = False
    try:
        with pytest.raises(ApiException) as denied:
            core.read_namespaced_pod_log("wave1-vm-2041-p7x2c", "app-migrated", container="virt-v2v")
        assert denied.value.status == 403
        assert 'resource "pods/log"' in status_of(denied.value)["message"]
    finally:
        shared_sandbox.identities.viewer_can_read_logs = True


@pytest.mark.usefixtures("crd_dir")  # CRD printer columns
def test_pagination_and_tables(shared_sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {shared_sandbox.admin_token}"}
    url = f"{shared_sandbox.url}/api/v1/pods"
    first = httpx.get(url, params={"limit": 2}, headers=headers).json()
    rest = httpx.get(url, params={"limit": 2, "continue": first["metadata"]["continue"]}, headers=headers).json()
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 2
    assert "continue" not in rest["metadata"]
    table = httpx.get(
        f"{shared_sandbox.url}/apis/{GROUP}/{VERSION}/namespaces/{NS}/plans",
        headers={**headers, "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
    ).json()
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name",
        "READY",
        "EXECUTING",
        "SUCCEEDED",
        "FAILED",
        "AGE",
    ]
    assert table["rows"][0]["cells"][:2] == ["wave1", "True"]


def test_watch_streams_changes(sandbox: Sandbox) -> None:
    headers = {"Authorization": f"Bearer {sandbox.admin_token}"}
    url = f"{sandbox.url}/apis/{GROUP}/{VERSION}/namespaces/{NS}/migrations"
    with httpx.stream("GET", url, params={"watch": "true", "timeoutSeconds": 5}, headers=headers) as response:
        lines = response.iter_lines()
        assert json.loads(next(lines))["type"] == "ADDED"
        sandbox.store.delete("migrations", NS, "wave1-x8k2p")
        assert json.loads(next(lines))["type"] == "DELETED"
