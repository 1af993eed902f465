"""Checks run before a plan is written: errors (``MtvError`` naming the argument) and warnings."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from mtv_mcp.core.cluster.version import version_tuple
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.karl import FORKLIFT_DEFAULT_SPREADING
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.kube_labels import validate_dns_label
from mtv_mcp.core.kube_models import Affinity, LabelSelector
from mtv_mcp.core.plan.maps import object_meta

FORKLIFT_CONVERTOR_LABEL_KEYS = frozenset(
    {
        "forklift.app",
        "plan",
        "plan-name",
        "plan-namespace",
        "migration",
        "vmID",
        "resource",
        "conversion",
        "conversion-type",
        "app",
    }
)
"""Labels Forklift sets on convertor pods; a user value would break Forklift's own lookups (§3.2)."""
FORKLIFT_TARGET_LABEL_KEYS = frozenset({"migration", "plan", "vmID", "app"})
"""Labels Forklift sets on the migrated VM; they win over ``targetLabels`` (§1.1)."""
NO_CONVERTOR_PROVIDER_TYPES = frozenset({"ovirt", "openstack", "openshift"})
FIELDS_SINCE: dict[str, tuple[int, int]] = {
    "type": (2, 10),
    "targetLabels": (2, 10),
    "targetNodeSelector": (2, 10),
    "targetAffinity": (2, 10),
    "targetPowerState": (2, 10),
    "convertorLabels": (2, 10),
    "convertorNodeSelector": (2, 10),
    "convertorAffinity": (2, 10),
    "conversionTempStorageClass": (2, 11),
    "conversionTempStorageSize": (2, 11),
}
CONVERTOR_FIELDS = ("convertorLabels", "convertorNodeSelector", "convertorAffinity")
SPREAD_TOPOLOGY = "kubernetes.io/hostname"
_QUANTITY = re.compile(r"(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")


def check_dns_label(value: str, field: str) -> None:
    problem = validate_dns_label(value)
    if problem:
        raise MtvError(
            f"{value!r} is not a valid name: {problem.removeprefix('the name ')}",
            field=field,
            hint="use lowercase letters, digits and '-', e.g. 'wave1-db'",
        )


def check_vms(vms: Sequence[Mapping[str, Any]]) -> None:
    """At least one VM, each with an id, none twice."""
    if not vms:
        raise MtvError("the plan has no VMs", field="vms", hint="select at least one VM of the source provider")
    seen: dict[str, str] = {}
    for index, vm in enumerate(vms):
        vm_id = str(vm.get("id") or "")
        name = str(vm.get("name") or vm_id)
        if not vm_id:
            raise MtvError(f"VM {index + 1} ({name!r}) has no id", field="vms", hint="pass VM records from inventory")
        if vm_id in seen:
            raise MtvError(
                f"VM {vm_id} is listed twice (as {seen[vm_id]!r} and {name!r})",
                field="vms",
                hint="list every VM once",
            )
        seen[vm_id] = name


def check_convertor_label_keys(labels: Mapping[str, str], field: str = "convertor_labels") -> None:
    taken = sorted(key for key in labels if key in FORKLIFT_CONVERTOR_LABEL_KEYS)
    if taken:
        raise MtvError(
            f"{', '.join(taken)} {'is a label' if len(taken) == 1 else 'are labels'} Forklift sets on convertor pods",
            field=field,
            hint="pick other keys, e.g. 'team' or 'migration-wave'; Forklift uses "
            + ", ".join(sorted(FORKLIFT_CONVERTOR_LABEL_KEYS)),
        )


def target_label_warnings(labels: Mapping[str, str]) -> list[str]:
    taken = sorted(key for key in labels if key in FORKLIFT_TARGET_LABEL_KEYS)
    if not taken:
        return []
    return [f"target_labels: Forklift sets {', '.join(taken)} on the migrated VM itself; its values win"]


# Forklift's Plan CRD defaults deleteVmOnFailMigration to true from 2.11.3 on (kubev2v/forklift
# pkg/apis/forklift/v1beta1/plan.go, "+kubebuilder:default:=true" since v2.11.3; none in 2.10.x);
# kubectl-mtv writes true itself (cmd/create/plan.go, --delete-vm-on-fail-migration defaults to true).
DELETE_VM_DEFAULT_SINCE = (2, 11, 3)


def delete_vm_on_fail_default(forklift_version: str | None) -> bool | None:
    """``True`` to write ``deleteVmOnFailMigration`` as kubectl-mtv does where the CRD has no default
    (before 2.11.3, or an unknown version); None where the API server fills it in."""
    version = version_tuple(forklift_version)
    return None if version is not None and version >= DELETE_VM_DEFAULT_SINCE else True


