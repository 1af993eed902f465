"""Kubernetes access per call: an ``ApiClient`` built from the resolved credentials, with timeouts,
read retries and clear errors. ``kubernetes`` is imported lazily (it is slow to import).

    with ClusterClient.connect(credentials, settings) as cluster:
        plan = cluster.get_plan("openshift-mtv", "wave1")

Every answer is plain JSON (dicts as the API serves them, camelCase keys), not typed models.
"""

from __future__ import annotations

import json
import logging
import os
import time
from types import TracebackType
from typing import Any, Literal

from mtv_mcp.core.cluster import kinds
from mtv_mcp.core.cluster.errors import Operation, UnreadableAnswer, client_error, status_error, transport_error
from mtv_mcp.core.cluster.kinds import Kind
from mtv_mcp.core.cluster.version import ForkliftVersion, detect_forklift_version
from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import SERVICE_ACCOUNT_DIR, Credentials
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.retry import RETRYABLE_STATUSES, RetryableStatus, call_with_retries

log = logging.getLogger(__name__)

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"


def _kube_configuration(credentials: Credentials) -> tuple[Any, str | None]:
    """A ``kubernetes.client.Configuration`` and the default namespace for ``credentials``."""
    from kubernetes import client, config  # noqa: PLC0415 - slow import, needed only per call

    configuration = client.Configuration()
    namespace: str | None = None
    use_in_cluster = credentials.source == "in-cluster" or not (credentials.server or credentials.kubeconfig)
    if use_in_cluster and not os.environ.get("KUBERNETES_SERVICE_HOST"):
        raise MtvError(
            "the request carries a bearer token but names no Kubernetes API server",
            hint="start the server with --server (a request's token never goes to the kubeconfig's API)",
        )
    try:
        if credentials.kubeconfig and not credentials.server:
            namespace = _load_kubeconfig(credentials, configuration)
        elif use_in_cluster:
            config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
            namespace_file = SERVICE_ACCOUNT_DIR / "namespace"
            namespace = namespace_file.read_text().strip() if namespace_file.exists() else None
    except (config.ConfigException, OSError, ValueError, TypeError, KeyError) as error:
        where = f"the kubeconfig {credentials.kubeconfig}" if credentials.kubeconfig else "the in-cluster account"
        raise MtvError(
            f"cannot use {where}: {error}",
            hint="fix the file or pass another one with --kubeconfig/--context, or use --server and --token",
        ) from error
    if credentials.server:
        configuration.host = credentials.server.rstrip("/")
    if credentials.token:
        configuration.api_key = {"BearerToken": f"Bearer {credentials.token.get_secret_value()}"}
        configuration.refresh_api_key_hook = None
        configuration.cert_file = configuration.key_file = None
        configuration.username = configuration.password = None
    if credentials.ca_file:
        configuration.ssl_ca_cert = str(credentials.ca_file)
    if credentials.insecure:
        configuration.verify_ssl = False
    configuration.retries = False
    return configuration, namespace


def _load_kubeconfig(credentials: Credentials, configuration: Any) -> str | None:
    """Read the kubeconfig once into ``configuration``; the namespace of the chosen context.

    The steps of ``kubernetes.config.load_kube_config`` (merge the file, pick the context, fill
    the configuration) in one pass, so the namespace comes from the same parse.
    """
    from kubernetes.config import ConfigException, kube_config  # noqa: PLC0415

    merged = kube_config.KubeConfigMerger(str(credentials.kubeconfig))  # type: ignore[no-untyped-call]
    if merged.config is None:
        raise ConfigException("Invalid kube-config file. No configuration found.")
    loader = kube_config.KubeConfigLoader(  # type: ignore[no-untyped-call]
        config_dict=merged.config, active_context=credentials.context
    )
    loader.load_and_set(configuration)  # type: ignore[no-untyped-call]
    context = loader.current_context or {}
    namespace = dig(context, "context", "namespace")
    return str(namespace) if namespace else None


