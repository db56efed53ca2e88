"""One small test per primitive: value and local gradient against hand-derived numbers."""

import math

import pytest

from chainrule import Value


def grads(fn, *inputs):
    """Value of fn at inputs and the gradient of each input, after backward."""
    xs = [Value(x) for x in inputs]
    out = fn(*xs)
    out.backward()
    return out.data, [x.grad for x in xs]


@pytest.mark.parametrize(
    ("fn", "inputs", "value", "expected"),
    [
        (lambda a, b: a + b, (2.0, 3.0), 5.0, [1.0, 1.0]),
        (lambda a, b: a - b, (2.0, 3.0), -1.0, [1.0, -1.0]),
        (lambda a, b: a * b, (2.0, 3.0), 6.0, [3.0, 2.0]),
        (lambda a, b: a / b, (3.0, 2.0), 1.5, [0.5, -0.75]),  # d/db = -a/b^2
        (lambda a: -a, (2.0,), -2.0, [-1.0]),
        (lambda a: a**3, (2.0,), 8.0, [12.0]),
        (lambda a: a**0.5, (4.0,), 2.0, [0.25]),
        (lambda a: a**-1, (4.0,), 0.25, [-1 / 16]),
        (lambda a: a**0, (4.0,), 1.0, [0.0]),
        (lambda a, b: a**b, (2.0, 3.0), 8.0, [12.0, 8.0 * math.log(2.0)]),
        (lambda a: 2**a, (3.0,), 8.0, [8.0 * math.log(2.0)]),
        (lambda a: a.exp(), (1.0,), math.e, [math.e]),
        (lambda a: a.log(), (4.0,), math.log(4.0), [0.25]),
        (lambda a: a.sqrt(), (9.0,), 3.0, [1 / 6]),
        (lambda a: a.tanh(), (0.5,), math.tanh(0.5), [1 - math.tanh(0.5) ** 2]),
        (lambda a: a.sigmoid(), (0.0,), 0.5, [0.25]),
        (lambda a: a.relu(), (2.0,), 2.0, [1.0]),
        (lambda a: a.relu(), (-2.0,), 0.0, [0.0]),
        (lambda a: a.relu(), (0.0,), 0.0, [0.0]),  # kink: PyTorch's relu'(0) = 0
        (lambda a: a.leaky_relu(), (-2.0,), -0.02, [0.01]),
        (lambda a: a.leaky_relu(0.2), (3.0,), 3.0, [1.0]),
        (lambda a: a.leaky_relu(0.2), (0.0,), 0.0, [0.2]),  # kink: slope, as in PyTorch
        (lambda a: a.abs(), (-3.0,), 3.0, [-1.0]),
        (lambda a: a.abs(), (3.0,), 3.0, [1.0]),
        (lambda a: a.abs(), (0.0,), 0.0, [0.0]),  # kink: abs'(0) = 0
        (lambda a: a.sin(), (1.0,), math.sin(1.0), [math.cos(1.0)]),
        (lambda a: a.cos(), (1.0,), math.cos(1.0), [-math.sin(1.0)]),
        (lambda a: a.softplus(), (0.0,), math.log(2.0), [0.5]),
    ],
)
def test_primitive_value_and_gradient(fn, inputs, value, expected):
    out, got = grads(fn, *inputs)
    assert out == pytest.approx(value, rel=1e-12)
    assert got == pytest.approx(expected, rel=1e-12)


def test_numbers_on_either_side():
    x = Value(3.0)
    assert (x + 1).data == (1 + x).data == 4.0
    assert (x - 1).data == 2.0 and (1 - x).data == -2.0
    assert (x * 2).data == (2 * x).data == 6.0
    assert (x / 2).data == 1.5 and (6 / x).data == 2.0
    assert (x**2).data == 9.0 and (2**x).data == 8.0


def test_reflected_operand_order_and_gradient():
    x = Value(4.0)
    out = 1 / x  # d/dx = -1/x^2
    out.backward()
    assert x.grad == -1 / 16
    assert out.parents[1] is x and out.parents[0].is_constant


def test_numpy_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    x = Value(np.float32(2.0)) * np.int64(3)
    assert x.data == 6.0 and type(x.data) is float


def test_logsumexp_and_linear():
    from chainrule.engine import linear, logsumexp

    a, b = Value(1.0), Value(2.0)
    lse = logsumexp([a, b])
    lse.backward()
    total = math.exp(1.0) + math.exp(2.0)
    assert lse.data == pytest.approx(math.log(total))
    assert [a.grad, b.grad] == pytest.approx([math.exp(1.0) / total, math.exp(2.0) / total])

    w, x, bias = [Value(3.0), Value(-1.0)], [Value(2.0), 0.5], Value(1.0)
    z = linear(w, x, bias)
    z.backward()
    assert z.data == 3.0 * 2.0 - 1.0 * 0.5 + 1.0
    assert z.local_grads == (2.0, 0.5, 3.0, -1.0, 1.0)  # x_i for w_i, w_i for x_i, 1 for b
    assert [w[0].grad, w[1].grad, x[0].grad, bias.grad] == [2.0, 0.5, 3.0, 1.0]


def test_local_grads_are_readable_after_forward():
    x, w = Value(2.0, "x"), Value(3.0, "w")
    z = w * x
    assert z.op == "*" and z.parents == (w, x) and z.local_grads == (2.0, 3.0)
    assert x.is_leaf and not z.is_leaf and x.op == ""


def test_repr_and_attributes():
    w = Value(3, label="w")
    assert type(w.data) is float and w.grad == 0.0
    assert repr(w) == "Value(data=3.0, grad=0.0, label='w')"
    w.data, w.grad, w.label = 4.0, 8.0, "weight"
    assert repr(w) == "Value(data=4.0, grad=8.0, label='weight')"
    assert repr(Value(1.5)) == "Value(data=1.5, grad=0.0)"


def test_hash_and_equality_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b}) == 2
    assert {a: 1}[a] == 1


def test_nan_and_inf_propagate():
    x = Value(math.nan)
    assert math.isnan((x * 2 + 1).exp().data)
    y = Value(math.inf)
    assert (y + 1).data == math.inf and (-y).data == -math.inf
    assert y.tanh().data == 1.0
