"""Hand-written tokenizer: quote-aware, case-insensitive keywords, dates, sized numbers."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator

from lark import Token

from mtv_mcp.core.errors import quoted
from mtv_mcp.core.tsl.ast import Step, Wildcard
from mtv_mcp.core.tsl.errors import MAX_QUERY_LENGTH, QueryError, query_error

KEYWORDS = {
    "and": "AND",
    "or": "OR",
    "not": "NOT",
    "like": "LIKE",
    "ilike": "ILIKE",
    "between": "BETWEEN",
    "in": "IN",
    "is": "IS",
    "null": "NULL",
    "true": "TRUE",
    "false": "FALSE",
    "select": "SELECT",
    "where": "WHERE",
    "limit": "LIMIT",
    "as": "AS",
    "asc": "DIRECTION",
    "desc": "DIRECTION",
}
FUNCTIONS = ("len", "sum", "any", "all")
CLAUSE_WORDS = ("select", "where", "order by", "sort by", "limit")

PUNCTUATION = {
    "(": "LPAR",
    ")": "_RPAR",
    "[": "LSQB",
    "]": "_RSQB",
    ",": "_COMMA",
    "+": "PLUS",
    "-": "MINUS",
    "*": "STAR",
    "/": "SLASH",
    "%": "PERCENT",
}
OPERATORS = (
    ("==", "EQ"),
    ("!=", "NE"),
    ("<>", "NE"),
    ("<=", "LE"),
    (">=", "GE"),
    ("~=", "MATCH"),
    ("~!", "NMATCH"),
    ("=", "EQ"),
    ("<", "LT"),
    (">", "GT"),
)
CHARACTER_HINTS = {
    "&": "use `and`",
    "|": "use `or`",
    "!": "use `!=` for 'not equal' or `not (...)` for negation",
    "~": "regular expressions use `~=` (matches) and `~!` (does not match)",
    '"': "close the string with the same quote that opened it",
    ".": "numbers need a digit on both sides of the dot (0.5); fields start with a letter",
}
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "\\": "\\", "'": "'", '"': '"', "`": "`"}
SUFFIXES = {"k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "p": 10**15}
BINARY_SUFFIXES = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50}

NUMBER_RE = re.compile(r"(?a)(\d+)(\.\d+)?([eE][+-]?\d+)?(?:([kKmMgGtTpP])([iI])?)?")
DATE_RE = re.compile(r"(?a)\d{4}-\d{2}-\d{2}")
TIMESTAMP_RE = re.compile(r"(?a)\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
ORDER_BY_RE = re.compile(r"(?i)(order|sort)\s+by(?![\w.\[/])")
WHITESPACE = " \t\r\n\f\v"
MAX_NUMBER = 1e300
MAX_NUMBER_DIGITS = 301
MAX_INDEX_DIGITS = 18


def tokenize(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text``; raise `QueryError` at the first bad character."""
    if len(text) > MAX_QUERY_LENGTH:
        raise query_error(
            f"the query is too long ({len(text)} characters; the limit is {MAX_QUERY_LENGTH})",
            text,
            MAX_QUERY_LENGTH,
            "split it into smaller queries or use `in [...]` lists instead of long `or` chains",
        )
    pos, end = 0, len(text)
    while pos < end:
        char = text[pos]
        if char in WHITESPACE:
            pos += 1
        elif char in "'\"`":
            token, pos = _string(text, pos)
            yield token
        elif "0" <= char <= "9":
            token, pos = _number_or_instant(text, pos)
            yield token
        elif char.isalpha() or char == "_":
            token, pos = _word(text, pos)
            yield token
        elif char in PUNCTUATION:
            yield _token(PUNCTUATION[char], char, pos)
            pos += 1
        else:
            for spelling, kind in OPERATORS:
                if text.startswith(spelling, pos):
                    yield _token(kind, spelling, pos)
                    pos += len(spelling)
                    break
            else:
                raise query_error(f"unexpected character {quoted(char)}", text, pos, CHARACTER_HINTS.get(char))


def _token(kind: str, value: str, pos: int) -> Token:
    return Token(kind, value, start_pos=pos, line=1, column=pos + 1, end_pos=pos + len(value))


def _string(text: str, start: int) -> tuple[Token, int]:
    quote, pos, out = text[start], start + 1, list[str]()
    while pos < len(text):
        char = text[pos]
        if char == quote:
            value = "".join(out)
            token = _instant_token(value, start, pos + 1 - start, text, strict=False)
            token = token or _token("STRING", value, start)
            token.end_pos = pos + 1
            return token, pos + 1
        if char == "\\" and pos + 1 < len(text):
            following = text[pos + 1]
            out.append(ESCAPES.get(following, "\\" + following))
            pos += 2
        else:
            out.append(char)
            pos += 1
    raise query_error("unterminated string", text, start, f"close it with {quote}; write \\{quote} for a quote inside")


def _instant_token(value: str, pos: int, width: int, text: str, *, strict: bool) -> Token | None:
    """A DATE or TIMESTAMP token when ``value`` is exactly a date or an RFC 3339 timestamp.

    An impossible date (month 13) is an error when unquoted (``strict``), plain text when quoted.
    """
    kind = "DATE" if DATE_RE.fullmatch(value) else "TIMESTAMP" if TIMESTAMP_RE.fullmatch(value) else None
    if kind is None:
        return None
    if parse_instant(value) is None:
        if not strict:
            return None
        raise query_error(f"{quoted(value)} is not a valid date or time", text, pos, "check the month, day and time")
    token = _token(kind, value, pos)
    token.end_pos = pos + width
    return token


