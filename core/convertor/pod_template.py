"""The virt-v2v convertor pod exactly as Forklift builds it (forklift-model.md §3).

``preview_convertor_pod(target_namespace, ...)`` builds the pod before any plan exists (node
selector, affinity and labels given directly), so the placement preview evaluates exactly what the
scheduler will see; ``assemble_convertor_pod`` is the shared assembly (the sandbox's Forklift model
builds a running plan's pods with it, in ``sandbox/controller/convertor_pod.py``).
``convertor_selector`` gives the label selector that finds the convertor pods of a plan, a
migration or one VM.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.kube_models import Affinity
from mtv_mcp.core.placement.resources import KVM_RESOURCE

FORKLIFT_APP_LABEL = "forklift.app"
CONVERTOR_APP = "virt-v2v"
CONVERTOR_CONTAINER = "virt-v2v"
VDDK_CONTAINER = "vddk-side-car"
SCHEDULABLE_LABEL = "kubevirt.io/schedulable"
METRICS_PORT = 2112
QEMU_UID = 107
TEMP_STORAGE_PATH = "/var/tmp/virt-v2v"
TRANSFER_NETWORK_ANNOTATION = "k8s.v1.cni.cncf.io/networks"

ProviderType = Literal["vsphere", "ova", "hyperv", "ec2"]
ConversionType = Literal["Remote", "InPlace"]
DiskClaim = tuple[str, bool]
"""A target PVC of the VM: its name, and whether it is a block device (in disk order)."""
_NO_CONVERTOR_PROVIDERS = frozenset({"ovirt", "openstack", "openshift"})
_KVM_PROVIDERS_BEFORE_2_12 = frozenset({"vsphere", "ova"})
_KVM_PROVIDERS = frozenset({"vsphere", "ova", "hyperv"})


def parse_version(text: str) -> tuple[int, int]:
    """``"2.12.5"`` → ``(2, 12)``; raises ``ValueError`` for anything else."""
    parts = text.strip().lstrip("v").split(".")
    if len(parts) < 2 or not all(p.isdigit() for p in parts[:2]):
        raise ValueError(f"{text!r} is not a Forklift version like 2.12 or 2.12.5")
    return int(parts[0]), int(parts[1])


class ConvertorSettings(BaseModel):
    """Cluster-wide inputs of the pod that are not on the Plan (ForkliftController, provider)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field("2.12", description="Forklift/MTV version whose pod shape to produce (2.10 or newer)")
    provider_type: ProviderType = "vsphere"
    image: str = "quay.io/kubev2v/forklift-virt-v2v:latest"
    vddk_image: str | None = Field(None, description="VDDK init image (provider vddkInitImage or vddk_image)")
    requests_cpu: str = "1"
    requests_memory: str = "1Gi"
    limits_cpu: str = "4"
    limits_memory: str = "8Gi"
    request_kvm: bool = Field(True, description="False when ForkliftController virt_v2v_dont_request_kvm is true")
    openshift: bool = Field(True, description="OpenShift uses the Localhost unshare seccomp profile")
    use_conversion_cr: bool = Field(True, description="2.12+: pods made through a Conversion CR (default)")
    local_destination: bool = Field(True, description="the destination is the host cluster")
    service_account: str | None = Field(None, description="controller_migration_service_account")
    memsize: int | None = Field(None, description="virt_v2v_memsize (appliance MiB)")
    smp: int | None = Field(None, description="virt_v2v_smp (appliance vCPUs)")
    provider_node_selector: dict[str, str] = Field(default_factory=dict, description="e.g. the EC2 volume zone")

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if parse_version(value) < (2, 10):
            raise ValueError("convertor labels, node selector and affinity exist from Forklift 2.10 on")
        return value

    @property
    def release(self) -> tuple[int, int]:
        return parse_version(self.version)

    @property
    def kvm_requested(self) -> bool:
        providers = _KVM_PROVIDERS if self.release >= (2, 12) else _KVM_PROVIDERS_BEFORE_2_12
        return self.request_kvm and self.provider_type in providers


@dataclass(frozen=True)
class ConvertorRules:
    """What the plan contributes to the pod's placement and labels."""

    target_namespace: str
    node_selector: Mapping[str, str]
    affinity: Mapping[str, Any] | None
    labels: Mapping[str, str]


def default_convertor_affinity() -> dict[str, Any]:
    """Forklift's affinity when ``convertorAffinity`` is unset: spread convertor pods across nodes."""
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "labelSelector": {
                            "matchExpressions": [
                                {"key": FORKLIFT_APP_LABEL, "operator": "In", "values": [CONVERTOR_APP]}
                            ]
                        },
                        "namespaceSelector": {},
                        "topologyKey": "kubernetes.io/hostname",
                    },
                }
            ]
        }
    }


