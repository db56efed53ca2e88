"""One helper that runs the same Python function on chainrule and on PyTorch.

A function under test takes an `ops` namespace first, then its inputs:
`fn(ops, x, y)`. Operators and the methods both engines share (`exp`, `log`,
`sqrt`, `tanh`, `sigmoid`, `relu`, `abs`, `sin`, `cos`) are called directly; the
rest go through `ops`, which maps them to each engine's spelling. The losses take
lists of inputs and plain-number targets, as chainrule's do, and on the torch side
are torch.nn.functional's own (hinge, which torch lacks in this form, is relu(1 - y s)).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import strategies as st

from chainrule import Value
from chainrule.engine import linear, logsumexp
from chainrule.nn import bce_with_logits, cross_entropy, hinge_loss, mse_loss

try:
    import torch
except ImportError:  # the parity tests skip; CI installs torch
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed (make test WITH_TORCH=1)")

CHAINRULE_OPS = SimpleNamespace(
    leaky_relu=lambda x, slope=0.01: x.leaky_relu(slope),
    softplus=lambda x: x.softplus(),
    logsumexp=logsumexp,
    linear=linear,
    mse_loss=mse_loss,
    hinge_loss=hinge_loss,
    bce_with_logits=bce_with_logits,
    cross_entropy=cross_entropy,
)


def _torch_ops() -> SimpleNamespace:
    functional = torch.nn.functional
    return SimpleNamespace(
        leaky_relu=lambda x, slope=0.01: functional.leaky_relu(x, slope),
        # PyTorch switches to the identity past `threshold` (20 by default, 1e-9 off there);
        # past 40 the identity is exact in float64.
        softplus=lambda x: functional.softplus(x, beta=1.0, threshold=40.0),
        logsumexp=lambda xs: torch.logsumexp(torch.stack(list(xs)), dim=0),
        linear=lambda ws, xs, b: sum((w * x for w, x in zip(ws, xs)), b),
        mse_loss=lambda ps, ts: functional.mse_loss(torch.stack(list(ps)), _tensor(ts)),
        hinge_loss=lambda ss, ys: functional.relu(1.0 - _tensor(ys) * torch.stack(list(ss))).mean(),
        bce_with_logits=lambda xs, ts: functional.binary_cross_entropy_with_logits(torch.stack(list(xs)), _tensor(ts)),
        cross_entropy=lambda rows, ts: functional.cross_entropy(
            torch.stack([torch.stack(list(row)) for row in rows]), torch.tensor(list(ts))
        ),
    )


def _tensor(numbers: Sequence[float]) -> Any:
    return torch.tensor([float(x) for x in numbers], dtype=torch.float64)


def run_chainrule(fn: Callable[..., Any], inputs: Sequence[float]) -> tuple[float, list[float]]:
    xs = [Value(x) for x in inputs]
    out = fn(CHAINRULE_OPS, *xs)
    out.backward()
    return out.data, [x.grad for x in xs]


def run_torch(fn: Callable[..., Any], inputs: Sequence[float]) -> tuple[float, list[float]]:
    xs = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in inputs]
    out = fn(_torch_ops(), *xs)
    out.backward()
    return out.item(), [0.0 if x.grad is None else x.grad.item() for x in xs]


def close(a: float, b: float, rel: float, atol: float = 0.0) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(abs(a), abs(b)) + atol + 1e-300


def assert_matches_torch(fn: Callable[..., Any], inputs: Sequence[float], rel: float = 1e-9, atol: float = 0.0) -> None:
    """Run `fn(ops, *inputs)` on both engines; value and every gradient must agree.

    `atol` allows an absolute difference too, for results that are differences of
    nearly equal numbers (both engines then round at the scale of the terms).
    """
    ours, our_grads = run_chainrule(fn, inputs)
    theirs, their_grads = run_torch(fn, inputs)
    assert close(ours, theirs, rel, atol), f"value: chainrule {ours!r}, torch {theirs!r}"
    for i, (g, t) in enumerate(zip(our_grads, their_grads)):
        assert close(g, t, rel, atol), f"grad of input {i}: chainrule {g!r}, torch {t!r}"


SEED_NODES = ("x", "w", "b", "y", "wx", "z", "a", "a-y", "L")


def seed_example(labels: Sequence[str] = ("z", "a", "L"), backward: bool = False) -> dict[str, Value]:
    """The seed texts' ReLU neuron: x=2, w=3, b=1, y=5, z = w*x + b, a = relu(z), L = (a - y)**2.

    Returns every node by name (`SEED_NODES`); the leaves are labelled, and of the
    others those named in `labels`. With `backward`, L.backward() has run.
    """
    x, w, b, y = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b"), Value(5.0, "y")
    wx = w * x
    z = wx + b
    a = z.relu()
    d = a - y
    loss = d**2
    nodes = dict(zip(SEED_NODES, (x, w, b, y, wx, z, a, d, loss)))
    for name in labels:
        nodes[name].label = name
    if backward:
        loss.backward()
    return nodes


# -- random expression programs, for the property tests ----------------------------------
# A program is a list of steps; each applies an op to earlier nodes (so subexpressions
# are reused), after mapping operands into the op's domain: log and sqrt see
# x*x + 0.5, division divides by y*y + 1, a non-integer power has base x*x + 0.5.

UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "abs", "sin", "cos", "softplus", "pow"]
BINARY = ["+", "-", "*", "/", "vpow"]
KINKED = {"relu", "leaky_relu", "abs"}

steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(UNARY), st.integers(0, 100), st.just(0)),
        st.tuples(st.sampled_from(BINARY), st.integers(0, 100), st.integers(0, 100)),
    ),
    min_size=1,
    max_size=25,
)
inputs = st.lists(st.floats(-2.0, 2.0, allow_nan=False), min_size=1, max_size=4)


def apply(ops, op, a, b):
    """One step of a program: op applied to a (and b), mapped into op's domain."""
    if op == "neg":
        return -a
    if op == "exp":
        return (a * 0.5).exp()
    if op in ("log", "sqrt"):
        return getattr(a * a + 0.5, op)()
    if op in ("tanh", "sigmoid", "relu", "abs", "sin", "cos"):
        return getattr(a, op)()
    if op == "leaky_relu":
        return ops.leaky_relu(a, 0.1)
    if op == "softplus":
        return ops.softplus(a)
    if op == "pow":
        return (a * a + 0.5) ** 1.5
    if op == "/":
        return a / (b * b + 1.0)
    if op == "vpow":
        return (a * a + 0.5) ** b.tanh()
    return {"+": a + b, "-": a - b, "*": a * b}[op]


