"""Kubernetes quantity parsing: exact values, every suffix, clear errors."""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.quantity import int_value, milli_value, parse_quantity

BINARY = {"Ki": 1024, "Mi": 1024**2, "Gi": 1024**3, "Ti": 1024**4, "Pi": 1024**5, "Ei": 1024**6}
DECIMAL = {
    "n": Decimal("1e-9"),
    "u": Decimal("1e-6"),
    "m": Decimal("0.001"),
    "": Decimal(1),
    "k": Decimal(1000),
    "M": Decimal(10**6),
    "G": Decimal(10**9),
    "T": Decimal(10**12),
    "P": Decimal(10**15),
    "E": Decimal(10**18),
}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("100m", Decimal("0.1")),
        ("2", Decimal(2)),
        ("4Gi", Decimal(4 * 1024**3)),
        ("1.5G", Decimal(1_500_000_000)),
        ("500Mi", Decimal(500 * 1024**2)),
        ("1e3", Decimal(1000)),
        ("1E3", Decimal(1000)),
        ("1E", Decimal(10**18)),
        ("2.5e-3", Decimal("0.0025")),
        (".5", Decimal("0.5")),
        ("1.", Decimal(1)),
        ("-2Ki", Decimal(-2048)),
        ("+3k", Decimal(3000)),
        ("1k", Decimal(1000)),
        (7, Decimal(7)),
        (0.25, Decimal("0.25")),
    ],
)
def test_examples(text: str | int | float, value: Decimal) -> None:
    assert parse_quantity(text) == value


def test_rounding_helpers_round_up_like_kubernetes() -> None:
    assert milli_value("1") == 1000
    assert milli_value("0.0001") == 1
    assert milli_value("250m") == 250
    assert int_value("1.5") == 2
    assert int_value("768Mi") == 768 * 1024**2


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "is empty"),
        ("abc", "does not start with a number"),
        ("Gi", "does not start with a number"),
        ("1x", "unknown suffix 'x'"),
        ("1 Gi", "unknown suffix ' Gi'"),
        (" 1", "does not start with a number"),
        ("1e", "unknown suffix 'e'"),
        ("1KI", "unknown suffix 'KI'"),
        ("1e99999", "exponent beyond"),
        (True, "boolean"),
        (float("inf"), "not a finite number"),
        ("9" * 101, "more than 100 digits"),
    ],
)
def test_errors_say_what_is_wrong(text: str | float, problem: str) -> None:
    with pytest.raises(MtvError, match="quantity") as info:
        parse_quantity(text)
    assert problem in str(info.value)
    assert "hint:" in str(info.value)


numbers = st.decimals(
    min_value=Decimal("-1e12"), max_value=Decimal("1e12"), allow_nan=False, allow_infinity=False, places=4
)


@given(numbers, st.sampled_from(sorted(BINARY)))
def test_binary_suffixes_are_exact(number: Decimal, suffix: str) -> None:
    with localcontext(prec=200):  # the expected value, computed exactly
        assert parse_quantity(f"{number:f}{suffix}") == number * BINARY[suffix]


@given(numbers, st.sampled_from(sorted(DECIMAL)))
def test_decimal_suffixes_are_exact(number: Decimal, suffix: str) -> None:
    with localcontext(prec=200):
        assert parse_quantity(f"{number:f}{suffix}") == number * DECIMAL[suffix]


@given(numbers, st.integers(min_value=-30, max_value=30))
def test_exponents_are_exact(number: Decimal, exponent: int) -> None:
    with localcontext(prec=200):
        assert parse_quantity(f"{number:f}e{exponent}") == number.scaleb(exponent)


def _outcome(text: str) -> Decimal | str:
    try:
        return parse_quantity(text)
    except MtvError as exc:
        return str(exc)


@given(st.text(max_size=12))
def test_any_text_parses_or_raises_mtv_error(text: str) -> None:
    outcome = _outcome(text)
    assert isinstance(outcome, Decimal) or repr(text) in outcome
