"""Evaluation: every operator on small hand-made records, and the §11 decisions."""

from __future__ import annotations

from typing import Any

import pytest

from mtv_mcp.core.tsl import QueryError, compile_query, parse_query, run_query

RECORDS: list[dict[str, Any]] = [
    {
        "name": "alpha",
        "n": 10,
        "f": 2.5,
        "on": True,
        "tags": ["a", "b"],
        "xs": [1, 5, 9],
        "disks": [{"size": 100, "shared": True}, {"size": 300, "shared": False}],
        "meta": {"owner": "dba", "when": "2024-03-01T10:00:00Z"},
        "day": "2024-03-01",
        "note": "line1\nline2",
    },
    {
        "name": "Beta",
        "n": 3,
        "f": 0.5,
        "on": False,
        "tags": [],
        "xs": [],
        "disks": [{"size": 50, "shared": False}],
        "meta": {"owner": "web", "when": "2023-12-31T23:00:00-02:00"},
        "day": "2023-01-15",
        "note": "",
    },
    {"name": "gamma", "n": "7", "on": None, "disks": [], "meta": None},
]


def names(query: str, records: list[dict[str, Any]] = RECORDS) -> list[str]:
    return [item["name"] for item in run_query(query, records).items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("n = 10", ["alpha"]),
        ("n == 10", ["alpha"]),
        ("n != 10", ["Beta", "gamma"]),
        ("n <> 10", ["Beta", "gamma"]),
        ("n < 10", ["Beta"]),
        ("n <= 10", ["alpha", "Beta"]),
        ("n > 3", ["alpha"]),
        ("n >= 3", ["alpha", "Beta"]),
        ("n + 1 = 11", ["alpha"]),
        ("n - 1 = 2", ["Beta"]),
        ("n * 2 = 20", ["alpha"]),
        ("n / 4 = 2.5", ["alpha"]),
        ("n % 4 = 2", ["alpha"]),
        ("-n < -5", ["alpha"]),
        ("f = 0.5", ["Beta"]),
        ("name like 'a%'", ["alpha"]),
        ("name like '_eta'", ["Beta"]),
        ("name ilike 'BETA'", ["Beta"]),
        ("name not like '%a'", []),
        ("name not ilike '%A%'", []),
        ("name ~= '^[ab]'", ["alpha"]),
        ("name ~= '(?i)^b'", ["Beta"]),
        ("name ~! 'a$'", []),
        ("name in ['alpha', 'gamma']", ["alpha", "gamma"]),
        ("name not in ['alpha']", ["Beta", "gamma"]),
        ("n in [3, 10]", ["alpha", "Beta"]),
        ("'a' in tags", ["alpha"]),
        ("n between 3 and 9", ["Beta"]),
        ("n not between 3 and 9", ["alpha"]),
        ("n between 9 and 3", []),
        ("on is null", ["gamma"]),
        ("missing is null", ["alpha", "Beta", "gamma"]),
        ("f is not null", ["alpha", "Beta"]),
        ("tags is not null", ["alpha", "Beta"]),
        ("on = true", ["alpha"]),
        ("on", ["alpha"]),
        ("not on", ["Beta"]),
        ("on and n > 1", ["alpha"]),
        ("on or n = 3", ["alpha", "Beta"]),
        ("not (n = 10)", ["Beta", "gamma"]),
        ("n = 10 or n = 3 and name = 'x'", ["alpha"]),
        ("(n = 10 or n = 3) and name = 'Beta'", ["Beta"]),
        ("meta.owner = 'dba'", ["alpha"]),
        ("disks[0].size = 100", ["alpha"]),
        ("disks[5].size is null", ["alpha", "Beta", "gamma"]),
        ("any(disks[*].shared)", ["alpha"]),
        ("any disks.shared = true", ["alpha"]),
        ("all(disks.size >= 50)", ["alpha", "Beta"]),
        ("all disks.size > 60", ["alpha"]),
        ("any(disks.size > 200)", ["alpha"]),
        ("len(disks) = 2", ["alpha"]),
        ("len disks = 0", ["gamma"]),
        ("len(name) = 4", ["Beta"]),
        ("sum(disks[*].size) > 100", ["alpha"]),
        ("sum disks.size = 0", ["gamma"]),
        ("sum(xs) = 15", ["alpha"]),
        ("any(xs > 8)", ["alpha"]),
        ("all(xs > 0)", ["alpha"]),
        ("meta.when > 2024-01-01", ["alpha", "Beta"]),
        ("meta.when > 2024-01-01T01:00:00Z", ["alpha"]),
        ("meta.when < '2024-01-01T02:00:00Z'", ["Beta"]),
        ("meta.when = '2024-01-01T01:00:00Z'", ["Beta"]),
        ("day between 2023-01-01 and 2023-12-31", ["Beta"]),
        ("day in ['2024-03-01']", ["alpha"]),
        ("note like 'line1%'", ["alpha"]),
        ("note = ''", ["Beta"]),
        ("name > 'B' and name < 'a'", ["Beta"]),
    ],
)
def test_operators(query: str, expected: list[str]) -> None:
    assert names(query) == expected


