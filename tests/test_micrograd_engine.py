"""chainrule.micrograd.engine: the Value micrograd's code and its lecture's code read.

The programs below have the shape of what a learner writes after micrograd's README, its
`test/test_engine.py` and the lecture that builds it (a neuron stepped backward by hand,
a graph drawn by walking `_prev`). Expected numbers come from plain floats worked by
hand, or from PyTorch.
"""

from __future__ import annotations

import copy
import math
import pickle

import pytest

import chainrule
from chainrule import no_grad
from chainrule.engine import linear
from chainrule.micrograd.engine import Value

# The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b), with b chosen so that n = atanh(1/sqrt 2).
B = 6.8813735870195432


def lecture_neuron() -> dict[str, Value]:
    """The lecture's neuron, built as it builds it, each node labelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(B, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o)}


def test_the_micrograd_value_is_chainrules_own_class():
    assert Value is chainrule.Value
    assert type(Value(1.0) * 2) is chainrule.Value


def test_prev_is_the_set_of_parents():
    a, b = Value(2.0), Value(3.0)
    assert a._prev == set()
    assert (a * b)._prev == {a, b}
    assert (a * a)._prev == {a}  # one parent, used twice
    assert a.relu()._prev == {a}
    z = linear([a, b], [b, a], Value(1.0))
    assert len(z._prev) == 3 and a in z._prev and b in z._prev


def test_every_leaf_has_an_empty_op_constants_included():
    x = Value(1.0)
    y = x * 2 + 1
    constants = [p for p in y.parents[0].parents + y.parents if p is not x and p.is_leaf]
    assert len(constants) == 2 and all(c.is_constant for c in constants)
    assert [c._op for c in constants] == ["", ""]
    assert x._op == "" and not x.is_constant
    assert (y._op, y.parents[0]._op) == ("+", "*")


def test_constants_stay_constants_through_pickle_and_copy():
    y = Value(3.0) * 2.0
    const = y.parents[1]
    assert pickle.loads(pickle.dumps(const)).is_constant
    assert copy.copy(const).is_constant and copy.deepcopy(y).parents[1].is_constant
    assert not pickle.loads(pickle.dumps(y.parents[0])).is_constant
    assert not pickle.loads(pickle.dumps(y)).is_constant


def test_a_node_made_under_no_grad_is_a_leaf_not_a_constant():
    with no_grad():
        z = Value(2.0) * Value(3.0)
    assert z._op == "" and z._prev == set() and not z.is_constant


def test_the_lecture_neuron_forward():
    nodes = lecture_neuron()
    assert nodes["n"].data == pytest.approx(2.0 * -3.0 + 0.0 * 1.0 + B, rel=1e-15)
    assert nodes["o"].data == pytest.approx(1 / math.sqrt(2), rel=1e-15)
    assert nodes["o"]._op == "tanh" and nodes["n"]._op == "+" and nodes["x1*w1"]._op == "*"


def test_stepping_backward_by_hand_as_the_lecture_does():
    """o.grad = 1, then each node's _backward() from the output down, as the lecture calls them.
    By hand: do/dn = 1 - o^2 = 1/2, and each + passes it on; x1.grad = w1 * 1/2 = -1.5, etc."""
    v = lecture_neuron()
    v["o"].grad = 1.0
    for name in ("o", "n", "b", "x1*w1 + x2*w2", "x2*w2", "x1*w1"):
        v[name]._backward()
    expected = {"n": 0.5, "b": 0.5, "x1*w1 + x2*w2": 0.5, "x1*w1": 0.5, "x2*w2": 0.5}
    expected |= {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0}
    for name, grad in expected.items():
        assert v[name].grad == pytest.approx(grad, rel=1e-12, abs=1e-15), name


def test_stepping_by_hand_gives_what_backward_gives():
    by_hand, auto = lecture_neuron(), lecture_neuron()
    by_hand["o"].grad = 1.0
    for name in ("o", "n", "x1*w1 + x2*w2", "x2*w2", "x1*w1"):
        by_hand[name]._backward()
    auto["o"].backward()
    assert {k: v.grad for k, v in by_hand.items()} == {k: v.grad for k, v in auto.items()}


def test_a_leafs_backward_does_nothing_and_steps_add():
    a, b = Value(2.0), Value(3.0)
    a.grad = 5.0
    a._backward()
    assert a.grad == 5.0
    c = a * b
    c.grad = 1.0
    c._backward()
    c._backward()  # as micrograd's closures do, each call adds
    assert (a.grad, b.grad) == (5.0 + 3.0 + 3.0, 4.0)


def test_a_linear_nodes_step_reaches_every_parent():
    w, x, bias = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)], Value(0.5)
    z = linear(w, x, bias)
    z.grad = 2.0
    z._backward()
    assert [p.grad for p in (*w, *x, bias)] == [6.0, 8.0, 4.0, -2.0, 2.0]


def test_the_lectures_tanh_written_out_with_exp_gives_the_same_grads():
    """The lecture's second form: o = (e - 1) / (e + 1) with e = exp(2n)."""
    v = lecture_neuron()
    e = (2 * v["n"]).exp()
    o = (e - 1) / (e + 1)
    o.backward()
    assert o.data == pytest.approx(1 / math.sqrt(2), rel=1e-12)
    for name, grad in {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}.items():
        assert v[name].grad == pytest.approx(grad, rel=1e-9, abs=1e-12), name


