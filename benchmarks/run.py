"""Run every workload in fresh processes, alternating engines, and print one table of ratios.

    python benchmarks/run.py             # what `make bench` runs
    python benchmarks/run.py --rounds 3  # fewer rounds: quicker, noisier

First each engine computes one W1 step from the same weights (and both graph
engines the same random DAG); the run stops unless they agree to 1e-9. Then, for
each round, every (workload, engine) pair runs once in its own process, in the
order A B C A B C ..., so that engines compared with each other run seconds apart.
Times are wall-clock. Each ratio is computed within a round (from the medians of
the two processes it compares), and the table gives the median ratio over the
rounds with its min-max: a shared machine's slow and fast minutes then cancel out
instead of landing on one engine.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from workloads import FITMEM_EPOCHS, W4_EPOCHS  # type: ignore[import-not-found]  # beside this file

HERE = Path(__file__).resolve().parent
WORKLOADS = HERE / "workloads.py"


Job = tuple[str, str]  # (workload, engine)

# The processes each round starts, in this order: pairs that are compared run side by side.
JOBS: list[Job] = [
    ("W1", "floats"),
    ("W5", "chainrule-compiled"),
    ("W1", "chainrule"),
    ("W1", "micrograd"),
    ("W5", "chainrule"),
    ("compile", "chainrule"),
    ("W1", "chainrule-micrograd"),
    ("W1", "chainrule-gcoff"),
    ("W1", "torch"),
    ("W1", "chainrule-binary"),
    ("W4", "chainrule"),
    ("W4", "chainrule-nopause"),
    ("W4", "micrograd"),
    ("W2", "chainrule"),
    ("W2", "micrograd"),
    ("W2", "chainrule-gcoff"),
    ("W2", "micrograd-gcoff"),
    ("W3", "10000"),
    ("W3", "1000000"),
    ("memory", "chainrule"),
    ("memory", "micrograd"),
    ("memory", "chainrule-binary"),
]
# torch is installed for the Python its CPU wheel is built for (`make bench` on 3.11) only:
# elsewhere the table leaves out its row.
HAS_TORCH = importlib.util.find_spec("torch") is not None
if not HAS_TORCH:
    JOBS.remove(("W1", "torch"))
# Measured in the first round only: tracemalloc's peaks do not depend on the machine's load.
ONCE: list[Job] = [
    ("fitmem", "chainrule"),
    ("fitmem", "chainrule-nopause"),
    ("fitmem", "chainrule-cycles"),
    ("fitmem", "chainrule-nopause-cycles"),
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


def spread(values: list[float], scale: float, unit: str, digits: int) -> str:
    """'median unit (min-max)' of values times scale."""
    lo, mid, hi = min(values) * scale, statistics.median(values) * scale, max(values) * scale
    return f"{mid:.{digits}f} {unit} ({lo:.{digits}f}-{hi:.{digits}f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="processes per (workload, engine) pair")
    args = parser.parse_args()

    check = measure("check", "all")
    worst = max(float(v) for v in check.values())  # type: ignore[arg-type]
    if worst > 1e-9:
        sys.exit(f"the engines disagree: {check}")

    samples: dict[Job, list[float]] = {job: [] for job in JOBS + ONCE}
    per_round: dict[Job, list[float]] = {job: [] for job in JOBS + ONCE}  # each round's median
    extra: dict[Job, list[dict[str, object]]] = {job: [] for job in JOBS + ONCE}
    for r in range(args.rounds):
        print(f"round {r + 1}/{args.rounds}", file=sys.stderr, flush=True)
        for job in JOBS + (ONCE if r == 0 else []):
            result = measure(*job)
            values = [float(v) for v in result.pop("samples")]  # type: ignore[attr-defined]
            samples[job] += values
            per_round[job].append(statistics.median(values))
            extra[job].append(result)

    def ratios(top: Job, bottom: Job) -> list[float]:
        return [a / b for a, b in zip(per_round[top], per_round[bottom])]

    def times(job: Job, digits: int = 1) -> str:
        return spread(samples[job], 1e3, "ms", digits)

    def nanos(job: Job) -> str:
        return spread(samples[job], 1e9, "ns", 0)

    def megabytes(job: Job) -> str:
        return f"{statistics.median(samples[job]) / 1e6:.2f} MB"

    def seconds(job: Job) -> str:
        return spread(samples[job], 1.0, "s", 2)

    # W3's backward pass alone: all samples, and each round's median.
    w3_backward: dict[str, list[float]] = {}
    w3_round: dict[str, list[float]] = {}
    for size in ("10000", "1000000"):
        runs = [[float(v) for v in run["backward"]] for run in extra["W3", size]]  # type: ignore[attr-defined]
        w3_backward[size] = [v for run in runs for v in run]
        w3_round[size] = [statistics.median(run) for run in runs]

    at_least: Callable[[float], Callable[[float], bool]] = lambda t: lambda x: x >= t  # noqa: E731
    at_most: Callable[[float], Callable[[float], bool]] = lambda t: lambda x: x <= t  # noqa: E731
    c, m = ("W1", "chainrule"), ("W1", "micrograd")
    fc, fl = ("W5", "chainrule-compiled"), ("W1", "floats")
    rows: list[tuple[str, str, list[float], str, Callable[[float], bool] | None]] = [
        (
            "W5 `fit(compile=True)` epoch vs micrograd's demo step",
            f"{times(fc, 2)} vs {times(m, 0)}",
            ratios(m, fc),
            ">= 1000x faster",
            at_least(1000),
        ),
        (
            "W5 `fit(compile=True)` epoch vs plain-float step",
            f"{times(fc, 2)} vs {times(fl, 2)}",
            ratios(fl, fc),
            ">= 2x faster",
            at_least(2),
        ),
        (
            "compile MLP(2, [16, 16, 1]): trace, write, compile()",
            f"{times(('compile', 'chainrule'))}",
            [v * 1e3 for v in per_round["compile", "chainrule"]],
            "<= 100 ms",
            at_most(100),
        ),
        (
            "(info) W5 `fit` epoch, compile=True vs compile=False",
            f"{times(fc, 2)} vs {times(('W5', 'chainrule'))}",
            ratios(("W5", "chainrule"), fc),
            "none (x faster)",
            None,
        ),
        ("W1 step vs micrograd 0.1.0", f"{times(c)} vs {times(m, 0)}", ratios(m, c), ">= 30x faster", at_least(30)),
        (
            "W1 step vs plain-float floor",
            f"{times(c)} vs {times(('W1', 'floats'), 2)}",
            ratios(c, ("W1", "floats")),
            "<= 8x slower",
            at_most(8),
        ),
        (
            "(info) W1 step in gc.disable()/enable(), vs W1 as written",
            f"{times(('W1', 'chainrule-gcoff'))} vs {times(c)}",
            ratios(c, ("W1", "chainrule-gcoff")),
            "none (x faster)",
            None,
        ),
        (
            f"W4 `fit`, {W4_EPOCHS} epochs, vs the same fit without its collector pause",
            f"{seconds(('W4', 'chainrule'))} vs {seconds(('W4', 'chainrule-nopause'))}",
            ratios(("W4", "chainrule-nopause"), ("W4", "chainrule")),
            ">= 1.6x faster",
            at_least(1.6),
        ),
        (
            f"W4 `fit` vs micrograd's demo loop, {W4_EPOCHS} steps",
            f"{seconds(('W4', 'chainrule'))} vs {seconds(('W4', 'micrograd'))}",
            ratios(("W4", "micrograd"), ("W4", "chainrule")),
            ">= 60x faster",
            at_least(60),
        ),
        (
            "Memory of W1's graph vs micrograd",
            f"{megabytes(('memory', 'chainrule'))} vs {megabytes(('memory', 'micrograd'))}",
            ratios(("memory", "chainrule"), ("memory", "micrograd")),
            "<= 0.33 (a third)",
            at_most(1 / 3),
        ),
        (
            f"Peak memory of a {FITMEM_EPOCHS}-epoch fit, with the pause vs without",
            f"{megabytes(('fitmem', 'chainrule'))} vs {megabytes(('fitmem', 'chainrule-nopause'))}",
            ratios(("fitmem", "chainrule"), ("fitmem", "chainrule-nopause")),
            "<= 1 (no higher)",
            at_most(1.0),
        ),
        (
            "(info) the same, a model that makes a reference cycle per sample",
            f"{megabytes(('fitmem', 'chainrule-cycles'))} vs {megabytes(('fitmem', 'chainrule-nopause-cycles'))}",
            ratios(("fitmem", "chainrule-cycles"), ("fitmem", "chainrule-nopause-cycles")),
            "none",
            None,
        ),
        (
            "(info) W2 random DAG vs micrograd, collectors on",
            f"{times(('W2', 'chainrule'), 0)} vs {times(('W2', 'micrograd'), 0)}",
            ratios(("W2", "micrograd"), ("W2", "chainrule")),
            "none (x faster)",
            None,
        ),
        (
            "(info) W2 random DAG vs micrograd, collectors off",
            f"{times(('W2', 'chainrule-gcoff'), 0)} vs {times(('W2', 'micrograd-gcoff'), 0)}",
            ratios(("W2", "micrograd-gcoff"), ("W2", "chainrule-gcoff")),
            "none (x faster)",
            None,
        ),
        (
            "(info) W3 time per node, 1e6 vs 1e4 nodes",
            f"{nanos(('W3', '1000000'))} vs {nanos(('W3', '10000'))}",
            ratios(("W3", "1000000"), ("W3", "10000")),
            "none (retired: the collector's share)",
            None,
        ),
        (
            "(info) W3 backward alone, per node, 1e6 vs 1e4 nodes",
            f"{spread(w3_backward['1000000'], 1e9, 'ns', 0)} vs {spread(w3_backward['10000'], 1e9, 'ns', 0)}",
            [a / b for a, b in zip(w3_round["1000000"], w3_round["10000"])],
            "none",
            None,
        ),
        (
            "(info) W1 step, binary nodes for `linear`, vs micrograd",
            f"{times(('W1', 'chainrule-binary'))} vs {times(m, 0)}",
            ratios(m, ("W1", "chainrule-binary")),
            "none (x faster)",
            None,
        ),
        (
            "(info) W1 step, micrograd's code on `chainrule.micrograd`, vs on micrograd",
            f"{times(('W1', 'chainrule-micrograd'))} vs {times(m, 0)}",
            ratios(m, ("W1", "chainrule-micrograd")),
            "none (x faster)",
            None,
        ),
        (
            "(info) W1 step, micrograd's code on `chainrule.micrograd`, vs chainrule.nn",
            f"{times(('W1', 'chainrule-micrograd'))} vs {times(c)}",
            ratios(("W1", "chainrule-micrograd"), c),
            "none (x slower)",
            None,
        ),
        (
            "(info) Memory, binary nodes for `linear`, vs micrograd",
            f"{megabytes(('memory', 'chainrule-binary'))} vs {megabytes(('memory', 'micrograd'))}",
            ratios(("memory", "chainrule-binary"), ("memory", "micrograd")),
            "none",
            None,
        ),
    ]
    if HAS_TORCH:
        rows.insert(
            12,
            (
                "(info) W1 step vs PyTorch, vectorized",
                f"{times(c)} vs {times(('W1', 'torch'), 2)}",
                ratios(c, ("W1", "torch")),
                "none (x slower)",
                None,
            ),
        )

    print(
        f"chainrule benchmarks, {datetime.date.today()}, {os.cpu_count()} x {cpu_model()}, "
        f"Python {platform.python_version()}, {args.rounds} rounds of fresh processes"
    )
    print()
    print("| workload | chainrule vs other: median (min-max) | ratio: median (min-max) over rounds | target | met |")
    print("| --- | --- | --- | --- | --- |")
    for name, figures, values, target, meets in rows:
        ratio = statistics.median(values)
        mark = "-" if meets is None else "yes" if meets(ratio) else "NO"
        print(f"| {name} | {figures} | {ratio:.2f} ({min(values):.2f}-{max(values):.2f}) | {target} | {mark} |")
    print()
    w2c, w2m = extra["W2", "chainrule"], extra["W2", "micrograd"]

    def part(runs: list[dict[str, object]], key: str) -> str:
        return f"{statistics.median(float(run[key]) for run in runs) * 1e3:.0f}"  # type: ignore[arg-type]

    print(
        f"W2: {w2c[0]['ops']:,} ops (+, *, relu); forward + backward medians: chainrule "
        f"{part(w2c, 'forward')} + {part(w2c, 'backward')} ms, micrograd {part(w2m, 'forward')} + "
        f"{part(w2m, 'backward')} ms. Before timing, the engines agreed to {worst:.1e} (relative)."
    )


if __name__ == "__main__":
    main()