def build(program, kinks):
    """Turn a program into fn(ops, *xs); kink-op inputs are appended to `kinks`."""

    def fn(ops, *xs):
        nodes = list(xs)
        for op, i, j in program:
            a, b = nodes[i % len(nodes)], nodes[j % len(nodes)]
            if op in KINKED:
                kinks.append(a)
            nodes.append(apply(ops, op, a, b))
        return sum(nodes[len(xs) :], nodes[-1] * 0.0)

    return fn


# -- random graphs with special values, for the bit-for-bit tests -------------------------


def same_float(a: float, b: float) -> bool:
    """a and b are the same float: NaN matches NaN, and 0.0 does not match -0.0."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1.0, a) == math.copysign(1.0, b))


def _random_op(rng: Any, op: str, a: Value, b: Value, nodes: list[Value]) -> Value:
    if op == "linear":
        k = rng.randint(1, 4)
        return linear(rng.choices(nodes, k=k), rng.choices(nodes, k=k), b)
    if op in ("relu", "tanh"):
        return getattr(a, op)()
    if op == "neg":
        return -a
    if op == "square":
        return a * a  # one parent on two edges
    return {"+": a + b, "-": a - b, "*": a * b}[op]


def random_graph(rng: Any, n_ops: int = 60) -> tuple[list[Value], list[Value], Value]:
    """Leaves (a fifth of them 0, -0, +-1, 1e300, inf or nan), every node, and the root of a
    random graph of `n_ops` ops (+, -, *, relu, tanh, neg, linear, x * x) over recent nodes,
    so that paths get long and nodes are reused."""
    specials = [0.0, -0.0, 1.0, -1.0, 1e300, math.inf, math.nan]
    leaves = [Value(rng.choice(specials) if rng.random() < 0.2 else rng.uniform(-2, 2)) for _ in range(6)]
    nodes = list(leaves)
    for _ in range(n_ops):
        a, b = rng.choice(nodes), rng.choice(nodes[-8:])
        op = rng.choice(["+", "-", "*", "relu", "tanh", "neg", "linear", "square"])
        nodes.append(_random_op(rng, op, a, b, nodes))
    root = nodes[-1] + nodes[-2] * nodes[-3]
    return leaves, nodes, root


def torch_mlp_terms(
    model: Any,
    X: Sequence[Sequence[float]],  # noqa: N803 - the samples, as everywhere
    y: Sequence[float],
    sample: int,
) -> list[dict[str, list[float]]]:
    """z, a and δ = dLoss/dz of every neuron of `model` (a chainrule MLP) for sample number
    `sample`, by torch's autograd on the mean bce_with_logits over the batch, with the model's
    weights read as they are now. One dict per layer, input side first."""
    if torch is None:
        pytest.skip("PyTorch is not installed (make test WITH_TORCH=1)")
    activate = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid, "linear": lambda z: z}
    params = {n: torch.tensor(p.data, dtype=torch.float64, requires_grad=True) for n, p in model.named_parameters()}
    logits, kept = [], []
    for i, x in enumerate(X):
        a = [torch.tensor(float(v), dtype=torch.float64) for v in x]
        for li, layer in enumerate(model.layers):
            zs = [
                sum(params[f"layers.{li}.neurons.{k}.w.{j}"] * a[j] for j in range(layer.nin))
                + params[f"layers.{li}.neurons.{k}.b"]
                for k in range(layer.nout)
            ]
            for z in zs:
                z.retain_grad()
            a = [activate[layer.activation](z) for z in zs]
            if i == sample:
                kept.append((zs, a))
        logits.append(a[0])
    targets = torch.tensor([float(t) for t in y], dtype=torch.float64)
    torch.nn.functional.binary_cross_entropy_with_logits(torch.stack(logits), targets).backward()
    return [
        {
            "z": [float(z.detach()) for z in zs],
            "a": [float(v.detach()) for v in a],
            "delta": [float(z.grad) for z in zs],
        }
        for zs, a in kept
    ]


def mlp_deltas_by_hand(
    model: Any,
    X: Sequence[Sequence[float]],  # noqa: N803 - the samples, as everywhere
    y: Sequence[float],
    sample: int,
) -> list[list[float]]:
    """δ = dLoss/dz of every neuron of `model` (a chainrule MLP of tanh, relu or linear layers)
    for sample number `sample`, the loss the mean bce_with_logits over the batch: the layer
    equations in plain floats (∇ₐLoss = (sigmoid(O) - t) / n at the output, δ = σ′(z) ⊙ Wᵀ δ(next)
    below it), with only the weights read from the model. No torch needed."""
    weights = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
    biases = [[n.b.data for n in layer.neurons] for layer in model.layers]
    slope = {
        "tanh": lambda z: 1.0 - math.tanh(z) ** 2,
        "relu": lambda z: 1.0 if z > 0 else 0.0,
        "linear": lambda z: 1.0,
    }
    act = {"tanh": math.tanh, "relu": lambda z: max(z, 0.0), "linear": lambda z: z}
    a, zs = [float(v) for v in X[sample]], []
    for layer, W, b in zip(model.layers, weights, biases):
        z = [sum(w * v for w, v in zip(row, a)) + bk for row, bk in zip(W, b)]
        zs.append(z)
        a = [act[layer.activation](v) for v in z]
    out = a[0]
    grad_a = [(1.0 / (1.0 + math.exp(-out)) - float(y[sample])) / len(X)]
    deltas: list[list[float]] = []
    for li in reversed(range(len(weights))):
        delta = [g * slope[model.layers[li].activation](z) for g, z in zip(grad_a, zs[li])]
        deltas.insert(0, delta)
        grad_a = [sum(weights[li][k][j] * delta[k] for k in range(len(delta))) for j in range(len(weights[li][0]))]
    return deltas
