"""The playground's neuron drawn once per activation, for its page and its widget alike.

Each drawing is `draw_graph`'s (so with `draw_dot`'s notation: the same boxes, symbols
and arrows), laid out once with every box wide enough for the widest number, and carries
ids where the front end (`viz/pages/assets/playground_view.js`) writes the numbers of
each state: `<activation>-v<i>` for node i in `topological_order` and
`<activation>-e<i>_<k>` for the arrow from node i's k-th parent.

    >>> 'data-activation="tanh"' in neuron_drawings(PlaygroundNeuron())   # doctest: +SKIP
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ...engine import Value
from ...notation import node_names
from ..graph import BoxText, draw_graph, render_svg
from ..pages import WIDEST_NUMBER, inline_svg
from .neuron import PLAYGROUND_ACTIVATIONS, PlaygroundNeuron

__all__ = ["neuron_drawings"]


def neuron_drawings(pg: PlaygroundNeuron) -> str:
    """The neuron at `pg`'s settings drawn for each of `PLAYGROUND_ACTIVATIONS`, as HTML: one
    `<div class="neuron" id="neuron-<activation>" data-activation=...>` each, in the menu's order.
    Raises `GraphvizNotFound` when no Graphviz is installed."""
    return "\n".join(
        f'<div class="neuron" id="neuron-{f}" data-activation="{f}">{_drawing(_with(pg, f).graph(), f)}</div>'
        for f in PLAYGROUND_ACTIVATIONS
    )


def _drawing(root: Value, activation: str) -> str:
    """The drawing of the neuron's graph `root` as a page holds it (`inline_svg`), its ids
    prefixed with `activation`, since the four drawings share a page."""
    svg = render_svg(draw_graph(root, _wide_boxes(node_names(root)), svg_ids=True))
    return re.sub(r'\bid="', f'id="{activation}-', inline_svg(svg))


def _with(pg: PlaygroundNeuron, activation: str) -> PlaygroundNeuron:
    return PlaygroundNeuron(x=pg.x, target=pg.target, w=pg.w, b=pg.b, activation=activation)


def _wide_boxes(names: dict[Value, str]) -> Callable[[Value], BoxText]:
    return lambda v: BoxText(names[v], WIDEST_NUMBER, WIDEST_NUMBER, "data and grad at the settings above")
