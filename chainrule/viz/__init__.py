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
- `render`: `render_svg` and `graphviz_backend`: which Graphviz renders drawings
  (pygraphviz's, in-process, else the `dot` program), and `GraphvizNotFound` with
  install advice when neither is installed.
- `jupyter`: the Digraph class drawings are made of, whose Jupyter display renders
  through `render_svg`.
- `backward_steps` is the engine's (`chainrule.engine`), re-exported from here, where it first lived.

Drawing needs the `viz` extra (`pip install 'chainrule[viz]'`, which brings Graphviz
inside pygraphviz's wheel where one exists, else the Graphviz `dot` program) only when
a drawing is made, so importing this package needs neither.
"""

from ..engine import backward_steps
from .graph import GraphvizNotFound, draw_dot, save_svg
from .network import draw_network
from .network_stepper import NetworkStepper, save_network_stepper
from .playground import NeuronPlayground
from .playground_page import PlaygroundPage, save_playground
from .render import graphviz_backend
from .stepper import Stepper, save_stepper

__all__ = [
    "GraphvizNotFound",
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
