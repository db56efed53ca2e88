"""An MLP drawn neuron by neuron (`draw_network`) and trained step by step on a page
(`NetworkStepper`, `save_network_stepper`). Data goes one way: the model and its training
steps, read from the engine (`recording`) -> the frames and the page (`page`), drawn by
the view (`view`)."""

from .page import NetworkStepper, save_network_stepper
from .view import draw_network

__all__ = ["NetworkStepper", "draw_network", "save_network_stepper"]
