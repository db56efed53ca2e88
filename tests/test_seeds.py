"""The worked examples of the seed texts, with hand-derived numbers."""

import math

import pytest

from chainrule import Value


def test_relu_neuron_worked_example():
    # x=2, w=3, b=1, y=5: z = 7, a = 7, L = (7-5)^2 = 4; dL/da = 4, da/dz = 1, dz/dw = x = 2.
    x, w, b, y = Value(2.0), Value(3.0), Value(1.0), Value(5.0)
    z = w * x + b
    a = z.relu()
    L = (a - y) ** 2
    L.backward()
    assert (z.data, a.data, L.data) == (7.0, 7.0, 4.0)
    assert a.grad == 4.0 and z.grad == 4.0
    assert w.grad == 8.0 and b.grad == 4.0
    assert x.grad == 12.0  # dz/dx = w = 3


def test_sigmoid_neuron_with_target_one():
    # One sigmoid neuron, x = 2, target 1, L = (a - 1)^2, at w = 0.5, b = 0.
    x, w, b = 2.0, Value(0.5), Value(0.0)
    z = w * x + b
    a = z.sigmoid()
    L = (a - 1.0) ** 2
    L.backward()
    s = 1 / (1 + math.exp(-1.0))  # z = 1
    assert a.data == pytest.approx(s)
    # dL/dw = 2(a - 1) * a(1 - a) * x
    assert w.grad == pytest.approx(2 * (s - 1) * s * (1 - s) * 2.0)
    assert b.grad == pytest.approx(2 * (s - 1) * s * (1 - s))
    # The middle factor a(1 - a) never exceeds 0.25.
    assert z.grad / a.grad == pytest.approx(s * (1 - s)) and s * (1 - s) <= 0.25


@pytest.mark.parametrize("w0", [-4.0, -2.0, 0.5, 2.0, 4.0])
def test_sigmoid_factor_is_at_most_a_quarter(w0):
    z = Value(w0) * 2.0
    a = z.sigmoid()
    assert a.local_grads[0] <= 0.25


def test_output_node_error_term():
    # For C = (y - O)^2 / 2 and O = sigmoid(net), -dC/dnet = O(1 - O)(y - O).
    net, y = Value(0.3), 1.0
    O = net.sigmoid()
    C = (y - O) ** 2 / 2
    C.backward()
    o = 1 / (1 + math.exp(-0.3))
    assert -net.grad == pytest.approx(o * (1 - o) * (y - o))


def test_hidden_node_error_term():
    # A hidden sigmoid node h feeding two sigmoid outputs with weights w1, w2:
    # its error is h(1 - h) * sum_k Error_k * w_k.
    net_h = Value(0.2)
    h = net_h.sigmoid()
    w = [0.4, -0.7]
    targets = [1.0, 0.0]
    outs = [(h * wk).sigmoid() for wk in w]
    C = sum((t - o) ** 2 / 2 for t, o in zip(targets, outs))
    C.backward()
    hv = h.data
    errors = [o.data * (1 - o.data) * (t - o.data) for o, t in zip(outs, targets)]
    assert -net_h.grad == pytest.approx(hv * (1 - hv) * sum(e * wk for e, wk in zip(errors, w)))
