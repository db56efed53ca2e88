"""The layer equations read off a scalar graph: `layer_terms` and `LayerTerms`.

A graph built by calling an MLP holds, for every neuron and every sample, the node of
its weighted sum z (one `linear` node) and the node of its activation a. Grouped by
layer they are the vectors of the layer equations

    z(l) = W(l) a(l-1) + b(l)        a(l) = σ(z(l))
    δ(l) = dLoss/dz(l) = dLoss/da(l) ⊙ σ′(z(l))
    dLoss/da(l) = W(l+1)ᵀ δ(l+1)     dLoss/dW(l) = δ(l) a(l-1)ᵀ (summed over the samples)

and `layer_terms` reads each term from the nodes: z and a are their data, σ′(z) the
activation node's local derivative, δ and dLoss/da their `.grad` after backward, the
weight and bias gradients the parameters' `.grad`. It computes no derivative itself.

    >>> from chainrule.nn import MLP, mse_loss
    >>> model = MLP(2, [3, 1], activation="tanh", seed=0)
    >>> loss = mse_loss([model([1.0, -1.0])[0]], [0.5])
    >>> loss.backward()
    >>> [len(t.delta) for t in layer_terms(model, loss)]
    [3, 1]
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

from ..engine import Value, topological_order
from ..engine.checks import instance_of, is_index
from .modules import Layer, Module, Neuron

__all__ = ["LayerTerms", "layer_terms"]


@dataclass(frozen=True)
class LayerTerms:
    """One layer's terms for one sample, each a list with one entry per neuron (rows of
    `weights` and `weight_grads`: one per neuron, one column per input).

    - `name`: the layer's dotted name in the model (`layers.1`); `activation` its σ.
    - `a_prev`: the layer's inputs (the previous layer's a, or the sample itself).
    - `z`, `a`: each neuron's weighted sum and activation.
    - `slope`: σ′(z), the activation node's local derivative (1 for a linear layer).
    - `weights`, `biases`: the parameters' values now (`.data`).
    - `a_grad`: dLoss/da, and `delta`: dLoss/dz, for this sample (their nodes' `.grad`).
    - `weight_grads`, `bias_grads`: the parameters' `.grad`, summed over every sample
      of the graph as backward left them.

    Before `root.backward()` (while `root.grad` is 0) `a_grad`, `delta`, `weight_grads`
    and `bias_grads` are None: missing, not zero.
    """

    name: str
    activation: str
    a_prev: list[float]
    z: list[float]
    a: list[float]
    slope: list[float]
    weights: list[list[float]]
    biases: list[float]
    a_grad: list[float] | None
    delta: list[float] | None
    weight_grads: list[list[float]] | None
    bias_grads: list[float] | None


def layer_terms(model: Module, root: Value, sample: int = 0) -> list[LayerTerms]:
    """One `LayerTerms` per Layer of `model` (input side first), for sample number `sample`
    of the graph ending at `root`, built by calling `model` on one or more samples.

    Samples are numbered in the order the model was called on them; negative numbers
    count from the last, as for lists. Raises ValueError when the graph was not built by
    calling `model` (none, or only some, of its neurons' nodes are in it), and IndexError
    for a sample number out of range.
    """
    instance_of(model, Module, "layer_terms", "model")
    instance_of(root, Value, "layer_terms", "root")
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, Layer)]
    if not layers:
        raise ValueError(f"layer_terms: {type(model).__name__} has no Layer to read")
    made = _nodes_by_neuron(root, [n for _, layer in layers for n in layer.neurons])
    counts = {len(sums) for sums, _ in made.values()}
    if counts == {0}:
        raise ValueError(
            f"layer_terms: the graph of {root!r} was not built by this {type(model).__name__}: "
            "none of its neurons' nodes is in it"
        )
    if len(counts) > 1:
        raise ValueError(
            f"layer_terms: the graph of {root!r} holds some of this {type(model).__name__}'s neurons "
            "for more samples than others; pass the root of a graph built by calling the whole model"
        )
    index = _sample_index(sample, counts.pop())
    done = root.grad != 0.0  # a fresh node's grad is 0; backward sets the root's to 1
    return [_terms(name, layer, made, index, done) for name, layer in layers]


def _nodes_by_neuron(root: Value, neurons: list[Neuron]) -> dict[Neuron, tuple[list[Value], list[Value]]]:
    """Each neuron's z nodes and a nodes in the graph, one per sample, oldest first."""
    made: dict[Neuron, tuple[list[Value], list[Value]]] = {n: ([], []) for n in neurons}
    for v in topological_order(root):  # oldest first: the samples in the order they were run
        owner = v.scope[-1] if v.scope else None
        if owner in made:
            sums, outs = made[owner]
            (sums if v.op == "linear" else outs).append(v)
    for n, (sums, outs) in made.items():
        if n.activation == "linear":  # the weighted sum is the neuron's output
            outs[:] = sums
    return made


def _sample_index(sample: object, count: int) -> int:
    if not is_index(sample):
        raise TypeError(f"layer_terms: sample must be an int, got {type(sample).__name__} {sample!r}")
    i = operator.index(sample)  # type: ignore[arg-type]  # is_index checked it
    if not -count <= i < count:
        raise IndexError(
            f"layer_terms: sample {i} is out of range: the graph holds {count} "
            f"sample{'s' if count != 1 else ''} (0 to {count - 1})"
        )
    return i % count


def _terms(
    name: str, layer: Layer, made: dict[Neuron, tuple[list[Value], list[Value]]], i: int, done: bool
) -> LayerTerms:
    sums = [made[n][0][i] for n in layer.neurons]
    outs = [made[n][1][i] for n in layer.neurons]
    nin = len(layer.neurons[0].w)
    # A linear node's parents are the weights, then the inputs, then the bias.
    a_prev = [x.data for x in sums[0].parents[nin : 2 * nin]]
    return LayerTerms(
        name=name,
        activation=layer.activation,
        a_prev=a_prev,
        z=[z.data for z in sums],
        a=[a.data for a in outs],
        slope=[a.local_grads[0] if a is not z else 1.0 for z, a in zip(sums, outs)],
        weights=[[w.data for w in n.w] for n in layer.neurons],
        biases=[n.b.data for n in layer.neurons],
        a_grad=[a.grad for a in outs] if done else None,
        delta=[z.grad for z in sums] if done else None,
        weight_grads=[[w.grad for w in n.w] for n in layer.neurons] if done else None,
        bias_grads=[n.b.grad for n in layer.neurons] if done else None,
    )
