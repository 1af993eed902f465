"""Shared helpers for the KARL tests: the Plan CRD's affinity schema and a reference oracle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

TOPOLOGY_KEYS = {
    "node": "kubernetes.io/hostname",
    "zone": "topology.kubernetes.io/zone",
    "region": "topology.kubernetes.io/region",
    "rack": "topology.kubernetes.io/rack",
}


def _closed(schema: Any) -> Any:
    """The schema with unknown object fields forbidden (the API server would prune them)."""
    if isinstance(schema, dict):
        closed = {key: _closed(value) for key, value in schema.items()}
        if closed.get("type") == "object" and "properties" in closed:
            closed.setdefault("additionalProperties", False)
        return closed
    if isinstance(schema, list):
        return [_closed(item) for item in schema]
    return schema


@pytest.fixture(scope="session")
def affinity_schema(crd_dir: Path) -> jsonschema.protocols.Validator:
    """A validator for ``spec.convertorAffinity`` of the Forklift Plan CRD (../shared/crds)."""
    crd = yaml.safe_load((crd_dir / "forklift.konveyor.io_plans.yaml").read_text(encoding="utf-8"))
    (version,) = crd["spec"]["versions"]
    schema = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["convertorAffinity"]
    return jsonschema.Draft7Validator(_closed(schema))


def reference_affinity(rule: str) -> dict[str, Any]:
    """What kubectl-mtv's KARL emits for a simple rule (karl.md §1, §4, §9), written independently.

    Handles rules of the shape ``TYPE pods(k=v,k in [..],...) on TOPO [weight=N]`` as the reference
    tokenizes them; used as an oracle for the rules both dialects accept.
    """
    words = rule.strip().removesuffix(";").split()
    kind, target, on, topology, *options = words
    assert on.lower() == "on"
    body = target[target.index("(") + 1 : -1]
    match_labels: dict[str, str] = {}
    expressions: list[dict[str, Any]] = []
    depth, start, parts = 0, 0, []
    for index, char in enumerate(body):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(body[start:index])
            start = index + 1
    parts.append(body[start:])
    for raw in (part.strip() for part in parts if part.strip()):
        if raw.startswith("has "):
            expressions.append({"key": raw[4:].strip(), "operator": "Exists"})
        elif raw.startswith("not has "):
            expressions.append({"key": raw[8:].strip(), "operator": "DoesNotExist"})
        elif " not in [" in raw and raw.endswith("]"):
            key, values = raw.split(" not in [")
            items = [v.strip() for v in values[:-1].split(",") if v.strip()]
            expressions.append({"key": key.strip(), "operator": "NotIn", "values": items})
        elif " in [" in raw and raw.endswith("]"):
            key, values = raw.split(" in [")
            items = [v.strip() for v in values[:-1].split(",") if v.strip()]
            expressions.append({"key": key.strip(), "operator": "In", "values": items})
        else:
            key, value = raw.split("=")
            match_labels[key.strip()] = value.strip()
    selector: dict[str, Any] = {}
    if match_labels:
        selector["matchLabels"] = match_labels
    if expressions:
        selector["matchExpressions"] = expressions
    term = {"labelSelector": selector, "topologyKey": TOPOLOGY_KEYS[topology.lower()]}
    rule_type = kind.upper()
    section = "podAntiAffinity" if rule_type in ("AVOID", "REPEL") else "podAffinity"
    if rule_type in ("REQUIRE", "AVOID"):
        return {section: {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    weight = next((int(o.removeprefix("weight=")) for o in options if o.startswith("weight=")), 100)
    weighted = {"weight": weight, "podAffinityTerm": term}
    return {section: {"preferredDuringSchedulingIgnoredDuringExecution": [weighted]}}
