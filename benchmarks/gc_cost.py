"""What CPython's cyclic collector costs while a graph is alive, and what any node pays.

A graph with no reference cycles is freed by reference counting, but while it is being
built every node is a live container, and each full collection walks all of them. This
measures, in fresh processes, the time per node with the collector on and off (off is a
diagnosis only; chainrule never switches it off), and the collector's own time per node
(from `gc.callbacks`):

- `chain`: W3's chain, `y = (w * y).tanh()`, built and backpropagated (chainrule);
- `w2-chainrule`, `w2-micrograd`: W2's random DAG of +, * and relu (micrograd when installed);
- `bare6`, `bare11`: a chain of bare objects with 6 slots (a parent, two unique floats, a
  unique int, two shared constants: about the least a node can hold) and with 11 (as many
  as a Value has). For these only the collector's column compares with the engines:
  no engine whose nodes are Python objects can cost the collector less than `bare6`.

    .bench-venv/bin/python benchmarks/gc_cost.py   # after `make bench`, which installs micrograd
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from itertools import count
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROUNDS = 3
CASES = [
    ("chain", 10_000),
    ("chain", 1_000_000),
    ("bare6", 10_000),
    ("bare6", 1_000_000),
    ("bare11", 10_000),
    ("bare11", 1_000_000),
    ("w2-chainrule", 200_000),
    ("w2-micrograd", 200_000),
]


def bare_chain(slots: int, n: int) -> Any:
    cls = type(f"Bare{slots}", (), {"__slots__": tuple(f"s{i}" for i in range(slots))})
    new = object.__new__
    stamps = count(0, -1)
    extra = [f"s{k}" for k in range(6, slots)]
    node = new(cls)
    for i in range(n):
        out = new(cls)
        out.s0 = node  # the parent
        out.s1 = i * 0.5  # data
        out.s2 = 0.0  # grad, shared until backward
        out.s3 = i * 0.25  # local derivative
        out.s4 = "tanh"  # op
        out.s5 = next(stamps)  # creation stamp
        for name in extra:  # shared constants, as a node's label, op and scope mostly are
            setattr(out, name, None)
        node = out
    return node


def chain(n: int) -> Any:
    from chainrule import Value

    w, y = Value(0.5), Value(1.0)
    for _ in range(n // 2):
        y = (w * y).tanh()
    y.backward()
    return y


def w2_inputs(engine: str, n_ops: int) -> tuple[Any, list[float], list[Any]]:
    sys.path.insert(0, str(HERE))
    import workloads

    if engine == "micrograd":
        from micrograd.engine import Value
    else:
        from chainrule import Value  # type: ignore[assignment]
    leaves, program = workloads.random_dag(n_ops, workloads.W2_SEED)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), workloads.dag_depth(len(leaves), program) + 1000))
    return Value, leaves, program


def w2(value_type: Any, leaves: list[float], program: list[Any]) -> Any:
    import workloads

    _, out = workloads.build_dag(value_type, leaves, program)
    out.backward()
    return out


def child(case: str, n: int, collector: str) -> dict[str, float]:
    spent = [0.0, 0.0]

    def clock(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            spent[1] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - spent[1]

    gc.callbacks.append(clock)
    if collector == "off":
        gc.disable()
    if case.startswith("w2-"):
        inputs = w2_inputs(case[3:], n)  # making the DAG's program is not timed
        spent[0] = 0.0
        start = time.perf_counter()
        keep = w2(*inputs)
        total = time.perf_counter() - start
        return {"per_node": total / n * 1e9, "collector": spent[0] / n * 1e9}
    make = chain if case == "chain" else lambda n: bare_chain(int(case[4:]), n)
    times, collector_times = [], []
    for _ in range(max(1, 100_000 // n)):  # short chains: the median of several
        spent[0] = 0.0
        start = time.perf_counter()
        keep = make(n)
        times.append(time.perf_counter() - start)
        collector_times.append(spent[0])
        del keep  # freeing is not timed
    return {"per_node": statistics.median(times) / n * 1e9, "collector": statistics.median(collector_times) / n * 1e9}


def main() -> None:
    results: dict[tuple[str, int, str], list[dict[str, float]]] = {}
    for r in range(ROUNDS):
        print(f"round {r + 1}/{ROUNDS}", file=sys.stderr, flush=True)
        for case, n in CASES:
            for collector in ("on", "off"):
                done = subprocess.run(
                    [sys.executable, __file__, case, str(n), collector], capture_output=True, text=True, check=False
                )
                if done.returncode != 0:
                    print(f"{case} skipped: {done.stderr.strip().splitlines()[-1]}", file=sys.stderr)
                    continue
                results.setdefault((case, n, collector), []).append(json.loads(done.stdout))
    print("| case | nodes | ns per node, collector on | collector off | collector's own ns per node |")
    print("| --- | --- | --- | --- | --- |")
    for case, n in CASES:
        on, off = results.get((case, n, "on")), results.get((case, n, "off"))
        if not on or not off:
            continue
        per_on = statistics.median(x["per_node"] for x in on)
        per_off = statistics.median(x["per_node"] for x in off)
        spent = statistics.median(x["collector"] for x in on)
        print(f"| {case} | {n:,} | {per_on:.0f} | {per_off:.0f} | {spent:.0f} |")


if __name__ == "__main__":
    if len(sys.argv) == 4:
        print(json.dumps(child(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
    else:
        main()
