"""An httpx client for the Forklift inventory service: bearer auth, TLS, timeouts, read retries,
and errors that say what was fetched and how to fix it.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from mtv_mcp.core.config import Settings
from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.inventory.memory import BYTES_PER_JSON_BYTE, json_budget
from mtv_mcp.core.inventory.models import ProviderRef
from mtv_mcp.core.inventory.stream import StreamDecoder
from mtv_mcp.core.retry import RETRYABLE_STATUSES, RetryableStatus, call_with_retries

log = logging.getLogger(__name__)

# Forklift answers 206 with an empty body while a provider's inventory is not in parity with the
# provider yet (``EnsureParity``, kubev2v/forklift pkg/lib/inventory/web/handler.go): still loading.
STILL_LOADING = 206
DETAIL = 4  # what kubectl-mtv asks for; the vSphere VM list is full detail regardless
TLS_HINT = "pass the inventory's CA with --inventory-ca, or --inventory-insecure for a test cluster"


class InventoryError(MtvError):
    """The inventory service failed or refused; ``status`` is the HTTP status (None: no answer)."""

    def __init__(self, message: str, *, status: int | None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status = status


class InventoryUnreachable(InventoryError):  # noqa: N818 - reads as what happened
    """No HTTP answer came: the connection was refused, timed out, was dropped, or TLS failed."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message, status=None, hint=hint)


def tls_verify(ca_file: Path | None, insecure: bool) -> ssl.SSLContext | bool:
    """httpx's ``verify``: off with ``insecure``, a context trusting ``ca_file``, or the system CAs."""
    if insecure:
        return False
    if ca_file is None:
        return True
    try:
        return ssl.create_default_context(cafile=str(ca_file))
    except (OSError, ssl.SSLError) as error:
        raise MtvError(f"cannot load the inventory CA bundle {ca_file}: {error}", hint=TLS_HINT) from error


