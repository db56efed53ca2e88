"""How long one live update of `chainrule.viz.LiveNetwork` takes in the kernel.

An update is what Play does each step: a training step (forward, loss, zero_grad, backward,
optimizer.step, as `fit`), then the new state ready to send: `layer_terms` for the selected
sample, every neuron's activation over a 24 x 24 grid of the input plane (the model's
forward pass, compiled: `LiveSession.activations`), the decision boundary, the texts and
equations, and the JSON the front end gets.
The target, for MLP(2, [8, 8, 1]) on 200 points: at most 50 ms, 20 updates a second.

The widget itself (anywidget, Graphviz's layout made once) is left out: this times the
session and its state, which is all an update runs. The same run times `fit`'s step alone,
so the ratio says what the live view adds to training.

    python benchmarks/live_update.py
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

from chainrule.data import make_moons
from chainrule.nn import MLP, fit
from chainrule.optim import SGD
from chainrule.viz.live import LiveSession, Plane, live_state

ROUNDS, WARMUP = 40, 3


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall time and this thread's CPU time of `work()`, in ms. On a shared machine the CPU
    time leaves out the waits for a core, which the wall time counts."""
    wall, cpu = time.perf_counter(), time.thread_time()
    work()
    return (time.perf_counter() - wall) * 1e3, (time.thread_time() - cpu) * 1e3


def main() -> None:
    samples, y = make_moons(200, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    session = LiveSession(model, samples, y, "bce_with_logits", SGD(model.parameters(), lr=0.1))
    plane = Plane(session.samples)
    controls = {"playing": True, "speed": 20, "chosen_class": "0"}
    twin = MLP(2, [8, 8, 1], seed=0)
    opt = SGD(twin.parameters(), lr=0.1)
    sent: list[str] = []

    def update() -> None:
        session.update()
        sent.append(json.dumps(live_state(session, plane, controls)))

    def fit_step() -> None:
        fit(twin, samples, y, loss="bce_with_logits", optimizer=opt, epochs=1, progress=False)

    updates, steps = [], []
    for r in range(WARMUP + ROUNDS):  # side by side, so both see the same load
        u, f = timed(update), timed(fit_step)
        if r >= WARMUP:
            updates.append(u)
            steps.append(f)
    wall, cpu = (statistics.median(t[i] for t in updates) for i in (0, 1))
    ratio = statistics.median(u[1] / f[1] for u, f in zip(updates, steps))
    print(
        f"LiveNetwork update, MLP(2, [8, 8, 1]), 200 points, 24x24 heatmaps (target: at most 50 ms): "
        f"median {cpu:.1f} ms of CPU time, {wall:.1f} ms wall ({1e3 / wall:.0f} updates a second); "
        f"{ratio:.2f} times fit's training step (CPU time, median over {ROUNDS} rounds); "
        f"state {len(sent[-1]) / 1024:.0f} KiB of JSON"
    )


if __name__ == "__main__":
    main()
