"""deploy/: every manifest validates against the Kubernetes schema (kubernetes-validate, strict),
the Deployment is hardened as the issue asks, every RBAC rule names the tool that needs it, and
the container's arguments are ones ``mtv-mcp`` accepts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from mtv_mcp.server.cli import build_parser
from mtv_mcp.tools import TOOL_NAMES

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBERNETES_VERSION = "1.33.0"
OPENSHIFT_ONLY = {"Route"}  # not in the Kubernetes schema; checked by hand below


def documents() -> list[dict[str, Any]]:
    found = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        found += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return found


def one(kind: str) -> dict[str, Any]:
    (found,) = [doc for doc in documents() if doc["kind"] == kind]
    return found


@pytest.mark.parametrize(
    "doc",
    [doc for doc in documents() if doc["kind"] not in OPENSHIFT_ONLY],
    ids=lambda doc: f"{doc['kind']}/{doc['metadata']['name']}",
)
def test_manifest_validates_against_the_kubernetes_schema(doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    listed = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"]
    assert sorted(listed) == sorted(p.name for p in DEPLOY.glob("*.yaml") if p.name != "kustomization.yaml")


def test_deployment_is_hardened() -> None:
    pod = one("Deployment")["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    security = container["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert security["readOnlyRootFilesystem"] is True
    assert security["allowPrivilegeEscalation"] is False
    assert security["capabilities"]["drop"] == ["ALL"]
    assert security["seccompProfile"]["type"] == "RuntimeDefault"
    assert set(container["resources"]) == {"requests", "limits"}
    for probe in ("livenessProbe", "readinessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz"
    assert {volume["secret"]["secretName"] for volume in pod["volumes"] if "secret" in volume} == {"mtv-mcp-tls"}


def test_container_arguments_are_accepted_by_the_cli() -> None:
    (container,) = one("Deployment")["spec"]["template"]["spec"]["containers"]
    args = build_parser().parse_args(container["args"])
    assert args.http
    assert args.cert_file
    assert args.key_file
    assert not args.allow_server_credentials
    assert not args.insecure_bind
    assert args.allowed_kube_servers == []
    route_host = one("Route")["spec"]["host"]
    assert route_host in args.allowed_hosts


def test_service_gets_a_serving_certificate() -> None:
    service = one("Service")
    assert service["metadata"]["annotations"]["service.beta.openshift.io/serving-cert-secret-name"] == "mtv-mcp-tls"


def test_route() -> None:
    route = one("Route")
    assert route["apiVersion"] == "route.openshift.io/v1"
    assert route["spec"]["to"] == {"kind": "Service", "name": one("Service")["metadata"]["name"], "weight": 100}
    assert route["spec"]["tls"]["termination"] == "reencrypt"


TOOLS = {*TOOL_NAMES, "every tool"}


def test_every_rbac_rule_says_which_tool_needs_it() -> None:
    lines = (DEPLOY / "rbac.yaml").read_text().splitlines()
    rules = [index for index, line in enumerate(lines) if line.strip().startswith("- apiGroups:")]
    assert rules
    for index in rules:
        comment = []
        for line in reversed(lines[:index]):
            if not line.strip().startswith("#"):
                break
            comment.append(line)
        words = " ".join(comment)
        assert any(tool in words for tool in TOOLS), f"rule at line {index + 1} names no tool"


def test_rbac_is_least_privilege() -> None:
    cluster_role = one("ClusterRole")
    assert all(set(rule["verbs"]) <= {"get", "list"} for rule in cluster_role["rules"])
    assert all("secrets" not in rule["resources"] for rule in cluster_role["rules"])
    role = one("Role")
    assert {resource for rule in role["rules"] for resource in rule["resources"]} <= {
        "plans",
        "networkmaps",
        "storagemaps",
        "migrations",
    }
    bindings = [doc for doc in documents() if doc["kind"] in ("RoleBinding", "ClusterRoleBinding")]
    assert bindings
    assert all(subject["kind"] != "ServiceAccount" for doc in bindings for subject in doc["subjects"])


def test_containerfile_is_multi_stage_and_non_root() -> None:
    text = (DEPLOY / "Containerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.MULTILINE)) >= 2
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users
    assert users[-1] not in ("root", "0")
