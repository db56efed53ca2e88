"""Seeing backpropagation: its steps one by one, and a neuron to play with."""

from .playground import NeuronPlayground
from .steps import backward_steps

__all__ = ["NeuronPlayground", "backward_steps"]
