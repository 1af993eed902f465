"""Text → typed KARL rules: the lark tree is walked left to right so the first error wins."""

from __future__ import annotations

from collections.abc import Sequence

from lark import Token, Tree

from mtv_mcp.core.errors import quoted
from mtv_mcp.core.karl import validation
from mtv_mcp.core.karl.errors import RuleError
from mtv_mcp.core.karl.grammar import parse_tree
from mtv_mcp.core.karl.model import (
    NamespaceScope,
    Operator,
    Position,
    Rule,
    Selector,
    TargetKind,
    Topology,
)
from mtv_mcp.core.karl.ruleset import RuleSet

_SHAPE_HINT = f"a rule reads: {validation.RULE_SHAPE}"
_OPERATORS = {
    "equals": Operator.EQUALS,
    "not_equals": Operator.NOT_IN,
    "in_list": Operator.IN,
    "not_in_list": Operator.NOT_IN,
    "exists": Operator.EXISTS,
    "not_exists": Operator.DOES_NOT_EXIST,
}


def parse_rules(text_or_list: str | Sequence[str]) -> RuleSet:
    """Parse one rule text or a list of them (each may hold several rules separated by ';').

    Raises ``RuleError`` (column, caret and hint); with a list, every invalid text is reported.
    """
    texts = [text_or_list] if isinstance(text_or_list, str) else list(text_or_list)
    if not texts:
        raise RuleError("no KARL rule given", source="", column=1, hint=_SHAPE_HINT)
    rules: list[Rule] = []
    errors: list[RuleError] = []
    for index, text in enumerate(texts):
        field = None if isinstance(text_or_list, str) else f"rules[{index}]"
        try:
            rules.extend(parse_text(text, field=field))
        except RuleError as error:
            errors.append(error)
    if errors:
        raise RuleError.combine(errors)
    validation.contradictions(rules)
    return RuleSet(tuple(rules))


def parse_text(text: str, *, field: str | None = None) -> list[Rule]:
    """The rules of one text."""
    if not isinstance(text, str):
        raise RuleError(
            f"a KARL rule must be text, got {type(text).__name__}", source=repr(text), column=1, field=field
        )
    if not text.replace(";", "").strip():
        raise RuleError(
            "the rule text is empty",
            source=text,
            column=1,
            field=field,
            hint=_SHAPE_HINT,
        )
    tree = parse_tree(text, field=field)
    return [_RuleReader(text, field).rule(child) for child in tree.children if isinstance(child, Tree)]


