"""``mtv-mcp karl``: JSON or YAML on stdout, the error with its column on stderr and status 2."""

from __future__ import annotations

import json

import pytest
import yaml

from mtv_mcp.server.cli import main


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["karl", "PREFER pods(app=ceph-osd) in namespaces(openshift-storage) on node weight=90"])
    out = json.loads(capsys.readouterr().out)
    assert status == 0
    assert set(out) == {"affinity", "warnings", "explanation"}
    term = out["affinity"]["podAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["podAffinityTerm"]["namespaces"] == ["openshift-storage"]
    assert out["explanation"][0].startswith("The convertor pod prefers (weight 90)")


def test_several_rules_and_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["karl", "--yaml", "REQUIRE nodes(disk=ssd)", "AVOID pods(tier=db) on zone"])
    affinity = yaml.safe_load(capsys.readouterr().out)
    assert status == 0
    assert set(affinity) == {"nodeAffinity", "podAntiAffinity"}


def test_invalid_rule_exits_2_with_column_caret_and_hint(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["karl", "REQUIRE pods(app=web) on nod"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert "unknown topology 'nod' (column 26)" in captured.err
    assert "\n" + " " * 27 + "^\n" in captured.err
    assert "hint: did you mean 'node'?" in captured.err
