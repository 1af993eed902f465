"""TSL benchmark: compiled queries against tight hand-written loops, interleaved, same data.

The baselines are what a careful programmer writes for these records: plain indexing where a key
is always present, a membership test where it may be missing, early exit, a literal substring
test instead of a regex, no helper call per record. They know the data's types, so they check
nothing; the engine checks every value and still answers, skips or errors like kubectl-mtv.

Timing is interleaved: every round runs each query's engine and its baseline back to back
(alternating which goes first), and each side keeps its best round. Times are CPU time of this
process (``time.process_time``), so other work on a shared machine inflates them less than
wall time would; the ratio is what to read.

Run from the repository root: python -m bench.bench_tsl [--count 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from mtv_mcp.bench.vm_records import generate_vms
from mtv_mcp.core.tsl import CompiledQuery, compile_query, parse_query

Records = list[dict[str, Any]]


def _prod_on(vms: Records) -> Records:
    return [vm for vm in vms if "cluster" in vm and vm["cluster"]["name"] == "Prod" and vm["powerState"] == "poweredOn"]


def _big_disks(vms: Records) -> Records:
    return [vm for vm in vms if sum([disk["capacityGB"] for disk in vm["disks"]]) > 500]


def _fast_disk(vms: Records) -> Records:
    out = []
    for vm in vms:
        for disk in vm["disks"]:
            if "iops" in disk and disk["iops"] > 10000:
                out.append(vm)
                break
    return out


def _windows_mid_memory(vms: Records) -> Records:
    return [
        vm
        for vm in vms
        if "memoryMB" in vm
        and 4096 <= vm["memoryMB"] <= 16384
        and "guestName" in vm
        and "windows" in vm["guestName"].lower()
    ]


def _many_disks(vms: Records) -> Records:
    return [vm for vm in vms if len(vm["disks"]) > 4]


BY_HAND: dict[str, Callable[[Records], Records]] = {
    "cluster.name = 'Prod' and powerState = 'poweredOn'": _prod_on,
    "sum(disks[*].capacityGB) > 500": _big_disks,
    "any(disks[*].iops > 10000)": _fast_disk,
    "memoryMB between 4096 and 16384 and guestName ~= '(?i).*windows.*'": _windows_mid_memory,
    "len(disks) > 4": _many_disks,
}


def _compile(text: str) -> CompiledQuery:
    return compile_query(parse_query(text))


def _cpu(function: Callable[[], Any]) -> tuple[float, Any]:
    start = time.process_time()
    result = function()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    vms = generate_vms(args.count)
    print(f"{len(vms)} records; engine (compiled.run) vs tight hand-written loops, interleaved, best of {args.repeat}")
    print(f"{'query':70} {'ours ms':>9} {'hand ms':>9} {'ratio':>6} {'parse+compile us':>17}")
    for text, by_hand in BY_HAND.items():
        setup = min(_cpu(partial(_compile, text))[0] for _ in range(20))
        compiled = _compile(text)
        engine: Callable[[], Any] = partial(compiled.run, vms)
        baseline: Callable[[], Any] = partial(by_hand, vms)
        best = {engine: float("inf"), baseline: float("inf")}
        answers: dict[Callable[[], Any], Any] = {}
        for round_ in range(args.repeat):
            for function in (engine, baseline) if round_ % 2 == 0 else (baseline, engine):
                seconds, answers[function] = _cpu(function)
                best[function] = min(best[function], seconds)
        ours, hand = best[engine], best[baseline]
        found, expected = [vm["id"] for vm in answers[engine].items], [vm["id"] for vm in answers[baseline]]
        flag = "" if found == expected else "  MISMATCH"
        print(f"{text:70} {ours * 1e3:9.1f} {hand * 1e3:9.1f} {ours / hand:6.2f} {setup * 1e6:17.0f}{flag}")


if __name__ == "__main__":
    main()
