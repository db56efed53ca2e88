"""One row per op: how the generated code computes a node and the local derivative of each
of its edges, written as Python expressions of the parents' variables.

Every row mirrors the primitive in `chainrule.engine` that makes the node (its forward
value and its stored local derivatives), operation for operation, so the compiled code
gives the engine's floats to the bit; the tests hold each row to the engine on random
graphs. In a template `{0}`, `{1}` are the parents and `{out}` the node itself. An
n-ary op (`linear`, `logsumexp`) is written by `codegen`, from the same helpers.

`masked_when`: where torch gives a zero gradient whatever arrives from upstream (a nan
or inf times a zero local derivative is nan in IEEE arithmetic, and in chainrule's
backward today). With `MASK_EDGES` on, the backward line of such an edge becomes
`d_x += d_out * local if not masked else 0.0`: the one switch to flip when the eager
backward masks these edges too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["HELPERS", "MASK_EDGES", "OP_CODE", "OpCode", "op_code"]

MASK_EDGES = False  # eager backward does not mask yet: a nan upstream times 0 stays nan


@dataclass(frozen=True)
class OpCode:
    """How the generated code computes one op: `forward` (an expression of the parents
    `{0}`, `{1}`), `local` (d out / d parent per edge, which may read `{out}` too) and
    `masked_when` (per edge, the condition under which torch masks the edge, or None)."""

    forward: str
    local: tuple[str, ...]
    masked_when: tuple[str | None, ...] = (None, None)


OP_CODE: dict[str, OpCode] = {
    "+": OpCode("{0} + {1}", ("1.0", "1.0")),
    "-": OpCode("{0} - {1}", ("1.0", "-1.0")),
    "*": OpCode("{0} * {1}", ("{1}", "{0}")),
    "/": OpCode("{0} / {1}", ("(1.0 / {1})", "(-{out} / {1})")),
    "**": OpCode("pow_({0}, {1})", ("pow_dbase({0}, {1})", "pow_dexp({out}, {0})"), ("{1} == 0.0", None)),
    "neg": OpCode("-{0}", ("-1.0",)),
    "exp": OpCode("exp_({0})", ("{out}",)),
    "log": OpCode("log_({0})", ("dlog({0})",)),
    "sqrt": OpCode("sqrt_({0})", ("dsqrt({out})",)),
    "tanh": OpCode("tanh({0})", ("(1.0 - {out} * {out})",)),
    "sigmoid": OpCode("logistic({0})", ("({out} * (1.0 - {out}))",)),
    "relu": OpCode("(0.0 if {0} <= 0.0 else {0})", ("(0.0 if {0} <= 0.0 else 1.0)",), ("{0} <= 0.0",)),
    "abs": OpCode("abs({0})", ("(1.0 if {0} > 0.0 else -1.0 if {0} < 0.0 else 0.0)",)),
    "sin": OpCode("sin_({0})", ("cos_({0})",)),
    "cos": OpCode("cos_({0})", ("(-sin_({0}))",)),
    "softplus": OpCode("softplus({0})", ("logistic({0})",)),
}


def op_code(op: str, slope: float | None = None, exponent: float | None = None) -> OpCode | None:
    """The row of `op`; for a power by a number (`**2`) and for `leaky_relu`, a row made for
    the number (`exponent`, `slope`) the node was built with. None for an op not listed."""
    if op == "leaky_relu":
        s = repr(slope)
        return OpCode(f"({{0}} if {{0}} > 0.0 else {s} * {{0}})", (f"(1.0 if {{0}} > 0.0 else {s})",))
    if op.startswith("**") and exponent is not None:
        y = repr(exponent)
        return OpCode(f"pow_({{0}}, {y})", (f"pow_dbase({{0}}, {y})",), (f"{y} == 0.0",))
    return OP_CODE.get(op)


# -- the float arithmetic the rows call, as the engine's primitives compute it --------------


def pow_float(x: float, y: float) -> float:
    """x ** y as IEEE pow gives it: overflow to +-inf, 0 ** negative to +inf."""
    try:
        out: float = x**y
    except OverflowError:
        return -math.inf if x < 0.0 and y % 2.0 == 1.0 else math.inf
    except ZeroDivisionError:
        return math.inf
    return out


def pow_(x: float, y: float) -> float:
    """x ** y where the engine computes it; raises where the engine raises (the compiled call
    then runs the model itself, for the engine's own message)."""
    if x < 0.0 and math.isfinite(y) and not y.is_integer():
        raise ValueError("pow: negative base with a non-integer exponent")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError("pow: zero base to a negative power")
    return pow_float(x, y)


def pow_dbase(x: float, y: float) -> float:
    """d (x ** y) / dx = y x ** (y - 1), and 0 for y == 0."""
    return 0.0 if y == 0.0 else y * pow_float(x, y - 1.0)


def pow_dexp(out: float, x: float) -> float:
    """d (x ** y) / dy = x ** y log x: 0 at x == 0, nan for a negative base."""
    return out * math.log(x) if x > 0.0 or x != x else 0.0 if x == 0.0 else math.nan


def exp_(x: float) -> float:
    """e ** x, +inf on overflow."""
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


def log_(x: float) -> float:
    """log x; -inf at +-0; a negative x raises."""
    if x > 0.0 or x != x:
        return math.log(x)
    if x == 0.0:
        return -math.inf
    raise ValueError("log: input must be positive")


def dlog(x: float) -> float:
    """d log x / dx = 1 / x, +-inf at +-0."""
    return 1.0 / x if x > 0.0 or x != x else math.copysign(math.inf, x)


def sqrt_(x: float) -> float:
    """sqrt x; a negative x raises."""
    if x < 0.0:
        raise ValueError("sqrt: input must be >= 0")
    return math.sqrt(x)


def dsqrt(out: float) -> float:
    """d sqrt x / dx = 1 / (2 sqrt x), +-inf at +-0."""
    return 0.5 / out if out else math.copysign(math.inf, out)


def logistic(x: float) -> float:
    """1 / (1 + e ** -x) without overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sin_(x: float) -> float:
    """sin x; nan at +-inf."""
    return math.sin(x) if math.isfinite(x) or x != x else math.nan


def cos_(x: float) -> float:
    """cos x; nan at +-inf."""
    return math.cos(x) if math.isfinite(x) or x != x else math.nan


def softplus(x: float) -> float:
    """log(1 + e ** x) without overflow."""
    return (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))


def logsumexp(xs: tuple[float, ...]) -> float:
    """log(sum(exp(x))), the largest x factored out."""
    top = max(xs)
    if not math.isfinite(top):
        return top
    return top + math.log(sum([math.exp(d - top) for d in xs]))


def softmax(xs: tuple[float, ...]) -> tuple[float, ...]:
    """d logsumexp / dx_i = softmax(x)_i; nan when the largest x is not finite."""
    top = max(xs)
    if not math.isfinite(top):
        return tuple(math.nan for _ in xs)
    exps = [math.exp(d - top) for d in xs]
    total = sum(exps)
    return tuple(e / total for e in exps)


# The names the generated code reads, besides its variables.
HELPERS: dict[str, object] = {
    "abs": abs,
    "sum": sum,
    "tanh": math.tanh,
    "inf": math.inf,
    "nan": math.nan,
    **{
        f.__name__: f
        for f in (pow_, pow_dbase, pow_dexp, exp_, log_, dlog, sqrt_, dsqrt, logistic, sin_, cos_, softplus)
    },
    "logsumexp": logsumexp,
    "softmax": softmax,
}
