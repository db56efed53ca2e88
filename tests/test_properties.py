"""Hypothesis: random expression DAGs against central differences and PyTorch.

A program is a list of steps; each applies an op to earlier nodes (so subexpressions
are reused), after mapping operands into the op's domain: log and sqrt see
x*x + 0.5, division divides by y*y + 1, a non-integer power has base x*x + 0.5.
"""

import math

from hypothesis import assume, given
from hypothesis import strategies as st

from chainrule import Value, no_grad
from chainrule.engine import topological_order
from tests.reference import CHAINRULE_OPS, close, needs_torch, run_chainrule, run_torch

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


def central_differences(fn, point, eps=1e-6):

    grads = []
    with no_grad():
        for i in range(len(point)):
            up = fn(CHAINRULE_OPS, *[Value(p + eps if j == i else p) for j, p in enumerate(point)]).data
            down = fn(CHAINRULE_OPS, *[Value(p - eps if j == i else p) for j, p in enumerate(point)]).data
            grads.append((up - down) / (2 * eps))
    return grads


@given(program=steps, point=inputs)
def test_random_dags_match_finite_differences(program, point):
    kinks = []
    fn = build(program, kinks)
    value, grads = run_chainrule(fn, point)
    assume(math.isfinite(value) and abs(value) < 1e6)
    # A central difference straddling a kink measures neither side.
    assume(all(abs(k.data) > 1e-3 for k in kinks))
    numerical = central_differences(fn, point)
    for g, n in zip(grads, numerical):
        assert abs(g - n) <= 1e-5 + 1e-4 * abs(n), (grads, numerical)


@needs_torch
@given(program=steps, point=inputs)
def test_random_dags_match_torch(program, point):
    fn = build(program, [])
    value, grads = run_chainrule(fn, point)
    assume(math.isfinite(value))
    their_value, their_grads = run_torch(fn, point)
    # Relative 1e-9, plus a floor for results that cancel to nearly 0 (say 0.0 against
    # -1.1e-16): there the two engines' rounding differs at the scale of the graph's
    # largest numbers, not of the result.
    atol = 1e-13 * magnitude(fn, point)
    assert close(value, their_value, 1e-9, atol)
    for g, t in zip(grads, their_grads):
        assert close(g, t, 1e-9, atol), (grads, their_grads)


def magnitude(fn, point):
    """The largest finite |data| or |grad| of any node in fn's graph at point."""
    xs = [Value(p) for p in point]
    out = fn(CHAINRULE_OPS, *xs)
    out.backward()
    finite = [abs(x) for v in topological_order(out) for x in (v.data, v.grad) if math.isfinite(x)]
    return max(finite, default=1.0)
