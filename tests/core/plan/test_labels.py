"""parse_key_values: kubectl-mtv's k=v,k=v reading, with errors naming the argument."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.core.errors import MtvError
from mtv_mcp.core.plan import format_key_values, parse_key_values
from mtv_mcp.core.plan.labels import check_labels

KEY_CHARS = string.ascii_letters + string.digits + "-_./"
VALUE_CHARS = string.ascii_letters + string.digits + "-_."
keys = st.text(KEY_CHARS, min_size=1, max_size=20).filter(lambda k: k.strip() and "=" not in k)
values = st.text(VALUE_CHARS, max_size=20)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a=1,b=2", {"a": "1", "b": "2"}),
        (" a = 1 , , b=x=y ,", {"a": "1", "b": "x=y"}),
        ("k=", {"k": ""}),
        ("a=1,a=1", {"a": "1"}),
        ("", {}),
        ("  ", {}),
        (None, {}),
        ({"a": "1"}, {"a": "1"}),
    ],
)
def test_parses(text: object, expected: dict[str, str]) -> None:
    assert parse_key_values(text, "convertor_labels") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("a=1,b", "item 2 'b' is not a key=value pair"),
        ("=x", "item 1 '=x' has no key"),
        ("a=1,a=2", "key 'a' is given twice, as '1' and '2'"),
        ({"wave": 1}, "keys and values must be strings"),
        (["a=1"], "expected a map or 'k=v' text, got list"),
    ],
)
def test_errors_name_the_argument(text: object, fragment: str) -> None:
    with pytest.raises(MtvError) as error:
        parse_key_values(text, "convertor_node_selector")  # type: ignore[arg-type]
    assert error.value.field == "convertor_node_selector"
    assert fragment in error.value.message
    assert str(error.value).startswith("convertor_node_selector: ")
    assert error.value.hint


@given(st.dictionaries(keys, values, max_size=6))
def test_format_then_parse_round_trips(mapping: dict[str, str]) -> None:
    trimmed = {key.strip(): value for key, value in mapping.items()}
    assert parse_key_values(format_key_values(trimmed), "x") == trimmed


@given(st.text(max_size=60))
def test_any_text_parses_or_fails_clearly(text: str) -> None:
    try:
        result = parse_key_values(text, "target_labels")
    except MtvError as error:
        failed_field = error.field
    else:
        failed_field = None
    if failed_field is not None:
        assert failed_field == "target_labels"
        return
    for key, value in result.items():
        assert key
        assert key == key.strip()
        assert value == value.strip()
        assert "," not in key + value


def test_label_syntax_checks() -> None:
    check_labels({"example.com/team": "a.b_c-1", "k": ""}, "target_labels")
    with pytest.raises(MtvError, match="key 'a/b/c'") as error:
        check_labels({"a/b/c": "x"}, "target_labels")
    assert error.value.field == "target_labels"
    with pytest.raises(MtvError, match="64 characters"):
        check_labels({"k": "v" * 64}, "target_labels")
