"""What recording the module scope costs in a forward pass.

`Module.__call__` pushes the module on the engine's scope (so `draw_dot(group=True)`
can draw a box per Neuron and Layer) and every node stores the scope it was made
in. This times the forward pass of MLP(2, [16, 16, 1]) over 100 samples with
`Module.__call__` as shipped and with a variant that calls `forward` directly,
alternating the two so machine noise hits both alike, and prints the best of each.

    python benchmarks/scope_cost.py
"""

from __future__ import annotations

import gc
import random
import time
from typing import Any

from chainrule.nn import MLP, Module

REPEATS = 100


def forward_all(model: MLP, samples: list[list[float]]) -> None:
    for x in samples:
        model(x)


def without_scope(self: Module, *args: Any) -> Any:
    return self.forward(*args)


def time_forward(model: MLP, samples: list[list[float]], call: Any) -> float:
    saved = Module.__call__
    Module.__call__ = call  # type: ignore[method-assign]
    gc.disable()  # as timeit does: a collection would land on one variant at random
    try:
        start = time.perf_counter()
        forward_all(model, samples)
        return time.perf_counter() - start
    finally:
        gc.enable()
        Module.__call__ = saved  # type: ignore[method-assign]


def main() -> None:
    rng = random.Random(0)
    samples = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(100)]
    model = MLP(2, [16, 16, 1], seed=0)
    shipped = Module.__call__
    with_scope, without = [], []
    for _ in range(REPEATS):
        with_scope.append(time_forward(model, samples, shipped))
        without.append(time_forward(model, samples, without_scope))
    a, b = min(with_scope), min(without)
    calls = 100 * (1 + 3 + 33)  # per sample: the MLP, 3 layers, 33 neurons
    print(f"forward, 100 samples, MLP(2, [16, 16, 1]): with scope {a * 1e3:.2f} ms, without {b * 1e3:.2f} ms")
    per_call = (a - b) / calls * 1e9
    print(f"scope push: {(a - b) * 1e3:+.2f} ms ({(a / b - 1) * 100:+.1f}%), {per_call:.0f} ns per module call")


if __name__ == "__main__":
    main()
