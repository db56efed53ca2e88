"""Taking a model to PyTorch and back: `to_torch` and `from_torch`.

`to_torch(model)` turns an `MLP`, a `Layer` or a `Neuron` (chainrule's or
`chainrule.micrograd`'s) into a `torch.nn.Sequential` of `Linear` layers, each followed
by its activation module (none for a linear layer), in float64 and with the same
weights, so it computes the same function. `from_torch(module)` goes back, for the
shapes chainrule has: `Linear` layers with a bias, each followed by at most one of
`ReLU`, `Tanh`, `Sigmoid`, `LeakyReLU(0.01)` or `Identity`.

    >>> from chainrule.nn import MLP, to_torch, from_torch
    >>> model = MLP(2, [4, 1], seed=0)
    >>> net = to_torch(model)
    >>> net
    Sequential(
      (0): Linear(in_features=2, out_features=4, bias=True)
      (1): ReLU()
      (2): Linear(in_features=4, out_features=1, bias=True)
    )
    >>> back = from_torch(net)
    >>> back.state_dict() == model.state_dict()
    True

PyTorch is imported inside these functions only: chainrule itself needs nothing beyond
the standard library.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .modules import MLP, Layer, Module, Neuron

if TYPE_CHECKING:
    import torch

__all__ = ["TORCH_REQUIREMENT", "from_torch", "to_torch"]

TORCH_REQUIREMENT = "torch==2.13.0"  # the PyTorch chainrule is tested against
# chainrule's activation -> the name of torch.nn's module for it (a linear layer has none).
_TORCH_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU"}
_LEAKY_SLOPE = 0.01  # Neuron's "leaky_relu" is Value.leaky_relu's default slope


def _torch(where: str) -> Any:
    try:
        import torch
    except ImportError as exc:
        raise ImportError(f"{where} needs PyTorch, which is not installed: pip install {TORCH_REQUIREMENT}") from exc
    return torch


def _layers(model: Module, where: str) -> list[Sequence[Neuron]]:
    """The neurons of each layer of `model`, first layer first; TypeError for anything else."""
    if isinstance(model, Neuron):
        return [[model]]
    if isinstance(model, Layer):
        return [model.neurons]
    if isinstance(model, MLP):
        return [layer.neurons for layer in model.layers]
    raise TypeError(
        f"{where}: takes an MLP, a Layer or a Neuron (of chainrule.nn or chainrule.micrograd.nn), "
        f"got {type(model).__name__}"
    )


def _activation(neurons: Sequence[Neuron], index: int, where: str) -> str:
    """The activation every neuron of layer `index` applies; ValueError if they differ."""
    kinds = {n.activation for n in neurons}
    if len(kinds) != 1 or any(type(n).forward is not Neuron.forward for n in neurons):
        raise ValueError(
            f"{where}: layer {index} mixes activations {sorted(kinds)} or has a neuron with its own forward(); "
            f"a th.nn.Linear layer applies one activation to all of its outputs"
        )
    return kinds.pop()


def to_torch(model: Module, dtype: torch.dtype | None = None) -> torch.nn.Sequential:
    """An equivalent `th.nn.Sequential`: a `Linear` per layer (with the same weights and
    biases), each followed by its activation (`ReLU`, `Tanh`, `Sigmoid`, `LeakyReLU(0.01)`;
    nothing for "linear"). Its parameters are float64 unless `dtype` says otherwise.

    It maps a batch of shape (n, nin) to (n, nout), where the chainrule model maps one
    sample to a list (or, for a `chainrule.micrograd` model, a Value when nout is 1).
    Raises TypeError for a model that is not an MLP, Layer or Neuron, and ImportError
    naming what to install when PyTorch is missing.
    """
    th = _torch("to_torch")
    dtype = th.float64 if dtype is None else dtype
    parts: list[Any] = []
    for i, neurons in enumerate(_layers(model, "to_torch")):
        activation = _activation(neurons, i, "to_torch")
        linear = th.nn.Linear(len(neurons[0].w), len(neurons), dtype=dtype)
        with th.no_grad():
            linear.weight.copy_(th.tensor([[w.data for w in n.w] for n in neurons], dtype=th.float64))
            linear.bias.copy_(th.tensor([n.b.data for n in neurons], dtype=th.float64))
        parts.append(linear)
        if activation == "leaky_relu":
            parts.append(th.nn.LeakyReLU(_LEAKY_SLOPE))
        elif activation != "linear":
            parts.append(getattr(th.nn, _TORCH_NAMES[activation])())
    net: torch.nn.Sequential = th.nn.Sequential(*parts)
    return net


def _read_torch(th: Any, module: Any) -> list[tuple[Any, str]]:
    """(Linear, activation name) for each layer of `module`; ValueError or TypeError for what
    chainrule cannot represent, naming the part and its position."""
    if isinstance(module, th.nn.Linear):
        parts = [module]
    elif isinstance(module, th.nn.Sequential):
        parts = list(module)
    else:
        raise TypeError(f"from_torch: takes a torch.nn.Sequential or a torch.nn.Linear, got {type(module).__name__}")
    allowed = "Linear layers with a bias, each followed by at most one of ReLU, Tanh, Sigmoid, LeakyReLU(0.01)"
    layers: list[tuple[Any, str]] = []
    for i, part in enumerate(parts):
        if isinstance(part, th.nn.Identity):
            continue
        if isinstance(part, th.nn.Linear):
            if part.bias is None:
                raise ValueError(f"from_torch: the Linear at position {i} has no bias; every chainrule neuron has one")
            if layers and layers[-1][0].out_features != part.in_features:
                raise ValueError(
                    f"from_torch: the Linear at position {i} takes {part.in_features} inputs, "
                    f"but the layer before it gives {layers[-1][0].out_features}"
                )
            layers.append((part, "linear"))
            continue
        kind = _chainrule_name(th, part)
        if kind is None:
            raise ValueError(f"from_torch: cannot represent {part!r} at position {i}; chainrule takes {allowed}")
        if not layers or layers[-1][1] != "linear":
            raise ValueError(f"from_torch: {part!r} at position {i} follows no Linear; chainrule takes {allowed}")
        layers[-1] = (layers[-1][0], kind)
    if not layers:
        raise ValueError(f"from_torch: the module has no Linear layer; chainrule takes {allowed}")
    return layers


def _chainrule_name(th: Any, part: Any) -> str | None:
    """The chainrule activation a th.nn module computes, or None if it is none of them."""
    for name, torch_name in _TORCH_NAMES.items():
        if type(part) is getattr(th.nn, torch_name):
            return None if name == "leaky_relu" and part.negative_slope != _LEAKY_SLOPE else name
    return None


def from_torch(module: torch.nn.Module, into: Module | None = None) -> Module:
    """A chainrule `MLP` computing what `module` computes: one Layer per `Linear`, with its
    weights and bias (as floats) and the activation that follows it ("linear" for none).

    With `into`, a model of the same shape (an MLP, Layer or Neuron, chainrule's or
    `chainrule.micrograd`'s), the weights are copied into it instead, and it is returned:
    the way back for a `chainrule.micrograd` model. Anything chainrule cannot represent
    (a Linear without bias, another kind of layer, a LeakyReLU of another slope) raises
    ValueError naming it, and `into` is then unchanged.
    """
    th = _torch("from_torch")
    layers = _read_torch(th, module)
    rows = [(linear.weight.detach().to(th.float64).tolist(), linear.bias.detach().to(th.float64).tolist())
            for linear, _ in layers]  # fmt: skip
    if into is None:
        sizes = [layers[0][0].in_features] + [linear.out_features for linear, _ in layers]
        into = MLP(sizes[0], sizes[1:], seed=0)  # seeded: the global random is not the caller's to advance
        rng = random.Random(0)
        into.layers = [Layer(sizes[i], sizes[i + 1], kind, rng) for i, (_, kind) in enumerate(layers)]
    targets = _layers(into, "from_torch")
    kinds = [_activation(neurons, i, "from_torch") for i, neurons in enumerate(targets)]
    shapes = [(len(neurons[0].w), len(neurons)) for neurons in targets]
    wanted = [(linear.in_features, linear.out_features) for linear, _ in layers]
    if shapes != wanted or kinds != [kind for _, kind in layers]:
        raise ValueError(
            f"from_torch: into has layers (inputs, outputs) {shapes} with activations {kinds}, "
            f"but the torch module has {wanted} with {[kind for _, kind in layers]}"
        )
    for neurons, (weights, biases) in zip(targets, rows):
        for n, row, bias in zip(neurons, weights, biases):
            for w, x in zip(n.w, row):
                w.data = x
            n.b.data = bias
    return into
