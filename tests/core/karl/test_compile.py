"""KARL text → Affinity: every rule type, topology, selector form and weight; the documented examples."""

from __future__ import annotations

import itertools
import re
from typing import Any

import jsonschema
import pytest

from mtv_mcp.core.karl import RuleError, compile_affinity, parse_rules
from tests import shared_material
from tests.core.karl.conftest import TOPOLOGY_KEYS, reference_affinity

RULE_TYPES = ["REQUIRE", "PREFER", "AVOID", "REPEL"]
SELECTOR_FORMS = {
    "app=web": {"matchLabels": {"app": "web"}},
    "app in [web, db]": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "db"]}]},
    "app not in [web]": {"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]},
    "has app": {"matchExpressions": [{"key": "app", "operator": "Exists"}]},
    "not has app": {"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]},
}


def affinity(rules: str | list[str]) -> dict[str, Any]:
    return parse_rules(rules).to_affinity().to_kube()


@pytest.mark.parametrize(("rule_type", "topology"), list(itertools.product(RULE_TYPES, TOPOLOGY_KEYS)))
def test_every_rule_type_and_topology_matches_the_reference(
    rule_type: str, topology: str, affinity_schema: jsonschema.protocols.Validator
) -> None:
    rule = f"{rule_type} pods(app=web) on {topology}"
    result = affinity(rule)
    assert result == reference_affinity(rule)
    affinity_schema.validate(result)


@pytest.mark.parametrize(("text", "selector"), SELECTOR_FORMS.items())
def test_every_selector_form(text: str, selector: dict[str, Any]) -> None:
    term = affinity(f"REQUIRE pods({text}) on node")["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["labelSelector"] == selector


def test_reference_example_of_karl_md_exactly() -> None:
    result = affinity("PREFER pods(app=web,env not in [test],has monitoring) on zone weight=85")
    assert result == {
        "podAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 85,
                    "podAffinityTerm": {
                        "labelSelector": {
                            "matchLabels": {"app": "web"},
                            "matchExpressions": [
                                {"key": "env", "operator": "NotIn", "values": ["test"]},
                                {"key": "monitoring", "operator": "Exists"},
                            ],
                        },
                        "topologyKey": "topology.kubernetes.io/zone",
                    },
                }
            ]
        }
    }


def test_not_equal_means_not_in_and_quotes_are_removed() -> None:
    result = affinity("AVOID pods(security!=restricted, tier='db', env=\"prod\") on node")
    selector = result["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]["labelSelector"]
    assert selector == {
        "matchLabels": {"env": "prod", "tier": "db"},
        "matchExpressions": [{"key": "security", "operator": "NotIn", "values": ["restricted"]}],
    }


@pytest.mark.parametrize(("option", "weight"), [("weight=1", 1), ("weight=100", 100), ("", 100), ("weight=42", 42)])
def test_soft_weights(option: str, weight: int) -> None:
    result = affinity(f"PREFER pods(a=b) on node {option}")
    assert result["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"] == weight


@pytest.mark.parametrize("value", ["0", "101", "-1", "abc", "", "7.5", "1e2", "٥"])
def test_weights_outside_1_to_100_or_not_whole_numbers_are_errors(value: str) -> None:
    rule = f"REPEL pods(a=b) on node weight={value}"
    with pytest.raises(RuleError) as caught:
        parse_rules(rule)
    assert caught.value.column == len("REPEL pods(a=b) on node weight=") + 1
    assert "weight must be" in caught.value.message


def test_weight_on_a_hard_rule_is_ignored_with_a_warning() -> None:
    result = compile_affinity("REQUIRE pods(a=b) on node weight=50")
    assert result.affinity.to_kube() == reference_affinity("REQUIRE pods(a=b) on node")
    assert any("weight=50 is ignored" in warning for warning in result.warnings)


@pytest.mark.parametrize(
    "rule",
    [
        "require PODS( app = web ) ON Node",
        "\t Require  pods(app=web)\ton   NODE \n",
        "REQUIRE pods(app=web) on node;",
        ";REQUIRE\u00a0pods(app=web) on node;;",
        "REQUIRE pods (app=web) on node",
    ],
)
def test_whitespace_and_case_variants(rule: str) -> None:
    assert affinity(rule) == reference_affinity("REQUIRE pods(app=web) on node")


def test_keywords_are_case_insensitive_everywhere() -> None:
    text = "prefer PODS(HAS x, NOT HAS y, a IN [b], c NOT IN [d]) In All Namespaces On ZONE WEIGHT=5"
    assert parse_rules(text).to_karl() == [
        "PREFER pods(has x, not has y, a in [b], c!=d) in all namespaces on zone weight=5"
    ]


def test_keywords_may_be_label_keys_like_in_the_reference() -> None:
    result = affinity("REQUIRE pods(has=1, not in [a], on=x) on node")
    selector = result["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]["labelSelector"]
    assert selector == {
        "matchLabels": {"has": "1", "on": "x"},
        "matchExpressions": [{"key": "not", "operator": "In", "values": ["a"]}],
    }


def _guide_rules(text: str) -> list[str]:
    return sorted(set(re.findall(r'--(?:convertor|target)-affinity "([^"]+)"', text)))


def test_the_guide_has_examples(guide_text: str) -> None:
    assert len(_guide_rules(guide_text)) >= 25


@pytest.mark.parametrize("rule", shared_material.guide_params(_guide_rules))
def test_every_guide_example_matches_the_reference(rule: str, affinity_schema: jsonschema.protocols.Validator) -> None:
    result = affinity(rule)
    assert result == reference_affinity(rule)
    affinity_schema.validate(result)


def test_several_rules_merge_into_one_affinity(affinity_schema: jsonschema.protocols.Validator) -> None:
    rules = [
        "REQUIRE pods(a=1) on zone; REQUIRE pods(b=2) on node",
        "PREFER pods(c=3) on node weight=10",
        "AVOID pods(d=4) on node",
        "REPEL pods(e=5) on zone weight=20; REPEL pods(f=6) on zone",
    ]
    result = affinity(rules)
    assert result == {
        "podAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": [
                reference_affinity("REQUIRE pods(a=1) on zone")["podAffinity"][
                    "requiredDuringSchedulingIgnoredDuringExecution"
                ][0],
                reference_affinity("REQUIRE pods(b=2) on node")["podAffinity"][
                    "requiredDuringSchedulingIgnoredDuringExecution"
                ][0],
            ],
            "preferredDuringSchedulingIgnoredDuringExecution": reference_affinity("PREFER pods(c=3) on node weight=10")[
                "podAffinity"
            ]["preferredDuringSchedulingIgnoredDuringExecution"],
        },
        "podAntiAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": reference_affinity("AVOID pods(d=4) on node")[
                "podAntiAffinity"
            ]["requiredDuringSchedulingIgnoredDuringExecution"],
            "preferredDuringSchedulingIgnoredDuringExecution": [
                *reference_affinity("REPEL pods(e=5) on zone weight=20")["podAntiAffinity"][
                    "preferredDuringSchedulingIgnoredDuringExecution"
                ],
                *reference_affinity("REPEL pods(f=6) on zone")["podAntiAffinity"][
                    "preferredDuringSchedulingIgnoredDuringExecution"
                ],
            ],
        },
    }
    affinity_schema.validate(result)


