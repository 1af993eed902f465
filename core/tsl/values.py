"""Run-time semantics shared by compiled queries: paths, comparisons, reducers.

Record-dependent problems raise `SkipError` (the record does not match and a warning counts it);
a list reaching a place that needs one true/false raises `ListInConditionError` (a query mistake).
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections import Counter
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from mtv_mcp.core.errors import quoted
from mtv_mcp.core.tsl.ast import Step, Wildcard
from mtv_mcp.core.tsl.lexer import DATE_RE, TIMESTAMP_RE, parse_instant
from mtv_mcp.core.tsl.patterns import like_matcher, regex_matcher

NUMBER_TYPES = (int, float)
MAX_WHOLE = 10**300
ORDER_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class SkipError(Exception):
    """This record cannot be evaluated (wrong type, missing value); it does not match."""

    def __init__(self, site: int, reason: str) -> None:
        super().__init__(reason)
        self.site, self.reason = site, reason


class ListInConditionError(Exception):
    """A list arrived where one true/false is needed (e.g. ``disks.capacity > 1``)."""

    def __init__(self, site: int, value: list[Any]) -> None:
        super().__init__(site)
        self.site, self.value = site, value


def count_skip(skipped: Counter[tuple[int, str]], key: tuple[int, str]) -> bool:
    """Count a skip without raising it (the record fails); false, to end its condition."""
    skipped[key] += 1
    return False


def kind(value: Any) -> str:
    """A reader's name for the type of a value."""
    if value is None:
        return "missing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, NUMBER_TYPES):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dt.datetime):
        return "a date"
    if isinstance(value, list):
        return "a list"
    return "an object"


def walk(value: Any, steps: tuple[Step, ...]) -> Any:
    """Resolve a path: missing keys give None, lists are traversed implicitly (nulls dropped)."""
    for index, step in enumerate(steps):
        if value is None:
            return None
        if type(step) is str:
            if isinstance(value, Mapping):
                value = value.get(step)
            elif type(value) is list:
                return _spread(value, steps[index:])
            else:
                return None
        elif type(step) is int:
            value = value[step] if type(value) is list and step < len(value) else None
        elif isinstance(step, Wildcard):
            return _spread(value, steps[index + 1 :]) if type(value) is list else None
    return value


def pluck(value: Any, steps: tuple[str, ...]) -> Any:
    """A dotted path for display: like ``walk``, but a list keeps one entry per element, nulls included
    (``disks.iops`` of three disks without it is ``[None, None, None]``)."""
    for position, step in enumerate(steps):
        if type(value) is list:
            return [pluck(item, steps[position:]) for item in value]
        if not isinstance(value, Mapping):
            return None
        value = value.get(step)
    return value


