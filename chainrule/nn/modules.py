"""The modules: `Module`, the base of everything with parameters, and `Neuron`, `Layer`
and `MLP` built on it.

A Module finds its parameters and sub-modules in its attributes (a Value, a
Module, or a list of either), in the order they were assigned, and names them
with dotted paths as PyTorch does: `layers.0.neurons.3.w.1`.

    >>> model = MLP(2, [16, 16, 1], seed=0)
    >>> len(model.parameters())
    337
    >>> out = model([0.5, -1.0])   # always a list, even for one output
    >>> len(out)
    1
"""

from __future__ import annotations

import json
import math
import os
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import repeat
from typing import Any, cast

from ..engine import Number, Value, enter_scope, linear, restore_scope, switch_scope
from ..engine.checks import is_sequence, one_of, positive_int, real
from ..files import write_atomically

__all__ = ["ACTIVATIONS", "MLP", "Layer", "Module", "Neuron"]

# Each activation a Neuron can apply to its weighted sum z, as a function of z.
_ACTIVATE: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,
    "linear": lambda z: z,
}
ACTIVATIONS = tuple(_ACTIVATE)


def _check_sample(x: object, where: str) -> None:
    # The forwards call this only when `x` is not a list, so the usual call pays one type test.
    if not is_sequence(x):
        raise TypeError(
            f"{where}: a sample must be a sequence (a list or a tuple) of numbers or Values, "
            f"got {type(x).__name__} {_short(x)}"
        )


def _short(x: object) -> str:
    text = repr(x)
    return text if len(text) <= 40 else text[:37] + "..."


