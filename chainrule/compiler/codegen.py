"""From a trace to Python: the forward pass, one line per node, and the backward pass, one
line per edge, `d_<parent> += d_<node> * <local derivative>`, newest node first.

The backward lines follow `engine.backward_steps` exactly (the engine's loop, to the bit):
nodes newest first, each node's edges in the order of its parents; a non-leaf parent's
first contribution sets its gradient to 0.0 plus it (`=`, so no gradient is -0.0, as in
the engine; the seeds are never -0.0 either), every later one and every one to a leaf
adds (`+=`), and leaves start from the `.grad` they had. A masked edge
(`ops.OpCode.masked_when`) passes 0.0 where its condition holds. Over a batch the samples
go newest first too, as in a graph that holds them all.

One saving: a `linear` node whose gradient is exactly 0 (a dead ReLU, a sample the hinge
ignores) skips its edges, as the hand-written float step does, when every local
derivative it would multiply is finite. Each skipped term is then +-0, which leaves every
gradient as it was (every gradient starts at 0.0, so none is -0.0), so the results are
the same floats. With a non-finite number in the way (0 * inf is nan) nothing is
skipped.
"""

from __future__ import annotations

import keyword
import math
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine import Value, pow_dbase, pow_float, sqrt_float, sqrt_slope
from ..notation import expression
from .ops import HELPERS, OpCode, op_code
from .trace import Trace

__all__ = ["Program", "RetraceError", "generate"]

_RESERVED = {
    *HELPERS,
    "values",
    "params",
    "grads",
    "samples",
    "tapes",
    "seeds",
    "in_grads",
    "in_out",
    "append",
    "dense",
}
_RESERVED |= {"sparse", "isfinite", "unknown_slope", "forward", "backward", "zip", "reversed"}
_PLAIN_SUM = sys.version_info < (3, 12)
_SUBSCRIPT_DIGITS = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")


class RetraceError(Exception):
    """Raised by compiled code that meets a case its trace did not show (a leaky_relu below 0
    whose slope the trace could not read): the caller traces again."""


def unknown_slope() -> float:
    """The forward value of a leaky_relu below 0 whose slope the trace never saw."""
    raise RetraceError


@dataclass
class Program:
    """Generated code for one trace: `forward(params, samples) -> tapes` (one tuple of node
    values per sample) and `backward(params, grads, tapes, seeds[, in_grads], dense)`;
    `outputs` indexes each tape; `slopes` are the leaky_relu slopes it knows, by node index;
    `edges` each backward line's code with the node and the parent edge it backpropagates."""

    source: str
    forward: Callable[..., list[tuple[float, ...]]]
    backward: Callable[..., Any]
    outputs: list[int]
    slopes: dict[int, float]
    edges: list[tuple[str, Value, int]]


def generate(t: Trace, input_grads: bool, slopes: dict[int, float] | None = None) -> Program:
    """Write, compile and return the code of trace `t`; with `input_grads`, backward also
    returns each sample's input gradients (for inputs given as Values)."""
    gen = _Writer(t, input_grads, dict(slopes or {}))
    source = gen.source()
    namespace: dict[str, Any] = {**HELPERS, "isfinite": math.isfinite, "unknown_slope": unknown_slope}
    exec(compile(source, "<chainrule.compile>", "exec"), namespace)  # our own generated code
    return Program(source, namespace["forward"], namespace["backward"], gen.output_slots, gen.slopes, gen.edges)


