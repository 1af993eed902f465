"""Which inventory provider a name means: the Provider object read from the Kubernetes API.

kubectl-mtv does the same (kubev2v/kubectl-mtv ``pkg/util/client/inventory.go``,
``FetchProviderInventoryWithInsecure``): it reads the Provider CR and asks the inventory for
``/providers/<spec.type>/<metadata.uid>/...``. Forklift's inventory authorizes such a path with a
namespaced ``get`` on that Provider, while ``/providers`` without ``namespace=`` needs a
cluster-wide ``list providers`` (kubev2v/forklift ``pkg/controller/provider/web/base/auth.go``), which a
user with rights in one namespace only does not have.
"""

from __future__ import annotations

from typing import Any

from mtv_mcp.core.cluster import ClusterClient, ClusterError, kinds
from mtv_mcp.core.cluster.forklift import provider_phase
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory.models import ProviderRef
from mtv_mcp.core.kube_fields import dig


def provider_ref(provider: dict[str, Any]) -> ProviderRef:
    """The inventory's key of a Provider object: its namespace, name, ``spec.type`` and UID."""
    meta, spec = provider.get("metadata") or {}, provider.get("spec") or {}
    return ProviderRef(
        name=str(meta.get("name")),
        namespace=str(meta.get("namespace")),
        uid=str(meta.get("uid")),
        type=str(spec.get("type") or "openshift"),
        phase=provider_phase(provider),
    )


def find_provider(cluster: ClusterClient, name: str, namespace: str) -> dict[str, Any]:
    """The Provider ``name`` in ``namespace`` (or the one there whose UID is ``name``)."""
    try:
        return cluster.get(kinds.PROVIDER, namespace, name)
    except ClusterError as error:
        if error.status != 404:
            raise
    try:
        here = cluster.list_providers(namespace)
    except ClusterError:
        here = []
    by_uid = [p for p in here if dig(p, "metadata", "uid") == name]
    if by_uid:
        return by_uid[0]
    names = sorted(str(dig(p, "metadata", "name")) for p in here)
    elsewhere = sorted({ns for ns in _namespaces_with(cluster, name) if ns != namespace})
    if elsewhere:
        hint = f"it exists in namespace {elsewhere[0]}: pass namespace='{elsewhere[0]}'"
    elif names:
        hint = f"providers in {namespace}: {', '.join(names)}"
    else:
        hint = f"there is no provider in {namespace} that this user can see; check the namespace"
    raise MtvError(f"provider '{name}' not found in namespace {namespace}", hint=hint)


def _namespaces_with(cluster: ClusterClient, name: str) -> list[str]:
    """Namespaces holding a provider called ``name`` (none when this user may not list them all)."""
    try:
        everywhere = cluster.list_providers(None)
    except ClusterError:
        return []
    return [str(dig(p, "metadata", "namespace")) for p in everywhere if dig(p, "metadata", "name") == name]
