"""Print a tree back as canonical TSL text (parsing the text gives the same tree)."""

from __future__ import annotations

from mtv_mcp.core.tsl import ast
from mtv_mcp.core.tsl.lexer import FUNCTIONS, KEYWORDS

LOGICAL, AND_LEVEL, COMPARISON, ADDITIVE, MULTIPLICATIVE, PREFIX, SIGN, ATOM = range(1, 9)
STRING_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f"}


def print_query(query: ast.Query) -> str:
    """The canonical text of a whole query."""
    parts: list[str] = []
    if query.select:
        items = (print_expr(item.expr) + (f" as {item.alias}" if item.alias else "") for item in query.select)
        parts.append("select " + ", ".join(items))
    if query.where is not None:
        parts.append("where " + print_expr(query.where))
    if query.order:
        keys = (print_expr(item.expr) + (" desc" if item.descending else "") for item in query.order)
        parts.append("order by " + ", ".join(keys))
    if query.limit is not None:
        parts.append(f"limit {query.limit}")
    return " ".join(parts)


def print_expr(node: ast.Expr) -> str:
    """The canonical text of one expression."""
    return _print(node, LOGICAL)


def _level(node: ast.Expr) -> int:
    match node:
        case ast.Logical(op="or"):
            return LOGICAL
        case ast.Logical():
            return AND_LEVEL
        case ast.Binary(op=op) if op in ("+", "-"):
            return ADDITIVE
        case ast.Binary(op=op) if op in ("*", "/", "%"):
            return MULTIPLICATIVE
        case ast.Binary() | ast.Between() | ast.IsNull():
            return COMPARISON
        case ast.Unary(op="not") | ast.Func():
            return PREFIX
        case ast.Unary():
            return SIGN
        case _:
            return ATOM


def _print(node: ast.Expr, needed: int) -> str:
    text = _bare(node)
    return f"({text})" if _level(node) < needed else text


def _bare(node: ast.Expr) -> str:
    level = _level(node)
    match node:
        case ast.Logical(op=op, operands=operands):
            return f" {op} ".join(_print(operand, level + 1) for operand in operands)
        case ast.Binary(op=op, left=left, right=right):
            return f"{_print(left, level)} {op} {_print(right, level + 1)}"
        case ast.Between(value=value, low=low, high=high, negated=negated):
            word = "not between" if negated else "between"
            return f"{_print(value, level)} {word} {_print(low, ADDITIVE)} and {_print(high, ADDITIVE)}"
        case ast.IsNull(value=value, negated=negated):
            return f"{_print(value, level)} is {'not ' if negated else ''}null"
        case ast.Unary(op="not", operand=operand):
            return f"not {_print(operand, PREFIX)}"
        case ast.Unary(operand=operand):
            return f"-{_print(operand, SIGN)}"
        case ast.Func(name=name, arg=arg):
            return f"{name}({print_expr(arg)})"
        case ast.Array(items=items):
            return "[" + ", ".join(print_expr(item) for item in items) + "]"
        case ast.Number(value=value, text=text):
            return text or (str(value) if isinstance(value, int) else repr(value))
        case ast.String(value=value):
            return print_string(value)
        case ast.Instant(text=text):
            return f"'{text}'"
        case ast.Boolean(value=value):
            return "true" if value else "false"
        case ast.Path(steps=steps):
            return print_path(steps)
    raise AssertionError(f"unknown node {node!r}")


def print_string(value: str) -> str:
    """A single-quoted TSL string literal."""
    return "'" + "".join(STRING_ESCAPES.get(char, char) for char in value) + "'"


def print_path(steps: tuple[ast.Step, ...]) -> str:
    """A field path: ``disks[*].capacity``, ``tags[0].name``, ``labels['app.io/name']``."""
    text = ""
    for index, step in enumerate(steps):
        if isinstance(step, ast.Wildcard):
            text += "[*]"
        elif isinstance(step, int):
            text += f"[{step}]"
        elif _plain(step, first=index == 0):
            text += ("." if index else "") + step
        else:
            text += f"['{step}']"
    return text


def _plain(key: str, *, first: bool) -> bool:
    simple = bool(key) and (key[0].isalpha() or key[0] == "_") and all(c.isalnum() or c in "_/" for c in key)
    reserved = first and (key.lower() in KEYWORDS or key.lower() in FUNCTIONS)
    return simple and not reserved
