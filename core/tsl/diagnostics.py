"""Warnings that explain surprising results (unknown fields, type mismatches) and date-literal mistakes.

Cheap when the query is fine: a field's existence check stops at the first record that has
it, and the type check of an equality stops at the first value of a compatible kind.

A timestamp field ordered against a string literal that is no date (``createTime > 'last
week'``) is an error in kubectl-mtv (tsl.md §6.2: "timestamp vs non-date string → error"); here it
is a ``QueryError`` before any record is filtered: at compile time when the field's name says
it holds timestamps (``...Time``, ``...Timestamp``, ``...Date``), else when the field's first
value in the records is a date.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from mtv_mcp.core.errors import clip, quoted
from mtv_mcp.core.tsl import ast
from mtv_mcp.core.tsl.errors import QueryError, query_error
from mtv_mcp.core.tsl.patterns import like_matcher, regex_matcher
from mtv_mcp.core.tsl.printer import print_expr, print_path
from mtv_mcp.core.tsl.values import instant, kind, present, walk

SAMPLE_SIZE = 200
KIND_OF_LITERAL = {ast.Number: "a number", ast.String: "a string", ast.Boolean: "true/false", ast.Instant: "a date"}


class QueryWarning(BaseModel):
    """Something the caller should know about a result (it is never an error)."""

    message: str
    suggestions: list[str] = []
    column: int | None = None


def query_paths(query: ast.Query) -> dict[tuple[ast.Step, ...], ast.Path]:
    """Every field path the query reads (first occurrence), alias names excluded."""
    aliases = {item.alias for item in query.select if item.alias}
    roots = [item.expr for item in query.select] + [item.expr for item in query.order]
    found: dict[tuple[ast.Step, ...], ast.Path] = {}
    for node in _walk_nodes([query.where, *roots]):
        if isinstance(node, ast.Path) and not (len(node.steps) == 1 and node.steps[0] in aliases):
            found.setdefault(node.steps, node)
    return found


class MissingField(BaseModel):
    """A path that exists in no record (a key holding null counts as existing)."""

    steps: tuple[ast.Step, ...]
    suggestions: list[str]

    @property
    def advice(self) -> str:
        return f"; did you mean {' or '.join(self.suggestions)}?" if self.suggestions else ""


def missing_fields(paths: Iterable[tuple[ast.Step, ...]], records: Sequence[Mapping[str, Any]]) -> list[MissingField]:
    """The ``paths`` that exist in no record, each with the closest known paths (any depth)."""
    if not records:
        return []
    missing, known = [], None
    for steps in paths:
        if any(present(record, steps) for record in records):
            continue
        known = known if known is not None else sorted(_known_paths(records[:SAMPLE_SIZE]))
        close = difflib.get_close_matches(_dotted(steps), known, n=3, cutoff=0.6)
        if not close:
            leaf = str(steps[-1])
            close = [path for path in known if path.rsplit(".", 1)[-1].lower() == leaf.lower()][:3]
        missing.append(MissingField(steps=steps, suggestions=close))
    return missing


def unknown_fields(query: ast.Query, records: Sequence[Mapping[str, Any]]) -> list[QueryWarning]:
    """A warning for each path of the query that exists in no record, with the closest known paths."""
    nodes = query_paths(query)
    return [
        QueryWarning(
            message=f"the field `{clip(print_path(field.steps))}` exists in no record{field.advice}",
            suggestions=field.suggestions,
            column=nodes[field.steps].pos + 1,
        )
        for field in missing_fields(nodes, records)
    ]


def type_mismatches(query: ast.Query, records: Sequence[Mapping[str, Any]]) -> list[QueryWarning]:
    """Equalities and `in` tests whose literal never has the kind of the field's values."""
    warnings = []
    for node in _walk_nodes([query.where]):
        if not (isinstance(node, ast.Binary) and node.op in ("=", "!=", "in", "not in")):
            continue
        if not isinstance(node.left, ast.Path):
            continue
        literals = node.right.items if isinstance(node.right, ast.Array) else (node.right,)
        wanted = {KIND_OF_LITERAL.get(type(item)) for item in literals}
        if None in wanted or not wanted:
            continue
        seen = _kinds_until(records, node.left.steps, wanted)
        if seen is None:
            continue
        outcome = "matched nothing" if node.op in ("=", "in") else "is true for every record"
        examples = ", ".join(sorted(seen))
        warnings.append(
            QueryWarning(
                message=(
                    f"`{print_expr(node)}` {outcome}: `{print_path(node.left.steps)}` holds {examples} "
                    f"but is compared with {' or '.join(sorted(w for w in wanted if w))}"
                ),
                column=node.pos + 1,
            )
        )
    return warnings


_ORDERING = ("<", "<=", ">", ">=")
_TIME_NAMES = ("Time", "Timestamp", "Date", "timestamp", "date", "time")
DATE_HINT = "write a date like '2024-01-31' or an RFC 3339 timestamp like '2024-01-31T12:00:00Z'"


