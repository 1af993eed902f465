"""Starting and stopping a sandbox: uvicorn on 127.0.0.1 in a background thread, plus a kubeconfig.

    with Sandbox.start(data="demo", crds=Path("../shared/crds")) as sb:
        sb.url                # http://127.0.0.1:<port>
        sb.kubeconfig_path    # temp kubeconfig: contexts admin (current), viewer, no-access, tenant
        sb.inventory_url      # the forklift-inventory Route's URL: the same port over plain HTTP; over TLS
                              # a port of its own with the ingress certificate (sb.ingress_tls), whose
                              # CA is published in ConfigMap openshift-config-managed/default-ingress-cert
        sb.store, sb.faults, sb.clock, sb.identities
        sb.admin_token, sb.viewer_token, sb.no_access_token, sb.tenant_token

``data`` is ``"demo"`` (``sandbox/data/demo``), ``"large:N"`` (the demo cluster with a generated
inventory of N VMs), ``"empty"`` (base namespaces and CRDs only) or a folder with the layout
described in ``sandbox.loader``. ``plugins`` are called with the running sandbox (after the data is
loaded) and may return a function to call on stop — the migration controller hooks in that way.
"""

from __future__ import annotations

import functools
import importlib
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, Any

import uvicorn
import yaml
from starlette.types import ASGIApp

from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.app import create_app
from mtv_mcp.sandbox.clock import SandboxClock
from mtv_mcp.sandbox.controller.history import options_for_data, replay_finished
from mtv_mcp.sandbox.crdschema import CrdCatalog
from mtv_mcp.sandbox.faults import FaultMiddleware, Faults
from mtv_mcp.sandbox.identity import ADMIN_TOKEN, NO_ACCESS_TOKEN, TENANT_TOKEN, VIEWER_TOKEN, Identities
from mtv_mcp.sandbox.kube.resources import ResourceCatalog
from mtv_mcp.sandbox.kube.store import ObjectStore
from mtv_mcp.sandbox.loader import (
    OPERATOR_NAMESPACE,
    load_logs,
    load_objects,
    publish_ingress_ca,
    seed_inventory_route,
)
from mtv_mcp.sandbox.timestamps import shift_timestamps

if TYPE_CHECKING:
    from mtv_mcp.sandbox.tls import TlsFiles

DATA_ROOT = Path(__file__).parent / "data"
Plugin = Callable[["Sandbox"], Callable[[], None] | None]
_START_TIMEOUT = 10.0
# Kubeconfig context (and user) name per sandbox identity; the first is the default current context.
CONTEXTS = {"admin": ADMIN_TOKEN, "viewer": VIEWER_TOKEN, "no-access": NO_ACCESS_TOKEN, "tenant": TENANT_TOKEN}


def resolve_data(data: str | Path | None) -> tuple[Path | None, int | None]:
    """The data folder and the generated-inventory size (``large:N``) of a ``data`` argument."""
    if data is None or data == "empty":
        return None, None
    if isinstance(data, str) and data.startswith("large:"):
        size = data.removeprefix("large:")
        if not size.isdigit() or int(size) <= 0:
            raise MtvError(
                f"--data {data!r}: the VM count after 'large:' must be a positive integer",
                hint="e.g. --data large:5000",
                field="--data",
            )
        return DATA_ROOT / "demo", int(size)
    folder = DATA_ROOT / data if isinstance(data, str) and (DATA_ROOT / data).is_dir() else Path(data)
    if not folder.is_dir():
        known = ", ".join(sorted(p.name for p in DATA_ROOT.iterdir() if p.is_dir())) if DATA_ROOT.is_dir() else ""
        raise MtvError(
            f"--data {str(data)!r} is neither a data set name nor a folder",
            hint=f"use demo, large:N, empty{', ' + known if known else ''} or a folder path",
            field="--data",
        )
    return folder, None


@functools.lru_cache(maxsize=8)
def _cached_crds(folder: Path, stamp: tuple[float, ...]) -> CrdCatalog:
    return CrdCatalog.load(folder)


def load_crds(folder: Path) -> CrdCatalog:
    """``CrdCatalog.load``, cached per folder until one of its files changes (tests start many sandboxes)."""
    resolved = folder.resolve()
    stamp = tuple(p.stat().st_mtime for p in sorted(resolved.iterdir())) if resolved.is_dir() else ()
    return _cached_crds(resolved, stamp)


