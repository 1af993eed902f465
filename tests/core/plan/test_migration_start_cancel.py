"""Readiness reasons, the Migration kubectl-mtv starts, and the spec.cancel change (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.plan.migration import build_migration, cancel_change, format_time, parse_cutover
from mtv_mcp.core.plan.readiness import start_blockers

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PLAN: dict[str, Any] = {
    "apiVersion": "forklift.konveyor.io/v1beta1",
    "kind": "Plan",
    "metadata": {"name": "wave1", "namespace": "openshift-mtv", "uid": "u-1"},
    "spec": {
        "type": "cold",
        "vms": [{"id": "vm-1", "name": "web"}, {"id": "vm-2", "name": "db"}, {"id": "vm-3", "name": "app"}],
    },
    "status": {"conditions": [{"type": "Ready", "status": "True", "category": "Required"}]},
}


def _with_conditions(*conditions: dict[str, Any]) -> dict[str, Any]:
    return {**PLAN, "status": {"conditions": list(conditions)}}


def test_a_ready_plan_has_no_blockers() -> None:
    assert start_blockers(PLAN) == []


def test_blockers_are_decoded_with_fixes() -> None:
    plan = _with_conditions(
        {"type": "SharedDisks-vm-2", "status": "True", "category": "Critical", "message": "shared disk"},
        {"type": "IndependentDiskWarning", "status": "True", "category": "Warn", "message": "ignored"},
        {"type": "Odd", "status": "True", "category": "Error"},
    )
    assert start_blockers(plan) == [
        "SharedDisks-vm-2: shared disk (fix: power off the VMs with shared disks, or set migrateSharedDisks=false "
        "and migrate the shared disks with one plan only)",
        "Odd: no message (fix: fix what the message says; Forklift validates the plan again after every change)",
    ]


def test_unvalidated_succeeded_and_archived_plans_cannot_start() -> None:
    assert "has no Ready condition" in start_blockers(_with_conditions())[0]
    succeeded = _with_conditions({"type": "Succeeded", "status": "True"}, {"type": "Ready", "status": "True"})
    assert start_blockers(succeeded) == [
        "plan wave1 has already succeeded: create a new plan for the VMs to migrate again"
    ]
    assert "archived" in start_blockers(_with_conditions({"type": "Archived", "status": "True"}))[0]


def test_cold_migration_as_kubectl_mtv_builds_it() -> None:
    start = build_migration(PLAN, cutover=None, now=NOW)
    assert start.migration == {
        "apiVersion": "forklift.konveyor.io/v1beta1",
        "kind": "Migration",
        "metadata": {
            "generateName": "wave1-",
            "namespace": "openshift-mtv",
            "ownerReferences": [
                {"apiVersion": "forklift.konveyor.io/v1beta1", "kind": "Plan", "name": "wave1", "uid": "u-1"}
            ],
        },
        "spec": {"plan": {"name": "wave1", "namespace": "openshift-mtv", "uid": "u-1"}},
    }
    assert (start.cutover, start.warnings) == (None, [])
    assert start.command == "kubectl mtv start plan wave1 -n openshift-mtv"


def test_warm_cutover_defaults_to_one_hour_and_a_past_one_is_flagged() -> None:
    warm = {**PLAN, "spec": {**PLAN["spec"], "type": "warm"}}
    default = build_migration(warm, cutover=None, now=NOW)
    assert default.migration["spec"]["cutover"] == "2026-03-01T10:00:00Z"
    assert default.warnings == [
        "no cutover given for a warm migration: cutover set to 2026-03-01T10:00:00Z (in one hour)"
    ]
    past = build_migration(warm, cutover=parse_cutover("2026-03-01T08:00:00+00:00"), now=NOW)
    assert "is in the past" in past.warnings[0]
    assert past.command.endswith("--cutover 2026-03-01T08:00:00Z")


@pytest.mark.parametrize(
    "text", ["tomorrow", "2026-03-01T08:00:00", "", "2026-13-01T00:00:00Z", "0001-01-01T00:00:00+01:00"]
)
def test_cutover_needs_rfc3339_with_a_zone(text: str) -> None:
    with pytest.raises(MtvError, match="is not an RFC 3339 time with a time zone"):
        parse_cutover(text)


def test_cancel_keeps_existing_entries_and_skips_finished_vms() -> None:
    migration = {
        "metadata": {"name": "wave1-abcde"},
        "spec": {"cancel": [{"id": "vm-3", "name": "app"}]},
        "status": {
            "vms": [
                {"id": "vm-1", "phase": "Completed", "conditions": [{"type": "Succeeded", "status": "True"}]},
                {"id": "vm-2", "phase": "CopyDisksVirtV2V"},
            ]
        },
    }
    change = cancel_change(PLAN, migration, None)
    assert change.cancel == ["db (vm-2)"]
    assert change.skipped == ["web (vm-1): already finished (Succeeded)", "app (vm-3): cancellation already requested"]
    assert change.merge_patch == {"spec": {"cancel": [{"id": "vm-3", "name": "app"}, {"id": "vm-2", "name": "db"}]}}
    assert "+- id: vm-2" in change.diff
    assert change.command == "kubectl mtv cancel plan wave1 -n openshift-mtv --vms db"
    nothing = cancel_change(PLAN, migration, ["vm-1", "app"])
    assert (nothing.merge_patch, nothing.diff, nothing.command) == ({}, "", "")


def test_cancel_of_a_vm_without_a_name_is_a_kubectl_patch() -> None:
    plan = {**PLAN, "spec": {"vms": [{"id": "vm-9"}]}}
    change = cancel_change(plan, {"metadata": {"name": "wave1-abcde"}}, ["vm-9"])
    assert change.command == (
        "kubectl patch migration wave1-abcde -n openshift-mtv --type merge -p "
        """'{"spec":{"cancel":[{"id":"vm-9","name":""}]}}'"""
    )


def test_cancel_names_unknown_vms() -> None:
    with pytest.raises(MtvError, match="plan wave1 has no VM 'nope'") as error:
        cancel_change(PLAN, {"metadata": {"name": "m"}}, ["web", "nope"])
    assert error.value.hint == "name VMs of the plan by name or id: web (vm-1), db (vm-2), app (vm-3)"


@given(st.text(max_size=40))
def test_cutover_parser_answers_a_utc_time_or_a_clear_error(text: str) -> None:
    try:
        when: datetime | MtvError = parse_cutover(text)
    except MtvError as error:
        when = error
    if isinstance(when, MtvError):
        assert when.field == "cutover"
    else:
        assert when.utcoffset() == timedelta(0)


@given(st.datetimes(timezones=st.timezones(), min_value=datetime(1970, 1, 2), max_value=datetime(9998, 1, 1)))
def test_cutover_round_trips_through_the_migration_text(moment: datetime) -> None:
    text = format_time(moment)
    assert format_time(parse_cutover(text)) == text
    assert parse_cutover(text) == moment.astimezone(UTC).replace(microsecond=0)
