"""The typed expression tree of a query. Positions never take part in equality."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, TypeAlias


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every tree node; ``pos`` is the 0-based offset in the query text."""

    pos: int = field(default=0, compare=False, repr=False, kw_only=True)


@dataclass(frozen=True, slots=True)
class Number(Node):
    value: int | float
    text: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class String(Node):
    value: str


@dataclass(frozen=True, slots=True)
class Boolean(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class Instant(Node):
    """A date (``2024-01-31``) or an RFC 3339 timestamp literal; ``value`` is timezone-aware."""

    text: str
    value: dt.datetime = field(compare=False)


@dataclass(frozen=True, slots=True)
class Array(Node):
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Wildcard:
    """The ``[*]`` step of a path."""


Step: TypeAlias = str | int | Wildcard


@dataclass(frozen=True, slots=True)
class Path(Node):
    """A field reference; steps are keys (str), indexes (int) or `Wildcard`."""

    steps: tuple[Step, ...]


UnaryOp = Literal["-", "not"]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: UnaryOp
    operand: Expr


FuncName = Literal["len", "sum", "any", "all"]


@dataclass(frozen=True, slots=True)
class Func(Node):
    """``len``/``sum``/``any``/``all``; ``prefix`` remembers the ``any x`` form (not compared)."""

    name: FuncName
    arg: Expr
    prefix: bool = field(default=False, compare=False, repr=False)


ARITHMETIC = ("+", "-", "*", "/", "%")
ORDERING = ("<", "<=", ">", ">=")
EQUALITY = ("=", "!=")
MATCHING = ("like", "not like", "ilike", "not ilike", "~=", "~!")
MEMBERSHIP = ("in", "not in")
BINARY_OPS = ARITHMETIC + ORDERING + EQUALITY + MATCHING + MEMBERSHIP


@dataclass(frozen=True, slots=True)
class Binary(Node):
    """Arithmetic and comparison operators (canonical spelling, see `BINARY_OPS`)."""

    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: Expr
    low: Expr
    high: Expr
    negated: bool = False


@dataclass(frozen=True, slots=True)
class IsNull(Node):
    value: Expr
    negated: bool = False


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """An n-ary ``and``/``or`` chain (flattened, so long chains stay shallow)."""

    op: Literal["and", "or"]
    operands: tuple[Expr, ...]


Expr: TypeAlias = (
    Number | String | Boolean | Instant | Array | Path | Unary | Func | Binary | Between | IsNull | Logical
)


@dataclass(frozen=True, slots=True)
class SelectItem(Node):
    expr: Expr
    alias: str | None = None


@dataclass(frozen=True, slots=True)
class OrderItem(Node):
    expr: Expr
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query(Node):
    """A whole query: ``[select ...] [where ...] [order by ...] [limit N]``."""

    select: tuple[SelectItem, ...] = ()
    where: Expr | None = None
    order: tuple[OrderItem, ...] = ()
    limit: int | None = None
    source: str = field(default="", compare=False, repr=False)


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``."""
    match node:
        case Array(items=items):
            return items
        case Unary(operand=operand):
            return (operand,)
        case Func(arg=arg):
            return (arg,)
        case Binary(left=left, right=right):
            return (left, right)
        case Between(value=value, low=low, high=high):
            return (value, low, high)
        case IsNull(value=value):
            return (value,)
        case Logical(operands=operands):
            return operands
        case _:
            return ()


def spread_path(node: Expr) -> tuple[tuple[str, ...], str] | None:
    """For ``items[*].key`` or ``items.key`` (keys from the record): the keys to ``items``, and ``key``."""
    if not isinstance(node, Path) or not all(type(step) is str for step in node.steps[:-2]):
        return None
    steps = node.steps
    if len(steps) == 2 and all(type(step) is str for step in steps):
        return (str(steps[0]),), str(steps[1])
    if len(steps) >= 3 and isinstance(steps[-2], Wildcard) and isinstance(steps[-1], str):
        return tuple(str(step) for step in steps[:-2]), steps[-1]
    return None
