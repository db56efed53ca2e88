"""Seeing backpropagation: graphs drawn with Graphviz, backward's steps one by one, a page
that steps through forward and backward, a network trained step by step, and a neuron to
play with. One subpackage per feature; in each the data goes one way, from the engine's
numbers to frames to a page or a drawing:

- `graph`: `draw_dot`, `save_svg`, `render_svg`, `GraphvizNotFound`, and `draw_graph`, the
  drawing with each box's texts chosen by the caller (the pages'); its style, marks,
  options, the boxes of Modules, and the Digraph Jupyter shows; `graphviz_backend`: which
  Graphviz renders drawings (pygraphviz's, in-process, else the `dot` program).
- `pages`: `Page` (`.html`, `.save(path)`, shown inline in Jupyter) and the pages' files
  (`assets/`: HTML, CSS and scripts, with the steppers' shared player).
- `stepper`: `Stepper` and `save_stepper`, forward and backward node by node.
- `network`: `draw_network`, an MLP drawn neuron by neuron, and `NetworkStepper` and
  `save_network_stepper`, a page that trains it step by step.
- `playground`: `NeuronPlayground`, one neuron's maths with its anywidget (`PlaygroundWidget`,
  fed the engine's numbers), and `PlaygroundPage`/`save_playground`, the same neuron as a
  page that needs no Python, drawn by the same front end (`pages/assets/playground_view.js`).
- `backward_steps` is the engine's (`chainrule.engine`), re-exported from here, where it first
  lived and where the README shows it.
- `live`: `LiveNetwork`, an MLP trained live in a notebook (an anywidget: its script and
  styles are `live/assets/`), imported when first used, since it needs anywidget.

Drawing needs the `viz` extra (`pip install 'chainrule[viz]'`, which brings Graphviz
inside pygraphviz's wheel where one exists, else the Graphviz `dot` program) only when
a drawing is made, so importing this package needs neither.
"""

from typing import Any

from ..engine import backward_steps
from .graph import GraphvizNotFound, draw_dot, graphviz_backend, save_svg
from .network import NetworkStepper, draw_network, save_network_stepper
from .playground import NeuronPlayground, PlaygroundPage, save_playground
from .stepper import Stepper, save_stepper

__all__ = [
    "GraphvizNotFound",
    "LiveNetwork",
    "NetworkStepper",
    "NeuronPlayground",
    "PlaygroundPage",
    "Stepper",
    "backward_steps",
    "draw_dot",
    "draw_network",
    "graphviz_backend",
    "save_network_stepper",
    "save_playground",
    "save_stepper",
    "save_svg",
]


def __getattr__(name: str) -> Any:
    # LiveNetwork needs anywidget (the notebooks extra): importing chainrule.viz must not.
    if name == "LiveNetwork":
        from .live.widget import LiveNetwork

        return LiveNetwork
    raise AttributeError(f"module 'chainrule.viz' has no attribute {name!r}")
