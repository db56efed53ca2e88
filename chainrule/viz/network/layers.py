"""Which Layers of a model the network view draws and the network stepper trains: its
Layers with their dotted names, input side first, checked to read one another's outputs.
Both read the model through this one function, the lowest module of `viz.network`."""

from __future__ import annotations

from itertools import pairwise

from ...nn import Layer, Module

__all__ = ["model_layers"]


def model_layers(model: Module, where: str) -> list[tuple[str, Layer]]:
    """The model's Layers with their dotted names, input side first; ValueError unless each
    reads the one before it."""
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, Layer)]
    if not layers:
        raise ValueError(f"{where}: {type(model).__name__} has no Layer to draw")
    for (_, before), (name, layer) in pairwise(layers):
        if layer.nin != before.nout:
            raise ValueError(
                f"{where}: {name} reads {layer.nin} inputs but the layer before it has {before.nout} neurons"
            )
    return layers
