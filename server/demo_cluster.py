"""``--demo``: start the embedded sandbox cluster and point the settings at it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from mtv_mcp.core.config import Settings


@contextmanager
def cluster_for(settings: Settings, *, demo: bool) -> Iterator[Settings]:
    """The settings to serve with: unchanged, or aimed at a sandbox running meanwhile."""
    if not demo:
        yield settings
        return
    from mtv_mcp.sandbox.runner import Sandbox

    with Sandbox.start(data="demo") as sandbox:
        yield settings.model_copy(
            update={
                "kubeconfig": sandbox.kubeconfig_path,
                "kube_server": None,
                "kube_token": None,
                "inventory_url": sandbox.inventory_url,
            }
        )