def convertor_selector(plan_uid: str, migration_uid: str | None = None, vm_id: str | None = None) -> str:
    """The label selector of the convertor pods of a plan (narrowed to a migration and/or a VM)."""
    parts = [f"{FORKLIFT_APP_LABEL}={CONVERTOR_APP}", f"plan={plan_uid}"]
    if migration_uid:
        parts.append(f"migration={migration_uid}")
    if vm_id:
        parts.append(f"vmID={vm_id}")
    return ",".join(parts)


def provider_has_convertor(provider_type: str) -> bool:
    """Whether migrations from this provider type run a virt-v2v convertor pod."""
    return provider_type not in _NO_CONVERTOR_PROVIDERS


def required_text(value: Any, field: str, hint: str) -> str:
    if not isinstance(value, str) or not value:
        raise MtvError("is missing or empty", field=field, hint=hint)
    return value


def string_map(value: Any, field: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise MtvError(
            "must be a map of strings to strings",
            field=field,
            hint='quote values that look like numbers or booleans, e.g. wave: "1"',
        )
    return dict(value)


def checked_affinity(value: Any, field: str) -> dict[str, Any] | None:
    if value is None:
        return None
    return Affinity.from_kube(value, field=field).to_kube()


def _merge_labels(system: dict[str, str], user: Mapping[str, str], release: tuple[int, int]) -> dict[str, str]:
    """2.10/2.11: user labels, then system labels (system wins). 2.12+: system, then user, then ``forklift.app``."""
    if release < (2, 12):
        return {**user, **system}
    return {**system, **user, FORKLIFT_APP_LABEL: CONVERTOR_APP}


def _resources(settings: ConvertorSettings) -> dict[str, Any]:
    requests = {"cpu": settings.requests_cpu, "memory": settings.requests_memory}
    limits = {"cpu": settings.limits_cpu, "memory": settings.limits_memory}
    if settings.kvm_requested:
        requests[KVM_RESOURCE] = "1"
        limits[KVM_RESOURCE] = "1"
    return {"requests": requests, "limits": limits}


def _security(settings: ConvertorSettings) -> dict[str, Any]:
    profile: dict[str, str] = (
        {"type": "Localhost", "localhostProfile": "profiles/unshare.json"}
        if settings.openshift
        else {"type": "RuntimeDefault"}
    )
    return {"fsGroup": QEMU_UID, "runAsNonRoot": True, "runAsUser": QEMU_UID, "seccompProfile": profile}


@dataclass
class _Storage:
    volumes: list[dict[str, Any]]
    mounts: list[dict[str, Any]]
    devices: list[dict[str, Any]]

    def add(self, volume: dict[str, Any], path: str, *, device: bool = False) -> None:
        self.volumes.append(volume)
        (self.devices if device else self.mounts).append(
            {"name": volume["name"], "devicePath" if device else "mountPath": path}
        )


def _storage(
    plan_spec: Mapping[str, Any], vm: Mapping[str, Any], disks: Sequence[DiskClaim], secret_name: str, vddk: bool
) -> _Storage:
    storage = _Storage([], [], [])
    for index, (pvc, block) in enumerate(disks):
        volume = {"name": pvc, "persistentVolumeClaim": {"claimName": pvc}}
        storage.add(volume, f"/dev/block{index}" if block else f"/mnt/disks/disk{index}", device=block)
    storage.add({"name": "secret-volume", "secret": {"secretName": secret_name}}, "/etc/secret")
    if vddk:
        storage.add({"name": "vddk-vol-mount", "emptyDir": {}}, "/opt")
    luks = dig(vm, "luks", "name")
    if luks:
        storage.add({"name": "luks", "secret": {"secretName": luks}}, "/etc/luks")
    scripts = dig(plan_spec, "customizationScripts", "name")
    if scripts:
        storage.add({"name": "scripts-volume-mount", "configMap": {"name": scripts}}, "/mnt/dynamic_scripts")
    temp_class, temp_size = plan_spec.get("conversionTempStorageClass"), plan_spec.get("conversionTempStorageSize")
    if temp_class and temp_size:
        claim = {
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "storageClassName": temp_class,
                "resources": {"requests": {"storage": temp_size}},
            }
        }
        storage.add({"name": "conversion-temp-storage", "ephemeral": {"volumeClaimTemplate": claim}}, TEMP_STORAGE_PATH)
    return storage


