"""MCP completions for prompt arguments that name cluster objects: providers, plans, namespaces.

MCP offers completion for prompt arguments and resource-template variables only (our resources
have no templates), so the workflow prompts are where an assistant or a user picking a prompt
gets real names. The names come from the cluster with the server's own credentials; when the
cluster cannot be read there is simply nothing to offer.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.types import Completion, CompletionArgument, CompletionContext, PromptReference, ResourceTemplateReference

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.kube_fields import dig
from mtv_mcp.core.runtime import Runtime

MAX_VALUES = 100  # the MCP specification's cap per completion response
LOCAL_PROVIDER_TYPE = "openshift"  # the destination; workflow prompts ask for a source provider
Completer = Callable[
    [PromptReference | ResourceTemplateReference, CompletionArgument, CompletionContext | None],
    Awaitable[Completion | None],
]


def register_completions(server: MCPServer[Any], runtime: Runtime) -> None:
    """Complete ``provider``, ``plan`` and ``namespace`` arguments of every prompt."""

    completion: Callable[[Completer], Completer] = server.completion()  # type: ignore[no-untyped-call]

    @completion
    async def complete(
        ref: PromptReference | ResourceTemplateReference,
        argument: CompletionArgument,
        context: CompletionContext | None,
    ) -> Completion | None:
        if not isinstance(ref, PromptReference) or argument.name not in ("provider", "plan", "namespace"):
            return None
        given = dict(context.arguments or {}) if context else {}
        names = await anyio.to_thread.run_sync(cluster_names, runtime, argument.name, given.get("namespace") or None)
        matching = sorted(name for name in names if name.startswith(argument.value))
        return Completion(values=matching[:MAX_VALUES], total=len(matching), has_more=len(matching) > MAX_VALUES)


def cluster_names(runtime: Runtime, kind: str, namespace: str | None) -> set[str]:
    """Source provider, plan or namespace names (of providers and plans) the server can see."""
    from mtv_mcp.core.inventory import Connection  # noqa: PLC0415 - slow import, first completion only

    try:
        with Connection(runtime.credentials(None), runtime.settings, runtime.inventory_access) as connection:
            cluster = connection.cluster
            if kind == "plan":
                return {str(p["metadata"]["name"]) for p in cluster.list_plans(namespace)}
            providers = cluster.list_providers(namespace)
            if kind == "provider":
                return {str(p["metadata"]["name"]) for p in providers if dig(p, "spec", "type") != LOCAL_PROVIDER_TYPE}
            found = providers + cluster.list_plans(None)
            return {str(item["metadata"]["namespace"]) for item in found}
    except MtvError:
        return set()
