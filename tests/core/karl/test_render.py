"""Affinity → KARL and English: round trips, what cannot be expressed, and the explanations."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.karl import Affinity, explain_affinity, parse_rules, render_karl

ROUND_TRIP = [
    "REQUIRE pods(app=web) on node",
    "PREFER pods(app=web, env not in [test, dev], has monitoring) on zone weight=85",
    "AVOID pods(tier in [db, cache], not has canary) on region",
    'REPEL pods(a="") on rack weight=1',
    "PREFER pods(app=ceph-osd) in namespaces(openshift-storage, rook-ceph) on node weight=90",
    "REQUIRE pods(app=x) in namespaces(team=storage, env in [prod]) on zone",
    "REPEL pods(forklift.app in [virt-v2v]) in all namespaces on node",
    "REQUIRE nodes(disk=ssd, has gpu, zone in [a, b]); AVOID nodes(maint=true)",
    "PREFER nodes(disk=nvme) weight=30; REPEL nodes(not has ssd)",
    "AVOID pods(has x, x!=y) on node",
]
FORKLIFT_DEFAULT = {
    "podAntiAffinity": {
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {
                "weight": 100,
                "podAffinityTerm": {
                    "labelSelector": {
                        "matchExpressions": [{"key": "forklift.app", "operator": "In", "values": ["virt-v2v"]}]
                    },
                    "topologyKey": "kubernetes.io/hostname",
                    "namespaceSelector": {},
                },
            }
        ]
    }
}


@pytest.mark.parametrize("rules", ROUND_TRIP)
def test_rule_to_affinity_to_rule(rules: str, affinity_schema: jsonschema.protocols.Validator) -> None:
    affinity = parse_rules(rules).to_affinity()
    affinity_schema.validate(affinity.to_kube())
    rendering = render_karl(affinity)
    assert rendering.complete, rendering.unexpressed
    assert parse_rules(rendering.rules).to_affinity() == affinity
    again = Affinity.model_validate(affinity.to_kube())
    assert again == affinity


def test_forklift_default_renders_and_explains() -> None:
    affinity = Affinity.model_validate(FORKLIFT_DEFAULT)
    assert render_karl(affinity).rules == ["REPEL pods(forklift.app in [virt-v2v]) in all namespaces on node"]
    assert explain_affinity(affinity, "The convertor pod") == [
        "The convertor pod prefers (weight 100) not to run on a node that runs a pod with "
        "forklift.app=virt-v2v in any namespace."
    ]
    assert affinity.to_kube() == FORKLIFT_DEFAULT


def _pod_term(**fields: Any) -> dict[str, Any]:
    term = {"labelSelector": {"matchLabels": {"a": "b"}}, "topologyKey": "kubernetes.io/hostname", **fields}
    return {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_pod_term(topologyKey="example.com/row"), "is not node, zone, region or rack"),
        (_pod_term(labelSelector={}), "label selector is empty"),
        (_pod_term(labelSelector=None), "no label selector"),
        (_pod_term(matchLabelKeys=["pod-template-hash"]), "matchLabelKeys"),
        (_pod_term(namespaces=["a"], namespaceSelector={}), "lists namespaces and also selects all"),
        (_pod_term(labelSelector={"matchLabels": {"a/b/c": "x"}}), "KARL rejects it: invalid label key"),
        (
            {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}, {}]}}},
            "2 alternative node selector terms",
        ),
        (
            {
                "nodeAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 5,
                            "preference": {"matchExpressions": [{"key": "cpu", "operator": "Gt", "values": ["8"]}]},
                        }
                    ]
                }
            },
            "no Gt operator",
        ),
        (
            {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}
                        ]
                    }
                }
            },
            "matchFields",
        ),
    ],
)
def test_what_karl_cannot_express_is_named(data: dict[str, Any], reason: str) -> None:
    rendering = render_karl(Affinity.model_validate(data))
    assert rendering.rules == []
    (note,) = rendering.unexpressed
    assert reason in note


def test_partial_rendering_keeps_the_expressible_terms() -> None:
    data = {**FORKLIFT_DEFAULT, **_pod_term(topologyKey="example.com/row")}
    rendering = render_karl(Affinity.model_validate(data))
    assert rendering.rules == ["REPEL pods(forklift.app in [virt-v2v]) in all namespaces on node"]
    assert rendering.unexpressed == [
        "required pod affinity term 1: topologyKey 'example.com/row' is not node, zone, region or rack"
    ]


def test_required_node_terms_with_a_repeated_key_render_as_separate_rules() -> None:
    affinity = parse_rules("REQUIRE nodes(zone in [a, b]); AVOID nodes(zone=b)").to_affinity()
    rendering = render_karl(affinity)
    assert rendering.rules == ["REQUIRE nodes(zone in [a, b])", "REQUIRE nodes(zone!=b)"]
    assert parse_rules(rendering.rules).to_affinity() == affinity


def test_explanations_cover_every_term_kind() -> None:
    affinity = parse_rules(
        [
            "REQUIRE nodes(disk=ssd, has gpu)",
            "PREFER nodes(zone in [a, b]) weight=20",
            "REQUIRE pods(app=db) in namespaces(data) on zone",
            "PREFER pods(app=cache) in namespaces(team=x) on region weight=7",
            "AVOID pods(tier not in [web]) on node",
            "REPEL pods(not has keep) on rack",
        ]
    ).to_affinity()
    assert explain_affinity(affinity) == [
        "The pod must run on a node with disk=ssd and a gpu label.",
        "The pod prefers (weight 20) to run on a node with zone in (a, b).",
        "The pod must run in a zone that already runs a pod with app=db in namespace data.",
        "The pod prefers (weight 7) to run in a region that runs a pod with app=cache in namespaces with team=x.",
        "The pod must not run on a node that runs a pod with tier not in (web) (or no tier label) "
        "in its own namespace.",
        "The pod prefers (weight 100) not to run in a rack (node label topology.kubernetes.io/rack) "
        "that runs a pod with no keep label in its own namespace.",
    ]


def test_hand_written_affinity_explains_alternatives_and_custom_topologies() -> None:
    data = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]},
                    {"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n1"]}]},
                ]
            }
        },
        **_pod_term(topologyKey="example.com/row", labelSelector={}),
    }
    assert explain_affinity(Affinity.model_validate(data)) == [
        "The pod must run on a node with (a=1) or (field metadata.name not in (n1)).",
        "The pod must run in a topology domain (nodes sharing the same example.com/row label) "
        "that already runs any pod in its own namespace.",
    ]


def test_malformed_affinity_is_a_clear_error() -> None:
    with pytest.raises(MtvError) as caught:
        Affinity.from_kube({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"weight": 1}]}})
    assert caught.value.field == "affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution.0.topologyKey"
