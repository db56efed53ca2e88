"""Parity with PyTorch in float64: the same function run on both engines."""

import pytest

from tests.reference import assert_matches_torch, needs_torch

pytestmark = needs_torch


def neuron_relu(ops, x, w, b, y):
    return ((w * x + b).relu() - y) ** 2


def every_op(ops, a, b, c):
    s = a * b + c / (a * a + 1.0) - b
    t = (s.tanh() + s.sigmoid()) * (c.exp() + (a * a + 0.5).log() + (b * b + 2.0).sqrt())
    u = t.relu() + ops.leaky_relu(-t, 0.1) + ops.leaky_relu(t) + t.abs() + t.sin() * t.cos() + ops.softplus(t)
    v = (a * a + 1.0) ** b + 2**c + a**3 - 1 / (c * c + 1.0) + 3 - c
    return ops.logsumexp([u, v, s]) + ops.linear([a, b], [c, u], t)


def shared_and_deep(ops, x, y):
    h = x * y
    for _ in range(40):
        h = (h * 0.9 + x).tanh() * y + h * 0.1  # h reused twice per level
    return h * h + x


def power_corners(ops, x, y):
    return (x * x) ** y + (x * x + 1.0) ** 0.5 + y**2 + (2 ** (x + y)) / (1.0 + y * y)


@pytest.mark.parametrize(
    ("fn", "inputs"),
    [
        (neuron_relu, (2.0, 3.0, 1.0, 5.0)),
        (neuron_relu, (2.0, -3.0, 1.0, 5.0)),  # relu off: zero gradients
        (every_op, (0.7, -1.3, 0.4)),
        (every_op, (-2.1, 0.6, 1.9)),
        (every_op, (1.5, 2.5, -0.8)),
        (shared_and_deep, (0.3, 0.8)),
        (shared_and_deep, (-1.2, 1.1)),
        (power_corners, (1.3, 0.7)),
        (power_corners, (-0.4, 2.0)),
    ],
)
def test_matches_torch(fn, inputs):
    assert_matches_torch(fn, inputs)


@pytest.mark.parametrize("x", [-1000.0, -30.0, 0.0, 30.0, 1000.0])
def test_stable_functions_match_torch_at_extremes(x):
    assert_matches_torch(lambda ops, v: v.sigmoid() + v.tanh() + ops.softplus(v), [x])
    assert_matches_torch(lambda ops, v: ops.logsumexp([v, v * 0.5, -v]), [x])


def test_kinks_match_torch():
    assert_matches_torch(lambda ops, v: v.relu() + v.abs() + ops.leaky_relu(v, 0.2), [0.0])
    assert_matches_torch(lambda ops, v: v.sqrt(), [0.0])  # +inf slope
    assert_matches_torch(lambda ops, v: v.log(), [0.0])  # -inf value, +inf slope
    assert_matches_torch(lambda ops, v, e: v**e, [0.0, 2.0])  # d/de at base 0 is 0
