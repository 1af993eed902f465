"""The kinds the sandbox serves: group, version, plural, scope, short names, field-selector keys.

``ResourceCatalog`` resolves any way a caller names a kind — ``"Pod"``, ``"pods"``, ``"pod"``,
``"po"``, ``"plans.forklift.konveyor.io"`` — to one ``ResourceType``. Forklift kinds are built
in (so the sandbox serves them without CRDs); a ``CrdCatalog`` adds printer columns and schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from mtv_mcp.sandbox.crdschema import CrdCatalog, CrdVersion, PrinterColumn

FORKLIFT_GROUP = "forklift.konveyor.io"
_COMMON_FIELDS = frozenset({"metadata.name", "metadata.namespace"})
_ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclass(frozen=True)
class ResourceType:
    """One served resource of the API."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    short_names: tuple[str, ...] = ()
    subresources: frozenset[str] = frozenset()
    field_keys: frozenset[str] = _COMMON_FIELDS
    verbs: tuple[str, ...] = _ALL_VERBS
    categories: tuple[str, ...] = ()
    printer_columns: tuple[PrinterColumn, ...] = ()
    crd: CrdVersion | None = field(default=None, compare=False)

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def qualified(self) -> str:
        """``plural.group`` (just ``plural`` for the core group), as the API server names it."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def has_status(self) -> bool:
        return "status" in self.subresources

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        """The URL path of the collection or of one object."""
        base = f"/api/{self.version}" if not self.group else f"/apis/{self.group}/{self.version}"
        if self.namespaced and namespace:
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        return f"{base}/{name}" if name else base


def _core(kind: str, plural: str, **kwargs: object) -> ResourceType:
    return ResourceType(group="", version="v1", kind=kind, plural=plural, **kwargs)  # type: ignore[arg-type]


def _forklift(kind: str, plural: str) -> ResourceType:
    return ResourceType(
        group=FORKLIFT_GROUP,
        version="v1beta1",
        kind=kind,
        plural=plural,
        subresources=frozenset({"status"}),
        categories=("forklift",),
    )


_STATUS = frozenset({"status"})
BUILTIN_RESOURCES: tuple[ResourceType, ...] = (
    _core(
        "Namespace",
        "namespaces",
        namespaced=False,
        short_names=("ns",),
        subresources=_STATUS,
        field_keys=_COMMON_FIELDS | {"status.phase"},
    ),
    _core(
        "Node",
        "nodes",
        namespaced=False,
        short_names=("no",),
        subresources=_STATUS,
        field_keys=_COMMON_FIELDS | {"spec.unschedulable"},
    ),
    _core(
        "Pod",
        "pods",
        short_names=("po",),
        subresources=frozenset({"status", "log"}),
        categories=("all",),
        field_keys=_COMMON_FIELDS
        | {
            "spec.nodeName",
            "status.phase",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "status.podIP",
            "status.nominatedNodeName",
        },
    ),
    _core(
        "Event",
        "events",
        short_names=("ev",),
        field_keys=_COMMON_FIELDS
        | {
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        },
    ),
    _core("PersistentVolumeClaim", "persistentvolumeclaims", short_names=("pvc",), subresources=_STATUS),
    _core("Secret", "secrets", field_keys=_COMMON_FIELDS | {"type"}),
    _core("ConfigMap", "configmaps", short_names=("cm",)),
    _core("Service", "services", short_names=("svc",), subresources=_STATUS, categories=("all",)),
    _core("ServiceAccount", "serviceaccounts", short_names=("sa",)),
    ResourceType("storage.k8s.io", "v1", "StorageClass", "storageclasses", namespaced=False, short_names=("sc",)),
    ResourceType(
        "k8s.cni.cncf.io",
        "v1",
        "NetworkAttachmentDefinition",
        "network-attachment-definitions",
        short_names=("net-attach-def",),
    ),
    ResourceType("route.openshift.io", "v1", "Route", "routes", subresources=_STATUS),
    ResourceType(
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        namespaced=False,
        short_names=("crd", "crds"),
        subresources=_STATUS,
    ),
    ResourceType(
        "authorization.k8s.io",
        "v1",
        "SelfSubjectAccessReview",
        "selfsubjectaccessreviews",
        namespaced=False,
        verbs=("create",),
    ),
    _forklift("Provider", "providers"),
    _forklift("Plan", "plans"),
    _forklift("NetworkMap", "networkmaps"),
    _forklift("StorageMap", "storagemaps"),
    _forklift("Migration", "migrations"),
    _forklift("Hook", "hooks"),
    _forklift("ForkliftController", "forkliftcontrollers"),
    _forklift("Conversion", "conversions"),
)


METRICS_RESOURCES: tuple[ResourceType, ...] = (
    ResourceType("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", namespaced=False, verbs=("get", "list")),
    ResourceType("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", verbs=("get", "list")),
)
"""The sandbox runs metrics-server (``sandbox.kube.metrics`` computes them); a cluster without it
answers 404 there, which tests get with a fault rule (``GET /apis/metrics.k8s.io/*=404``)."""


class UnknownResourceError(LookupError):
    """No served resource matches the name."""


class ResourceCatalog:
    """All served resources, addressable by URL parts, by kind or by any name kubectl accepts."""

    def __init__(self, crds: CrdCatalog | None = None) -> None:
        resources = [*BUILTIN_RESOURCES, *METRICS_RESOURCES]
        for crd in crds.versions.values() if crds else ():
            merged = ResourceType(
                group=crd.group,
                version=crd.version,
                kind=crd.kind,
                plural=crd.plural,
                namespaced=crd.namespaced,
                short_names=crd.short_names,
                subresources=frozenset({"status"}) if crd.status_subresource else frozenset(),
                categories=crd.categories,
                printer_columns=crd.printer_columns,
                crd=crd,
            )
            known = [i for i, res in enumerate(resources) if (res.group, res.plural) == (crd.group, crd.plural)]
            if known:
                old = resources[known[0]]
                merged = replace(
                    merged,
                    categories=merged.categories or old.categories,
                    short_names=merged.short_names or old.short_names,
                )
                resources[known[0]] = merged
            else:
                resources.append(merged)
        self.resources: tuple[ResourceType, ...] = tuple(resources)
        self._by_url = {(r.group, r.version, r.plural): r for r in self.resources}
        self._by_kind = {(r.api_version, r.kind): r for r in self.resources}
        self._names: dict[str, ResourceType] = {}
        for res in self.resources:
            for alias in (
                res.kind,
                res.plural,
                res.singular,
                res.qualified,
                f"{res.singular}.{res.group}",
                f"{res.kind}.{res.group}",
                *res.short_names,
            ):
                self._names.setdefault(alias.lower(), res)

    def by_url(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The resource at ``/apis/<group>/<version>/<plural>`` (``group`` empty for ``/api/v1``)."""
        return self._by_url.get((group, version, plural))

    def by_kind(self, api_version: str, kind: str) -> ResourceType | None:
        """The resource of ``kind`` in ``api_version``."""
        return self._by_kind.get((api_version, kind))

    def resolve(self, name: str | ResourceType) -> ResourceType:
        """Any name of a resource (kind, plural, singular, short name, ``plural.group``)."""
        if isinstance(name, ResourceType):
            return name
        found = self._names.get(name.lower())
        if found is None:
            raise UnknownResourceError(
                f"the sandbox serves no resource named {name!r}; known: "
                + ", ".join(sorted(r.qualified for r in self.resources))
            )
        return found

    def group_versions(self) -> dict[str, list[ResourceType]]:
        """Resources by ``group/version`` (``v1`` for the core group), in registration order."""
        grouped: dict[str, list[ResourceType]] = {}
        for res in self.resources:
            grouped.setdefault(res.api_version, []).append(res)
        return grouped
