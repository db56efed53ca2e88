"""The float arithmetic the primitives of `engine/value.py` share, computed as IEEE
arithmetic gives it (overflow to +-inf rather than Python's OverflowError), and how an
error message names a node. Its own module only to keep value.py short; it reads a
node's `data` and `label` and makes no nodes.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["describe", "logistic", "pow_float", "power", "sin_cos"]


def describe(v: Any) -> str:
    """How an error message names a node: its value and, if it has one, its label."""
    return f"{v.data!r} (node {v.label!r})" if v.label else repr(v.data)


def logistic(x: float) -> float:
    """1 / (1 + e**-x) without overflow for any x: exactly 0.0 and 1.0 far out in the tails."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: no overflow; 0.0 far out, giving an exact 0
    return e / (1.0 + e)


def pow_float(x: float, y: float) -> float:
    """x ** y as IEEE pow gives it: overflow to +-inf, 0 ** negative to +inf."""
    try:
        out: float = x**y  # real: the caller rules out a negative base with a fractional exponent
    except OverflowError:
        return -math.inf if x < 0.0 and y % 2.0 == 1.0 else math.inf
    except ZeroDivisionError:
        return math.inf
    return out


def power(base: Any, exponent: Any) -> tuple[float, float, float]:
    """base ** exponent (a Value, or a float that is no node) and its two local derivatives:
    d/dbase = y x**(y-1), d/dexponent = x**y log x. Errors name both operands."""
    x = base.data
    y = exponent if isinstance(exponent, float) else exponent.data
    if x < 0.0 and math.isfinite(y) and not y.is_integer():
        where = repr(y) if isinstance(exponent, float) else describe(exponent)
        raise ValueError(f"pow: negative base {describe(base)} with non-integer exponent {where}")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"pow: zero base {describe(base)} to the negative power {y!r}")
    out = pow_float(x, y)
    d_base = 0.0 if y == 0.0 else y * pow_float(x, y - 1.0)
    # At x == 0 (y > 0) d/dy is 0, as in PyTorch; for a negative base (integer y) the
    # real log is undefined: nan.
    d_exponent = out * math.log(x) if x > 0.0 or x != x else 0.0 if x == 0.0 else math.nan
    return out, d_base, d_exponent


def sin_cos(x: float) -> tuple[float, float]:
    """(sin x, cos x); (nan, nan) at +-inf, as in torch, where `math` raises ValueError."""
    try:
        return math.sin(x), math.cos(x)
    except ValueError:
        return math.nan, math.nan
