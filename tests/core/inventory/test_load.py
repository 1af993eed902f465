"""InventoryClient and load_vms against the sandbox's Forklift inventory (demo data): auth, errors,
enrichment, the cache."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from mtv_mcp.core.cluster import ClusterClient
from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import Credentials
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory import Connection, EnrichedInventory, InventoryClient, InventoryError, load_vms, stream
from mtv_mcp.core.inventory.client import TLS_HINT, InventoryUnreachable, tls_verify
from mtv_mcp.core.inventory.discovery import route_url, service_url
from mtv_mcp.core.runtime import Runtime
from mtv_mcp.sandbox.runner import Sandbox

ADMIN = Sandbox.admin_token
VSPHERE_UID = "0b5e7a1c-1111-4a6e-9c2d-5f0e00000001"
ALL_PROVIDERS = ["host", "openstack-lab", "ova-archive", "ovirt-legacy", "vsphere-prod"]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox.start(data="demo") as running:
        yield running


def load(runtime: Runtime, credentials: Credentials, *args: Any, **kwargs: Any) -> EnrichedInventory:
    """``load_vms`` over one call's connection, with the runtime's cache."""
    with Connection(credentials, runtime.settings) as connection:
        return load_vms(connection, runtime.inventory_cache, *args, **kwargs)


def runtime_for(sandbox: Sandbox, **settings: object) -> Runtime:
    return Runtime(Settings(inventory_url=sandbox.inventory_url, request_timeout=2, **settings))


def token(value: str, server: str = "http://127.0.0.1:9") -> Credentials:
    return Credentials(source="flags", server=server, token=SecretStr(value))


def test_load_vms_resolves_the_provider_and_enriches(sandbox: Sandbox) -> None:
    loaded = load(runtime_for(sandbox), token(ADMIN, sandbox.url), "vsphere-prod")
    assert loaded.provider.uid == VSPHERE_UID
    assert loaded.provider.vm_count == len(loaded.vms) == 13
    pg = next(vm for vm in loaded.vms if vm["name"] == "pg-prod-01")
    assert pg["hostCluster"] == {"id": "domain-c8", "name": "Cluster-Prod"}
    assert pg["hypervisorHost"] == "esxi-01.corp.example.com"
    assert pg["diskCapacityGB"] == 600.0
    assert loaded.warnings == ()


def test_provider_by_uid_and_unknown_provider(sandbox: Sandbox) -> None:
    runtime = runtime_for(sandbox)
    assert load(runtime, token(ADMIN, sandbox.url), VSPHERE_UID).provider.name == "vsphere-prod"
    with pytest.raises(MtvError) as caught:
        load(runtime, token(ADMIN, sandbox.url), "vsphere-test")
    assert caught.value.message == "provider 'vsphere-test' not found in namespace openshift-mtv"
    assert (
        caught.value.hint == "providers in openshift-mtv: host, openstack-lab, ova-archive, ovirt-legacy, vsphere-prod"
    )
    with pytest.raises(MtvError, match="pass namespace='openshift-mtv'"):
        load(runtime, token(ADMIN, sandbox.url), "vsphere-prod", namespace="other")


def test_cache_per_credentials_and_refresh(sandbox: Sandbox) -> None:
    runtime = runtime_for(sandbox)
    first = load(runtime, token(ADMIN, sandbox.url), "vsphere-prod")
    with sandbox.faults.injected("/providers*=delay:0") as (requests,):  # counts inventory requests
        assert load(runtime, token(ADMIN, sandbox.url), "vsphere-prod") is first
        assert requests.hits == 1  # the token's authorization for the provider, not a new fetch
        assert load(runtime, token(ADMIN, sandbox.url), "vsphere-prod", refresh=True) is not first
        assert requests.hits > 0
    with sandbox.faults.injected("/providers*=delay:0") as (requests,):
        viewer = load(runtime, token("sandbox-viewer-token", sandbox.url), "vsphere-prod")
        assert requests.hits > 0  # another token is never answered from the admin's cache
    assert [vm["id"] for vm in viewer.vms] == [vm["id"] for vm in first.vms]
    with pytest.raises(MtvError, match=r"\(403\)"):
        load(runtime, token("sandbox-no-access-token", sandbox.url), "vsphere-prod")


def test_cache_can_be_off(sandbox: Sandbox) -> None:
    runtime = runtime_for(sandbox, inventory_cache_seconds=0)
    with sandbox.faults.injected("/providers*=delay:0") as (requests,):
        load(runtime, token(ADMIN, sandbox.url), "vsphere-prod")
        once = requests.hits
        load(runtime, token(ADMIN, sandbox.url), "vsphere-prod")
    assert once > 0
    assert requests.hits == 2 * once  # the second call fetched everything again


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        ("wrong", "rejected the credentials (401"),
        ("sandbox-no-access-token", "may not get provider 'vsphere-prod' in namespace openshift-mtv (403)"),
    ],
)
def test_auth_failures(sandbox: Sandbox, credential: str, expected: str) -> None:
    with pytest.raises(MtvError) as caught:
        load(runtime_for(sandbox), token(credential, sandbox.url), "vsphere-prod")
    assert expected in caught.value.message


def test_namespace_scoped_user_reads_its_providers(sandbox: Sandbox) -> None:
    """A tenant of openshift-mtv may not list providers cluster-wide in the inventory (forklift
    pkg/controller/provider/web/base/auth.go); the provider comes from the Kubernetes API instead."""
    loaded = load(runtime_for(sandbox), token(Sandbox.tenant_token, sandbox.url), "vsphere-prod")
    assert (loaded.provider.uid, loaded.provider.phase, len(loaded.vms)) == (VSPHERE_UID, "Ready", 13)
    with InventoryClient(str(sandbox.inventory_url), Sandbox.tenant_token, timeout=2, verify=True) as client:
        with pytest.raises(InventoryError, match=r"\(403\)"):
            client.providers()
        assert sorted(p.name for p in client.providers("openshift-mtv")) == ALL_PROVIDERS


def test_server_errors_timeouts_and_recovery(sandbox: Sandbox) -> None:
    client = InventoryClient(str(sandbox.inventory_url), ADMIN, timeout=1.0, verify=True)
    with sandbox.faults.injected("GET /providers=500"), pytest.raises(InventoryError, match=r"\(HTTP 500\)"):
        client.providers()
    with sandbox.faults.injected("GET /providers=hang"), pytest.raises(InventoryError, match="within 1 s"):
        client.providers()
    assert sorted(p.name for p in client.providers()) == ALL_PROVIDERS
    client.close()


def test_unknown_provider_uid_is_provider_not_found(sandbox: Sandbox) -> None:
    with InventoryClient(str(sandbox.inventory_url), ADMIN, timeout=2, verify=True) as client:
        provider = next(p for p in client.providers() if p.name == "vsphere-prod").model_copy(update={"uid": "nope"})
        with pytest.raises(InventoryError, match="ProviderNotFound"):
            client.collection(provider, "vms")


def test_unreachable_inventory(sandbox: Sandbox) -> None:
    runtime = Runtime(Settings(inventory_url="http://127.0.0.1:9", request_timeout=2))
    with pytest.raises(InventoryError, match=r"cannot reach the Forklift inventory at http://127.0.0.1:9") as caught:
        load(runtime, token(ADMIN, sandbox.url), "vsphere-prod")
    assert isinstance(caught.value, InventoryUnreachable)
    assert caught.value.status is None


def test_untrusted_inventory_certificate_is_a_tls_failure(sandbox_crds: Path | None) -> None:
    with Sandbox.start(data="demo", crds=sandbox_crds, tls=True) as tls_sandbox:
        url = str(tls_sandbox.inventory_url)
        with (
            InventoryClient(url, ADMIN, timeout=2, verify=True) as client,
            pytest.raises(InventoryUnreachable) as caught,
        ):
            client.providers()
        assert caught.value.message.startswith(f"TLS verification of the Forklift inventory at {url} failed")
        assert caught.value.hint == TLS_HINT
        assert tls_sandbox.ingress_tls is not None
        ca = tls_sandbox.ingress_tls.cert_path.with_name("ingress-ca.crt")
        ca.write_text(tls_sandbox.ingress_tls.ca_pem)
        with InventoryClient(url, ADMIN, timeout=2, verify=tls_verify(ca, False)) as client:
            assert "vsphere-prod" in {provider.name for provider in client.providers()}


def test_an_error_answer_is_not_unreachable(sandbox: Sandbox) -> None:
    with (
        sandbox.faults.injected("GET /providers=500"),
        InventoryClient(str(sandbox.inventory_url), ADMIN, timeout=2, verify=True) as client,
        pytest.raises(InventoryError) as caught,
    ):
        client.providers()
    assert not isinstance(caught.value, InventoryUnreachable)
    assert caught.value.status == 500


def test_no_token_for_the_inventory(tmp_path: object) -> None:
    credentials = Credentials(source="flags", server="http://127.0.0.1:9")
    with pytest.raises(MtvError, match="carry no bearer token"):
        load(Runtime(Settings(inventory_url="http://127.0.0.1:9")), credentials, "vsphere-prod")


def test_route_url_scheme_follows_tls() -> None:
    assert route_url({"spec": {"host": "inv.apps.example.com", "tls": {"termination": "reencrypt"}}}) == (
        "https://inv.apps.example.com"
    )
    assert route_url({"spec": {"host": "127.0.0.1:8080"}}) == "http://127.0.0.1:8080"
    assert route_url({"spec": {}}) is None


def test_provider_not_ready_is_said(sandbox: Sandbox) -> None:
    before = sandbox.store.get("providers", "openshift-mtv", "ovirt-legacy")["status"]
    sandbox.store.patch("providers", "openshift-mtv", "ovirt-legacy", {"status": {"phase": "ConnectionFailed"}})
    try:
        loaded = load(runtime_for(sandbox), token(ADMIN, sandbox.url), "ovirt-legacy", refresh=True)
    finally:
        sandbox.store.patch("providers", "openshift-mtv", "ovirt-legacy", {"status": before})
    assert loaded.provider.phase == "ConnectionFailed"
    assert loaded.warnings[0].startswith("provider 'ovirt-legacy' is not Ready (phase ConnectionFailed)")


def test_in_cluster_uses_the_inventory_service(sandbox: Sandbox) -> None:
    """In a pod the Service is reached directly (its certificate is signed by the service CA)."""
    with ClusterClient.connect(token(ADMIN, sandbox.url), Settings(request_timeout=2)) as cluster:
        assert service_url(cluster) == "https://forklift-inventory.openshift-mtv.svc:8443"


def test_collections_read_as_they_arrive_are_the_json_served() -> None:
    with (
        Sandbox.start(data="large:300") as large,
        InventoryClient(str(large.inventory_url), ADMIN, timeout=5, verify=True) as client,
    ):
        [provider] = [p for p in client.providers() if p.name == "vsphere-prod"]
        for name in ("vms", "hosts", "clusters", "datastores", "networks"):
            served = httpx.get(
                f"{large.inventory_url}/providers/vsphere/{provider.uid}/{name}",
                params={"detail": 4},
                headers={"Authorization": f"Bearer {ADMIN}"},
            )
            assert json.dumps(client.collection(provider, name)) == json.dumps(served.json()), name
            assert name != "vms" or len(served.content) > 4 * stream.SEGMENT  # the VMs came in several segments
