"""What a create-plan call refers to: its VMs (names, ids or a TSL query over the enriched inventory,
resolved exactly as ``query_vms`` resolves them), its providers, and its existing maps.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

from mtv_mcp.core.cluster import ClusterClient, ClusterError, kinds
from mtv_mcp.core.cluster.forklift import provider_phase
from mtv_mcp.core.errors import MtvError, quoted
from mtv_mcp.core.karl import KarlResult, Purpose, RuleError, compile_affinity
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.tsl import QueryError, compile_query, parse_query

VmSelectionInput = str | Sequence[str]
_QUERY = re.compile(r"\s*where\s", re.IGNORECASE)
_VMS_HINT = "give VM names or ids ('pg-prod-01,vm-2061' or a list), or a query like \"where memoryGB > 16\""


class VmSelection(BaseModel):
    """The inventory records of the chosen VMs, in plan order."""

    vms: list[dict[str, Any]]
    query: str | None = Field(description="The TSL query when the VMs were chosen by one")
    warnings: list[str]


def is_query(text: str) -> bool:
    """Whether VM text is a TSL query (starts with ``where``, in any case)."""
    return bool(_QUERY.match(text))


def _references(selection: VmSelectionInput, field: str) -> list[str]:
    if isinstance(selection, str):
        text = selection.strip()
        if text.startswith("["):
            try:
                loaded = json.loads(text)
            except ValueError:
                loaded = None
            if isinstance(loaded, list) and all(isinstance(item, str) for item in loaded):
                return _references(loaded, field)
        items = [text] if is_query(text) else text.split(",")
    else:
        items = list(selection)
    refs = [item.strip() for item in items if isinstance(item, str) and item.strip()]
    if not refs:
        raise MtvError("no VMs given", field=field, hint=_VMS_HINT)
    if len(refs) > 1 and any(is_query(ref) for ref in refs):
        raise MtvError(
            "a query cannot be combined with VM names or ids", field=field, hint="pass the query alone as the string"
        )
    return refs


def _by_query(text: str, records: Sequence[Mapping[str, Any]], provider: str, field: str) -> VmSelection:
    try:
        query = parse_query(text)
        compiled = compile_query(dataclasses.replace(query, select=()))
        result = compiled.run(records)
    except QueryError as error:
        error.field = field
        raise
    notes = [warning.message for warning in result.warnings]
    if not result.items:
        raise MtvError(
            f"the query matched none of the {len(records)} VMs of provider '{provider}'"
            + (f" ({'; '.join(notes)})" if notes else ""),
            field=field,
            hint="try the query with query_vms first; fields and values are case-sensitive",
        )
    return VmSelection(vms=result.items, query=text, warnings=[f"{field}: {note}" for note in notes])


SUGGESTED_MAX = 3  # missing names that get suggestions (each costs a pass over the inventory)
LISTED_MAX = 5  # missing names quoted in the error


def _by_reference(refs: list[str], records: Sequence[Mapping[str, Any]], provider: str, field: str) -> VmSelection:
    by_id = {str(vm.get("id")): vm for vm in records}
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for vm in records:
        by_name.setdefault(str(vm.get("name")), []).append(vm)
    chosen: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    missing: list[str] = []
    for ref in refs:
        named = by_name.get(ref, [])
        if ref in by_id:
            vm = by_id[ref]
        elif len(named) == 1:
            vm = named[0]
        elif named:
            ids = ", ".join(str(candidate.get("id")) for candidate in named)
            raise MtvError(
                f"{len(named)} VMs of provider '{provider}' are called {quoted(ref)} ({ids})",
                field=field,
                hint="name the VM by its id instead",
            )
        else:
            missing.append(ref)
            continue
        vm_id = str(vm.get("id"))
        if vm_id in seen:
            raise MtvError(
                f"VM {vm.get('name')} ({vm_id}) is given twice, as {quoted(seen[vm_id])} and {quoted(ref)}",
                field=field,
                hint="list every VM once",
            )
        seen[vm_id] = ref
        chosen.append(dict(vm))
    if missing:
        names = [*by_name, *by_id]
        close = sorted(
            {match for ref in missing[:SUGGESTED_MAX] for match in difflib.get_close_matches(ref, names, n=2)}
        )
        shown = ", ".join(quoted(ref, 40) for ref in missing[:LISTED_MAX])
        more = f" and {len(missing) - LISTED_MAX} more" if len(missing) > LISTED_MAX else ""
        raise MtvError(
            f"provider '{provider}' has no VM with the name or id {shown}{more}",
            field=field,
            hint=f"did you mean {', '.join(close)}?" if close else "list the VMs with query_vms",
        )
    return VmSelection(vms=chosen, query=None, warnings=[])


def resolve_vms(
    selection: VmSelectionInput, records: Sequence[Mapping[str, Any]], *, provider: str, field: str = "vms"
) -> VmSelection:
    """The VMs ``selection`` means among the inventory ``records`` (raises ``MtvError`` naming ``field``).

    A string starting with ``where`` is a TSL query (its ``select`` is ignored; order and limit
    apply); anything else is names or ids, comma-separated or as a list. Every VM must exist, none
    may be given twice, and a query must match at least one VM.
    """
    refs = _references(selection, field)
    if is_query(refs[0]):
        return _by_query(refs[0], records, provider, field)
    return _by_reference(refs, records, provider, field)


def compile_rules(rules: str | Sequence[str], *, field: str, purpose: Purpose) -> KarlResult:
    """KARL rules for one plan argument; errors name ``field`` (``field[i]`` for list items)."""
    try:
        return compile_affinity(rules, purpose=purpose)
    except RuleError as error:
        renamed = [
            RuleError(
                e.message,
                source=e.source,
                column=e.column,
                hint=e.hint,
                field=(e.field or "").replace("rules", field, 1) or field,
            )
            for e in error.all
        ]
        raise RuleError.combine(renamed) from None


def _get_or_none(cluster: ClusterClient, kind: kinds.Kind, namespace: str, name: str) -> dict[str, Any] | None:
    try:
        return cluster.get(kind, namespace, name)
    except ClusterError as error:
        if error.status == 404:
            return None
        raise


def ready_provider(cluster: ClusterClient, namespace: str, name: str, field: str) -> dict[str, Any]:
    """The Provider ``name`` (``ns/name`` accepted); raises naming ``field`` when absent or not Ready."""
    provider_ns, _, provider_name = name.rpartition("/")
    provider_ns = provider_ns or namespace
    provider = _get_or_none(cluster, kinds.PROVIDER, provider_ns, provider_name)
    if provider is None:
        known = sorted(str(dig(p, "metadata", "name")) for p in cluster.list_providers(provider_ns))
        raise MtvError(
            f"provider '{provider_name}' does not exist in namespace {provider_ns}",
            field=field,
            hint=f"providers there: {', '.join(known)}" if known else "create the provider first",
        )
    phase = provider_phase(provider)
    if phase != "Ready":
        raise MtvError(
            f"provider '{provider_name}' is not Ready (phase {phase})",
            field=field,
            hint="fix the provider (credentials, URL, connection test) and wait until it is Ready",
        )
    return provider


def default_target_provider(cluster: ClusterClient, namespace: str) -> dict[str, Any]:
    """kubectl-mtv's default destination: the OpenShift provider with an empty URL, else the first
    one; none in ``namespace`` is an error, as there (kubev2v/kubectl-mtv
    ``pkg/cmd/create/provider/defaultprovider/openshift.go``): Forklift creates the ``host``
    provider only in its own namespace, so a plan naming ``host`` elsewhere never becomes Ready."""
    openshift = [p for p in cluster.list_providers(namespace) if dig(p, "spec", "type") == "openshift"]
    local = [p for p in openshift if not dig(p, "spec", "url")]
    candidates = local or openshift
    if not candidates:
        raise MtvError(
            f"no OpenShift provider in namespace {namespace} to migrate to",
            field="target",
            hint=f"create an OpenShift Provider with an empty URL (the local cluster) in {namespace}, "
            "or pass target='<namespace>/<provider>' naming an existing one",
        )
    return candidates[0]


def require_map(cluster: ClusterClient, kind: kinds.Kind, namespace: str, name: str, field: str) -> None:
    """Raise naming ``field`` when the named existing map does not exist."""
    if _get_or_none(cluster, kind, namespace, name) is None:
        raise MtvError(
            f"{kind.singular} '{name}' does not exist in namespace {namespace}",
            field=field,
            hint=f"leave {field} empty to build one automatically, or create the map first",
        )


def optional_list(read: Any, what: str, warnings: list[str]) -> list[dict[str, Any]]:
    """``read()``, or ``[]`` when the cluster does not serve or lets us read it (a warning for 403)."""
    try:
        items: list[dict[str, Any]] = read()
    except ClusterError as error:
        if error.status == 403:
            warnings.append(f"could not read the {what} of the cluster (403); automatic map targets may be off")
        elif error.status != 404:
            raise
        return []
    return items
