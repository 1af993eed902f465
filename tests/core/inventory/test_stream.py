"""Decoding inventory answers as they arrive: the same JSON as a whole-body decode, repeats shared,
the body never held whole."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mtv_mcp.core.inventory.stream import StreamDecoder, share_repeats

# Strings with the characters that matter to the segmenting: braces, commas, quotes, escapes.
TEXT = st.text(alphabet=st.sampled_from('ab{}[],:"\\ é'), max_size=6)
SCALARS = st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2, allow_nan=False) | TEXT
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)


def decode_in_chunks(body: bytes, size: int, segment: int = 1) -> Any:
    """``body`` fed ``size`` bytes at a time (cut into segments as often as possible by default)."""
    decoder = StreamDecoder(segment)
    for start in range(0, len(body), size):
        decoder.feed(body[start : start + size])
    return decoder.finish()


def same(left: Any, right: Any) -> bool:
    """Equal with the JSON types kept (``==`` alone says 1 == 1.0 == True)."""
    return json.dumps(left, sort_keys=False) == json.dumps(right, sort_keys=False)


@settings(max_examples=300)
@given(
    items=st.lists(st.dictionaries(TEXT, JSON, max_size=5) | JSON, max_size=12),
    chunk=st.integers(1, 40),
    segment=st.integers(1, 64),
    compact=st.booleans(),
)
def test_any_json_decodes_as_a_whole_body_decode_would(
    items: list[Any], chunk: int, segment: int, compact: bool
) -> None:
    body = json.dumps(items, separators=(",", ":") if compact else None).encode()
    assert same(decode_in_chunks(body, chunk, segment), json.loads(body))


@given(value=JSON, chunk=st.integers(1, 40))
def test_an_answer_that_is_not_an_array_decodes_too(value: Any, chunk: int) -> None:
    body = b" \n" + json.dumps(value).encode()
    assert same(decode_in_chunks(body, chunk), value)


def test_an_empty_answer_is_none() -> None:
    assert StreamDecoder().finish() is None
    assert decode_in_chunks(b"  \r\n\t ", 1) is None


@pytest.mark.parametrize(
    "body",
    [
        b'[{"a":"b"},{"a":"c"}',  # cut short
        b'[{"a":"b"},]',  # a trailing comma after a segment was cut
        b'[{"a":"b"},{"a":"c"}] x',  # something after the array
        b'[{"a":"b"},{"a":}]',
        b"<html>not json</html>",
    ],
)
def test_what_is_not_json_is_refused(body: bytes) -> None:
    with pytest.raises(msgspec.DecodeError):
        decode_in_chunks(body, 3)


def test_equal_objects_of_strings_become_one_object() -> None:
    vm = {
        "powerState": "poweredOn",
        "parent": {"kind": "Folder", "id": "group-v1"},
        "snapshot": {"kind": "", "id": None},
        "concerns": [{"id": "c1", "label": "Shared disk", "category": "Warning"}],
        "disks": [{"bus": "scsi", "datastore": {"kind": "Datastore", "id": "ds-1"}, "capacity": 1}],
    }
    vms = decode_in_chunks(json.dumps([vm, vm, vm], separators=(",", ":")).encode(), 7)  # across segments too
    assert vms == [vm, vm, vm]
    first, *others = vms
    for other in others:
        assert other["parent"] is first["parent"]
        assert other["snapshot"] is first["snapshot"]
        assert other["concerns"][0] is first["concerns"][0]
        assert other["disks"][0]["datastore"] is first["disks"][0]["datastore"]
        assert other["disks"][0] is not first["disks"][0]  # holds a number: enrichment adds to it
        assert other["concerns"] is not first["concerns"]  # lists are never shared


def test_objects_equal_only_by_python_equality_stay_apart() -> None:
    items: list[Any] = [{"a": 1}, {"a": True}, {"a": 1.0}, {"a": "1"}, {"a": None}, {"a": "1"}, {}, {}]
    share_repeats(items, {})
    assert same(items, [{"a": 1}, {"a": True}, {"a": 1.0}, {"a": "1"}, {"a": None}, {"a": "1"}, {}, {}])
    assert items[5] is items[3]
    assert items[1] is not items[0]
    assert items[2] is not items[0]
    assert items[7] is not items[6]  # an empty object could be filled in place: never shared
    keyed = [{"a": "x", "b": "y"}, {"b": "y", "a": "x"}]
    share_repeats(keyed, {})
    assert list(keyed[1]) == ["b", "a"]  # the order of the fields is kept


def test_the_body_is_never_held_whole() -> None:
    element = {"name": "vm", "disks": [{"file": "[ds] vm/vm.vmdk", "capacity": 10}], "notes": "x" * 200}
    body = json.dumps([element] * 2000, separators=(",", ":")).encode()
    decoder = StreamDecoder(4096)
    largest = 0
    for start in range(0, len(body), 1024):
        decoder.feed(body[start : start + 1024])
        largest = max(largest, decoder.buffered)
    assert len(decoder.finish()) == 2000
    assert largest <= 4096 + 1024  # a segment and a chunk, of more than 500 KB
    assert len(body) > 100 * largest


def test_braces_inside_strings_only_delay_the_cut() -> None:
    items = [{"name": "}},{"}, {"name": "{{"}, *({"name": f"vm-{i}"} for i in range(50))]
    body = json.dumps(items, separators=(",", ":")).encode()
    assert decode_in_chunks(body, 16, 64) == items


@given(count=st.integers(0, 60), chunk=st.integers(1, 50), segment=st.integers(1, 200))
def test_each_batch_is_handed_over_once_in_order(count: int, chunk: int, segment: int) -> None:
    batches: list[list[Any]] = []
    decoder = StreamDecoder(segment, each=batches.append)
    elements = [{"n": n, "parent": {"kind": "Folder", "id": "f"}} for n in range(count)]
    body = json.dumps(elements, separators=(",", ":")).encode()
    for start in range(0, len(body), chunk):
        decoder.feed(body[start : start + chunk])
    items = decoder.finish()
    assert [item for batch in batches for item in batch] == items
    assert [item["n"] for item in items] == list(range(count))


def test_each_is_not_called_for_an_answer_that_is_not_an_array() -> None:
    batches: list[list[Any]] = []
    decoder = StreamDecoder(1, each=batches.append)
    decoder.feed(b'{"vsphere": [{"name": "a"}]}')
    assert decoder.finish() == {"vsphere": [{"name": "a"}]}
    assert batches == []