def test_namespace_scopes(affinity_schema: jsonschema.protocols.Validator) -> None:
    names = affinity("PREFER pods(app=ceph-osd) in namespaces(openshift-storage, rook) on node")
    term = names["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]
    assert term["namespaces"] == ["openshift-storage", "rook"]
    assert "namespaceSelector" not in term
    labelled = affinity("REQUIRE pods(app=x) in namespace(team=storage) on zone")
    term = labelled["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["namespaceSelector"] == {"matchLabels": {"team": "storage"}}
    assert "namespaces" not in term
    everywhere = affinity("REPEL pods(forklift.app in [virt-v2v]) in all-namespaces on node")
    term = everywhere["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["podAffinityTerm"]
    assert term == {
        "labelSelector": {"matchExpressions": [{"key": "forklift.app", "operator": "In", "values": ["virt-v2v"]}]},
        "topologyKey": "kubernetes.io/hostname",
        "namespaceSelector": {},
    }
    for result in (names, labelled, everywhere):
        affinity_schema.validate(result)


def test_node_targets_produce_node_affinity(affinity_schema: jsonschema.protocols.Validator) -> None:
    result = affinity(
        [
            "REQUIRE nodes(node-role.kubernetes.io/database=true) on node",
            "REQUIRE nodes(conversion in [dedicated, shared], has fast); AVOID nodes(maintenance=true)",
            "PREFER nodes(disk=nvme) weight=30; REPEL nodes(not has ssd)",
        ]
    )
    assert result == {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {"key": "node-role.kubernetes.io/database", "operator": "In", "values": ["true"]},
                            {"key": "conversion", "operator": "In", "values": ["dedicated", "shared"]},
                            {"key": "fast", "operator": "Exists"},
                            {"key": "maintenance", "operator": "NotIn", "values": ["true"]},
                        ]
                    }
                ]
            },
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 30,
                    "preference": {"matchExpressions": [{"key": "disk", "operator": "In", "values": ["nvme"]}]},
                },
                {"weight": 100, "preference": {"matchExpressions": [{"key": "ssd", "operator": "Exists"}]}},
            ],
        }
    }
    affinity_schema.validate(result)


def test_explanations_and_soft_equivalent() -> None:
    result = compile_affinity(["AVOID pods(tier=db) on zone", "REQUIRE nodes(disk=ssd)"], purpose="target")
    assert result.explanation == [
        "The migrated VM must run on a node with disk=ssd.",
        "The migrated VM must not run in a zone that runs a pod with tier=db in its own namespace.",
    ]
    assert result.soft_equivalent == ["REPEL pods(tier=db) on zone", "PREFER nodes(disk=ssd)"]
    assert compile_affinity("PREFER pods(a=b) on node").soft_equivalent is None


def test_convertor_warnings() -> None:
    result = compile_affinity("AVOID pods(forklift.app=virt-v2v) on node; PREFER pods(app=virt-v2v) on rack")
    text = "\n".join(result.warnings)
    assert "at most one convertor per node" in text
    assert "forklift.app=virt-v2v, not app=virt-v2v" in text
    assert "topology.kubernetes.io/rack, which Kubernetes does not set" in text
    assert "replaces Forklift's default" not in text
    replaced = compile_affinity("PREFER pods(app=ceph-osd) on node")
    assert any("replaces Forklift's default" in warning for warning in replaced.warnings)
    kept = compile_affinity("PREFER pods(app=ceph-osd) on node", keep_default_spreading=True)
    assert kept.rules[-1] == "REPEL pods(forklift.app in [virt-v2v]) in all namespaces on node"
    assert not any("replaces Forklift's default" in warning for warning in kept.warnings)
    assert compile_affinity("PREFER pods(app=x) on node", purpose="any").warnings == [
        "column 1: pods(...) only sees pods in the namespace of the scheduled pod; if the pods run elsewhere "
        "(e.g. ceph-osd in openshift-storage) add 'in namespaces(<name>)' or 'in all namespaces'"
    ]
