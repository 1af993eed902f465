"""Every tool, through a real MCP client against the demo sandbox, with hostile arguments.

Hypothesis draws random, unicode, huge and mistyped values for every argument (names of things
that do not exist, valid-looking but wrong ``k=v`` text, broken TSL queries and KARL rules, nested
junk). Whatever comes in, a call must return in bounded time with either a result or an error that
explains itself (never the SDK's bare "Error executing tool X", which means an unexpected
exception), must not show a Python traceback, and a refused write must leave the cluster as it was.
"""

from __future__ import annotations

import functools
import string
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.types import CallToolResult, TextContent

from mtv_mcp.core.config import Settings
from mtv_mcp.sandbox.runner import Sandbox
from mtv_mcp.server.app import create_server
from mtv_mcp.tools import ALL_TOOLS

pytestmark = pytest.mark.anyio

NAMESPACE = "openshift-mtv"
WRITTEN = ("plans", "networkmaps", "storagemaps", "migrations")
WRITING_TOOLS = frozenset(tool.name for tool in ALL_TOOLS if tool.writes)
CALL_SECONDS = 30
# No target phase: nothing here calls target(), and that phase imports a Hypothesis module mid-run,
# which pytest rewrites with ast.parse; on CPython 3.11.7 that can fail with "SystemError: AST
# constructor recursion depth mismatch".
FUZZ = settings(
    max_examples=30,
    deadline=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- the sandbox and one checked call ----------------------------------------------------------


def _texts(result: CallToolResult) -> list[str]:
    return [block.text for block in result.content if isinstance(block, TextContent)]


def _written(demo_sandbox: Sandbox) -> dict[tuple[str, str, str], Any]:
    """Every Plan, NetworkMap, StorageMap and Migration in the sandbox, whole (a patch shows as a change)."""
    return {
        (resource, obj["metadata"].get("namespace", ""), obj["metadata"]["name"]): obj
        for resource in WRITTEN
        for obj in demo_sandbox.store.list(resource)
    }


async def call_checked(demo_sandbox: Sandbox, tool: str, arguments: dict[str, Any]) -> CallToolResult:
    """Call ``tool`` once and assert the robustness contract; the result for further checks."""
    before = _written(demo_sandbox)
    config = Settings(
        kubeconfig=demo_sandbox.kubeconfig_path, inventory_url=demo_sandbox.inventory_url, request_timeout=5
    )
    async with Client(create_server(config)) as client:
        with anyio.fail_after(CALL_SECONDS):
            result = await client.call_tool(tool, arguments)
    texts = _texts(result)
    assert texts, f"{tool} returned no text for {arguments!r}"
    for text in texts:
        assert "Traceback (most recent call last)" not in text, text
    if result.is_error:
        text = texts[0].strip()
        assert text != f"Error executing tool {tool}", f"{tool} crashed (see the server log) on {arguments!r}"
        assert len(text) > len(f"Error executing tool {tool}: "), text
    may_write = tool in WRITING_TOOLS and arguments.get("dry_run", True) is not True and not result.is_error
    if not may_write:
        assert _written(demo_sandbox) == before, f"{tool} changed the cluster: {texts[0]}"
    return result


# -- hostile values ----------------------------------------------------------------------------

# fmt: off
NASTY = [
    "", " ", "\x00", "\n", "\t;\r", "🙂", "é" * 70, "UPPER", "-x-", "a" * 64, "a" * 254, "x" * 20_000,
    "../etc", "a/b", "a/b/c", "/", "*", "%2e%2e", "?x=1#y", "'", '"', "\\", "{", "[", "(", "=", ",", ";",
    "k=v", "a=b,,c=d", "a==b", "=v", "k=", "a=b c=d", "x.com/y=z", "-a=b", "key=" + "v" * 64,
    '{"a": "b"}', '{"a": 1}', "[]", "null", "{}", '{"a":', "nope", "does-not-exist", "vm-9999", "wave1",
    "pg-prod-01", "9" * 5000,
]
# fmt: on


def _pairs_text(pairs: list[tuple[str, str]]) -> str:
    return ",".join(f"{key}={value}" for key, value in pairs)


def _nested(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4))


