"""The convertor pod as Forklift builds it, per version, and the plan-less preview."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.convertor.pod_template import (
    ConvertorSettings,
    convertor_selector,
    default_convertor_affinity,
    preview_convertor_pod,
    provider_has_convertor,
)
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.plan.checks import FORKLIFT_CONVERTOR_LABEL_KEYS
from mtv_mcp.sandbox.controller.convertor_pod import DiskVolume, build_convertor_pod, conversion_type

from .conftest import AVOID_DATABASES, MIGRATION_UID, PLAN_UID

PG = {"id": "vm-2041", "name": "pg-prod-01", "luks": {}}


def _matches(selector: str, labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in (part.split("=", 1) for part in selector.split(",")))


def test_demo_pod_has_the_2_12_shape(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    settings = ConvertorSettings(vddk_image="registry.example.com/mtv/vddk:8.0.3")
    disks = [DiskVolume(pvc_name="wave1-pg-prod-01-disk-0-ab12c"), DiskVolume(pvc_name="wave1-pg-prod-01-disk-1-x9")]
    pod = build_convertor_pod(
        plan, migration, PG, settings=settings, disks=disks, conversion_name="wave1-vm-2041-h4m7c"
    )
    meta, spec = pod["metadata"], pod["spec"]
    assert meta["generateName"] == "wave1-vm-2041-"
    assert meta["namespace"] == "app-migrated"
    assert meta["labels"] == {
        "forklift.app": "virt-v2v",
        "plan": PLAN_UID,
        "plan-name": "wave1",
        "plan-namespace": "openshift-mtv",
        "migration": MIGRATION_UID,
        "vmID": "vm-2041",
        "resource": "vm-config",
        "conversion-type": "Remote",
        "conversion": "wave1-vm-2041-h4m7c",
        "team": "migration",
        "wave": "1",
    }
    assert spec["nodeSelector"] == {
        "storage": "nvme",
        "network.example.com/vmware-migration": "true",
        "kubevirt.io/schedulable": "true",
    }
    assert spec["affinity"] == AVOID_DATABASES
    assert spec["restartPolicy"] == "Never"
    assert "tolerations" not in spec
    [container] = spec["containers"]
    assert container["name"] == "virt-v2v"
    assert container["resources"] == {
        "requests": {"cpu": "1", "memory": "1Gi", "devices.kubevirt.io/kvm": "1"},
        "limits": {"cpu": "4", "memory": "8Gi", "devices.kubevirt.io/kvm": "1"},
    }
    assert container["ports"] == [{"name": "metrics", "containerPort": 2112, "protocol": "TCP"}]
    assert {m["mountPath"] for m in container["volumeMounts"]} == {
        "/mnt/disks/disk0",
        "/mnt/disks/disk1",
        "/etc/secret",
        "/opt",
    }
    assert container["envFrom"] == [{"prefix": "V2V_", "secretRef": {"name": "wave1-vm-2041"}}]
    assert [c["name"] for c in spec["initContainers"]] == ["vddk-side-car"]
    assert spec["securityContext"]["runAsUser"] == 107
    assert _matches(convertor_selector(PLAN_UID, MIGRATION_UID, "vm-2041"), meta["labels"])
    assert _matches("forklift.app=virt-v2v,plan-name=wave1,plan-namespace=openshift-mtv", meta["labels"])


def test_builder_does_not_alias_the_plan(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    before = copy.deepcopy(plan)
    pod = build_convertor_pod(plan, migration, PG)
    pod["spec"]["affinity"]["podAntiAffinity"]["x"] = 1
    pod["spec"]["nodeSelector"]["extra"] = "1"
    assert plan == before


def test_2_11_has_no_plan_name_and_system_labels_win(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    plan["spec"]["convertorLabels"] = {"plan": "mine", "forklift.app": "mine", "team": "migration"}
    labels = build_convertor_pod(plan, migration, PG, settings=ConvertorSettings(version="2.11.7"))["metadata"][
        "labels"
    ]
    assert labels == {
        "forklift.app": "virt-v2v",
        "plan": PLAN_UID,
        "migration": MIGRATION_UID,
        "vmID": "vm-2041",
        "resource": "vm-config",
        "team": "migration",
    }


def test_2_12_lets_user_labels_override_all_but_forklift_app(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    plan["spec"]["convertorLabels"] = {"plan": "mine", "forklift.app": "mine"}
    labels = build_convertor_pod(plan, migration, PG)["metadata"]["labels"]
    assert labels["plan"] == "mine"
    assert labels["forklift.app"] == "virt-v2v"
    assert not _matches(convertor_selector(PLAN_UID), labels)


def test_without_convertor_affinity_forklift_spreads(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    del plan["spec"]["convertorAffinity"]
    pod = build_convertor_pod(plan, migration, PG)
    term = pod["spec"]["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["weight"] == 100
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
    assert term["podAffinityTerm"]["namespaceSelector"] == {}
    assert pod["spec"]["affinity"] == default_convertor_affinity()


@pytest.mark.parametrize(
    ("provider", "version", "kvm"),
    [
        ("vsphere", "2.10", True),
        ("ova", "2.11", True),
        ("hyperv", "2.11", False),
        ("hyperv", "2.12", True),
        ("ec2", "2.12", False),
    ],
)
def test_kvm_request_by_provider_and_version(
    plan: dict[str, Any], migration: dict[str, Any], provider: Any, version: str, kvm: bool
) -> None:
    pod = build_convertor_pod(plan, migration, PG, settings=ConvertorSettings(provider_type=provider, version=version))
    requests = pod["spec"]["containers"][0]["resources"]["requests"]
    assert ("devices.kubevirt.io/kvm" in requests) is kvm
    assert ("kubevirt.io/schedulable" in pod["spec"]["nodeSelector"]) is kvm


def test_dont_request_kvm(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    pod = build_convertor_pod(plan, migration, PG, settings=ConvertorSettings(request_kvm=False))
    assert "devices.kubevirt.io/kvm" not in pod["spec"]["containers"][0]["resources"]["limits"]
    assert pod["spec"]["nodeSelector"] == plan["spec"]["convertorNodeSelector"]


def test_user_selector_wins_over_provider_selector(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    settings = ConvertorSettings(
        provider_type="ec2", provider_node_selector={"topology.kubernetes.io/zone": "a", "storage": "x"}
    )
    selector = build_convertor_pod(plan, migration, PG, settings=settings)["spec"]["nodeSelector"]
    assert selector == {"topology.kubernetes.io/zone": "a", **plan["spec"]["convertorNodeSelector"]}


def test_warm_plan_converts_in_place(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    plan["spec"]["type"] = "warm"
    pod = build_convertor_pod(plan, migration, PG)
    assert pod["metadata"]["labels"]["conversion-type"] == "InPlace"
    assert {"name": "V2V_inPlace", "value": "1"} in pod["spec"]["containers"][0]["env"]
    assert conversion_type({"spec": {"warm": True}}) == "InPlace"
    assert conversion_type({"spec": {"migrateSharedDisks": False}}) == "InPlace"
    assert conversion_type({"spec": {}}, local_destination=False) == "InPlace"
    assert conversion_type({"spec": {"type": "cold"}}) == "Remote"


@pytest.mark.parametrize(
    ("spec", "provider", "vm_id", "expected"),
    [
        ({}, "ec2", None, "InPlace"),
        ({"type": "cold"}, "ec2", None, "InPlace"),
        ({"type": "warm"}, "ova", None, "Remote"),
        ({"migrateSharedDisks": False}, "hyperv", None, "Remote"),
        ({"type": "conversion"}, "vsphere", None, "InPlace"),
        (
            {"migrateSharedDisks": False, "vms": [{"id": "vm-1", "migrateSharedDisks": True}]},
            "vsphere",
            "vm-1",
            "Remote",
        ),
        (
            {"migrateSharedDisks": False, "vms": [{"id": "vm-1", "migrateSharedDisks": True}]},
            "vsphere",
            "vm-2",
            "InPlace",
        ),
        ({"vms": [{"id": "vm-1", "migrateSharedDisks": False}]}, "vsphere", "vm-1", "InPlace"),
        ({"vms": [{"id": "vm-1"}]}, "vsphere", "vm-1", "Remote"),
    ],
)
def test_conversion_type_follows_forklift_per_source_and_vm(
    spec: dict[str, Any], provider: str, vm_id: str | None, expected: str
) -> None:
    assert conversion_type({"spec": spec}, provider_type=provider, vm_id=vm_id) == expected


def test_ec2_pod_converts_in_place(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    pod = build_convertor_pod(plan, migration, PG, settings=ConvertorSettings(provider_type="ec2"))
    assert pod["metadata"]["labels"]["conversion-type"] == "InPlace"


def test_optional_volumes_env_and_annotations(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    plan["spec"].update(
        conversionTempStorageClass="fast",
        conversionTempStorageSize="100Gi",
        transferNetwork={"name": "br-transfer", "namespace": "app-migrated"},
        customizationScripts={"name": "scripts"},
        serviceAccount="migrator",
        virtV2vImage="quay.io/custom/v2v:1",
    )
    vm = {**PG, "luks": {"name": "luks-keys"}, "rootDisk": "/dev/sda", "targetName": "pg-new"}
    pod = build_convertor_pod(
        plan, migration, vm, disks=[DiskVolume(pvc_name="d0", block=True)], settings=ConvertorSettings(smp=4)
    )
    spec = pod["spec"]
    container = spec["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["TMPDIR"] == "/var/tmp/virt-v2v"
    assert env["V2V_RootDisk"] == "/dev/sda"
    assert env["V2V_NewName"] == "pg-new"
    assert env["V2V_smp"] == "4"
    assert container["volumeDevices"] == [{"name": "d0", "devicePath": "/dev/block0"}]
    assert container["image"] == "quay.io/custom/v2v:1"
    paths = {m["mountPath"] for m in container["volumeMounts"]}
    assert {"/etc/luks", "/mnt/dynamic_scripts", "/var/tmp/virt-v2v"} <= paths
    assert spec["serviceAccountName"] == "migrator"
    assert pod["metadata"]["annotations"] == {"k8s.v1.cni.cncf.io/networks": "app-migrated/br-transfer"}
    assert "initContainers" not in spec  # no VDDK image configured


def test_preview_pod_without_a_plan() -> None:
    pod = preview_convertor_pod(
        "app-migrated", node_selector={"storage": "nvme"}, affinity=AVOID_DATABASES, labels={"team": "m"}
    )
    assert pod["metadata"]["namespace"] == "app-migrated"
    assert pod["metadata"]["labels"] == {"forklift.app": "virt-v2v", "team": "m"}
    assert pod["spec"]["nodeSelector"] == {"storage": "nvme", "kubevirt.io/schedulable": "true"}
    assert pod["spec"]["affinity"] == AVOID_DATABASES
    assert preview_convertor_pod("ns")["spec"]["affinity"] == default_convertor_affinity()


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda p: p["spec"].pop("targetNamespace"), "spec.targetNamespace"),
        (lambda p: p["metadata"].pop("uid"), "plan metadata.uid"),
        (lambda p: p["spec"].update(convertorLabels={"wave": 1}), "spec.convertorLabels"),
        (lambda p: p["spec"].update(convertorAffinity={"podAntiAffinity": {"bogus": []}}), "spec.convertorAffinity"),
    ],
)
def test_bad_plans_name_the_field(plan: dict[str, Any], migration: dict[str, Any], mutate: Any, field: str) -> None:
    mutate(plan)
    with pytest.raises(MtvError) as caught:
        build_convertor_pod(plan, migration, PG)
    assert caught.value.field is not None
    assert caught.value.field.startswith(field)
    assert caught.value.hint


def test_vm_without_id_and_old_versions_are_refused(plan: dict[str, Any], migration: dict[str, Any]) -> None:
    with pytest.raises(MtvError, match="missing") as caught:
        build_convertor_pod(plan, migration, {"name": "pg-prod-01"})
    assert caught.value.field == "vm id"
    with pytest.raises(ValueError, match=r"2\.10"):
        ConvertorSettings(version="2.9.3")
    with pytest.raises(ValueError, match="not a Forklift version"):
        ConvertorSettings(version="latest")


def test_providers_without_convertor() -> None:
    assert not provider_has_convertor("ovirt")
    assert not provider_has_convertor("openshift")
    assert provider_has_convertor("vsphere")


_user_keys = st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True).filter(
    lambda k: k not in FORKLIFT_CONVERTOR_LABEL_KEYS
)


@given(st.dictionaries(_user_keys, st.from_regex(r"[a-z0-9]{0,8}", fullmatch=True), max_size=6))
def test_user_labels_are_added_and_selectors_still_find_the_pod(user: dict[str, str]) -> None:
    plan = {
        "metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
        "spec": {"targetNamespace": "t", "convertorLabels": user},
    }
    for version in ("2.10", "2.12"):
        labels = build_convertor_pod(
            plan, {"metadata": {"uid": "m1"}}, {"id": "vm-1"}, settings=ConvertorSettings(version=version)
        )["metadata"]["labels"]
        assert user.items() <= labels.items()
        assert _matches(convertor_selector("u1", "m1", "vm-1"), labels)