def _inventory_module() -> ModuleType | None:
    try:
        return importlib.import_module("mtv_mcp.sandbox.inventory")
    except ModuleNotFoundError as exc:
        if exc.name == "mtv_mcp.sandbox.inventory":
            return None
        raise


def _inventory_app(
    data_dir: Path | None, large: int | None, identities: Identities, seed: int, shift: timedelta
) -> ASGIApp | None:
    """The inventory service, its timestamps moved by ``shift`` like the Kubernetes objects'."""
    module = _inventory_module()
    folder = data_dir / "inventory" if data_dir is not None else None
    if module is None or folder is None or not folder.is_dir():
        return None
    inventory = module.load_inventory(folder)
    for provider in inventory.providers:
        provider.object = shift_timestamps(provider.object, shift)
        provider.extra = shift_timestamps(provider.extra, shift)
        provider.collections = shift_timestamps(provider.collections, shift)
    if large is not None:
        inventory = module.generate(large, seed, base=inventory)
    app: ASGIApp = module.create_inventory_app(inventory, identities.check_inventory_request)
    return app


def kubeconfig_document(
    url: str, token: str, namespace: str = OPERATOR_NAMESPACE, ca_data: str | None = None
) -> dict[str, Any]:
    """A kubeconfig for ``url`` with one context per sandbox identity (``admin``, ``viewer``,
    ``no-access``, ``tenant``), all in ``namespace``; the current one uses ``token`` (a token of
    none of them gets its own context, ``sandbox``)."""
    cluster = {"server": url, **({"certificate-authority-data": ca_data} if ca_data else {})}
    tokens = dict(CONTEXTS) if token in CONTEXTS.values() else {"sandbox": token, **CONTEXTS}
    current = next(name for name, value in tokens.items() if value == token)
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": current,
        "preferences": {},
        "clusters": [{"name": "sandbox", "cluster": cluster}],
        "users": [{"name": name, "user": {"token": value}} for name, value in tokens.items()],
        "contexts": [
            {"name": name, "context": {"cluster": "sandbox", "user": name, "namespace": namespace}} for name in tokens
        ],
    }


def _certificates(folder: Path) -> tuple[TlsFiles, TlsFiles]:
    """The API server's and the ingress's certificates; ``cryptography`` is imported only by a
    sandbox that serves TLS."""
    from mtv_mcp.sandbox.tls import write_ingress, write_self_signed  # noqa: PLC0415

    return write_self_signed(folder), write_ingress(folder)