def test_missing_and_null_fields_never_abort() -> None:
    assert names("missing = 5") == []
    assert names("missing != 5") == ["alpha", "Beta", "gamma"]
    assert names("missing < 5") == []
    assert names("missing like 'a'") == []
    assert names("missing not in [1]") == ["alpha", "Beta", "gamma"]
    assert names("missing ~! 'x'") == ["alpha", "Beta", "gamma"]


def test_data_type_mismatch_skips_the_record_with_a_warning() -> None:
    result = run_query("n > 5", RECORDS)
    assert [item["name"] for item in result.items] == ["alpha"]
    assert len(result.warnings) == 1
    assert "1 record skipped at `n > 5`" in result.warnings[0].message
    assert "a string cannot be compared with a number" in result.warnings[0].message
    assert result.warnings[0].column == 1


def test_field_missing_everywhere_warns_with_suggestions() -> None:
    result = run_query("nmae = 'alpha' or meta.ownr = 'x'", RECORDS)
    assert result.items == []
    messages = [warning.message for warning in result.warnings]
    assert any("`nmae` exists in no record; did you mean name?" in message for message in messages)
    suggestions = [warning.suggestions for warning in result.warnings]
    assert ["meta.owner", "meta.when", "meta"] in suggestions


def test_equality_type_mismatch_warns() -> None:
    result = run_query("f = 'x'", RECORDS)
    assert result.items == []
    assert "`f = 'x'` matched nothing: `f` holds a number but is compared with a string" in result.warnings[0].message


def test_list_on_the_left_is_an_error_that_says_to_wrap() -> None:
    with pytest.raises(QueryError) as caught:
        run_query("disks.size > 100", RECORDS)
    assert caught.value.hint == "wrap it: any(disks.size > 100) or all(disks.size > 100)"
    with pytest.raises(QueryError, match="gives a list"):
        run_query("disks[*].size > 100", RECORDS)
    with pytest.raises(QueryError, match="gives a list"):
        compile_query(parse_query("tags = 'a' and [1, 2] = 1"))


def test_a_list_field_that_exists_nowhere_is_said_before_the_list_error() -> None:
    with pytest.raises(QueryError) as caught:
        run_query("disks.iops > 100", RECORDS)
    assert str(caught.value).startswith("the field `disks.iops` exists in no record")
    assert caught.value.column == 1
    assert caught.value.hint is not None
    assert "any(...) or all(...)" in caught.value.hint


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("not name = 'alpha'", "did you mean `not (name = 'alpha')`?"),
        ("not name in ['x']", "did you mean `not (name in ['x'])`?"),
        ("name like 5", "needs a string pattern"),
        ("n > 'x' + 1", "needs numbers"),
        ("name ~= '(a'", "missing )"),
        ("name ~= '(?=x)'", "invalid regular expression"),
        ("n > true", "cannot order true/false"),
        ("5 > 'a'", "compares a number with a string"),
        ("n in 5", "needs a list"),
        ("n = 1 and 5", "joins conditions"),
        ("not 5", "`not` needs a condition"),
        ("len(5) > 1", "`len` needs a list or a string"),
        ("sum('a') > 1", "`sum` needs a list"),
        ("any(len(xs)) = true", "`any` needs conditions"),
        ("n between true and 2", "`between` needs numbers"),
        ("n + 1", "not true/false"),
    ],
)
def test_static_mistakes_fail_before_reading_records(query: str, words: str) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(parse_query(query))
    assert words in str(caught.value)


def test_modulus_and_division_edge_cases_do_not_crash() -> None:
    result = run_query("n % 0.5 = 0", RECORDS[:1])
    assert result.items == []
    assert "modulus by zero" in result.warnings[0].message
    result = run_query("n / 0 > 1", RECORDS[:1])
    assert "division by zero" in result.warnings[0].message
    assert names("-7 % 4 = -3", RECORDS[:1]) == ["alpha"]


def test_object_equality_does_not_crash() -> None:
    assert names("meta = meta") == ["alpha", "Beta", "gamma"]


def test_long_strings_and_regexes_are_linear() -> None:
    record = {"name": "a" * 50_000 + "!"}
    assert run_query("name ~= '(a+)+$'", [record]).matched == 0
    assert run_query("name ~= '^(a+)+!$'", [record]).matched == 1
    assert run_query("name like '%a%a%a%a%a%b'", [record]).matched == 0


