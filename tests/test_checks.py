"""The argument checks: TypeError for a wrong type, ValueError for a bad value, each naming
the function, the argument and what was given."""

import math

import pytest

from chainrule.engine.checks import (
    instance_of,
    int_at_least,
    is_index,
    is_real,
    nonnegative_real,
    positive_int,
    positive_int_or_none,
    positive_real,
    real_in,
)


def test_ints():
    assert positive_int(3, "f", "n") == 3
    assert int_at_least(2, 2, "f", "n") == 2
    assert positive_int_or_none(None, "f", "n") is None and positive_int_or_none(4, "f", "n") == 4
    with pytest.raises(ValueError, match="f: n must be a positive int, got 0"):
        positive_int(0, "f", "n")
    with pytest.raises(ValueError, match="f: n must be an int >= 2, got 1"):
        int_at_least(1, 2, "f", "n")
    with pytest.raises(ValueError, match="f: n must be a positive int or None, got -1"):
        positive_int_or_none(-1, "f", "n")
    for bad in (2.0, True, "3", None):
        with pytest.raises(TypeError, match=f"f: n must be a positive int, got {type(bad).__name__}"):
            positive_int(bad, "f", "n")
    with pytest.raises(TypeError, match=r"f: n must be a positive int or None, got float 2\.5"):
        positive_int_or_none(2.5, "f", "n")


def test_reals():
    assert positive_real(0.5, "f", "eps") == 0.5
    assert real_in(0, 0.0, 1.0, "f", "x") == 0.0
    for bad in (0.0, -1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="f: eps must be a finite number > 0"):
            positive_real(bad, "f", "eps")
    for bad in (1.0, -0.5, math.nan):
        with pytest.raises(ValueError, match=r"f: x must be in \[0, 1\), got"):
            real_in(bad, 0.0, 1.0, "f", "x")
    for check in (positive_real, nonnegative_real):
        with pytest.raises(TypeError, match="f: x must be a real number, got str '1'"):
            check("1", "f", "x")
    with pytest.raises(TypeError, match="f: x must be a real number, got NoneType"):
        real_in(None, 0.0, 1.0, "f", "x")


def test_instance_of():
    assert instance_of(True, int, "f", "x") is True  # a subclass is an instance
    with pytest.raises(TypeError, match="SGD: parameter 1 is a float, not a Value"):
        instance_of(2.0, type("Value", (), {}), "SGD", "parameter 1")
    with pytest.raises(TypeError, match="f: x is a str, not an int"):
        instance_of("1", int, "f", "x")


def test_predicates():
    assert all(is_real(x) for x in (1, -2.5, math.nan, math.inf))
    assert not any(is_real(x) for x in (True, "1", b"1", None, [1.0], 1j))
    assert all(is_index(x) for x in (0, -3, 10**30))
    assert not any(is_index(x) for x in (True, 1.0, "1", None, [1]))


def test_numpy_scalars_count_as_numbers():
    numpy = pytest.importorskip("numpy")
    assert is_real(numpy.float64(0.5)) and is_real(numpy.int32(2))
    assert is_index(numpy.int64(2)) and not is_index(numpy.float64(2.0))
    assert not is_real(numpy.array([1.0, 2.0]))
