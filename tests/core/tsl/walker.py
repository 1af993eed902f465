"""A plain tree-walking evaluator, written only to cross-check the compiled code.

It shares the value primitives (equality, ordering, patterns) with the engine but none of the
code generation: no fast paths, no fused reducers, no inlined path access.
"""

from __future__ import annotations

from typing import Any

from mtv_mcp.core.tsl import ast, values


def evaluate(node: ast.Expr, record: dict[str, Any], scalar: bool) -> Any:
    match node:
        case ast.Number(value=value) | ast.String(value=value) | ast.Boolean(value=value):
            return value
        case ast.Instant(value=value):
            return value
        case ast.Array(items=items):
            return [evaluate(item, record, False) for item in items]
        case ast.Path(steps=steps):
            return values.walk(record, steps)
        case ast.Logical(op=op, operands=operands):
            for operand in operands:
                answer = values.condition(evaluate(operand, record, scalar), 0, scalar)
                if answer == (op == "or"):
                    return answer
            return op == "and"
        case ast.Unary(op="not", operand=operand):
            return values.logical_not(evaluate(operand, record, scalar), 0, scalar)
        case ast.Unary(operand=operand):
            return values.negate(evaluate(operand, record, False), 0)
        case ast.Func(name=name, arg=arg):
            reducer = {"len": values.length, "sum": values.total, "any": values.some, "all": values.every}[name]
            return reducer(evaluate(arg, record, False), 0)
        case ast.Binary(op=op, left=left, right=right) if op in ast.ARITHMETIC:
            return values.arithmetic(op, evaluate(left, record, False), evaluate(right, record, False), 0)
        case ast.Binary(op=op, left=left, right=right):
            return values.compare(op, evaluate(left, record, False), evaluate(right, record, False), 0, scalar)
        case ast.Between(value=value, low=low, high=high, negated=negated):
            bounds = (evaluate(low, record, False), evaluate(high, record, False))
            return values.in_range(evaluate(value, record, False), bounds, negated, 0, scalar)
        case ast.IsNull(value=value, negated=negated):
            return (evaluate(value, record, False) is None) != negated
    raise AssertionError(node)


def outcome(where: ast.Expr, record: dict[str, Any]) -> str:
    """'match', 'no match', 'skipped' or 'list' (a list where one answer was needed)."""
    try:
        return "match" if values.truth(evaluate(where, record, True), 0) else "no match"
    except values.SkipError:
        return "skipped"
    except values.ListInConditionError:
        return "list"