def _where(query: str) -> str:
    return f"where {query}"


def _plan_name(suffix: str) -> str:
    return f"rob-{suffix}"


texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=40),
    st.text(alphabet=string.ascii_lowercase + string.digits + "-.", min_size=1, max_size=70),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
)
label_texts = st.one_of(
    texts,
    st.lists(
        st.tuples(st.sampled_from(["app", "a.b/c", "", "UP", "-x", "k" * 70]), st.sampled_from(["v", "", "é", "-"])),
        min_size=1,
        max_size=4,
    ).map(_pairs_text),
)
junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), texts),
    _nested,
    max_leaves=8,
)
huge_lists = st.one_of(st.just(["vm-2041"] * 3000), st.just([str(n) for n in range(3000)]), st.just([""] * 50))


def anything(*plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Plausible values of an argument, hostile text, wrong types and nested junk."""
    return st.one_of(*plausible, texts, junk, st.just(None), st.just([]), st.just({}))


# fmt: off
QUERY_WORDS = [
    "where", "select", "order by", "limit", "and", "or", "not", "in", "like", "~=", "between", "is null",
    "name", "memoryGB", "cpuCount", "disks", "disks[*].capacityGB", "sum(disks.capacityGB)", "len(name)",
    "any(", "=", ">", "<=", "!=", "+", "*", "/", "%", "(", ")", "[", "]", ",", "'x'", "'(a*)*b'", "'%_'",
    "1e300", "1e999", "9" * 400, "4Gi", "-1", "0", "2024-13-45", "true", "null", "as", "desc",
]
KARL_WORDS = [
    "REQUIRE", "PREFER", "AVOID", "REPEL", "pods(", "nodes(", ")", "app=x", "a!=b", "k in [a, b]", "has k",
    "not has k", "=", ",", "in", "namespaces(", "all namespaces", "UPPER", "on", "node", "zone", "region",
    "rack", "moon", "weight=50", "weight=0", "weight=" + "9" * 5000, "weight=abc", ";", "\n",
]
# fmt: on
queries = st.one_of(texts, st.lists(st.sampled_from(QUERY_WORDS), max_size=12).map(" ".join))
rules = st.one_of(texts, st.lists(st.sampled_from(KARL_WORDS), max_size=12).map(" ".join))
rule_lists = st.one_of(rules, st.lists(rules, max_size=4))
label_maps = st.one_of(
    label_texts,
    st.dictionaries(st.sampled_from(["app", "", "a/b/c", "UP", "k" * 70, "x.com/y"]), texts, max_size=3),
)
namespaces = anything(st.sampled_from(["openshift-mtv", "app-migrated", "default", "*", "no-such-ns"]))
providers = st.sampled_from(["vsphere-prod", "ovirt-legacy", "host", "openshift-mtv/vsphere-prod", "nope"])
vm_refs = st.one_of(
    st.sampled_from(["pg-prod-01", "vm-2041,win-sql-01", "pg-prod-01,pg-prod-01", "tmpl-rhel9", "where false"]),
    queries.map(_where),
    st.lists(st.sampled_from(["pg-prod-01", "vm-2050", "nope", ""]), max_size=4),
    huge_lists,
)
plan_names = st.one_of(st.text(alphabet=string.ascii_lowercase, min_size=3, max_size=10).map(_plan_name), texts)


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    return {**base, **changes}


def arguments(base: dict[str, Any], fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid call ``base`` with up to three of its ``fields`` replaced by drawn (mostly hostile) values,
    so that most calls get past the other arguments to the code that handles the odd one."""

    def replace(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
        return st.fixed_dictionaries({name: fields[name] for name in names}).map(functools.partial(_merged, base))

    return st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True).flatmap(replace)


PLACEMENT = {
    "convertor_labels": anything(label_maps),
    "convertor_node_selector": anything(label_maps),
    "convertor_affinity": anything(rule_lists),
    "target_labels": anything(label_maps),
    "target_node_selector": anything(label_maps),
    "target_affinity": anything(rule_lists),
}
STRATEGIES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "cluster_overview": arguments({}, {"namespace": namespaces, "verbose": anything(st.booleans())}),
    "query_vms": arguments(
        {"provider": "vsphere-prod", "query": "where memoryGB >= 16"},
        {
            "provider": anything(providers),
            "query": anything(queries),
            "namespace": namespaces,
            "fields": anything(st.lists(texts, max_size=5), huge_lists),
            "limit": anything(st.integers()),
            "refresh": anything(st.booleans()),
        },
    ),
    "validate_karl": arguments(
        {"rules": "PREFER pods(app=ceph-osd) in all namespaces on node weight=90", "check_cluster": True},
        {
            "rules": anything(rule_lists),
            "purpose": anything(st.sampled_from(["convertor", "target", "any"])),
            "keep_default_spreading": anything(st.booleans()),
            "check_cluster": anything(st.booleans()),
            "node_selector": anything(label_maps),
            "target_namespace": namespaces,
        },
    ),
    "create_plan": arguments(
        {"name": "rob-base", "source": "vsphere-prod", "vms": "pg-prod-01", "dry_run": False},
        {
            "name": anything(plan_names),
            "source": anything(providers),
            "vms": anything(vm_refs),
            "dry_run": anything(st.sampled_from([True, "false"])),
            "namespace": namespaces,
            "target": anything(providers),
            "target_namespace": namespaces,
            "migration_type": anything(st.sampled_from(["cold", "warm", "live", "conversion"])),
            **PLACEMENT,
            "target_power_state": anything(st.sampled_from(["on", "off", "auto"])),
            "network_map": anything(st.sampled_from(["wave1-network-map", "nope"])),
            "storage_map": anything(st.sampled_from(["wave1-storage-map", "nope"])),
            "conversion_temp_storage_class": anything(st.sampled_from(["ocs-storagecluster-ceph-rbd", "nope"])),
            "conversion_temp_storage_size": anything(st.sampled_from(["100Gi", "-1Gi", "1e999", "abc"])),
            "output": anything(st.sampled_from(["yaml", "json"])),
        },
    ),
    "patch_plan": arguments(
        {"name": "wave2-db", "dry_run": False},
        {
            "name": anything(st.sampled_from(["wave1", "nope"])),
            "dry_run": anything(st.sampled_from([True, "false"])),
            "namespace": namespaces,
            **PLACEMENT,
        },
    ),
    "start_migration": arguments(
        {"plan": "wave2-db", "dry_run": False},
        {
            "plan": anything(st.sampled_from(["wave1", "nope"])),
            "namespace": namespaces,
            "cutover": anything(st.sampled_from(["2026-12-31T23:00:00Z", "2026-12-31", "tomorrow"])),
            "force": anything(st.booleans()),
            "dry_run": anything(st.sampled_from([True, "false"])),
        },
    ),
    "cancel_migration": arguments(
        {"plan": "wave1"},
        {
            "plan": anything(st.sampled_from(["wave2-db", "nope"])),
            "vms": anything(vm_refs),
            "namespace": namespaces,
            "dry_run": anything(st.sampled_from([True, "false"])),
        },
    ),
    "inspect_convertor_pods": arguments(
        {"plan": "wave1"},
        {
            "plan": anything(st.sampled_from(["wave2-db", "nope"])),
            "namespace": namespaces,
            "migration": anything(st.sampled_from(["wave1-x8k2p", "a3b9f0c2-5d1e-4e8a-b7c6-0e4d2f1a9b02", "x"])),
            "vm": anything(st.sampled_from(["vm-2041", "pg-prod-01", "nope"])),
            "log_lines": anything(st.integers()),
        },
    ),
    "migration_report": arguments(
        {"plan": "wave1"},
        {
            "plan": anything(st.sampled_from(["wave0", "wave2-db", "nope"])),
            "namespace": namespaces,
            "migration": anything(st.sampled_from(["wave1-x8k2p", "wave0-m4r7t", "x"])),
            "compare_with": anything(st.sampled_from(["wave0", "wave1", "nope"])),
        },
    ),
}


