"""The stepper: forward and backward, one node at a time, on a self-contained web page.

`Stepper(root)` shows the page inline in Jupyter; `save_stepper(root, path)` (or
`Stepper(root).save(path)`) writes it to an HTML file that works offline: its
drawing, script and styles are all inside it and it loads nothing. The page's HTML,
CSS and script are files shipped in the package (`chainrule/viz/pages/assets/stepper.*`);
this module fills in the drawing and the frames.

The page holds one drawing of the graph (`draw_dot`'s, laid out once, so nothing
moves from frame to frame) and steps through it with Prev / Play / Next or the
arrow keys:

1. the start: only the leaves (inputs, parameters, constants) have values;
2. the forward pass, one frame per operation in the order the graph was built:
   the node's value appears in blue, and so do the local derivatives on the
   arrows into it (the engine computes them with the value);
3. the backward pass, one frame per step of `backward_steps(root)`, in the order
   `backward` takes them: the node's gradient goes back along its arrows in red,
   and each parent's grad grows by it times the local derivative,
   `grad(z) += grad(a) · da/dz = 4 · 1 = 4`;
4. the sum-up: each leaf's gradient as the sum of what every path sent it,
   `grad(x) = 1 + 3 + 3 = 7`.

Play runs at the speed chosen beside it, and the page scrolls to keep the current node in
view. The drawing takes `draw_dot`'s options (`Stepper(root, rankdir="TB", group=True)`).

Every number comes from the nodes (data, `local_grads`) and from `backward_steps`,
as for a fresh `backward()`: the graph's own `.grad` fields are neither read nor
changed. Unlabelled nodes are called by the names `explain` gives them (`mul₁`).
A graph of more than `MAX_NODES` nodes is refused unless `max_nodes` says otherwise: its
hundreds of frames would be too many to follow; draw it with `draw_dot` instead.

    >>> x, w, b, y = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b"), Value(5.0, "y")
    >>> z = w * x + b; z.label = "z"
    >>> a = z.relu(); a.label = "a"
    >>> L = (a - y) ** 2; L.label = "L"
    >>> save_stepper(L, "neuron.html")   # doctest: +SKIP
    PosixPath('neuron.html')
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from string import Template
from typing import Any

from ...engine import BackwardStep, Value, backward_steps, topological_order
from ...engine.checks import positive_int_or_none
from ...notation import derivative, factor, format_number, forward_equation, node_names
from ..graph import BoxText, backward_has_run, check_rankdir, draw_graph, highlight_targets, render_svg
from ..pages import Page, inline_svg, page_asset, script_json, svg_height_px, widest

__all__ = ["MAX_NODES", "Stepper", "save_stepper"]

# Past this many nodes the page is refused: at two frames per operation no learner follows it,
# and the page passes 400 KB.
MAX_NODES = 150

_PENDING = "?"  # a value the forward pass has not reached yet (stepper.js writes it too)
_LEAVES_LISTED = 8  # leaves named on the first frame; the rest are counted


@dataclass(frozen=True)
class _Frame:
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


class Stepper(Page):
    """A page that steps through the forward and backward passes of the graph ending at `root`.

    In Jupyter it shows itself inline; `.save(path)` writes it as one HTML file;
    `.html` is the page's text and `.root` the Value it steps to. The page is built
    when the Stepper is made, so it shows the graph as it was then.

        >>> L = ((Value(3.0, "w") * Value(2.0, "x") + Value(1.0, "b")).relu() - 5) ** 2
        >>> Stepper(L, rankdir="TB", highlight=w)   # doctest: +SKIP

    The drawing takes `draw_dot`'s options (`rankdir`, `highlight`, `group`, `show_local`,
    `color_grads`, which colours the boxes by the grads backward ends with). `max_nodes`
    (`MAX_NODES` unless given; None for any size) refuses larger graphs with ValueError.
    Raises `GraphvizNotFound` when no Graphviz is installed (`chainrule.viz.graph.render`).
    """

    _title = "chainrule stepper"

    def __init__(
        self,
        root: Value,
        *,
        rankdir: str = "LR",
        highlight: Value | Iterable[Value] | None = None,
        group: bool = False,
        show_local: bool = True,
        color_grads: bool = False,
        max_nodes: int | None = MAX_NODES,
    ) -> None:
        if not isinstance(root, Value):
            raise TypeError(f"Stepper: root must be a Value, got {type(root).__name__}")
        check_rankdir(rankdir, "Stepper")
        limit = positive_int_or_none(max_nodes, "Stepper", "max_nodes")
        nodes = topological_order(root)  # oldest first, the order of the forward pass
        names = node_names(root)
        if limit is not None and len(nodes) > limit:
            raise ValueError(
                f"Stepper: the graph of {names[root]!r} has {len(nodes)} nodes, more than the "
                f"{limit} a stepper shows one step at a time (max_nodes); draw it whole with "
                "chainrule.draw_dot(root), or step through a smaller graph, or pass max_nodes=None"
            )
        self.root = root
        frames = _frames(root, nodes, names)
        drawing = draw_graph(
            root,
            _widest_texts(nodes, names, frames),
            svg_ids=True,
            rankdir=rankdir,
            highlight=highlight_targets(highlight, root),
            group=group,
            show_local=show_local,
            color_grads=color_grads,
        )
        svg = render_svg(drawing)
        # Room for the drawing, the controls, two lines of caption and the equation (7 lines at most).
        self._height = round(svg_height_px(svg)) + 260 + 30 * min(7, max(len(f.lines) for f in frames))
        self.html: str = _page(names[root], inline_svg(svg), frames)

    def __repr__(self) -> str:
        return f"Stepper({self.root!r})"


def save_stepper(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Write a page stepping through the forward and backward passes of `root` to `path`.

    One self-contained HTML file (no network needed); see `Stepper`, whose options (those of
    `draw_dot`) it passes on. Returns the path written.

        >>> save_stepper(L, "neuron.html", rankdir="TB")   # doctest: +SKIP
        PosixPath('neuron.html')
    """
    return Stepper(root, **options).save(path)


