"""How long one live update of `chainrule.viz.LiveNetwork` takes in the kernel.

An update is what Play does each step: a training step (forward, loss, zero_grad, backward,
optimizer.step, as `fit`), then the new state ready to send: `layer_terms` for the selected
sample, every neuron's activation over a 24 x 24 grid of the input plane (a `no_grad`
forward), the decision boundary, the texts and equations, and the JSON the front end gets.
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

from chainrule.data import make_moons
from chainrule.nn import MLP, fit
from chainrule.optim import SGD
from chainrule.viz.live import LiveSession, Plane, live_state

ROUNDS, WARMUP = 40, 3


def main() -> None:
    samples, y = make_moons(200, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    session = LiveSession(model, samples, y, "bce_with_logits", SGD(model.parameters(), lr=0.1))
    plane = Plane(session.samples)
    steps, updates, sizes = [], [], []
    for r in range(WARMUP + ROUNDS):
        start = time.perf_counter()
        session.update()
        stepped = time.perf_counter()
        text = json.dumps(live_state(session, plane, {"playing": True, "speed": 20, "chosen_class": "0"}))
        done = time.perf_counter()
        if r >= WARMUP:
            steps.append(stepped - start)
            updates.append(done - start)
            sizes.append(len(text))
    twin = MLP(2, [8, 8, 1], seed=0)
    opt = SGD(twin.parameters(), lr=0.1)
    fit_steps = []
    for _ in range(WARMUP + ROUNDS):
        start = time.perf_counter()
        fit(twin, samples, y, loss="bce_with_logits", optimizer=opt, epochs=1, progress=False)
        fit_steps.append(time.perf_counter() - start)
    update, step, fit_step = (statistics.median(v) * 1e3 for v in (updates, steps, fit_steps[WARMUP:]))
    p90 = statistics.quantiles(updates, n=10)[-1] * 1e3
    print(
        f"LiveNetwork update, MLP(2, [8, 8, 1]), 200 points, 24x24 heatmaps: median {update:.1f} ms "
        f"(90th percentile {p90:.1f} ms, target 50 ms; {1e3 / update:.0f} updates a second); "
        f"its training step {step:.1f} ms, fit's step {fit_step:.1f} ms (update / fit step = "
        f"{update / fit_step:.2f}); state {statistics.median(sizes) / 1024:.0f} KiB of JSON"
    )


if __name__ == "__main__":
    main()
