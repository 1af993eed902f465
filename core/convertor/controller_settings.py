"""The convertor pod's cluster-wide settings, read from the ForkliftController for the placement preview.

The operator turns ForkliftController ``spec`` keys into the controller's environment, and
Forklift's ``pkg/settings/migration.go`` reads them with these defaults:
``virt_v2v_container_requests_cpu`` 1000m, ``..._requests_memory`` 1Gi, ``..._limits_cpu``
4000m, ``..._limits_memory`` 8Gi, ``virt_v2v_dont_request_kvm`` false. Whether the pod requests
``devices.kubevirt.io/kvm`` also depends on the source (``shouldRequestKVM`` in
``pkg/controller/plan/kubevirt.go``: vSphere, OVA and, from 2.12, Hyper-V; never EC2). What was
used, and where it came from, is reported with the preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError, kinds
from mtv_mcp.core.cluster.version import FALLBACK_OPERATOR_NAMESPACES, detect_forklift_version
from mtv_mcp.core.convertor.pod_template import ConvertorSettings, ProviderType, parse_version
from mtv_mcp.core.kube_fields import dig

_FIELDS: dict[str, str] = {
    "virt_v2v_container_requests_cpu": "requests_cpu",
    "virt_v2v_container_requests_memory": "requests_memory",
    "virt_v2v_container_limits_cpu": "limits_cpu",
    "virt_v2v_container_limits_memory": "limits_memory",
}
DONT_REQUEST_KVM = "virt_v2v_dont_request_kvm"
_PROVIDERS: tuple[ProviderType, ...] = ("vsphere", "ova", "hyperv", "ec2")


class ConvertorResources(BaseModel):
    """The convertor pod the preview modelled, and where its values come from."""

    model_config = ConfigDict(frozen=True)

    requests: dict[str, str] = Field(description="cpu, memory and (when requested) devices.kubevirt.io/kvm")
    limits: dict[str, str]
    kvm_requested: bool
    provider_type: str = Field(description="Source provider type the KVM rule was applied for")
    forklift_version: str
    source: str = Field(description="The ForkliftController read, or why Forklift's defaults were used")
    changed: dict[str, str] = Field(
        default_factory=dict, description="ForkliftController keys that shape the pod and are set"
    )


def _flag(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"


def settings_from_controller(
    spec: Mapping[str, Any] | None, *, provider_type: str = "vsphere", version: str = "2.12"
) -> tuple[ConvertorSettings, dict[str, str]]:
    """ConvertorSettings from a ForkliftController ``spec`` (None: defaults), and the keys that were set."""
    spec = spec or {}
    changed = {key: str(spec[key]) for key in (*_FIELDS, DONT_REQUEST_KVM) if spec.get(key) not in (None, "")}
    values: dict[str, Any] = {_FIELDS[key]: value for key, value in changed.items() if key in _FIELDS}
    values["request_kvm"] = not _flag(spec.get(DONT_REQUEST_KVM))
    values["provider_type"] = provider_type if provider_type in _PROVIDERS else "vsphere"
    try:
        release = parse_version(version)
        values["version"] = f"{release[0]}.{release[1]}" if release >= (2, 10) else "2.10"
    except ValueError:
        values["version"] = "2.12"
    return ConvertorSettings(**values), changed


def describe(settings: ConvertorSettings, source: str, changed: Mapping[str, str]) -> ConvertorResources:
    """What a preview modelled with ``settings``."""
    kvm = {"devices.kubevirt.io/kvm": "1"} if settings.kvm_requested else {}
    return ConvertorResources(
        requests={"cpu": settings.requests_cpu, "memory": settings.requests_memory, **kvm},
        limits={"cpu": settings.limits_cpu, "memory": settings.limits_memory, **kvm},
        kvm_requested=settings.kvm_requested,
        provider_type=settings.provider_type,
        forklift_version=settings.version,
        source=source,
        changed=dict(changed),
    )


def _controller(cluster: ClusterClient, namespace: str | None) -> tuple[dict[str, Any] | None, str]:
    """The ForkliftController (the operator's namespace first), or None and why."""
    problems: list[str] = []
    for candidate in dict.fromkeys([namespace, *FALLBACK_OPERATOR_NAMESPACES]):
        if candidate is None:
            continue
        try:
            found = cluster.list_objects(kinds.FORKLIFT_CONTROLLER, candidate)
        except ClusterError as error:
            problems.append(f"{candidate}: {error.message}")
            continue
        if found:
            return found[0], ""
    why = "; ".join(problems) or "none found"
    return None, why


def cluster_convertor_settings(
    cluster: ClusterClient, *, provider_type: str | None = None
) -> tuple[ConvertorSettings, ConvertorResources]:
    """The convertor settings in force on the cluster for ``provider_type`` (vSphere when unknown)."""
    try:
        detected = detect_forklift_version(cluster)
        version, namespace = detected.version, detected.operator_namespace
    except ClusterError:
        version, namespace = None, None
    controller, why = _controller(cluster, namespace)
    provider = provider_type or "vsphere"
    settings, changed = settings_from_controller(
        dig(controller, "spec"), provider_type=provider, version=version or "2.12"
    )
    if controller is not None:
        meta = controller.get("metadata") or {}
        source = f"ForkliftController {meta.get('namespace')}/{meta.get('name')}"
    else:
        source = f"Forklift's defaults (no ForkliftController readable: {why})"
    if provider_type is None:
        source += "; source type vSphere assumed"
    if version is None:
        source += "; Forklift version unknown, 2.12 assumed"
    return settings, describe(settings, source, changed)
