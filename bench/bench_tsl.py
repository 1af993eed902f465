"""TSL benchmark: compiled queries against hand-written list comprehensions, same run, same data.

Run from the repository root: python -m bench.bench_tsl [--count 100000]
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from mtv_mcp.bench.vm_records import generate_vms
from mtv_mcp.core.tsl import CompiledQuery, compile_query, parse_query

WINDOWS = re.compile(r"(?i).*windows.*")

Records = list[dict[str, Any]]


def _by_hand() -> dict[str, Callable[[Records], Records]]:
    def is_number(value: Any) -> bool:
        return type(value) in (int, float)

    return {
        "cluster.name = 'Prod' and powerState = 'poweredOn'": lambda vms: [
            vm for vm in vms if (vm.get("cluster") or {}).get("name") == "Prod" and vm.get("powerState") == "poweredOn"
        ],
        "sum(disks[*].capacityGB) > 500": lambda vms: [
            vm for vm in vms if sum(d["capacityGB"] for d in vm.get("disks") or () if "capacityGB" in d) > 500
        ],
        "any(disks[*].iops > 10000)": lambda vms: [
            vm for vm in vms if any(d.get("iops", 0) > 10000 for d in vm.get("disks") or ())
        ],
        "memoryMB between 4096 and 16384 and guestName ~= '(?i).*windows.*'": lambda vms: [
            vm
            for vm in vms
            if is_number(m := vm.get("memoryMB"))
            and 4096 <= m <= 16384
            and isinstance(g := vm.get("guestName"), str)
            and WINDOWS.search(g)
        ],
        "len(disks) > 4": lambda vms: [vm for vm in vms if len(vm.get("disks") or ()) > 4],
    }


def _compile(text: str) -> CompiledQuery:
    return compile_query(parse_query(text))


def _best(function: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    vms = generate_vms(args.count)
    print(f"{len(vms)} records, best of {args.repeat}")
    print(f"{'query':70} {'ours ms':>9} {'hand ms':>9} {'ratio':>6} {'parse+compile us':>17}")
    for text, by_hand in _by_hand().items():
        setup, compiled = _best(partial(_compile, text), 50)
        ours, result = _best(partial(compiled.run, vms), args.repeat)
        hand, expected = _best(partial(by_hand, vms), args.repeat)
        same = [vm["id"] for vm in result.items] == [vm["id"] for vm in expected]
        flag = "" if same else "  MISMATCH"
        print(f"{text:70} {ours * 1e3:9.1f} {hand * 1e3:9.1f} {ours / hand:6.2f} {setup * 1e6:17.0f}{flag}")


if __name__ == "__main__":
    main()
