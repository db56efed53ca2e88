"""Instructions per W1 step and per W2 graph, counted by valgrind: figures that do not
depend on how busy the machine is, for judging an engine change on a noisy VM.

    python benchmarks/instructions.py            # chainrule as importable here
    PYTHONPATH=/path/to/other/checkout python benchmarks/instructions.py

Each figure is the difference between two runs of one process under
`valgrind --tool=cachegrind --cache-sim=no` that differ only in the work measured
(W1, and W1 as micrograd's code runs it on `chainrule.micrograd`: 1 step against 4 steps,
divided by 3; W2: building the 50,000-op DAG's program only, against also building the
graph, running backward and freeing it), so start-up, imports and set-up cancel out.
Needs valgrind (Debian's `valgrind` package).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
W2_SMALL = 50_000


def _child(workload: str, amount: int) -> None:
    """The measured process: `amount` W1 steps, or (W2) the program with or without the graph."""
    sys.path.insert(0, str(HERE))
    import workloads  # type: ignore[import-not-found]

    if workload in ("W1", "W1-micrograd"):
        make = workloads.w1_chainrule if workload == "W1" else workloads.w1_chainrule_micrograd
        step = make(workloads.weights_after(20))
        for k in range(amount):
            step(20 + k)
    else:
        from chainrule import Value

        leaves, program = workloads.random_dag(W2_SMALL, workloads.W2_SEED)
        if amount:
            _, out = workloads.build_dag(Value, leaves, program)
            out.backward()
            del out


def _count(workload: str, amount: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        subprocess.run(
            ["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out}",
             sys.executable, __file__, "--child", workload, str(amount)],
            check=True, capture_output=True,
        )  # fmt: skip
        summary = re.search(r"^summary:\s+(\d+)", Path(out).read_text(), re.MULTILINE)
        assert summary is not None, "no summary line in cachegrind's output"
        return int(summary.group(1))


def main() -> None:
    """Print W1's instructions per step and W2's per 50,000-op graph, in millions."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], int(sys.argv[3]))
        return
    w1 = (_count("W1", 4) - _count("W1", 1)) / 3
    w2 = _count("W2", 1) - _count("W2", 0)
    w1_micrograd = (_count("W1-micrograd", 4) - _count("W1-micrograd", 1)) / 3
    print(f"W1: {w1 / 1e6:.1f} M instructions per step")
    print(f"W1 written for micrograd, on chainrule.micrograd: {w1_micrograd / 1e6:.1f} M instructions per step")
    print(f"W2: {w2 / 1e6:.1f} M instructions per {W2_SMALL:,}-op graph (forward, backward, freeing)")


if __name__ == "__main__":
    main()