class InventoryClient:
    """Reads one inventory service; use as a context manager (or ``close()``)."""

    def __init__(self, base_url: str, token: str | None, *, timeout: float, verify: ssl.SSLContext | bool) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(base_url=self.base_url, headers=headers, verify=verify, timeout=timeout)

    @classmethod
    def for_settings(
        cls, base_url: str, token: str | None, settings: Settings, verify: ssl.SSLContext | bool | None = None
    ) -> InventoryClient:
        """A client with the settings' timeout; ``verify`` defaults to the settings' TLS overrides."""
        if verify is None:
            verify = tls_verify(settings.inventory_ca_file, settings.inventory_insecure)
        return cls(base_url, token, timeout=settings.request_timeout, verify=verify)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> InventoryClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def get(
        self,
        path: str,
        what: str,
        params: dict[str, Any] | None = None,
        *,
        shared: bool = True,
        each: Callable[[list[Any]], None] | None = None,
    ) -> Any:
        """The decoded JSON at ``path`` (``null``/empty bodies read as ``[]``); ``what`` names it in
        errors; ``shared`` and ``each`` as for ``stream.StreamDecoder``."""

        def attempt(seconds: float) -> tuple[httpx.Response, Any]:
            started = time.monotonic()
            request = self._http.build_request("GET", path, params=params, timeout=seconds)
            response = self._http.send(request, stream=True)
            try:
                log.debug("GET %s -> %d in %.0f ms", path, response.status_code, (time.monotonic() - started) * 1000)
                ok = response.status_code < 400 and response.status_code != STILL_LOADING
                data = (
                    self._decode_within_memory(response, what, StreamDecoder(shared=shared, each=each))
                    if ok
                    else response.read()
                )
            finally:
                response.close()
            if response.status_code in RETRYABLE_STATUSES or response.status_code == STILL_LOADING:
                raise RetryableStatus(response.status_code, response)
            return response, data

        def retryable(error: BaseException) -> bool:
            transient = isinstance(error, RetryableStatus | httpx.ConnectError | httpx.RemoteProtocolError)
            return transient and _tls_cause(error) is None  # a certificate does not fix itself

        try:
            response, data = call_with_retries(attempt, timeout=self.timeout, retryable=retryable, what=f"GET {path}")
        except RetryableStatus as error:
            response, data = error.answer, None
        except httpx.HTTPError as error:
            log.debug("GET %s -> no answer: %s", path, type(error).__name__)
            raise self._transport_error(error, what) from None
        if response.status_code >= 400 or response.status_code == STILL_LOADING:
            raise self._status_error(response, what)
        return [] if data is None else data

    def providers(self, namespace: str | None = None) -> list[ProviderRef]:
        """The providers in ``namespace`` (None: all; that needs a cluster-wide ``list providers``),
        from ``/providers?detail=1[&namespace=...]``."""
        params: dict[str, Any] = {"detail": 1, **({"namespace": namespace} if namespace else {})}
        answer = self.get("/providers", "the provider list", params)
        found = []
        for provider_type, items in (answer or {}).items() if isinstance(answer, dict) else ():
            for item in items or ():
                found.append(
                    ProviderRef(
                        name=str(item.get("name")),
                        namespace=str(item.get("namespace")),
                        uid=str(item.get("uid") or item.get("id")),
                        type=str(item.get("type") or provider_type),
                        vm_count=item.get("vmCount"),
                    )
                )
        return found

    def authorize(self, provider: ProviderRef) -> None:
        """Ask for the provider itself: raises unless this token may read it now (cheap)."""
        self.get(f"/providers/{quote(provider.type)}/{quote(provider.uid)}", f"provider '{provider.name}'")

    def collection(
        self,
        provider: ProviderRef,
        name: str,
        *,
        shared: bool = True,
        each: Callable[[list[dict[str, Any]]], None] | None = None,
    ) -> list[dict[str, Any]]:
        """``/providers/<type>/<uid>/<name>?detail=4`` (``vms``, ``hosts``, ``clusters``, ``disks`` ...);
        ``shared`` and ``each`` as for ``stream.StreamDecoder``."""
        path = f"/providers/{quote(provider.type)}/{quote(provider.uid)}/{name}"
        what = f"the {name} of provider '{provider.name}'"
        answer = self.get(path, what, {"detail": DETAIL}, shared=shared, each=each)
        if not isinstance(answer, list):
            raise InventoryError(
                f"the Forklift inventory sent {type(answer).__name__} instead of a list for {path}",
                status=200,
                hint="check that --inventory-url points at the inventory service",
            )
        return answer

    def _decode_within_memory(self, response: httpx.Response, what: str, decoder: StreamDecoder) -> Any:
        """The body, decoded as it arrives (``stream``), unless decoding it would not fit in the
        memory available (then a refusal)."""
        budget = json_budget()
        declared = response.headers.get("content-length", "")
        if budget is not None and declared.isdigit() and int(declared) > budget:
            raise _too_large(response, int(declared), budget, what, exact=True)
        try:
            for chunk in response.iter_bytes():
                decoder.feed(chunk)
                if budget is not None and decoder.received > budget:
                    raise _too_large(response, decoder.received, budget, what, exact=False)
            return decoder.finish()
        except msgspec.DecodeError as error:
            raise InventoryError(
                f"the Forklift inventory at {self.base_url} sent {what} that is not JSON",
                status=response.status_code,
                hint="is --inventory-url the inventory service (not the console or the API server)?",
            ) from error

    def _status_error(self, response: httpx.Response, what: str) -> InventoryError:
        status = response.status_code
        excerpt = response.text[:200].strip()
        if status == STILL_LOADING:
            return InventoryError(
                f"the Forklift inventory answered 206 Partial Content (still loading) for {what}",
                status=status,
                hint="Forklift is still reading the provider; try again in a minute (refresh=true)",
            )
        if status == 401:
            return InventoryError(
                f"the Forklift inventory rejected the credentials (401) while fetching {what}",
                status=status,
                hint="the bearer token is missing, invalid or expired; log in again or pass a valid token",
            )
        if status == 403:
            return InventoryError(
                f"the token may not read {what} from the Forklift inventory (403)",
                status=status,
                hint="the inventory allows what RBAC allows: the user needs 'get' on that Provider "
                "(and 'list' providers in its namespace for the provider list)",
            )
        if status == 404 and response.headers.get("X-Reason") == "ProviderNotFound":
            return InventoryError(
                f"the Forklift inventory does not know the provider of {what} (404 ProviderNotFound)",
                status=status,
                hint="the inventory may still be loading a new provider; try again with refresh=true shortly",
            )
        if status == 404:
            return InventoryError(
                f"the Forklift inventory answered 404 Not Found for {what} ({response.request.url.path})",
                status=status,
                hint="check that --inventory-url points at the Forklift inventory service; "
                "some provider types do not serve every collection",
            )
        return InventoryError(
            f"the Forklift inventory failed to return {what} (HTTP {status}): {excerpt}",
            status=status,
            hint="the inventory service is failing or overloaded; try again in a moment",
        )

    def _transport_error(self, error: httpx.HTTPError, what: str) -> InventoryUnreachable:
        url = self.base_url
        if isinstance(error, httpx.TimeoutException) and not isinstance(error, httpx.ConnectTimeout):
            return InventoryUnreachable(
                f"the Forklift inventory at {url} did not answer within {self.timeout:g} s while sending {what}",
                hint="the inventory is slow or overloaded (large providers take longer); try again, or raise --timeout",
            )
        tls = _tls_cause(error)
        if tls is not None:
            return InventoryUnreachable(
                f"TLS verification of the Forklift inventory at {url} failed: {tls}", hint=TLS_HINT
            )
        if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
            return InventoryUnreachable(
                f"cannot reach the Forklift inventory at {url} to fetch {what}",
                hint="check --inventory-url / $MTV_INVENTORY_URL or the forklift-inventory Route",
            )
        return InventoryUnreachable(
            f"the connection to the Forklift inventory at {url} was dropped while fetching {what}",
            hint="a proxy or the inventory service closed the connection; try again",
        )


def _tls_cause(error: BaseException) -> ssl.SSLError | None:
    """The TLS failure behind a transport error (httpx chains the ``ssl`` exception), if any."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _too_large(response: httpx.Response, size: int, budget: int, what: str, *, exact: bool) -> InventoryError:
    """A refusal to read a body too large for the memory available."""
    megabytes = f"{size / 2**20:,.0f} MB" if exact else f"more than {size / 2**20:,.0f} MB"
    return InventoryError(
        f"the Forklift inventory's answer for {what} is {megabytes} of JSON; decoding it needs about "
        f"{BYTES_PER_JSON_BYTE} times that, more than the memory available now "
        f"({budget * BYTES_PER_JSON_BYTE / 2**20:,.0f} MB), so it was not read",
        status=response.status_code,
        hint="give this server more memory (or a higher container limit), or stop other work on the machine; "
        "the inventory is read whole, one provider at a time",
    )
