"""Who may do what in the sandbox: fixed bearer tokens and a three-role RBAC.

- ``ADMIN_TOKEN`` (user ``sandbox-admin``): everything.
- ``VIEWER_TOKEN`` (user ``sandbox-viewer``): get/list/watch everything except Secrets; pod logs
  only while ``Identities.viewer_can_read_logs`` is true (switch it off to test "viewer token
  without log access").
- ``NO_ACCESS_TOKEN`` (user ``sandbox-nobody``): authenticated, but every resource request is 403.

A missing or unknown token is 401. Discovery (``/api``, ``/apis``, ``/openapi``) is open to any
authenticated user, ``/version`` and ``/healthz`` to everybody, as on a real cluster.
SelfSubjectAccessReviews are answered from the same rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

ADMIN_TOKEN = "sandbox-admin-token"
VIEWER_TOKEN = "sandbox-viewer-token"
NO_ACCESS_TOKEN = "sandbox-no-access-token"

Role = Literal["admin", "viewer", "none"]
TokenCheck = Literal["ok", "unauthenticated", "forbidden"]
READ_VERBS = frozenset({"get", "list", "watch"})


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

    def allowed(self, user: User, verb: str, group: str, resource: str, subresource: str = "") -> bool:
        """Whether ``user`` may ``verb`` the resource (namespace plays no role in these roles)."""
        if user.role == "admin":
            return True
        if user.role == "none" or verb not in READ_VERBS:
            return False
        if not group and resource == "secrets":
            return False
        if not group and resource == "pods" and subresource == "log":
            return self.viewer_can_read_logs
        return True

    def check_inventory_token(self, token: str | None) -> TokenCheck:
        """The inventory service's verdict on a bearer token (it asks for ``get`` on providers)."""
        user = self._users.get(token or "")
        if user is None:
            return "unauthenticated"
        return "ok" if self.allowed(user, "get", "forklift.konveyor.io", "providers") else "forbidden"