class _Writer:
    """Names every node, then writes the two functions."""

    def __init__(self, t: Trace, input_grads: bool, slopes: dict[int, float]) -> None:
        self.t, self.input_grads, self.slopes = t, input_grads, slopes
        self.names = _identifiers(t)
        self.rows = {v: self._row(i, v) for i, v in enumerate(t.order) if not v.is_leaf}
        params, inputs = set(t.params), set(t.inputs)
        self.needs: set[Value] = set(t.params) | (inputs if input_grads else set())
        for v in t.order:
            if not v.is_leaf and any(p in self.needs for p in v.parents):
                self.needs.add(v)
        self.tape = [v for v in t.order if v in inputs or not v.is_leaf]
        self.tape += [v for v in t.outputs if v not in self.tape]
        self.output_slots = [self.tape.index(v) for v in t.outputs]
        self.leaves = params | (inputs if input_grads else set())
        self.edges: list[tuple[str, Value, int]] = []  # each backward line's code, node and edge

    def value(self, v: Value) -> str:
        """A node's value in code: its variable, or a constant's literal."""
        if v.is_constant:
            x = v.data
            text = repr(x) if math.isfinite(x) else "nan" if x != x else "inf" if x > 0 else "-inf"
            return f"({text})" if text.startswith("-") else text
        return self.names[v]

    def _row(self, i: int, v: Value) -> OpCode | None:
        op, parents = v.op, v.parents
        if op in ("linear", "logsumexp"):
            return None
        if op == "leaky_relu":
            x, local = parents[0].data, v.local_grads[0]
            if not x > 0.0:
                self.slopes[i] = local
            return op_code(op, slope=self.slopes.get(i))
        exponent = _exponent(v) if op.startswith("**") and len(parents) == 1 else None
        row = op_code(op, exponent=exponent)
        if row is None:
            raise TypeError(
                f"compile: node {self.names[v]} has op {op!r}, which compile does not know; it compiles "
                "chainrule's built-in ops (+ - * / ** neg exp log sqrt tanh sigmoid relu leaky_relu abs "
                "sin cos softplus linear logsumexp)"
            )
        return row

    def forward_line(self, v: Value) -> str:
        args = [self.value(p) for p in v.parents]
        if v.op == "linear":
            n = len(args) // 2
            products = [f"{w} * {x}" for w, x in zip(args[:n], args[n : 2 * n])]
            # sum() adds left to right before Python 3.12, which then made it compensated: the chain
            # of + is the same floats where it holds, and faster.
            code = " + ".join([args[-1], *products]) if _PLAIN_SUM else f"sum({_tuple(products)}, {args[-1]})"
        elif v.op == "logsumexp":
            code = f"logsumexp_floats({_tuple(args)})[0]"
        else:
            row = self.rows[v]
            assert row is not None
            code = row.forward.format(*args)
            if v.op == "leaky_relu" and "None" in code:
                code = f"({args[0]} if {args[0]} > 0.0 else unknown_slope())"
        said = expression(v.op, [self.t.names[p] for p in v.parents])
        return f"{self.names[v]} = {code}  # {self.t.names[v]} = {said}"

    def locals_of(self, v: Value) -> list[tuple[str, str | None]]:
        """(local derivative, masked-when condition) for each edge of `v`, as code."""
        args = [self.value(p) for p in v.parents]
        if v.op == "linear":
            n = len(args) // 2
            edges: list[tuple[str, str | None]] = [(a, None) for a in [*args[n : 2 * n], *args[:n], "1.0"]]
            return edges
        if v.op == "logsumexp":
            return [(f"sm_{self.names[v]}[{k}]", None) for k in range(len(args))]
        row = self.rows[v]
        assert row is not None
        out = self.names[v]
        return [
            (local.format(*args, out=out), row.masked_when[k] and row.masked_when[k].format(*args))  # type: ignore[union-attr]
            for k, local in enumerate(row.local)
        ]

    def backward_block(self, v: Value, started: set[Value]) -> list[str]:
        d_v, lines, firsts = f"d_{self.names[v]}", [], []
        if v.op == "logsumexp":
            lines.append(f"sm_{self.names[v]} = logsumexp_floats({_tuple([self.value(p) for p in v.parents])})[1]")
        for k, (p, (local, masked)) in enumerate(zip(v.parents, self.locals_of(v))):
            if p not in self.needs:
                continue
            amount = d_v if local == "1.0" else f"{d_v} * {local}"
            sign = "+=" if p in started or p in self.leaves else "="
            if sign == "=":  # a gradient starts at 0.0, as the engine's do, so it is never -0.0
                firsts.append(f"d_{self.names[p]}")
                started.add(p)
                if amount != d_v:  # a product may be -0.0; a gradient passed on as it is is not
                    amount = f"0.0 + {amount}"
            comment = f"{self.t.names[v]} → {self.t.names[p]}"
            if masked == "True":
                amount, comment = "0.0", f"{comment}, masked: a power 0 passes 0"
            elif masked:
                amount, comment = f"0.0 if {masked} else {amount}", f"{comment}, masked where {masked}"
            lines.append(f"d_{self.names[p]} {sign} {amount}  # {comment}")
            self.edges.append((lines[-1].split("  # ")[0], v, k))
        if v.op != "linear":
            return lines
        head = [f"if {d_v} or not sparse:  # a gradient of 0 passes on nothing", *("    " + line for line in lines)]
        return [*head, "else:", f"    {' = '.join(firsts)} = 0.0"] if firsts else head

    def source(self) -> str:
        return "\n".join([*self.forward_source(), "", "", *self.backward_source(), ""])

    def forward_source(self) -> list[str]:
        params = _tuple([self.names[p] for p in self.t.params])
        inputs = _tuple([self.names[x] for x in self.t.inputs])
        body = [self.forward_line(v) for v in self.t.order if not v.is_leaf]
        return [
            "def forward(params, samples):",
            f"    {params} = params",
            "    tapes = []",
            "    append = tapes.append",
            f"    for {inputs} in samples:",
            *("        " + line for line in body),
            f"        append({_tuple([self.value(v) for v in self.tape])})",
            "    return tapes",
        ]

    def backward_source(self) -> list[str]:
        names = self.names
        params = _tuple([names[p] for p in self.t.params])
        grads = _tuple([f"d_{names[p]}" for p in self.t.params])
        tape = _tuple([names[v] if not v.is_constant else "_" for v in self.tape])
        seeds = _tuple([f"s{k}" for k in range(len(self.t.outputs))])
        in_grads = _tuple([f"d_{names[x]}" for x in self.t.inputs])
        loop = f"    for values, {seeds}"
        loop += (
            f", {in_grads} in zip(reversed(tapes), reversed(seeds), reversed(in_grads)):"
            if self.input_grads
            else " in zip(reversed(tapes), reversed(seeds)):"
        )
        started: set[Value] = set()
        body = self.skips()
        body.append(f"{tape} = values")
        for k, v in enumerate(self.t.outputs):
            if v in self.needs:
                sign = "+=" if v in started or v in self.leaves else "="
                started.add(v)
                body.append(f"d_{names[v]} {sign} s{k}  # output {k}, {self.t.names[v]}")
        for v in reversed(self.t.order):
            if not v.is_leaf and v in self.needs:
                body += self.backward_block(v, started)
        if self.input_grads:
            body.append(f"in_out.append({in_grads})")
        head = ["def backward(params, grads, tapes, seeds, in_grads, dense):", f"    {params} = params"]
        head += [f"    {grads} = grads", "    in_out = []", loop]
        return [*head, *("        " + line for line in body), f"    return {grads}, in_out"]

    def skips(self) -> list[str]:
        """`sparse`: every number of the sample is finite, so a term with a gradient of 0 is +-0
        and may be skipped; a whole sample is skipped when its outputs' gradients are all 0 and
        each op's local derivatives are finite wherever its inputs are (relu, linear, tanh...)."""
        if not any(v.op == "linear" for v in self.t.order):
            return []
        constants = [v.data for v in self.t.order if v.is_constant]
        if not all(map(math.isfinite, constants)):
            return ["sparse = False  # a constant is not finite"]
        lines = ["sparse = not dense and isfinite(sum(values))  # every number finite: a 0 passes on 0"]
        finite_slopes = all(v.is_leaf or v.op in _FINITE_SLOPES for v in self.t.order)
        if not self.input_grads and finite_slopes and all(map(math.isfinite, self.slopes.values())):
            seeds = " or ".join(f"s{k}" for k in range(len(self.t.outputs)))
            lines.append(f"if sparse and not ({seeds}):  # nothing to pass back from this sample")
            lines.append("    continue")
        return lines


