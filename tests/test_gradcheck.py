import re

import pytest

from chainrule import GradcheckError, Value, gradcheck
from chainrule.gradchecking import numerical_gradient


def test_passes_on_correct_functions():
    assert gradcheck(lambda x, y: (x * y).tanh() + x.exp() / (y * y + 1), [0.3, -1.2])
    assert gradcheck(lambda x: (x.relu() - 5) ** 2, [7.0])
    assert gradcheck(lambda a, b, c: a**b + c.sigmoid(), [Value(1.5), 2.0, -0.3])


def test_negative_control_detached_term_is_caught():
    def detached(p):
        return Value(p.data**2) + p  # the p**2 term records no history

    with pytest.raises(GradcheckError) as e:
        gradcheck(detached, [3.0])
    message = str(e.value)
    assert re.search(r"numerical (6\.9999|7\.0000)", message)  # d/dp (p^2 + p) = 2p + 1 = 7
    assert "analytical 1.0" in message
    assert gradcheck(detached, [3.0], raise_exception=False) is False


def test_negative_control_wrong_eps_fails():
    # A huge step makes the central difference of a cubic wrong by eps^2: gradcheck must notice.
    assert gradcheck(lambda x: x**3, [1.0]) is True
    assert gradcheck(lambda x: x**3, [1.0], eps=0.5, raise_exception=False) is False


def test_leaves_callers_values_untouched():
    x = Value(2.0)
    gradcheck(lambda v: v * v, [x])
    assert x.grad == 0.0


def test_fn_must_return_a_value():
    with pytest.raises(TypeError, match="gradcheck"):
        gradcheck(lambda x: 1.0, [1.0])


def test_bad_arguments():
    with pytest.raises(TypeError, match="gradcheck: input 1 must be a real number, got str"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])
    with pytest.raises(ValueError, match="gradcheck: eps must be a finite number > 0, got 0"):
        gradcheck(lambda x: x * x, [1.0], eps=0)
    with pytest.raises(ValueError, match="gradcheck: atol must be a finite number >= 0"):
        gradcheck(lambda x: x * x, [1.0], atol=-1e-5)
    with pytest.raises(TypeError, match=r"numerical_gradient: point\[0\] must be a real number"):
        numerical_gradient(lambda x: x, [None])
