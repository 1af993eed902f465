"""Parse query text into a `Query` tree with a lark LALR grammar over our own tokens."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from functools import cache
from pathlib import Path as FilePath
from typing import Any, Literal, cast

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer

from mtv_mcp.core.errors import quoted
from mtv_mcp.core.parser_cache import parser_cache
from mtv_mcp.core.tsl import ast
from mtv_mcp.core.tsl.errors import MAX_DEPTH, MAX_LIST_ITEMS, QueryError, query_error
from mtv_mcp.core.tsl.lexer import CLAUSE_WORDS, KEYWORDS, number_value, parse_instant, path_steps, tokenize

COMPARISONS = {"EQ": "=", "NE": "!=", "LT": "<", "LE": "<=", "GT": ">", "GE": ">=", "MATCH": "~=", "NMATCH": "~!"}
TOKEN_NAMES = {
    "IDENT": "a field",
    "NUMBER": "a number",
    "STRING": "a string",
    "DATE": "a date",
    "TIMESTAMP": "a timestamp",
    "LPAR": "`(`",
    "_RPAR": "`)`",
    "LSQB": "`[`",
    "_RSQB": "`]`",
    "_COMMA": "`,`",
    "FUNC": "a function",
    "FUNC_CALL": "a function",
    "ORDER_BY": "`order by`",
    "DIRECTION": "`asc`/`desc`",
    "$END": "the end of the query",
    **{kind: f"`{spelling}`" for spelling, kind in (("=", "EQ"), ("!=", "NE"), ("<", "LT"), ("<=", "LE"))},
    **{kind: f"`{spelling}`" for spelling, kind in ((">", "GT"), (">=", "GE"), ("~=", "MATCH"), ("~!", "NMATCH"))},
    **{kind: f"`{spelling}`" for spelling, kind in (("+", "PLUS"), ("-", "MINUS"), ("*", "STAR"), ("/", "SLASH"))},
    "PERCENT": "`%`",
}


class _LocatedError(Exception):
    """Raised inside the tree builder; `parse_query` adds the source text."""

    def __init__(self, message: str, pos: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.message, self.pos, self.hint = message, pos, hint


class _TokenSource(Lexer):
    """The lark custom-lexer hook: our tokenizer."""

    def __init__(self, lexer_conf: Any) -> None:
        del lexer_conf

    def lex(self, data: str) -> Iterator[Token]:  # type: ignore[override]
        return tokenize(data)


def _pos(token: Token) -> int:
    return token.start_pos or 0


def _sugar(left: ast.Expr, build: Any) -> ast.Expr:
    """``any PATH OP VALUE`` means ``any(PATH OP VALUE)``; everything else is built as is."""
    if isinstance(left, ast.Func) and left.prefix and left.name in ("any", "all"):
        return ast.Func(left.name, build(left.arg), pos=left.pos)
    result: ast.Expr = build(left)
    return result


@v_args(inline=True)
class _Builder(Transformer[Token, Any]):
    """Builds `ast` nodes while the LALR parser reduces (no parse tree in between)."""

    def query(self, *parts: Any) -> ast.Query:
        fields: dict[str, Any] = {}
        for part in parts:
            if part is not None:
                fields.update(part)
        return ast.Query(**fields)

    def select_clause(self, _keyword: Token, *items: ast.SelectItem) -> dict[str, Any]:
        if len(items) > MAX_LIST_ITEMS:
            raise _LocatedError(f"too many select items (limit {MAX_LIST_ITEMS})", items[0].pos)
        return {"select": items}

    def select_item(self, expr: ast.Expr, _as: Token | None, alias: Token | None) -> ast.SelectItem:
        if alias is not None and len(path_steps(str(alias), str(alias), 0)) != 1:
            raise _LocatedError(
                f"the alias {quoted(str(alias))} must be a plain name", _pos(alias), "write `... as total`"
            )
        return ast.SelectItem(expr, None if alias is None else str(alias), pos=expr.pos)

    def where_clause(self, _keyword: Token, expr: ast.Expr) -> dict[str, Any]:
        return {"where": expr}

    def bare_where(self, expr: ast.Expr) -> dict[str, Any]:
        return {"where": expr}

    def order_clause(self, _keyword: Token, *items: ast.OrderItem) -> dict[str, Any]:
        if len(items) > MAX_LIST_ITEMS:
            raise _LocatedError(f"too many order keys (limit {MAX_LIST_ITEMS})", items[0].pos)
        return {"order": items}

    def order_item(self, expr: ast.Expr, direction: Token | None) -> ast.OrderItem:
        descending = direction is not None and str(direction).lower() == "desc"
        return ast.OrderItem(expr, descending, pos=expr.pos)

    def limit_clause(self, _keyword: Token, number: Token) -> dict[str, Any]:
        value = number_value(str(number))
        if not isinstance(value, int):
            raise _LocatedError(f"limit needs a whole number, not {number}", _pos(number), "write `limit 10`")
        return {"limit": value}

    def logical(self, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Logical:
        kind: Literal["and", "or"] = "and" if op.type == "AND" else "or"
        operands: list[ast.Expr] = []
        for side in (left, right):
            same = isinstance(side, ast.Logical) and side.op == kind
            operands.extend(side.operands if isinstance(side, ast.Logical) and same else (side,))
        return ast.Logical(kind, tuple(operands), pos=left.pos)

    def compare(self, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Expr:
        return _sugar(left, lambda value: ast.Binary(COMPARISONS[op.type], value, right, pos=value.pos))

    def like(self, left: ast.Expr, negated: Token | None, op: Token, right: ast.Expr) -> ast.Expr:
        name = ("not " if negated else "") + str(op).lower()
        return _sugar(left, lambda value: ast.Binary(name, value, right, pos=value.pos))

    def in_(self, left: ast.Expr, negated: Token | None, _in: Token, right: ast.Expr) -> ast.Expr:
        name = "not in" if negated else "in"
        return _sugar(left, lambda value: ast.Binary(name, value, right, pos=value.pos))

    def between(
        self, value: ast.Expr, negated: Token | None, _b: Token, low: ast.Expr, _and: Token, high: ast.Expr
    ) -> ast.Expr:
        return _sugar(value, lambda inner: ast.Between(inner, low, high, negated is not None, pos=inner.pos))

    def is_null(self, value: ast.Expr, _is: Token, negated: Token | None, _null: Token) -> ast.Expr:
        return _sugar(value, lambda inner: ast.IsNull(inner, negated is not None, pos=inner.pos))

    def arith(self, left: ast.Expr, op: Token, right: ast.Expr) -> ast.Binary:
        return ast.Binary(str(op), left, right, pos=left.pos)

    def not_(self, op: Token, operand: ast.Expr) -> ast.Unary:
        return ast.Unary("not", operand, pos=_pos(op))

    def func(self, name: Token, arg: ast.Expr) -> ast.Func:
        return ast.Func(str(name), arg, prefix=name.type == "FUNC", pos=_pos(name))  # type: ignore[arg-type]

    def sign(self, op: Token, operand: ast.Expr) -> ast.Expr:
        return ast.Unary("-", operand, pos=_pos(op)) if op.type == "MINUS" else operand

    def paren(self, _open: Token, expr: ast.Expr) -> ast.Expr:
        return expr

    def array(self, open_: Token, *items: ast.Expr | None) -> ast.Array:
        values = tuple(item for item in items if item is not None)
        if len(values) > MAX_LIST_ITEMS:
            raise _LocatedError(f"the list has {len(values)} items; the limit is {MAX_LIST_ITEMS}", _pos(open_))
        return ast.Array(values, pos=_pos(open_))

    def number(self, token: Token) -> ast.Number:
        return ast.Number(number_value(str(token)), str(token), pos=_pos(token))

    def string(self, token: Token) -> ast.String:
        return ast.String(str(token), pos=_pos(token))

    def instant(self, token: Token) -> ast.Instant:
        moment = parse_instant(str(token))
        assert moment is not None  # the lexer only emits valid dates
        return ast.Instant(str(token), moment, pos=_pos(token))

    def path(self, token: Token) -> ast.Path:
        return ast.Path(path_steps(str(token), str(token), 0), pos=_pos(token))

    def boolean(self, token: Token) -> ast.Boolean:
        return ast.Boolean(token.type == "TRUE", pos=_pos(token))


@cache
def _parser() -> Lark:
    grammar = (FilePath(__file__).parent / "grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        lexer=_TokenSource,
        transformer=_Builder(),
        maybe_placeholders=True,
        cache=parser_cache("tsl", grammar),
    )


def parse_query(text: str) -> ast.Query:
    """Parse a whole query; an empty (or blank) text is the query that returns everything."""
    if not text.strip():
        return ast.Query(source=text)
    try:
        query = cast(ast.Query, _parser().parse(text))
    except QueryError:
        raise
    except _LocatedError as located:
        raise query_error(located.message, text, located.pos, located.hint) from None
    except UnexpectedToken as unexpected:
        raise _syntax_error(text, unexpected) from None
    except UnexpectedInput as unexpected:
        raise query_error("syntax error", text, unexpected.pos_in_stream or 0) from None
    _check_depth(query, text)
    return ast.Query(query.select, query.where, query.order, query.limit, source=text)


def _check_depth(query: ast.Query, text: str) -> None:
    roots = [item.expr for item in query.select] + [item.expr for item in query.order]
    stack: list[tuple[ast.Expr, int]] = [(root, 1) for root in [*roots, query.where] if root is not None]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise query_error(
                f"the query nests too deeply (more than {MAX_DEPTH} levels)",
                text,
                node.pos,
                "flatten it: use `in [...]` or `between` instead of deeply nested expressions",
            )
        stack.extend((child, depth + 1) for child in ast.children(node))


def _syntax_error(text: str, unexpected: UnexpectedToken) -> QueryError:
    token: Token = unexpected.token
    expected = sorted({TOKEN_NAMES.get(name, f"`{name.lower()}`") for name in unexpected.expected})
    if token.type == "$END":
        offset = len(text.rstrip())
        message = "the query ends too early"
    else:
        offset = _pos(token)
        message = f"unexpected {quoted(str(token))}"
    hint = _hint(text, token, set(unexpected.expected)) or f"expected {', '.join(expected)}"
    return query_error(message, text, offset, hint)


def _hint(text: str, token: Token, expected: set[str]) -> str | None:
    if token.type == "NULL":
        return "`null` is not a value: write `field is null` or `field is not null`"
    previous = None
    for candidate in tokenize(text):
        if (candidate.start_pos or 0) >= _pos(token) and token.type != "$END":
            break
        previous = candidate
    for word in (token, previous):
        if word is not None and word.type == "IDENT":
            close = difflib.get_close_matches(str(word).lower(), [*CLAUSE_WORDS, "order", "sort"], n=1, cutoff=0.7)
            if close:
                keyword = {"order": "order by", "sort": "sort by"}.get(close[0], close[0])
                return f"did you mean {keyword.upper()}? (`{word}` is not a keyword)"
    if token.type == "_COMMA" and "_RPAR" in expected:
        return "lists are written in square brackets: field in ['a', 'b']"
    if str(token).lower() in KEYWORDS and "IDENT" in expected:
        return f"`{token}` is a reserved word; it cannot be a field name on its own"
    return None
