"""Run every workload in fresh processes, alternating engines, and print one table of ratios.

    python benchmarks/run.py            # what `make bench` runs
    python benchmarks/run.py --rounds 3 # fewer rounds, noisier

First each engine computes one W1 step from the same weights (and both graph
engines the same random DAG); the run stops unless they agree to 1e-9. Then, for
each round, every (workload, engine) pair runs once in its own process, in the
order A B C A B C ..., so slow drifts of a shared machine hit every engine alike.
Times are wall-clock; the table gives medians over all samples and their min-max.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"

# (workload, engine): the processes each round starts, in this order.
JOBS = [
    ("W1", "chainrule"),
    ("W1", "micrograd"),
    ("W1", "floats"),
    ("W1", "torch"),
    ("W1", "chainrule-binary"),
    ("W2", "chainrule"),
    ("W2", "micrograd"),
    ("W3", "10000"),
    ("W3", "1000000"),
    ("memory", "chainrule"),
    ("memory", "micrograd"),
    ("memory", "chainrule-binary"),
]


def measure(workload: str, engine: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, str(WORKLOADS), workload, engine], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{workload} {engine} failed:\n{done.stderr}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


class Samples:
    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.median = statistics.median(values)

    def show(self, scale: float, unit: str, digits: int = 1) -> str:
        lo, hi = min(self.values) * scale, max(self.values) * scale
        return f"{self.median * scale:.{digits}f} {unit} ({lo:.{digits}f}-{hi:.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="processes per (workload, engine) pair")
    args = parser.parse_args()

    check = measure("check", "all")
    worst = max(check.values())  # type: ignore[type-var]
    if worst > 1e-9:
        sys.exit(f"the engines disagree: {check}")

    samples: dict[tuple[str, str], list[float]] = {job: [] for job in JOBS}
    extra: dict[tuple[str, str], list[dict[str, object]]] = {job: [] for job in JOBS}
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
        for job in JOBS:
            result = measure(*job)
            samples[job] += result.pop("samples")  # type: ignore[arg-type]
            extra[job].append(result)
    s = {job: Samples(values) for job, values in samples.items()}

    def ratio(a: tuple[str, str], b: tuple[str, str]) -> float:
        return s[a].median / s[b].median

    w1 = {e: s["W1", e] for e in ("chainrule", "micrograd", "floats", "torch", "chainrule-binary")}
    w2_ops = extra["W2", "chainrule"][0]["ops"]
    rows = [
        (
            "W1 step vs micrograd 0.1.0",
            f"{w1['chainrule'].show(1e3, 'ms')} vs {w1['micrograd'].show(1e3, 'ms', 0)}",
            ratio(("W1", "micrograd"), ("W1", "chainrule")),
            ">= 30x faster",
            ratio(("W1", "micrograd"), ("W1", "chainrule")) >= 30,
        ),
        (
            "W1 step vs plain-float floor",
            f"{w1['chainrule'].show(1e3, 'ms')} vs {w1['floats'].show(1e3, 'ms', 2)}",
            ratio(("W1", "chainrule"), ("W1", "floats")),
            "<= 8x slower",
            ratio(("W1", "chainrule"), ("W1", "floats")) <= 8,
        ),
        (
            f"W2 DAG of {w2_ops:,} ops vs micrograd",
            f"{s['W2', 'chainrule'].show(1e3, 'ms', 0)} vs {s['W2', 'micrograd'].show(1e3, 'ms', 0)}",
            ratio(("W2", "micrograd"), ("W2", "chainrule")),
            ">= 8x faster",
            ratio(("W2", "micrograd"), ("W2", "chainrule")) >= 8,
        ),
        (
            "Memory of W1's graph vs micrograd",
            f"{s['memory', 'chainrule'].median / 1e6:.2f} MB vs {s['memory', 'micrograd'].median / 1e6:.2f} MB",
            ratio(("memory", "chainrule"), ("memory", "micrograd")),
            "<= 0.33 (a third)",
            ratio(("memory", "chainrule"), ("memory", "micrograd")) <= 1 / 3,
        ),
        (
            "W3 time per node, 1e6 vs 1e4 nodes",
            f"{s['W3', '1000000'].show(1e9, 'ns', 0)} vs {s['W3', '10000'].show(1e9, 'ns', 0)}",
            ratio(("W3", "1000000"), ("W3", "10000")),
            "<= 1.5x",
            ratio(("W3", "1000000"), ("W3", "10000")) <= 1.5,
        ),
        (
            "W1 step vs PyTorch, vectorized (info)",
            f"{w1['chainrule'].show(1e3, 'ms')} vs {w1['torch'].show(1e3, 'ms', 2)}",
            ratio(("W1", "chainrule"), ("W1", "torch")),
            "none (slower by)",
            None,
        ),
        (
            "W1 step, binary nodes instead of `linear`, vs micrograd (info)",
            f"{w1['chainrule-binary'].show(1e3, 'ms')} vs {w1['micrograd'].show(1e3, 'ms', 0)}",
            ratio(("W1", "micrograd"), ("W1", "chainrule-binary")),
            "none (faster by)",
            None,
        ),
        (
            "Memory, binary nodes instead of `linear`, vs micrograd (info)",
            f"{s['memory', 'chainrule-binary'].median / 1e6:.2f} MB vs {s['memory', 'micrograd'].median / 1e6:.2f} MB",
            ratio(("memory", "chainrule-binary"), ("memory", "micrograd")),
            "none",
            None,
        ),
    ]
    w2c, w2m = extra["W2", "chainrule"], extra["W2", "micrograd"]

    def part(runs: list[dict[str, object]], key: str) -> float:
        return statistics.median(float(run[key]) for run in runs)  # type: ignore[arg-type]

    nproc = os.cpu_count()
    print(
        f"chainrule benchmarks, {datetime.date.today()}, {nproc} x {cpu_model()}, "
        f"Python {platform.python_version()}, {args.rounds} rounds of fresh processes"
    )
    print()
    print("| workload | chainrule vs other: median (min-max) | ratio | target | met |")
    print("| --- | --- | --- | --- | --- |")
    for name, figures, value, target, met in rows:
        mark = "-" if met is None else "yes" if met else "NO"
        print(f"| {name} | {figures} | {value:.2f} | {target} | {mark} |")
    print()
    print(
        f"W2 medians, forward + backward: chainrule {part(w2c, 'forward') * 1e3:.0f} + "
        f"{part(w2c, 'backward') * 1e3:.0f} ms, micrograd {part(w2m, 'forward') * 1e3:.0f} + "
        f"{part(w2m, 'backward') * 1e3:.0f} ms. Engines agreed to {worst:.1e} (relative) before timing."
    )


if __name__ == "__main__":
    main()
