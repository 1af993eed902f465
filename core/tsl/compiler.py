"""Compile a query tree to Python source (one expression per clause), type-checking as it goes.

Static mistakes (a regex that does not compile, ``not name = 'x'``, ``name like 5``, a list
where one answer is needed) raise `QueryError` here, before any record is read.

The where clause is compiled twice. The *careful* form checks every value's type, as the
language needs (``r.get``, ``type(v) is ...``). The *fast* form is what a programmer who knows the
data writes: plain indexing (``r['cluster']['name']``) and no type checks where a wrong type
raises anyway (``'windows' in v.lower()``, ``v >= 4096`` on a string). Its contract: for every
record it gives the careful form's answer, or raises one of `BAIL`, or raises the very error
the careful form raises. The filter runs the fast form and re-evaluates only the records it
bails on carefully (a missing key, a null, an odd type), counting their skips.

Some type checks have no exception to lean on: ``len`` of an object, ordering a true/false value,
``=`` on a list. The fast form keeps them unless facts about the records prove the type absent
at that path (`Facts`: from a `Snapshot`, whose types are learned once); ``questions`` lists
the facts that would help.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from operator import length_hint
from typing import Any

from mtv_mcp.core.tsl import ast, values
from mtv_mcp.core.tsl.diagnostics import looks_like_time, non_date_literals, not_a_date_error
from mtv_mcp.core.tsl.errors import QueryError, query_error
from mtv_mcp.core.tsl.patterns import (
    PlainText,
    like_literal,
    like_matcher,
    regex_literal,
    regex_matcher,
    validate_regex,
)
from mtv_mcp.core.tsl.printer import print_expr
from mtv_mcp.core.tsl.snapshot import Missing
from mtv_mcp.core.tsl.totality import never_raises

BOOL, NUM, STR, TIME, LIST, ANY = "true/false", "a number", "a string", "a date", "a list", "any"
SCALARS = (NUM, STR, TIME)
LITERAL_KINDS = {ast.Number: NUM, ast.String: STR, ast.Boolean: BOOL, ast.Instant: TIME, ast.Array: LIST}
HELPERS: dict[str, Any] = {
    "_walk": values.walk,
    "_cmp": values.compare,
    "_range": values.in_range,
    "_arith": values.arithmetic,
    "_neg": values.negate,
    "_not": values.logical_not,
    "_cond": values.condition,
    "_truth": values.truth,
    "_len": values.length,
    "_sum": values.total,
    "_any": values.some,
    "_all": values.every,
    "_any_ord": values.some_ordered,
    "_all_ord": values.every_ordered,
    "_spread": values.spread_key,
    "_count_skip": values.count_skip,
    "_NUM": values.NUMBER_TYPES,
}
NEGATED = {"!=": "=", "not in": "in", "not like": "like", "not ilike": "ilike", "~!": "~="}
# What the fast form raises on a record it cannot answer for: a missing key, or a value of another
# type than it expects, such as a null or a list where the path wants an object. (A `SkipError`
# from a careful helper it calls is the careful form's answer too, so the filter counts it.)
BAIL = (KeyError, TypeError, AttributeError)
NOT_STRINGS = (int, float, bool, list, dict)
Writer = Callable[[str], str]  # code of a test, given the code of the value it tests

# A question about the records' values at a path: is none of these types (False), or only
# these types (True)?
Question = tuple[tuple[str | ast.Wildcard, ...], tuple[type, ...], bool]
WILDCARD = ast.Wildcard()
Facts = dict[Question, bool]


@dataclass(frozen=True)
class Site:
    """A place in the query that can skip records or raise: its text and 1-based column."""

    text: str
    column: int


@dataclass
class Program:
    """The compiled functions of one query and the sites their errors refer to."""

    match: Callable[[Any], bool]
    filter: Callable[[Any, Counter[tuple[int, str]]], list[Any]]
    select: list[tuple[str, Callable[[Any], Any]]]
    order: list[tuple[Callable[[Any], Any], bool]]
    sites: list[Site]
    questions: list[Question] = field(default_factory=list)
    source: str = field(repr=False, default="")
    code: str = field(repr=False, default="")  # the generated Python, for reading


class _Generator:
    def __init__(self, query: ast.Query, facts: Facts | None) -> None:
        self.query = query
        self.facts = facts or {}
        self.fast = False  # generating the fast form of the where clause
        self.questions: list[Question] = []
        self.names: dict[str, Any] = dict(HELPERS)
        self.sites: list[Site] = []
        self.site_of: dict[int, int] = {}
        self.conjuncts: set[int] = set()  # the where clause's top-level ``and`` operands
        self.temps = 0
        self.defs: list[str] = []
        self.aliases = {item.alias: item.expr for item in query.select if item.alias}

    # -- helpers ---------------------------------------------------------------------------
    def error(self, message: str, node: ast.Node, hint: str | None = None) -> QueryError:
        return query_error(message, self.query.source, node.pos, hint)

    def site(self, node: ast.Expr) -> int:
        if id(node) not in self.site_of:
            self.site_of[id(node)] = len(self.sites)
            self.sites.append(Site(print_expr(node), node.pos + 1))
        return self.site_of[id(node)]

    def lacks(self, node: ast.Expr, *types: type) -> bool:
        """Fast form only: whether the records are known to have no value of ``types`` at ``node``."""
        steps = self.plain_steps(node)
        return steps is not None and self.lacks_at(steps, *types)

    def lacks_at(self, steps: tuple[str | ast.Wildcard, ...], *types: type) -> bool:
        """Fast form only: whether the records are known to have no value of ``types`` at ``steps``."""
        return self.ask((steps, types, False))

    def only_at(self, steps: tuple[str | ast.Wildcard, ...], types: tuple[type, ...]) -> bool:
        """Fast form only: whether every value at ``steps`` is known to be of one of ``types``."""
        return self.ask((steps, types, True))

    def ask(self, question: Question) -> bool:
        if not self.fast:
            return False
        if question not in self.questions:
            self.questions.append(question)
        return self.facts.get(question, False)

    def plain_steps(self, node: ast.Expr) -> tuple[str, ...] | None:
        """The keys of a path of plain keys (no alias, index or wildcard); None for anything else."""
        if not isinstance(node, ast.Path) or not all(type(step) is str for step in node.steps):
            return None
        if len(node.steps) == 1 and node.steps[0] in self.aliases:
            return None
        return tuple(str(step) for step in node.steps)

    def const(self, value: Any) -> str:
        name = f"_k{len(self.names)}"
        self.names[name] = value
        return name

    def temp(self) -> str:
        self.temps += 1
        return f"_t{self.temps}"

    # -- expressions -----------------------------------------------------------------------
    def expr(self, node: ast.Expr, scalar: bool, aliases: bool = True) -> tuple[str, str]:
        """Python source for ``node`` and its static kind; ``scalar``: one answer is needed."""
        match node:
            case ast.Number(value=value) | ast.Boolean(value=value):
                return repr(value), LITERAL_KINDS[type(node)]
            case ast.String(value=value):
                return repr(value), STR
            case ast.Instant(value=value):
                return self.const(value), TIME
            case ast.Array(items=items):
                codes = [self.expr(item, False)[0] for item in items]
                return "[" + ", ".join(codes) + "]", LIST
            case ast.Path(steps=steps):
                return self.path(node, steps, aliases, scalar)
            case ast.Logical():
                return self.logical(node, scalar), BOOL
            case ast.Unary(op="not", operand=operand):
                return self.negation(node, operand, scalar)
            case ast.Unary(operand=operand):
                code, found = self.expr(operand, False)
                self.require(operand, found, (NUM, ANY, LIST), "`-` needs a number")
                return f"_neg({code}, {self.site(node)})", LIST if found == LIST else NUM
            case ast.Func():
                return self.function(node)
            case ast.Binary(op=op) if op in ast.ARITHMETIC:
                return self.arithmetic(node)
            case ast.Binary():
                return self.comparison(node, scalar)
            case ast.Between():
                return self.between(node, scalar)
            case ast.IsNull(value=ast.Number() | ast.String() | ast.Boolean() | ast.Instant(), negated=negated):
                return repr(negated), BOOL  # a literal is never null
            case ast.IsNull(value=value, negated=negated):
                code, _ = self.expr(value, False)
                return f"({code} is {'not ' if negated else ''}None)", BOOL
        raise AssertionError(f"unknown node {node!r}")

    def require(self, node: ast.Expr, found: str, allowed: tuple[str, ...], message: str) -> None:
        if found not in allowed:
            raise self.error(f"{message}; `{print_expr(node)}` is {found}", node)

    def path(self, node: ast.Path, steps: tuple[ast.Step, ...], aliases: bool, scalar: bool) -> tuple[str, str]:
        if aliases and len(steps) == 1 and steps[0] in self.aliases:
            return self.expr(self.aliases[str(steps[0])], scalar, aliases=False)
        if len(steps) >= 3 and isinstance(steps[-2], ast.Wildcard) and isinstance(steps[-1], str):
            prefix = ast.Path(steps[:-2], pos=node.pos)
            if all(isinstance(step, str) for step in prefix.steps):
                return f"_spread({self.path(prefix, prefix.steps, False, scalar)[0]}, {steps[-1]!r})", LIST
        if any(isinstance(step, ast.Wildcard) for step in steps):
            return f"_walk(r, {self.const(steps)})", LIST
        if not all(isinstance(step, str) for step in steps):
            return f"_walk(r, {self.const(steps)})", ANY
        if self.fast:  # a missing key or a value that is no object on the way bails
            return "r" + "".join(f"[{step!r}]" for step in steps), ANY
        if len(steps) == 1:
            return f"r.get({steps[0]!r})", ANY
        temps = [self.temp() for _ in steps[:-1]]
        tests, previous = [], "r"
        for temp, key in zip(temps, steps[:-1], strict=True):
            tests.append(f"type({temp} := {previous}.get({key!r})) is dict")
            previous = temp
        fast = f"{previous}.get({steps[-1]!r})"
        slow = f"_walk(r, {self.const(steps)})"
        if len(steps) == 2:
            slow = f"(_spread({temps[0]}, {steps[1]!r}) if type({temps[0]}) is list else {slow})"
        return f"({fast} if {' and '.join(tests)} else {slow})", ANY

    def logical(self, node: ast.Logical, scalar: bool) -> str:
        parts = []
        for operand in node.operands:
            code, found = self.expr(operand, scalar)
            self.require(operand, found, (BOOL, ANY, LIST), f"`{node.op}` joins conditions")
            if found == LIST and scalar:
                raise self.list_error(operand)
            parts.append(code if found == BOOL and scalar else f"_cond({code}, {self.site(operand)}, {scalar})")
        whole = self.fast and node.op == "and" and all(id(operand) in self.conjuncts for operand in node.operands)
        if whole and all(never_raises(operand, self.plain_steps, self.only_at) for operand in node.operands):
            parts.sort(key=_cost)  # in any order the same answer: the cheap conjuncts first
        return "(" + f" {node.op} ".join(parts) + ")"

    def negation(self, node: ast.Unary, operand: ast.Expr, scalar: bool) -> tuple[str, str]:
        code, found = self.expr(operand, scalar)
        self.require(operand, found, (BOOL, ANY, LIST), "`not` needs a condition")
        if found == BOOL and scalar:
            return f"(not {code})", BOOL
        return f"_not({code}, {self.site(node)}, {scalar})", BOOL if scalar else ANY

    def function(self, node: ast.Func) -> tuple[str, str]:
        arg = node.arg
        if (
            node.name in ("any", "all")
            and isinstance(arg, ast.Binary)
            and arg.op in values.ORDER_OPS
            and isinstance(arg.right, ast.Number)
        ):
            left, found = self.expr(arg.left, False)
            self.check_comparison(arg, found, NUM)
            generic = f"_{node.name}_ord({arg.op!r}, {left}, {arg.right.value!r}, {self.site(arg)})"
            test = f"_v {arg.op} {arg.right.value!r}"
            return self.fused(arg.left, node.name, test, generic), BOOL
        code, found = self.expr(arg, False)
        site = self.site(node)
        if node.name == "len":
            self.require(arg, found, (LIST, STR, ANY), "`len` needs a list or a string")
            if self.lacks(arg, dict):  # len() of anything else is the answer or a TypeError
                return self.unless_missing(arg, code, lambda v: f"len({v})", f"_len(None, {site})"), NUM
            temp = self.temp()
            return f"(len({temp}) if type({temp} := {code}) is list else _len({temp}, {site}))", NUM
        if node.name == "sum":
            self.require(arg, found, (LIST, ANY), "`sum` needs a list of numbers")
            return self.fused(arg, "sum", "", f"_sum({code}, {site})"), NUM
        example = f"{node.name}(disks.iops > 1000)"
        self.require(arg, found, (LIST, BOOL, ANY), f"`{node.name}` needs conditions, e.g. {example}")
        return f"_{node.name}({code}, {site})", BOOL

    def fused(self, node: ast.Expr, reducer: str, test: str, generic: str) -> str:
        """``sum``/``any``/``all`` over ``items[*].key`` (or ``items.key``) as one loop without a list.

        The loop handles a list of objects whose values are numbers or missing; anything else
        (a string, a nested list, an element that is no object) leaves it for ``generic``, which
        gives the answer, the skip or the error of the plain path.
        """
        items = ast.spread_path(node)
        if items is None:
            return generic
        prefix, key = items
        items_code = self.path(ast.Path(prefix, pos=node.pos), prefix, False, False)[0]
        name = f"_f{len(self.defs)}"
        if reducer == "sum" and self.lacks_at(prefix, dict, str) and self.lacks_at((*prefix, WILDCARD, key), bool):
            # A list whose elements all have the key: the sum, or a TypeError/KeyError to bail on.
            self.defs.append(
                f"def {name}(_xs):\n    _s = 0\n    for _e in _xs:\n        _s += _e[{key!r}]\n    return _s"
            )
            return f"{name}({items_code})"
        number = "type(_v) is int or type(_v) is float"
        body = {
            "sum": ("_s = 0", "_s += _v", "_s"),
            "any": ("_s = False", f"if {test}:\n                        _s = True", "_s"),
            "all": (
                "_s, _seen = True, False",
                f"_seen = True\n                    if not ({test}):\n                        _s = False",
                "_s and _seen",
            ),
        }
        start, step, answer = body[reducer]
        self.defs.append(
            f"def {name}(_xs, r):\n"
            f"    if type(_xs) is list:\n"
            f"        {start}\n"
            f"        for _e in _xs:\n"
            f"            if type(_e) is dict:\n"
            f"                _v = _e.get({key!r})\n"
            f"                if {number}:\n"
            f"                    {step}\n"
            f"                    continue\n"
            f"                if _v is None:\n"
            f"                    continue\n"
            f"            break\n"
            f"        else:\n"
            f"            return {answer}\n"
            f"    return {generic}"
        )
        return f"{name}({items_code}, r)"

    def arithmetic(self, node: ast.Binary) -> tuple[str, str]:
        left, left_kind = self.expr(node.left, False)
        right, right_kind = self.expr(node.right, False)
        for side, found in ((node.left, left_kind), (node.right, right_kind)):
            self.require(side, found, (NUM, ANY, LIST), f"`{node.op}` needs numbers")
        if right_kind == LIST:
            raise self.error(f"`{node.op}` needs a number on the right, not a list", node.right)
        result = LIST if left_kind == LIST else NUM
        return f"_arith({node.op!r}, {left}, {right}, {self.site(node)})", result

    def comparison(self, node: ast.Binary, scalar: bool) -> tuple[str, str]:
        op = node.op
        left, left_kind = self.expr(node.left, False)
        right, right_kind = self.expr(node.right, False)
        self.check_comparison(node, left_kind, right_kind)
        if left_kind == LIST and scalar:
            raise self.list_error(node)
        result = LIST if left_kind == LIST else BOOL
        site = self.site(node)
        counted = isinstance(node.left, ast.Func) and node.left.name in ("len", "sum")
        if scalar and op in NEGATED:
            positive = self.fast_comparison(NEGATED[op], node, left, right, site, counted=counted)
            if positive is not None:
                return f"(not {positive})", BOOL
        fast = self.fast_comparison(op, node, left, right, site, counted=counted) if scalar else None
        return fast or f"_cmp({op!r}, {left}, {right}, {site}, {scalar})", result

    def fast_comparison(
        self, op: str, node: ast.Binary, left: str, right: str, site: int, *, counted: bool
    ) -> str | None:
        """Inline code for ``value OP literal`` in a condition; None when no shortcut applies.

        ``counted``: the value comes from ``len`` or ``sum``, so it is a number (or the record skips).
        """
        literal = node.right
        number = isinstance(literal, ast.Number)
        if counted and number and (op in values.ORDER_OPS or op == "="):
            return f"({left} {'==' if op == '=' else op} {right})"
        unchecked = self.unchecked_comparison(op, node, left, right) if self.fast else None
        if unchecked is not None:
            return unchecked
        temp = self.temp()
        slow = f"_cmp({op!r}, {temp}, {right}, {site}, True)"
        if op in values.ORDER_OPS and (number or isinstance(literal, ast.String)):
            test = "in _NUM" if number else "is str"
            return f"({temp} {op} {right} if type({temp} := {left}) {test} else {slow})"
        if op == "=" and number:
            return f"((({temp} := {left}) == {right} and type({temp}) is not bool) or {slow_list(temp, slow)})"
        if op == "=" and isinstance(literal, ast.String):
            return f"(({temp} := {left}) == {right} or {slow_list(temp, slow)})"
        if op in ("like", "ilike", "~=") and isinstance(literal, ast.String):
            text = regex_literal(literal.value) if op == "~=" else like_literal(literal.value, op == "ilike")
            if text is not None:
                return f"({plain_text_test(text, temp)} if type({temp} := {left}) is str else {slow})"
            matcher = regex_matcher(literal.value) if op == "~=" else like_matcher(literal.value, op == "ilike")
            return f"({self.const(matcher)}({temp}) if type({temp} := {left}) is str else {slow})"
        if op == "in" and isinstance(literal, ast.Array) and literal.items:
            items = literal.items
            if all(isinstance(item, ast.String) for item in items):
                strings = frozenset(item.value for item in items if isinstance(item, ast.String))
                return f"({temp} in {self.const(strings)} if type({temp} := {left}) is str else {slow})"
        return None

    def unchecked_comparison(self, op: str, node: ast.Binary, left: str, right: str) -> str | None:
        """Fast form of ``value OP literal`` without a type check, where that keeps its contract.

        ``v in {'s'}`` is ``v = 's'`` for any value that can be hashed, and raises for lists and
        objects; ordering raises for every pair but numbers, strings and true/false; a null is
        never ordered and never matches a pattern.
        """
        literal, value = node.right, node.left
        strings: tuple[ast.Expr, ...] = (literal,) if isinstance(literal, ast.String) and op == "=" else ()
        if isinstance(literal, ast.Array) and op == "in" and literal.items:
            strings = literal.items if all(isinstance(item, ast.String) for item in literal.items) else ()
        if strings:
            known = self.const(frozenset(item.value for item in strings if isinstance(item, ast.String)))
            return self.unless_missing(value, left, lambda v: f"{v} in {known}", "False")
        number = isinstance(literal, ast.Number)
        if op in values.ORDER_OPS and (isinstance(literal, ast.String) or (number and self.lacks(value, bool))):
            return self.unless_missing(value, left, lambda v: f"{v} {op} {right}", "False")
        if op == "=" and number and self.lacks(value, bool, list):
            return self.unless_missing(value, left, lambda v: f"{v} == {right}", "False")
        if op in ("like", "ilike", "~=") and isinstance(literal, ast.String):
            text = regex_literal(literal.value) if op == "~=" else like_literal(literal.value, op == "ilike")
            # Only strings have lower(), startswith() and endswith(); `in` and `==` need the proof.
            natural = text is not None and (text.insensitive or text.where in ("prefix", "suffix"))
            if text is not None and (natural or self.lacks(value, *NOT_STRINGS)):
                return self.unless_missing(value, left, lambda v: plain_text_test(text, v), "False")
        return None

    def unless_missing(self, node: ast.Expr, code: str, test: Writer, on_missing: str) -> str:
        """``test`` of the value of ``code``; ``on_missing`` (the careful answer for a null) where
        the record lacks the path's first key, so that such records need not bail.

        The check is left out where the records are known to have that key.
        """
        steps = self.plain_steps(node)
        if steps is None or self.lacks(ast.Path(steps[:1], pos=node.pos), Missing):
            return f"({test(code)})"
        return f"({test(code)} if {steps[0]!r} in r else {on_missing})"

    def check_comparison(self, node: ast.Binary, left: str, right: str) -> None:
        op = node.op
        if isinstance(node.left, ast.Unary) and node.left.op == "not" and right not in (BOOL, ANY):
            inner = ast.Binary(op, node.left.operand, node.right)
            raise self.error(
                f"`not` applies only to `{print_expr(node.left.operand)}` here, which is then compared with {right}",
                node.left,
                f"`not` binds tighter than comparisons; did you mean `not ({print_expr(inner)})`?",
            )
        self.check_dates(node)
        if op in values.ORDER_OPS:
            for side, found in ((node.left, left), (node.right, right)):
                if found == BOOL:
                    raise self.error(f"`{op}` cannot order true/false values", side)
            if left in SCALARS and right in SCALARS and left != right and {left, right} != {STR, TIME}:
                raise self.error(f"`{op}` compares {left} with {right}", node.right, "compare values of one kind")
        elif op in ast.MATCHING:
            self.require(node.right, right, (STR, ANY), f"`{op}` needs a string pattern")
            self.require(node.left, left, (STR, ANY, LIST), f"`{op}` needs a string on the left")
            if isinstance(node.right, ast.String) and op in ("~=", "~!"):
                problem = validate_regex(node.right.value)
                if problem:
                    raise self.error(
                        f"invalid regular expression: {problem}",
                        node.right,
                        "patterns use RE2 syntax: no look-around or back-references; write \\\\d for a digit",
                    )
        elif op in ast.MEMBERSHIP:
            self.require(node.right, right, (LIST, ANY), f"`{op}` needs a list, as in x in ['a', 'b']")

    def check_dates(self, node: ast.Binary | ast.Between) -> None:
        for path, literal in non_date_literals(node):
            if looks_like_time(path):
                raise not_a_date_error(self.query.source, path, literal, "is named as a timestamp")

    def between(self, node: ast.Between, scalar: bool) -> tuple[str, str]:
        self.check_dates(node)
        value, value_kind = self.expr(node.value, False)
        bounds = [self.expr(bound, False) for bound in (node.low, node.high)]
        for bound, (_, found) in zip((node.low, node.high), bounds, strict=True):
            self.require(bound, found, (NUM, TIME, STR, ANY), "`between` needs numbers, dates or strings")
        self.require(node.value, value_kind, (NUM, TIME, STR, ANY, LIST), "`between` needs a number, date or string")
        if value_kind == LIST and scalar:
            raise self.list_error(node)
        site = self.site(node)
        (low, _), (high, _) = bounds
        slow = f"_range({{temp}}, ({low}, {high}), {node.negated}, {site}, {scalar})"
        # The inline test only when both bounds are number literals: a computed bound (``a + b``)
        # can be null at run time, and a null bound skips the record like a null value does.
        if scalar and isinstance(node.low, ast.Number) and isinstance(node.high, ast.Number):
            if self.lacks(node.value, bool):
                test = "not {low} <= {v} <= {high}" if node.negated else "{low} <= {v} <= {high}"
                limits = (node.low.value, node.high.value)
                missing = partial(values.in_range, None, limits, node.negated, site, scalar)
                on_missing = self.counted_skip(node, missing) or slow.format(temp="None")
                return self.unless_missing(
                    node.value, value, lambda v: test.format(low=low, v=v, high=high), on_missing
                ), BOOL
            temp = self.temp()
            test = f"{low} <= {temp} <= {high}"
            test = f"not ({test})" if node.negated else test
            return f"({test} if type({temp} := {value}) in _NUM else {slow.format(temp=temp)})", BOOL
        return slow.format(temp=value), LIST if value_kind == LIST else BOOL

    def list_error(self, node: ast.Expr) -> QueryError:
        text = print_expr(node)
        return self.error(
            f"`{text}` gives a list (one answer per element), not one true/false",
            node,
            f"wrap it: any({text}) or all({text})",
        )

    # -- clauses ---------------------------------------------------------------------------
    def counted_skip(self, node: ast.Expr, careful: Callable[[], object]) -> str | None:
        """Fast form only: where ``node`` is a whole conjunct of the where clause, code that counts
        the skip the ``careful`` call raises and gives false (the record fails, as when skipped),
        cheaper than raising it. None elsewhere, where false could change the answer."""
        if not (self.fast and id(node) in self.conjuncts):
            return None
        try:
            careful()
        except values.SkipError as skip:
            return f"_count_skip(skipped, {self.const((skip.site, skip.reason))})"
        raise AssertionError(f"{print_expr(node)} does not skip a missing value")

    def condition(self, node: ast.Expr) -> str:
        if self.fast:
            top = node.operands if isinstance(node, ast.Logical) and node.op == "and" else (node,)
            self.conjuncts = {id(conjunct) for conjunct in top}
        code, found = self.expr(node, True)
        if found in SCALARS:
            raise self.error(f"the condition is {found}, not true/false", node, "compare it, as in memoryMB > 4096")
        if found == LIST:
            raise self.list_error(node)
        return code if found == BOOL else f"_truth({code}, {self.site(node)})"


def _cost(code: str) -> tuple[bool, int]:
    """A rough rank of a conjunct's cost: whether it runs a loop, then how many calls it makes."""
    calls = re.findall(r"\b(\w+)\(", code)
    return any(name.startswith(("_u", "_f")) for name in calls), len(calls)


