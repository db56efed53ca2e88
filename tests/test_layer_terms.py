"""`layer_terms` against the layer equations of seeds 003 and 004, and seed 001's error terms,
each worked here with plain floats (lists and loops), never with chainrule's nodes:

    z(l) = W(l) a(l-1) + b(l),  a(l) = σ(z(l)),
    δ(L) = ∇aLoss ⊙ σ′(z(L)),  δ(l) = W(l+1)ᵀ δ(l+1) ⊙ σ′(z(l)),
    dLoss/dW(l) = Σ over samples of δ(l) a(l-1)ᵀ,  dLoss/db(l) = Σ δ(l).
"""

from __future__ import annotations

import math

import pytest

from chainrule import Value
from chainrule.nn import MLP, Layer, LayerTerms, Module, layer_terms, mse_loss

SLOPES = {
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), lambda z: (1 / (1 + math.exp(-z))) * (1 - 1 / (1 + math.exp(-z)))),
    "tanh": (math.tanh, lambda z: 1 - math.tanh(z) ** 2),
    "relu": (lambda z: max(z, 0.0), lambda z: 1.0 if z > 0 else 0.0),
    "linear": (lambda z: z, lambda z: 1.0),
}


class Stack(Module):
    """Layers one after the other, every one with the same activation (the output's too)."""

    def __init__(self, sizes: list[int], activation: str) -> None:
        import random

        rng = random.Random(7)
        self.layers = [Layer(sizes[i], sizes[i + 1], activation, rng) for i in range(len(sizes) - 1)]

    def forward(self, x: list[float]) -> list[Value]:
        out: list[Value] = self.layers[0](x)
        for layer in self.layers[1:]:
            out = layer(out)
        return out


def by_hand(model: Module, layers: list[Layer], samples: list[list[float]], targets: list[float]) -> dict[str, list]:
    """Forward and backward of the mean squared error with plain floats, from the weights' data."""
    W = [[[w.data for w in n.w] for n in layer.neurons] for layer in layers]
    B = [[n.b.data for n in layer.neurons] for layer in layers]
    acts = [layer.activation for layer in layers]
    per_sample, gW, gB = [], [[[0.0] * len(r) for r in w] for w in W], [[0.0] * len(b) for b in B]
    for x, y in zip(samples, targets):
        a_prevs, zs, as_ = [], [], []
        a = list(x)
        for Wl, bl, act in zip(W, B, acts):
            a_prevs.append(a)
            z = [sum(w * ai for w, ai in zip(row, a)) + b for row, b in zip(Wl, bl)]
            a = [SLOPES[act][0](zj) for zj in z]
            zs.append(z)
            as_.append(a)
        # Loss = mean over samples of (O - y)²: dLoss/dO = 2 (O - y) / N.
        a_grad = [2 * (as_[-1][0] - y) / len(samples)]
        deltas, a_grads = [None] * len(W), [None] * len(W)
        for l in reversed(range(len(W))):
            a_grads[l] = a_grad
            deltas[l] = [g * SLOPES[acts[l]][1](zj) for g, zj in zip(a_grad, zs[l])]
            a_grad = [sum(W[l][k][j] * deltas[l][k] for k in range(len(W[l]))) for j in range(len(W[l][0]))]
        for l in range(len(W)):
            for k, d in enumerate(deltas[l]):
                gB[l][k] += d
                for j, ai in enumerate(a_prevs[l]):
                    gW[l][k][j] += d * ai
        per_sample.append({"a_prev": a_prevs, "z": zs, "a": as_, "delta": deltas, "a_grad": a_grads})
    return {"samples": per_sample, "gW": gW, "gB": gB, "W": W, "B": B}


X4 = [[0.5, -1.2], [1.5, 0.3], [-0.7, 0.9], [0.1, 0.2]]
Y4 = [1.0, -0.5, 0.25, 0.8]


def check(model: Module, layers: list[Layer], samples: list[list[float]], targets: list[float]) -> None:
    outs = [model(x)[0] for x in samples]
    loss = mse_loss(outs, targets)
    want = by_hand(model, layers, samples, targets)
    before = layer_terms(model, loss)
    assert all(t.delta is None and t.weight_grads is None and t.a_grad is None for t in before)
    loss.backward()
    for s in range(len(samples)):
        terms = layer_terms(model, loss, sample=s)
        assert [t.name for t in terms] == [f"layers.{i}" for i in range(len(layers))]
        got = want["samples"][s]
        for l, t in enumerate(terms):
            assert t.a_prev == pytest.approx(got["a_prev"][l], rel=1e-12)
            assert t.z == pytest.approx(got["z"][l], rel=1e-12, abs=1e-15)
            assert t.a == pytest.approx(got["a"][l], rel=1e-12, abs=1e-15)
            assert t.a_grad == pytest.approx(got["a_grad"][l], rel=1e-9, abs=1e-15)
            assert t.delta == pytest.approx(got["delta"][l], rel=1e-9, abs=1e-15)
            assert t.weights == want["W"][l] and t.biases == want["B"][l]
            for row, expected in zip(t.weight_grads, want["gW"][l]):
                assert row == pytest.approx(expected, rel=1e-9, abs=1e-15)
            assert t.bias_grads == pytest.approx(want["gB"][l], rel=1e-9, abs=1e-15)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
