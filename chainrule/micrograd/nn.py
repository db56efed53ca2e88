"""micrograd's `micrograd.nn`: `Module`, `Neuron`, `Layer` and `MLP` with micrograd 0.1.0's
semantics, built as chainrule Modules: drawings group them, and `to_torch`, `state_dict`, `save`,
`chainrule.nn.fit` (which takes a one-output model's Value as a list of one) and the rest of
a Module's methods work on them.

What micrograd does, these do: a Neuron's weights are drawn as `random.uniform(-1, 1)`
from Python's global `random`, neuron by neuron and layer by layer, and its bias starts
at 0; hidden layers apply ReLU and the last layer is linear; a Layer of one neuron
returns its Value, a wider one a list; `parameters()` lists each neuron's weights and
then its bias; the reprs read `MLP of [Layer of [ReLUNeuron(2), ...], ...]`.

    >>> import random
    >>> random.seed(1337)
    >>> model = MLP(2, [16, 16, 1])
    >>> model.layers[2]
    Layer of [LinearNeuron(16)]
    >>> score = model([0.5, -1.0])   # a Value, not a list of one

Underneath, a neuron's weighted sum is one chainrule `linear` node rather than micrograd's
chain of `*` and `+` nodes: the same sum in the same order, so the same numbers, at
chainrule's speed. Inputs of the wrong length raise an error, where micrograd's `zip`
would quietly drop the extras.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from .. import nn
from ..engine import Number, Value
from ..engine.checks import is_sequence, positive_int

__all__ = ["MLP", "Layer", "Module", "Neuron"]


class Module(nn.Module):
    """micrograd's base class: `zero_grad()` and `parameters()`, as chainrule's Module has them.

    A chainrule Module finds its parameters in its attributes, so a subclass written for
    micrograd works whether or not it defines `parameters()` itself; one that defines
    `__call__` (as micrograd's code does) rather than `forward` works too.
    """


class Neuron(Module, nn.Neuron):
    """One unit, micrograd's way: `relu(w . x + b)`, or `w . x + b` with `nonlin=False`.

    Its `nin` weights are drawn as `random.uniform(-1, 1)` from Python's global `random`
    (call `random.seed` first for reproducible ones); the bias starts at 0.

        >>> Neuron(3), Neuron(3, nonlin=False)
        (ReLUNeuron(3), LinearNeuron(3))
    """

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        # chainrule's Neuron.__init__ is not run: it draws scaled Gaussian weights instead.
        positive_int(nin, "Neuron", "nin")
        self.w = [Value(random.uniform(-1, 1), f"w{i}") for i in range(nin)]
        self.b = Value(0.0, "b")
        self.nonlin = nonlin
        self.activation = "relu" if nonlin else "linear"  # what chainrule's forward applies

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module, nn.Layer):
    """`nout` micrograd Neurons on the same inputs; `kwargs` (`nonlin`) go to each Neuron.

    Calling it returns a list of `nout` Values, or the Value itself when `nout` is 1.
    """

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        positive_int(nout, "Layer", "nout")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]
        self.nin, self.nout = nin, nout
        self.activation = self.neurons[0].activation

    def __call__(self, x: Sequence[Value | Number]) -> Any:
        out: list[Value] = super().__call__(x)
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module, nn.MLP):
    """micrograd's multi-layer perceptron: `MLP(2, [16, 16, 1])`, ReLU hidden layers and a
    linear last layer, weights drawn from the global `random` as micrograd draws them.

    Calling it on one sample returns what its last Layer returns: a Value for one output.
    """

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        if not is_sequence(nouts) or not nouts:
            raise TypeError(f"MLP: nouts must be a list of layer sizes such as [16, 16, 1], got {nouts!r}")
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

    def forward(self, x: Sequence[Value | Number]) -> Any:
        """The network's output for one sample `x`: each layer's output is the next one's input."""
        out: Any = x
        for layer in self.layers:
            out = layer(out)
        return out

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