def plain_text_test(text: PlainText, temp: str) -> str:
    """Inline code testing the string in ``temp`` against a plain-text pattern."""
    value = f"{temp}.lower()" if text.insensitive else temp
    if text.where == "equal":
        return f"({value} == {text.text!r})"
    if text.where == "within":
        return f"({text.text!r} in {value})"
    return f"{value}.{'startswith' if text.where == 'prefix' else 'endswith'}({text.text!r})"


def slow_list(temp: str, slow: str) -> str:
    """The slow path of an equality shortcut: only a list on the left needs more work."""
    return f"(type({temp}) is list and {slow})"


# Records the fast form may bail on before the filter gives up on it for the rest of a run.
BAILS_TOLERATED = 64

FILTER = """
def _filter(records, skipped):
    kept = []
    append = kept.append
    rest = iter(records)
    bails = 0
    for r in rest:
        try:
            if {fast}:
                append(r)
            continue
        except _BAIL:
            bails += 1
        except _Skip as skip:
            skipped[skip.site, skip.reason] += 1
            continue
        try:
            if {careful}:
                append(r)
        except _Skip as skip:
            skipped[skip.site, skip.reason] += 1
        if bails > _TOLERATED and bails * 8 > len(records) - _remaining(rest):
            break
    for r in rest:
        try:
            if {careful}:
                append(r)
        except _Skip as skip:
            skipped[skip.site, skip.reason] += 1
    return kept
"""


