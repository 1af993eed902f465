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
        assert route["spec"]["tls"] == {"termination": "reencrypt", "insecureEdgeTerminationPolicy": "Redirect"}


def test_tls_sandbox_serves_the_inventory_route_with_its_ingress_ca() -> None:
    """The Route is served by the ingress with a certificate of the ingress CA, which the cluster
    publishes in openshift-config-managed/default-ingress-cert for every authenticated user."""
    with Sandbox.start(data="demo", tls=True) as sb:
        assert sb.tls is not None
        assert sb.ingress_tls is not None
        assert sb.inventory_url is not None
        assert sb.inventory_url != sb.url
        route = sb.store.get("routes", "openshift-mtv", "forklift-inventory")
        assert f"https://{route['spec']['host']}" == sb.inventory_url
        headers = {"Authorization": f"Bearer {sb.tenant_token}"}
        published = httpx.get(
            f"{sb.url}/api/v1/namespaces/openshift-config-managed/configmaps/default-ingress-cert",
            headers=headers,
            verify=ssl.create_default_context(cafile=sb.tls.cert_path),
        ).json()["data"]["ca-bundle.crt"]
        assert published == sb.ingress_tls.ca_pem
        ingress = ssl.create_default_context(cadata=published)
        answer = httpx.get(f"{sb.inventory_url}/providers?namespace=openshift-mtv", headers=headers, verify=ingress)
        assert answer.status_code == 200
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(f"{sb.inventory_url}/providers", verify=ssl.create_default_context(cafile=sb.tls.cert_path))
