"""Toy 2-D datasets for classification, in pure Python.

Each function returns `(X, y)`: X a list of [x1, x2] float pairs, y a list of
int labels 0..k-1, in shuffled order. The same `seed` gives the same data
(`random.Random(seed)`); `seed=None` gives fresh data each call. Noise is the
standard deviation of Gaussian noise added to each coordinate (for the spiral,
to each point's angle).

    >>> X, y = make_moons(6, noise=0.0, seed=0)
    >>> len(X), sorted(y)
    (6, [0, 0, 0, 1, 1, 1])

Bad arguments raise ValueError (a size < 1, negative noise), or TypeError when they are
not numbers at all (a size of 2.5, noise given as a string).
"""

from __future__ import annotations

import math
import random

from .engine.checks import nonnegative_real, positive_int, real_in

__all__ = ["make_circles", "make_moons", "make_spiral", "make_xor"]

Dataset = tuple[list[list[float]], list[int]]


def make_moons(n: int = 100, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Two interleaving half circles, as scikit-learn's `make_moons`.

    Class 0 is the upper arc of the unit circle (n // 2 points, evenly spaced in
    angle); class 1, the rest, is the lower arc shifted to centre (1, 0.5). This
    is the dataset of micrograd's demo: `make_moons(100, noise=0.1)`.
    """
    positive_int(n, "make_moons", "n")
    noise = nonnegative_real(noise, "make_moons", "noise")
    n_out = n // 2
    outer = [(math.cos(t), math.sin(t)) for t in _linspace(0.0, math.pi, n_out)]
    inner = [(1.0 - math.cos(t), 0.5 - math.sin(t)) for t in _linspace(0.0, math.pi, n - n_out)]
    return _finish(outer + inner, [0] * n_out + [1] * (n - n_out), noise, random.Random(seed))


def make_circles(n: int = 100, noise: float = 0.05, factor: float = 0.5, seed: int | None = None) -> Dataset:
    """Two concentric circles, as scikit-learn's `make_circles`.

    Class 0 is the unit circle (n // 2 points, evenly spaced); class 1, the rest,
    a circle of radius `factor`, which must be in [0, 1).
    """
    positive_int(n, "make_circles", "n")
    noise = nonnegative_real(noise, "make_circles", "noise")
    factor = real_in(factor, 0.0, 1.0, "make_circles", "factor")
    n_out = n // 2
    outer = [(math.cos(t), math.sin(t)) for t in _linspace(0.0, 2 * math.pi, n_out, endpoint=False)]
    angles = _linspace(0.0, 2 * math.pi, n - n_out, endpoint=False)
    inner = [(factor * math.cos(t), factor * math.sin(t)) for t in angles]
    return _finish(outer + inner, [0] * n_out + [1] * (n - n_out), noise, random.Random(seed))


def make_xor(n: int = 100, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """Points in the square [-1, 1]**2, labelled by quadrant: the XOR of the two signs.

    Sample i lies uniformly in quadrant i % 4, so the quadrants (and the classes)
    are as balanced as n allows. The label is 0 where x1 and x2 have the same sign
    and 1 where they differ, taken before the noise is added, so noise blurs the
    axes that separate the classes. No line separates them: a network needs a
    hidden layer.
    """
    positive_int(n, "make_xor", "n")
    noise = nonnegative_real(noise, "make_xor", "noise")
    rng = random.Random(seed)
    signs = [(1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)]
    points, labels = [], []
    for i in range(n):
        sx, sy = signs[i % 4]
        points.append((sx * rng.random(), sy * rng.random()))
        labels.append(0 if sx == sy else 1)
    return _finish(points, labels, noise, rng)


def make_spiral(n_per_class: int = 50, n_classes: int = 3, noise: float = 0.2, seed: int | None = None) -> Dataset:
    """Interleaved spiral arms, one per class (the spiral of Stanford's CS231n).

    Along arm j the radius grows evenly from 0 to 1 while the angle turns 4
    radians, starting at 2 pi j / n_classes so the arms are evenly spaced.
    `noise` is the standard deviation of Gaussian noise on each point's angle, in
    radians. Labels are 0..n_classes-1, n_per_class points each.
    """
    positive_int(n_per_class, "make_spiral", "n_per_class")
    positive_int(n_classes, "make_spiral", "n_classes")
    noise = nonnegative_real(noise, "make_spiral", "noise")
    rng = random.Random(seed)
    points, labels = [], []
    for j in range(n_classes):
        start = 2 * math.pi * j / n_classes
        for r in _linspace(0.0, 1.0, n_per_class):
            t = start + 4.0 * r + rng.gauss(0.0, noise)
            points.append((r * math.cos(t), r * math.sin(t)))
            labels.append(j)
    return _finish(points, labels, 0.0, rng)


def _linspace(start: float, stop: float, num: int, endpoint: bool = True) -> list[float]:
    """numpy.linspace: `num` evenly spaced numbers from start to stop."""
    if num <= 1:
        return [start] * num
    step = (stop - start) / (num - 1 if endpoint else num)
    return [start + i * step for i in range(num)]


def _finish(points: list[tuple[float, float]], labels: list[int], noise: float, rng: random.Random) -> Dataset:
    """Add Gaussian noise to each coordinate, then shuffle samples and labels together."""
    samples = [[x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)] if noise else [x, y] for x, y in points]
    order = list(range(len(samples)))
    rng.shuffle(order)
    return [samples[i] for i in order], [labels[i] for i in order]
