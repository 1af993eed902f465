"""The lark parser for KARL and the translation of its syntax errors into ``RuleError``."""

from __future__ import annotations

import functools
from pathlib import Path

from lark import Lark, Token, Tree, UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from mtv_mcp.core.errors import quoted
from mtv_mcp.core.karl.errors import RuleError
from mtv_mcp.core.parser_cache import parser_cache

SELECTOR_FORMS = "key=value, key!=value, key in [a, b], key not in [a, b], has key or not has key"

_TERMINALS = {
    "WORD": "a word",
    "KEY": "a label key",
    "VALUE": "a label value",
    "STRING": "a quoted label value",
    "HAS": "'has'",
    "NOT_HAS": "'not has'",
    "IN_OPEN": "'in ['",
    "NOT_IN_OPEN": "'not in ['",
    "EQ": "'='",
    "NE": "'!='",
    "LPAR": "'('",
    "RPAR": "')'",
    "COMMA": "','",
    "RSQB": "']'",
    "ON": "'on'",
    "TOPO": "a topology",
    "IN_KW": "'in'",
    "ALL_NAMESPACES": "'all namespaces'",
    "NAMESPACES": "'namespaces('",
    "OPTION": "'weight=N'",
    "_SEMI": "';'",
    "$END": "the end of the rule",
}


@functools.cache
def karl_parser() -> Lark:
    """The compiled LALR parser (built once)."""
    grammar = (Path(__file__).parent / "karl.lark").read_text(encoding="utf-8")
    return Lark(
        grammar, parser="lalr", lexer="contextual", propagate_positions=True, cache=parser_cache("karl", grammar)
    )


def parse_tree(text: str, *, field: str | None) -> Tree[Token]:
    """Parse ``text`` into a lark tree; a syntax error becomes a ``RuleError``."""
    try:
        return karl_parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text, field) from None


def _syntax_error(error: UnexpectedInput, text: str, field: str | None) -> RuleError:
    expected: set[str]
    offset: int
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream or 0
        found = repr(text[offset]) if offset < len(text) else "end of the rule"
        expected = set(error.allowed or ())
    elif isinstance(error, UnexpectedToken):
        token = error.token
        if token.type == "$END":
            offset, found = len(text.rstrip()), "end of the rule"
        else:
            offset, found = token.start_pos or 0, quoted(str(token))
        expected = set(error.expected)
    else:
        assert isinstance(error, UnexpectedEOF)
        offset, found = len(text.rstrip()), "end of the rule"
        expected = set(error.expected)
    names = sorted({_TERMINALS.get(name, name) for name in expected if name in _TERMINALS})
    message = f"unexpected {found}; expected {' or '.join(names) if names else 'something else'}"
    return RuleError(message, source=text, column=offset + 1, hint=_hint(expected, text, offset), field=field)


def _hint(expected: set[str], text: str, offset: int) -> str:
    rest = text[offset:].lstrip()
    if "KEY" in expected or "HAS" in expected:
        if rest.startswith("="):
            return "a selector needs a label key before '=': write key=value"
        return f"write label selectors separated by commas: {SELECTOR_FORMS}"
    if "IN_OPEN" in expected:
        if rest[:1] == "!" and not rest.startswith("!="):
            return "write key!=value, or key not in [a, b]"
        return "after a label key write =value, !=value, in [a, b] or not in [a, b] (lists use [ ])"
    if "VALUE" in expected:
        return "write a label value (letters, digits, '-', '_', '.'; quotes are allowed)"
    if "RSQB" in expected and _innermost_open(text[:offset]) == "[":
        return "separate list values with ',' and close the list with ']'"
    if "RPAR" in expected:
        return "separate selectors with ',' and close the selector list with ')'"
    if "ALL_NAMESPACES" in expected:
        return "write 'in namespaces(name, ...)', 'in namespaces(label=value)' or 'in all namespaces'"
    if "TOPO" in expected:
        return "write the topology after 'on': node, zone, region or rack"
    if "LPAR" in expected:
        return "the target is pods(label selectors) or nodes(label selectors), with '(' right after it"
    if "WORD" in expected:
        if rest.startswith("("):
            return "start the rule with its type: REQUIRE, PREFER, AVOID or REPEL"
        return (
            "a rule reads: REQUIRE|PREFER|AVOID|REPEL pods(selectors) on node|zone|region|rack "
            "[weight=N]; several rules are separated by ';'"
        )
    return "a rule reads: REQUIRE|PREFER|AVOID|REPEL pods(selectors) on node|zone|region|rack [weight=N]"


def _innermost_open(text: str) -> str | None:
    """The innermost bracket, '(' or '[', still open at the end of ``text``."""
    stack: list[str] = []
    for char in text:
        if char in "([":
            stack.append(char)
        elif char in ")]" and stack:
            stack.pop()
    return stack[-1] if stack else None
