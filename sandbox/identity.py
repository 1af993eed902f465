"""Who may do what in the sandbox: fixed bearer tokens and a four-role RBAC.

- ``ADMIN_TOKEN`` (user ``sandbox-admin``): everything.
- ``VIEWER_TOKEN`` (user ``sandbox-viewer``): get/list/watch everything except Secrets; pod logs
  only while ``Identities.viewer_can_read_logs`` is true (switch it off to test "viewer token
  without log access").
- ``NO_ACCESS_TOKEN`` (user ``sandbox-nobody``): authenticated, but every resource request is 403.
- ``TENANT_TOKEN`` (user ``sandbox-tenant``): a namespace-scoped user, as an OpenShift project
  admin of ``openshift-mtv`` without cluster roles: every verb on Forklift objects, read on pods
  (and their logs), events, ConfigMaps, NetworkAttachmentDefinitions, Routes and the
  ClusterServiceVersions OLM copies into every namespace, all in ``openshift-mtv`` only; nothing
  cluster-scoped (no nodes, no StorageClasses, no CRDs) and no list across all namespaces.

A missing or unknown token is 401. Discovery (``/api``, ``/apis``, ``/openapi``) is open to any
authenticated user, ``/version`` and ``/healthz`` to everybody, as on a real cluster.
SelfSubjectAccessReviews are answered from the same rules.

The inventory authorizes as Forklift's does (kubev2v/forklift
``pkg/controller/provider/web/base/auth.go``, ``Auth.permit``): a TokenReview, then a
SubjectAccessReview of ``list providers`` in the request's ``namespace`` parameter (cluster-wide
when there is none) for ``/providers`` and ``/providers/<type>``, or of ``get`` on the Provider
itself (its namespace and name) for ``/providers/<type>/<uid>/...``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

ADMIN_TOKEN = "sandbox-admin-token"
VIEWER_TOKEN = "sandbox-viewer-token"
NO_ACCESS_TOKEN = "sandbox-no-access-token"
TENANT_TOKEN = "sandbox-tenant-token"
TENANT_NAMESPACE = "openshift-mtv"
FORKLIFT_GROUP = "forklift.konveyor.io"

Role = Literal["admin", "viewer", "none", "tenant"]
TokenCheck = Literal["ok", "unauthenticated", "forbidden"]
READ_VERBS = frozenset({"get", "list", "watch"})
# What the tenant may read besides Forklift objects: (API group, resource).
TENANT_READS = frozenset(
    {
        ("", "pods"),
        ("", "events"),
        ("", "configmaps"),
        ("k8s.cni.cncf.io", "network-attachment-definitions"),
        ("route.openshift.io", "routes"),
        ("operators.coreos.com", "clusterserviceversions"),
    }
)


# Objects every authenticated user may read: the ingress CA bundle OpenShift publishes.
PUBLIC_OBJECTS = frozenset({("", "configmaps", "openshift-config-managed", "default-ingress-cert")})


def _public(verb: str, group: str, resource: str, namespace: str | None, name: str) -> bool:
    return verb == "get" and (group, resource, namespace, name) in PUBLIC_OBJECTS


@dataclass(frozen=True)
class User:
    """An authenticated sandbox user."""

    name: str
    role: Role


class Identities:
    """The token → user table and the authorization rules."""

    def __init__(self, *, viewer_can_read_logs: bool = True) -> None:
        self.viewer_can_read_logs = viewer_can_read_logs
        self._users = {
            ADMIN_TOKEN: User("sandbox-admin", "admin"),
            VIEWER_TOKEN: User("sandbox-viewer", "viewer"),
            NO_ACCESS_TOKEN: User("sandbox-nobody", "none"),
            TENANT_TOKEN: User("sandbox-tenant", "tenant"),
        }

    def authenticate(self, authorization: str | None) -> User | None:
        """The user of an ``Authorization`` header value (``Bearer <token>``), or None."""
        if not authorization or not authorization.lower().startswith("bearer "):
            return None
        return self._users.get(authorization[7:].strip())

    @contextmanager
    def revoked(self, token: str) -> Iterator[None]:
        """Within the block ``token`` is unknown (401), as after a real revocation."""
        user = self._users.pop(token)
        try:
            yield
        finally:
            self._users[token] = user

    def allowed(
        self,
        user: User,
        verb: str,
        group: str,
        resource: str,
        subresource: str = "",
        *,
        namespace: str | None = None,
        name: str = "",
    ) -> bool:
        """Whether ``user`` may ``verb`` the resource in ``namespace`` (None: cluster-wide or
        cluster-scoped); ``name`` is the object's, for rules on one object."""
        if user.role == "admin" or _public(verb, group, resource, namespace, name):
            return True
        if user.role == "tenant":
            return namespace == TENANT_NAMESPACE and (
                group == FORKLIFT_GROUP or (verb in READ_VERBS and (group, resource) in TENANT_READS)
            )
        if user.role == "none" or verb not in READ_VERBS:
            return False
        if not group and resource == "secrets":
            return False
        if not group and resource == "pods" and subresource == "log":
            return self.viewer_can_read_logs
        return True

    def check_inventory_request(self, token: str | None, verb: str, namespace: str | None) -> TokenCheck:
        """The inventory's verdict on a request: ``list`` providers in ``namespace`` (None: all) or
        ``get`` on one Provider in its namespace (see the module docstring)."""
        user = self._users.get(token or "")
        if user is None:
            return "unauthenticated"
        return "ok" if self.allowed(user, verb, FORKLIFT_GROUP, "providers", namespace=namespace) else "forbidden"