def test_every_tool_has_a_strategy() -> None:
    assert set(STRATEGIES) == {tool.name for tool in ALL_TOOLS}


@pytest.mark.parametrize("tool", sorted(STRATEGIES))
@FUZZ
@given(data=st.data())
async def test_hostile_arguments(demo_sandbox: Sandbox, tool: str, data: st.DataObject) -> None:
    await call_checked(demo_sandbox, tool, data.draw(STRATEGIES[tool], label="arguments"))


# -- regressions: each crashed before it was fixed -----------------------------------------------

BIG = "9" * 900  # the argument caps (4000 characters a query, 1000 a rule) refuse more


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (f"where memoryGB = {BIG}", "too large"),  # int() of >4300 digits raised ValueError
        (f"limit {BIG}", "too large"),
        (f"where disks[{BIG}].capacityGB > 1", "too large"),
        (f"where memoryGB > {'9' * 400}", "too large"),  # math.isfinite(int) raised OverflowError
    ],
)
async def test_huge_numbers_in_queries_are_errors(demo_sandbox: Sandbox, query: str, expected: str) -> None:
    result = await call_checked(demo_sandbox, "query_vms", {"provider": "vsphere-prod", "query": query})
    assert result.is_error
    assert expected in _texts(result)[0]


@pytest.mark.parametrize(
    "query",
    [
        "where memoryGB % (1e300 * 1e300) = 0",  # int(inf) raised OverflowError
        "where (1e300 * 1e300 - 1e300 * 1e300) % 2 = 0",  # int(nan) raised ValueError
        f"select cpuCount * {'9' * 300} * {'9' * 300} * {'9' * 300} * {'9' * 300} as big",  # int of 1200 digits
        "where any(disks[²].capacityGB > 1)",  # '²'.isdigit() but int('²') raised ValueError
    ],
)
async def test_odd_numbers_are_answered(demo_sandbox: Sandbox, query: str) -> None:
    result = await call_checked(demo_sandbox, "query_vms", {"provider": "vsphere-prod", "query": query})
    assert not result.is_error, _texts(result)[0]