def _env(
    plan_spec: Mapping[str, Any], vm: Mapping[str, Any], settings: ConvertorSettings, kind: ConversionType
) -> list[dict[str, str]]:
    env = {"LOCAL_MIGRATION": "true" if settings.local_destination else "false"}
    if kind == "InPlace":
        env["V2V_inPlace"] = "1"
    if vm.get("rootDisk"):
        env["V2V_RootDisk"] = str(vm["rootDisk"])
    if vm.get("targetName") and vm.get("targetName") != vm.get("name"):
        env["V2V_NewName"] = str(vm["targetName"])
    if plan_spec.get("xfsCompatibility"):
        env["V2V_xfsCompatibility"] = "true"
    if settings.memsize:
        env["V2V_memSize"] = str(settings.memsize)
    if settings.smp:
        env["V2V_smp"] = str(settings.smp)
    if plan_spec.get("conversionTempStorageClass") and plan_spec.get("conversionTempStorageSize"):
        env["TMPDIR"] = TEMP_STORAGE_PATH
    return [{"name": name, "value": value} for name, value in env.items()]


def assemble_convertor_pod(
    *,
    rules: ConvertorRules,
    system_labels: dict[str, str],
    generate_name: str,
    settings: ConvertorSettings,
    plan_spec: Mapping[str, Any],
    vm: Mapping[str, Any],
    disks: Sequence[DiskClaim],
    secret_name: str,
    kind: ConversionType,
) -> dict[str, Any]:
    """The Pod of Forklift's plan controller from its parts (``rules`` from the plan or the preview)."""
    vddk = settings.vddk_image is not None and settings.provider_type == "vsphere"
    storage = _storage(plan_spec, vm, disks, secret_name, vddk)
    node_selector = {**settings.provider_node_selector, **rules.node_selector}
    if settings.kvm_requested:
        node_selector[SCHEDULABLE_LABEL] = "true"
    container: dict[str, Any] = {
        "name": CONVERTOR_CONTAINER,
        "image": plan_spec.get("virtV2vImage") or settings.image,
        "imagePullPolicy": "Always",
        "env": _env(plan_spec, vm, settings, kind),
        "envFrom": [{"prefix": "V2V_", "secretRef": {"name": secret_name}}],
        "ports": [{"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"}],
        "resources": _resources(settings),
        "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": storage.mounts,
    }
    if storage.devices:
        container["volumeDevices"] = storage.devices
    spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "nodeSelector": node_selector,
        "affinity": copy.deepcopy(dict(rules.affinity)) if rules.affinity else default_convertor_affinity(),
        "securityContext": _security(settings),
        "containers": [container],
        "volumes": storage.volumes,
    }
    if vddk:
        spec["initContainers"] = [
            {
                "name": VDDK_CONTAINER,
                "image": settings.vddk_image,
                "imagePullPolicy": "IfNotPresent",
                "resources": {
                    "requests": {"cpu": "100m", "memory": "150Mi"},
                    "limits": {"cpu": "1", "memory": "500Mi"},
                },
                "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}},
                "volumeMounts": [{"name": "vddk-vol-mount", "mountPath": "/opt"}],
            }
        ]
    service_account = plan_spec.get("serviceAccount") or settings.service_account
    if service_account:
        spec["serviceAccountName"] = service_account
    metadata: dict[str, Any] = {
        "generateName": generate_name,
        "namespace": rules.target_namespace,
        "labels": _merge_labels(system_labels, rules.labels, settings.release),
    }
    network = plan_spec.get("transferNetwork") or {}
    if network.get("name"):
        namespace = network.get("namespace") or rules.target_namespace
        metadata["annotations"] = {TRANSFER_NETWORK_ANNOTATION: f"{namespace}/{network['name']}"}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec}


def preview_convertor_pod(
    target_namespace: str,
    *,
    node_selector: Mapping[str, str] | None = None,
    affinity: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    settings: ConvertorSettings | None = None,
    name: str = "preview",
) -> dict[str, Any]:
    """A convertor pod for rules that are not in a plan yet (the placement preview).

    It carries ``forklift.app=virt-v2v`` (so spreading rules see it as a convertor) but no plan,
    migration or VM labels.
    """
    settings = settings or ConvertorSettings()
    rules = ConvertorRules(
        target_namespace=required_text(target_namespace, "target namespace", "name the namespace the VMs migrate into"),
        node_selector=string_map(node_selector, "convertorNodeSelector"),
        affinity=checked_affinity(affinity, "convertorAffinity"),
        labels=string_map(labels, "convertorLabels"),
    )
    return assemble_convertor_pod(
        rules=rules,
        system_labels={FORKLIFT_APP_LABEL: CONVERTOR_APP},
        generate_name=f"{name}-",
        settings=settings,
        plan_spec={},
        vm={},
        disks=(),
        secret_name=f"{name}-secret",
        kind="Remote",
    )
