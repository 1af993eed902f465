"""Kubernetes resource quantities (``100m``, ``4Gi``, ``1.5G``, ``1e3``) parsed exactly as Decimals.

The grammar is Kubernetes' own: an optionally signed decimal number (``1``, ``1.5``, ``1.``,
``.5``) followed by a binary suffix (``Ki Mi Gi Ti Pi Ei``), a decimal suffix (``n u m "" k M G
T P E``) or a decimal exponent (``e3``, ``E-2``). ``E`` alone is the exa suffix.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, localcontext

from mtv_mcp.core.errors import MtvError

_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_NUMBER = re.compile(r"([+-]?)(\d+(?:\.\d*)?|\.\d+)(.*)", re.ASCII | re.DOTALL)
_EXPONENT = re.compile(r"[eE]([+-]?\d+)", re.ASCII)
_MAX_EXPONENT = 1000
_MAX_DIGITS = 100
# Enough significant digits for the longest number times the largest suffix (1024**6 has 19 digits)
# times 1000 (milli values): every result is exact.
_PRECISION = _MAX_DIGITS + 30
_HINT = "write a number with an optional suffix, e.g. 500m, 2, 1.5, 4Gi, 512Mi, 1G or 1e3"


def _multiplier(suffix: str, text: str) -> Decimal:
    if suffix in _BINARY:
        return Decimal(1024) ** _BINARY[suffix]
    if suffix in _DECIMAL:
        return Decimal(10) ** _DECIMAL[suffix]
    exponent = _EXPONENT.fullmatch(suffix)
    if exponent is not None:
        power = int(exponent.group(1))
        if abs(power) > _MAX_EXPONENT:
            raise MtvError(f"quantity {text!r} has an exponent beyond ±{_MAX_EXPONENT}", hint=_HINT)
        return Decimal(10) ** power
    raise MtvError(f"quantity {text!r} has an unknown suffix {suffix!r}", hint=_HINT)


def parse_quantity(value: str | int | float) -> Decimal:
    """The exact value of a Kubernetes quantity; ``MtvError`` saying what is wrong otherwise."""
    if isinstance(value, bool):
        raise MtvError(f"quantity {value!r} is a boolean, not a number", hint=_HINT)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise MtvError(f"quantity {value!r} is not a finite number", hint=_HINT)
        return Decimal(repr(value))
    if not isinstance(value, str):
        raise MtvError(f"quantity {value!r} is a {type(value).__name__}, not a string or number", hint=_HINT)
    match = _NUMBER.fullmatch(value)
    if match is None:
        problem = "is empty" if not value else "does not start with a number"
        raise MtvError(f"quantity {value!r} {problem}", hint=_HINT)
    sign, digits, suffix = match.groups()
    if len(digits) > _MAX_DIGITS:
        raise MtvError(f"quantity {value!r} has more than {_MAX_DIGITS} digits", hint=_HINT)
    with localcontext(prec=_PRECISION):
        result = Decimal(digits) * _multiplier(suffix, value)
    return -result if sign == "-" else result


def milli_value(value: str | int | float) -> int:
    """The quantity in thousandths, rounded up (Kubernetes' ``MilliValue``, used for CPU)."""
    quantity = parse_quantity(value)
    with localcontext(prec=_PRECISION):
        return math.ceil(quantity * 1000)


def int_value(value: str | int | float) -> int:
    """The quantity rounded up to a whole number (Kubernetes' ``Value``, used for bytes and counts)."""
    return math.ceil(parse_quantity(value))
