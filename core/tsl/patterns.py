"""Matchers for ``like``/``ilike`` patterns and RE2 regular expressions.

Both are compiled once per pattern. Patterns that are plain text (``%db%``, ``(?i).*windows.*``)
become substring tests; everything else runs on RE2 (linear time, no backtracking).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Literal, NamedTuple

import re2
from re2 import _re2  # the binding's matcher: ~5x faster than re2.search, same engine

Matcher = Callable[[str], bool]
Where = Literal["equal", "prefix", "suffix", "within"]

_LITERAL = re.compile(r"(?:[\w \-,:;=@#'\"/<>!&]|\\[.\\+*?()\[\]{}|^$/-])*")
_UNANCHORED = re2._Anchor.UNANCHORED
_ANCHORED = re2._Anchor.ANCHOR_BOTH


@lru_cache(maxsize=1024)
def regex_matcher(pattern: str) -> Matcher:
    """A search (unanchored) with RE2 syntax; raises ValueError for an invalid pattern."""
    compiled = _compile(pattern)
    literal = regex_literal(pattern)
    return literal_matcher(literal) if literal is not None else _search(compiled, _UNANCHORED)


@lru_cache(maxsize=1024)
def like_matcher(pattern: str, insensitive: bool) -> Matcher:
    """``like``: ``%`` is any run of characters, ``_`` one character, the rest is literal."""
    literal = like_literal(pattern, insensitive)
    if literal is not None:
        return literal_matcher(literal)
    if insensitive:
        lowered = like_matcher(pattern.lower(), False)
        return lambda value: lowered(value.lower())
    regex = "(?s)" + "".join(".*" if c == "%" else "." if c == "_" else re2.escape(c) for c in pattern)
    return _search(_compile(regex), _ANCHORED)


class PlainText(NamedTuple):
    """A pattern that is plain text: ``value`` is, starts with, ends with or contains ``text``."""

    text: str
    where: Where
    insensitive: bool


def like_literal(pattern: str, insensitive: bool) -> PlainText | None:
    """The plain-text form of a ``like`` pattern (``db``, ``db%``, ``%db``, ``%db%``), or None."""
    text = pattern.lower() if insensitive else pattern
    if "_" in text:
        return None
    pieces = text.split("%")
    if len(pieces) == 1:
        return PlainText(text, "equal", insensitive)
    if len(pieces) == 2 and pieces[0] and not pieces[1]:
        return PlainText(pieces[0], "prefix", insensitive)
    if len(pieces) == 2 and not pieces[0]:
        return PlainText(pieces[1], "suffix", insensitive)
    if len(pieces) == 3 and not pieces[0] and not pieces[2]:
        return PlainText(pieces[1], "within", insensitive)
    return None


def literal_matcher(literal: PlainText) -> Matcher:
    """The test for a plain-text pattern."""
    text = literal.text
    if literal.where == "equal":
        test: Matcher = text.__eq__
    elif literal.where == "prefix":
        test = lambda value: value.startswith(text)  # noqa: E731
    elif literal.where == "suffix":
        test = lambda value: value.endswith(text)  # noqa: E731
    else:
        test = lambda value: text in value  # noqa: E731
    return (lambda value: test(value.lower())) if literal.insensitive else test


def validate_regex(pattern: str) -> str | None:
    """The RE2 error message for an invalid pattern, or None."""
    try:
        regex_matcher(pattern)
    except ValueError as error:
        return str(error)
    return None


def _compile(pattern: str) -> object:
    options = re2.Options()
    options.never_capture = True
    options.log_errors = False
    compiled = _re2.RE2(pattern.encode(), options)
    if not compiled.ok():
        raise ValueError(compiled.error().decode(errors="replace"))
    return compiled


def _search(compiled: object, anchor: object) -> Matcher:
    match = compiled.Match  # type: ignore[attr-defined]

    def test(value: str) -> bool:
        encoded = value.encode()
        return match(anchor, encoded, 0, len(encoded))[0][0] >= 0  # type: ignore[no-any-return]

    return test


def regex_literal(pattern: str) -> PlainText | None:
    """The plain-text form of a regex: ``(?i)``-flagged text with optional ``.*``/``^``/``$`` ends."""
    text, insensitive = pattern, False
    if text.startswith("(?i)"):
        text, insensitive = text[4:], True
    start = text.startswith("^")
    text = text.removeprefix("^") if start else text.removeprefix(".*")
    end = text.endswith("$") and not text.endswith("\\$")
    text = text[:-1] if end else text.removesuffix(".*") if not text.endswith("\\.*") else text
    if not _LITERAL.fullmatch(text) or not text.isascii():
        return None
    literal = re.sub(r"\\(.)", r"\1", text)
    if insensitive:
        literal = literal.lower()
    where: Where = "equal" if start and end else "prefix" if start else "suffix" if end else "within"
    return PlainText(literal, where, insensitive)
