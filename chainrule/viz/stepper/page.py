"""The stepper: forward and backward, one node at a time, on a self-contained web page.

`Stepper(root)` shows the page inline in Jupyter; `save_stepper(root, path)` (or
`Stepper(root).save(path)`) writes it to an HTML file that works offline: its
drawing, script and styles are all inside it and it loads nothing. The page's HTML,
CSS and script are files shipped in the package (`chainrule/viz/pages/assets/stepper.*`);
this module fills in the drawing and the frames (made by `chainrule.viz.stepper.frames`).

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
from dataclasses import asdict
from pathlib import Path
from string import Template
from typing import Any

from ...engine import Value, topological_order
from ...engine.checks import positive_int_or_none
from ...notation import node_names
from ..graph import BoxText, check_rankdir, draw_graph, highlight_targets, render_svg
from ..pages import Page, inline_svg, page_asset, script_json, svg_height_px, widest
from .frames import Frame, frames_of

__all__ = ["MAX_NODES", "Stepper", "save_stepper"]

# Past this many nodes the page is refused: at two frames per operation no learner follows it,
# and the page passes 400 KB.
MAX_NODES = 150

_PENDING = "?"  # a value the forward pass has not reached yet (stepper.js writes it too)


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
    Raises `GraphvizNotFound` when the Graphviz `dot` program is missing.
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
        frames = frames_of(root, nodes, names)
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


# -- the page ------------------------------------------------------------------------


def _widest_texts(nodes: list[Value], names: dict[Value, str], frames: list[Frame]) -> Callable[[Value], BoxText]:
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


def _page(title: str, svg: str, frames: list[Frame]) -> str:
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
