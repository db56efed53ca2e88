"""Hypothesis: random expression DAGs (`tests.reference.build`) against central
differences and PyTorch."""

import math

from hypothesis import assume, given

from chainrule import Value
from chainrule.engine import topological_order
from chainrule.gradchecking import numerical_gradient
from tests.reference import CHAINRULE_OPS, build, close, inputs, needs_torch, run_chainrule, run_torch, steps


@given(program=steps, point=inputs)
def test_random_dags_match_finite_differences(program, point):
    kinks = []
    fn = build(program, kinks)
    value, grads = run_chainrule(fn, point)
    assume(math.isfinite(value) and abs(value) < 1e6)
    # A central difference straddling a kink measures neither side.
    assume(all(abs(k.data) > 1e-3 for k in kinks))
    numerical = numerical_gradient(lambda *xs: fn(CHAINRULE_OPS, *xs), point)
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