def parse_instant(value: str) -> dt.datetime | None:
    """A timezone-aware datetime for a date (midnight UTC) or RFC 3339 text, else None."""
    try:
        if len(value) == 10:
            return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _number_or_instant(text: str, start: int) -> tuple[Token, int]:
    for pattern in (TIMESTAMP_RE, DATE_RE):
        found = pattern.match(text, start)
        if found and not _glued(text, found.end()):
            token = _instant_token(found.group(), start, found.end() - start, text, strict=True)
            if token is not None:
                return token, found.end()
    found = NUMBER_RE.match(text, start)
    assert found is not None  # a digit always matches
    stop = found.end()
    if _glued(text, stop) or (stop < len(text) and text[stop] == "."):
        bad = stop
        while bad < len(text) and (text[bad].isalnum() or text[bad] in "._+-"):
            bad += 1
        raise query_error(
            f"malformed number {quoted(text[start:bad])}",
            text,
            start,
            "numbers look like 42, 0.5, 1e6, 4Gi or 500G (suffixes k M G T P, binary Ki Mi Gi Ti Pi)",
        )
    value = number_value(found.group())
    if not abs(value) <= MAX_NUMBER:  # also catches inf and nan
        raise query_error(f"the number {_shorten(found.group())} is too large", text, start, f"at most {MAX_NUMBER:g}")
    return _token("NUMBER", found.group(), start), stop


def _shorten(spelling: str) -> str:
    return repr(spelling) if len(spelling) <= 40 else f"{spelling[:20]}...{spelling[-10:]} ({len(spelling)} characters)"


def _glued(text: str, pos: int) -> bool:
    return pos < len(text) and (text[pos].isalnum() or text[pos] == "_")


def number_value(spelling: str) -> int | float:
    """The value of a NUMBER token: 4096, 0.5, 1e3, 2Gi (binary) or 500G (decimal)."""
    found = NUMBER_RE.fullmatch(spelling)
    assert found is not None
    digits, fraction, exponent, suffix, binary = found.groups()
    scale = 1
    if suffix:
        scale = (BINARY_SUFFIXES if binary else SUFFIXES)[suffix.lower()]
    if fraction or exponent:
        value = float(digits + (fraction or "") + (exponent or "")) * scale
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    significant = digits.lstrip("0") or "0"
    if len(significant) > MAX_NUMBER_DIGITS:  # beyond MAX_NUMBER; int() of thousands of digits even raises
        return math.inf
    return int(significant) * scale


def _word(text: str, start: int) -> tuple[Token, int]:
    pos = start
    while pos < len(text) and (text[pos].isalnum() or text[pos] in "_./"):
        pos += 1
    lowered = text[start:pos].lower()
    clause = ORDER_BY_RE.match(text, start) if lowered in ("order", "sort") else None
    if clause:
        return _token("ORDER_BY", clause.group(), start), clause.end()
    if lowered in KEYWORDS:
        return _token(KEYWORDS[lowered], text[start:pos], start), pos
    if lowered in FUNCTIONS:
        following = pos
        while following < len(text) and text[following] in WHITESPACE:
            following += 1
        called = following < len(text) and text[following] == "("
        return _token("FUNC_CALL" if called else "FUNC", lowered, start), pos
    while pos < len(text) and text[pos] == "[":
        close = text.find("]", pos)
        if close < 0:
            raise query_error("unterminated `[` in a field path", text, pos, "close it with `]`, as in disks[0]")
        pos = close + 1
        while pos < len(text) and (text[pos].isalnum() or text[pos] in "_./"):
            pos += 1
    path_steps(text[start:pos], text, start)
    return _token("IDENT", text[start:pos], start), pos


def path_steps(spelling: str, text: str, start: int) -> tuple[Step, ...]:
    """Split a field path (``disks[*].capacity``, ``tags[0]``, ``labels['app.kubernetes.io']``)."""
    steps: list[Step] = []
    pos = 0
    while pos < len(spelling):
        if spelling[pos] == "[":
            close = spelling.index("]", pos)
            steps.append(_bracket(spelling[pos + 1 : close].strip(), text, start + pos))
            pos = close + 1
            if pos < len(spelling) and spelling[pos] == ".":
                pos += 1
                if pos == len(spelling) or spelling[pos] in ".[":
                    raise _empty_step(text, start + pos)
            continue
        stop = pos
        while stop < len(spelling) and spelling[stop] not in ".[":
            stop += 1
        if stop == pos:
            raise _empty_step(text, start + pos)
        steps.append(spelling[pos:stop])
        pos = stop
        if pos < len(spelling) and spelling[pos] == ".":
            pos += 1
            if pos == len(spelling) or spelling[pos] in ".[":
                raise _empty_step(text, start + pos)
    return tuple(steps)


def _bracket(inner: str, text: str, pos: int) -> Step:
    if inner == "*":
        return Wildcard()
    if inner.isascii() and inner.isdigit():
        if len(inner) > MAX_INDEX_DIGITS:
            raise query_error(f"the index [{_shorten(inner)}] is too large", text, pos, "lists are indexed from 0")
        return int(inner)
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        return inner[1:-1]
    if inner and all(char.isalnum() or char in "_-./" for char in inner):
        return inner
    raise query_error(
        f"unexpected {quoted('[' + inner + ']')} in a field path",
        text,
        pos,
        "use [*] for every element, [N] for one element, or ['key'] for a key",
    )


def _empty_step(text: str, pos: int) -> QueryError:
    return query_error("empty step in a field path", text, pos, "write paths like disks[*].capacity or cluster.name")
