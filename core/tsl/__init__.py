"""TSL, the tree search language of kubectl-mtv: parse, compile and run queries over records.

result = run_query("select name where memoryMB > 4096 order by name limit 5", vms)
"""

from mtv_mcp.core.tsl.ast import Query
from mtv_mcp.core.tsl.diagnostics import QueryWarning
from mtv_mcp.core.tsl.errors import QueryError
from mtv_mcp.core.tsl.parser import parse_query
from mtv_mcp.core.tsl.printer import print_expr, print_query
from mtv_mcp.core.tsl.query import CompiledQuery, QueryResult, compile_query, run_query
from mtv_mcp.core.tsl.snapshot import Snapshot

__all__ = [
    "CompiledQuery",
    "Query",
    "QueryError",
    "QueryResult",
    "QueryWarning",
    "Snapshot",
    "compile_query",
    "parse_query",
    "print_expr",
    "print_query",
    "run_query",
]