def version_warnings(fields: Iterable[str], forklift_version: str | None) -> list[str]:
    """Fields the installed Forklift is too old to know (it would drop them silently)."""
    version = version_tuple(forklift_version)
    if version is None:
        return []
    too_new = [name for name in fields if version[:2] < FIELDS_SINCE.get(name, (0, 0))]
    if not too_new:
        return []
    since = max(FIELDS_SINCE[name] for name in too_new)
    return [
        f"Forklift {forklift_version} does not know {', '.join(too_new)} (added in "
        f"{since[0]}.{since[1]}); the API server prunes them and the plan runs without them"
    ]


def provider_warnings(fields: Iterable[str], provider_type: str) -> list[str]:
    convertor = [name for name in fields if name in CONVERTOR_FIELDS]
    if not convertor or provider_type not in NO_CONVERTOR_PROVIDER_TYPES:
        return []
    return [
        f"{', '.join(convertor)} have no effect: migrations from a {provider_type} provider run no "
        "virt-v2v convertor pod (only vSphere, OVA, EC2 and Hyper-V sources do)"
    ]


def warm_migration_warnings(fields: Iterable[str], migration_type: str | None) -> list[str]:
    """Warm migrations copy disks in CDI importer pods, which convertor placement does not reach."""
    convertor = [name for name in fields if name in CONVERTOR_FIELDS]
    if not convertor or migration_type != "warm":
        return []
    return [
        f"warm migration: the disk copies run in CDI importer pods, not in the convertor pod, and "
        f"{', '.join(convertor)} do not reach them (only newer Forklift builds pass convertorNodeSelector "
        "to VDDK importers); the placement applies to the final guest-conversion pod after cutover"
    ]


def _selects_convertors(selector: LabelSelector | None) -> bool:
    if selector is None:
        return False
    if dig(selector.match_labels, "forklift.app") == "virt-v2v":
        return True
    return any(
        req.key == "forklift.app" and req.operator == "In" and "virt-v2v" in (req.values or ())
        for req in selector.match_expressions or ()
    )


def spreads_convertors(affinity: Affinity) -> bool:
    """Whether ``affinity`` keeps convertor pods apart per node, as Forklift's default does."""
    anti = affinity.pod_anti_affinity
    if anti is None:
        return False
    terms = [*(anti.required_during_scheduling_ignored_during_execution or ())]
    terms += [w.pod_affinity_term for w in anti.preferred_during_scheduling_ignored_during_execution or ()]
    return any(t.topology_key == SPREAD_TOPOLOGY and _selects_convertors(t.label_selector) for t in terms)


def spreading_warnings(affinity: Affinity | None, field: str = "convertor_affinity") -> list[str]:
    if affinity is None or spreads_convertors(affinity):
        return []
    return [
        f"{field} replaces Forklift's default, which spreads convertor pods across nodes; "
        f"to keep spreading add the rule: {FORKLIFT_DEFAULT_SPREADING}"
    ]


def critical_concern_warnings(vms: Sequence[Mapping[str, Any]]) -> list[str]:
    found = []
    for vm in vms:
        labels = [
            str(c.get("label") or c.get("id")) for c in vm.get("concerns") or () if c.get("category") == "Critical"
        ]
        if labels:
            found.append(
                f"VM {vm.get('name')} ({vm.get('id')}) has critical concerns: {'; '.join(labels)}; "
                "Forklift will not migrate it until they are resolved"
            )
    return found


def check_temp_storage(
    storage_class: str | None, size: str | None, storage_classes: Sequence[dict[str, Any]]
) -> list[str]:
    """Both or neither, a valid quantity; a warning when the class is not in the cluster."""
    if bool(storage_class) != bool(size):
        missing = "conversion_temp_storage_size" if storage_class else "conversion_temp_storage_class"
        raise MtvError(
            "conversion temp storage needs both a StorageClass and a size; Forklift ignores one alone",
            field=missing,
            hint="e.g. conversion_temp_storage_class='lvms-nvme', conversion_temp_storage_size='100Gi'",
        )
    if size and not _QUANTITY.fullmatch(size):
        raise MtvError(
            f"{size!r} is not a Kubernetes quantity",
            field="conversion_temp_storage_size",
            hint="write a number with an optional unit, e.g. '100Gi' or '500G'",
        )
    known = [str(object_meta(sc).get("name")) for sc in storage_classes]
    if storage_class and known and storage_class not in known:
        return [
            f"conversion_temp_storage_class {storage_class!r} is not a StorageClass of the cluster "
            f"({', '.join(known)}); the convertor pods would stay Pending"
        ]
    return []