class Module:
    """Base class of everything with parameters.

    Subclasses assign Values, Modules, or lists of them as attributes and define
    `forward`. Calling a module runs `forward` and records the module as the
    creator of every node it makes, so drawings can group them.
    """

    def forward(self, *args: Any) -> Any:
        """Compute the module's output; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any) -> Any:
        # `engine.module_scope` in its cheaper form: this runs once per neuron per sample.
        token = enter_scope(self)
        try:
            return self.forward(*args)
        finally:
            restore_scope(token)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each direct sub-module, in assignment order."""
        for name, attr in vars(self).items():
            if isinstance(attr, Module):
                yield name, attr
            elif isinstance(attr, list):
                for i, item in enumerate(attr):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_modules(self, memo: set[Module] | None = None, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module ('' or `prefix`) and every one below it.

        Each module comes once, under the first name that reaches it, as in torch: a
        sub-module held by two attributes is one module, with one set of parameters.
        `memo` holds the modules already listed; callers leave it out.
        """
        if memo is None:
            memo = set()
        if self in memo:
            return
        memo.add(self)
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(memo, f"{prefix}.{name}" if prefix else name)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """(dotted name, Value) for every parameter, in a stable order.

        A parameter shared by two modules comes once, under its first name, as in torch,
        so an optimizer given `parameters()` updates it once per step.
        """
        names: dict[Value, str] = {}
        for prefix, module in self.named_modules():
            dot = f"{prefix}." if prefix else ""
            for name, attr in vars(module).items():
                if isinstance(attr, Value):
                    names.setdefault(attr, dot + name)
                elif isinstance(attr, list):
                    for i, v in enumerate(attr):
                        if isinstance(v, Value):
                            names.setdefault(v, f"{dot}{name}.{i}")
        return [(name, v) for v, name in names.items()]

    def parameters(self) -> list[Value]:
        """Every parameter, once each, in the order of `named_parameters()`."""
        # The same walk without building a dotted name per parameter: a training
        # loop calls this several times per step.
        out: list[Value] = []
        for _, module in self.named_modules():
            for attr in vars(module).values():
                if isinstance(attr, Value):
                    out.append(attr)
                elif isinstance(attr, list):
                    out.extend([v for v in attr if isinstance(v, Value)])
        return list(dict.fromkeys(out))  # a shared parameter once, where it first comes; cheap, in C

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0. Call it before each backward: leaves accumulate."""
        for p in self.parameters():
            p.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """{dotted name: value} for every parameter."""
        return {name: v.data for name, v in self.named_parameters()}

    def load_state_dict(self, state: dict[str, float]) -> None:
        """Set every parameter from `state`, which must have exactly this model's names.

        Values may be any real number (numpy's included); they are stored as floats.
        Raises TypeError when `state` is not a dict, KeyError naming the missing or
        unexpected keys, or TypeError naming a key whose value is not a real number;
        the model is unchanged then.
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"load_state_dict: state must be a dict {{name: number}} as state_dict() returns, "
                f"got {type(state).__name__}"
            )
        params = dict(self.named_parameters())
        missing = [k for k in params if k not in state]
        unexpected = [k for k in state if k not in params]
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict for {type(self).__name__}: missing keys {missing}, unexpected keys {unexpected}"
            )
        values = {name: real(x, "load_state_dict", repr(name)) for name, x in state.items()}
        for name, v in params.items():
            v.data = values[name]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the parameters to a JSON file (the `state_dict`), in strict JSON.

        The file is written whole or not at all (`chainrule.files.write_atomically`): to a
        temporary file in the same directory, flushed to disk, then renamed over `path`, so
        a full disk or a crash leaves any previous file intact and no temporary file behind;
        the OSError then names `path` and the cause. JSON has no nan or infinity, so a
        parameter that is not finite raises ValueError naming it, and nothing is written.
        """
        target = os.fspath(path)
        state = {}
        for name, x in self.state_dict().items():
            value = real(x, "save", f"parameter {name!r}")
            if not math.isfinite(value):
                raise ValueError(f"save: parameter {name!r} is {value!r}, which JSON cannot hold; nothing written")
            state[name] = value
        write_atomically(target, json.dumps(state, indent=1, allow_nan=False), "save")

    def load(self, path: str | os.PathLike[str]) -> None:
        """Read parameters written by `save` into this model (see `load_state_dict`).

        A file that is not JSON (empty, cut short, binary) or holds no state dict
        raises ValueError naming it; the errors of `load_state_dict` name it too.
        """
        where = os.fspath(path)
        try:
            with open(path, encoding="utf-8") as f:
                state = json.load(f)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"load: {where!r} is not a JSON file written by save(): {exc}") from exc
        if not isinstance(state, dict):
            raise ValueError(f"load: {where!r} does not hold a state dict")
        try:
            self.load_state_dict(state)
        except (KeyError, TypeError) as exc:  # the same error, naming the file too
            raise type(exc)(f"load {where!r}: {exc.args[0]}") from exc

    def extra_repr(self) -> str:
        """The arguments shown in this module's repr line."""
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name.rsplit('.', 1)[-1]}): {body}")
        return "\n".join(lines) + "\n)"


def _init_std(nin: int, activation: str) -> float:
    # He for relu-like units keeps the variance of activations across layers;
    # Xavier (fan-in form) for tanh, sigmoid and linear units.
    return math.sqrt((2.0 if activation in ("relu", "leaky_relu") else 1.0) / nin)


class Neuron(Module):
    """One unit: activation(w . x + b), its weighted sum a single node (`engine.linear`).

    Weights start as Gaussian noise scaled for the activation: standard deviation
    sqrt(2 / nin) (He) for "relu" and "leaky_relu", sqrt(1 / nin) (Xavier, fan-in
    form) for "tanh", "sigmoid" and "linear"; the bias starts at 0. The weights are
    drawn from `rng`, a `random.Random`, or without one from Python's global `random`
    (so `random.seed(0)` first makes them reproducible).
    """

    def __init__(self, nin: int, activation: str = "relu", rng: random.Random | None = None) -> None:
        positive_int(nin, "Neuron", "nin")
        one_of(activation, ACTIVATIONS, "Neuron", "activation")
        gauss = rng.gauss if rng is not None else random.gauss
        std = _init_std(nin, activation)
        self.w = [Value(gauss(0.0, std), f"w{i}") for i in range(nin)]
        self.b = Value(0.0, "b")
        self.activation = activation

    def forward(self, x: Sequence[Value | Number], input_data: Sequence[float] | None = None) -> Value:
        """activation(w . x + b) for one sample `x` of `nin` numbers or Values.

        `input_data`, when given, is the inputs' `.data` (x then all Values): a Layer
        reads it once for all its neurons.
        """
        if type(x) is not list:
            _check_sample(x, "Neuron")
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        return _ACTIVATE[self.activation](linear(self.w, x, self.b, input_data))

    def extra_repr(self) -> str:
        return f"nin={len(self.w)}, activation={self.activation!r}"