# -- the frames ----------------------------------------------------------------------


def _frames(root: Value, nodes: list[Value], names: dict[Value, str]) -> list[_Frame]:
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


def _summary(root: Value, leaves: list[Value], steps: list[BackwardStep], names: dict[Value, str]) -> _Frame:
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
    return _Frame("done", caption, tuple(lines), None, {}, {})


def _forward(v: Value, last: bool, names: dict[Value, str], index: dict[Value, int]) -> _Frame:
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
    return _Frame("forward", caption, (forward_equation(v, names),), index[v], {index[v]: format_number(v.data)}, {})


def _backward(step: BackwardStep, last: bool, root: Value, names: dict[Value, str], index: dict[Value, int]) -> _Frame:
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
    return _Frame("backward", caption, tuple(lines), index[step.node], {}, grad)


def _start(root: Value, leaves: list[Value], names: dict[Value, str], data: dict[int, str]) -> _Frame:
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
    return _Frame("start", caption, (", ".join(shown),) if shown else (), None, data, {})


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- the page ------------------------------------------------------------------------


def _widest_texts(nodes: list[Value], names: dict[Value, str], frames: list[_Frame]) -> Callable[[Value], BoxText]:
    """What each box shows when Graphviz lays the drawing out: its name, and the widest text
    each cell will ever show, so every later text fits in the box without moving anything.
    The tooltips add no numbers: those change from frame to frame."""
    data: dict[int, list[str]] = {i: [_PENDING] for i in range(len(nodes))}
    grad: dict[int, list[str]] = {i: [""] for i in range(len(nodes))}
    for f in frames:
        for i, text in f.data.items():
            data[i].append(text)
        for i, text in f.grad.items():
            grad[i].append(text)
    boxes = {v: BoxText(names[v], widest(data[i]), widest(grad[i])) for i, v in enumerate(nodes)}
    return boxes.__getitem__


def _page(title: str, svg: str, frames: list[_Frame]) -> str:
    data = script_json([asdict(f) for f in frames])
    # A Template fills in $names only, so the braces of the CSS and the script cannot break it.
    return Template(page_asset("stepper.html")).substitute(
        title=html.escape(title),
        count=len(frames),
        caption=html.escape(frames[0].caption),
        svg=svg,
        frames=data,
        style=page_asset("player.css") + page_asset("stepper.css"),
        script=page_asset("player.js") + page_asset("stepper.js"),
    )