def generate(query: ast.Query, facts: Facts | None = None) -> Program:
    """Compile ``query`` into Python functions; ``facts`` about the records may drop type checks."""
    generator = _Generator(query, facts)
    condition = generator.condition(query.where) if query.where is not None else "True"
    generator.fast = True
    fast = generator.condition(query.where) if query.where is not None else "True"
    generator.fast = False
    selects = [(_alias(item), generator.expr(item.expr, False, aliases=False)[0]) for item in query.select]
    orders = [(generator.expr(item.expr, False)[0], item.descending) for item in query.order]
    generator.names.update(_BAIL=BAIL, _Skip=values.SkipError, _TOLERATED=BAILS_TOLERATED, _remaining=length_hint)
    lines = ["def _match(r):", f"    return {condition}", FILTER.format(fast=fast, careful=condition)]
    lines += generator.defs
    lines += [f"def _select{index}(r):\n    return {code}" for index, (_, code) in enumerate(selects)]
    lines += [f"def _order{index}(r):\n    return {code}" for index, (code, _) in enumerate(orders)]
    namespace, code = generator.names, "\n".join(lines)
    exec(compile(code, "<tsl>", "exec"), namespace)
    return Program(
        match=namespace["_match"],
        filter=namespace["_filter"],
        select=[(alias, namespace[f"_select{index}"]) for index, (alias, _) in enumerate(selects)],
        order=[(namespace[f"_order{index}"], descending) for index, (_, descending) in enumerate(orders)],
        sites=generator.sites,
        questions=generator.questions,
        source=query.source,
        code=code,
    )


def _alias(item: ast.SelectItem) -> str:
    return item.alias or print_expr(item.expr)
