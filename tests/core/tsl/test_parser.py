"""Parsing: literals, precedence, clauses, canonical printing and error reports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from mtv_mcp.core.errors import SourceError
from mtv_mcp.core.parser_cache import parser_cache
from mtv_mcp.core.tsl import QueryError, ast, parse_query, print_query
from mtv_mcp.core.tsl.errors import MAX_DEPTH, MAX_LIST_ITEMS, MAX_QUERY_LENGTH


def where(text: str) -> ast.Expr:
    node = parse_query(text).where
    assert node is not None
    return node


def error(text: str) -> QueryError:
    with pytest.raises(QueryError) as caught:
        parse_query(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("0.5", 0.5),
        ("1e3", 1000),
        ("2.5E-1", 0.25),
        ("1k", 1000),
        ("4M", 4_000_000),
        ("500G", 500 * 10**9),
        ("2T", 2 * 10**12),
        ("1P", 10**15),
        ("1Ki", 1024),
        ("4Mi", 4 * 2**20),
        ("2Gi", 2 * 2**30),
        ("0.5Ti", 2**39),
        ("1pi", 2**50),
        ("1e3Gi", 1000 * 2**30),
    ],
)
def test_numbers_with_si_suffixes(text: str, value: float) -> None:
    node = where(f"x = {text}")
    assert isinstance(node, ast.Binary)
    assert node.right == ast.Number(value)


@pytest.mark.parametrize("text", ["5e", "1e+", "4GB", "0x10", "5.", "12abc"])
def test_malformed_numbers_are_errors(text: str) -> None:
    problem = error(f"x = {text}")
    assert "malformed number" in problem.message
    assert problem.column == 5
    assert problem.hint
    assert "4Gi" in problem.hint


def test_huge_number_is_an_error() -> None:
    assert "too large" in error("x > 1e400").message


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r"'it\'s'", "it's"),
        (r'"say \"hi\""', 'say "hi"'),
        ("`back`", "back"),
        (r"'a\nb\tc'", "a\nb\tc"),
        (r"'\\d+'", "\\d+"),
        (r"'\d+'", "\\d+"),
        ("''", ""),
        ('""', ""),
    ],
)
def test_strings_and_escapes(literal: str, value: str) -> None:
    node = where(f"name = {literal}")
    assert isinstance(node, ast.Binary)
    assert node.right == ast.String(value)


def test_empty_string_is_empty_everywhere() -> None:
    node = where("x in ['a', '']")
    assert isinstance(node, ast.Binary)
    assert node.right == ast.Array((ast.String("a"), ast.String("")))


def test_dates_and_timestamps() -> None:
    for text in ("2024-01-31", "'2024-01-31'", "2024-01-31T10:00:00Z", "'2024-01-31T10:00:00.5+02:00'"):
        node = where(f"created > {text}")
        assert isinstance(node, ast.Binary)
        assert isinstance(node.right, ast.Instant)
        assert node.right.value.tzinfo is not None
    node = where("created in [2022-01-20T09:15:00Z]")
    assert isinstance(node, ast.Binary)
    assert isinstance(node.right, ast.Array)
    assert node.right.items[0] == ast.Instant("2022-01-20T09:15:00Z", dt.datetime(2022, 1, 20, 9, 15, tzinfo=dt.UTC))
    assert "not a valid date" in error("x > 2024-13-01").message
    quoted = where("x = '2024-13-01'")
    assert isinstance(quoted, ast.Binary)
    assert quoted.right == ast.String("2024-13-01")


def test_booleans_arrays_and_paths() -> None:
    node = where("a = true or b = FALSE or c in [] or d in [1, 'x', [2],]")
    assert isinstance(node, ast.Logical)
    assert len(node.operands) == 4
    path = where("disks[*].capacity > 1")
    assert isinstance(path, ast.Binary)
    assert path.left == ast.Path(("disks", ast.Wildcard(), "capacity"))
    path = where("tags[0].name = 'x' and labels['app.io/name'] = 'y' and nics.network.id = 'z'")
    assert isinstance(path, ast.Logical)
    assert [operand.left for operand in path.operands] == [
        ast.Path(("tags", 0, "name")),
        ast.Path(("labels", "app.io/name")),
        ast.Path(("nics", "network", "id")),
    ]


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a = 1 or b = 2 and c = 3", "where a = 1 or b = 2 and c = 3"),
        ("(a = 1 or b = 2) and c = 3", "where (a = 1 or b = 2) and c = 3"),
        ("1 + 2 * 3 = 7", "where 1 + 2 * 3 = 7"),
        ("(1 + 2) * 3 = 9", "where (1 + 2) * 3 = 9"),
        ("a - b - c > 0", "where a - b - c > 0"),
        ("a - (b - c) > 0", "where a - (b - c) > 0"),
        ("not a = b", "where not a = b"),
        ("not (a = b)", "where not (a = b)"),
        ("len disks > 4", "where len(disks) > 4"),
        ("sum disks.capacityGB + 100 > 3000", "where sum(disks.capacityGB) + 100 > 3000"),
        ("-x < 0", "where -x < 0"),
        ("x between 1 + 1 and 2 * 3 and y = 2", "where x between 1 + 1 and 2 * 3 and y = 2"),
        ("a in [true] = true", "where a in [true] = true"),
        ("x == 1 and y <> 2", "where x = 1 and y != 2"),
        ("x is not null and y is null", "where x is not null and y is null"),
        ("x not like 'a%' and y not ilike 'b' and z ~! 'c'", "where x not like 'a%' and y not ilike 'b' and z ~! 'c'"),
        ("x not in [1] and y not between 1 and 2", "where x not in [1] and y not between 1 and 2"),
        ("+x > 1", "where x > 1"),
        ("SELECT a WHERE b = 1 ORDER BY a DESC LIMIT 3", "select a where b = 1 order by a desc limit 3"),
        ("sort by a, b asc", "order by a, b"),
        ("limit 0", "limit 0"),
    ],
)
def test_precedence_and_canonical_text(text: str, canonical: str) -> None:
    parsed = parse_query(text)
    assert print_query(parsed) == canonical
    assert parse_query(canonical) == parsed


def test_prefix_functions_bind_tighter_than_arithmetic() -> None:
    node = where("len disks * 2 > 4")
    assert node == ast.Binary(">", ast.Binary("*", ast.Func("len", ast.Path(("disks",))), ast.Number(2)), ast.Number(4))


@pytest.mark.parametrize("name", ["any", "all"])
def test_any_all_path_op_value_sugar(name: str) -> None:
    sugar = where(f"{name} disks.iops > 10000")
    assert sugar == where(f"{name}(disks.iops > 10000)")
    assert where(f"{name} disks.name like 'a%'") == where(f"{name}(disks.name like 'a%')")
    called = where(f"{name}(disks.shared) = true")
    assert called == ast.Binary("=", ast.Func(name, ast.Path(("disks", "shared"))), ast.Boolean(True))  # type: ignore[arg-type]


def test_whole_query_clauses_and_aliases() -> None:
    query = parse_query(
        "select name, sum(disks[*].capacityGB) as total where total > 1 order by total desc, name limit 5"
    )
    assert [item.alias for item in query.select] == [None, "total"]
    assert query.select[1].expr == ast.Func("sum", ast.Path(("disks", ast.Wildcard(), "capacityGB")))
    assert [(item.expr, item.descending) for item in query.order] == [
        (ast.Path(("total",)), True),
        (ast.Path(("name",)), False),
    ]
    assert query.limit == 5


def test_keywords_inside_strings_and_identifiers_are_text() -> None:
    query = parse_query("name = 'were-01' or name like '%select%' or cpuLimit > 4 or note = 'limit 5 order by x'")
    assert query.limit is None
    assert not query.order
    assert not query.select
    assert isinstance(query.where, ast.Logical)
    assert len(query.where.operands) == 4
    assert parse_query("summary = 1").where == ast.Binary("=", ast.Path(("summary",)), ast.Number(1))
    assert parse_query("select summary, allocatedMB, length").select[0].expr == ast.Path(("summary",))
    assert parse_query("order = 1 order by order").order[0].expr == ast.Path(("order",))


def test_empty_query_means_everything() -> None:
    assert parse_query("") == ast.Query()
    assert parse_query("   ") == ast.Query()


@pytest.mark.parametrize(
    ("text", "column", "words"),
    [
        ("cpuCount >", 11, "ends too early"),
        ("x = null", 5, "unexpected 'null'"),
        ("x in ('a', 'b')", 10, "unexpected ','"),
        ("name = 'abc", 8, "unterminated string"),
        ("a && b", 3, "unexpected character '&'"),
        ("a ! b", 3, "unexpected character '!'"),
        ("x =~ 'a'", 4, "unexpected character '~'"),
        ("wher x > 1", 6, "unexpected 'x'"),
        ("where x > 1 limt 5", 13, "unexpected 'limt'"),
        ("select a where b where c", 18, "unexpected 'where'"),
        ("limit 1.5", 7, "whole number"),
        ("len > 2", 5, "unexpected '>'"),
        ("any() = 1", 5, "unexpected ')'"),
        ("-len(disks) > 1", 2, "unexpected 'len'"),
        ("disks[0.capacityGB > 1", 6, "unterminated `[`"),
        ("a..b = 1", 3, "empty step"),
        ("select x as a.b", 13, "plain name"),
    ],
)
def test_syntax_errors_have_column_caret_and_hint(text: str, column: int, words: str) -> None:
    problem = error(text)
    assert isinstance(problem, SourceError)
    assert words in problem.message
    assert problem.column == column
    rendered = str(problem)
    assert f"(column {column})" in rendered
    assert rendered.splitlines()[2] == "  " + " " * (column - 1) + "^"
    assert problem.hint


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("x = null", "is null"),
        ("wher x > 1", "WHERE"),
        ("oder by x", "ORDER BY"),
        ("where x > 1 limt 5", "LIMIT"),
        ("selct name", "SELECT"),
        ("x in ('a', 'b')", "square brackets"),
        ("desc = 1", "reserved word"),
        ("a && b", "and"),
    ],
)
def test_error_hints(text: str, hint: str) -> None:
    assert hint in (error(text).hint or "")


def test_limits() -> None:
    problem = error("x = " + "1" * MAX_QUERY_LENGTH)
    assert "too long" in problem.message
    assert problem.column == MAX_QUERY_LENGTH + 1
    assert "nests too deeply" in error("(x + " * (MAX_DEPTH + 5) + "1" + ")" * (MAX_DEPTH + 5) + " > 1").message
    assert where("(" * 500 + "x" + ")" * 500 + " > 1") == where("x > 1")
    assert "nests too deeply" in error("not " * 200 + "x").message
    assert "limit is" in error("x in [" + ", ".join(["1"] * (MAX_LIST_ITEMS + 1)) + "]").message
    chain = " or ".join(f"x = {n}" for n in range(500))
    assert len(where(chain).operands) == 500


def test_the_parser_tables_are_cached_in_the_users_cache_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = parser_cache("tsl", "start: 'x'")
    assert isinstance(path, str)
    assert Path(path).parent == tmp_path / "mtv-mcp"
    assert (tmp_path / "mtv-mcp").stat().st_mode & 0o777 == 0o700
    assert parser_cache("tsl", "start: 'y'") != path  # another grammar, another file
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("XDG_CACHE_HOME", str(shared))
    (shared / "mtv-mcp").mkdir(mode=0o777)
    (shared / "mtv-mcp").chmod(0o777)
    assert parser_cache("tsl", "start: 'x'") is False  # others could plant a file there