class ClusterClient:
    """One call's connection to a Kubernetes API (use as a context manager, or ``close()`` it)."""

    def __init__(self, api_client: Any, *, timeout: float, namespace: str | None) -> None:
        self._api = api_client
        self.timeout = timeout
        self.server: str = api_client.configuration.host
        self.default_namespace = namespace

    @property
    def ca_file(self) -> str | None:
        """The file of the CA bundle this client trusts for the API server (from the kubeconfig's
        ``certificate-authority(-data)``, ``--kube-ca`` or the service account), if any."""
        value = self._api.configuration.ssl_ca_cert
        return str(value) if value else None

    @property
    def bearer_token(self) -> str | None:
        """The bearer token this client sends (the kubeconfig user's for kubeconfig credentials)."""
        value = self._api.configuration.get_api_key_with_prefix("BearerToken")
        if not value:
            return None
        scheme, _, token = str(value).partition(" ")
        return token.strip() if scheme.lower() == "bearer" else None

    @classmethod
    def connect(cls, credentials: Credentials, settings: Settings) -> ClusterClient:
        """Build a client for ``credentials`` (reads the kubeconfig; no network traffic yet)."""
        from kubernetes import client  # noqa: PLC0415

        configuration, namespace = _kube_configuration(credentials)
        if not configuration.host or configuration.host == "http://localhost":
            raise MtvError(
                "the credentials name no Kubernetes API server",
                hint="send 'X-Kubernetes-Server: <url>' with the bearer token, or start with --server",
            )
        return cls(client.ApiClient(configuration), timeout=settings.request_timeout, namespace=namespace)

    def close(self) -> None:
        self._api.close()

    def __enter__(self) -> ClusterClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- plumbing -------------------------------------------------------------------------------

    def request(
        self,
        op: Operation,
        method: Literal["GET", "POST", "PATCH", "DELETE"],
        path: str,
        *,
        query: list[tuple[str, Any]] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        text: bool = False,
    ) -> Any:
        """One API call: JSON (or text) of a 2xx answer; ``ClusterError`` otherwise. GETs are retried."""
        import urllib3.exceptions  # noqa: PLC0415
        from kubernetes.client.exceptions import ApiException  # noqa: PLC0415

        headers = {"Accept": "text/plain, */*" if text else "application/json"}
        if body is not None:
            headers["Content-Type"] = content_type
        _, url, headers, body, _ = self._api.param_serialize(
            method, path, query_params=query or [], header_params=headers, body=body, auth_settings=["BearerToken"]
        )

        def attempt(seconds: float) -> bytes:
            started = time.monotonic()
            response = self._api.call_api(method, url, header_params=dict(headers), body=body, _request_timeout=seconds)
            data: bytes = response.read()
            log.debug("%s %s -> %d in %.0f ms", method, path, response.status, (time.monotonic() - started) * 1000)
            if 200 <= response.status < 300:
                return data
            if response.status in RETRYABLE_STATUSES:
                raise RetryableStatus(response.status, data)
            raise status_error(op, response.status, data, self.server)

        def retryable(error: BaseException) -> bool:
            if method != "GET":
                return False
            if isinstance(error, RetryableStatus):
                return True
            return isinstance(error, urllib3.exceptions.HTTPError) and not isinstance(
                error, urllib3.exceptions.TimeoutError
            )

        try:
            data = call_with_retries(attempt, timeout=self.timeout, retryable=retryable, what=f"{method} {path}")
        except RetryableStatus as error:
            raise status_error(op, error.status, error.answer, self.server) from None
        except ApiException as error:  # the client reports TLS failures, and requests it cannot encode, this way
            raise client_error(op, error, self.server) from None
        except (urllib3.exceptions.HTTPError, ConnectionError) as error:
            log.debug("%s %s -> no answer: %s", method, path, type(error).__name__)
            raise transport_error(op, error, self.server, self.timeout) from None
        if text:
            return data.decode("utf-8", errors="replace")
        try:
            return json.loads(data) if data else None
        except ValueError:
            raise UnreadableAnswer(
                f"the Kubernetes API at {self.server} answered {op.describe()} with a body that is not JSON "
                f"({len(data)} bytes)",
                status=200,
                hint="is --server (or X-Kubernetes-Server) the API server itself, not a proxy in front of it?",
            ) from None

    # -- generic verbs ---------------------------------------------------------------------------

    def get(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any]:
        obj: dict[str, Any] = self.request(Operation("get", kind, namespace, name), "GET", kind.path(namespace, name))
        return obj

    def list_objects(
        self,
        kind: Kind,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        """Items of a kind (``namespace`` None: all namespaces), with ``kind``/``apiVersion`` filled in."""
        query = [("labelSelector", label_selector)] if label_selector else []
        query += [("fieldSelector", field_selector)] if field_selector else []
        answer = self.request(Operation("list", kind, namespace), "GET", kind.path(namespace), query=query)
        items: list[dict[str, Any]] = dig(answer, "items") or []
        for item in items:
            item.setdefault("kind", kind.kind)
            item.setdefault("apiVersion", kind.api_version)
        return items

    def create(self, kind: Kind, namespace: str | None, body: dict[str, Any]) -> dict[str, Any]:
        name = dig(body, "metadata", "name") or dig(body, "metadata", "generateName")
        op = Operation("create", kind, namespace, name)
        created: dict[str, Any] = self.request(op, "POST", kind.path(namespace), body=body)
        return created

    def patch(
        self, kind: Kind, namespace: str | None, name: str, patch: Any, *, json_patch: bool = False
    ) -> dict[str, Any]:
        """A merge patch (a dict), or a JSON patch (a list of operations) with ``json_patch``."""
        op = Operation("patch", kind, namespace, name)
        content_type = JSON_PATCH if json_patch else MERGE_PATCH
        patched: dict[str, Any] = self.request(
            op, "PATCH", kind.path(namespace, name), body=patch, content_type=content_type
        )
        return patched

    def delete(self, kind: Kind, namespace: str | None, name: str) -> dict[str, Any] | None:
        answer: dict[str, Any] | None = self.request(
            Operation("delete", kind, namespace, name), "DELETE", kind.path(namespace, name)
        )
        return answer

    # -- typed helpers ---------------------------------------------------------------------------

    def get_plan(self, namespace: str, name: str) -> dict[str, Any]:
        return self.get(kinds.PLAN, namespace, name)

    def list_plans(self, namespace: str | None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.PLAN, namespace)

    def get_provider(self, namespace: str, name: str) -> dict[str, Any]:
        return self.get(kinds.PROVIDER, namespace, name)

    def list_providers(self, namespace: str | None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.PROVIDER, namespace)

    def list_migrations(self, namespace: str | None, label_selector: str | None = None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.MIGRATION, namespace, label_selector=label_selector)

    def list_pods(
        self, namespace: str | None, label_selector: str | None = None, field_selector: str | None = None
    ) -> list[dict[str, Any]]:
        return self.list_objects(kinds.POD, namespace, label_selector=label_selector, field_selector=field_selector)

    def list_events(self, namespace: str | None, field_selector: str | None = None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.EVENT, namespace, field_selector=field_selector)

    def list_nodes(self, label_selector: str | None = None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.NODE, label_selector=label_selector)

    def list_pvcs(self, namespace: str | None, label_selector: str | None = None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.PVC, namespace, label_selector=label_selector)

    def list_routes(self, namespace: str | None, label_selector: str | None = None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.ROUTE, namespace, label_selector=label_selector)

    def list_storage_classes(self) -> list[dict[str, Any]]:
        return self.list_objects(kinds.STORAGE_CLASS)

    def list_nads(self, namespace: str | None = None) -> list[dict[str, Any]]:
        return self.list_objects(kinds.NAD, namespace)

    def get_crd(self, name: str) -> dict[str, Any]:
        return self.get(kinds.CRD, None, name)

    def read_log(
        self,
        namespace: str,
        pod: str,
        container: str | None = None,
        tail_lines: int | None = None,
        previous: bool = False,
    ) -> str:
        """A container's log text (``previous``: of the container's previous instance)."""
        query: list[tuple[str, Any]] = [("container", container)] if container else []
        query += [("tailLines", tail_lines)] if tail_lines is not None else []
        query += [("previous", "true")] if previous else []
        op = Operation("read the logs of", kinds.POD, namespace, pod)
        log: str = self.request(op, "GET", kinds.POD.path(namespace, pod, "log"), query=query, text=True)
        return log

    def forklift_version(self) -> ForkliftVersion:
        """The installed Forklift/MTV version and whether Plans have the ``convertor*`` fields."""
        return detect_forklift_version(self)