def test_the_lectures_small_graphs():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0  # both edges of b count
    a, b = Value(-2.0), Value(3.0)
    f = (a * b) * (a + b)  # f = d * e with d = -6, e = 1
    f.backward()
    assert (f.data, a.grad, b.grad) == (-6.0, 1.0 * 3.0 + -6.0, 1.0 * -2.0 + -6.0)


def test_abs_is_the_abs_op():
    x = Value(-2.5)
    y = abs(x)
    y.backward()
    assert (y.data, y.op, x.grad) == (2.5, "abs", -1.0)
    z = Value(0.0)
    abs(z).backward()
    assert z.grad == 0.0  # 0 at the kink, as v.abs() and torch


def test_micrograds_sanity_check_against_torch():
    """The first program of micrograd's test_engine.py, on both engines, to the bit."""
    torch = pytest.importorskip("torch")

    def program(x):
        z = 2 * x + 2 + x
        q = z.relu() + z * x
        h = (z * z).relu()
        return h + q + q * x

    x = Value(-4.0)
    y = program(x)
    y.backward()
    xt = torch.tensor([-4.0], dtype=torch.float64, requires_grad=True)
    yt = program(xt)
    yt.backward()
    assert y.data == yt.item() and x.grad == xt.grad.item()


def test_micrograds_more_ops_against_torch():
    """The second program of micrograd's test_engine.py: +=, reflected ops, powers, division."""
    torch = pytest.importorskip("torch")

    def program(a, b):
        c = a + b
        d = a * b + b**3
        c = c + c + 1
        c = c + 1 + c + (-a)
        d = d + d * 2 + (b + a).relu()
        d = d + 3 * d + (b - a).relu()
        e = c - d
        f = e**2
        g = f / 2.0
        return g + 10.0 / f

    a, b = Value(-4.0), Value(2.0)
    g = program(a, b)
    g.backward()
    at, bt = (torch.tensor([v], dtype=torch.float64, requires_grad=True) for v in (-4.0, 2.0))
    gt = program(at, bt)
    gt.backward()
    for ours, theirs in ((g.data, gt.item()), (a.grad, at.grad.item()), (b.grad, bt.grad.item())):
        assert ours == pytest.approx(theirs, rel=1e-12)


def test_the_same_program_with_plus_equals_as_micrograd_writes_it():
    """`c += ...` on a Value rebinds c to a new node, as in micrograd: grads are unchanged."""
    a = Value(-4.0)
    c = a + 1.0
    c += c * 2
    c.backward()
    assert (c.data, a.grad) == (-9.0, 3.0)


def test_side_by_side_with_micrograd_itself():
    """Where micrograd is installed (`pip install micrograd==0.1.0`), the same numbers."""
    mg = pytest.importorskip("micrograd.engine")
    results = []
    for V in (Value, mg.Value):
        a, b = V(-4.0), V(2.0)
        y = (a * b + b**3).relu() * a + (a - b) * 3
        y.backward()
        results.append((y.data, a.grad, b.grad))
    assert results[0] == pytest.approx(results[1], rel=1e-15)
