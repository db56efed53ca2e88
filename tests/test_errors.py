"""Bad input: clear exceptions naming the operation, the value and the label."""

import math

import pytest

from chainrule import Value


@pytest.mark.parametrize("bad", [True, "3", None, [1.0], (1.0,), {1: 2}, 1j, object()])
def test_value_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)


@pytest.mark.parametrize("bad", [True, "3", None, [1.0], 1j, object()])
def test_setting_data_to_a_non_number_is_refused_naming_data_value_and_label(bad):
    """As `Value(x)` checks x: a TypeError naming `data`, what was given and the node."""
    w = Value(2.0, "w")
    with pytest.raises(TypeError, match=rf"'w'.*data must be a real number.*{type(bad).__name__}"):
        w.data = bad
    assert w.data == 2.0  # unchanged, so later arithmetic still works
    assert (w * 3).data == 6.0


def test_setting_data_to_a_number_stores_a_float_and_a_huge_int_is_a_value_error():
    v = Value(0.0)
    v.data = 3
    assert type(v.data) is float and v.data == 3.0
    v.data = float("nan")  # nan and inf are floats: allowed, as in Value(nan)
    assert math.isnan(v.data)
    with pytest.raises(ValueError, match=r"data is too large for a float.*1e400"):
        v.data = 10**400
    unlabelled = Value(1.0)
    with pytest.raises(TypeError, match=r"^Value: data must be a real number, got str '3'$"):
        unlabelled.data = "3"


def test_value_rejects_non_string_label():
    with pytest.raises(TypeError, match="label"):
        Value(1.0, label=3)


def test_arithmetic_with_a_non_number_is_a_type_error():
    with pytest.raises(TypeError):
        Value(1.0) + "a"
    with pytest.raises(TypeError):
        [1] * Value(2.0)


def _message(excinfo):
    return str(excinfo.value)


def test_log_of_negative():
    with pytest.raises(ValueError, match="log") as e:
        Value(-2.0, "x").log()
    assert "-2.0" in _message(e) and "'x'" in _message(e)


def test_log_of_zero_is_minus_inf():
    x = Value(0.0)
    y = x.log()
    assert y.data == -math.inf and y.local_grads == (math.inf,)


def test_sqrt_of_negative():
    with pytest.raises(ValueError, match=r"sqrt.*-4\.0.*'v'"):
        Value(-4.0, "v").sqrt()


def test_division_by_zero():
    with pytest.raises(ZeroDivisionError, match=r"division.*'den'") as e:
        Value(1.0, "num") / Value(0.0, "den")
    assert "'num'" in _message(e)
    with pytest.raises(ZeroDivisionError, match="division"):
        Value(1.0) / 0
    with pytest.raises(ZeroDivisionError, match="division"):
        1 / Value(0.0)


def test_zero_to_negative_power():
    with pytest.raises(ZeroDivisionError, match=r"pow.*'z'"):
        Value(0.0, "z") ** -1


def test_negative_base_non_integer_exponent():
    with pytest.raises(ValueError, match=r"pow.*-8\.0.*'b'.*0\.5"):
        Value(-8.0, "b") ** 0.5
    with pytest.raises(ValueError, match=r"pow.*'e'"):
        Value(-8.0) ** Value(1.5, "e")
    with pytest.raises(ValueError, match="pow"):
        (-2) ** Value(0.5)
    assert (Value(-2.0) ** 3).data == -8.0  # integer exponents are fine


def test_exp_overflow_is_inf():
    y = Value(1000.0).exp()
    assert y.data == math.inf


def test_pow_overflow_is_inf():
    assert (Value(10.0) ** 400).data == math.inf
    assert (Value(-10.0) ** 401).data == -math.inf


@pytest.mark.parametrize("x", [-1000.0, 1000.0, -1e308, 1e308])
def test_sigmoid_tanh_softplus_stable_at_extremes(x):
    s = Value(x).sigmoid()
    t = Value(x).tanh()
    assert s.data == (1.0 if x > 0 else 0.0)
    assert t.data == (1.0 if x > 0 else -1.0)
    assert s.local_grads == (0.0,) and t.local_grads == (0.0,)
    sp = Value(x).softplus()
    assert sp.data == (x if x > 0 else 0.0)
    assert sp.local_grads == (1.0 if x > 0 else 0.0,)


def test_failed_op_leaves_graph_untouched():
    x = Value(-1.0, "x")
    y = x * 2
    with pytest.raises(ValueError):
        y.log()
    y.backward()
    assert x.grad == 2.0 and y.parents == (x, y.parents[1])


def test_logsumexp_is_stable():
    from chainrule.engine import logsumexp

    a, b = Value(1000.0), Value(-1000.0)
    out = logsumexp([a, b])
    out.backward()
    assert out.data == 1000.0 and a.grad == 1.0 and b.grad == 0.0
    with pytest.raises(ValueError, match="logsumexp"):
        logsumexp([])
