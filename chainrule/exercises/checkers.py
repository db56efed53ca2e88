"""The checkers: each runs a learner's code on a few cases and returns a `Verdict`."""

from __future__ import annotations

import copy
import inspect
import random
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from ..engine import Value, gradients
from ..engine.checks import is_real, is_sequence
from ..nn import MLP, mse_loss
from ..nodechecking import gradcheck_nodes
from ..notation import format_number
from .graphs import Program, closeness, fixed_programs, graph_nodes, node_in_words, numbers, parallel, random_program
from .verdict import Case, Mismatch, Verdict, run_cases

__all__ = ["check_backward", "check_local_derivative", "check_ops", "check_topological_sort", "check_training_step"]

_POINTS = (0.5, -1.2, 2.0, 0.3)  # the default points' coordinates, rotated for each input


def _deep() -> int:
    """A chain deeper than Python lets a function recurse: a recursive walk fails on it."""
    return min(max(2 * sys.getrecursionlimit(), 2000), 20000)


def check_local_derivative(fn: Callable[..., Value], points: Sequence[Any] | None = None) -> Verdict:
    """Check the local derivatives of `fn`, a function of chainrule Values that makes one node
    (a `chainrule.op`), at each of `points` (tuples of inputs; a number for one input). By
    default, three points away from 0, with as many inputs as `fn` has parameters.

    Each case runs `gradcheck_nodes` on `fn`'s result, so every stored local derivative is
    compared with a central difference of the function itself.

        >>> import chainrule
        >>> @chainrule.op("cube")
        ... def cube(x):
        ...     return x**3, (3 * x**2,)
        >>> check_local_derivative(cube)
        PASSED the local derivative of cube: all 3 cases right.
    """
    name = getattr(fn, "__name__", "your function")
    if points is None:
        arity = len(_parameters(fn)) or 1
        points = [tuple(_POINTS[(k + i) % len(_POINTS)] for i in range(arity)) for k in range(3)]
    point_list = [tuple(p) if is_sequence(p) else (p,) for p in points]
    cases = [Case(f"{name} at {numbers(p)}", partial(_local_case, fn, p)) for p in point_list]
    return run_cases(f"the local derivative of {name}", cases, sys.getrecursionlimit())


def _parameters(fn: Callable[..., Value]) -> list[str]:
    try:
        return list(inspect.signature(fn).parameters)
    except (TypeError, ValueError):  # no signature to read
        return []


def _local_case(fn: Callable[..., Value], point: tuple[float, ...]) -> None:
    params = _parameters(fn)
    labels = params if len(params) == len(point) else [f"x{i}" for i in range(len(point))]
    out = fn(*(Value(x, label) for x, label in zip(point, labels)))
    if not isinstance(out, Value):
        raise Mismatch("a Value", f"{type(out).__name__}", "decorate the function with @chainrule.op(name).")
    for failure in gradcheck_nodes(out):
        raise Mismatch(
            f"{format_number(failure.numerical)} (a central difference of the function itself)",
            f"{format_number(failure.analytical)}, your local derivative along {failure.parent_name}",
            "each local derivative is d value / d that input at these inputs, one per input, "
            "in order: for x**3 it is 3 * x**2.",
        )


def check_ops(value_class: type) -> Verdict:
    """Check each `_backward` of your `Value` (+, * and tanh) on its own, without your backward.

    Each case makes one node from inputs whose grads are already nonzero (as if another
    path had sent its share), gives the node a grad of 2, calls its `_backward()` once,
    and compares the inputs' grads with start + 2 * local derivative.
    """
    cases = [
        Case("a + b", lambda: _op_case(value_class, Program("a + b", (2.0, -3.0), (("+", 0, 1),)))),
        Case("a * b", lambda: _op_case(value_class, Program("a * b", (2.0, -3.0), (("*", 0, 1),)))),
        Case("tanh(a)", lambda: _op_case(value_class, Program("tanh(a)", (0.5,), (("tanh", 0, 0),)))),
        Case("x * x", lambda: _op_case(value_class, Program("x * x", (3.0,), (("*", 0, 0),)))),
        Case("x + x", lambda: _op_case(value_class, Program("x + x", (3.0,), (("+", 0, 0),)))),
    ]
    return run_cases("the _backward of +, * and tanh", cases, sys.getrecursionlimit())


def _op_case(cls: type, program: Program) -> None:
    mine, theirs = parallel(program, cls)
    out, reference = mine[-1], theirs[-1]
    start = [0.5 * (k + 1) for k in range(len(program.leaves))]
    for v, g in zip(mine, start):
        v.grad = g
    out.grad = 2.0
    out._backward()
    for k, (v, ref) in enumerate(zip(mine, theirs[: len(start)])):
        local = sum(d for p, d in zip(reference.parents, reference.local_grads) if p is ref)
        want, got = start[k] + 2.0 * local, v.grad
        if closeness(got, want):
            continue
        if closeness(got, 2.0 * local) or closeness(got, 2.0 * local / 2):
            hint = "add to the input's grad (+=), don't set it (=): other uses of the input add their share too."
        elif closeness(got, start[k] + local):
            hint = "multiply the local derivative by out.grad: that is the chain rule."
        else:
            hint = "the local derivative of this op, times out.grad, added to the input's grad."
        raise Mismatch(
            f"grad {format_number(want)} = {format_number(start[k])} + 2 · {format_number(local)}",
            f"grad {format_number(got)} on {node_in_words(v)}",
            hint,
        )