async def test_huge_weight_is_a_karl_error(demo_sandbox: Sandbox) -> None:
    result = await call_checked(demo_sandbox, "validate_karl", {"rules": f"PREFER pods(app=x) on node weight={BIG}"})
    assert result.is_error
    assert "weight must be from 1 to 100, got a number of 900 digits (column 35)" in _texts(result)[0]


async def test_huge_weight_creates_nothing(demo_sandbox: Sandbox) -> None:
    arguments = {
        "name": "rob-weight",
        "source": "vsphere-prod",
        "vms": "pg-prod-01",
        "convertor_affinity": f"PREFER pods(app=x) on node weight={BIG}",
        "dry_run": False,
    }
    result = await call_checked(demo_sandbox, "create_plan", arguments)
    assert result.is_error
    assert "convertor_affinity" in _texts(result)[0]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"plan": ""}, "'' is not a valid plan name"),  # read the plan list as if it were the plan
        ({"plan": "\n"}, "is not a valid plan name"),
        ({"plan": "wave1/../wave2-db"}, "is not a valid plan name"),
        ({"plan": "wave1", "namespace": "../etc"}, "'../etc' is not a valid namespace"),  # a misleading 404
    ],
)
async def test_names_that_cannot_be_in_a_path_are_errors(
    demo_sandbox: Sandbox, arguments: dict[str, Any], expected: str
) -> None:
    result = await call_checked(demo_sandbox, "inspect_convertor_pods", arguments)
    assert result.is_error
    assert expected in _texts(result)[0]


async def test_cluster_overview_of_an_invalid_namespace_is_an_error(demo_sandbox: Sandbox) -> None:
    result = await call_checked(demo_sandbox, "cluster_overview", {"namespace": "k=v"})  # was: an empty overview
    assert result.is_error
    assert "'k=v' is not a valid namespace" in _texts(result)[0]


async def test_a_failed_plan_write_leaves_no_maps(demo_sandbox: Sandbox) -> None:
    arguments = {"name": "rob-rollback", "source": "vsphere-prod", "vms": "pg-prod-01", "dry_run": False}
    with demo_sandbox.faults.injected(f"POST /apis/forklift.konveyor.io/v1beta1/namespaces/{NAMESPACE}/plans=500"):
        result = await call_checked(demo_sandbox, "create_plan", arguments)
    assert result.is_error
