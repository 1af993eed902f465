"""Decoding an inventory answer while it arrives, with its repeated small objects shared.

A VM list holds the same small objects over and over: ``{kind, id}`` references to folders,
datastores and networks, concerns, empty snapshots. Decoded naively, each occurrence is a dict of
its own (with its strings): 87 MB for 10,000 vSphere VMs (21 MB of JSON), 61 MB with them shared.
Here every non-empty object whose values are all strings (or null) and that equals one seen
before in the same answer is replaced by that one. The values are the same; only duplicates are
gone. Like everything in the inventory cache, the decoded data is read-only; ``enrich`` adds
fields only to VMs and disks, computed from the object's own values (the same for every holder
of a shared one). Sharing every repeated string as well saved 13 MB more at 10,000 VMs, for 40 ms
more per 10,000 VMs (a third more time than decoding itself): not taken.

A JSON array (a collection) is decoded in segments of whole elements as the body arrives, so the
whole body is never held at once: only the part not decoded yet. A segment ends at the last
``},`` whose brace count says it closes a top-level element; strings holding unbalanced braces
can mislead that count, but then decoding the segment fails (a JSON array cut anywhere but after
one of its elements is not JSON) and it is retried later with more of the body, at worst once the
whole body is in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

SEGMENT = 1 << 16  # small, so that the elements are still in the CPU's caches when their repeats are shared
# msgspec decodes inventory JSON 1.7x faster than ``json`` (with the collector paused, see
# ``memory``), straight from the response's bytes; orjson measured 1.4x. Dicts and lists as json.
_DECODER = msgspec.json.Decoder()
_WHITESPACE = b" \t\r\n"
_TEXT = frozenset({str, type(None)})  # == on them is exact (unlike 1 == 1.0 == True)


def share_repeats(value: Any, seen: dict[Any, Any]) -> None:
    """Replace, in place, each non-empty object of strings (or nulls) inside the dicts and lists of
    ``value`` by the first equal one in ``seen`` (recording new ones there)."""
    share = seen.setdefault
    all_text = _TEXT.issuperset
    pending = [value] if type(value) is dict or type(value) is list else []
    while pending:
        node = pending.pop()
        for key, item in node.items() if type(node) is dict else enumerate(node):
            kind = type(item)
            if kind is dict:
                if item and all_text(map(type, item.values())):
                    node[key] = share(tuple(item.items()), item)
                else:
                    pending.append(item)
            elif kind is list:
                pending.append(item)


def _balance(buffer: bytes | bytearray, start: int = 0, end: int | None = None) -> int:
    """Opening minus closing braces in ``buffer[start:end]`` (inside strings too). Braces suffice:
    an array's element ends where the braces of an object element balance again."""
    return buffer.count(b"{", start, end) - buffer.count(b"}", start, end)


class StreamDecoder:
    """Feed it the body's chunks, then ``finish()`` for the decoded JSON (``None`` if empty).

    ``segment``: the bytes buffered before the complete elements in them are decoded; ``shared``:
    whether repeated objects are shared (``share_repeats``); ``each``: called with each batch of
    an array's elements once they are decoded (and shared), while they are still in the CPU's
    caches, and not called for an answer that is not an array.
    """

    def __init__(
        self, segment: int = SEGMENT, *, shared: bool = True, each: Callable[[list[Any]], None] | None = None
    ) -> None:
        self.segment = segment
        self.received = 0
        self._buffer = bytearray()
        self._array: bool | None = None  # None until the first byte that is not whitespace
        self._items: list[Any] = []  # the array's elements decoded so far
        self._cut = False
        self._depth = 0  # the braces' balance in the buffer
        self._next_try = segment
        self._seen: dict[Any, Any] | None = {} if shared else None
        self._each = each

    @property
    def buffered(self) -> int:
        """Bytes received and not decoded yet."""
        return len(self._buffer)

    def feed(self, chunk: bytes) -> None:
        self.received += len(chunk)
        self._buffer += chunk
        if self._array is None:
            start = len(self._buffer) - len(self._buffer.lstrip(_WHITESPACE))
            if start == len(self._buffer):
                return
            self._array = self._buffer[start] == ord("[")
            del self._buffer[:start]  # an array's buffer starts with its '['
        if self._array:
            self._depth += _balance(chunk)
            if len(self._buffer) >= self._next_try:
                self._decode_complete_elements()

    def finish(self) -> Any:
        """The decoded answer (raises ``msgspec.DecodeError`` if it is not JSON)."""
        if self._array is None:
            return None  # nothing but whitespace
        buffer, self._buffer = self._buffer, bytearray()
        rest = _DECODER.decode(buffer)
        del buffer
        if self._seen is not None:
            share_repeats(rest, self._seen)
        if not self._array:
            return rest
        if self._cut and not rest:
            raise msgspec.DecodeError("the JSON array ends after a comma")
        if self._each is not None:
            self._each(rest)
        items, self._items = self._items, []
        items.extend(rest)
        return items

    def _decode_complete_elements(self) -> None:
        buffer = self._buffer
        end = self._last_element_end()
        if end is None:
            self._next_try = 2 * len(buffer)
            return
        buffer[end + 1] = ord("]")  # '[' ... '}' ']': the complete elements as an array
        try:
            with memoryview(buffer) as view, view[: end + 2] as elements:  # no copy; released before the cut
                decoded = _DECODER.decode(elements)
        except msgspec.DecodeError:
            buffer[end + 1] = ord(",")
            self._next_try = 2 * len(buffer)  # misled by braces in a string: wait for more
            return
        if self._seen is not None:
            share_repeats(decoded, self._seen)
        if self._each is not None:
            self._each(decoded)
        self._items.extend(decoded)
        del buffer[1 : end + 2]
        self._cut = True
        self._next_try = self.segment

    def _last_element_end(self) -> int | None:
        """Where the last ``}`` followed by ``,`` at the array's top level is, by brace counts."""
        buffer = self._buffer
        upto = len(buffer)
        depth = self._depth
        at = buffer.rfind(b"},", 1, upto)
        while at != -1:
            depth -= _balance(buffer, at + 1, upto)
            if depth == 0:
                return at
            upto = at + 1
            at = buffer.rfind(b"},", 1, at + 1)
        return None
