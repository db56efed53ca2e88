"""chainrule.op: a function of floats returning (value, local derivatives) becomes a primitive
that backward, explain, the drawings and the steppers treat exactly as a built-in."""

from __future__ import annotations

import gc
import math
import weakref

import pytest

import chainrule
from chainrule import Value, explain, no_grad, op
from chainrule.engine import backward_steps, gradients
from chainrule.notation import node_names

from .reference import assert_matches_torch, needs_torch


@op("tanh")
def my_tanh(x):
    t = math.tanh(x)
    return t, (1 - t * t,)


@op("sigmoid")
def my_sigmoid(x):
    s = 1 / (1 + math.exp(-x))
    return s, (s * (1 - s),)


@op("hypot")
def my_hypot(a, b):
    r = math.hypot(a, b)
    return r, (a / r, b / r)


@op("fma")
def fma(a, b, c):
    return a * b + c, (b, a, 1.0)


@op("cube")
def cube(x):
    return x**3, (3 * x * x,)


def test_the_node_records_op_parents_and_local_derivatives():
    a, b = Value(3.0, "a"), Value(4.0, "b")
    r = my_hypot(a, b)
    assert (r.data, r.op, r.parents, r.local_grads) == (5.0, "hypot", (a, b), (0.6, 0.8))
    r.backward()
    assert (a.grad, b.grad) == (0.6, 0.8)


def test_three_inputs_and_plain_numbers():
    a = Value(2.0, "a")
    out = fma(a, 3, a)  # a * 3 + a
    assert out.data == 8.0 and out.local_grads == (3.0, 2.0, 1.0)
    assert out.parents[0] is a and out.parents[2] is a and out.parents[1].is_constant
    out.backward()
    assert a.grad == 4.0  # 3 + 1, the edges' contributions added


def test_under_no_grad_the_result_is_a_leaf():
    with no_grad():
        y = cube(Value(2.0))
    assert y.is_leaf and y.data == 8.0


def test_the_function_keeps_its_name_and_docstring():
    assert cube.__name__ == "cube" and chainrule.op is chainrule.engine.op


@needs_torch
@pytest.mark.parametrize("x", [-2.5, -0.3, 0.0, 0.7, 3.0])
def test_unary_custom_ops_match_torch(x):
    torch = pytest.importorskip("torch")

    def fn(ops, v):
        if isinstance(v, Value):
            return my_tanh(v) * my_sigmoid(v * 2) + cube(v)
        return v.tanh() * torch.sigmoid(v * 2) + v**3

    assert_matches_torch(fn, [x], rel=1e-12)


@needs_torch
@pytest.mark.parametrize("point", [(3.0, 4.0), (-1.5, 0.25), (0.1, -2.0)])
def test_a_custom_op_of_two_inputs_matches_torch(point):
    torch = pytest.importorskip("torch")

    def fn(ops, a, b):
        h = my_hypot(a, b) if isinstance(a, Value) else torch.hypot(a, b)
        return h * a + b

    assert_matches_torch(fn, point, rel=1e-12)


def _neuron(tanh):
    x, w, b = Value(2.0, "x"), Value(-0.5, "w"), Value(0.25, "b")
    out = tanh(w * x + b) * x
    out.label = "L"
    return out, w


def test_a_custom_op_named_like_a_builtin_is_read_like_it_everywhere():
    built_in, w_builtin = _neuron(Value.tanh)
    custom, w_custom = _neuron(my_tanh)
    assert list(node_names(custom).values()) == list(node_names(built_in).values())
    assert str(explain(custom, w_custom)) == str(explain(built_in, w_builtin))
    assert gradients(custom)[w_custom] == gradients(built_in)[w_builtin]
    steps = [(s.grad, [c.amount for c in s.contributions]) for s in backward_steps(custom)]
    assert steps == [(s.grad, [c.amount for c in s.contributions]) for s in backward_steps(built_in)]
    pytest.importorskip("graphviz")
    from chainrule.viz import Stepper, draw_dot

    assert draw_dot(custom).source == draw_dot(built_in).source
    assert Stepper(custom).html == Stepper(built_in).html


def test_an_op_name_of_its_own_is_written_as_a_function():
    x = Value(2.0, "x")
    y = cube(x) + my_hypot(x, 1.5)
    assert list(node_names(y).values()) == ["x", "cube₁", "1.5", "hypot₁", "add₁"]
    assert "dcube₁/dx" in str(explain(y, x))
    pytest.importorskip("graphviz")
    from chainrule.viz import draw_dot

    source = draw_dot(y).source
    assert "cube" in source and "hypot" in source


def test_the_graph_is_freed_when_dropped():
    y = cube(Value(2.0))
    ref = weakref.ref(y)
    del y
    gc.collect()
    assert ref() is None


# -- bad definitions -----------------------------------------------------------------------


def test_the_wrong_number_of_local_derivatives_names_the_op_and_inputs():
    @op("two")
    def two(x):
        return x, (1.0, 1.0)

    with pytest.raises(ValueError, match=r"op 'two' at inputs \(2\.0 \(node 'x'\)\): returned 2 local"):
        two(Value(2.0, "x"))


@pytest.mark.parametrize(
    ("result", "message"),
    [
        (("a", (1.0,)), "the value must be a real number, got str 'a'"),
        ((1.0, ("b",)), "local derivative 0 must be a real number"),
        ((1.0, 1.0), r"local_derivatives must be a tuple, one per input, such as \(1\.0,\)"),
        (3.0, r"must return \(value, local_derivatives\)"),
        ((1.0, None), "local_derivatives must be a tuple of numbers"),
    ],
)
def test_a_result_that_is_no_pair_of_numbers_is_a_type_error(result, message):
    bad = op("bad")(lambda x: result)
    with pytest.raises(TypeError, match=r"op 'bad' at inputs \(1\.5\): " + message):
        bad(1.5)


def test_a_forward_that_raises_is_raised_again_naming_op_and_inputs():
    @op("inverse")
    def inverse(x):
        return 1 / x, (-1 / x**2,)

    with pytest.raises(ZeroDivisionError, match=r"op 'inverse' at inputs \(0\.0 \(node 'z'\)\): the function raised"):
        inverse(Value(0.0, "z"))


def test_bad_arguments_and_names():
    with pytest.raises(TypeError, match=r"op 'cube': input 0 must be a Value or a real number, got str"):
        cube("2")
    with pytest.raises(TypeError, match="at least one input"):
        op("none")(lambda: (1.0, ()))()
    with pytest.raises(TypeError, match="decorates a function"):
        op("x")(3)
    for name in ["", " pad"]:
        with pytest.raises(ValueError, match="name"):
            op(name)
    with pytest.raises(TypeError, match="name must be a str, got int"):
        op(7)


def test_doctest_of_the_module():
    import doctest

    import chainrule.engine.custom

    assert doctest.testmod(chainrule.engine.custom).failed == 0
