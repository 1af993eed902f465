"""The fast form of a where clause: whole runs agree with a tree walker, on lists and snapshots.

The fast form indexes plainly and drops type checks; a record it cannot answer for bails to the
careful form. On a `Snapshot` the checks the records' types make needless are dropped too.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mtv_mcp.core.tsl import QueryError, Snapshot, ast, compile_query, parse_query, print_query
from mtv_mcp.core.tsl.compiler import BAILS_TOLERATED
from mtv_mcp.core.tsl.snapshot import Missing
from tests.core.tsl.test_properties import conditions, fused_conditions, fused_records, records
from tests.core.tsl.walker import outcome


def _summary(query: Any, rows: list[dict[str, Any]] | Snapshot) -> tuple[list[int], int] | str:
    """Indexes of the matching records and the number of skips, or "list" for a query error."""
    try:
        result = query.run(rows)
    except QueryError:
        return "list"
    skipped = sum(int(w.message.split()[0]) for w in result.warnings if " skipped at " in w.message)
    matched = [index for index, row in enumerate(rows) if any(item is row for item in result.items)]
    return matched, skipped


def _walked(where: ast.Expr, rows: list[dict[str, Any]]) -> tuple[list[int], int] | str:
    outcomes = [outcome(where, row) for row in rows]
    if "list" in outcomes:
        return "list"
    return [i for i, found in enumerate(outcomes) if found == "match"], outcomes.count("skipped")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(conditions, st.lists(records, min_size=1, max_size=12))
def test_a_run_over_many_records_agrees_with_a_tree_walker(where: ast.Expr, rows: list[dict[str, Any]]) -> None:
    try:
        compiled = compile_query(ast.Query(where=where, source=print_query(ast.Query(where=where))))
    except QueryError:
        assume(False)
        return
    expected = _walked(where, rows)
    assert _summary(compiled, rows) == expected
    assert _summary(compiled, Snapshot(rows)) == expected  # facts learned from these very records


@pytest.mark.parametrize(
    ("text", "checked", "unchecked"),
    [
        ("len(disks) > 4", "type(", "len(r['disks'])"),
        ("memoryMB between 4096 and 16384", "in _NUM", "4096 <= r['memoryMB'] <= 16384"),
        ("cpuCount >= 4", "in _NUM", "r['cpuCount'] >= 4"),
    ],
)
def test_a_snapshot_whose_types_allow_it_runs_without_the_type_check(text: str, checked: str, unchecked: str) -> None:
    rows = [{"disks": [{}] * n, "memoryMB": 1024 * n, "cpuCount": n} for n in range(8)]
    compiled = compile_query(parse_query(text))
    on_list = compiled.run(rows)
    on_snapshot = compiled.run(Snapshot(rows))
    assert [row["cpuCount"] for row in on_snapshot.items] == [row["cpuCount"] for row in on_list.items]
    fast_form = compiled._program_for(Snapshot(rows)).code.split("try:")[1].split("except")[0]
    assert unchecked in fast_form
    assert checked not in fast_form


def test_one_odd_record_keeps_the_check_and_is_answered_as_before() -> None:
    rows: list[dict[str, Any]] = [{"id": n, "disks": [{}] * n} for n in range(8)] + [{"id": 8, "disks": {"a": 1}}]
    compiled = compile_query(parse_query("len(disks) > 4"))
    result = compiled.run(Snapshot(rows))
    assert [row["id"] for row in result.items] == [5, 6, 7]
    assert [w.message for w in result.warnings] == [
        "1 record skipped at `len(disks)`: `len` needs a list or a string, got an object"
    ]
    assert "len(r['disks'])" not in compiled._program_for(Snapshot(rows)).code


def test_records_that_all_bail_give_the_careful_answers() -> None:
    """Past BAILS_TOLERATED bails (most records lack the field) the rest runs in the careful form."""
    rows: list[dict[str, Any]] = [{"id": n, "tags": None} for n in range(BAILS_TOLERATED * 10)] + [
        {"id": -1, "tags": "a"}
    ]
    result = compile_query(parse_query("tags like 'a%'")).run(rows)
    assert [row["id"] for row in result.items] == [-1]
    skipping = compile_query(parse_query("memoryMB between 1 and 2")).run(rows)
    assert skipping.matched == 0
    assert next(w.message for w in skipping.warnings).startswith(f"{len(rows)} records skipped at")


def test_a_snapshot_reports_the_types_at_a_path_and_missing_keys() -> None:
    snapshot = Snapshot([{"a": {"b": 1}}, {"a": {"b": "x"}}, {"a": {}}, {"a": [1]}, {}])
    assert snapshot.types_at(("a", "b")) == {int, str, Missing}
    assert snapshot.types_at(("a",)) == {dict, list, Missing}
    assert snapshot.lacks(("a", "b"), (bool, dict))
    assert not snapshot.lacks(("a", "b"), (str,))
    with pytest.raises(TypeError):
        snapshot[0] = {}


VALUES: list[Any] = [None, True, False, 0, 1, 2, 2.5, "a", "ab", "b", "", [], ["a"], [1, 2], {}, {"v": 1}]
SHORTCUTS = [
    *(f"x {op} {n}" for op in ("<", "<=", ">", ">=", "=", "!=") for n in (0, 1, 2)),
    *(f"x {op} 'a'" for op in ("<", ">=", "=", "!=")),
    "x in ['a', 'b']",
    "x not in ['a', 'b']",
    *(f"x {op} '{p}'" for op in ("like", "not like", "ilike", "not ilike") for p in ("a", "a%", "%b", "%a%", "A%")),
    *(f"x {op} '{p}'" for op in ("~=", "~!") for p in ("a", "(?i)A", "^a", "b$", "a.*b")),
    "x between 0 and 2",
    "x not between 1 and 2",
    *(f"len(x) {op} 1" for op in ("<", ">=", "=")),
]


@pytest.mark.parametrize("text", SHORTCUTS)
@pytest.mark.parametrize("path", ["x", "y.x"])
def test_each_shortcut_agrees_with_a_tree_walker_on_every_kind_of_value(text: str, path: str) -> None:
    """Each fast-form shortcut on each kind of JSON value (and a missing key), one record per run
    and all in one run, on a list and on a snapshot; then joined with other conditions."""
    rows = [{**_placed(path, value), "z": 1, "w": []} for value in VALUES] + [{"z": 1, "w": []}]
    for where_text, runs in [
        (text, [[row] for row in rows] + [rows]),
        *((joined, [rows]) for joined in (f"{text} and z = 1", f"{text} and z = 2", f"z = 1 and {text}")),
        (f"len(w) > 5 and {text}", [rows]),  # false first: whatever comes after must not skip
    ]:
        where = parse_query(where_text.replace("x", path, 1)).where
        assert where is not None
        for run in runs:
            test_a_run_over_many_records_agrees_with_a_tree_walker.hypothesis.inner_test(where, run)  # type: ignore[attr-defined]


def _placed(path: str, value: Any) -> dict[str, Any]:
    return {"x": value} if path == "x" else {"y": {"x": value}}


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fused_conditions, st.lists(fused_records, min_size=1, max_size=6))
def test_fused_reducers_on_a_snapshot_agree_with_a_tree_walker(where: ast.Expr, rows: list[dict[str, Any]]) -> None:
    """``sum`` over ``xs[*].v`` runs as a bare loop where the snapshot proves it safe; joined with a
    condition false for every record, it runs first only where it can neither skip nor fail."""
    run = test_a_run_over_many_records_agrees_with_a_tree_walker.hypothesis.inner_test  # type: ignore[attr-defined]
    run(where, rows)
    run(ast.Logical("and", (where, ast.Binary("=", ast.Path(("z",)), ast.Number(2)))), rows)


@pytest.mark.parametrize("value", [1, 2.5, None, True, "a", [1], {"a": 1}, [{"v": True}]])
@pytest.mark.parametrize(
    "text", ["sum(xs[*].v) >= 1", "sum(xs.v) > 1", "len(xs[0].v) > 0", "y.v between 0 and 9", "y.v like 'a%'"]
)
def test_a_costly_conjunct_moves_last_only_where_it_can_neither_skip_nor_fail(text: str, value: Any) -> None:
    """After a false ``z = 2`` a conjunct that would skip (or fail) is never reached: so it must stay first."""
    rows = [{"xs": [{"v": 1}, {"v": value}], "y": {"v": value}, "z": 1}, {"xs": [{"v": 3}], "y": {"v": value}, "z": 1}]
    nested = [{"xs": [[{"v": True}]], "y": [{"v": True}], "z": 1}]  # a list where an object was
    for where in (f"{text} and z = 2", f"{text} and z = 1"):
        for run in (rows, rows + nested):
            test_a_run_over_many_records_agrees_with_a_tree_walker.hypothesis.inner_test(parse_query(where).where, run)  # type: ignore[attr-defined]


def test_a_sum_over_a_snapshot_of_plain_numbers_is_a_bare_loop() -> None:
    rows = [{"xs": [{"v": n}, {"v": 0.5}]} for n in range(6)]
    compiled = compile_query(parse_query("sum(xs[*].v) > 3"))
    assert [row["xs"][0]["v"] for row in compiled.run(Snapshot(rows)).items] == [3, 4, 5]
    assert "_s += _e['v']" in compiled._program_for(Snapshot(rows)).code
    rows.append({"xs": [{"v": True}]})
    assert "_s += _e['v']" not in compiled._program_for(Snapshot(rows)).code
