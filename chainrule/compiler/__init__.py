"""`compile`: a model, or a function of Values, traced once and run as generated Python.

    >>> from chainrule import Value, compile
    >>> w, b = Value(3.0, "w"), Value(1.0, "b")
    >>> def neuron(x):
    ...     z = w * x + b
    ...     z.label = "z"
    ...     return z.relu()
    >>> fast = compile(neuron)
    >>> out = fast(2.0)          # the forward pass, as neuron(Value(2.0)) computes it
    >>> out.data
    7.0
    >>> fast.backward()          # as out.backward(): w.grad and b.grad filled in
    >>> w.grad, b.grad
    (2.0, 1.0)
    >>> print(fast.source)       # doctest: +ELLIPSIS
    # compiled from neuron: ...

The first call with a given shape of arguments runs the model eagerly, as usual, and
keeps the graph it built (a trace); the graph becomes two Python functions, the forward
pass (one line per node) and the backward pass (one line per edge,
`d_<parent> += d_<node> * <local derivative>`), compiled with Python's `compile()`. Later
calls of the same shape run that code: the same floats as eager, to the bit, forward
and backward, several times faster. `.source` is that code; `print(compiled)` shows it.

How it is used, as torch's autograd is: call it; build a loss on what it returns, as on
any Value; `loss.backward()`; then `compiled.backward()` carries the outputs' gradients
back through the compiled graph into the parameters' `.grad` (leaves accumulate, as
always). For one output on which nothing was built, `compiled.backward()` is
`output.backward()`. `compiled.batch(samples)` runs a model on many samples in one
compiled loop, as `[model(x) for x in samples]` would, and `backward()` then covers them all;
`compiled.numbers(samples)` gives the same outputs as floats, for what is only looked at.

What the compiled code assumes, and how each assumption is checked (the head of `.source`
lists them):
- the arguments' shape: how many, and which are lists of how many numbers or Values;
  another shape traces again (a wrong one then fails as the eager model fails);
- the parameters: the Values the trace read (for a Module, `parameters()` and the plain
  attributes of it and its sub-modules, such as each neuron's activation, compared on each
  call; a change traces again); their numbers are read afresh on each call;
- the graph: built the same way whatever the numbers. Traces watch for code reading a
  node's number (`.data`, `bool()`) outside chainrule's own primitives and modules and
  refuse it (TypeError): such code may branch on the data. A function that gets its
  numbers otherwise (`repr`, `.grad`, a global that changes) is not detected.
A call the compiled code cannot finish (log of a negative number, a division by zero)
runs the model eagerly, so it raises the eager error; nothing is written then.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from ..engine import Value, backward_steps, no_grad
from ..notation import factor, format_number
from .arguments import argument_names, flatten, rebuild
from .codegen import Program, RetraceError, generate
from .trace import DataDependentError, Trace, trace

__all__ = ["Compiled", "DataDependentError", "compile"]


def compile(target: Any) -> Compiled:  # chainrule.compile, as torch.compile
    """Compile a Module (chainrule.nn's or chainrule.micrograd.nn's `Neuron`, `Layer`, `MLP`, or
    one of your own) or a function of Values into a `Compiled` callable (see the module docs).

    TypeError for anything else, naming what it was given.
    """
    if isinstance(target, (type, Value)) or not callable(target):
        what = f"the class {target.__name__}" if isinstance(target, type) else type(target).__name__
        raise TypeError(
            f"compile: takes a Module (an nn.MLP, Layer, Neuron or your own) or a function of Values, got {what}"
        )
    return Compiled(target)


class Compiled:
    """A model or function run as generated code: call it as the original, then `backward()`."""

    def __init__(self, target: Callable[..., Any]) -> None:
        self.target = target
        self.is_module = callable(getattr(target, "parameters", None))
        self.name = type(target).__name__ if self.is_module else getattr(target, "__name__", type(target).__name__)
        self._programs: dict[Hashable, _Template] = {}
        self._last: _Run | None = None
        self._newest: _Template | None = None

    # -- calling ---------------------------------------------------------------------

    def __call__(self, *args: Any) -> Any:
        """The target's result for `args`, as Values (leaves holding the compiled numbers)."""
        key, flat = flatten(args, not self.is_module)
        template = self._template(key, args, flat)
        return self._run(template, [flat], [args])[0]

    def batch(self, samples: Sequence[Any]) -> list[Any]:
        """`[compiled(x) for x in samples]` in one compiled loop, for a target of one argument;
        `backward()` then takes every sample's outputs."""
        if not samples:
            return []
        template, rows = self._rows(samples)
        return self._run(template, rows, [(x,) for x in samples])

    def _rows(self, samples: Sequence[Any]) -> tuple[_Template, list[list[Any]]]:
        """The trace for the samples' shape, and each sample flattened; ValueError if they differ."""
        numbers = not self.is_module
        key, flat = flatten((samples[0],), numbers)
        template = self._template(key, (samples[0],), flat)
        rows = [flat]
        for x in samples[1:]:
            if (
                type(x) is list
                and len(x) == len(flat)
                and not template.takes_values
                and all(type(e) is float for e in x)
            ):
                rows.append(x)
                continue
            other, row = flatten((x,), numbers)
            if other != key:
                self._template(other, (x,), row)  # the eager model raises here, as it would for x alone
                raise ValueError(f"compile: batch samples differ in shape: {samples[0]!r} and {x!r}")
            rows.append(row)
        return template, rows

    def numbers(self, samples: Sequence[Any], *, eager_fallback: bool = False) -> list[Any]:
        """`batch(samples)` as floats: each output's number where `batch` gives its Value (one
        float, a list or a tuple per sample, as the target returns), the same numbers to the
        bit. Nothing is kept for `backward()`, which still takes the last call before: for
        what is only looked at, such as a model's outputs over a grid of the input plane.

        Where compile refuses the target, as every call does (TypeError: code that reads a
        node's number, an op it does not know, an argument it cannot key; RuntimeError: a
        first call inside `no_grad`), `eager_fallback=True` runs it eagerly on each sample
        instead, under `no_grad`, as `torch.compile` falls back to eager code it cannot
        capture: the eager numbers, at the eager model's speed, or the eager model's own
        error. Each such call tries the trace again (it costs one eager sample), so a model
        changed since is compiled when it can be."""
        if not samples:
            return []
        try:
            template, rows = self._rows(samples)
        except (TypeError, RuntimeError):
            if not eager_fallback:
                raise
            return self._eager_numbers(samples)
        template, _, tapes = self._tapes(template, rows, [(x,) for x in samples])
        slots = template.program.outputs
        pick = operator.itemgetter(*slots)  # from a tape: one output's number, or a tuple of them
        if template.returns is Value or issubclass(template.returns, Value):
            return [pick(tape) for tape in tapes]
        picked = [pick(tape) for tape in tapes] if len(slots) > 1 else [(pick(tape),) for tape in tapes]
        return picked if issubclass(template.returns, tuple) else [list(row) for row in picked]

    def _eager_numbers(self, samples: Sequence[Any]) -> list[Any]:
        """The target run eagerly on each sample under `no_grad`, its outputs as numbers."""
        names = argument_names(self.target, 1)
        out: list[Any] = []
        with no_grad():
            for x in samples:
                if self.is_module:  # a Module takes its sample as it is, as model(x) does
                    result = self.target(x)
                else:  # a function of Values gets its numbers as Values, as a traced call does
                    _, flat = flatten((x,), True)
                    result = self.target(*rebuild((x,), flat, names, [], True))
                if isinstance(result, Value):
                    out.append(result.data)
                else:
                    row = [v.data for v in result]
                    out.append(tuple(row) if isinstance(result, tuple) else row)
        return out

    def _template(self, key: Hashable, args: tuple[Any, ...], flat: list[Any]) -> _Template:
        template = self._programs.get(key)
        if template is not None and (not self.is_module or template.same_parameters(self.target)):
            return template
        return self._trace(key, args, flat, {})

    def _trace(self, key: Hashable, args: tuple[Any, ...], flat: list[Any], slopes: dict[int, float]) -> _Template:
        names = argument_names(self.target, len(args))
        leaves: list[Value] = []
        rebuilt = rebuild(args, flat, names, leaves, not self.is_module)
        t, result = trace(lambda: self.target(*rebuilt), leaves, self.name)
        takes_values = any(isinstance(x, Value) for x in flat)
        program = generate(t, takes_values, slopes)
        template = _Template(t, program, self, args, takes_values, type(result))
        self._programs[key] = self._newest = template
        return template

    def _run(self, template: _Template, rows: list[list[Any]], calls: list[tuple[Any, ...]]) -> list[Any]:
        template, values, tapes = self._tapes(template, rows, calls)
        outputs = []
        for tape in tapes:
            outputs.append([Value(tape[i]) for i in template.program.outputs])
        self._last = _Run(template, values, tapes, outputs, rows)
        return [template.shape(leaves) for leaves in outputs]

    def _tapes(
        self, template: _Template, rows: list[list[Any]], calls: list[tuple[Any, ...]]
    ) -> tuple[_Template, tuple[float, ...], list[Any]]:
        """The compiled forward pass on `rows`: every node's number for each sample (a tape),
        with the template and parameter numbers it ran on (a missing slope traces again)."""
        values = tuple(p.data for p in template.params)
        samples = (
            [[x.data if isinstance(x, Value) else x for x in row] for row in rows] if template.takes_values else rows
        )
        for _ in range(len(template.t.order) + 1):  # each retrace learns one more slope
            try:
                tapes = template.program.forward(values, samples)
                break
            except RetraceError:
                template = self._learn_slope(template, rows, calls)
                values = tuple(p.data for p in template.params)
            except Exception:
                numbers = not self.is_module
                for row, call in zip(rows, calls):  # the eager model on each sample raises the eager error
                    self.target(*rebuild(call, row, argument_names(self.target, len(call)), [], numbers))
                raise
        return template, values, tapes

    def _learn_slope(self, template: _Template, rows: list[list[Any]], calls: list[tuple[Any, ...]]) -> _Template:
        """Trace again at the first sample that met a leaky_relu slope the trace did not know."""
        values = tuple(p.data for p in template.params)
        for row, call in zip(rows, calls):
            try:
                template.program.forward(values, [[x.data if isinstance(x, Value) else x for x in row]])
            except RetraceError:
                key, flat = flatten(call, not self.is_module)
                return self._trace(key, call, flat, template.program.slopes)
        raise RuntimeError("compile: a leaky_relu slope was missing, then found")  # pragma: no cover

    # -- backward --------------------------------------------------------------------

    def backward(self, *grads: float) -> None:
        """Backpropagate the last call's outputs into the parameters' (and Value inputs') `.grad`.

        The upstream gradient of each output is its `.grad` (what `loss.backward()` left on
        it), or `grads`, one number per output of a single call; with neither, a call that
        returned one output is seeded with 1.0, as `output.backward()` is.
        """
        run = self._last
        if run is None:
            raise RuntimeError("compile: backward() needs a call first: call the compiled model, then backward()")
        seeds = run.seeds(grads)
        t = run.template
        params = t.params
        start = tuple(p.grad for p in params)
        inputs = [[x for x in row if isinstance(x, Value)] for row in run.rows] if t.takes_values else []
        in_grads = [tuple(x.grad for x in dict.fromkeys(row)) for row in inputs]
        dense = not all(map(math.isfinite, run.values)) or any(_negative_zero(g) for g in start)
        dense = dense or any(_negative_zero(g) for row in in_grads for g in row)
        new, in_out = t.program.backward(run.values, start, run.tapes, seeds, in_grads, dense)
        for p, g in zip(params, new):
            p.grad = g
        for row, gs in zip(inputs, reversed(in_out)):
            for x, g in zip(dict.fromkeys(row), gs):
                x.grad = g

    # -- reading it ------------------------------------------------------------------

    @property
    def source(self) -> str:
        """The generated code of the latest trace, its assumptions at the head."""
        if self._newest is None:
            raise RuntimeError(f"compile: {self.name} is traced on its first call; call it once to see its code")
        return self._newest.source

    def explain(self) -> str:
        """The backward code of the latest trace, each line with its numbers at the traced call:
        the node's gradient times the local derivative gives the contribution, as
        `engine.backward_steps` computes them. For a trace with one output. In the module's
        example, `print(fast.explain())` ends with the line `d_w += d_mul1 * x  # 1 · 2 = 2`.
        """
        if self._newest is None:
            raise RuntimeError(f"compile: {self.name} is traced on its first call; call it once to explain it")
        t, program = self._newest.t, self._newest.program
        if len(t.outputs) != 1:
            raise ValueError(f"compile: explain() takes a trace of one output, {self.name} has {len(t.outputs)}")
        steps = {(s.node, k): (s.grad, c) for s in backward_steps(t.outputs[0]) for k, c in enumerate(s.contributions)}
        lines = [f"backward of {self.name} at the traced call, seeded with 1, newest node first:"]
        width = max((len(code) for code, _, _ in program.edges), default=0)
        for code, v, k in program.edges:
            grad, c = steps[v, k]
            numbers = f"{factor(grad)} · {factor(c.local_grad)} = {format_number(c.amount)}"
            lines.append(f"{code.ljust(width)}  # {numbers}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.source if self._newest is not None else repr(self)

    def __repr__(self) -> str:
        return f"Compiled({self.name}, {len(self._programs)} trace(s))"


def _negative_zero(g: float) -> bool:
    return g == 0.0 and math.copysign(1.0, g) < 0.0


class _Template:
    """One trace's program, the parameters it reads, and how its results are shaped."""

    def __init__(
        self, t: Trace, program: Program, owner: Compiled, args: tuple[Any, ...], takes_values: bool, returns: type
    ) -> None:
        self.t, self.program, self.args, self.takes_values, self.returns = t, program, args, takes_values, returns
        self.params = t.params
        self.module_params = owner.target.parameters() if owner.is_module else None  # type: ignore[attr-defined]
        self.module_settings = _settings(owner.target) if owner.is_module else None
        self.source = _header(owner, t, args) + program.source

    def same_parameters(self, module: Any) -> bool:
        now = module.parameters()
        before = self.module_params
        same = before is not None and len(now) == len(before) and all(map(operator.is_, now, before))
        return same and _settings(module) == self.module_settings

    def shape(self, leaves: list[Value]) -> Any:
        """The outputs as the target returned them: one Value, a list or a tuple."""
        if self.returns is Value or issubclass(self.returns, Value):
            return leaves[0]
        return tuple(leaves) if issubclass(self.returns, tuple) else leaves


def _settings(module: Any) -> Hashable:
    """A Module's settings: every plain attribute (an activation's name, a size, a flag) of it and
    of each module below it, which may change its graph without changing its parameters."""
    modules = module.named_modules() if callable(getattr(module, "named_modules", None)) else [("", module)]
    plain = (str, int, float, bool, type(None))
    return tuple((name, tuple((k, v) for k, v in vars(m).items() if type(v) in plain)) for name, m in modules)


class _Run:
    """What one call left for `backward`: the numbers it ran on and the outputs it gave."""

    def __init__(
        self,
        template: _Template,
        values: tuple[float, ...],
        tapes: list[Any],
        outputs: list[list[Value]],
        rows: list[list[Any]],
    ) -> None:
        self.template, self.values, self.tapes, self.outputs, self.rows = template, values, tapes, outputs, rows
        # Each output's grad as made (the float object): a backward into it puts a new one there.
        self.untouched = [[leaf.grad for leaf in leaves] for leaves in outputs]

    def seeds(self, grads: tuple[float, ...]) -> list[tuple[float, ...]]:
        if grads:
            if len(self.outputs) != 1 or len(grads) != len(self.outputs[0]):
                n = len(self.outputs[0])
                raise ValueError(f"compile: backward() takes one gradient per output ({n}), got {len(grads)}")
            return [tuple(float(g) + 0.0 for g in grads)]  # + 0.0: a gradient is never -0.0
        if len(self.outputs) == 1 and len(self.outputs[0]) == 1 and self.outputs[0][0].grad is self.untouched[0][0]:
            return [(1.0,)]
        return [tuple(leaf.grad for leaf in leaves) for leaves in self.outputs]


def _header(owner: Compiled, t: Trace, args: tuple[Any, ...]) -> str:
    shape = ", ".join(f"a list of {len(a)}" if isinstance(a, (list, tuple)) else "one number or Value" for a in args)
    params = "its parameters() and settings (checked on each call)" if owner.is_module else "the Values it closes over"
    nodes = sum(not v.is_leaf for v in t.order)
    return (
        f"# compiled from {owner.name}: {nodes} nodes, {len(t.params)} parameters, {len(t.inputs)} inputs\n"
        f"# assumes: arguments {shape} (another shape traces again); parameters: {params};\n"
        "# a graph that no code chose by reading a node's number while it was traced (checked then)\n\n"
    )
