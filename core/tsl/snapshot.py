"""Records that do not change, and what a query may learn about them once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import NoneType
from typing import Any

from mtv_mcp.core.tsl.ast import Wildcard


class Missing:
    """Stands for "no such key" among the types `Snapshot.types_at` reports."""


class Snapshot(tuple[dict[str, Any], ...]):
    """An immutable sequence of records (the cached VMs of one inventory fetch).

    Queries ask which value types occur at a path (``types_at``); the answer is learned with
    one pass over the records and kept, so later queries on the same snapshot run without the
    type checks that the data proves unnecessary. The records must not be mutated once they
    are in a snapshot: the inventory cache builds them, then only reads them.
    """

    _types: dict[tuple[str | Wildcard, ...], frozenset[type]]

    def __new__(cls, records: Iterable[dict[str, Any]] = ()) -> Snapshot:
        snapshot = super().__new__(cls, records)
        snapshot._types = {}
        return snapshot

    def types_at(self, steps: tuple[str | Wildcard, ...]) -> frozenset[type]:
        """The types of the values at ``steps``, `Missing` where a key is.

        ``steps`` are keys of nested objects, or `Wildcard` for each element of a list. Values
        where a key meets something other than an object, or a wildcard something other than a
        list, are left out: a query's fast form does not read a value there.
        """
        known = self._types.get(steps)
        if known is None:
            known = self._types[steps] = frozenset(_types_at(self, steps))
        return known

    def lacks(self, steps: tuple[str | Wildcard, ...], types: tuple[type, ...]) -> bool:
        """Whether no record has a value of one of ``types`` at ``steps``."""
        return self.types_at(steps).isdisjoint(types)

    def only(self, steps: tuple[str | Wildcard, ...], types: tuple[type, ...]) -> bool:
        """Whether every value at ``steps`` (`Missing` for a missing key) is of one of ``types``."""
        return self.types_at(steps) <= set(types)

    def knows(self, steps: tuple[str | Wildcard, ...], types: tuple[type, ...], only: bool) -> bool:
        """The answer to a compiler's question: `only` if ``only`` else `lacks`."""
        return self.only(steps, types) if only else self.lacks(steps, types)


def _types_at(records: Sequence[dict[str, Any]], steps: tuple[str | Wildcard, ...]) -> set[type]:
    found: set[type] = set()
    layer: Sequence[Any] = records
    objects: Sequence[Mapping[str, Any]] = records  # a snapshot holds dicts
    for depth, step in enumerate(steps):
        if depth and not isinstance(step, Wildcard):
            objects = [value for value in layer if type(value) is dict or _other_mapping(value)]
        if isinstance(step, Wildcard):
            layer = [item for value in layer if type(value) is list for item in value]
            continue
        layer = [value[step] for value in objects if step in value]
        if len(layer) < len(objects):
            found.add(Missing)
    found.update(map(type, layer))
    return found


def _other_mapping(value: Any) -> bool:
    return type(value) not in JSON_NON_OBJECTS and isinstance(value, Mapping)


JSON_NON_OBJECTS = frozenset({str, int, float, bool, list, NoneType})
