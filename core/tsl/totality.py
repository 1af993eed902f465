"""Conditions the careful form answers for every record of a snapshot without a skip or an error.

Whether ``A and B`` skips a record, or fails the query, depends on the order its operands run in:
``A`` may skip a record for which ``B`` is false. Operands that can do neither on the records at
hand give the same answer in any order, so the fast form runs the cheap ones first. Each rule
below is the careful form's (`values`) condition for raising, turned into the types a path may hold.
"""

from __future__ import annotations

from collections.abc import Callable
from types import NoneType

from mtv_mcp.core.tsl import ast
from mtv_mcp.core.tsl.snapshot import Missing

# Whether every value at the path (keys, or ast.Wildcard for each list element) has one of the types.
Only = Callable[[tuple[str | ast.Wildcard, ...], tuple[type, ...]], bool]
Keys = Callable[[ast.Expr], tuple[str, ...] | None]

NULL = (NoneType, Missing)
NUMBERS = (int, float)
SCALARS = (*NULL, bool, int, float, str)
COMPARISONS = ("<", "<=", ">", ">=", "=", "!=")
PATTERNS = ("like", "not like", "ilike", "not ilike", "~=", "~!")


def never_raises(node: ast.Expr, keys: Keys, only: Only) -> bool:
    """Whether ``node``, a conjunct of the where clause, can neither skip a record nor fail."""
    match node:
        case ast.Between(value=value, low=ast.Number(), high=ast.Number()):
            return _holds(value, NUMBERS, keys, only)  # a null value skips
        case ast.Binary(op=op, left=ast.Func(name="len", arg=arg), right=ast.Number()) if op in COMPARISONS:
            return _holds(arg, (list, str), keys, only)
        case ast.Binary(op=op, left=ast.Func(name="sum", arg=arg), right=ast.Number()) if op in COMPARISONS:
            return _summable(arg, only)
        case ast.Binary(op="=" | "!=", left=left, right=ast.String() | ast.Number() | ast.Boolean()):
            return _holds(left, (*SCALARS, dict), keys, only)  # a list fails the query
        case ast.Binary(op="in" | "not in", left=left, right=ast.Array(items=items)) if all(
            isinstance(item, ast.String | ast.Number) for item in items
        ):
            return _holds(left, SCALARS, keys, only)  # an object skips, a list fails
        case ast.Binary(op="<" | "<=" | ">" | ">=", left=left, right=ast.Number()):
            return _holds(left, (*NULL, *NUMBERS), keys, only)  # null is never ordered
        case ast.Binary(op="<" | "<=" | ">" | ">=", left=left, right=ast.String()):
            return _holds(left, (*NULL, str), keys, only)
        case ast.Binary(op=op, left=left, right=ast.String()) if op in PATTERNS:
            return _holds(left, (*NULL, str), keys, only)
    return False


def _holds(node: ast.Expr, types: tuple[type, ...], keys: Keys, only: Only) -> bool:
    steps = keys(node)
    return steps is not None and _objects_on_the_way(steps, only) and only(steps, types)


def _objects_on_the_way(steps: tuple[str, ...], only: Only) -> bool:
    """No list before the last key (a list there spreads the path into a list of values)."""
    return all(only(steps[:end], (*SCALARS, dict)) for end in range(1, len(steps)))


def _summable(node: ast.Expr, only: Only) -> bool:
    """``sum(items[*].key)`` or ``sum(items.key)`` over lists of objects whose key holds numbers or null."""
    spread = ast.spread_path(node)
    if spread is None:
        return False
    items, key = spread
    elements: tuple[str | ast.Wildcard, ...] = (*items, ast.Wildcard())
    return (
        _objects_on_the_way(items, only)
        and only(items, (list,))
        and only(elements, (dict,))
        and only((*elements, key), (*NULL, *NUMBERS))
    )
