"""The stepper: forward and backward, one node at a time, on a self-contained web page
(`Stepper`, `save_stepper`). Data goes one way: the engine's nodes and `backward_steps`
-> the frames -> the page, on a drawing made once by `draw_graph`."""

from .page import MAX_NODES, Stepper, save_stepper

__all__ = ["MAX_NODES", "Stepper", "save_stepper"]
