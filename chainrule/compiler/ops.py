"""One row per op: how the generated code computes a node and the local derivative of each
of its edges, written as Python expressions of the parents' variables.

Every row mirrors the primitive in `chainrule.engine` that makes the node (its forward
value and its stored local derivatives), operation for operation, so the compiled code
gives the engine's floats to the bit; the tests hold each row to the engine on random
graphs. In a template `{0}`, `{1}` are the parents and `{out}` the node itself. An
n-ary op (`linear`, `logsumexp`) is written by `codegen`. Where an op's arithmetic is more
than an operator the rows call the engine's own float functions (`exp_float`, `pow_float`,
`logistic`, ...), the ones its primitives call, so there is one copy of each.

`masked_when`: the condition, on the node's inputs, under which the engine stores
`MASKED` for an edge (`Value.backward`'s rule, as torch masks it): the edge then passes 0.0
whatever arrives from upstream, nan and inf included, where IEEE arithmetic would give
nan for nan or inf times 0. The backward line of such an edge reads
`d_x += 0.0 if <condition> else d_out * local`, commented with the condition; "True" is
an edge masked always (`x ** 0`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..engine import (
    exp_float,
    log_float,
    log_slope,
    logistic,
    logsumexp_floats,
    pow_dbase,
    pow_dexp,
    pow_float,
    sin_cos,
    softplus_float,
    sqrt_float,
    sqrt_slope,
)

__all__ = ["HELPERS", "OP_CODE", "OpCode", "op_code"]


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
    "**": OpCode("pow_float({0}, {1})", ("pow_dbase({0}, {1})", "pow_dexp({out}, {0}, {1})"), ("{1} == 0.0", None)),
    "neg": OpCode("-{0}", ("-1.0",)),
    "exp": OpCode("exp_float({0})", ("{out}",)),
    "log": OpCode("log_float({0})", ("log_slope({0})",)),
    "sqrt": OpCode("sqrt_float({0})", ("sqrt_slope({out})",)),
    "tanh": OpCode("tanh({0})", ("(1.0 - {out} * {out})",)),
    "sigmoid": OpCode("logistic({0})", ("({out} * (1.0 - {out}))",)),
    # relu(-0.0) is -0.0; its slope is 1, the edge masked (passing 0.0) where the input is <= 0
    "relu": OpCode("(0.0 if {0} < 0.0 else {0})", ("1.0",), ("{0} <= 0.0",)),
    "abs": OpCode("abs({0})", ("(1.0 if {0} > 0.0 else -1.0 if {0} < 0.0 else 0.0)",)),
    "sin": OpCode("sin_cos({0})[0]", ("sin_cos({0})[1]",)),
    "cos": OpCode("sin_cos({0})[1]", ("(-sin_cos({0})[0])",)),
    "softplus": OpCode("softplus_float({0})", ("logistic({0})",)),
}


def op_code(op: str, slope: float | None = None, exponent: float | None = None) -> OpCode | None:
    """The row of `op`; for a power by a number (`**2`) and for `leaky_relu`, a row made for
    the number (`exponent`, `slope`) the node was built with. None for an op not listed."""
    if op == "leaky_relu":
        s = repr(slope)
        return OpCode(f"({{0}} if {{0}} > 0.0 else {s} * {{0}})", (f"(1.0 if {{0}} > 0.0 else {s})",))
    if op.startswith("**") and exponent is not None:
        if exponent == 0.5:  # as the engine (and torch): a square root, so (-0.0) ** 0.5 is -0.0
            return OpCode("sqrt_float({0})", ("sqrt_slope({out})",), (None,))
        y = repr(exponent)
        return OpCode(f"pow_float({{0}}, {y})", (f"pow_dbase({{0}}, {y})",), ("True" if exponent == 0.0 else None,))
    return OP_CODE.get(op)


# The names the generated code reads, besides its variables: the engine's own float
# arithmetic (`chainrule.engine`), so a compiled op is the primitive's float for float.
HELPERS: dict[str, object] = {
    "abs": abs,
    "sum": sum,
    "tanh": math.tanh,
    "inf": math.inf,
    "nan": math.nan,
    **{
        f.__name__: f
        for f in (
            exp_float,
            log_float,
            log_slope,
            logistic,
            logsumexp_floats,
            pow_dbase,
            pow_dexp,
            pow_float,
            sin_cos,
            softplus_float,
            sqrt_float,
            sqrt_slope,
        )
    },
}