@pytest.mark.parametrize("samples", [1, 4])
def test_mlp_terms_match_the_layer_equations(activation, samples):
    model = MLP(2, [3, 4, 1], activation=activation, seed=3)
    check(model, model.layers, X4[:samples], Y4[:samples])


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_a_stack_of_layers_with_a_nonlinear_output(activation):
    model = Stack([2, 3, 2, 1], activation)
    check(model, model.layers, X4, Y4)


def test_seed_001_error_terms_with_its_sign_convention():
    # Seed 001 writes the error at a sigmoid output as O(1-O)(y-O) and at a hidden node as
    # O(1-O) Σk Error_k w_ik, for C = ½(y - O)²: that is -δ, as dC/dO = -(y - O).
    model = Stack([2, 2, 1], "sigmoid")
    x, y = [0.35, 0.9], 0.5
    out = model(x)[0]
    C = 0.5 * (y - out) ** 2
    C.backward()
    hidden, output = layer_terms(model, C)
    O = output.a[0]
    error_out = O * (1 - O) * (y - O)
    assert output.delta == pytest.approx([-error_out], rel=1e-12)
    w = [n.w for n in model.layers[1].neurons]
    for i, Oi in enumerate(hidden.a):
        error_i = Oi * (1 - Oi) * error_out * w[0][i].data
        assert hidden.delta[i] == pytest.approx(-error_i, rel=1e-12)
    # The update w += η · O_i · Error (seed 001) is the step w -= η · dC/dw.
    assert output.weight_grads[0] == pytest.approx([-Oi * error_out for Oi in hidden.a], rel=1e-12)


def test_seed_004_worked_example():
    # x = 2, w = 3, b = 1, y = 5, a = relu(wx + b), L = (a - y)²: z = 7, δ = 4, dL/dw = 8, dL/db = 4.
    model = Stack([1, 1], "relu")
    neuron = model.layers[0].neurons[0]
    neuron.w[0].data, neuron.b.data = 3.0, 1.0
    L = (model([2.0])[0] - 5) ** 2
    L.backward()
    (t,) = layer_terms(model, L)
    assert (t.z, t.a, t.slope, t.a_grad, t.delta) == ([7.0], [7.0], [1.0], [4.0], [4.0])
    assert (t.weight_grads, t.bias_grads) == ([[8.0]], [4.0])


def test_missing_before_backward_not_zero():
    model = MLP(2, [2, 1], seed=0)
    (hidden, output) = layer_terms(model, model([1.0, 1.0])[0])
    assert isinstance(hidden, LayerTerms)
    assert (hidden.delta, hidden.a_grad, hidden.weight_grads, hidden.bias_grads) == (None, None, None, None)
    assert output.z == output.a and len(hidden.z) == 2


def test_bad_roots_and_samples_are_named():
    model, other = MLP(2, [2, 1], seed=0), MLP(2, [2, 1], seed=1)
    outs = [model([1.0, 0.0])[0], model([0.0, 1.0])[0]]
    loss = mse_loss(outs, [0.0, 1.0])
    with pytest.raises(ValueError, match="not built by this MLP"):
        layer_terms(other, loss)
    with pytest.raises(ValueError, match="not built by this MLP"):
        layer_terms(model, Value(1.0) * 2)
    with pytest.raises(IndexError, match="sample 2 is out of range: the graph holds 2 samples"):
        layer_terms(model, loss, sample=2)
    with pytest.raises(IndexError, match="sample -3 is out of range"):
        layer_terms(model, loss, sample=-3)
    assert layer_terms(model, loss, sample=-1)[0].a_prev == [0.0, 1.0]
    with pytest.raises(TypeError, match="sample must be an int"):
        layer_terms(model, loss, sample=1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="layer_terms: model is a float"):
        layer_terms(1.0, loss)  # type: ignore[arg-type]
    # A graph of the first layer alone holds only some of the model's neurons.
    with pytest.raises(ValueError, match="some of this MLP's neurons"):
        layer_terms(model, model.layers[0]([1.0, 2.0])[0])