# Ops whose local derivatives are finite wherever their inputs and output are.
_FINITE_SLOPES = {"+", "-", "*", "neg", "linear", "relu", "leaky_relu", "abs", "tanh", "sigmoid"}


def _tuple(names: list[str]) -> str:
    return f"({', '.join(names)},)" if len(names) == 1 else f"({', '.join(names)})"


def _exponent(v: Value) -> float:
    """The number a `**` node raised its base to, read back from the op's name ('**2'),
    checked against the value and local derivative the engine stored."""
    y = float(v.op[2:])
    x = v.parents[0].data
    try:
        same: tuple[float, float] | None = (
            (sqrt_float(x), sqrt_slope(sqrt_float(x))) if y == 0.5 else (pow_float(x, y), pow_dbase(x, y))
        )
    except (ValueError, ZeroDivisionError):  # the rounded exponent is not one the engine took here
        same = None
    stored = v.data, v.local_grads[0]
    if same is not None and all(a == b or (a != a and b != b) for a, b in zip(same, stored)):
        return y
    raise TypeError(
        f"compile: a power {v.op!r} by a number with more digits than its op's name records; "
        "compile reads the exponent back from the name, so give it a Value exponent or a shorter number"
    )


def _identifiers(t: Trace) -> dict[Value, str]:
    """Each node's variable: its notation name as a Python name, made unique."""
    taken: set[str] = set()
    out: dict[Value, str] = {}
    for v in [*t.inputs, *t.order]:
        if v.is_constant or v in out:
            continue
        base = re.sub(r"\W", "_", t.names[v].translate(_SUBSCRIPT_DIGITS)) or "v"
        if (
            base[0].isdigit()
            or keyword.iskeyword(base)
            or base in _RESERVED
            or base.startswith(("d_", "sm_"))
            or re.fullmatch(r"s\d+", base)
        ):
            base = f"v_{base}"
        name, k = base, 1
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        out[v] = name
    return out
