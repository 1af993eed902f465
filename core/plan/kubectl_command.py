"""The ``kubectl mtv create plan`` command line that builds the same plan, quoted for a POSIX shell.

Only flags kubectl-mtv really has are used (forklift-model §5). A setting kubectl-mtv cannot
express (several KARL rules, node affinity, namespace scopes) is left out of the command and
named in a note with a ``kubectl patch`` that sets it after the plan exists.
"""

from __future__ import annotations

import json
import shlex
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mtv_mcp.core.karl import Operator, Rule, TargetKind, parse_rules, render_karl
from mtv_mcp.core.kube_models import Affinity
from mtv_mcp.core.plan.labels import format_key_values


@dataclass(frozen=True)
class AffinityFlag:
    """The kubectl-mtv KARL text for an Affinity, or why there is none."""

    rule: str | None
    reason: str | None = None


def _selector_text(rule: Rule) -> str:
    parts = []
    for selector in rule.selectors:
        values = ",".join(selector.values)
        match selector.operator:
            case Operator.EQUALS:
                parts.append(f"{selector.key}={selector.values[0]}")
            case Operator.IN:
                parts.append(f"{selector.key} in [{values}]")
            case Operator.NOT_IN:
                parts.append(f"{selector.key} not in [{values}]")
            case Operator.EXISTS:
                parts.append(f"has {selector.key}")
            case Operator.DOES_NOT_EXIST:
                parts.append(f"not has {selector.key}")
    return ",".join(parts)


def kubectl_mtv_karl(affinity: Affinity) -> AffinityFlag:
    """One rule in kubectl-mtv's KARL dialect (pods only, one rule, no namespace scope)."""
    rendering = render_karl(affinity)
    if rendering.unexpressed:
        return AffinityFlag(None, "KARL cannot express " + "; ".join(rendering.unexpressed))
    if len(rendering.rules) != 1:
        return AffinityFlag(None, f"it needs {len(rendering.rules)} KARL rules; kubectl-mtv takes one per flag")
    (rule,) = parse_rules(rendering.rules[0]).rules
    if rule.target is not TargetKind.PODS or rule.topology is None:
        return AffinityFlag(None, "it is node affinity; kubectl-mtv's KARL only has pods(...)")
    if rule.namespaces is not None:
        return AffinityFlag(None, "it looks at pods in other namespaces; kubectl-mtv's KARL has no namespace scope")
    weight = f" weight={rule.weight}" if rule.weight is not None else ""
    return AffinityFlag(f"{rule.type.value} pods({_selector_text(rule)}) on {rule.topology.value}{weight}")


@dataclass
class CommandLine:
    """Collects flags; ``render()`` quotes every word with ``shlex.quote``."""

    words: list[str]
    flags: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unexpressed: dict[str, Any] = field(default_factory=dict)

    def add(self, flag: str, value: str | None) -> None:
        if value:
            self.flags.append([flag, value])

    def add_map(self, flag: str, mapping: Mapping[str, str]) -> None:
        if mapping:
            self.add(flag, format_key_values(mapping))

    def add_affinity(self, flag: str, spec_field: str, affinity: Affinity | None) -> None:
        if affinity is None:
            return
        found = kubectl_mtv_karl(affinity)
        if found.rule is not None:
            self.add(flag, found.rule)
            return
        self.notes.append(f"{flag} cannot carry {spec_field}: {found.reason}")
        self.unexpressed[spec_field] = affinity.to_kube()

    def render(self, plan_name: str, namespace: str) -> str:
        lines = [" ".join(shlex.quote(word) for word in self.words)]
        lines += [" ".join(shlex.quote(word) for word in pair) for pair in self.flags]
        command = " \\\n    ".join(lines)
        if self.unexpressed:
            patch = json.dumps({"spec": self.unexpressed}, separators=(",", ":"), sort_keys=True)
            follow_up = ["kubectl", "patch", "plan", plan_name, "-n", namespace, "--type", "merge", "-p", patch]
            self.notes.append("then set the rest with: " + " ".join(shlex.quote(word) for word in follow_up))
        return command


def vms_flag_value(vms: Sequence[tuple[str, str]], inventory_names: Sequence[str] = ()) -> tuple[str, list[str]]:
    """``--vms`` text for ``(id, name)`` pairs and notes. kubectl-mtv reads a plain list as names
    (cmd/create/plan.go), so when a name repeats among the VMs or in the provider's inventory the
    VMs are selected by id with a query, ``where id in ['vm-1', ...]``."""
    selected = [name for _, name in vms]
    counts = Counter(inventory_names or selected)
    repeated = sorted({name for name in selected if counts[name] > 1 or selected.count(name) > 1})
    if repeated:
        ids = ", ".join("'" + vm_id.replace("'", "\\'") + "'" for vm_id, _ in vms)
        note = f"VM names repeat in the provider ({', '.join(map(repr, repeated))}), so --vms selects the VMs by id"
        return f"where id in [{ids}]", [note]
    notes = []
    awkward = [name for name in selected if "," in name or name != name.strip() or name.startswith(("where ", "@"))]
    if awkward:
        notes.append(
            f"--vms cannot name {', '.join(map(repr, awkward))} as a plain list (a comma, outer spaces, "
            "or a leading 'where '/'@'); list the VMs in a YAML file of '- id/name' items and pass --vms @file"
        )
    return ",".join(selected), notes
