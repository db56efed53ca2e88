"""Seeing backpropagation: graphs drawn with Graphviz, backward's steps one by one, a page
that steps through forward and backward, and a neuron to play with.

- `graph`: `draw_dot`, `save_svg`, `render_svg`, and `draw_graph`, the drawing they make
  with each box's texts chosen by the caller; `style`: how its parts look; `modules`: which
  Modules made which nodes, for the boxes of `group=True`.
- `stepper`: `Stepper` and `save_stepper`, a page built on `draw_graph`; its HTML, CSS and
  script are the files in `assets/`.
- `network`: `draw_network`, an MLP drawn neuron by neuron (one arrow per weight);
  `network_stepper`: `NetworkStepper` and `save_network_stepper`, a page that trains it
  step by step, its files `assets/network.*`; `network_run`: the numbers that page shows,
  recorded from real training steps.
- `playground`: `NeuronPlayground`, the maths of one neuron; `playground_widget`: its
  HTML and ipywidgets box; `playground_page`: `save_playground`, the same neuron as a page
  that needs no Python.
- `live`: `LiveNetwork`, an MLP trained live in a notebook (an anywidget: its script and
  styles are `live/assets/`), imported when first used, since it needs anywidget.
- `jupyter`: the Digraph class drawings are made of, whose Jupyter display raises
  `GraphvizNotFound` with install advice when `dot` is missing.
- `backward_steps` is the engine's (`chainrule.engine`), re-exported from here, where it first lived.

Drawing needs the `viz` extra (`pip install 'chainrule[viz]'`) and the Graphviz `dot`
program only when a drawing is made, so importing this package needs neither.
"""

from typing import Any

from ..engine import backward_steps
from .graph import GraphvizNotFound, draw_dot, save_svg
from .network import draw_network
from .network_stepper import NetworkStepper, save_network_stepper
from .playground import NeuronPlayground
from .playground_page import PlaygroundPage, save_playground
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
