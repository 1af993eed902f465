"""Property tests of the pure parts of the HTTP checks: the Authorization header, the allowed
Kubernetes API list and the Host/Origin policy."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.config import Settings
from mtv_mcp.core.credentials import AuthorizationError, allowed_kube_server, request_bearer_token
from mtv_mcp.core.errors import MtvError
from mtv_mcp.server.http_guard import HttpPolicy, is_loopback

B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")


@given(st.text(max_size=60))
def test_a_present_authorization_header_is_a_token_or_an_error_never_nothing(value: str) -> None:
    try:
        token = request_bearer_token({"authorization": value})
    except AuthorizationError:
        return
    assert token is not None
    assert B64TOKEN.fullmatch(token)
    assert value.lower().startswith("bearer ")


@given(st.from_regex(B64TOKEN, fullmatch=True))
def test_every_b64token_is_accepted(token: str) -> None:
    assert request_bearer_token({"authorization": f"Bearer {token}"}) == token
    assert request_bearer_token({"authorization": f"bearer  {token}"}) == token


def test_no_header_is_no_token() -> None:
    assert request_bearer_token({}) is None
    assert request_bearer_token(None) is None


ALLOWED = Settings(allowed_kube_servers=("https://api.example.com:6443",))


@pytest.mark.parametrize(
    "named", ["https://api.example.com:6443", "HTTPS://API.example.com:6443/", " https://api.example.com:6443"]
)
def test_allowed_kube_server_forms(named: str) -> None:
    assert allowed_kube_server(named, ALLOWED) == "https://api.example.com:6443"


@pytest.mark.parametrize(
    "named",
    [
        "http://api.example.com:6443",
        "https://api.example.com",
        "https://api.example.com:6443/api",
        "https://user@api.example.com:6443",
        "https://api.example.com:6443?x=1",
        "https://api.example.com.evil:6443",
        "api.example.com:6443",
        "https://[::1",
    ],
)
def test_other_kube_servers_are_refused(named: str) -> None:
    with pytest.raises(MtvError, match="not one of this server's allowed Kubernetes APIs"):
        allowed_kube_server(named, ALLOWED)


@given(st.ip_addresses(v=4))
def test_loopback_is_127_slash_8(address: object) -> None:
    assert is_loopback(str(address)) == str(address).startswith("127.")


def test_policy_normalises_its_entries() -> None:
    policy = HttpPolicy.build(["MTV.example", "other.example:8443"], ["https://Chat.example:443"], tokens_required=True)
    assert policy.host_allowed("mtv.example:1234")
    assert policy.host_allowed("other.example:8443")
    assert not policy.host_allowed("other.example:8444")
    assert policy.origin_allowed("https://chat.example")
    assert not policy.origin_allowed("https://chat.example:8443")
    assert policy.host_allowed("[::1]:8080")
    assert not policy.host_allowed(None)


@pytest.mark.parametrize(("hosts", "origins"), [(["a b"], []), ([], ["chat.example"]), ([], ["ftp://x"])])
def test_malformed_policy_entries_are_errors(hosts: list[str], origins: list[str]) -> None:
    with pytest.raises(MtvError):
        HttpPolicy.build(hosts, origins, tokens_required=True)
