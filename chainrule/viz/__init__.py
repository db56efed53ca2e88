"""Seeing backpropagation: graphs drawn with Graphviz, backward's steps one by one, a page
that steps through forward and backward, and a neuron to play with.

Drawing needs the `viz` extra (`pip install 'chainrule[viz]'`) and the Graphviz `dot`
program only when a drawing is made, so importing this package needs neither.
"""

from ..engine import backward_steps
from .graph import GraphvizNotFound, draw_dot, save_svg
from .playground import NeuronPlayground
from .stepper import Stepper, save_stepper

__all__ = [
    "GraphvizNotFound",
    "NeuronPlayground",
    "Stepper",
    "backward_steps",
    "draw_dot",
    "save_stepper",
    "save_svg",
]
