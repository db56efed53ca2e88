"""The primitives' float arithmetic: what a primitive computes on plain floats where that
is more than one operator (IEEE results where `math` raises, the stable forms, the slopes
at the edges of a domain).

The engine's primitives call these to make their nodes, and the code `chainrule.compile`
writes calls them too, so a compiled op gives the primitive's floats to the bit from one
copy of the arithmetic. Each takes and returns floats. One with a domain raises a plain
ValueError (or ZeroDivisionError) outside it, which a primitive turns into a message naming
its node.

    >>> exp_float(1000.0), log_slope(-0.0), pow_dbase(3.0, 2.0)
    (inf, -inf, 6.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "exp_float",
    "log_float",
    "log_slope",
    "logistic",
    "logsumexp_floats",
    "pow_dbase",
    "pow_dexp",
    "pow_float",
    "sin_cos",
    "softplus_float",
    "sqrt_float",
    "sqrt_slope",
]


def exp_float(x: float) -> float:
    """e ** x; +inf on overflow, as IEEE floats give it (`math.exp` raises instead)."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log_float(x: float) -> float:
    """log x; -inf at +-0 (as IEEE and torch), nan for nan; ValueError for x < 0."""
    if x > 0.0 or x != x:  # positive, +inf or nan
        return math.log(x)
    if x == 0.0:
        return -math.inf
    raise ValueError("log: input must be positive")


def log_slope(x: float) -> float:
    """d log x / dx = 1 / x; +-inf at +-0 (the sign of the zero), as in torch."""
    return 1.0 / x if x > 0.0 or x != x else math.copysign(math.inf, x)


def sqrt_float(x: float) -> float:
    """The square root of x (sqrt(-0.0) is -0.0); ValueError for x < 0."""
    if x < 0.0:
        raise ValueError("sqrt: input must be >= 0")
    return math.sqrt(x)


def sqrt_slope(out: float) -> float:
    """d sqrt x / dx = 1 / (2 sqrt x), from out = sqrt x; +-inf at +-0, as in torch."""
    return 0.5 / out if out else math.copysign(math.inf, out)


def logistic(x: float) -> float:
    """1 / (1 + e**-x) without overflow for any x: exactly 0.0 and 1.0 far out in the tails."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: no overflow; 0.0 far out, giving an exact 0
    return e / (1.0 + e)


def softplus_float(x: float) -> float:
    """log(1 + e**x) without overflow for any x; its slope is `logistic(x)`."""
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def sin_cos(x: float) -> tuple[float, float]:
    """(sin x, cos x); (nan, nan) at +-inf, as in torch, where `math` raises ValueError."""
    try:
        return math.sin(x), math.cos(x)
    except ValueError:
        return math.nan, math.nan


def _ieee_pow(x: float, y: float) -> float:
    """x ** y as IEEE pow gives it: overflow to +-inf, 0 ** negative to +inf."""
    try:
        out: float = x**y  # real: the callers rule out a negative base with a fractional exponent
    except OverflowError:
        return -math.inf if x < 0.0 and y % 2.0 == 1.0 else math.inf
    except ZeroDivisionError:
        return math.inf
    return out


def pow_float(x: float, y: float) -> float:
    """x ** y, overflowing to +-inf; ValueError for a negative x with a finite non-integer
    y (no real answer), ZeroDivisionError for 0 ** negative."""
    if x < 0.0 and math.isfinite(y) and not y.is_integer():
        raise ValueError("pow: negative base with a non-integer exponent")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError("pow: zero base to a negative power")
    return _ieee_pow(x, y)


def pow_dbase(x: float, y: float) -> float:
    """d (x ** y) / dx = y x ** (y - 1), and 0 for y == 0 (x ** 0 is constant)."""
    return 0.0 if y == 0.0 else y * _ieee_pow(x, y - 1.0)


def pow_dexp(out: float, x: float, y: float) -> float:
    """d (x ** y) / dy = x ** y log x, from out = x ** y: 0 at x == 0 with y >= 0, as in
    PyTorch, and nan for 0 ** nan (nan * log 0); nan for a negative base, whose real log
    is undefined."""
    if x > 0.0 or x != x:
        return out * math.log(x)
    return 0.0 if x == 0.0 and y >= 0.0 else math.nan


def logsumexp_floats(xs: Sequence[float]) -> tuple[float, tuple[float, ...]]:
    """`logsumexp`'s float arithmetic: log(sum(exp(x))) and its slopes softmax(x), the
    largest x factored out first. Where the largest x is not finite the answer is it (nan
    if any x is nan) and the slopes are softmax's limit (`_infinite_slopes`).

        >>> logsumexp_floats([0.0, 0.0])
        (0.6931471805599453, (0.5, 0.5))
        >>> logsumexp_floats([math.inf, 1.0])
        (inf, (1.0, 0.0))
    """
    top = max(xs)
    if not math.isfinite(top):  # +inf, or all -inf, or a nan that max passed over
        if any(d != d for d in xs):
            top = math.nan
        return top, _infinite_slopes(xs)
    exps = [math.exp(d - top) for d in xs]
    total = sum(exps)
    return top + math.log(total), tuple(e / total for e in exps)


def _infinite_slopes(xs: Sequence[float]) -> tuple[float, ...]:
    """logsumexp's slopes when its largest value is not finite: softmax's limit, 1 at a
    lone +inf and 0 at the others; nan everywhere at several +inf, all -inf, or any nan."""
    tops = xs.count(math.inf)
    if tops == 0 or any(d != d for d in xs):  # all -inf, or a nan: no limit
        return tuple(math.nan for _ in xs)
    share = 1.0 if tops == 1 else math.nan
    return tuple(share if d == math.inf else 0.0 for d in xs)
