"""Tracing: run the model once on Values, as eager does, and keep the graph it made, with a
guard that refuses code whose graph may depend on the data.

A graph can depend on the numbers only if the code that builds it reads them: `.data` or
`bool()` of a node (`if x.data > 0`, `if x:`). While a trace runs, both are watched in
this thread: a read by chainrule's own primitives is the arithmetic the compiled code
repeats, and a read by the nn modules' forward passes only hands the numbers to
`linear`; any other read (your code, a loss that branches on its input) stops the trace
with a TypeError naming the node and the line, because the compiled code could not
notice when that branch goes the other way. Numbers reached otherwise (`repr`, `.grad`)
are not watched.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..engine import Value, is_grad_enabled, logsumexp, topological_order
from ..notation import node_names

__all__ = ["DataDependentError", "Trace", "trace"]

# Modules whose reads of a node's number are not control flow (see the module docstring).
_TRUSTED = ("chainrule.engine", "chainrule.nn.modules", "chainrule.compiler")
_DATA = Value.__dict__["data"]  # the slot's descriptor, put back after every trace
_BOOL = Value.__bool__
_lock = threading.RLock()  # a traced function may call another compiled one
_depth = [0]  # traces under way in the thread holding the lock: only the outermost swaps


class DataDependentError(TypeError):
    """The traced code read a node's number, so its graph may depend on the data."""


@dataclass
class Trace:
    """One run's graph: every node oldest first, and what each leaf is.

    `inputs` are the leaves made from (or given as) the call's arguments, `params` the
    other leaves that are no constants (a model's parameters, Values a function closes
    over), `outputs` what the call returned, flattened, and `names` the nodes' names as
    `notation.node_names` gives them.
    """

    order: list[Value]
    inputs: list[Value]
    params: list[Value]
    outputs: list[Value]
    names: dict[Value, str]


def trace(run: Callable[[], Any], inputs: list[Value], what: str) -> tuple[Trace, Any]:
    """Run `run()` (which builds a graph on `inputs`) under the guard; the graph and the result."""
    if not is_grad_enabled():
        raise RuntimeError(f"compile: {what} is traced on its first call, which needs a graph: not inside no_grad")
    with _lock, _watching(what):
        result = run()
    outputs = _outputs(result, what)
    join = logsumexp(outputs)  # one node over every output, so one walk finds the whole graph
    order = topological_order(join)[:-1]
    names = node_names(join)
    for x in inputs:  # an input the graph does not use is named too: the code still takes it
        names.setdefault(x, x.label or "unused")
    known = set(inputs)
    params = [v for v in order if v.is_leaf and not v.is_constant and v not in known]
    return Trace(order, inputs, params, outputs, names), result


def _outputs(result: Any, what: str) -> list[Value]:
    if isinstance(result, Value):
        return [result]
    if isinstance(result, (list, tuple)) and result and all(isinstance(v, Value) for v in result):
        return list(result)
    raise TypeError(f"compile: {what} must return a Value or a non-empty list of Values, got {type(result).__name__}")


@contextmanager
def _watching(what: str) -> Iterator[None]:
    """Watch `.data` and `bool()` reads of nodes in this thread while the block runs."""
    me = threading.get_ident()

    def check(v: Value, how: str) -> None:
        if threading.get_ident() != me:
            return
        frame = sys._getframe(2)
        module = frame.f_globals.get("__name__", "")
        if module.startswith(_TRUSTED):
            return
        label = f" (label {v.label!r})" if v.label else ""
        raise DataDependentError(
            f"compile: {what} reads the number of a node{label} through {how} at "
            f"{frame.f_code.co_filename}:{frame.f_lineno} while it builds its graph, so the graph "
            "may depend on the data (Python control flow such as `if x.data > 0`), which compiled "
            "code cannot follow; run it eagerly, or write the choice with chainrule's ops (relu, abs)"
        )

    def get(v: Value) -> float:
        check(v, "`.data`")
        return _DATA.__get__(v, Value)  # type: ignore[no-any-return]

    def truth(v: Value) -> bool:
        check(v, "`bool()`")
        return _BOOL(v)

    _depth[0] += 1
    if _depth[0] == 1:
        setattr(Value, "data", property(get, _DATA.__set__))  # noqa: B010 - a class attribute, swapped back below
        setattr(Value, "__bool__", truth)  # noqa: B010
    try:
        yield
    finally:
        _depth[0] -= 1
        if _depth[0] == 0:
            setattr(Value, "data", _DATA)  # noqa: B010
            setattr(Value, "__bool__", _BOOL)  # noqa: B010
