"""create_plan writes that survive lost answers, unreadable answers and races: a real ``serve
--http`` against the demo sandbox, whose faults commit a write and then lose or spoil its answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import pytest

from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.session import text_of
from tests.server.http_fixtures import mcp_client, sandbox_flags, served

pytestmark = pytest.mark.anyio
NAMESPACE = "openshift-mtv"
FORKLIFT = f"/apis/forklift.konveyor.io/v1beta1/namespaces/{NAMESPACE}"


@pytest.fixture(scope="module")
def url(demo_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    flags = [*sandbox_flags(demo_sandbox)[:-2], "--timeout", "2", "--max-calls", "8"]
    with served(tmp_path_factory.mktemp("home"), *flags) as base:
        yield base


def stored(demo_sandbox: Sandbox, name: str) -> list[str]:
    """The plan ``name`` and its maps, as the sandbox holds them."""
    names = {name, f"{name}-network-map", f"{name}-storage-map"}
    return sorted(
        f"{resource}/{obj['metadata']['name']}"
        for resource in ("plans", "networkmaps", "storagemaps")
        for obj in demo_sandbox.store.list(resource, NAMESPACE)
        if obj["metadata"]["name"] in names
    )


async def create(url: str, demo_sandbox: Sandbox, name: str) -> Any:
    arguments = {"name": name, "source": "vsphere-prod", "vms": "pg-prod-01", "dry_run": False}
    async with mcp_client(url, {"Authorization": f"Bearer {demo_sandbox.admin_token}"}) as client:
        return await client.call_tool("create_plan", arguments)


async def test_a_plan_committed_but_answered_too_late_is_rolled_back(url: str, demo_sandbox: Sandbox) -> None:
    with demo_sandbox.faults.injected(f"POST {FORKLIFT}/plans=late:4x1") as (late,):
        lost = await create(url, demo_sandbox, "late-answer")
    assert late.hits == 1
    assert lost.is_error
    assert "removed what this call had created (NetworkMap/late-answer-network-map, " in text_of(lost)
    assert "Plan/late-answer)" in text_of(lost)
    assert stored(demo_sandbox, "late-answer") == []
    again = await create(url, demo_sandbox, "late-answer")
    assert not again.is_error, text_of(again)
    assert again.structured_content is not None
    assert again.structured_content["status"] == "created"
    assert len(stored(demo_sandbox, "late-answer")) == 3


async def test_a_2xx_answer_that_is_not_json_is_an_error_and_rolled_back(url: str, demo_sandbox: Sandbox) -> None:
    with demo_sandbox.faults.injected(f"POST {FORKLIFT}/storagemaps=garblex1"):
        spoiled = await create(url, demo_sandbox, "garbled")
    assert spoiled.is_error
    assert "with a body that is not JSON" in text_of(spoiled)
    assert "NetworkMap/garbled-network-map, StorageMap/garbled-storage-map" in text_of(spoiled)
    assert stored(demo_sandbox, "garbled") == []


async def test_concurrent_identical_calls_give_one_created_and_exists(url: str, demo_sandbox: Sandbox) -> None:
    results: list[Any] = []

    async def one() -> None:
        results.append(await create(url, demo_sandbox, "raced"))

    async with anyio.create_task_group() as group:
        for _ in range(4):
            group.start_soon(one)
    assert [result.is_error for result in results] == [False] * 4, [text_of(r) for r in results]
    statuses = sorted(result.structured_content["status"] for result in results)
    assert statuses == ["created", "exists", "exists", "exists"]
    assert len(stored(demo_sandbox, "raced")) == 3
