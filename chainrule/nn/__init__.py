"""Neural networks on top of the engine, laid out as `torch.nn` is:

- `chainrule.nn.modules`: `Module`, `Neuron`, `Layer`, `MLP`;
- `chainrule.nn.losses`: `mse_loss`, `hinge_loss`, `bce_with_logits`, `cross_entropy`,
  and `LOSSES`, what `fit` knows of each (a `LossSpec`), with `predicted_class` and
  `resolve_loss` (a loss given by name or as a function);
- `chainrule.nn.training`: `fit`, `History`, `clip_grad_norm`, `grad_norms`, `collector_paused`;
- `chainrule.nn.pytorch`: `to_torch`, `from_torch` (PyTorch imported when they are called).
- `chainrule.nn.terms`: `layer_terms` and `LayerTerms`, the layer equations read off a graph.

Everything is offered here, as `chainrule.nn.X`.

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> len(model.parameters())
    337
    >>> out = model([0.5, -1.0])   # always a list, even for one output
    >>> len(out)
    1
"""

from .losses import (
    LOSSES,
    LossSpec,
    bce_with_logits,
    cross_entropy,
    hinge_loss,
    mse_loss,
    predicted_class,
    resolve_loss,
)
from .modules import ACTIVATIONS, MLP, Layer, Module, Neuron
from .pytorch import from_torch, to_torch
from .terms import LayerTerms, layer_terms
from .training import History, clip_grad_norm, collector_paused, fit, grad_norms

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "MLP",
    "History",
    "Layer",
    "LayerTerms",
    "LossSpec",
    "Module",
    "Neuron",
    "bce_with_logits",
    "clip_grad_norm",
    "collector_paused",
    "cross_entropy",
    "fit",
    "from_torch",
    "grad_norms",
    "hinge_loss",
    "layer_terms",
    "mse_loss",
    "predicted_class",
    "resolve_loss",
    "to_torch",
]
