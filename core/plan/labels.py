"""``k=v,k=v`` text (kubectl-mtv's label and node-selector flags) ↔ maps, and label checks."""

from __future__ import annotations

from collections.abc import Mapping

from mtv_mcp.core.errors import MtvError, quoted
from mtv_mcp.core.kube_labels import validate_label_key, validate_label_value

LabelInput = Mapping[str, str] | str | None
_FORMS = 'write \'key=value,key2=value2\' or pass a map {"key": "value"}'


def parse_key_values(text_or_map: LabelInput, field: str) -> dict[str, str]:
    """A map from ``k=v,k=v`` text or a map; ``None`` and blank text give ``{}``.

    Text is read as kubectl-mtv reads it: split on commas, blank items skipped, each item split
    at its first ``=``, keys and values trimmed. Unlike kubectl-mtv, an item without ``=``, an
    empty key, or one key given two different values raises ``MtvError`` naming ``field``.
    """
    if text_or_map is None:
        return {}
    if isinstance(text_or_map, str):
        return _parse_text(text_or_map, field)
    if not isinstance(text_or_map, Mapping):
        raise MtvError(f"expected a map or 'k=v' text, got {type(text_or_map).__name__}", field=field, hint=_FORMS)
    result: dict[str, str] = {}
    for key, value in text_or_map.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise MtvError(
                f"key {quoted(key)} has value {quoted(value)}; keys and values must be strings",
                field=field,
                hint='quote numbers and booleans, e.g. {"wave": "1"}',
            )
        result[key] = value
    return result


def _parse_text(text: str, field: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for position, raw in enumerate(text.split(","), start=1):
        item = raw.strip()
        if not item:
            continue
        key, equals, value = item.partition("=")
        key, value = key.strip(), value.strip()
        if not equals:
            raise MtvError(f"item {position} {quoted(item)} is not a key=value pair", field=field, hint=_FORMS)
        if not key:
            raise MtvError(f"item {position} {quoted(item)} has no key before '='", field=field, hint=_FORMS)
        if key in result and result[key] != value:
            raise MtvError(
                f"key {quoted(key)} is given twice, as {quoted(result[key])} and {quoted(value)}",
                field=field,
                hint="give each key once",
            )
        result[key] = value
    return result


def format_key_values(mapping: Mapping[str, str]) -> str:
    """The ``k=v,k=v`` text of a map (sorted by key), as kubectl-mtv's flags take it."""
    return ",".join(f"{key}={mapping[key]}" for key in sorted(mapping))


def check_labels(mapping: Mapping[str, str], field: str) -> None:
    """Raise ``MtvError`` for the first key or value Kubernetes would reject."""
    for key, value in mapping.items():
        problem = validate_label_key(key)
        if problem:
            raise MtvError(
                f"key {quoted(key)}: {problem}", field=field, hint="fix the key, e.g. 'team' or 'example.com/team'"
            )
        problem = validate_label_value(value)
        if problem:
            raise MtvError(
                f"value {quoted(value)} of key {quoted(key)}: {problem}",
                field=field,
                hint="label values are at most 63 characters of letters, digits, '-', '_' and '.'",
            )
