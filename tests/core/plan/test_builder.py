"""build_plan_objects on the demo data: exact objects, defaults, maps, checks and warnings."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.karl import parse_rules
from mtv_mcp.core.plan import PlanRequest, build_plan_objects, map_owner_patch, objects_as_yaml
from mtv_mcp.sandbox.crdschema import CrdCatalog

NS = "openshift-mtv"
API = "forklift.konveyor.io/v1beta1"
AVOID_DB = parse_rules("AVOID pods(tier=database) on node").to_affinity().to_kube()


def ref(kind: str, name: str) -> dict[str, str]:
    return {"kind": kind, "apiVersion": API, "name": name, "namespace": NS}


def wave1_request(**changes: Any) -> PlanRequest:
    base: dict[str, Any] = {
        "name": "wave1",
        "namespace": NS,
        "source_provider": "vsphere-prod",
        "target_namespace": "app-migrated",
        "migration_type": "cold",
        "convertor_labels": "team=migration,wave=1",
        "convertor_node_selector": {"storage": "nvme", "network.example.com/vmware-migration": "true"},
        "convertor_affinity": AVOID_DB,
    }
    return PlanRequest(**{**base, **changes})


def build(request: PlanRequest, facts: dict[str, Any], vms: list[dict[str, Any]]) -> Any:
    return build_plan_objects(request, vms=vms, **facts)


def test_demo_wave1_plan_and_maps_are_exact(facts: dict[str, Any], demo_vms: Any, catalog: CrdCatalog) -> None:
    result = build(wave1_request(), facts, demo_vms("web-frontend-01", "pg-prod-01", "win-sql-01"))
    providers = {"source": ref("Provider", "vsphere-prod"), "destination": ref("Provider", "host")}
    assert result.plan.to_kube() == {
        "apiVersion": API,
        "kind": "Plan",
        "metadata": {"name": "wave1", "namespace": NS},
        "spec": {
            "targetNamespace": "app-migrated",
            "provider": providers,
            "map": {
                "network": ref("NetworkMap", "wave1-network-map"),
                "storage": ref("StorageMap", "wave1-storage-map"),
            },
            "vms": [
                {"id": "vm-2050", "name": "web-frontend-01", "luks": {}},
                {"id": "vm-2041", "name": "pg-prod-01", "luks": {}},
                {"id": "vm-2061", "name": "win-sql-01", "luks": {}},
            ],
            "type": "cold",
            "convertorLabels": {"team": "migration", "wave": "1"},
            "convertorNodeSelector": {"network.example.com/vmware-migration": "true", "storage": "nvme"},
            "convertorAffinity": {
                "podAntiAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "labelSelector": {"matchLabels": {"tier": "database"}},
                            "topologyKey": "kubernetes.io/hostname",
                        }
                    ]
                }
            },
            "preserveStaticIPs": True,
            "migrateSharedDisks": True,
            "runPreflightInspection": True,
            "useCompatibilityMode": True,
        },
    }
    assert result.network_map is not None
    assert result.network_map.to_kube() == {
        "apiVersion": API,
        "kind": "NetworkMap",
        "metadata": {"name": "wave1-network-map", "namespace": NS},
        "spec": {
            "provider": providers,
            "map": [
                {
                    "source": {"id": "dvportgroup-45", "name": "prod-vlan-110"},
                    "destination": {"type": "multus", "namespace": "app-migrated", "name": "br-prod-110"},
                },
                {"source": {"id": "dvportgroup-46", "name": "db-vlan-120"}, "destination": {"type": "ignored"}},
            ],
        },
    }
    virt = {"storageClass": "ocs-storagecluster-ceph-rbd-virtualization"}
    assert result.storage_map is not None
    assert result.storage_map.to_kube() == {
        "apiVersion": API,
        "kind": "StorageMap",
        "metadata": {"name": "wave1-storage-map", "namespace": NS},
        "spec": {
            "provider": providers,
            "map": [
                {"source": {"id": "datastore-32", "name": "ds-sas-01"}, "destination": virt},
                {"source": {"id": "datastore-31", "name": "ds-nvme-01"}, "destination": virt},
                {"source": {"id": "datastore-34", "name": "vsan-prod"}, "destination": virt},
            ],
        },
    }
    for obj in result.objects():
        assert catalog.validate(obj) == [], obj["kind"]
    # the destination was resolved (as create_plan does) but not named by the user: still a default
    assert result.defaults == ["No target provider specified, using default OpenShift provider: host"]
    assert len(result.warnings) == 1
    assert "replaces Forklift's default" in result.warnings[0]


def test_defaults_target_provider_and_namespace(facts: dict[str, Any], demo_vms: Any, catalog: CrdCatalog) -> None:
    request = PlanRequest(name="p1", namespace=NS, source_provider="vsphere-prod")
    result = build_plan_objects(request, **facts, vms=demo_vms("win-ad-01"))
    spec = result.plan.to_kube()["spec"]
    assert spec["provider"]["destination"] == ref("Provider", "host")
    assert spec["targetNamespace"] == NS
    assert "type" not in spec
    assert result.defaults == [
        "No target provider specified, using default OpenShift provider: host",
        "No target namespace specified, using plan namespace: openshift-mtv",
    ]
    # The target namespace is now the plan namespace, so its NAD comes first (before default/...).
    assert result.network_map is not None
    assert result.network_map.to_kube()["spec"]["map"] == [
        {
            "source": {"id": "network-17", "name": "VM Network"},
            "destination": {"type": "multus", "namespace": NS, "name": "unused-nad"},
        }
    ]
    assert result.warnings == []
    assert catalog.validate(result.plan.to_kube()) == []


def test_pod_network_when_no_nad_fits_and_dummy_pair_without_networks(
    facts: dict[str, Any], demo_vms: Any, make_vm: Any, catalog: CrdCatalog
) -> None:
    facts["nads"] = [n for n in facts["nads"] if n["namespace"] != "default"]
    request = PlanRequest(name="p2", namespace=NS, source_provider="vsphere-prod", target_namespace="analytics")
    result = build(request, facts, demo_vms("win-ad-01"))
    assert result.network_map is not None
    assert result.network_map.to_kube()["spec"]["map"][0]["destination"] == {"type": "pod"}
    bare = build(request, facts, [make_vm("vm-9", "bare", [], [])])
    assert bare.network_map is not None
    assert bare.storage_map is not None
    assert bare.network_map.to_kube()["spec"]["map"] == [{"source": {"type": "pod"}, "destination": {"type": "pod"}}]
    assert bare.storage_map.to_kube()["spec"]["map"] == []
    for obj in bare.objects():
        assert catalog.validate(obj) == [], obj["kind"]


@pytest.mark.parametrize(
    ("requested", "expected"),
    [
        ("default", {"type": "pod"}),
        ("app-migrated/db-vlan-120", {"type": "multus", "namespace": "app-migrated", "name": "db-vlan-120"}),
        ("local-net", {"type": "multus", "namespace": NS, "name": "local-net"}),
    ],
)
def test_default_target_network_argument(
    facts: dict[str, Any], demo_vms: Any, requested: str, expected: dict[str, str]
) -> None:
    result = build(wave1_request(default_target_network=requested), facts, demo_vms("pg-prod-01"))
    assert result.network_map is not None
    assert result.network_map.to_kube()["spec"]["map"][0]["destination"] == expected
    assert f"--default-target-network {requested}" in result.kubectl_command


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ([0, 1, 2, 3], "ocs-storagecluster-ceph-rbd-virtualization"),
        ([0, 2, 3], "ocs-storagecluster-ceph-rbd"),
        ([2, 3], "ocs-storagecluster-cephfs"),
    ],
)
def test_default_storage_class_order(facts: dict[str, Any], demo_vms: Any, classes: list[int], expected: str) -> None:
    facts["storage_classes"] = [facts["storage_classes"][i] for i in classes]
    result = build(wave1_request(), facts, demo_vms("win-ad-01"))
    assert result.storage_map is not None
    assert {pair["destination"]["storageClass"] for pair in result.storage_map.to_kube()["spec"]["map"]} == {expected}


def test_existing_maps_are_referenced_not_built(facts: dict[str, Any], demo_vms: Any) -> None:
    result = build(wave1_request(network_map="shared-net", storage_map="shared-storage"), facts, demo_vms("pg-prod-01"))
    assert result.network_map is None
    assert result.storage_map is None
    assert result.plan.to_kube()["spec"]["map"] == {
        "network": ref("NetworkMap", "shared-net"),
        "storage": ref("StorageMap", "shared-storage"),
    }
    assert "--network-mapping shared-net" in result.kubectl_command
    assert "--storage-mapping shared-storage" in result.kubectl_command
    assert [obj["kind"] for obj in result.objects()] == ["Plan"]


def test_warm_and_conversion_types(facts: dict[str, Any], demo_vms: Any, catalog: CrdCatalog) -> None:
    warm = build(wave1_request(migration_type="warm"), facts, demo_vms("pg-prod-01"))
    assert warm.plan.to_kube()["spec"]["type"] == "warm"
    assert warm.plan.to_kube()["spec"]["warm"] is True
    assert any("CDI importer pods" in w and "convertorAffinity" in w for w in warm.warnings)
    cold = build(wave1_request(), facts, demo_vms("pg-prod-01"))
    assert not any("CDI importer" in w for w in cold.warnings)
    conversion = build(wave1_request(migration_type="conversion"), facts, demo_vms("pg-prod-01"))
    assert conversion.storage_map is None
    assert conversion.plan.to_kube()["spec"]["map"]["storage"] == {}
    assert catalog.validate(conversion.plan.to_kube()) == []
    with pytest.raises(MtvError) as error:
        build(wave1_request(migration_type="conversion", storage_map="x"), facts, demo_vms("pg-prod-01"))
    assert error.value.field == "storage_map"
    with pytest.raises(MtvError) as error:
        build(wave1_request(migration_type="live"), facts, demo_vms("pg-prod-01"))
    assert error.value.field == "migration_type"


def test_target_placement_fields(facts: dict[str, Any], demo_vms: Any, catalog: CrdCatalog) -> None:
    affinity = parse_rules("PREFER pods(app=web) on zone weight=60").to_affinity().to_kube()
    request = wave1_request(
        target_labels="env=prod, app=pg",
        target_node_selector="node-role.kubernetes.io/worker=",
        target_affinity=affinity,
        target_power_state="on",
        conversion_temp_storage_class="lvms-nvme",
        conversion_temp_storage_size="100Gi",
    )
    result = build(request, facts, demo_vms("pg-prod-01"))
    spec = result.plan.to_kube()["spec"]
    assert spec["targetLabels"] == {"app": "pg", "env": "prod"}
    assert spec["targetNodeSelector"] == {"node-role.kubernetes.io/worker": ""}
    assert spec["targetAffinity"] == affinity
    assert spec["targetPowerState"] == "on"
    assert spec["conversionTempStorageClass"] == "lvms-nvme"
    assert spec["conversionTempStorageSize"] == "100Gi"
    assert any("Forklift sets app on the migrated VM" in w for w in result.warnings)
    assert catalog.validate(result.plan.to_kube()) == []


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"name": "Wave_1"}, "name", "lowercase"),
        ({"name": "w" * 64}, "name", "64 characters"),
        ({"target_namespace": "App"}, "target_namespace", "lowercase"),
        ({"convertor_labels": "team"}, "convertor_labels", "not a key=value pair"),
        ({"convertor_labels": "vmID=x,team=a"}, "convertor_labels", "vmID is a label Forklift sets"),
        ({"convertor_labels": {"forklift.app": "x", "plan": "y"}}, "convertor_labels", "forklift.app, plan are"),
        ({"convertor_node_selector": "bad key=x"}, "convertor_node_selector", "may contain only"),
        ({"target_labels": {"team": "a b"}}, "target_labels", "value 'a b'"),
        ({"convertor_affinity": {"podAffinity": {"bogus": 1}}}, "convertor_affinity.podAffinity.bogus", "Affinity"),
        ({"conversion_temp_storage_class": "lvms-nvme"}, "conversion_temp_storage_size", "both"),
        (
            {"conversion_temp_storage_class": "lvms-nvme", "conversion_temp_storage_size": "lots"},
            "conversion_temp_storage_size",
            "quantity",
        ),
        ({"default_target_network": "ns/"}, "default_target_network", "not 'default'"),
    ],
)
def test_bad_input_names_the_argument(
    facts: dict[str, Any], demo_vms: Any, changes: dict[str, Any], field: str, fragment: str
) -> None:
    with pytest.raises(MtvError) as error:
        build(wave1_request(**changes), facts, demo_vms("pg-prod-01"))
    assert error.value.field == field
    assert fragment in str(error.value)


def test_vm_checks(facts: dict[str, Any], demo_vms: Any) -> None:
    with pytest.raises(MtvError, match="no VMs") as error:
        build(wave1_request(), facts, [])
    assert error.value.field == "vms"
    twice = demo_vms("pg-prod-01", "web-frontend-01", "pg-prod-01")
    with pytest.raises(MtvError, match="vm-2041 is listed twice") as error:
        build(wave1_request(), facts, twice)
    assert error.value.field == "vms"


def test_warnings(facts: dict[str, Any], demo_vms: Any, make_provider: Any) -> None:
    old = build(wave1_request(), {**facts, "forklift_version": "2.9.4"}, demo_vms("gpu-render-01"))
    assert any(w.startswith("Forklift 2.9.4 does not know type, convertorLabels") for w in old.warnings)
    assert any("gpu-render-01 (vm-2080) has critical concerns: Passthrough device detected" in w for w in old.warnings)
    temp = wave1_request(conversion_temp_storage_class="lvms-nvme", conversion_temp_storage_size="50Gi")
    on_211 = build(temp, {**facts, "forklift_version": "2.10.6"}, demo_vms("pg-prod-01"))
    assert any("conversionTempStorageClass, conversionTempStorageSize (added in 2.11)" in w for w in on_211.warnings)
    missing = wave1_request(conversion_temp_storage_class="fast", conversion_temp_storage_size="50Gi")
    assert any("'fast' is not a StorageClass" in w for w in build(missing, facts, demo_vms("pg-prod-01")).warnings)
    ovirt = {**facts, "source_provider": make_provider("ovirt-legacy", "ovirt")}
    result = build(wave1_request(network_map="n", storage_map="s"), ovirt, [{"id": "a1", "name": "erp-app-01"}])
    assert any("ovirt provider run no virt-v2v convertor pod" in w for w in result.warnings)
    spreading = parse_rules(
        [
            "PREFER pods(app=rook-ceph-osd) in all namespaces on node",
            "REPEL pods(forklift.app=virt-v2v) in all namespaces on node",
        ]
    )
    kept = build(wave1_request(convertor_affinity=spreading.to_affinity().to_kube()), facts, demo_vms("pg-prod-01"))
    assert not any("replaces Forklift's default" in w for w in kept.warnings)


def test_auto_maps_need_a_supported_source(facts: dict[str, Any], make_provider: Any) -> None:
    azure = {**facts, "source_provider": make_provider("azure-east", "azure")}
    with pytest.raises(MtvError, match="not for a azure provider") as error:
        build(wave1_request(), azure, [{"id": "a1", "name": "erp-app-01"}])
    assert error.value.field == "network_map"


EBS_CLASSES = [
    {"name": "gp3-csi", "object": {"metadata": {"name": "gp3-csi"}, "provisioner": "ebs.csi.aws.com"}},
    {"name": "ebs-io1-fast", "object": {"metadata": {"name": "ebs-io1-fast"}, "provisioner": "ebs.csi.aws.com"}},
    {"name": "st1", "object": {"metadata": {"name": "st1"}, "provisioner": "kubernetes.io/aws-ebs"}},
]


def _map_sources(result: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    network, storage = result.network_map.to_kube(), result.storage_map.to_kube()
    return [pair["source"] for pair in network["spec"]["map"]], [pair["source"] for pair in storage["spec"]["map"]]


def test_auto_maps_for_openshift_hyperv_and_ec2_sources(facts: dict[str, Any], make_provider: Any) -> None:
    """Read as kubectl-mtv's fetchers read them (pkg/cmd/create/plan/network|storage/fetchers/
    openshift, hyperv, ec2)."""
    kubevirt_vm = {
        "id": "u1",
        "name": "web",
        "object": {
            "metadata": {"namespace": "apps"},
            "spec": {
                "template": {"spec": {"networks": [{"name": "default", "pod": {}}, {"name": "br-prod"}]}},
                "dataVolumeTemplates": [
                    {"spec": {"storageClassName": "ceph-rbd"}},
                    {"spec": {"storage": {"storageClassName": "nfs"}}},
                ],
            },
        },
    }
    nads = [{"id": "n1", "name": "br-prod-110", "namespace": "net"}, {"id": "n2", "name": "other", "namespace": "x"}]
    classes = [{"id": "s1", "name": "nfs"}, {"id": "s2", "name": "ceph-rbd"}]
    openshift = {**facts, "source_provider": make_provider("kv", "openshift"), "networks": nads, "datastores": classes}
    networks, storages = _map_sources(build(wave1_request(), openshift, [kubevirt_vm]))
    assert networks == [{"id": "n1", "name": "br-prod-110", "namespace": "net"}]
    assert storages == [{"id": "s2", "name": "ceph-rbd"}, {"id": "s1", "name": "nfs"}]

    hyperv_vm = {"id": "h1", "name": "dc01", "nics": [{"networkUUID": "sw-2"}, {"networkUUID": "sw-1"}]}
    hyperv = {
        **facts,
        "source_provider": make_provider("hv", "hyperv"),
        "networks": [{"id": "sw-1", "name": "External"}, {"id": "sw-2", "name": "Internal"}],
        "datastores": [{"id": "st-1", "name": "C:/VMs"}, {"id": "st-2", "name": "D:/VMs"}],
    }
    networks, storages = _map_sources(build(wave1_request(), hyperv, [hyperv_vm]))
    assert networks == [{"id": "sw-2", "name": "Internal"}, {"id": "sw-1", "name": "External"}]
    assert storages == [{"id": "st-1", "name": "C:/VMs"}, {"id": "st-2", "name": "D:/VMs"}]

    ec2_vm = {
        "id": "i-1",
        "name": "api",
        "object": {"BlockDeviceMappings": [{"Ebs": {"VolumeId": "vol-a"}}, {"Ebs": {"VolumeId": "vol-b"}}]},
    }
    ec2 = {
        **facts,
        "source_provider": make_provider("aws", "ec2"),
        "storage_classes": EBS_CLASSES,
        "networks": [
            {"id": "subnet-b", "object": {"SubnetId": "subnet-b", "CidrBlock": "10.0.2.0/24"}},
            {"id": "vpc-1", "object": {"VpcId": "vpc-1"}},
            {"id": "subnet-a", "object": {"SubnetId": "subnet-a", "CidrBlock": "10.0.1.0/24"}},
        ],
        "datastores": [
            {"id": "vol-a", "object": {"VolumeType": "io1"}},
            {"id": "vol-b", "object": {"VolumeType": "GP3"}},
            {"id": "vol-c", "object": {"VolumeType": "st1"}},
        ],
    }
    result = build(wave1_request(), ec2, [ec2_vm])
    networks, storages = _map_sources(result)
    assert networks == [{"id": "subnet-a"}, {"id": "subnet-b"}]
    assert [pair["destination"] for pair in result.network_map.to_kube()["spec"]["map"]] == [
        {"type": "pod"},
        {"type": "ignored"},
    ]
    assert storages == [{"name": "gp3"}, {"name": "io1"}]


def test_target_provider_must_be_openshift(facts: dict[str, Any], demo_vms: Any, make_provider: Any) -> None:
    with pytest.raises(MtvError, match="not openshift") as error:
        build(wave1_request(), {**facts, "target_provider": make_provider("v2", "vsphere")}, demo_vms("pg-prod-01"))
    assert error.value.field == "target"


def test_yaml_documents_and_owner_patch(facts: dict[str, Any], demo_vms: Any) -> None:
    result = build(wave1_request(), facts, demo_vms("pg-prod-01"))
    text = objects_as_yaml(result)
    assert text.startswith("---\napiVersion: forklift.konveyor.io/v1beta1\nkind: NetworkMap\n")
    assert list(yaml.safe_load_all(text)) == result.objects()
    plan = result.plan.to_kube()
    created = {**plan, "metadata": {**plan["metadata"], "uid": "7c1d4e2a"}}
    assert map_owner_patch(created) == {
        "metadata": {
            "ownerReferences": [
                {"apiVersion": API, "kind": "Plan", "name": "wave1", "uid": "7c1d4e2a", "controller": True}
            ]
        }
    }
    with pytest.raises(MtvError, match=r"no metadata\.uid"):
        map_owner_patch(result.plan.to_kube())


def test_ignored_default_target_network_is_the_map_type(facts: dict[str, Any], demo_vms: Any) -> None:
    """kubectl-mtv parses --default-target-network ignored as the type, not a NAD called "ignored"
    (pkg/cmd/create/plan/network/mapper/vsphere/mapper.go, parseDefaultNetwork)."""
    request = PlanRequest(name="p1", namespace=NS, source_provider="vsphere-prod", default_target_network="ignored")
    result = build_plan_objects(request, **facts, vms=demo_vms("win-ad-01"))
    assert result.network_map is not None
    assert [pair["destination"] for pair in result.network_map.to_kube()["spec"]["map"]] == [{"type": "ignored"}]


def test_openshift_source_command_keeps_forklifts_pvc_name_default(facts: dict[str, Any], demo_vms: Any) -> None:
    """kubectl-mtv writes pvcNameTemplateUseGenerateName true by default, Forklift leaves it false for
    OpenShift sources (pkg/controller/plan/adapter/base/template.go): the echoed command says false."""
    source = {**facts["target_provider"], "metadata": {**facts["target_provider"]["metadata"], "name": "ocp-old"}}
    request = PlanRequest(
        name="p1", namespace=NS, source_provider="ocp-old", network_map="nm", storage_map="sm", migration_type="cold"
    )
    result = build_plan_objects(request, **{**facts, "source_provider": source}, vms=demo_vms("win-ad-01"))
    assert "pvcNameTemplateUseGenerateName" not in result.plan.to_kube()["spec"]
    assert "--pvc-name-template-use-generate-name false" in result.kubectl_command


def test_ec2_storage_falls_back_to_every_volume_type(facts: dict[str, Any], make_provider: Any) -> None:
    """Instances without EBS volumes: every type of the provider's ``storages``, in kubectl-mtv's
    order (storage/fetchers/ec2/fetcher.go fetchAllVolumeTypes)."""
    ec2 = {
        **facts,
        "source_provider": make_provider("aws", "ec2"),
        "storage_classes": EBS_CLASSES,
        "datastores": [{"id": "vol-z", "object": {"VolumeType": "io1"}}],
        "storage_details": [{"id": "t1", "type": "ST1"}, {"id": "t2", "object": {"type": "gp3"}}, {"id": "t3"}],
    }
    instance_store_only = {"id": "i-2", "name": "batch", "object": {"BlockDeviceMappings": []}}
    _, storages = _map_sources(build(wave1_request(), ec2, [instance_store_only]))
    assert storages == [{"name": "gp3"}, {"name": "st1"}]


def test_openshift_storage_reads_the_pvc_of_a_template(facts: dict[str, Any], make_provider: Any) -> None:
    """Between ``spec.storageClassName`` and ``spec.storage.storageClassName`` the PVC of the
    template's name in the VM's namespace decides (storage/fetchers/openshift/fetcher.go)."""
    templates = [
        {"metadata": {"name": "root"}, "spec": {"storage": {"storageClassName": "nfs"}}},
        {"metadata": {"name": "data"}, "spec": {"storageClassName": "nfs", "storage": {}}},
        {"metadata": {"name": "logs"}, "spec": {"storage": {"storageClassName": "local"}}},
    ]
    vm = {
        "id": "u1",
        "name": "db",
        "object": {"metadata": {"namespace": "apps"}, "spec": {"dataVolumeTemplates": templates}},
    }
    pvcs = [
        {"id": "p1", "name": "root", "namespace": "apps", "object": {"spec": {"storageClassName": "ceph-rbd"}}},
        {"id": "p2", "name": "logs", "namespace": "other", "object": {"spec": {"storageClassName": "ceph-rbd"}}},
    ]
    classes = [{"id": "s1", "name": "nfs"}, {"id": "s2", "name": "ceph-rbd"}, {"id": "s3", "name": "local"}]
    openshift = {
        **facts,
        "source_provider": make_provider("kv", "openshift"),
        "datastores": classes,
        "storage_details": pvcs,
    }
    _, storages = _map_sources(build(wave1_request(), openshift, [vm]))
    assert storages == [{"id": "s2", "name": "ceph-rbd"}, {"id": "s1", "name": "nfs"}, {"id": "s3", "name": "local"}]


def test_ec2_storage_destinations_per_volume_type(
    facts: dict[str, Any], make_provider: Any, catalog: CrdCatalog
) -> None:
    """Only EBS CSI classes; a class named after the type, else the first; Block for SSD types,
    Filesystem for st1/sc1/standard; ReadWriteOnce (storage/mapper/ec2/mapper.go)."""
    ec2 = {
        **facts,
        "source_provider": make_provider("aws", "ec2"),
        "storage_classes": EBS_CLASSES,
        "storage_details": [{"type": "io1"}, {"type": "st1"}, {"type": "gp2"}],
    }
    vm = {"id": "i-3", "name": "etl", "object": {}}
    result = build(wave1_request(), ec2, [vm])
    storage = result.storage_map.to_kube()
    assert catalog.validate(storage) == []
    assert [pair["destination"] for pair in storage["spec"]["map"]] == [
        {"storageClass": "gp3-csi", "volumeMode": "Block", "accessMode": "ReadWriteOnce"},
        {"storageClass": "ebs-io1-fast", "volumeMode": "Block", "accessMode": "ReadWriteOnce"},
        {"storageClass": "gp3-csi", "volumeMode": "Filesystem", "accessMode": "ReadWriteOnce"},
    ]
    chosen = build(wave1_request(default_target_storage_class="ebs-io1-fast"), ec2, [vm]).storage_map.to_kube()
    assert {pair["destination"]["storageClass"] for pair in chosen["spec"]["map"]} == {"ebs-io1-fast"}
    with pytest.raises(MtvError, match=r"'st1' has provisioner 'kubernetes\.io/aws-ebs'") as error:
        build(wave1_request(default_target_storage_class="st1"), ec2, [vm])
    assert error.value.field == "default_target_storage_class"
    with pytest.raises(MtvError, match=r"no StorageClass with provisioner ebs\.csi\.aws\.com") as error:
        build(wave1_request(), {**ec2, "storage_classes": facts["storage_classes"]}, [vm])
    assert error.value.field == "storage_map"


def test_openshift_storage_keeps_same_named_classes(
    facts: dict[str, Any], make_provider: Any, catalog: CrdCatalog
) -> None:
    """OpenShift to OpenShift: a source class that exists on the target keeps its name, the others
    take the default class; a requested class takes all (storage/mapper/openshift/mapper.go)."""
    vm = {
        "id": "u1",
        "name": "web",
        "object": {
            "spec": {
                "dataVolumeTemplates": [
                    {"spec": {"storageClassName": "lvms-nvme"}},
                    {"spec": {"storageClassName": "ceph-rbd"}},
                ]
            }
        },
    }
    openshift = {
        **facts,
        "source_provider": make_provider("kv", "openshift"),
        "datastores": [{"id": "s1", "name": "ceph-rbd"}, {"id": "s2", "name": "lvms-nvme"}],
    }
    storage = build(wave1_request(), openshift, [vm]).storage_map.to_kube()
    assert catalog.validate(storage) == []
    assert [pair["destination"] for pair in storage["spec"]["map"]] == [
        {"storageClass": "lvms-nvme"},
        {"storageClass": "ocs-storagecluster-ceph-rbd-virtualization"},
    ]
    chosen = build(wave1_request(default_target_storage_class="fast"), openshift, [vm]).storage_map.to_kube()
    assert [pair["destination"] for pair in chosen["spec"]["map"]] == [{"storageClass": "fast"}] * 2


def test_openshift_networks_keep_same_named_target_nads(
    facts: dict[str, Any], make_provider: Any, catalog: CrdCatalog
) -> None:
    """Every source NAD named like a distinct target NAD: each maps to it; else the default rule
    (network/mapper/openshift/mapper.go)."""

    def vm(*networks: str) -> dict[str, Any]:
        spec = {"networks": [{"name": name, "multus": {}} for name in networks]}
        return {"id": "u1", "name": "web", "object": {"spec": {"template": {"spec": spec}}}}

    source_nads = [
        {"id": "n1", "name": "br-db", "namespace": "net"},
        {"id": "n2", "name": "br-web", "namespace": "net"},
    ]
    target_nads = [
        {"name": name, "namespace": "app-migrated", "object": {"metadata": {"name": name, "namespace": "app-migrated"}}}
        for name in ("br-web", "br-db")
    ]
    openshift = {
        **facts,
        "source_provider": make_provider("kv", "openshift"),
        "networks": source_nads,
        "nads": target_nads,
    }
    network = build(wave1_request(), openshift, [vm("br-web", "br-db")]).network_map.to_kube()
    assert catalog.validate(network) == []
    assert [pair["destination"] for pair in network["spec"]["map"]] == [
        {"type": "multus", "namespace": "app-migrated", "name": "br-web"},
        {"type": "multus", "namespace": "app-migrated", "name": "br-db"},
    ]
    partial = {**openshift, "nads": target_nads[:1]}
    network = build(wave1_request(), partial, [vm("br-web", "br-db")]).network_map.to_kube()
    assert [pair["destination"] for pair in network["spec"]["map"]] == [
        {"type": "multus", "namespace": "app-migrated", "name": "br-web"},
        {"type": "ignored"},
    ]
