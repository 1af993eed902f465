"""Kubernetes ``Status`` errors: one exception type the store and the handlers raise.

``ApiError.to_status()`` is the JSON body a real API server sends (``kind: Status``,
``status: Failure``, ``reason``, ``details`` with ``causes``, ``code``); the constructors below
phrase their messages exactly like the API server so clients that parse them keep working.
"""

from __future__ import annotations

from typing import Any

from mtv_mcp.sandbox.crdschema import FieldError


class ApiError(Exception):
    """A failed API request; ``code`` is the HTTP status, ``reason`` the ``StatusReason``."""

    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def to_status(self) -> dict[str, Any]:
        """The ``Status`` object of this error."""
        status: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            status["details"] = self.details
        return status


def _details(group: str, kind: str, name: str) -> dict[str, Any]:
    details: dict[str, Any] = {"name": name, "kind": kind}
    if group:
        details["group"] = group
    return details


def _qualified(group: str, plural: str) -> str:
    return f"{plural}.{group}" if group else plural


def _about_object(code: int, reason: str, group: str, plural: str, name: str, *, message: str) -> ApiError:
    """An error about one object; ``{object}`` in ``message`` becomes ``plans.forklift.konveyor.io "x"``."""
    text = message.format(object=f'{_qualified(group, plural)} "{name}"')
    return ApiError(code, reason, text, details=_details(group, plural, name))


def not_found(group: str, plural: str, name: str) -> ApiError:
    """404: ``plans.forklift.konveyor.io "x" not found``."""
    return _about_object(404, "NotFound", group, plural, name, message="{object} not found")


def already_exists(group: str, plural: str, name: str) -> ApiError:
    """409 AlreadyExists."""
    return _about_object(409, "AlreadyExists", group, plural, name, message="{object} already exists")


def conflict(group: str, plural: str, name: str) -> ApiError:
    """409 Conflict on a stale ``resourceVersion``."""
    return _about_object(
        409,
        "Conflict",
        group,
        plural,
        name,
        message="Operation cannot be fulfilled on {object}: the object has been modified; please apply your changes "
        "to the latest version and try again",
    )


def invalid(group: str, kind: str, name: str, errors: list[FieldError]) -> ApiError:
    """422 Invalid with one cause per field error."""
    qualified = f"{kind}.{group}" if group else kind
    listed = str(errors[0]) if len(errors) == 1 else "[" + ", ".join(str(err) for err in errors) + "]"
    details = _details(group, kind, name)
    details["causes"] = [{"reason": e.reason, "message": e.message, "field": e.field} for e in errors]
    return ApiError(422, "Invalid", f'{qualified} "{name}" is invalid: {listed}', details=details)


def bad_request(message: str) -> ApiError:
    """400 BadRequest."""
    return ApiError(400, "BadRequest", message)


def unauthorized() -> ApiError:
    """401 for a missing or unknown bearer token."""
    return ApiError(401, "Unauthorized", "Unauthorized")


def forbidden(
    user: str,
    verb: str,
    group: str,
    plural: str,
    namespace: str | None,
    *,
    name: str = "",
    subresource: str = "",
) -> ApiError:
    """403 in the API server's wording."""
    scope = f'in the namespace "{namespace}"' if namespace else "at the cluster scope"
    resource = f"{plural}/{subresource}" if subresource else plural
    subject = f'{plural} "{name}"' if name else plural
    text = f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" in API group "{group}" {scope}'
    return ApiError(403, "Forbidden", text, details=_details(group, plural, name))


def method_not_allowed(message: str) -> ApiError:
    """405 MethodNotAllowed."""
    return ApiError(405, "MethodNotAllowed", message)


def unsupported_media_type(content_type: str) -> ApiError:
    """415 for a patch body type the server does not accept."""
    return ApiError(
        415,
        "UnsupportedMediaType",
        f"the body of the request was in an unknown format - "
        f"accepted media types include: application/json-patch+json, "
        f"application/merge-patch+json, application/apply-patch+yaml (got {content_type!r})",
    )
