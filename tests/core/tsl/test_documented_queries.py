"""Every example query of tsl.md and the convertor-optimization guide, on demo-shaped VMs."""

from __future__ import annotations

from typing import Any

import pytest

from mtv_mcp.core.tsl import QueryError, compile_query, parse_query, print_query, run_query

# The guide's `--vms "where ..."` strings and what a reader expects on the fixture VMs.
GUIDE = [
    ("where cluster.name = 'Legacy-Cluster'", ["gpu-render-01", "test-db-02", "old-app-03"]),
    ("where sum disks.capacityGB > 500", ["pg-prod-01", "win-sql-01", "file-srv-01", "database-archive"]),
    ("where memoryMB > 32768", ["pg-prod-01", "database-archive"]),
    ("where sum disks.capacityGB > 1000", ["win-sql-01", "file-srv-01", "database-archive"]),
    ("where memoryMB between 4096 and 16384", ["web-frontend-01", "win-sql-01", "file-srv-01"]),
    ("where guestOS ~= '(?i).*windows.*'", ["win-sql-01", "test-db-02"]),
    ("where len disks > 4", ["file-srv-01"]),
    ("where name ~= '.*database.*' or name ~= '.*db.*'", ["test-db-02", "database-archive"]),
    ("where any disks.iops > 10000", ["pg-prod-01", "win-sql-01"]),
    ("where any disks.capacityGB > 500", ["win-sql-01", "database-archive"]),
    ("where cluster.name = 'Critical-Production' and powerState = 'poweredOn'", ["pg-prod-01", "win-sql-01"]),
    ("where cluster.name = 'Standard-Production'", ["web-frontend-01", "file-srv-01", "database-archive"]),
]

# Example queries of tsl.md that are valid in our TSL (several were errors upstream).
TSL_DOC = [
    "select name, memoryMB as mem where memoryMB > 4096 order by mem desc limit 5",
    "cpuCount > 4",
    "select sum(disks[*].capacityGB) as total, len(disks) where total > 100",
    "select name, len(disks) as n where n > 1",
    "x between 1 and 5 and y = 2",
    "x between 1 + 1 and 2 * 3",
    "x in [1+1, 2*2]",
    "len(disks) > 4",
    "len disks > 4",
    "sum disks.capacityGB + 100 > 3000",
    "any(disks.iops > 10000)",
    "any disks.iops > 10000",
    "any disks.shared = true",
    "any(disks.shared)",
    "any(disks[*].iops > 10000)",
    "all(disks.capacityGB >= 20)",
    "len(nics) >= 2",
    "sum(disks.capacity) > 2Ti",
    "'datastore-12' in disks.datastore.id",
    "'Critical' in concerns.category",
    "not (powerState = 'poweredOn')",
    "x not in ['a'] and y not like 'a%' and z not between 1 and 2 and w is not null",
    "a in [true] = true",
    "created in [2022-01-20T09:15:00Z]",
    "name = 'were-01'",
    "name like '%select%'",
    "note = 'limit 5' or note = 'order by x'",
    "cpuLimit > 4",
    "notes = ''",
    "len(name) > 10",
    "select summary, allocatedMB, length",
    "where any(disks[*].capacity > 100Gi)",
    "where sum(disks[*].capacity) > 500Gi",
    "where guestId ~= '^windows'",
    "where powerState = 'poweredOn' and memoryMB >= 16384",
    "where criticalConcerns > 0",
    "where memoryGB > 8",
    "order by name desc, memoryMB limit 3",
    "sort by name",
]


def vm_names(result_items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in result_items]


@pytest.mark.parametrize(("query", "expected"), GUIDE)
def test_guide_queries_match_what_a_reader_expects(query: str, expected: list[str], vms: list[dict[str, Any]]) -> None:
    result = run_query(query, vms)
    assert vm_names(result.items) == expected
    assert not result.warnings


@pytest.mark.parametrize("query", TSL_DOC)
def test_documented_queries_parse_compile_and_print_back(query: str) -> None:
    parsed = parse_query(query)
    compile_query(parsed)
    assert parse_query(print_query(parsed)) == parsed


def test_case_sensitive_pattern_that_matches_nothing_is_explained(vms: list[dict[str, Any]]) -> None:
    result = run_query("where guestOS ~= '.*windows.*'", vms)
    assert result.items == []
    assert "ignoring case it matches 2 value(s): start the pattern with (?i)" in result.warnings[0].message
    result = run_query("where name like 'PG%'", vms)
    assert "use ilike" in result.warnings[0].message


def test_documented_traps_are_explained(vms: list[dict[str, Any]]) -> None:
    vms_without_os = [{key: value for key, value in vm.items() if key != "guestOS"} for vm in vms]
    result = run_query("where guestOS ~= 'rhel'", vms_without_os)
    assert result.items == []
    assert "exists in no record" in result.warnings[0].message
    assert {"guestId", "guestName"} & set(result.warnings[0].suggestions)
    with pytest.raises(QueryError, match="wrap it"):
        run_query("where disks[*].capacity > 100Gi", vms)
    assert vm_names(run_query("where criticalConcerns > 0", vms).items) == ["gpu-render-01"]
    assert vm_names(run_query("where sum(disks[*].capacity) > 1Ti", vms).items) == [
        "win-sql-01",
        "file-srv-01",
        "database-archive",
    ]
    assert vm_names(run_query("where 'Critical' in concerns.category", vms).items) == ["gpu-render-01"]