class Layer(Module):
    """`nout` Neurons reading the same inputs; returns a list of `nout` Values (always a list).

    The weights are drawn from `rng`, or without one from Python's global `random`.
    """

    def __init__(self, nin: int, nout: int, activation: str = "relu", rng: random.Random | None = None) -> None:
        positive_int(nin, "Layer", "nin")
        positive_int(nout, "Layer", "nout")
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]
        self.nin, self.nout, self.activation = nin, nout, activation

    def forward(self, x: Sequence[Value | Number]) -> list[Value]:
        """Every neuron's output for one sample `x`."""
        if type(x) is not list:
            _check_sample(x, "Layer")
        if len(x) != self.nin:
            raise ValueError(f"Layer: expected {self.nin} inputs, got {len(x)}")
        if all(map(isinstance, x, repeat(Value))):
            values = cast(Sequence[Value], x)
        else:
            # Plain numbers are the sample itself: one input leaf each, x0, x1, ..., shared
            # by every neuron (not a constant per neuron), so a drawing shows each input once.
            values = [v if isinstance(v, Value) else Value(v, f"x{i}") for i, v in enumerate(x)]
        # The inputs' data is read once for the whole layer rather than once per neuron, and
        # each neuron's forward runs in its scope as Module.__call__ would run it: calling
        # the neuron itself costs 2.4k instructions more per call, 5% of a W1 step
        # (benchmarks/README.md). A neuron whose forward is not Neuron's own gets x alone.
        x_data = [v.data for v in values]
        own = Neuron.forward
        out = []
        token = enter_scope(self.neurons[0])
        try:
            for n in self.neurons:
                switch_scope(token, n)
                out.append(n.forward(values, x_data) if type(n).forward is own else n.forward(values))
        finally:
            restore_scope(token)
        return out

    def extra_repr(self) -> str:
        return f"nin={self.nin}, nout={self.nout}, activation={self.activation!r}"

    def __repr__(self) -> str:
        return f"Layer({self.extra_repr()})"  # 16 identical Neuron lines would hide the shape


class MLP(Module):
    """A multi-layer perceptron: `MLP(2, [16, 16, 1])` maps 2 inputs through two hidden
    layers of 16 to 1 output. Hidden layers use `activation`; the last is linear.
    The same `seed` gives the same weights; without one they are drawn from Python's
    global `random`, so `random.seed(0)` first makes a run reproducible. Calling it on
    one sample returns a list.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "relu", seed: int | None = None) -> None:
        positive_int(nin, "MLP", "nin")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence):
            raise TypeError(f"MLP: nouts must be a list of layer sizes, got {type(nouts).__name__}")
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer size")
        for i, size in enumerate(nouts):
            positive_int(size, "MLP", f"nouts[{i}]")
        one_of(activation, ACTIVATIONS, "MLP", "activation")  # with one layer no Neuron would check it
        rng = random.Random(seed) if seed is not None else None
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else "linear", rng)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value | Number]) -> list[Value]:
        """The network's outputs for one sample `x`."""
        if type(x) is not list:
            _check_sample(x, "MLP")
        out: list[Value] = self.layers[0](x)
        for layer in self.layers[1:]:
            out = layer(out)
        return out
