"""The benchmark workloads, one engine per process: `python workloads.py WORKLOAD ENGINE`.

Prints one JSON object: the measurements of that workload on that engine. `run.py`
starts these processes, alternating engines, and aggregates them. Everything a
workload needs (data, initial weights, the random DAG) is built from fixed seeds,
identically for every engine, before the clock starts.

Workloads:
- W1: one step of micrograd's demo (MLP(2, [16, 16, 1]), 100 moons points, hinge
  loss + 1e-4 L2, full-batch forward + backward + SGD), written as its notebook
  writes it, timed at k = 20, 50 and 80 of the demo's 100 steps. Engines: chainrule,
  micrograd, floats (hand-written backprop in plain Python floats: the floor for pure
  Python), torch (the same step on tensors), chainrule-binary (chainrule with
  micrograd's 2n binary nodes per neuron instead of one `linear` node), and
  chainrule-micrograd (the demo's micrograd code with `chainrule.micrograd` imported).
- W2: a random DAG of 200,000 elementary ops, forward + backward. micrograd 0.1.0
  has +, * and relu but no tanh, so the comparison uses those three for both.
- W3: a chain of tanh(w * y) nodes, time per node at 1e4 and 1e6 nodes (chainrule).
- memory: tracemalloc's peak while building W1's graph (forward and loss, no backward),
  for chainrule, chainrule-binary and micrograd.
- check: one W1 step on every engine from the same weights, and W2 on a smaller DAG
  on both engines, compared value by value: proof that they compute the same thing.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import math
import random
import sys
import time
import tracemalloc
from collections.abc import Callable
from itertools import pairwise
from operator import mul
from typing import Any

SIZES = [2, 16, 16, 1]
ALPHA = 1e-4  # L2 weight of the demo's loss
W2_OPS = 200_000
W2_SEED = 7
W3_SIZES = (10_000, 1_000_000)

# -- shared inputs ---------------------------------------------------------------


def moons(n: int = 100, noise: float = 0.1, seed: int = 1337) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (as sklearn's make_moons draws them), labels -1 and 1."""
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    points = [(math.cos(math.pi * i / (n_out - 1)), math.sin(math.pi * i / (n_out - 1)), -1.0) for i in range(n_out)]
    points += [
        (1.0 - math.cos(math.pi * i / (n_in - 1)), 0.5 - math.sin(math.pi * i / (n_in - 1)), 1.0) for i in range(n_in)
    ]
    rng.shuffle(points)
    xs = [[px + rng.gauss(0.0, noise), py + rng.gauss(0.0, noise)] for px, py, _ in points]
    ys = [label for _, _, label in points]
    return xs, ys


def initial_weights(seed: int = 1337) -> list[tuple[list[list[float]], list[float]]]:
    """Per layer (rows of weights, biases), drawn as micrograd's Neuron draws them."""
    rng = random.Random(seed)
    return [
        ([[rng.uniform(-1.0, 1.0) for _ in range(nin)] for _ in range(nout)], [0.0] * nout)
        for nin, nout in pairwise(SIZES)
    ]


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * k / 100  # the demo's schedule


# -- W1 on each engine: build(weights) -> step(k) -> loss --------------------------


def chainrule_mlp(weights: Any) -> Any:
    from chainrule.nn import MLP

    model = MLP(2, SIZES[1:], seed=0)
    for layer, (rows, biases) in zip(model.layers, weights):
        for neuron, row, b in zip(layer.neurons, rows, biases):
            for w, v in zip(neuron.w, row):
                w.data = v
            neuron.b.data = b
    return model


def binary_forward(model: Any, x: list[Any]) -> Any:
    """chainrule's MLP computed as micrograd's Neuron computes it: a `*` and a `+` node per
    weight (builtin sum) instead of one `linear` node per neuron. Not how chainrule's nn
    works; it shows what the n-ary node changes."""
    for layer in model.layers:
        sums = [sum((wi * xi for wi, xi in zip(n.w, x)), n.b) for n in layer.neurons]
        x = [z.relu() for z in sums] if layer.activation == "relu" else sums
    return x[0]


