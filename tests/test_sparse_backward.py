"""backward's sparse loop against the dense rule, `backward_steps`, bit for bit.

The loop skips nodes whose grad is zero and masked edges; the rule takes every step. On
random graphs full of zeros, +-0.0, relu kinks, masked powers, nan and inf, every node's
gradient must be the same float in both, signs of zero and nan included.
"""

from __future__ import annotations

import math
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule import Value
from chainrule.engine import backward_steps, linear, logsumexp, topological_order

SPECIALS = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, math.inf, -math.inf, math.nan, 1e300, 5e-324]
UNARY = ["neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "leaky_relu", "abs", "sin", "cos", "softplus"]
EXPONENTS = [0.0, -0.0, 0.5, 1.0, 2.0, 3.0, -1.0]


def bits(x: float) -> bytes:
    """The float's 8 bytes: equal bits are the same float, sign of zero and nan included."""
    return struct.pack("<d", x)


@st.composite
def graphs(draw: st.DrawFn) -> tuple[list[Value], list[Value], Value]:
    """Leaves, every node and a root: a random graph over every op, with many zeros."""
    leaf = st.sampled_from(SPECIALS) | st.floats(-3.0, 3.0) | st.just(0.0)
    leaves = [Value(x) for x in draw(st.lists(leaf, min_size=1, max_size=5))]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, 25))):
        pick = st.integers(0, len(nodes) - 1).map(lambda i: nodes[i])
        op = draw(st.sampled_from([*UNARY, "+", "-", "*", "/", "pow", "pow_number", "linear", "logsumexp", "square"]))
        a, b = draw(pick), draw(pick)
        try:
            if op in UNARY:
                out = -a if op == "neg" else getattr(a, op)()
            elif op == "pow_number":
                out = a ** draw(st.sampled_from(EXPONENTS))
            elif op == "linear":
                k = draw(st.integers(1, 3))
                out = linear([draw(pick) for _ in range(k)], [draw(pick) for _ in range(k)], b)
            elif op == "logsumexp":
                out = logsumexp([a, b, draw(pick)])
            elif op == "square":
                out = a * a
            else:
                out = {"+": a.__add__, "-": a.__sub__, "*": a.__mul__, "/": a.__truediv__, "pow": a.__pow__}[op](b)
        except (ValueError, ZeroDivisionError):
            continue
        nodes.append(out)
    # Weigh a few nodes by 0, nan or inf, so zero and non-finite grads reach every kind of edge.
    root = nodes[-1]
    for _ in range(draw(st.integers(0, 3))):
        root = root + draw(st.sampled_from(nodes)) * draw(st.sampled_from([0.0, -0.0, math.nan, math.inf, -1.0]))
    return leaves, nodes, root


def dense(root: Value, start: dict[Value, float]) -> dict[Value, float]:
    """Every node's gradient by `backward_steps`, each leaf adding onto `start[leaf]`."""
    grads = {v: (start[v] if v.is_leaf else 0.0) for v in topological_order(root)}
    grads[root] = 1.0 if not root.is_leaf else start[root] + 1.0
    for step in backward_steps(root):
        for c in step.contributions:
            grads[c.parent] += c.amount
    return grads


@settings(max_examples=1000)
@given(graphs(), st.lists(st.sampled_from([0.0, -0.0, 0.5, math.nan, 7.0]), min_size=30, max_size=30))
def test_sparse_loop_gives_the_dense_rule_bit_for_bit(graph, held):
    _, _, root = graph
    everything = topological_order(root)
    for i, v in enumerate(everything):  # leaves hold something; interior grads are stale
        v.grad = held[i % len(held)]
    expected = dense(root, {v: v.grad for v in everything if v.is_leaf})
    root.backward()
    for v in everything:
        assert bits(v.grad) == bits(expected[v]) or (math.isnan(v.grad) and math.isnan(expected[v])), (
            v,
            expected[v],
        )


def test_a_zero_grad_meeting_an_infinite_derivative_still_passes_nan():
    """Not every zero grad is skipped: 0 * inf is nan, in the loop as in the rule (and torch)."""
    x = Value(1000.0)
    e = x.exp()  # overflows: local derivative inf
    (e * 0.0 + 1.0).backward()
    assert math.isnan(x.grad)


def test_no_gradient_is_negative_zero():
    """A gradient is 0.0 plus its contributions: -0.0 alone gives 0.0, set by hand too."""
    x = Value(2.0)
    y = x * -0.0  # one contribution, -0.0
    z = y * 1.0
    z.backward()
    assert bits(y.grad) == bits(1.0) and bits(x.grad) == bits(0.0)
    x.grad = -0.0
    assert bits(x.grad) == bits(0.0)


def test_a_dead_subgraph_is_skipped_but_its_grads_are_reset():
    """Nodes behind a dead relu are skipped, yet a stale grad on them is still reset."""
    w, x = Value(3.0), Value(-2.0)
    hidden = (w * x).tanh() * 5.0
    out = hidden.relu() + w
    for v in topological_order(out):
        if not v.is_leaf:
            v.grad = 99.0
    out.backward()
    assert hidden.grad == 0.0 and w.grad == 1.0 and x.grad == 0.0
