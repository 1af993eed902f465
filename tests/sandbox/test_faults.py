"""Fault injection from the Python API and the rule syntax."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from mtv_mcp.core.errors import MtvError
from mtv_mcp.sandbox.faults import FaultRule, parse_fault
from mtv_mcp.sandbox.runner import Sandbox

HEADERS = {"Authorization": "Bearer sandbox-admin-token"}


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("GET /providers*=500", "GET /providers*=500"),
        ("/api/*=delay:0.5x3", "* /api/*=delay:0.5x3"),
        ("post /apis/*=dropx1", "POST /apis/*=dropx1"),
        ("/x=hang", "* /x=hang"),
    ],
)
def test_rule_syntax(text: str, shown: str) -> None:
    assert str(parse_fault(text)) == shown


@pytest.mark.parametrize("text", ["GET providers=500", "/x=teapot", "/x=delay:soon", "/x=999"])
def test_bad_rules_explain_the_syntax(text: str) -> None:
    with pytest.raises(MtvError, match="PATH_GLOB=ACTION"):
        parse_fault(text)


def test_status_fault_counts_and_expires(shared_sandbox: Sandbox) -> None:
    url = f"{shared_sandbox.url}/api/v1/nodes"
    rule = shared_sandbox.faults.add("GET /api/v1/nodes=503x2")
    answers = [httpx.get(url, headers=HEADERS) for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].json()["reason"] == "ServiceUnavailable"
    assert rule.hits == 2


def test_method_filter(shared_sandbox: Sandbox) -> None:
    with shared_sandbox.faults.injected("POST /api/*=500"):
        assert httpx.get(f"{shared_sandbox.url}/api/v1/nodes", headers=HEADERS).status_code == 200


def wait_until_hit(rule: FaultRule, seconds: float = 10) -> None:
    """Wait for a request to reach ``rule``; fails the test instead of spinning forever."""
    deadline = time.monotonic() + seconds
    while rule.hits == 0:
        if time.monotonic() > deadline:
            pytest.fail(f"no request reached the fault rule within {seconds} s")
        time.sleep(0.01)


def test_drop_closes_without_answer(shared_sandbox: Sandbox) -> None:
    with shared_sandbox.faults.injected("/api/v1/nodes=drop"), pytest.raises(httpx.RemoteProtocolError):
        httpx.get(f"{shared_sandbox.url}/api/v1/nodes", headers=HEADERS)
    assert httpx.get(f"{shared_sandbox.url}/api/v1/nodes", headers=HEADERS).status_code == 200


def test_hang_until_client_timeout_and_release(shared_sandbox: Sandbox) -> None:
    url = f"{shared_sandbox.url}/api/v1/nodes"
    with shared_sandbox.faults.injected("/api/v1/nodes=hang"), pytest.raises(httpx.ReadTimeout):
        httpx.get(url, headers=HEADERS, timeout=0.3)
    rule = shared_sandbox.faults.add("/api/v1/nodes=hang")
    result: list[int] = []
    worker = threading.Thread(target=lambda: result.append(httpx.get(url, headers=HEADERS, timeout=10).status_code))
    worker.start()
    wait_until_hit(rule)
    shared_sandbox.faults.remove(rule)
    worker.join(5)
    assert result == [200]  # a released hang is served normally


def test_delay_then_serves(shared_sandbox: Sandbox) -> None:
    with shared_sandbox.faults.injected("/api/v1/nodes=delay:0.05") as (rule,):
        assert httpx.get(f"{shared_sandbox.url}/api/v1/nodes", headers=HEADERS).status_code == 200
    assert rule.hits == 1


def test_released_hang_keeps_the_request_body(sandbox: Sandbox) -> None:
    url = f"{sandbox.url}/api/v1/namespaces/default/configmaps"
    rule = sandbox.faults.add("POST /api/v1/namespaces/default/configmaps=hang")
    result: list[int] = []
    body = {"metadata": {"name": "held"}, "data": {"k": "v"}}
    worker = threading.Thread(target=lambda: result.append(httpx.post(url, json=body, headers=HEADERS).status_code))
    worker.start()
    wait_until_hit(rule)
    sandbox.faults.remove(rule)
    worker.join(5)
    assert result == [201]
    assert sandbox.store.get("configmaps", "default", "held")["data"] == {"k": "v"}
