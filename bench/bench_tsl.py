"""TSL benchmark: compiled queries against tight hand-written loops, interleaved, same data.

The baselines are what a careful programmer writes for these records: plain indexing where a key
is always present, a membership test where it may be missing, early exit, a literal substring
test instead of a regex, no helper call per record. They know the data's types, so they check
nothing; the engine checks every value and still answers, skips or errors like kubectl-mtv.

The engine runs three ways:

* ``snapshot``: on a `Snapshot` whose value types the query has already learned, as query_vms runs
  on a cached inventory (every call after the first on that snapshot);
* ``1st``: on a new `Snapshot` each time, so the time includes learning the types it asks about;
* ``list``: on the plain list, where nothing is learned and every needed type check stays.

Timing is interleaved: every round runs the engine's three ways and the baseline back to back
(rotating which goes first), and each keeps its best round. Times are CPU time of this process
(``time.process_time``), so other work on a shared machine inflates them less than wall time
would; the ratios (engine / hand-written) are what to read. Target (issue 17): ``snapshot`` <= 1.25.

Run from the repository root: python -m bench.bench_tsl [--count 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from mtv_mcp.bench.vm_records import generate_vms
from mtv_mcp.core.tsl import CompiledQuery, Snapshot, compile_query, parse_query

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


def _first_run(compiled: CompiledQuery, vms: Records) -> Any:
    return compiled.run(Snapshot(vms))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    vms = generate_vms(args.count)
    snapshot = Snapshot(vms)
    print(f"{len(vms)} records; engine (compiled.run) vs tight hand-written loops, interleaved, best of {args.repeat}")
    print(f"{'query':68} {'hand ms':>8} {'snapshot':>8} {'1st':>5} {'list':>5} {'compile us':>10}")
    for text, by_hand in BY_HAND.items():
        setup = min(_cpu(partial(_compile, text))[0] for _ in range(20))
        compiled = _compile(text)
        ways: dict[str, Callable[[], Any]] = {
            "hand": partial(by_hand, vms),
            "snapshot": partial(compiled.run, snapshot),
            "1st": partial(_first_run, compiled, vms),
            "list": partial(compiled.run, vms),
        }
        best = dict.fromkeys(ways, float("inf"))
        answers: dict[str, Any] = {}
        for round_ in range(args.repeat):
            order = list(ways)[round_ % len(ways) :] + list(ways)[: round_ % len(ways)]
            for way in order:
                seconds, answers[way] = _cpu(ways[way])
                best[way] = min(best[way], seconds)
        expected = [vm["id"] for vm in answers["hand"]]
        same = all([vm["id"] for vm in answers[way].items] == expected for way in ways if way != "hand")
        hand = best["hand"]
        ratios = " ".join(f"{best[way] / hand:{width}.2f}" for way, width in (("snapshot", 8), ("1st", 5), ("list", 5)))
        flag = "" if same else "  MISMATCH"
        print(f"{text:68} {hand * 1e3:8.1f} {ratios} {setup * 1e6:10.0f}{flag}")


if __name__ == "__main__":
    main()
