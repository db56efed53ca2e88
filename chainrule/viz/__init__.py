"""Seeing backpropagation: its steps one by one, and a neuron to play with."""

from .steps import backward_steps

__all__ = ["backward_steps"]
