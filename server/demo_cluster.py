"""``--demo``: start the embedded sandbox cluster and point the settings at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mtv_mcp.core.config import Settings
from mtv_mcp.core.errors import MtvError


@dataclass(frozen=True)
class DemoCluster:
    """Where the running demo sandbox answers."""

    url: str
    kubeconfig_path: Path
    inventory_url: str


@contextmanager
def demo_sandbox() -> Iterator[DemoCluster]:
    """The demo data set on loopback, with the Migration controller running (the data set's disks and node links)."""
    from mtv_mcp.sandbox.controller.history import data_set_controller
    from mtv_mcp.sandbox.runner import Sandbox

    with Sandbox.start(data="demo", plugins=[data_set_controller()]) as sandbox:
        if sandbox.inventory_url is None:
            raise MtvError("the sandbox started without its inventory service", hint="reinstall mtv-mcp")
        yield DemoCluster(sandbox.url, sandbox.kubeconfig_path, sandbox.inventory_url)


@contextmanager
def cluster_for(settings: Settings, *, demo: bool) -> Iterator[Settings]:
    """The settings to serve with: unchanged, or aimed at a sandbox running meanwhile."""
    if not demo:
        yield settings
        return
    with demo_sandbox() as sandbox:
        yield settings.model_copy(
            update={
                "kubeconfig": sandbox.kubeconfig_path,
                "kube_server": sandbox.url,  # where a request's bearer token goes
                "kube_token": None,
                "inventory_url": sandbox.inventory_url,
            }
        )
