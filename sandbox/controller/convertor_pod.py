"""The convertor pod of a running plan, as Forklift's plan controller creates it for one VM
(forklift-model.md §3; upstream ``pkg/controller/plan/kubevirt.go``, ``virtV2vPod``).

Only the sandbox's controller and the tests build these pods: the product previews pods before a
plan runs (``core/convertor/pod_template.preview_convertor_pod``) and reads real ones from the
cluster. Both assemble the pod with ``assemble_convertor_pod``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict

from mtv_mcp.core.convertor.pod_template import (
    CONVERTOR_APP,
    FORKLIFT_APP_LABEL,
    ConversionType,
    ConvertorRules,
    ConvertorSettings,
    assemble_convertor_pod,
    checked_affinity,
    required_text,
    string_map,
)


class DiskVolume(BaseModel):
    """One target PVC of the VM, in disk order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pvc_name: str
    block: bool = False


def conversion_type(
    plan: Mapping[str, Any],
    *,
    provider_type: str = "vsphere",
    vm_id: str | None = None,
    local_destination: bool = True,
) -> ConversionType:
    """Remote (virt-v2v pulls the disks) or InPlace (converts PVCs CDI already filled).

    Forklift's ``Plan.ShouldUseV2vForTransfer`` (``pkg/apis/forklift/v1beta1/plan.go``, used by
    ``ResolveConversionType`` in ``pkg/controller/plan/kubevirt.go``): OVA and Hyper-V always copy
    with virt-v2v (Remote); vSphere does unless the plan is warm, the destination is not the host
    cluster, shared disks are not migrated (the VM's own ``migrateSharedDisks`` overrides the plan's,
    which defaults to true), guest conversion is skipped or the plan ``type`` is ``conversion``; every
    other source (EC2 included) converts in place.
    """
    spec = plan.get("spec") or {}
    if provider_type in ("ova", "hyperv"):
        return "Remote"
    if provider_type != "vsphere":
        return "InPlace"
    warm = spec.get("type") == "warm" or (not spec.get("type") and spec.get("warm") is True)
    shared = spec.get("migrateSharedDisks", True)
    vm = next((v for v in spec.get("vms") or [] if vm_id is not None and v.get("id") == vm_id), None)
    if vm is not None and vm.get("migrateSharedDisks") is not None:
        shared = vm["migrateSharedDisks"]
    in_place = (
        warm
        or shared is False
        or bool(spec.get("skipGuestConversion"))
        or spec.get("type") == "conversion"
        or not local_destination
    )
    return "InPlace" if in_place else "Remote"


def rules_of_plan(plan: Mapping[str, Any]) -> ConvertorRules:
    """The placement and labels a Plan gives its convertor pods (checked as Forklift reads them)."""
    spec = plan.get("spec") or {}
    return ConvertorRules(
        target_namespace=required_text(
            spec.get("targetNamespace"), "spec.targetNamespace", "set the namespace the VMs migrate into"
        ),
        node_selector=string_map(spec.get("convertorNodeSelector"), "spec.convertorNodeSelector"),
        affinity=checked_affinity(spec.get("convertorAffinity"), "spec.convertorAffinity"),
        labels=string_map(spec.get("convertorLabels"), "spec.convertorLabels"),
    )


def build_convertor_pod(
    plan: Mapping[str, Any],
    migration: Mapping[str, Any],
    vm: Mapping[str, Any],
    *,
    settings: ConvertorSettings | None = None,
    disks: Sequence[DiskVolume] = (),
    secret_name: str | None = None,
    conversion_name: str | None = None,
) -> dict[str, Any]:
    """The Pod Forklift creates for ``vm`` (a ``plan.spec.vms`` item, ``id`` required) in ``migration``.

    ``disks`` are the VM's target PVCs in disk order; ``secret_name`` the per-VM v2v Secret
    (Forklift generates ``<plan>-<vmID>-xxxxx``); ``conversion_name`` the Conversion CR (2.12+).
    """
    settings = settings or ConvertorSettings()
    meta, spec = plan.get("metadata") or {}, plan.get("spec") or {}
    plan_name = required_text(meta.get("name"), "plan metadata.name", "pass the Plan object as read from the cluster")
    plan_uid = required_text(meta.get("uid"), "plan metadata.uid", "pass the Plan object as read from the cluster")
    migration_uid = required_text(
        (migration.get("metadata") or {}).get("uid"),
        "migration metadata.uid",
        "pass the Migration object as read from the cluster",
    )
    vm_id = required_text(vm.get("id"), "vm id", "give the source VM id (e.g. vm-2041) as in plan.spec.vms[].id")
    rules = rules_of_plan(plan)
    kind = conversion_type(
        plan, provider_type=settings.provider_type, vm_id=vm_id, local_destination=settings.local_destination
    )
    system = {
        FORKLIFT_APP_LABEL: CONVERTOR_APP,
        "plan": plan_uid,
        "migration": migration_uid,
        "vmID": vm_id,
        "resource": "vm-config",
    }
    if settings.release >= (2, 12):
        system["plan-name"] = plan_name
        system["plan-namespace"] = str(meta.get("namespace") or "")
        if settings.use_conversion_cr:
            system["conversion-type"] = kind
            if conversion_name:
                system["conversion"] = conversion_name
    return assemble_convertor_pod(
        rules=rules,
        system_labels=system,
        generate_name=f"{plan_name}-{vm_id}-",
        settings=settings,
        plan_spec=spec,
        vm=vm,
        disks=[(disk.pvc_name, disk.block) for disk in disks],
        secret_name=secret_name or f"{plan_name}-{vm_id}",
        kind=kind,
    )