class _RuleReader:
    """Turns one ``rule`` subtree into a ``Rule``, checking each part in source order."""

    def __init__(self, source: str, field: str | None) -> None:
        self.source = source
        self.field = field

    def at(self, token: Token) -> Position:
        return Position(self.source, (token.start_pos or 0) + 1, self.field)

    def rule(self, tree: Tree[Token]) -> Rule:
        type_token, target_tree, *rest = tree.children
        assert isinstance(type_token, Token)
        assert isinstance(target_tree, Tree)
        rule_type = validation.rule_type(str(type_token), self.at(type_token))
        kind_token = target_tree.children[0]
        assert isinstance(kind_token, Token)
        kind = validation.target_kind(str(kind_token), self.at(kind_token))
        selectors = self.selectors(target_tree, kind.value)
        scope: NamespaceScope | None = None
        placement: Topology | None = None
        weight: int | None = None
        seen_on = False
        last = target_tree.children[-1]
        for part in rest:
            assert isinstance(part, Tree)
            if part.data in ("all_namespaces", "some_namespaces"):
                scope = self.scope(part)
            elif part.data == "placement":
                placement = self.placement(part, kind)
                seen_on = True
            else:
                token = part.children[0]
                assert isinstance(token, Token)
                if token.type != "OPTION" or weight is not None:
                    if token.type == "OPTION":
                        raise RuleError.at(self.at(token), "weight is given twice", "keep one weight=N")
                    raise validation.stray_word(str(token), self.at(token), seen_topology=seen_on)
                weight = validation.weight(str(token), self.at(token))
            last = part.children[-1]
        start = self.at(type_token)
        if kind is TargetKind.PODS and not seen_on:
            assert isinstance(last, Token)
            end = Position(self.source, (last.end_pos or 0) + 1, self.field)
            raise RuleError.at(
                end,
                "missing 'on <topology>' after the pod selector",
                "add where the pods are counted: on node, on zone, on region or on rack",
            )
        rule = Rule(rule_type, kind, selectors, placement, scope, weight, start)
        if kind is TargetKind.NODES:
            validation.node_rule(rule, self.at(kind_token))
        return rule

    def selectors(self, tree: Tree[Token], what: str) -> tuple[Selector, ...]:
        items = next((c for c in tree.children if isinstance(c, Tree) and c.data == "items"), None)
        selectors = tuple(self.selector(item) for item in _item_trees(items))
        paren = tree.children[-1]
        assert isinstance(paren, Token)
        validation.selector_list(selectors, self.at(paren), what)
        return selectors

    def selector(self, item: Tree[Token]) -> Selector:
        key_token = next(t for t in item.children if isinstance(t, Token) and t.type == "KEY")
        key = str(key_token)
        if item.data == "bare":
            raise validation.bare_key(key, self.at(key_token))
        validation.label_key(key, self.at(key_token))
        operator = _OPERATORS[str(item.data)]
        values = self.values(item, operator)
        return Selector(key, operator, values, self.at(item.children[0]))  # type: ignore[arg-type]

    def values(self, item: Tree[Token], operator: Operator) -> tuple[str, ...]:
        lists = [c for c in item.children if isinstance(c, Tree) and c.data == "values"]
        value_trees = [c for c in (*item.children, *(lists[0].children if lists else ())) if _is_value(c)]
        values: list[str] = []
        for value_tree in value_trees:
            token = value_tree.children[0]
            assert isinstance(token, Token)
            text = str(token)
            if token.type == "STRING":
                text = text[1:-1]
            validation.label_value(text, self.at(token))
            values.append(text)
        if operator is Operator.EQUALS and not values:
            values.append("")
        if operator in (Operator.IN, Operator.NOT_IN) and not values:
            closing = item.children[-1]
            assert isinstance(closing, Token)
            word = "in" if operator is Operator.IN else "not in"
            raise RuleError.at(
                self.at(closing),
                f"'{word} [...]' needs at least one value",
                f"write e.g. key {word} [a, b]; to test only for the key write "
                f"{'has' if operator is Operator.IN else 'not has'} key",
            )
        return tuple(values)

    def scope(self, tree: Tree[Token]) -> NamespaceScope:
        if tree.data == "all_namespaces":
            return NamespaceScope(all=True)
        names: list[str] = []
        selectors: list[Selector] = []
        items = next((c for c in tree.children if isinstance(c, Tree) and c.data == "items"), None)
        for item in _item_trees(items):
            if item.data == "bare":
                token = item.children[0]
                assert isinstance(token, Token)
                validation.namespace_name(str(token), self.at(token))
                if str(token) in names:
                    raise RuleError.at(
                        self.at(token), f"namespace {quoted(str(token))} is listed twice", "list it once"
                    )
                names.append(str(token))
            else:
                selectors.append(self.selector(item))
        paren = tree.children[-1]
        assert isinstance(paren, Token)
        if not names and not selectors:
            raise RuleError.at(
                self.at(paren),
                "namespaces(...) needs at least one namespace name or label selector",
                "write e.g. in namespaces(openshift-storage), in namespaces(team=storage) or in all namespaces",
            )
        if selectors:
            validation.selector_list(selectors, self.at(paren), "namespaces")
        return NamespaceScope(names=tuple(names), selectors=tuple(selectors))

    def placement(self, tree: Tree[Token], kind: TargetKind) -> Topology | None:
        token = tree.children[1]
        assert isinstance(token, Token)
        placement = validation.topology(str(token), self.at(token))
        if kind is TargetKind.NODES and placement is not Topology.NODE:
            raise RuleError.at(
                self.at(token),
                f"nodes(...) selects single nodes by their labels; 'on {placement.value}' does not apply",
                f"drop 'on {placement.value}', or select by the node label: nodes({placement.key}=<{placement.value}>)",
            )
        return None if kind is TargetKind.NODES else placement


def _is_value(node: Token | Tree[Token]) -> bool:
    return isinstance(node, Tree) and node.data == "value"


def _item_trees(items: Tree[Token] | None) -> list[Tree[Token]]:
    return [] if items is None else [c for c in items.children if isinstance(c, Tree)]