class Sandbox:
    """A running sandbox; create it with ``Sandbox.start``."""

    admin_token = ADMIN_TOKEN
    viewer_token = VIEWER_TOKEN
    no_access_token = NO_ACCESS_TOKEN
    tenant_token = TENANT_TOKEN

    def __init__(
        self,
        *,
        store: ObjectStore,
        identities: Identities,
        faults: Faults,
        listener: socket.socket,
        inventory_listener: socket.socket | None,
        kubeconfig_path: Path | None,
        tls: bool,
        data_dir: Path | None = None,
    ) -> None:
        self.store = store
        self.data_dir = data_dir
        self.identities = identities
        self.faults = faults
        self.clock: SandboxClock = store.clock
        self._socket = listener
        self._inventory_socket = inventory_listener
        self.port: int = listener.getsockname()[1]
        self._tempdir = tempfile.TemporaryDirectory(prefix="mtv-mcp-sandbox-")
        certificates = _certificates(Path(self._tempdir.name)) if tls else None
        self.tls: TlsFiles | None = certificates[0] if certificates else None
        self.ingress_tls: TlsFiles | None = certificates[1] if certificates else None
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.inventory_url: str | None = None
        if inventory_listener is not None:
            self.inventory_url = f"{'https' if tls else 'http'}://{_host(inventory_listener)}"
        self.kubeconfig_path = self.write_kubeconfig(kubeconfig_path or Path(self._tempdir.name) / "kubeconfig")
        self._servers: list[tuple[uvicorn.Server, threading.Thread]] = []
        self._stops: list[Callable[[], None]] = []

    @classmethod
    def start(
        cls,
        data: str | Path | None = "demo",
        crds: Path | None = None,
        *,
        port: int = 0,
        kubeconfig_path: Path | None = None,
        viewer_can_read_logs: bool = True,
        seed: int = 0,
        frozen_at: datetime | None = None,
        plugins: Sequence[Plugin] = (),
        tls: bool = False,
    ) -> Sandbox:
        """Load the data, bind 127.0.0.1:``port`` (0 = a free port), serve in a thread and return.

        With ``tls`` the port speaks HTTPS with a fresh self-signed certificate (``sb.tls.cert_path``),
        which the kubeconfig carries; kubectl needs that, as it sends no credentials over plain HTTP.
        """
        data_dir, large = resolve_data(data)
        catalog = load_crds(crds) if crds is not None else None
        store = ObjectStore(ResourceCatalog(catalog), SandboxClock(frozen_at), seed=seed)
        loaded = load_objects(store, data_dir, catalog)
        load_logs(store, data_dir)
        replay_finished(store, options_for_data(data_dir))
        identities = Identities(viewer_can_read_logs=viewer_can_read_logs)
        faults = Faults()
        inventory = _inventory_app(data_dir, large, identities, seed, loaded.time_shift)
        listener = _bind(port)
        # Over TLS the inventory Route gets a port of its own, served with the ingress certificate.
        inventory_listener = (_bind(0) if tls else listener) if inventory is not None else None
        sandbox = cls(
            store=store,
            identities=identities,
            faults=faults,
            listener=listener,
            inventory_listener=inventory_listener,
            kubeconfig_path=kubeconfig_path,
            tls=tls,
            data_dir=data_dir,
        )
        seed_inventory_route(store, _host(inventory_listener or listener), tls=tls)
        if sandbox.ingress_tls is not None:
            publish_ingress_ca(store, sandbox.ingress_tls.ca_pem)
        try:
            sandbox._serve(create_app(store, identities, faults, inventory), listener, sandbox.tls)
            if inventory is not None and inventory_listener is not listener:
                sandbox._serve(FaultMiddleware(inventory, faults), inventory_listener, sandbox.ingress_tls)
            for plugin in plugins:
                stop = plugin(sandbox)
                if stop is not None:
                    sandbox._stops.append(stop)
        except BaseException:
            sandbox.stop()
            raise
        return sandbox

    def write_kubeconfig(self, path: Path, token: str = ADMIN_TOKEN, namespace: str = OPERATOR_NAMESPACE) -> Path:
        """Write a kubeconfig for this sandbox (any of the tokens) and return its path."""
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            yaml.safe_dump(
                kubeconfig_document(self.url, token, namespace, self.tls.ca_data if self.tls else None),
                sort_keys=False,
            ),
            encoding="utf-8",
        )
        return path

    def _serve(self, app: ASGIApp, listener: socket.socket | None, tls: TlsFiles | None) -> None:
        if listener is None:
            return
        port = listener.getsockname()[1]
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            proxy_headers=False,
            timeout_graceful_shutdown=1,
            server_header=False,
            date_header=False,
            ssl_certfile=tls.cert_path if tls else None,
            ssl_keyfile=tls.key_path if tls else None,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [listener]}, name=f"mtv-mcp-sandbox-{port}", daemon=True
        )
        self._servers.append((server, thread))
        thread.start()
        deadline = time.monotonic() + _START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise MtvError(
                    f"the sandbox server on port {port} did not start",
                    hint="see the uvicorn messages above; is the port already in use?",
                )
            time.sleep(0.002)

    def stop(self) -> None:
        """Stop plugins, release held requests, shut the server down and remove the temp kubeconfig."""
        while self._stops:
            self._stops.pop()()
        self.faults.clear()
        for server, _ in self._servers:
            server.should_exit = True
        for _, thread in self._servers:
            thread.join(timeout=5)
        self._socket.close()
        if self._inventory_socket is not None:
            self._inventory_socket.close()
        self._tempdir.cleanup()

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def _host(listener: socket.socket) -> str:
    return f"127.0.0.1:{listener.getsockname()[1]}"


def _bind(port: int) -> socket.socket:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: no Nagle delay, as Go's servers (the API server, Forklift's
    # inventory) have by default; without it each answer after the first on a kept-alive
    # connection waited for the client's delayed ACK (about 40 ms).
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as exc:
        listener.close()
        raise MtvError(
            f"cannot listen on 127.0.0.1:{port}: {exc.strerror}",
            hint="choose another --port or 0 for a free one",
            field="--port",
        ) from exc
    listener.listen(128)
    listener.set_inheritable(True)
    return listener