def check_topological_sort(sort: Callable[[Any], Sequence[Any]], value_class: type) -> Verdict:
    """Check `sort(root)`: it must return every node of root's graph once, each after all the
    nodes in its `_prev`, root last. Graphs made with your `value_class` (+, *, tanh)
    include reuse (x * x) and one deeper than Python lets a function recurse."""
    rng = random.Random(0)
    programs = fixed_programs(_deep()) + [random_program(rng, f"random graph {k + 1}") for k in range(2)]
    cases = [Case(p.name, partial(_sort_case, sort, value_class, p)) for p in programs]
    return run_cases("the topological sort", cases, sys.getrecursionlimit())


def _sort_case(sort: Callable[[Any], Sequence[Any]], cls: type, program: Program) -> None:
    root = program.build(cls)[-1]
    result = sort(root)
    if not is_sequence(result):
        raise Mismatch("a list of nodes", type(result).__name__, "return the list you built.")
    nodes = graph_nodes(root)
    position: dict[int, int] = {}
    for k, v in enumerate(result):
        if id(v) in position:
            raise Mismatch(
                "each node once",
                f"{node_in_words(v)} twice",
                "remember the nodes you have visited (a set), and skip them.",
            )
        position[id(v)] = k
    for v in nodes:
        if id(v) not in position:
            uses = sum(1 for u in nodes for p in u._prev if p is v)
            hint = (
                f"it is used by {uses} nodes: a visited set must not make you skip a node you have not listed yet."
                if uses > 1
                else "visit every node in each _prev, down to the leaves."
            )
            raise Mismatch(f"all {len(nodes)} nodes", f"{len(result)} nodes, without {node_in_words(v)}", hint)
    if len(result) != len(nodes):
        raise Mismatch(f"the {len(nodes)} nodes of the graph", f"{len(result)} items", "list only the graph's nodes.")
    for v in nodes:
        for p in v._prev:
            if position[id(p)] > position[id(v)]:
                raise Mismatch(
                    "every node after the nodes in its _prev",
                    f"{node_in_words(v)} before its input {node_in_words(p)}",
                    "append a node only once all of its inputs are in the list (after visiting its _prev).",
                )


def check_backward(value_class: type) -> Verdict:
    """Check your `backward()`: on graphs made with `value_class` (+, *, tanh), fixed ones with
    reuse and a deep one, then random ones, every node's grad after `root.backward()` must
    match chainrule's `backward` on the same graph."""
    rng = random.Random(1)
    programs = fixed_programs(_deep()) + [random_program(rng, f"random graph {k + 1}", 3, 12) for k in range(4)]
    cases = [Case(p.name, partial(_backward_case, value_class, p)) for p in programs]
    return run_cases("backward", cases, sys.getrecursionlimit())


def _backward_case(cls: type, program: Program) -> None:
    mine, theirs = parallel(program, cls)
    mine[-1].backward()
    expected = gradients(theirs[-1])
    for v, ref in zip(reversed(mine), reversed(theirs)):
        want, got = expected.get(ref, 0.0), v.grad
        if closeness(got, want):
            continue
        uses = sum(1 for u in theirs for p in u.parents if p is ref)
        if v is mine[-1]:
            hint = "backward starts by setting the output's grad to 1 (d out / d out)."
        elif uses > 1:
            hint = f"this node is used {uses} times: each use adds its share (+=, never =) to its grad."
        else:
            hint = "call each node's _backward once, output first, in reverse topological order."
        raise Mismatch(f"grad {format_number(want)}", f"grad {format_number(got)} on {node_in_words(v)}", hint)


def check_training_step(step: Callable[..., Any], *, seed: int = 0) -> Verdict:
    """Check `step(model, xs, ys, lr)`, one step of gradient descent on a chainrule MLP: the loss
    is `chainrule.nn.mse_loss` of each sample's first output against ys; the step zeroes the
    grads, computes the loss, runs backward, moves each parameter by -lr * grad, and returns
    the loss (a Value or a number). Two steps are taken, so leftover grads show."""
    model = MLP(2, [3, 1], activation="tanh", seed=seed)
    reference = copy.deepcopy(model)
    xs, ys, lr = [[0.5, -1.0], [1.5, 0.25], [-0.75, 0.8]], [1.0, -1.0, 0.5], 0.1
    cases = [Case(f"step {k}", partial(_step_case, step, model, reference, (xs, ys, lr), k)) for k in (1, 2)]
    return run_cases("the training step", cases, sys.getrecursionlimit())


def _step_case(step: Callable[..., Any], model: MLP, reference: MLP, data: tuple[Any, ...], k: int) -> None:
    xs, ys, lr = data
    before = [p.data for p in reference.parameters()]
    reference.zero_grad()
    want_loss = mse_loss([reference(x)[0] for x in xs], ys)
    want_loss.backward()
    for p in reference.parameters():
        p.data -= lr * p.grad
    got_loss = step(model, xs, ys, lr)
    got_loss = got_loss.data if isinstance(got_loss, Value) else got_loss
    if not (is_real(got_loss) and closeness(float(got_loss), want_loss.data)):
        raise Mismatch(f"the loss {format_number(want_loss.data)}", repr(got_loss), "return the loss you computed.")
    for p, q, b in zip(model.parameters(), reference.parameters(), before):
        if closeness(p.data, q.data):
            continue
        if closeness(p.data, b):
            hint = "update every parameter: p.data -= lr * p.grad."
        elif closeness(p.data - b, b - q.data):
            hint = "gradient descent moves against the gradient: p.data -= lr * p.grad."
        elif k == 2:
            hint = "the grads of step 1 were still there and step 2 added to them: call model.zero_grad() first."
        else:
            hint = "zero the grads, compute the loss, call backward, then p.data -= lr * p.grad."
        raise Mismatch(f"a parameter at {format_number(q.data)}", f"{format_number(p.data)}", hint)