def demo_step(model: Any, value_type: Any, score: Callable[[list[Any]], Any]) -> Callable[[int], float]:
    """One step of micrograd's demo as its notebook writes it, on the engine that `model`
    and `value_type` come from: the same code for chainrule and micrograd. `score` maps
    one sample's input Values to the model's output Value."""
    xs, y = moons()

    def step(k: int) -> float:
        inputs = [list(map(value_type, xrow)) for xrow in xs]
        scores = list(map(score, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss
        model.zero_grad()
        total_loss.backward()
        lr = learning_rate(k)
        for p in model.parameters():
            p.data -= lr * p.grad
        return float(total_loss.data)

    step.model = model  # type: ignore[attr-defined]
    step.flat = lambda: [p.data for p in model.parameters()]  # type: ignore[attr-defined]
    return step


def w1_chainrule(weights: Any, binary: bool = False) -> Callable[[int], float]:
    from chainrule import Value

    model = chainrule_mlp(weights)
    if binary:
        return demo_step(model, Value, lambda x: binary_forward(model, x))
    return demo_step(model, Value, lambda x: model(x)[0])  # chainrule's Layer returns a list


def micrograd_mlp(weights: Any, nn: Any = None) -> Any:
    """micrograd's MLP (or, with `nn`, the MLP of a package with micrograd's API) set to `weights`."""
    if nn is None:
        import micrograd.nn as nn

    model = nn.MLP(2, SIZES[1:])
    for layer, (rows, biases) in zip(model.layers, weights):
        for neuron, row, b in zip(layer.neurons, rows, biases):
            for w, v in zip(neuron.w, row):
                w.data = v
            neuron.b.data = b
    return model


def w1_micrograd(weights: Any) -> Callable[[int], float]:
    from micrograd.engine import Value

    model = micrograd_mlp(weights)
    return demo_step(model, Value, model)  # micrograd's last Layer returns a bare Value


def w1_chainrule_micrograd(weights: Any) -> Callable[[int], float]:
    """The demo's code as written for micrograd, with `chainrule.micrograd` imported instead."""
    from chainrule.micrograd import nn
    from chainrule.micrograd.engine import Value

    model = micrograd_mlp(weights, nn)
    return demo_step(model, Value, model)  # its last Layer returns a bare Value, as micrograd's


def w1_floats(weights: Any) -> Callable[[int], float]:
    """The same step by hand: forward, backward and update in plain Python floats."""
    layers = [([list(row) for row in rows], list(biases)) for rows, biases in weights]
    xs, y = moons()
    last = len(layers) - 1

    def step(k: int) -> float:
        grad_w = [[[0.0] * len(row) for row in rows] for rows, _ in layers]
        grad_b = [[0.0] * len(biases) for _, biases in layers]
        inv_n = 1.0 / len(xs)
        loss = 0.0
        for x, yi in zip(xs, y):
            acts = [x]
            for li, (rows, biases) in enumerate(layers):
                z = [sum(map(mul, row, acts[-1]), b) for row, b in zip(rows, biases)]
                acts.append(z if li == last else [v if v > 0.0 else 0.0 for v in z])
            margin = 1.0 - yi * acts[-1][0]
            if margin <= 0.0:
                continue  # the hinge is flat here: no gradient from this sample
            loss += margin * inv_n
            delta = [-yi * inv_n]  # d loss / d score
            for li in range(last, -1, -1):
                rows, _ = layers[li]
                inp, out = acts[li], acts[li + 1]
                if li != last:
                    delta = [d if o > 0.0 else 0.0 for d, o in zip(delta, out)]
                for gw_row, d in zip(grad_w[li], delta):
                    if d:
                        for i, a in enumerate(inp):
                            gw_row[i] += d * a
                grad_b[li] = [g + d for g, d in zip(grad_b[li], delta)]
                if li:
                    delta = [sum(d * row[i] for d, row in zip(delta, rows)) for i in range(len(inp))]
        lr = learning_rate(k)
        for (rows, biases), gw, gb in zip(layers, grad_w, grad_b):
            for row, g_row in zip(rows, gw):
                for i, w in enumerate(row):
                    loss += ALPHA * w * w
                    row[i] = w - lr * (g_row[i] + 2.0 * ALPHA * w)
            for j, b in enumerate(biases):
                loss += ALPHA * b * b
                biases[j] = b - lr * (gb[j] + 2.0 * ALPHA * b)
        return loss

    def flat() -> list[float]:
        out = []
        for rows, biases in layers:
            for row, b in zip(rows, biases):
                out += [*row, b]
        return out

    step.flat = flat  # type: ignore[attr-defined]
    step.layers = layers  # type: ignore[attr-defined]
    return step


def w1_torch(weights: Any) -> Callable[[int], float]:
    import warnings

    warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # torch works without it
    import torch

    params = []
    for rows, biases in weights:
        params.append(torch.tensor(rows, dtype=torch.float64, requires_grad=True))
        params.append(torch.tensor(biases, dtype=torch.float64, requires_grad=True))
    xs_list, y_list = moons()
    xs = torch.tensor(xs_list, dtype=torch.float64)
    y = torch.tensor(y_list, dtype=torch.float64)

    def step(k: int) -> float:
        h = xs
        for i in range(0, len(params), 2):
            h = h @ params[i].T + params[i + 1]
            if i + 2 < len(params):
                h = h.relu()
        data_loss = (1 - y * h[:, 0]).relu().mean()
        reg_loss = ALPHA * sum((p * p).sum() for p in params)
        total_loss = data_loss + reg_loss
        for p in params:
            p.grad = None
        total_loss.backward()
        lr = learning_rate(k)
        with torch.no_grad():
            for p in params:
                p -= lr * p.grad
        return total_loss.item()

    def flat() -> list[float]:
        out = []
        for i in range(0, len(params), 2):
            for row, b in zip(params[i].tolist(), params[i + 1].tolist()):
                out += [*row, b]
        return out

    step.flat = flat  # type: ignore[attr-defined]
    return step


W1 = {
    "chainrule": w1_chainrule,
    "chainrule-binary": lambda weights: w1_chainrule(weights, binary=True),
    "chainrule-micrograd": w1_chainrule_micrograd,
    "micrograd": w1_micrograd,
    "floats": w1_floats,
    "torch": w1_torch,
}
# Steps of the demo's 100 that every engine times: how much work the plain-float floor
# skips (samples the hinge ignores) depends on how far training has gone.
W1_POINTS = (20, 50, 80)
# Fast engines repeat the points, from fresh models, to gather enough samples.
W1_REPEATS = {
    "chainrule": 4,
    "chainrule-micrograd": 4,
    "chainrule-binary": 1,
    "micrograd": 1,
    "floats": 20,
    "torch": 20,
}
W4_EPOCHS = 20
FITMEM_EPOCHS = 100


def weights_after(steps: int) -> Any:
    """The demo's weights after `steps` steps of training, computed with plain floats
    (every engine computes the same steps; `check` verifies it)."""
    step = w1_floats(initial_weights())
    for k in range(steps):
        step(k)
    return step.layers  # type: ignore[attr-defined]


def run_w1(engine: str) -> dict[str, Any]:
    """Seconds for step `point` of the demo, from the weights after `point` steps, at each
    point: same weights, same data and same step for every engine. One untimed step on
    a throwaway model first takes first-call costs out of the timings. An engine named
    `...-gcoff` is that engine with the step wrapped in gc.disable() / gc.enable(), as a
    user's own loop can be."""
    name, gc_off = engine.removesuffix("-gcoff"), engine.endswith("-gcoff")
    start_weights = {point: weights_after(point) for point in W1_POINTS}
    W1[name](initial_weights())(0)
    times = []
    for _ in range(W1_REPEATS[name]):
        for point in W1_POINTS:
            step = W1[name](start_weights[point])
            start = time.perf_counter()
            if gc_off:
                gc.disable()
            step(point)
            if gc_off:
                gc.enable()
            times.append(time.perf_counter() - start)
    return {"samples": times}


# -- W2: a random DAG ----------------------------------------------------------------


def random_dag(n_ops: int, seed: int, ops: tuple[str, ...] = ("+", "*", "relu")) -> tuple[list[float], list[Any]]:
    """Leaf values and a program of (op, i, j) steps over earlier nodes, n_ops steps in all.

    Operands are drawn uniformly from all earlier nodes, so paths stay short (micrograd's
    recursive sort needs that). Nodes nothing consumed are then summed pairwise into one
    output, so backward reaches every node. A product takes one operand from the leaves
    (a weight times a node, as in a network), which keeps values finite.
    """
    rng = random.Random(seed)
    leaves = [rng.uniform(-1.0, 1.0) for _ in range(1000)]
    n_leaves = len(leaves)
    program: list[tuple[str, int, int]] = []
    unconsumed: set[int] = set()
    # Random ops until they plus the pairwise sum of the unconsumed nodes make n_ops.
    while len(program) + max(len(unconsumed) - 1, 0) < n_ops:
        node = n_leaves + len(program)
        op = rng.choice(ops)
        i = rng.randrange(node)
        j = rng.randrange(n_leaves) if op == "*" else rng.randrange(node) if op == "+" else 0
        program.append((op, i, j))
        unconsumed.discard(i)
        if op in ("+", "*"):
            unconsumed.discard(j)
        unconsumed.add(node)
    level = sorted(unconsumed)
    while len(level) > 1:
        nxt = []
        for a, b in zip(level[::2], level[1::2]):
            program.append(("+", a, b))
            nxt.append(n_leaves + len(program) - 1)
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return leaves, program


def build_dag(value_type: Any, leaves: list[float], program: list[Any]) -> tuple[list[Any], Any]:
    nodes = [value_type(x) for x in leaves]
    leaf_nodes = list(nodes)
    append = nodes.append
    for op, i, j in program:
        if op == "+":
            append(nodes[i] + nodes[j])
        elif op == "*":
            append(nodes[i] * nodes[j])
        elif op == "relu":
            append(nodes[i].relu())
        else:
            append(nodes[i].tanh())
    return leaf_nodes, nodes[-1]


def dag_depth(n_leaves: int, program: list[Any]) -> int:
    depth = [0] * n_leaves
    for op, i, j in program:
        depth.append(1 + max(depth[i], depth[j] if op in ("+", "*") else 0))
    return max(depth)


def run_w2(engine: str, n_ops: int = W2_OPS) -> dict[str, Any]:
    """Forward and backward of the random DAG; `...-gcoff` engines run with the collector off."""
    if engine.endswith("-gcoff"):
        gc.disable()
        engine = engine.removesuffix("-gcoff")
    leaves, program = random_dag(n_ops, W2_SEED)
    if engine == "micrograd":
        from micrograd.engine import Value

        # micrograd sorts its graph recursively: one Python frame per level of depth.
        sys.setrecursionlimit(max(sys.getrecursionlimit(), dag_depth(len(leaves), program) + 1000))
    else:
        from chainrule import Value  # type: ignore[assignment]
    start = time.perf_counter()
    _, out = build_dag(Value, leaves, program)
    built = time.perf_counter()
    out.backward()
    end = time.perf_counter()
    return {"samples": [end - start], "forward": built - start, "backward": end - built, "ops": len(program)}


# -- W3: a deep chain ------------------------------------------------------------------


def run_w3(engine: str) -> dict[str, Any]:
    """Seconds per node of building and backpropagating a chain of `engine` (a number) nodes,
    and of the backward pass alone. Short chains are repeated so that each process
    measures about as many nodes."""
    from chainrule import Value

    n = int(engine)
    total, backward = [], []
    for _ in range(max(1, W3_SIZES[-1] // n // 10)):
        w = Value(0.5)
        y = Value(1.0)
        start = time.perf_counter()
        for _ in range(n // 2):
            y = (w * y).tanh()
        built = time.perf_counter()
        y.backward()
        end = time.perf_counter()
        total.append((end - start) / n)
        backward.append((end - built) / n)
        del y  # free this chain before timing the next
    return {"samples": total, "backward": backward}


# -- memory ---------------------------------------------------------------------------


def run_memory(engine: str) -> dict[str, Any]:
    """Peak bytes traced while building W1's graph once (forward and loss, no backward)."""
    if engine == "micrograd":
        from micrograd.engine import Value

        model = micrograd_mlp(initial_weights())
        score: Callable[[Any], Any] = model
    else:
        from chainrule import Value  # type: ignore[assignment]

        model = chainrule_mlp(initial_weights())
        binary = engine == "chainrule-binary"

        def score(x: list[Any]) -> Any:
            return binary_forward(model, x) if binary else model(x)[0]

    xs, y = moons()
    params = model.parameters()
    tracemalloc.start()
    inputs = [list(map(Value, xrow)) for xrow in xs]
    scores = list(map(score, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    total_loss = data_loss + ALPHA * sum(p * p for p in params)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del total_loss
    return {"samples": [peak]}


# -- W4: fit itself, and its memory ---------------------------------------------------------


def chainrule_fit(model: Any, epochs: int, pause: bool = True) -> Any:
    """chainrule's `fit` on the demo's moons, hinge loss, full batch, plain SGD; with
    `pause=False`, the same fit with `collector_paused` replaced by a context that does
    nothing (for this benchmark only, not an option of fit)."""
    import contextlib

    from chainrule.nn import collector_paused, fit, training
    from chainrule.optim import SGD

    xs, y = moons()
    training.collector_paused = collector_paused if pause else contextlib.nullcontext
    optimizer = SGD(model.parameters(), lr=0.05)
    return fit(model, xs, y, loss="hinge_loss", optimizer=optimizer, epochs=epochs, progress=False)


def run_w4(engine: str) -> dict[str, Any]:
    """Seconds for W4_EPOCHS full-batch epochs of training MLP(2, [16, 16, 1]) on the 100 moons
    points from the demo's weights: chainrule's `fit` with and without its collector pause,
    and micrograd's demo loop (its step as the notebook writes it, loss with L2) for as
    many steps."""
    if engine == "micrograd":
        step = w1_micrograd(initial_weights())
        start = time.perf_counter()
        for k in range(W4_EPOCHS):
            step(k)
        return {"samples": [time.perf_counter() - start]}
    chainrule_fit(chainrule_mlp(initial_weights()), 1)  # first-call costs, untimed
    model = chainrule_mlp(initial_weights())
    start = time.perf_counter()
    chainrule_fit(model, W4_EPOCHS, pause=engine == "chainrule")
    return {"samples": [time.perf_counter() - start]}


def run_w5(engine: str) -> dict[str, Any]:
    """Seconds per epoch of `fit` on W1's data and model (hinge loss, full batch, SGD) from the
    weights after each W1 point, with `compile=True` (or False for eager): a fit of 21 epochs
    less one of 1, over 20, so the one-time trace (timed by `compile`) is left out."""
    compiled = engine == "chainrule-compiled"
    xs, y = moons()
    from chainrule.nn import fit
    from chainrule.optim import SGD

    def timed(point: int, epochs: int) -> float:
        model = chainrule_mlp(weights_after(point))
        start = time.perf_counter()
        fit(
            model,
            xs,
            y,
            loss="hinge_loss",
            optimizer=SGD(model.parameters(), lr=0.05),
            epochs=epochs,
            progress=False,
            compile=compiled,
        )
        return time.perf_counter() - start

    timed(0, 2)  # first-call costs, untimed
    return {"samples": [(timed(point, 21) - timed(point, 1)) / 20 for point in W1_POINTS]}


def run_compile(engine: str) -> dict[str, Any]:
    """Seconds to compile MLP(2, [16, 16, 1]): `chainrule.compile(model)` and its first call, which
    traces, writes the code and compiles it with Python's `compile()`; a fresh model each time."""
    import chainrule

    times = []
    for _ in range(5):
        model = chainrule_mlp(initial_weights())
        start = time.perf_counter()
        chainrule.compile(model)([0.5, -0.5])
        times.append(time.perf_counter() - start)
    return {"samples": times}


def cyclic_mlp(weights: Any) -> Any:
    """The demo's MLP, but each forward pass leaves a reference cycle holding its outputs (and
    so the sample's whole graph), which only the cyclic collector can free."""
    from chainrule.nn import MLP

    class CyclicMLP(MLP):
        def forward(self, x: Any) -> Any:
            out = super().forward(x)
            holder: dict[str, Any] = {"outputs": out}
            holder["self"] = holder
            return out

    model = CyclicMLP(2, SIZES[1:], seed=0)
    model.load_state_dict(chainrule_mlp(weights).state_dict())
    return model


def run_fitmem(engine: str) -> dict[str, Any]:
    """tracemalloc's peak over a FITMEM_EPOCHS-epoch fit: `chainrule` (the pause) or
    `chainrule-nopause`, each also with a `-cycles` model that makes a cycle per sample."""
    name = engine.removesuffix("-cycles")
    make = cyclic_mlp if engine.endswith("-cycles") else chainrule_mlp
    chainrule_fit(make(initial_weights()), 1, pause=name == "chainrule")  # first-call costs, untraced
    model = make(initial_weights())
    gc.collect()
    tracemalloc.start()
    chainrule_fit(model, FITMEM_EPOCHS, pause=name == "chainrule")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"samples": [peak]}


# -- check: every engine computes the same step ---------------------------------------------


def run_check(engine: str) -> dict[str, Any]:
    """One W1 step per engine from the same weights, and a 20,000-op DAG on both graph engines.

    Returns the largest relative differences from chainrule; run.py refuses to report
    timings when they exceed 1e-9.
    """
    weights = initial_weights()
    # torch is installed for the Python its CPU wheel is built for (`make bench` on 3.11) only.
    has_torch = importlib.util.find_spec("torch") is not None
    steps = {name: make(weights) for name, make in W1.items() if name != "torch" or has_torch}
    losses = {name: step(0) for name, step in steps.items()}
    params = {name: step.flat() for name, step in steps.items()}  # type: ignore[attr-defined]
    worst: dict[str, float] = {}
    for name in steps:
        diffs = [_rel(losses[name], losses["chainrule"])]
        diffs += [_rel(a, b) for a, b in zip(params[name], params["chainrule"])]
        assert len(params[name]) == len(params["chainrule"]) == 337
        worst[f"W1 {name}"] = max(diffs)

    from micrograd.engine import Value as MValue

    from chainrule import Value as CValue

    leaves, program = random_dag(20_000, W2_SEED)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), dag_depth(len(leaves), program) + 1000))
    grads = []
    for value_type in (CValue, MValue):
        leaf_nodes, out = build_dag(value_type, leaves, program)
        out.backward()
        grads.append([out.data] + [v.grad for v in leaf_nodes])
    worst["W2 micrograd"] = max(_rel(a, b) for a, b in zip(*grads))
    return worst


def _rel(a: float, b: float) -> float:
    return abs(a - b) / max(1.0, abs(a), abs(b))


RUNNERS = {
    "W1": run_w1,
    "W2": run_w2,
    "W3": run_w3,
    "W4": run_w4,
    "W5": run_w5,
    "compile": run_compile,
    "memory": run_memory,
    "fitmem": run_fitmem,
    "check": run_check,
}

if __name__ == "__main__":
    workload, engine = sys.argv[1], sys.argv[2]
    print(json.dumps(RUNNERS[workload](engine)))