def test_select_order_limit() -> None:
    result = run_query("select name, n * 2 as double, len(disks) as count where n is not null order by name", RECORDS)
    assert result.items == [
        {"name": "Beta", "double": 6, "count": 1},
        {"name": "alpha", "double": 20, "count": 2},
        {"name": "gamma", "double": None, "count": 0},
    ]
    assert result.matched == 3
    assert names("order by n desc") == ["alpha", "gamma", "Beta"]  # gamma has n = "7", a numeric string
    assert names("order by on") == ["gamma", "Beta", "alpha"]
    assert names("order by on desc, name") == ["alpha", "Beta", "gamma"]
    limited = run_query("order by name limit 2", RECORDS)
    assert [item["name"] for item in limited.items] == ["Beta", "alpha"]
    assert limited.matched == 3
    assert run_query("limit 0", RECORDS).items == []
    assert names("") == ["alpha", "Beta", "gamma"]


def test_aliases_are_visible_in_where_and_order_by() -> None:
    result = run_query("select name, len(disks) as count where count > 0 order by count desc", RECORDS)
    assert result.items == [{"name": "alpha", "count": 2}, {"name": "Beta", "count": 1}]
    result = run_query("select sum(disks.size) where n = 3", RECORDS)
    assert result.items == [{"sum(disks.size)": 50}]


def test_results_keep_input_order() -> None:
    records = [{"i": index} for index in range(50)]
    assert [item["i"] for item in run_query("i % 2 = 0", records).items] == list(range(0, 50, 2))


def test_matches_one_record() -> None:
    compiled = compile_query(parse_query("n > 5"))
    assert compiled.matches(RECORDS[0]) is True
    assert compiled.matches(RECORDS[1]) is False
    assert compiled.matches(RECORDS[2]) is False


TIMED = [
    {"name": "old", "created": "2024-01-02T10:00:00Z", "createTime": "2024-01-02T10:00:00Z"},
    {"name": "new", "created": "2026-05-01T08:00:00Z", "createTime": "2026-05-01T08:00:00Z"},
]


@pytest.mark.parametrize(
    ("query", "column"),
    [
        ("createTime > 'last week'", 14),
        ("createTime between 'yesterday' and '2026-01-01'", 20),
        ("'soon' < creationTimestamp", 1),
    ],
)
def test_timestamp_field_against_a_non_date_string_fails_at_compile_time(query: str, column: int) -> None:
    with pytest.raises(QueryError) as caught:
        compile_query(parse_query(query))
    assert caught.value.column == column
    assert "not a date or timestamp" in str(caught.value)
    assert "2024-01-31" in (caught.value.hint or "")


def test_date_valued_field_against_a_non_date_string_fails_before_filtering() -> None:
    with pytest.raises(QueryError, match=r"`created` holds dates .* 'last week' is not a date"):
        run_query("created > 'last week'", TIMED)
    assert names("createTime > '2025-01-01'", TIMED) == ["new"]
    assert names("created >= '2024-01-02'", TIMED) == ["old", "new"]
    assert names("name > 'o'", TIMED) == ["old"]


def test_between_and_in_over_null_are_counted_as_skips() -> None:
    records: list[dict[str, Any]] = [{"name": "a", "n": 5, "tags": ["x"]}, {"name": "b", "n": None}, {"name": "c"}]
    for query in ("n between 1 and 9", "n not between 1 and 9"):
        result = run_query(query, records)
        assert result.matched == (1 if "not" not in query else 0)
        assert "2 records skipped at" in result.warnings[0].message, result.warnings
    result = run_query("'x' in tags", records)
    assert result.matched == 1
    assert "2 records skipped at `'x' in tags`" in result.warnings[0].message
    assert run_query("'x' not in tags", records).matched == 0
    clean = run_query("n in [5, 6]", records)
    assert clean.matched == 1
    assert not [w for w in clean.warnings if "skipped" in w.message]


def test_order_by_numeric_strings_orders_them_as_numbers() -> None:
    records = [{"name": n, "size": n} for n in ("9", "10", "2.5", "-1", "1e2", "abc")]
    assert names("order by size", records) == ["-1", "2.5", "9", "10", "1e2", "abc"]
    assert names("order by size desc", records) == ["abc", "1e2", "10", "9", "2.5", "-1"]


def test_rows_limits_the_items_built_but_not_the_count(vms: list[dict[str, Any]]) -> None:
    query = compile_query(parse_query("select name where memoryMB >= 4096 order by name"))
    everything = query.run(vms)
    first_two = query.run(vms, rows=2)
    assert first_two.matched == everything.matched > 2
    assert first_two.items == everything.items[:2]


def test_a_computed_between_bound_that_is_null_skips_the_record() -> None:
    """Found by the compiled-vs-walker property: only literal bounds take the inline test."""
    result = run_query("len([]) between len([a]) and a + a", [{}])
    assert result.matched == 0
    assert "1 record skipped at `a + a`" in result.warnings[0].message
