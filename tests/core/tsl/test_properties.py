"""Property tests: canonical printing round-trips, fuzzed text fails cleanly, compiled == walked."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mtv_mcp.core.tsl import QueryError, ast, compile_query, parse_query, print_query, values
from mtv_mcp.core.tsl.lexer import DATE_RE, KEYWORDS, TIMESTAMP_RE
from tests.core.tsl.walker import outcome

RESERVED = {*KEYWORDS, "len", "sum", "any", "all", "order", "sort", "by"}
names = st.from_regex(r"[a-z_][a-zA-Z0-9_]{0,6}", fullmatch=True).filter(lambda name: name.lower() not in RESERVED)
texts = st.text(max_size=8).filter(lambda text: not (DATE_RE.fullmatch(text) or TIMESTAMP_RE.fullmatch(text)))
numbers = st.one_of(st.integers(0, 10**12), st.floats(0, 1e12, allow_nan=False, allow_infinity=False))
steps = st.one_of(names, st.integers(0, 3), st.just(ast.Wildcard()))
paths = st.builds(lambda first, rest: ast.Path((first, *rest)), names, st.lists(steps, max_size=3))
literals = st.one_of(
    numbers.map(ast.Number),
    texts.map(ast.String),
    st.booleans().map(ast.Boolean),
    st.sampled_from(["2024-01-31", "2024-01-31T10:00:00Z"]).map(lambda text: parse_query(f"x = {text}").where.right),
)


def _logical(op: str, operands: list[ast.Expr]) -> ast.Logical:
    flat: list[ast.Expr] = []
    for operand in operands:
        same = isinstance(operand, ast.Logical) and operand.op == op
        flat.extend(operand.operands if isinstance(operand, ast.Logical) and same else [operand])
    return ast.Logical(op, tuple(flat))  # type: ignore[arg-type]


def _extend(children: st.SearchStrategy[ast.Expr]) -> st.SearchStrategy[ast.Expr]:
    return st.one_of(
        st.builds(ast.Binary, st.sampled_from(ast.BINARY_OPS), children, children),
        st.builds(ast.Between, children, children, children, st.booleans()),
        st.builds(ast.IsNull, children, st.booleans()),
        st.builds(ast.Unary, st.sampled_from(["-", "not"]), children),
        st.builds(ast.Func, st.sampled_from(["len", "sum", "any", "all"]), children),
        st.builds(ast.Array, st.lists(children, max_size=3).map(tuple)),
        st.builds(_logical, st.sampled_from(["and", "or"]), st.lists(children, min_size=2, max_size=3)),
    )


expressions = st.recursive(st.one_of(literals, paths), _extend, max_leaves=12)
queries = st.builds(
    ast.Query,
    select=st.lists(st.builds(ast.SelectItem, expressions, st.none() | names), max_size=2).map(tuple),
    where=st.none() | expressions,
    order=st.lists(st.builds(ast.OrderItem, expressions, st.booleans()), max_size=2).map(tuple),
    limit=st.none() | st.integers(0, 100),
)


@settings(max_examples=300, deadline=None)
@given(queries)
def test_printing_then_parsing_gives_the_same_tree(query: ast.Query) -> None:
    text = print_query(query)
    assert parse_query(text) == query
    assert print_query(parse_query(text)) == text


TOKENS = [
    "select", "where", "order by", "limit", "as", "desc", "and", "or", "not", "like", "in", "between",
    "is", "null", "len", "any", "(", ")", "[", "]", ",", "=", ">", "~=", "+", "%", "x", "disks[*].a",
    "'s'", "'(?i)a'", "'('", "3", "2Gi", "5e", "true", "2024-01-01", "-", "'", "\\", "!", "a.b",
]  # fmt: skip


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=40), st.lists(st.sampled_from(TOKENS), max_size=12).map(" ".join)))
def test_any_text_either_works_or_raises_query_error(text: str) -> None:
    records: list[dict[str, Any]] = [{"x": 1, "disks": [{"a": 2}], "a": {"b": "s"}}, {"x": "s"}, {}]
    try:
        compile_query(parse_query(text)).run(records)
    except QueryError as error:
        problem = error
    else:
        return
    assert problem.column >= 1
    assert "^" in str(problem)


record_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(-5, 5), st.sampled_from([0.5, 2.5]), st.sampled_from(["a", "b", "ab", ""])
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["v", "w"]), inner, max_size=2)
    ),
    max_leaves=6,
)
records = st.dictionaries(st.sampled_from(["a", "b", "s", "xs", "d"]), record_values, max_size=5)
field_paths = st.sampled_from(
    [
        ("a",),
        ("b",),
        ("s",),
        ("xs",),
        ("d", "v"),
        ("d", "w", "v"),
        ("xs", ast.Wildcard()),
        ("xs", ast.Wildcard(), "v"),
        ("d", 0),
        ("xs", "v"),
    ]
).map(ast.Path)
small_literals = st.one_of(
    st.integers(-2, 5).map(ast.Number),
    st.sampled_from(["a", "b", "ab", "a%", "^a", "(?i)B"]).map(ast.String),
    st.booleans().map(ast.Boolean),
    st.lists(st.one_of(st.integers(0, 3).map(ast.Number), st.sampled_from(["a", "b"]).map(ast.String)), max_size=3).map(
        lambda items: ast.Array(tuple(items))
    ),
)
conditions = st.recursive(st.one_of(field_paths, small_literals), _extend, max_leaves=8)


def _compiled_outcome(where: ast.Expr, record: dict[str, Any], compiled: Any) -> str:
    try:
        result = compiled.run([record])
    except QueryError:
        return "list"
    if any("skipped" in warning.message for warning in result.warnings):
        return "skipped"
    return "match" if result.matched else "no match"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(conditions, st.lists(records, min_size=1, max_size=4))
def test_compiled_code_agrees_with_a_tree_walker(where: ast.Expr, rows: list[dict[str, Any]]) -> None:
    query = ast.Query(where=where, source=print_query(ast.Query(where=where)))
    try:
        compiled = compile_query(query)
    except QueryError:
        assume(False)
        return
    for record in rows:
        assert _compiled_outcome(where, record, compiled) == outcome(where, record), record


item_values = st.one_of(
    st.none(), st.integers(-3, 3), st.sampled_from([0.5, -1.5, 2.5]), st.booleans(), st.sampled_from(["a", "2"])
)
fused_records = st.dictionaries(
    st.just("xs"),
    st.one_of(
        st.lists(
            st.dictionaries(st.sampled_from(["v", "w"]), item_values | st.lists(item_values, max_size=2)), max_size=4
        ),
        st.lists(st.one_of(st.none(), st.integers(0, 2)), max_size=2),
        item_values,
        st.dictionaries(st.just("v"), item_values),
    ),
)
fused_paths = st.sampled_from([("xs", ast.Wildcard(), "v"), ("xs", "v")]).map(ast.Path)
fused_conditions = st.one_of(
    st.builds(
        lambda name, path, op, bound: ast.Func(name, ast.Binary(op, path, ast.Number(bound))),
        st.sampled_from(["any", "all"]),
        fused_paths,
        st.sampled_from(sorted(values.ORDER_OPS)),
        st.integers(-1, 2),
    ),
    st.builds(
        lambda path, op, bound: ast.Binary(op, ast.Func("sum", path), ast.Number(bound)),
        fused_paths,
        st.sampled_from(["<", ">=", "=", "!="]),
        st.integers(-2, 4),
    ),
)


@settings(max_examples=400, deadline=None)
@given(fused_conditions, st.lists(fused_records, min_size=1, max_size=4))
def test_fused_reducer_loops_agree_with_a_tree_walker(where: ast.Expr, rows: list[dict[str, Any]]) -> None:
    """sum/any/all over ``xs[*].v`` run as one generated loop; odd values leave it for the plain path."""
    compiled = compile_query(ast.Query(where=where, source=print_query(ast.Query(where=where))))
    assert "for _e in _xs" in compiled._program.code
    for record in rows:
        assert _compiled_outcome(where, record, compiled) == outcome(where, record), record
