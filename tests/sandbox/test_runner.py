"""Starting sandboxes: data arguments, kubeconfig, TLS, plugins."""

from __future__ import annotations

import ssl

import httpx
import pytest
import yaml

from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.runner import Sandbox, resolve_data


@pytest.mark.parametrize("data", ["large:0", "large:x", "/no/such/folder"])
def test_bad_data_arguments(data: str) -> None:
    with pytest.raises(MtvError, match="--data"):
        resolve_data(data)


def test_empty_sandbox_has_base_objects_and_kubeconfig() -> None:
    stopped: list[bool] = []
    with Sandbox.start(data="empty", plugins=[lambda sb: lambda: stopped.append(True)]) as sb:
        kubeconfig = yaml.safe_load(sb.kubeconfig_path.read_text())
        assert kubeconfig["clusters"][0]["cluster"]["server"] == sb.url
        assert kubeconfig["users"][0]["user"]["token"] == sb.admin_token
        assert kubeconfig["current-context"] == "admin"
        contexts = {c["name"]: c["context"]["user"] for c in kubeconfig["contexts"]}
        assert contexts == {"admin": "admin", "viewer": "viewer", "no-access": "no-access", "tenant": "tenant"}
        tokens = {u["name"]: u["user"]["token"] for u in kubeconfig["users"]}
        assert (tokens["viewer"], tokens["tenant"]) == (sb.viewer_token, sb.tenant_token)
        names = {n["metadata"]["name"] for n in sb.store.list("namespaces")}
        assert {"default", "openshift-mtv"} <= names
        assert sb.store.get("crd", None, "plans.forklift.konveyor.io")["spec"]["names"]["kind"] == "Plan"
    assert stopped == [True]
    assert not sb.kubeconfig_path.exists()


def test_tls_sandbox_serves_https_with_its_certificate() -> None:
    with Sandbox.start(data="empty", tls=True) as sb:
        assert sb.url.startswith("https://")
        assert sb.tls is not None
        answer = httpx.get(f"{sb.url}/version", verify=ssl.create_default_context(cafile=sb.tls.cert_path))
        assert answer.json()["major"] == "1"
        route = sb.store.get("routes", "openshift-mtv", "forklift-inventory")
        assert route["spec"]["tls"] == {"termination": "passthrough"}
