"""The neuron playground as one web page that needs no Python: `save_playground(path, **settings)`.

The page holds the neuron's drawing for each of the four activations, made once by
`draw_graph` (`drawing.neuron_drawings`, which the widget shows too), and
a script that evaluates the neuron as the engine does, node by node from the graph's
structure: forward values, the local derivative on each arrow, then backward. Sliders
set w, b, x, the target and the learning rate; a menu the activation; "descent step"
and "10 steps" apply w <- w - lr·dL/dw, b <- b - lr·dL/db. Beside the drawing: the three
factors of dL/dw and their product, the loss against w with its tangent (slope dL/dw),
and the loss history, where a move of a slider is marked and the history goes on.
These are drawn by the notebook widget's front end (`viz/pages/assets/playground_view.js`,
which formats and draws a state); the page's own script (`playground.js`, beside it)
computes each state in the browser, where the widget's comes from the kernel.

The page is self-contained (drawings, styles and script inline; it loads nothing), so
it works offline, from a file, in nbviewer's iframe or attached to an e-mail.

    >>> save_playground("playground.html", activation="tanh", w=-1.0)   # doctest: +SKIP
    PosixPath('playground.html')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ...engine import Value, topological_order
from ...notation import node_names
from ..pages import Page, page_asset, script_json
from .drawing import neuron_drawings
from .neuron import PLAYGROUND_ACTIVATIONS, SLIDER_RANGES, SLOPE_FORMULAS, WARNINGS, PlaygroundNeuron

__all__ = ["PlaygroundPage", "save_playground"]

_SETTINGS = ("x", "target", "w", "b", "activation", "lr")


class PlaygroundPage(Page):
    """The playground page for one neuron's starting settings (`PlaygroundNeuron`'s arguments).

    `.html` is the page's text, `.save(path)` writes it; in Jupyter it shows itself in an
    iframe, and keeps working in a notebook saved with its outputs, with no kernel.

        >>> PlaygroundPage(w=1.5, activation="sigmoid")   # doctest: +SKIP
    """

    _title = "chainrule neuron playground"
    _height = 1100

    def __init__(self, **settings: Any) -> None:
        unknown = sorted(set(settings) - set(_SETTINGS))
        if unknown:
            raise TypeError(f"save_playground: unknown setting {unknown[0]!r}; the settings are {', '.join(_SETTINGS)}")
        pg = PlaygroundNeuron(**settings)  # checks each setting, naming it
        self.playground = pg
        data = {
            "settings": {name: getattr(pg, name) for name in _SETTINGS},
            "graphs": {f: _structure(pg, f) for f in PLAYGROUND_ACTIVATIONS},
            "slopes": SLOPE_FORMULAS,
            "maxFactor": {f: PlaygroundNeuron(activation=f).da_dz_max for f in PLAYGROUND_ACTIVATIONS},
            "warnings": WARNINGS,
            "smallFactor": pg.small_factor,
            "smallLoss": pg.small_loss,
            "ranges": SLIDER_RANGES,
        }
        self.html: str = _page(neuron_drawings(pg), data)

    def __repr__(self) -> str:
        return f"PlaygroundPage({self.playground!r})"


def save_playground(path: str | os.PathLike[str], **settings: Any) -> Path:
    """Write the neuron playground to `path` as one self-contained, offline HTML page.

    `settings` are where it starts, as for `NeuronPlayground`: x, target, w, b,
    activation ('sigmoid', 'tanh', 'relu' or 'linear') and lr. The page's script
    evaluates the neuron for all four activations, so it runs in any browser with no
    Python behind it. Returns the path written; raises `GraphvizNotFound` when no
    Graphviz, which draws the neuron, is installed.

        >>> save_playground("playground.html", w=2.0)   # doctest: +SKIP
        PosixPath('playground.html')
    """
    return PlaygroundPage(**settings).save(path)


def _structure(pg: PlaygroundNeuron, activation: str) -> dict[str, Any]:
    """The neuron's graph with this activation as the page's script evaluates it: each node's
    op, parents, label and name, oldest first as the drawing (`neuron_drawings`) numbers them."""
    neuron = PlaygroundNeuron(x=pg.x, target=pg.target, w=pg.w, b=pg.b, activation=activation)
    root = neuron.graph()
    nodes = topological_order(root)
    names = node_names(root)
    index = {v: i for i, v in enumerate(nodes)}
    return {
        "nodes": [
            {"op": v.op, "parents": [index[p] for p in v.parents], "label": v.label, "name": names[v]} for v in nodes
        ],
        "a": index[_activation_node(nodes)],
    }


def _activation_node(nodes: list[Value]) -> Value:
    """The node a: labelled 'a', or z itself for the linear activation."""
    by_label = {v.label: v for v in nodes}
    return by_label.get("a", by_label["z"])


def _page(drawings: str, data: dict[str, Any]) -> str:
    payload = script_json(data)
    page = page_asset("playground.html")
    # Plain replacement, each key once: the CSS and the script hold braces and dollars of their own.
    for key, value in (
        ("$style", page_asset("playground.css")),
        ("$drawings", drawings),
        ("$data", payload),
        # The view's module with the page's own script after it, in one module script.
        ("$script", page_asset("playground_view.js") + page_asset("playground.js")),
    ):
        page = page.replace(key, value, 1)
    return page
