"""The toy datasets: shapes, labels, geometry without noise, determinism, bad arguments."""

import math

import pytest

from chainrule.data import make_circles, make_moons, make_spiral, make_xor

MAKERS = [make_moons, make_circles, make_xor, make_spiral]


@pytest.mark.parametrize("make", MAKERS)
def test_shape_and_types(make):
    X, y = make(seed=0)
    n = 150 if make is make_spiral else 100
    assert len(X) == len(y) == n
    assert all(isinstance(row, list) and len(row) == 2 for row in X)
    assert all(type(v) is float for row in X for v in row)
    assert all(type(label) is int for label in y)
    assert set(y) == ({0, 1, 2} if make is make_spiral else {0, 1})


@pytest.mark.parametrize("make", MAKERS)
def test_deterministic_per_seed(make):
    assert make(seed=3) == make(seed=3)
    assert make(seed=3) != make(seed=4)


@pytest.mark.parametrize("make", [make_moons, make_circles, make_xor])
@pytest.mark.parametrize("n", [1, 2, 7])
def test_small_and_odd_sizes_split_as_evenly_as_possible(make, n):
    X, y = make(n, seed=0)
    assert len(X) == n
    assert y.count(0) == (n // 2 if make is not make_xor else sum(1 for i in range(n) if i % 4 in (0, 2)))


def test_moons_lie_on_two_half_circles():
    X, y = make_moons(50, noise=0.0, seed=0)
    assert y.count(0) == 25 and y.count(1) == 25
    for (a, b), label in zip(X, y):
        if label == 0:  # the upper half of the unit circle
            assert math.hypot(a, b) == pytest.approx(1.0) and b >= -1e-12
        else:  # the lower half of the unit circle centred at (1, 0.5)
            assert math.hypot(a - 1.0, b - 0.5) == pytest.approx(1.0) and b <= 0.5 + 1e-12
    assert [-1.0, 0.0] in [[round(a, 12), round(b, 12)] for a, b in X]  # the arcs' ends are included
    assert [2.0, 0.5] in [[round(a, 12), round(b, 12)] for a, b in X]


def test_circles_have_the_two_radii():
    X, y = make_circles(40, noise=0.0, factor=0.3, seed=0)
    radii = {label: {round(math.hypot(a, b), 12) for (a, b), lab in zip(X, y) if lab == label} for label in (0, 1)}
    assert radii == {0: {1.0}, 1: {0.3}}


def test_xor_labels_are_the_quadrants():
    X, y = make_xor(200, noise=0.0, seed=0)
    assert all(label == (1 if a * b < 0 else 0) for (a, b), label in zip(X, y))
    assert all(max(abs(a), abs(b)) <= 1.0 for a, b in X)
    assert y.count(0) == y.count(1) == 100


def test_spiral_arms():
    X, y = make_spiral(20, 4, noise=0.0, seed=0)
    assert [y.count(k) for k in range(4)] == [20] * 4
    for (a, b), label in zip(X, y):
        r = math.hypot(a, b)
        assert r <= 1.0 + 1e-12
        if r > 0:  # the angle is 2 pi k / 4 + 4 r on arm k
            expected = 2 * math.pi * label / 4 + 4 * r
            assert math.cos(expected) == pytest.approx(a / r, abs=1e-9)
            assert math.sin(expected) == pytest.approx(b / r, abs=1e-9)


def test_noise_has_the_given_standard_deviation():
    X, y = make_circles(4000, noise=0.05, seed=1)
    # Off the unit circle, the radial error is the noise along the radius (plus a bias of
    # about noise**2 / 2 from the tangential part): its spread is the noise's.
    errors = [math.hypot(a, b) - 1.0 for (a, b), label in zip(X, y) if label == 0]
    mean = sum(errors) / len(errors)
    std = math.sqrt(sum((e - mean) ** 2 for e in errors) / len(errors))
    assert std == pytest.approx(0.05, rel=0.05)
    assert abs(mean) < 0.005


@pytest.mark.parametrize("make", MAKERS)
def test_bad_arguments(make):
    size = "n_per_class" if make is make_spiral else "n"
    for bad in (0, -5):
        with pytest.raises(ValueError, match=f"{make.__name__}: {size} must be a positive int, got {bad!r}"):
            make(bad)
    for bad in (2.5, True):  # not ints: the message names the type too
        with pytest.raises(
            TypeError, match=f"{make.__name__}: {size} must be a positive int, got {type(bad).__name__} {bad!r}"
        ):
            make(bad)
    for bad in (-0.1, math.nan, math.inf):
        with pytest.raises(ValueError, match="noise must be a finite number >= 0"):
            make(noise=bad)
    with pytest.raises(TypeError, match=r"noise must be a real number, got str '0\.1'"):
        make(noise="0.1")


def test_more_bad_arguments():
    for bad in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"factor must be in \[0, 1\)"):
            make_circles(factor=bad)
    with pytest.raises(ValueError, match="n_classes must be a positive int, got 0"):
        make_spiral(n_classes=0)
    with pytest.raises(TypeError, match="factor must be a real number, got NoneType"):
        make_circles(factor=None)