def non_date_literals(node: ast.Expr) -> list[tuple[ast.Path, ast.String]]:
    """(field, literal) pairs where ``node`` orders a field against a string that is no date."""
    pairs: list[tuple[ast.Expr, ast.Expr]] = []
    if isinstance(node, ast.Binary) and node.op in _ORDERING:
        pairs = [(node.left, node.right), (node.right, node.left)]
    elif isinstance(node, ast.Between):
        pairs = [(node.value, node.low), (node.value, node.high)]
    return [
        (field, literal)
        for field, literal in pairs
        if isinstance(field, ast.Path) and isinstance(literal, ast.String) and instant(literal.value) is None
    ]


def looks_like_time(path: ast.Path) -> bool:
    """A field whose name says it holds timestamps (``createTime``, ``creationTimestamp``, ``date``)."""
    last = path.steps[-1] if path.steps else None
    return isinstance(last, str) and (last.endswith(_TIME_NAMES[:3]) or last in _TIME_NAMES[3:])


def not_a_date_error(source: str, field: ast.Path, literal: ast.String, why: str) -> QueryError:
    return query_error(
        f"`{print_path(field.steps)}` {why}, but {quoted(literal.value)} is not a date or timestamp, so the comparison "
        "could never match",
        source,
        literal.pos,
        DATE_HINT,
    )


def date_literal_error(query: ast.Query, records: Sequence[Mapping[str, Any]]) -> QueryError | None:
    """The first field ordered against a non-date string although its first value is a date."""
    for node in _walk_nodes([query.where]):
        for field, literal in non_date_literals(node):
            first = next((v for r in records[:SAMPLE_SIZE] if (v := walk(r, field.steps)) is not None), None)
            sample = first[0] if type(first) is list and first else first
            if sample is not None and instant(sample) is not None:
                return not_a_date_error(query.source, field, literal, f"holds dates (e.g. {quoted(sample)})")
    return None


def case_mismatches(query: ast.Query, records: Sequence[Mapping[str, Any]]) -> list[QueryWarning]:
    """For a query that matched nothing: case-sensitive patterns that would match ignoring case."""
    warnings = []
    for node in _walk_nodes([query.where]):
        if not (isinstance(node, ast.Binary) and node.op in ("~=", "like") and isinstance(node.left, ast.Path)):
            continue
        if not isinstance(node.right, ast.String):
            continue
        pattern = node.right.value
        if node.op == "~=":
            exact, loose = regex_matcher(pattern), regex_matcher("(?i)" + pattern)
        else:
            exact, loose = like_matcher(pattern, False), like_matcher(pattern, True)
        texts = list(_strings(records, node.left.steps))
        if any(exact(text) for text in texts):
            continue
        found = sum(1 for text in texts if loose(text))
        if found:
            fix = "start the pattern with (?i)" if node.op == "~=" else "use ilike"
            warnings.append(
                QueryWarning(
                    message=f"`{print_expr(node)}` is case-sensitive and matched nothing; ignoring case it "
                    f"matches {found} value(s): {fix}",
                    column=node.pos + 1,
                )
            )
    return warnings


def _strings(records: Sequence[Mapping[str, Any]], steps: tuple[ast.Step, ...]) -> Iterator[str]:
    for record in records:
        value = walk(record, steps)
        for item in value if type(value) is list else [value]:
            if type(item) is str:
                yield item


def _kinds_until(
    records: Sequence[Mapping[str, Any]], steps: tuple[ast.Step, ...], wanted: set[Any]
) -> set[str] | None:
    """The kinds seen at ``steps`` when none of them is wanted; None if a wanted kind exists."""
    seen: set[str] = set()
    for record in records:
        value = walk(record, steps)
        for item in value if type(value) is list else [value]:
            if item is None:
                continue
            found = "a date" if "a date" in wanted and instant(item) is not None else kind(item)
            if found in wanted:
                return None
            seen.add(found)
    return seen or None


def _walk_nodes(roots: list[ast.Expr | None]) -> Iterator[ast.Expr]:
    stack = [root for root in roots if root is not None]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(ast.children(node)))


def _known_paths(records: Sequence[Mapping[str, Any]]) -> set[str]:
    paths: set[str] = set()
    for record in records:
        _collect(record, "", paths, depth=0)
    return paths


def _collect(value: Any, prefix: str, paths: set[str], depth: int) -> None:
    if depth > 6:
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            paths.add(path)
            _collect(item, path, paths, depth + 1)
    elif isinstance(value, list):
        for item in value[:20]:
            _collect(item, prefix, paths, depth + 1)


def _dotted(steps: tuple[ast.Step, ...]) -> str:
    return ".".join(step for step in steps if isinstance(step, str))
