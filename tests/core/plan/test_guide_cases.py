"""Every ``kubectl mtv create plan`` example of the convertor optimisation guide builds the expected Plan.

The examples are read from the guide itself; each one's flags become a PlanRequest, the built
objects must carry exactly the flag values and validate against the CRDs, and the generated
command line must carry the same flag values back.
"""

from __future__ import annotations

import re
import shlex
from typing import Any

import pytest

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.karl import parse_rules
from mtv_mcp.core.plan import PlanRequest, build_plan_objects, parse_key_values
from mtv_mcp.sandbox.crdschema import CrdCatalog
from tests import shared_material

# Guide examples whose convertor labels use keys Forklift sets itself (migration=..., conversion=...).
REJECTED = {"labeled-conversion", "enterprise-phase1", "enterprise-phase2", "comprehensive-optimization"}
LABEL_FLAGS = {
    "--convertor-labels": "convertorLabels",
    "--convertor-node-selector": "convertorNodeSelector",
    "--target-labels": "targetLabels",
    "--target-node-selector": "targetNodeSelector",
}
AFFINITY_FLAGS = {"--convertor-affinity": "convertorAffinity", "--target-affinity": "targetAffinity"}


def guide_commands(text: str) -> list[list[str]]:
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S):
        joined = re.sub(r"\\\n\s*", " ", block)
        commands += [shlex.split(line, comments=True) for line in joined.splitlines() if "mtv create plan" in line]
    return commands


def flags_of(words: list[str]) -> tuple[str, dict[str, str]]:
    """Plan name and ``{flag: value}`` of a create-plan command line (``-v=2`` style words skipped)."""
    assert words[:4] == ["kubectl", "mtv", "create", "plan"], words
    name, rest, flags = words[4], words[5:], {}
    while rest:
        word = rest.pop(0)
        if "=" in word:
            continue
        flags[word] = rest.pop(0)
    return name, flags


COMMANDS = shared_material.guide_params(guide_commands)


def test_the_guide_has_its_examples(guide_text: str) -> None:
    assert len(guide_commands(guide_text)) == 48


def request_of(name: str, flags: dict[str, str]) -> PlanRequest:
    return PlanRequest(
        name=name,
        namespace=flags.get("-n", "openshift-mtv"),
        source_provider=flags["--source"],
        migration_type=flags.get("--migration-type"),
        convertor_labels=flags.get("--convertor-labels"),
        convertor_node_selector=flags.get("--convertor-node-selector"),
        convertor_affinity=karl(flags.get("--convertor-affinity")),
        target_labels=flags.get("--target-labels"),
        target_node_selector=flags.get("--target-node-selector"),
        target_affinity=karl(flags.get("--target-affinity")),
    )


def karl(rule: str | None) -> dict[str, Any] | None:
    return parse_rules(rule).to_affinity().to_kube() if rule else None


def vms_for(selection: str, demo_vms: Any, make_vm: Any) -> list[dict[str, Any]]:
    if selection.startswith("where "):
        return demo_vms("web-frontend-01", "pg-prod-01", "win-sql-01")
    names = [name.strip() for name in selection.split(",")]
    return [make_vm(f"vm-{3000 + i}", name, ["network-17"], ["datastore-32"]) for i, name in enumerate(names)]


@pytest.mark.parametrize("words", COMMANDS, ids=lambda words: flags_of(words)[0] if isinstance(words, list) else "")
def test_guide_example(
    words: list[str], facts: dict[str, Any], demo_vms: Any, make_vm: Any, catalog: CrdCatalog
) -> None:
    name, flags = flags_of(words)
    if "--source" not in flags:
        assert name == "debug-convertor"  # the guide's one example without --source and --vms
        with pytest.raises(ValueError, match="source_provider"):
            PlanRequest(name=name, namespace="openshift-mtv")  # type: ignore[call-arg]
        return
    request = request_of(name, flags)
    facts["source_provider"]["metadata"].update(name=flags["--source"], namespace=request.namespace)
    facts["target_provider"]["metadata"]["namespace"] = request.namespace
    vms = vms_for(flags["--vms"], demo_vms, make_vm)
    if name in REJECTED:
        with pytest.raises(MtvError, match="Forklift sets on convertor pods") as error:
            build_plan_objects(request, vms=vms, **facts)
        assert error.value.field == "convertor_labels"
        return
    build = build_plan_objects(request, vms=vms, **facts)
    spec = build.plan.to_kube()["spec"]
    for flag, key in LABEL_FLAGS.items():
        assert spec.get(key) == (parse_key_values(flags[flag], flag) if flag in flags else None), key
    for flag, key in AFFINITY_FLAGS.items():
        assert spec.get(key) == karl(flags.get(flag)), key
    assert spec.get("type") == flags.get("--migration-type")
    assert spec.get("warm") == (True if flags.get("--migration-type") == "warm" else None)
    assert [vm["name"] for vm in spec["vms"]] == [vm["name"] for vm in vms]
    assert spec["provider"]["source"]["name"] == flags["--source"]
    for obj in build.objects():
        assert catalog.validate(obj) == [], obj["kind"]
    assert ("--convertor-affinity" in flags) == any("replaces Forklift's default" in w for w in build.warnings)

    generated_name, generated = flags_of(shlex.split(build.kubectl_command.replace("\\\n", " ")))
    assert generated_name == name
    for flag in (*LABEL_FLAGS, *AFFINITY_FLAGS, "--source", "--migration-type"):
        if flag in LABEL_FLAGS and flag in flags:
            assert parse_key_values(generated[flag], flag) == parse_key_values(flags[flag], flag)
        elif flag in AFFINITY_FLAGS and flag in flags:
            assert karl(generated[flag]) == karl(flags[flag])
        else:
            assert generated.get(flag) == flags.get(flag), flag
    several_networks = build.network_map is not None and len(build.network_map.to_kube()["spec"]["map"]) > 1
    assert [note for note in build.kubectl_notes if "random order" not in note] == []
    assert len(build.kubectl_notes) == several_networks
