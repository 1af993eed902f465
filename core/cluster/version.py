"""Which Forklift/MTV is installed, where its operator lives, and whether Plans know ``convertor*``.

The version comes from the OLM annotation ``operatorframework.io/installed-alongside-<hash>:
"<namespace>/<csv>"`` on the Provider CRD, else from the operator's ClusterServiceVersion. Support
for the convertor fields is read from the Plan CRD's schema (the truth), else inferred from the
version (they shipped in 2.10.0).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import kinds
from mtv_mcp.core.cluster.errors import ClusterError
from mtv_mcp.core.kube_fields import dig

if TYPE_CHECKING:
    from mtv_mcp.core.cluster.client import ClusterClient

PROVIDER_CRD = f"providers.{kinds.FORKLIFT_GROUP}"
PLAN_CRD = f"plans.{kinds.FORKLIFT_GROUP}"
OLM_ANNOTATION = "operatorframework.io/installed-alongside-"
FALLBACK_OPERATOR_NAMESPACES = ("openshift-mtv", "konveyor-forklift")
CONVERTOR_FIELDS = ("convertorLabels", "convertorNodeSelector", "convertorAffinity")
CONVERTOR_SINCE = (2, 10)
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")


class ForkliftVersion(BaseModel):
    """What the cluster says about its Forklift installation."""

    version: str | None = Field(description="e.g. 2.12.5; None when it cannot be told")
    source: str = Field(description="Where the version was read")
    operator_namespace: str | None = Field(description="Namespace of the Forklift/MTV operator, when known")
    convertor_fields: bool | None = Field(
        description="Whether Plans accept convertorLabels/NodeSelector/Affinity (2.10+); None when unknown"
    )
    convertor_fields_source: str = Field(description="How convertor_fields was decided")


def version_tuple(text: str | None) -> tuple[int, int, int] | None:
    """``(2, 12, 5)`` from ``mtv-operator.v2.12.5`` or ``2.12.5``."""
    match = _VERSION.search(text or "")
    return (int(match[1]), int(match[2]), int(match[3])) if match else None


def _olm_origin(crd: dict[str, Any]) -> tuple[str, str] | None:
    for key, value in (dig(crd, "metadata", "annotations") or {}).items():
        if key.startswith(OLM_ANNOTATION) and "/" in str(value):
            namespace, _, csv = str(value).partition("/")
            return namespace, csv
    return None


def _plan_spec_fields(crd: dict[str, Any]) -> set[str]:
    fields: set[str] = set()
    for version in dig(crd, "spec", "versions") or []:
        schema = dig(version, "schema", "openAPIV3Schema") or {}
        spec = dig(schema, "properties", "spec", "properties") or {}
        fields.update(spec)
    return fields


def _read(call: Any, *args: Any) -> Any:
    """``call(*args)``, or None when the cluster does not let us read it (404, 403)."""
    try:
        return call(*args)
    except ClusterError as error:
        if error.status in (403, 404):
            return None
        raise


def operator_namespace(cluster: ClusterClient) -> str | None:
    """The namespace OLM installed Forklift into, from the Provider CRD annotation (None if unknown)."""
    crd = _read(cluster.get_crd, PROVIDER_CRD)
    origin = _olm_origin(crd) if crd else None
    return origin[0] if origin else None


def _from_csvs(cluster: ClusterClient) -> tuple[str, str, str] | None:
    for namespace in FALLBACK_OPERATOR_NAMESPACES:
        csvs = _read(cluster.list_objects, kinds.CSV, namespace) or []
        for csv in csvs:
            name = str(dig(csv, "metadata", "name") or "")
            if "mtv-operator" in name or "forklift-operator" in name:
                version = dig(csv, "spec", "version") or name
                return namespace, name, str(version)
    return None


def detect_forklift_version(cluster: ClusterClient) -> ForkliftVersion:
    """Read the version and the convertor-field support; unreadable parts come back as unknown."""
    crd = _read(cluster.get_crd, PROVIDER_CRD)
    origin = _olm_origin(crd) if crd else None
    namespace: str | None = None
    version: tuple[int, int, int] | None = None
    source = "unknown (no OLM annotation on the Provider CRD and no Forklift ClusterServiceVersion found)"
    if origin:
        namespace, csv = origin
        version = version_tuple(csv)
        source = f"annotation on CRD {PROVIDER_CRD}: {namespace}/{csv}"
    else:
        found = _from_csvs(cluster)
        if found:
            namespace, csv, text = found
            version = version_tuple(text)
            source = f"ClusterServiceVersion {namespace}/{csv}"
    plan_crd = _read(cluster.get_crd, PLAN_CRD)
    spec_fields = _plan_spec_fields(plan_crd) if plan_crd is not None else set()
    if spec_fields:
        supported: bool | None = all(field in spec_fields for field in CONVERTOR_FIELDS)
        how = f"schema of CRD {PLAN_CRD}"
    elif version is not None:
        supported = version[:2] >= CONVERTOR_SINCE
        how = "version (convertor fields shipped in 2.10.0)"
    else:
        supported, how = None, "unknown (no Plan CRD schema and version unknown)"
    return ForkliftVersion(
        version=".".join(map(str, version)) if version else None,
        source=source,
        operator_namespace=namespace,
        convertor_fields=supported,
        convertor_fields_source=how,
    )
