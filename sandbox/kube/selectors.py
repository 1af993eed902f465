"""Label and field selectors with the syntax and semantics of the Kubernetes API.

Label selectors: comma-separated requirements ``key``, ``!key``, ``key=v``, ``key==v``,
``key!=v``, ``key in (a,b)``, ``key notin (a,b)``, ``key>n``, ``key<n``. ``!=`` and ``notin``
also match objects without the key. Field selectors: ``path=v``, ``path==v``, ``path!=v`` over a
per-kind set of supported paths (``\\,``, ``\\=`` and ``\\\\`` escape inside values).
Parse errors raise ``SelectorError`` naming the column.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

LabelOperator = Literal["=", "!=", "in", "notin", "exists", "!", "gt", "lt"]
_NAME = r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY_RE = re.compile(rf"^(?:[a-z0-9](?:[-a-z0-9.]{{0,251}}[a-z0-9])?/)?{_NAME}$")
_VALUE_RE = re.compile(rf"^(?:{_NAME})?$")
_TOKEN_RE = re.compile(r"\s*(==|!=|=|!|\(|\)|,|>|<|[^\s=!(),<>]+)")


class SelectorError(ValueError):
    """A selector the API server would reject; ``column`` is 1-based."""

    def __init__(self, message: str, text: str, column: int) -> None:
        super().__init__(f"unable to parse requirement: {message} (column {column} of {text!r})")
        self.column = column


@dataclass(frozen=True)
class Requirement:
    """One label requirement."""

    key: str
    operator: LabelOperator
    values: tuple[str, ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        has = self.key in labels
        value = labels.get(self.key)
        if self.operator == "=":
            return has and value == self.values[0]
        if self.operator == "!=":
            return not has or value != self.values[0]
        if self.operator == "in":
            return has and value in self.values
        if self.operator == "notin":
            return not has or value not in self.values
        if self.operator == "exists":
            return has
        if self.operator == "!":
            return not has
        number = _as_int(value) if value is not None else None
        if number is None:
            return False
        limit = int(self.values[0])
        return number > limit if self.operator == "gt" else number < limit

    def __str__(self) -> str:
        if self.operator == "exists":
            return self.key
        if self.operator == "!":
            return f"!{self.key}"
        if self.operator in ("in", "notin"):
            return f"{self.key} {self.operator} ({','.join(self.values)})"
        symbol = {"gt": ">", "lt": "<"}.get(self.operator, self.operator)
        return f"{self.key}{symbol}{self.values[0]}"


def _as_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class LabelSelector:
    """A conjunction of requirements; the empty selector matches everything."""

    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: Mapping[str, str] | None) -> bool:
        return all(req.matches(labels or {}) for req in self.requirements)

    def __str__(self) -> str:
        return ",".join(str(req) for req in self.requirements)


class _Tokens:
    def __init__(self, text: str) -> None:
        self.text = text
        self.items: list[tuple[str, int]] = []
        pos = 0
        while pos < len(text):
            match = _TOKEN_RE.match(text, pos)
            if not match or not match.group(1):
                if text[pos:].strip():
                    raise SelectorError(f"unexpected character {text[pos]!r}", text, pos + 1)
                break
            self.items.append((match.group(1), match.start(1) + 1))
            pos = match.end()
        self.index = 0

    def peek(self) -> tuple[str, int]:
        return self.items[self.index] if self.index < len(self.items) else ("", len(self.text) + 1)

    def take(self) -> tuple[str, int]:
        token = self.peek()
        self.index += 1
        return token


def _check_key(key: str, text: str, column: int) -> str:
    if not _KEY_RE.match(key):
        raise SelectorError(
            f"invalid label key {key!r}: a key is an optional DNS-subdomain prefix and '/', then a name of "
            "at most 63 characters of [A-Za-z0-9-_.], beginning and ending with an alphanumeric character",
            text,
            column,
        )
    return key


def _check_value(value: str, text: str, column: int) -> str:
    if not _VALUE_RE.match(value):
        raise SelectorError(
            f"invalid label value {value!r}: at most 63 characters of [A-Za-z0-9-_.], beginning and ending "
            "with an alphanumeric character",
            text,
            column,
        )
    return value


def parse_label_selector(text: str | None) -> LabelSelector:
    """Parse the ``labelSelector`` query parameter."""
    if not text or not text.strip():
        return LabelSelector()
    tokens = _Tokens(text)
    requirements: list[Requirement] = []
    while True:
        requirements.append(_parse_requirement(tokens, text))
        token, column = tokens.take()
        if token == "":
            return LabelSelector(tuple(requirements))
        if token != ",":
            raise SelectorError(f"found {token!r}, expected ','", text, column)


def _parse_requirement(tokens: _Tokens, text: str) -> Requirement:
    token, column = tokens.take()
    if token == "!":
        name, name_col = tokens.take()
        return Requirement(_check_key(name, text, name_col), "!")
    if token in ("", ",", "=", "==", "!=", "(", ")", ">", "<"):
        raise SelectorError(f"found {token or 'end of input'!r}, expected a label key", text, column)
    key = _check_key(token, text, column)
    op, op_col = tokens.peek()
    if op in ("", ","):
        return Requirement(key, "exists")
    tokens.take()
    if op in ("=", "==", "!="):
        value, value_col = tokens.peek()
        if value in ("", ","):
            return Requirement(key, "=" if op != "!=" else "!=", ("",))
        tokens.take()
        return Requirement(key, "!=" if op == "!=" else "=", (_check_value(value, text, value_col),))
    if op in (">", "<"):
        value, value_col = tokens.take()
        if _as_int(value) is None:
            raise SelectorError(f"for '{op}' the value must be an integer, found {value!r}", text, value_col)
        return Requirement(key, "gt" if op == ">" else "lt", (value,))
    if op in ("in", "notin"):
        return Requirement(key, op, _parse_set(tokens, text))  # type: ignore[arg-type]
    raise SelectorError(f"found {op!r}, expected one of '=', '==', '!=', 'in', 'notin', '>', '<', ','", text, op_col)


def _parse_set(tokens: _Tokens, text: str) -> tuple[str, ...]:
    token, column = tokens.take()
    if token != "(":
        raise SelectorError(f"found {token or 'end of input'!r}, expected '('", text, column)
    values: list[str] = []
    expect_value = True
    while True:
        token, column = tokens.take()
        if token == ")":
            if expect_value and values:
                values.append("")
            return tuple(sorted(set(values))) if values else ("",)
        if token == "":
            raise SelectorError("found end of input, expected ')'", text, column)
        if token == ",":
            if expect_value:
                values.append("")
            expect_value = True
            continue
        if not expect_value:
            raise SelectorError(f"found {token!r}, expected ',' or ')'", text, column)
        values.append(_check_value(token, text, column))
        expect_value = False


@dataclass(frozen=True)
class FieldRequirement:
    """One ``path=value`` or ``path!=value`` term of a field selector."""

    path: str
    value: str
    negated: bool = False


@dataclass(frozen=True)
class FieldSelector:
    """A conjunction of field terms; values are compared as strings."""

    requirements: tuple[FieldRequirement, ...] = ()

    def matches(self, obj: Mapping[str, Any]) -> bool:
        return all((field_value(obj, req.path) == req.value) != req.negated for req in self.requirements)


def _split_unescaped(text: str, separator: str) -> list[str]:
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            current += char
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def parse_field_selector(text: str | None, supported: Iterable[str]) -> FieldSelector:
    """Parse the ``fieldSelector`` query parameter; keys outside ``supported`` are rejected."""
    if not text or not text.strip():
        return FieldSelector()
    allowed = set(supported)
    terms: list[FieldRequirement] = []
    offset = 1
    for part in _split_unescaped(text, ","):
        match = re.match(r"^\s*([^=!\s]+)\s*(==|!=|=)(.*)$", part)
        if not match:
            raise SelectorError(
                f"invalid selector term {part!r}: expected 'field=value' or 'field!=value'", text, offset
            )
        path, op, raw = match.groups()
        if path not in allowed:
            raise SelectorError(
                f"field label not supported: {path} (supported: {', '.join(sorted(allowed))})", text, offset
            )
        terms.append(FieldRequirement(path, _unescape(raw.strip()), negated=op == "!="))
        offset += len(part) + 1
    return FieldSelector(tuple(terms))


def field_value(obj: Mapping[str, Any], path: str) -> str:
    """The string value of a dotted field path (``""`` when absent), as field selectors see it."""
    if path == "source":
        return field_value(obj, "source.component")
    current: Any = obj
    for part in path.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return ""
        current = current[part]
    if isinstance(current, bool):
        return "true" if current else "false"
    return "" if current is None else str(current)
