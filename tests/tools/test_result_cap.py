"""cap_structure: the JSON fits the cap whenever lists and long strings can be cut, the shape is
kept (same keys, lists stay lists), and what was cut is named."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mtv_mcp.tools._result_cap import cap_structure

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=300),
    lambda children: st.lists(children, max_size=30) | st.dictionaries(st.text(max_size=5), children, max_size=5),
    max_leaves=200,
)


def size(value: Any) -> int:
    return len(json.dumps(value, separators=(",", ":")))


@given(st.dictionaries(st.text(max_size=5), JSON, max_size=4), st.integers(min_value=1000, max_value=5000))
def test_the_result_keeps_its_keys_and_is_cut_only_when_too_big(value: dict[str, Any], limit: int) -> None:
    before = size(value)
    capped, cut = cap_structure(json.loads(json.dumps(value)), limit)
    assert set(capped) == set(value)
    if before <= limit:
        assert cut == []
        assert capped == value
    else:
        assert cut
        assert size(capped) < before


def test_a_long_list_is_cut_to_fit_and_named() -> None:
    capped, cut = cap_structure(
        {"vms": [{"name": f"vm-{i}", "pad": "x" * 50} for i in range(1000)], "total": 1000}, 5000
    )
    assert size(capped) <= 5000
    assert capped["total"] == 1000
    assert cut == [f"vms: 1000 items -> {len(capped['vms'])}"]
