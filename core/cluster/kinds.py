"""The Kubernetes kinds mtv-mcp reads and writes: where they live in the API and what to call them."""

from __future__ import annotations

from dataclasses import dataclass

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_labels import validate_dns_label

FORKLIFT_GROUP = "forklift.konveyor.io"
_NOT_IN_NAMES = frozenset("/%?#\\ ")
FORKLIFT_VERSION = "v1beta1"


@dataclass(frozen=True)
class Kind:
    """One API resource: its URL parts and the words used for it in messages."""

    kind: str
    plural: str
    group: str = ""
    version: str = "v1"
    namespaced: bool = True
    noun: str = ""
    nouns: str = ""

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        """The kind in messages ("plan", "storage class")."""
        return self.noun or self.kind.lower()

    @property
    def plural_noun(self) -> str:
        """The kind in plural in messages ("plans", "storage classes")."""
        return self.nouns or f"{self.singular}s"

    def path(self, namespace: str | None = None, name: str | None = None, subresource: str | None = None) -> str:
        """The URL path of the collection (no ``name``) or of one object.

        ``MtvError`` for a namespace or name that cannot be one (it would address another path).
        """
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace:
            _check_namespace(namespace)
            base += f"/namespaces/{namespace}"
        base += f"/{self.plural}"
        if name is not None:
            self._check_name(name)
            base += f"/{name}"
        return f"{base}/{subresource}" if subresource and name else base

    def _check_name(self, name: str) -> None:
        if name in ("", ".", "..") or any(char in _NOT_IN_NAMES or not char.isprintable() for char in name):
            raise MtvError(
                f"{name!r} is not a valid {self.singular} name",
                hint="Kubernetes object names are lowercase letters, digits, '-' and '.' (e.g. 'wave1-db'); "
                "pass the name exactly as the cluster shows it",
            )


def _check_namespace(namespace: str) -> None:
    problem = validate_dns_label(namespace)
    if problem:
        raise MtvError(
            f"{namespace!r} is not a valid namespace: {problem.removeprefix('the name ')}",
            hint="namespaces are DNS labels such as 'openshift-mtv'",
        )


def _forklift(kind: str, plural: str, noun: str = "") -> Kind:
    return Kind(kind, plural, FORKLIFT_GROUP, FORKLIFT_VERSION, noun=noun)


PROVIDER = _forklift("Provider", "providers")
PLAN = _forklift("Plan", "plans")
NETWORK_MAP = _forklift("NetworkMap", "networkmaps", "network map")
STORAGE_MAP = _forklift("StorageMap", "storagemaps", "storage map")
MIGRATION = _forklift("Migration", "migrations")
CONVERSION = _forklift("Conversion", "conversions")
HOOK = _forklift("Hook", "hooks")
FORKLIFT_CONTROLLER = _forklift("ForkliftController", "forkliftcontrollers", "ForkliftController")

POD = Kind("Pod", "pods")
CONFIG_MAP = Kind("ConfigMap", "configmaps", noun="config map")
EVENT = Kind("Event", "events")
NODE = Kind("Node", "nodes", namespaced=False)
NAMESPACE = Kind("Namespace", "namespaces", namespaced=False)
PVC = Kind("PersistentVolumeClaim", "persistentvolumeclaims", noun="persistent volume claim")
STORAGE_CLASS = Kind(
    "StorageClass", "storageclasses", "storage.k8s.io", namespaced=False, noun="storage class", nouns="storage classes"
)
NAD = Kind(
    "NetworkAttachmentDefinition",
    "network-attachment-definitions",
    "k8s.cni.cncf.io",
    noun="network attachment definition",
)
ROUTE = Kind("Route", "routes", "route.openshift.io")
CRD = Kind(
    "CustomResourceDefinition",
    "customresourcedefinitions",
    "apiextensions.k8s.io",
    namespaced=False,
    noun="custom resource definition",
)
CSV = Kind(
    "ClusterServiceVersion", "clusterserviceversions", "operators.coreos.com", "v1alpha1", noun="ClusterServiceVersion"
)
# metrics.k8s.io, served by metrics-server (k8s.io/metrics/pkg/apis/metrics/v1beta1/types.go)
NODE_METRICS = Kind(
    "NodeMetrics", "nodes", "metrics.k8s.io", "v1beta1", namespaced=False, noun="node metrics", nouns="node metrics"
)
POD_METRICS = Kind("PodMetrics", "pods", "metrics.k8s.io", "v1beta1", noun="pod metrics", nouns="pod metrics")

FORKLIFT_KINDS: dict[str, Kind] = {
    kind.kind: kind
    for kind in (PROVIDER, PLAN, NETWORK_MAP, STORAGE_MAP, MIGRATION, CONVERSION, HOOK, FORKLIFT_CONTROLLER)
}


def forklift_kind(name: str) -> Kind:
    """The Forklift kind called ``name`` (``Plan``, ``plan``, ``plans``, ``networkmap`` ...)."""
    wanted = name.replace(" ", "").lower()
    for kind in FORKLIFT_KINDS.values():
        if wanted in (kind.kind.lower(), kind.plural):
            return kind
    known = ", ".join(FORKLIFT_KINDS)
    raise ValueError(f"unknown Forklift kind {name!r}; known kinds: {known}")
