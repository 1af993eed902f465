"""The emulated Forklift inventory service, driven over HTTP (ASGI transport) with httpx."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.identity import ADMIN_TOKEN, NO_ACCESS_TOKEN, TENANT_TOKEN, Identities
from mtv_mcp.sandbox.inventory import create_inventory_app, generate, load_inventory

pytestmark = pytest.mark.anyio

DEMO = Path(__file__).resolve().parents[3] / "sandbox" / "data" / "demo" / "inventory"
VS = "0b5e7a1c-1111-4a6e-9c2d-5f0e00000001"
OV = "0b5e7a1c-2222-4a6e-9c2d-5f0e00000002"
OC = "0b5e7a1c-3333-4a6e-9c2d-5f0e00000003"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
check = Identities().check_inventory_request


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_inventory_app(DEMO, check)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://inventory") as http:
        yield http


async def get(client: httpx.AsyncClient, path: str) -> object:
    response = await client.get(path, headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


async def test_tokens_are_checked(client: httpx.AsyncClient) -> None:
    assert (await client.get("/providers")).status_code == 401
    assert (await client.get("/providers", headers={"Authorization": "Basic abc"})).status_code == 401
    assert (await client.get("/providers", headers={"Authorization": "Bearer wrong"})).status_code == 401
    assert (
        await client.get(f"/providers/vsphere/{VS}/vms", headers={"Authorization": f"Bearer {NO_ACCESS_TOKEN}"})
    ).status_code == 403


async def test_namespace_scoped_user_is_authorized_like_forklift(client: httpx.AsyncClient) -> None:
    """forklift pkg/controller/provider/web/base/auth.go: list providers in the namespace asked for
    (cluster-wide without one), get on the provider for its own paths."""
    tenant = {"Authorization": f"Bearer {TENANT_TOKEN}"}
    assert (await client.get("/providers?detail=1", headers=tenant)).status_code == 403
    assert (await client.get("/providers/vsphere", headers=tenant)).status_code == 403
    mine = await client.get("/providers?detail=1&namespace=openshift-mtv", headers=tenant)
    assert mine.status_code == 200
    assert [p["name"] for p in mine.json()["vsphere"]] == ["vsphere-prod"]
    assert (await client.get(f"/providers/vsphere/{VS}/vms", headers=tenant)).status_code == 200
    elsewhere = await client.get("/providers?namespace=default", headers=AUTH)
    assert all(not items for items in elsewhere.json().values())


async def test_unknown_provider_is_404_with_reason(client: httpx.AsyncClient) -> None:
    for path in ("/providers/vsphere/no-such-uid", "/providers/vsphere/no-such-uid/vms", f"/providers/ovirt/{VS}/vms"):
        response = await client.get(path, headers=AUTH)
        assert response.status_code == 404
        assert response.headers["X-Reason"] == "ProviderNotFound"
    for path in ("/providers/vmware", f"/providers/vsphere/{VS}/resourcepools", f"/providers/vsphere/{VS}/vms/vm-1"):
        response = await client.get(path, headers=AUTH)
        assert response.status_code == 404
        assert "X-Reason" not in response.headers
    assert (await client.get("/providers?detail=lots", headers=AUTH)).status_code == 400


async def test_provider_list_by_detail(client: httpx.AsyncClient) -> None:
    summary = await get(client, "/providers")
    assert isinstance(summary, dict)
    assert set(summary) == {"openshift", "vsphere", "ovirt", "openstack", "ova", "ec2", "hyperv"}
    assert summary["vsphere"] == [
        {
            "uid": VS,
            "version": "1",
            "namespace": "openshift-mtv",
            "name": "vsphere-prod",
            "selfLink": f"providers/vsphere/{VS}",
            "id": VS,
        }
    ]
    detailed = await get(client, "/providers?detail=4")
    assert isinstance(detailed, dict)
    vsphere = detailed["vsphere"][0]
    assert vsphere["object"]["spec"]["settings"]["vddkInitImage"] == "registry.example.com/mtv/vddk:8.0.3"
    assert vsphere["object"]["status"]["phase"] == "Ready"
    assert (vsphere["vmCount"], vsphere["hostCount"], vsphere["clusterCount"]) == (13, 4, 2)
    assert (vsphere["datastoreCount"], vsphere["networkCount"], vsphere["datacenterCount"]) == (4, 4, 1)
    host = await get(client, f"/providers/openshift/{OC}?detail=1")
    assert isinstance(host, dict)
    assert (host["storageClassCount"], host["networkCount"], host["vmCount"]) == (4, 4, 0)
    ovirt = await get(client, "/providers/ovirt?detail=all")
    assert isinstance(ovirt, list)
    assert ovirt[0]["storageDomainCount"] == 1


async def test_vms_list_is_full_without_templates(client: httpx.AsyncClient) -> None:
    vms = await get(client, f"/providers/vsphere/{VS}/vms")
    assert isinstance(vms, list)
    assert len(vms) == 13
    assert "tmpl-rhel9" not in {vm["name"] for vm in vms}
    pg = next(vm for vm in vms if vm["id"] == "vm-2041")
    assert pg["path"] == "/DC-East/vm/Production/Databases/pg-prod-01"
    assert [d["capacity"] for d in pg["disks"]] == [107374182400, 536870912000]
    assert "cluster" not in pg
    assert "guestOS" not in pg
    big = {vm["name"] for vm in vms if sum(d["capacity"] for d in vm["disks"]) > 500 * 1024**3}
    assert big == {"pg-prod-01", "pg-prod-02", "win-sql-01", "file-srv-01"}
    critical = {vm["name"] for vm in vms if any(c["category"] == "Critical" for c in vm["concerns"])}
    assert critical == {"gpu-render-01"}
    template = await get(client, f"/providers/vsphere/{VS}/vms/vm-2099")
    assert isinstance(template, dict)
    assert template["isTemplate"] is True


async def test_detail_zero_lists_are_summaries(client: httpx.AsyncClient) -> None:
    hosts = await get(client, f"/providers/vsphere/{VS}/hosts")
    assert isinstance(hosts, list)
    assert set(hosts[0]) == {"id", "parent", "path", "revision", "name", "selfLink"}
    full = await get(client, f"/providers/vsphere/{VS}/hosts?detail=4")
    assert isinstance(full, list)
    assert full[0]["cluster"] == "domain-c8"
    one = await get(client, f"/providers/vsphere/{VS}/hosts/host-24")
    assert isinstance(one, dict)
    assert (one["cluster"], one["cpuCores"]) == ("domain-c9", 12)
    classes = await get(client, f"/providers/openshift/{OC}/storageclasses")
    assert isinstance(classes, list)
    assert set(classes[0]) == {"uid", "version", "namespace", "name", "selfLink", "id"}
    nads = await get(client, f"/providers/openshift/{OC}/networkattachmentdefinitions?detail=4")
    assert isinstance(nads, list)
    assert {f"{n['namespace']}/{n['name']}" for n in nads} == {
        "app-migrated/br-prod-110",
        "app-migrated/db-vlan-120",
        "default/migration-net",
        "openshift-mtv/unused-nad",
    }
    classes = await get(client, f"/providers/openshift/{OC}/storageclasses?detail=4")
    assert isinstance(classes, list)
    default_virt = [
        c["name"]
        for c in classes
        if c["object"]["metadata"]["annotations"].get("storageclass.kubevirt.io/is-default-virt-class") == "true"
    ]
    assert default_virt == ["ocs-storagecluster-ceph-rbd-virtualization"]


async def test_name_filter_and_ovirt(client: httpx.AsyncClient) -> None:
    by_name = await get(client, f"/providers/vsphere/{VS}/vms?name=win-sql-01")
    by_path = await get(client, f"/providers/vsphere/{VS}/vms?name=/DC-East/vm/Production/Databases/win-sql-01")
    assert by_name == by_path
    assert isinstance(by_name, list)
    assert [vm["id"] for vm in by_name] == ["vm-2061"]
    ovirt = await get(client, f"/providers/ovirt/{OV}/vms?detail=4")
    assert isinstance(ovirt, list)
    memory = {vm["name"]: vm["memory"] for vm in ovirt}
    assert memory["erp-db-01"] == 68719476736
    erp_db = next(vm for vm in ovirt if vm["name"] == "erp-db-01")
    disk = await get(client, f"/providers/ovirt/{OV}/disks/{erp_db['diskAttachments'][1]['disk']}")
    assert isinstance(disk, dict)
    assert disk["provisionedSize"] == 400 * 1024**3
    assert await get(client, f"/providers/ovirt/{OV}/servercpus") == []


async def test_generated_inventory_is_seeded_and_served() -> None:
    first, again, other = generate(2000, seed=7), generate(2000, seed=7), generate(2000, seed=8)
    vsphere = next(p for p in first.providers if p.type == "vsphere")
    assert vsphere.list_bytes("vms", 4) == next(p for p in again.providers if p.type == "vsphere").list_bytes("vms", 4)
    assert vsphere.list_bytes("vms", 4) != next(p for p in other.providers if p.type == "vsphere").list_bytes("vms", 4)
    app = create_inventory_app(first, check)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://inventory") as client:
        vms = await get(client, f"/providers/vsphere/{VS}/vms")
        provider = await get(client, f"/providers/vsphere/{VS}?detail=1")
    assert isinstance(vms, list)
    assert isinstance(provider, dict)
    assert provider["vmCount"] == len(vms)
    templates = sum(1 for vm in vsphere.collections["vms"] if vm["isTemplate"])
    assert len(vms) == 2000 + 13 + 1 - templates  # generated + demo VMs + demo template, minus templates
    assert "vm-2041" in {vm["id"] for vm in vms}
    hosts = {h["id"] for h in vsphere.collections["hosts"]}
    datastores = {d["id"] for d in vsphere.collections["datastores"]}
    assert all(vm["host"] in hosts for vm in vms)
    assert all(d["datastore"]["id"] in datastores for vm in vms for d in vm["disks"])
    assert {vm["powerState"] for vm in vms} == {"poweredOn", "poweredOff", "suspended"}
    assert len({vm["guestId"] for vm in vms}) >= 10
    assert any("ipAddress" not in vm for vm in vms)
    assert {c["category"] for vm in vms for c in vm["concerns"]} == {"Critical", "Warning", "Information"}


def test_bad_inventory_folder_is_explained(tmp_path: Path) -> None:
    with pytest.raises(MtvError, match=r"providers\.json"):
        load_inventory(tmp_path)
    (tmp_path / "providers.json").write_text(json.dumps([{"type": "vmware", "object": {"metadata": {"uid": "x"}}}]))
    with pytest.raises(MtvError, match="unknown provider type 'vmware'"):
        load_inventory(tmp_path)
    (tmp_path / "providers.json").write_text('[{"type": "vsphere", ')
    with pytest.raises(MtvError, match="not valid JSON"):
        load_inventory(tmp_path)