def _spread(items: list[Any], rest: tuple[Step, ...]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        value = walk(item, rest) if rest else item
        if type(value) is list:
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


def spread_key(items: Any, key: str) -> Any:
    """``items[*].key``: the key of every element, flattened one level, nulls dropped."""
    if type(items) is not list:
        return None
    out: list[Any] = []
    for item in items:
        value = item.get(key) if type(item) is dict else walk(item, (key,))
        if type(value) is list:
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


def present(value: Any, steps: tuple[Step, ...]) -> bool:
    """Whether the path exists in ``value`` (a key present, even with a null value)."""
    if not steps:
        return True
    step, rest = steps[0], steps[1:]
    if type(value) is list and not isinstance(step, int):
        inner = rest if isinstance(step, Wildcard) else steps
        return any(present(item, inner) for item in value)
    if type(step) is str:
        return isinstance(value, Mapping) and step in value and present(value[step], rest)
    if type(step) is int:
        return type(value) is list and step < len(value) and present(value[step], rest)
    return False


@lru_cache(maxsize=4096)
def _instant_text(text: str) -> dt.datetime | None:
    if DATE_RE.fullmatch(text) or TIMESTAMP_RE.fullmatch(text):
        return parse_instant(text)
    return None


def instant(value: Any) -> dt.datetime | None:
    """A datetime for a datetime or a date-like string (``2024-01-31``, RFC 3339), else None."""
    if type(value) is dt.datetime:
        return value
    if type(value) is str and len(value) >= 10 and value[4:5] == "-":
        return _instant_text(value)
    return None


def equal(left: Any, right: Any) -> bool:
    """``=``: numbers numerically, dates as instants, other values only with the same type."""
    if type(left) in NUMBER_TYPES and type(right) in NUMBER_TYPES:
        return bool(left == right)
    moments = instant(left), instant(right)
    if moments[0] is not None and moments[1] is not None:
        return moments[0] == moments[1]
    return type(left) is type(right) and bool(left == right)


def ordered(op: str, left: Any, right: Any, site: int) -> bool:
    """``< <= > >=``: null is never ordered; numbers, dates or strings with their own kind."""
    if left is None or right is None:
        return False
    test = ORDER_OPS[op]
    if type(left) in NUMBER_TYPES and type(right) in NUMBER_TYPES:
        return test(left, right)
    moments = instant(left), instant(right)
    if moments[0] is not None and moments[1] is not None:
        return test(moments[0], moments[1])
    if type(left) is str and type(right) is str:
        return test(left, right)
    raise SkipError(site, f"{kind(left)} cannot be compared with {kind(right)}")


def matched(op: str, value: Any, pattern: Any, site: int) -> bool:
    """``like``, ``ilike``, ``~=`` and their negations; null never matches."""
    negated = op in ("not like", "not ilike", "~!")
    if value is None or pattern is None:
        return negated
    if type(value) is not str or type(pattern) is not str:
        raise SkipError(site, f"`{op}` needs strings, got {kind(value)} and {kind(pattern)}")
    try:
        test = regex_matcher(pattern) if op in ("~=", "~!") else like_matcher(pattern, "ilike" in op)
    except ValueError as error:
        raise SkipError(site, f"invalid regular expression {quoted(pattern)}: {error}") from None
    return test(value) != negated


def member(value: Any, items: Any, site: int) -> bool:
    """``in``: the value equals an element of the list; a null value is in nothing.

    A null (missing) list is not a list: kubectl-mtv fails the query there (``expected array``),
    here the record is skipped and counted like other skips (``not in`` skips it too).
    """
    if value is None and items is not None:
        return False
    if type(items) is not list:
        raise SkipError(site, f"`in` needs a list on the right, got {kind(items)}")
    if isinstance(value, Mapping):
        raise SkipError(site, "`in` cannot look for an object")
    return any(equal(value, item) for item in items)


def between(value: Any, low: Any, high: Any, site: int) -> bool:
    """Inclusive range test for numbers, dates or strings.

    A null value or bound is an error in kubectl-mtv (tsl.md §6.2); here the record is skipped and
    counted in the warnings, for ``between`` and ``not between`` alike.
    """
    for what, item in (("value", value), ("lower bound", low), ("upper bound", high)):
        if item is None:
            raise SkipError(site, f"`between` on a missing (null) {what}")
    return ordered(">=", value, low, site) and ordered("<=", value, high, site)


def compare(op: str, left: Any, right: Any, site: int, scalar: bool) -> Any:
    """Any comparison; a list on the left maps element-wise (an error where one answer is needed)."""
    if type(left) is list:
        if scalar:
            raise ListInConditionError(site, left)
        return [compare(op, item, right, site, False) for item in left]
    if op == "=":
        return equal(left, right)
    if op == "!=":
        return not equal(left, right)
    if op in ORDER_OPS:
        return ordered(op, left, right, site)
    if op == "in":
        return member(left, right, site)
    if op == "not in":
        return not member(left, right, site)
    return matched(op, left, right, site)


def in_range(value: Any, bounds: tuple[Any, Any], negated: bool, site: int, scalar: bool) -> Any:
    """``between``/``not between`` with the list mapping rule."""
    if type(value) is list:
        if scalar:
            raise ListInConditionError(site, value)
        return [in_range(item, bounds, negated, site, False) for item in value]
    return between(value, *bounds, site) != negated


def arithmetic(op: str, left: Any, right: Any, site: int) -> Any:
    """``+ - * / %`` on numbers; a list on the left maps element-wise."""
    if type(left) is list:
        return [arithmetic(op, item, right, site) for item in left]
    if type(left) not in NUMBER_TYPES or type(right) not in NUMBER_TYPES:
        raise SkipError(site, f"`{op}` needs numbers, got {kind(left)} and {kind(right)}")
    if op == "+":
        return _bounded(left + right)
    if op == "-":
        return _bounded(left - right)
    if op == "*":
        return _bounded(left * right)
    if op == "/":
        if right == 0:
            raise SkipError(site, "division by zero")
        return left / right
    if not (math.isfinite(left) and math.isfinite(right)):
        raise SkipError(site, "modulus of an infinite or undefined number")
    divisor = int(right)
    if divisor == 0:
        raise SkipError(site, "modulus by zero (the divisor is truncated to a whole number)")
    dividend = int(left)
    remainder = abs(dividend) % abs(divisor)
    return -remainder if dividend < 0 else remainder


def _bounded(value: int | float) -> int | float:
    """Whole numbers beyond ``MAX_WHOLE`` become float infinity, so that chained products stay cheap
    and every result can still be compared with floats and printed."""
    if type(value) is int and abs(value) > MAX_WHOLE:
        return math.inf if value > 0 else -math.inf
    return value


def negate(value: Any, site: int) -> Any:
    """Unary minus (maps over lists)."""
    if type(value) is list:
        return [negate(item, site) for item in value]
    if type(value) not in NUMBER_TYPES:
        raise SkipError(site, f"`-` needs a number, got {kind(value)}")
    return -value


def logical_not(value: Any, site: int, scalar: bool) -> Any:
    """``not`` (maps over lists where a list is allowed)."""
    if type(value) is bool:
        return not value
    if type(value) is list:
        if scalar:
            raise ListInConditionError(site, value)
        return [logical_not(item, site, False) for item in value]
    raise SkipError(site, f"`not` needs true/false, got {kind(value)}")


def condition(value: Any, site: int, scalar: bool) -> bool:
    """An operand of ``and``/``or``: must be true/false."""
    if type(value) is bool:
        return value
    if type(value) is list and scalar:
        raise ListInConditionError(site, value)
    raise SkipError(site, f"`and`/`or` need true/false, got {kind(value)}")


def truth(value: Any, site: int) -> bool:
    """The result of a whole condition: only ``true`` matches; a list is a mistake."""
    if type(value) is list:
        raise ListInConditionError(site, value)
    return value is True


def length(value: Any, site: int) -> int:
    """``len``: the length of a list or a string."""
    if type(value) is list or type(value) is str:
        return len(value)
    raise SkipError(site, f"`len` needs a list or a string, got {kind(value)}")


def total(value: Any, site: int) -> int | float:
    """``sum``: the sum of a list of numbers (an empty list sums to 0), added left to right (not
    with ``sum()``, which compensates float rounding from Python 3.12 on: one answer everywhere)."""
    if type(value) is not list:
        raise SkipError(site, f"`sum` needs a list of numbers, got {kind(value)}")
    result: int | float = 0
    for item in value:
        if type(item) not in NUMBER_TYPES:
            raise SkipError(site, f"`sum` needs numbers, found {kind(item)} in the list")
        result += item
    return result


def some(value: Any, site: int) -> bool:
    """``any``: some element is true (a missing list has none)."""
    if type(value) is list:
        return True in value and any(item is True for item in value)
    if value is None or type(value) is bool:
        return value is True
    raise SkipError(site, f"`any` needs a list of true/false, got {kind(value)}")


def some_ordered(op: str, values: Any, bound: int | float, site: int) -> bool:
    """``any(values OP number)`` without building the list of answers (same result)."""
    if type(values) is not list:
        return some(compare(op, values, bound, site, False), site)
    test, found = ORDER_OPS[op], False
    for item in values:
        if type(item) in NUMBER_TYPES:
            found = test(item, bound) or found
        elif ordered(op, item, bound, site):
            found = True
    return found


def every_ordered(op: str, values: Any, bound: int | float, site: int) -> bool:
    """``all(values OP number)`` without building the list of answers (same result)."""
    if type(values) is not list:
        return every(compare(op, values, bound, site, False), site)
    test, answer = ORDER_OPS[op], bool(values)
    for item in values:
        if type(item) in NUMBER_TYPES:
            answer = test(item, bound) and answer
        elif not ordered(op, item, bound, site):
            answer = False
    return answer


def every(value: Any, site: int) -> bool:
    """``all``: the list is not empty and every element is true."""
    if type(value) is list:
        return bool(value) and all(item is True for item in value)
    if value is None or type(value) is bool:
        return value is True
    raise SkipError(site, f"`all` needs a list of true/false, got {kind(value)}")
