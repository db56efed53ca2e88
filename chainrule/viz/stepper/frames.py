"""The stepper's frames, read from the engine: the start, one frame per operation of the
forward pass (the node's value and the local derivatives on the arrows into it), one per
step of `backward_steps(root)` (grad(node) times each local derivative, added to a parent's
grad), and the sum-up, each leaf's gradient as the sum of what every path sent it.

Every number comes from the nodes (data, `local_grads`) and from `backward_steps`, as for a
fresh `backward()`: the graph's own `.grad` fields are neither read nor changed. The page
(`chainrule.viz.stepper.page`) only shows the frames.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ...engine import BackwardStep, Value, backward_steps
from ...notation import derivative, factor, format_number, forward_equation
from ..graph import backward_has_run

__all__ = ["Frame", "frames_of"]

_LEAVES_LISTED = 8  # leaves named on the first frame; the rest are counted


@dataclass(frozen=True)
class Frame:
    """One frame of the page: what it says, which node's step it is, and what changes.

    `data` and `grad` map a node's index in the drawing (v<i>, oldest first) to the
    text its box shows from this frame on; the page replays them from the start.
    """

    phase: str  # "start", "forward" or "backward"
    caption: str
    lines: tuple[str, ...]  # the step's equations, in numbers
    node: int | None
    data: dict[int, str]
    grad: dict[int, str]


# -- the frames ----------------------------------------------------------------------


def frames_of(root: Value, nodes: list[Value], names: dict[Value, str]) -> list[Frame]:
    """The start, a frame per operation forward, then a frame per backward step."""
    index = {v: i for i, v in enumerate(nodes)}
    leaves = [v for v in nodes if v.is_leaf]
    frames = [_start(root, leaves, names, {index[v]: format_number(v.data) for v in leaves})]
    frames += [_forward(v, v is root, names, index) for v in nodes if not v.is_leaf]
    steps = list(backward_steps(root))
    frames += [_backward(step, step is steps[-1], root, names, index) for step in steps]
    if steps:
        frames.append(_summary(root, leaves, steps, names))
    return frames


def _summary(root: Value, leaves: list[Value], steps: list[BackwardStep], names: dict[Value, str]) -> Frame:
    """The last frame: each leaf's gradient as the sum of what every path sent it."""
    sent: dict[Value, list[float]] = {v: [] for v in leaves if not v.is_constant}
    total: dict[Value, float] = dict.fromkeys(sent, 0.0)
    for step in steps:
        for c in step.contributions:
            if c.parent in sent:
                sent[c.parent].append(c.amount)
                total[c.parent] = c.grad_after  # the running total backward keeps
    lines = []
    for v, parts in sent.items():
        terms = " + ".join(factor(a) for a in parts) + " = " if len(parts) > 1 else ""
        lines.append(f"grad({names[v]}) = {terms}{format_number(total[v])}")
    caption = (
        f"Backward is done. Each leaf's gradient, {derivative(names[root], 'leaf')}, is the sum of what every "
        "path from the output sent it."
    )
    return Frame("done", caption, tuple(lines), None, {}, {})


def _forward(v: Value, last: bool, names: dict[Value, str], index: dict[Value, int]) -> Frame:
    """The frame that computes v: its value and the local derivatives that come with it."""
    name, one = names[v], len(v.parents) == 1
    locals_ = _and([f"{derivative(names[v], names[p])} = {format_number(g)}" for p, g in zip(v.parents, v.local_grads)])
    caption = (
        f"Forward pass: compute {name} from {_and(_unique(names[p] for p in v.parents))}, "
        f"and the local {'derivative' if one else 'derivatives'} {locals_} "
        f"on the {'arrow' if one else 'arrows'} into it (backward will use {'it' if one else 'them'})."
    )
    if last:
        caption += f" {name} is the output: the forward pass is done."
    return Frame("forward", caption, (forward_equation(v, names),), index[v], {index[v]: format_number(v.data)}, {})


def _backward(step: BackwardStep, last: bool, root: Value, names: dict[Value, str], index: dict[Value, int]) -> Frame:
    """The frame of one backward step: grad(node) times each local derivative, added to a parent's grad."""
    node, upstream = names[step.node], format_number(step.grad)
    lines, grad = [], {}
    if step.node is root:
        lines.append(f"grad({node}) = {upstream}   ({derivative(node, node)}: backward starts here)")
        grad[index[root]] = upstream
        caption = f"Backward pass, from the output: grad({node}) = {upstream}."
    else:
        caption = f"Backward pass: grad({node}) = {upstream} is complete (every node using {node} has sent its share)."
    caption += f" It goes back to {_and(_unique(names[c.parent] for c in step.contributions))}"
    caption += ", times the local derivative on each arrow."
    for c in step.contributions:
        parent = names[c.parent]
        line = (
            f"grad({parent}) += grad({node}) · {derivative(names[step.node], names[c.parent])} = "
            f"{factor(step.grad)} · {factor(c.local_grad)} = {format_number(c.amount)}"
        )
        if c.accumulates:
            line += f", so grad({parent}) = {format_number(c.grad_before)} + {factor(c.amount)}"
            line += f" = {format_number(c.grad_after)}"
        lines.append(line)
        grad[index[c.parent]] = format_number(c.grad_after)
    adding = _unique(names[c.parent] for c in step.contributions if c.accumulates)
    if adding:
        have = "has" if len(adding) == 1 else "have"
        caption += f" {_and(adding)} {have} a gradient from another path already: the contributions add up (+=)."
    if last:
        caption += f" That was the last step: every grad is now {derivative(names[root], '(that value)')}."
    return Frame("backward", caption, tuple(lines), index[step.node], {}, grad)


def _start(root: Value, leaves: list[Value], names: dict[Value, str], data: dict[int, str]) -> Frame:
    given = [v for v in leaves if not v.is_constant]
    shown = [f"{names[v]} = {format_number(v.data)}" for v in given[:_LEAVES_LISTED]]
    if len(given) > _LEAVES_LISTED:
        shown.append(f"and {len(given) - _LEAVES_LISTED} more")
    if root.is_leaf:
        caption = f"{names[root]} is a leaf: there is nothing to compute, and its grad is 1."
    else:
        caption = (
            "Before the forward pass only the leaves have values. "
            "Next computes each node from its inputs, in the order the graph was built; then backward "
            "sends the gradient of the output back through the graph."
        )
        if not backward_has_run(root):  # the page shows backward_steps, not .grad: a note only
            caption += (
                " (Every grad in this graph is still 0: backward() has not run on it; this page shows what it does.)"
            )
    return Frame("start", caption, (", ".join(shown),) if shown else (), None, data, {})


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
