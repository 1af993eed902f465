"""Where each source storage of an automatic StorageMap goes, per source type, as kubectl-mtv's
storage mappers choose (kubev2v/kubectl-mtv ``pkg/cmd/create/plan/storage/mapper/``).

OpenShift (openshift/mapper.go): without ``default_target_storage_class``, a source StorageClass
whose name is a target StorageClass keeps that name; the others take the default class. EC2
(ec2/mapper.go): only StorageClasses provisioned by the EBS CSI driver qualify; each volume type
takes the first such class named after it (``gp3``, ``gp3-…``, ``…-gp3-…``), else the best one;
gp2/gp3/io1/io2 (and unknown types) become ``Block`` volumes, st1/sc1/standard ``Filesystem``, all
``ReadWriteOnce``. Everything else maps every source to the one default class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from mtv_mcp.core.errors import MtvError, quoted
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.plan.maps import default_storage_class, object_meta
from mtv_mcp.core.plan.models import DestinationStorage, StorageSource

EBS_CSI_DRIVER = "ebs.csi.aws.com"
FILESYSTEM_EBS_TYPES = ("st1", "sc1", "standard")


def _provisioners(storage_classes: Sequence[dict[str, Any]]) -> dict[str, str]:
    """StorageClass name → provisioner (Kubernetes objects or inventory items)."""
    found = {}
    for sc in storage_classes:
        name = object_meta(sc).get("name")
        if name:
            found[str(name)] = str(sc.get("provisioner") or dig(sc, "object", "provisioner") or "")
    return found


def _names_volume_type(class_name: str, volume_type: str) -> bool:
    name = class_name.lower()
    return name == volume_type or name.startswith(f"{volume_type}-") or volume_type in name.split("-")


def _ebs_class(volume_type: str, storage_classes: Sequence[dict[str, Any]], requested: str | None) -> str:
    provisioners = _provisioners(storage_classes)
    if requested:
        if provisioners and provisioners.get(requested) != EBS_CSI_DRIVER:
            found = (
                f"has provisioner {quoted(provisioners[requested])}" if requested in provisioners else "is not there"
            )
            raise MtvError(
                f"StorageClass {quoted(requested)} {found}; EC2 disks need one provisioned by {EBS_CSI_DRIVER}",
                field="default_target_storage_class",
                hint=f"name a StorageClass of the target cluster whose provisioner is {EBS_CSI_DRIVER}",
            )
        return requested
    best = default_storage_class(storage_classes, None)
    ebs = sorted((name for name, by in provisioners.items() if by == EBS_CSI_DRIVER), key=lambda name: name != best)
    if not ebs:
        raise MtvError(
            f"no StorageClass with provisioner {EBS_CSI_DRIVER} is visible on the target cluster; "
            "EC2 disks need an EBS CSI-backed StorageClass",
            field="storage_map",
            hint="install the AWS EBS CSI driver, or pass default_target_storage_class / storage_map",
        )
    return next((name for name in ebs if _names_volume_type(name, volume_type)), ebs[0])


def storage_destination(
    source: StorageSource,
    *,
    provider_type: str,
    default_class: str,
    storage_classes: Sequence[dict[str, Any]],
    requested: str | None,
) -> DestinationStorage:
    """The destination of one source storage (``default_class``: the generic choice)."""
    name = source.name or ""
    if provider_type == "ec2":
        mode: Literal["Filesystem", "Block"] = "Filesystem" if name in FILESYSTEM_EBS_TYPES else "Block"
        return DestinationStorage(
            storage_class=_ebs_class(name, storage_classes, requested), volume_mode=mode, access_mode="ReadWriteOnce"
        )
    if provider_type == "openshift" and not requested and name in _provisioners(storage_classes):
        return DestinationStorage(storage_class=name)
    return DestinationStorage(storage_class=default_class)
