"""Run a compiled query over records: filter, order, limit, select, and explain."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from pydantic import BaseModel

from mtv_mcp.core.tsl import ast
from mtv_mcp.core.tsl.compiler import Facts, Program, Question, generate
from mtv_mcp.core.tsl.diagnostics import (
    QueryWarning,
    case_mismatches,
    date_literal_error,
    type_mismatches,
    unknown_fields,
)
from mtv_mcp.core.tsl.errors import QueryError
from mtv_mcp.core.tsl.parser import parse_query
from mtv_mcp.core.tsl.snapshot import Snapshot
from mtv_mcp.core.tsl.values import ListInConditionError, SkipError

Record = Mapping[str, Any]


class QueryResult(BaseModel):
    """Matching records (or select rows) in result order; ``matched`` counts before ``limit``."""

    items: list[dict[str, Any]]
    matched: int
    warnings: list[QueryWarning] = []


class CompiledQuery:
    """A parsed, type-checked query compiled to Python functions; reusable and thread-safe."""

    def __init__(self, query: ast.Query) -> None:
        self.query = query
        self._program: Program = generate(query)
        self._specialized: dict[frozenset[Question], Program] = {}

    def matches(self, record: Record) -> bool:
        """Whether one record satisfies the where clause (a record that cannot be evaluated does not)."""
        try:
            return self._program.match(record)
        except SkipError:
            return False
        except ListInConditionError as problem:
            raise self._list_error(problem) from None

    def run(self, records: Sequence[Record], rows: int | None = None) -> QueryResult:
        """Filter, order, limit and select; warnings explain skipped records and unknown fields.

        ``rows``: build at most this many items (the first ones); ``matched`` still counts all.
        """
        mistake = date_literal_error(self.query, records)
        if mistake is not None:
            raise mistake
        skipped: Counter[tuple[int, str]] = Counter()
        try:
            kept = self._program_for(records).filter(records, skipped)
        except ListInConditionError as problem:
            raise self._unknown_field_error(records) or self._list_error(problem) from None
        matched = len(kept)
        if self._program.order:
            kept = self._sorted(kept)
        if self.query.limit is not None:
            kept = kept[: self.query.limit]
        if rows is not None:
            kept = kept[:rows]
        if self._program.select:
            items = [self._row(record) for record in kept]
        elif isinstance(records, Snapshot):  # its records are dicts already
            items = cast(list[dict[str, Any]], kept)
        else:
            items = [r if type(r) is dict else dict(r) for r in kept]
        warnings = self._skip_warnings(skipped) + unknown_fields(self.query, records)
        warnings += type_mismatches(self.query, records)
        if not matched:
            warnings += case_mismatches(self.query, records)
        return QueryResult.model_construct(items=items, matched=matched, warnings=warnings)

    def _program_for(self, records: Sequence[Record]) -> Program:
        """The program for ``records``: on a `Snapshot`, one without the checks its types make needless.

        A program built with some facts may ask further questions (a check it could now drop
        depends on another fact); they are answered in turn, a few rounds at most.
        """
        program = self._program
        if not isinstance(records, Snapshot):
            return program
        facts: Facts = {}
        while unanswered := [question for question in program.questions if question not in facts]:
            facts.update((question, records.knows(*question)) for question in unanswered)
            known = frozenset(question for question, answer in facts.items() if answer)
            if not known:
                return program
            program = self._specialized.get(known) or self._specialized.setdefault(known, generate(self.query, facts))
        return program

    def _row(self, record: Record) -> dict[str, Any]:
        return {alias: _lenient(function, record) for alias, function in self._program.select}

    def _sorted(self, records: list[Record]) -> list[Record]:
        for function, descending in reversed(self._program.order):
            keys = {id(record): _sort_key(_lenient(function, record)) for record in records}
            records = sorted(records, key=lambda record: keys[id(record)], reverse=descending)
        return records

    def _skip_warnings(self, skipped: Counter[tuple[int, str]]) -> list[QueryWarning]:
        warnings = []
        for (site_index, reason), count in sorted(skipped.items()):
            site = self._program.sites[site_index]
            records = "record" if count == 1 else "records"
            warnings.append(
                QueryWarning(message=f"{count} {records} skipped at `{site.text}`: {reason}", column=site.column)
            )
        return warnings

    def _unknown_field_error(self, records: Sequence[Record]) -> QueryError | None:
        """A field that exists in no record, said first: it is the mistake to fix, not the list."""
        missing = unknown_fields(self.query, records)
        if not missing:
            return None
        return QueryError(
            missing[0].message,
            source=self.query.source,
            column=missing[0].column or 1,
            hint="check the field name; a condition on a list field also needs any(...) or all(...)",
        )

    def _list_error(self, problem: ListInConditionError) -> QueryError:
        site = self._program.sites[problem.site]
        sample = json.dumps(problem.value[:3], default=str)
        return QueryError(
            f"`{site.text}` gives a list in some records (e.g. {sample}), not one true/false",
            source=self.query.source,
            column=site.column,
            hint=f"wrap it: any({site.text}) or all({site.text})",
        )


def _lenient(function: Callable[[Record], Any], record: Record) -> Any:
    try:
        return function(record)
    except SkipError:
        return None


_INTEGER = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?i:inf|infinity)")


def _sort_key(value: Any) -> tuple[int, Any]:
    """Nulls first, then true/false, numbers, strings, and anything else by its JSON text.

    Strings that are whole numbers (``'10'``, ``'2.5e3'``) sort as numbers, as kubectl-mtv's
    ``convertStringToNumeric`` does (``pkg/util/query/sort.go``); ``'NaN'`` stays text, so the order
    remains total.
    """
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, value)
    if isinstance(value, int | float):
        return (2, value)
    if isinstance(value, str):
        if _INTEGER.fullmatch(value):
            return (2, int(value))
        if _FLOAT.fullmatch(value):
            return (2, float(value))
        return (3, value)
    return (4, json.dumps(value, sort_keys=True, default=str))


def compile_query(query: ast.Query) -> CompiledQuery:
    """Type-check and compile a parsed query; raises `QueryError` for mistakes in the query."""
    return CompiledQuery(query)


def run_query(text: str, records: Sequence[Record]) -> QueryResult:
    """Parse, compile and run ``text`` over ``records`` in one call."""
    return compile_query(parse_query(text)).run(records)
