"""chainrule.micrograd.nn: micrograd 0.1.0's Module, Neuron, Layer and MLP on chainrule.

What micrograd's nn.py does, checked against numbers drawn by hand from `random.Random`
and worked in plain floats; plus what being chainrule Modules adds (grouped drawings,
chainrule's tools) and chainrule.nn's own use of the global `random`.
"""

from __future__ import annotations

import random

import pytest

from chainrule import Value, nn
from chainrule.engine import topological_order
from chainrule.micrograd import nn as mnn
from chainrule.micrograd.nn import MLP, Layer, Module, Neuron


def uniform_draws(seed: int, count: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-1, 1) for _ in range(count)]


def relu(x: float) -> float:
    return x if x > 0 else 0.0


def test_weights_are_drawn_from_the_global_random_in_micrograds_order():
    random.seed(1337)
    model = MLP(2, [3, 1])
    draws = uniform_draws(1337, 2 * 3 + 3 * 1)
    # neuron by neuron, each neuron's weights in order; biases are not drawn
    assert [w.data for layer in model.layers for n in layer.neurons for w in n.w] == draws
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


def test_the_global_stream_moves_on_as_micrograd_leaves_it():
    random.seed(7)
    Neuron(4)
    after = random.random()
    rng = random.Random(7)
    for _ in range(4):
        rng.uniform(-1, 1)
    assert after == rng.random()


def test_forward_is_relu_hidden_and_linear_last_worked_by_hand():
    random.seed(0)
    model = MLP(2, [2, 1])
    (a, b, c, d), (e, f) = uniform_draws(0, 4), uniform_draws(0, 6)[4:]
    x = [0.5, -2.0]
    h = [relu(a * x[0] + b * x[1]), relu(c * x[0] + d * x[1])]
    out = model(x)
    assert isinstance(out, Value)  # one output: the Value itself
    assert out.data == pytest.approx(e * h[0] + f * h[1], rel=1e-15)


def test_a_layer_of_one_returns_a_value_and_wider_ones_a_list():
    random.seed(1)
    assert isinstance(Layer(3, 1)([1.0, 2.0, 3.0]), Value)
    out = Layer(3, 2)([1.0, 2.0, 3.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(MLP(3, [4, 2])([1.0, 2.0, 3.0]), list)


def test_nonlin_false_makes_a_linear_neuron_and_layer_passes_it_on():
    random.seed(3)
    n = Neuron(2, nonlin=False)
    w = uniform_draws(3, 2)
    assert n([1.0, 1.0]).data == pytest.approx(w[0] + w[1], rel=1e-15)  # negative sums pass through too
    layer = Layer(2, 3, nonlin=False)
    assert all(not m.nonlin for m in layer.neurons)
    with pytest.raises(TypeError):
        Layer(2, 3, activation="tanh")  # micrograd's Neuron takes nin and nonlin only


def test_micrograds_reprs():
    random.seed(0)
    assert repr(Neuron(2)) == "ReLUNeuron(2)"
    assert repr(Neuron(5, nonlin=False)) == "LinearNeuron(5)"
    assert repr(Layer(2, 2)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"
    assert repr(MLP(2, [2, 1])) == "MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(2)]]"


def test_parameters_are_each_neurons_weights_then_its_bias():
    random.seed(0)
    model = MLP(2, [16, 16, 1])
    params = model.parameters()
    assert len(params) == 16 * 3 + 16 * 17 + 17 == 337
    first = model.layers[0].neurons[0]
    assert params[:4] == [*first.w, first.b, model.layers[0].neurons[1].w[0]]
    assert params[-1] is model.layers[-1].neurons[0].b


def test_zero_grad_clears_every_parameter():
    random.seed(0)
    model = MLP(2, [3, 1])
    model([1.0, -1.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_they_are_chainrule_modules():
    random.seed(0)
    model = MLP(2, [2, 1])
    assert isinstance(model, nn.MLP) and isinstance(model, Module) and isinstance(model, nn.Module)
    assert isinstance(model.layers[0], nn.Layer) and isinstance(model.layers[0].neurons[0], nn.Neuron)
    assert sorted(model.state_dict())[:3] == [
        "layers.0.neurons.0.b",
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
    ]
    assert mnn.MLP is MLP


def test_nodes_are_scoped_to_their_modules_so_drawings_can_group_them():
    from chainrule.viz.graph.modules import module_info

    random.seed(0)
    model = MLP(2, [2, 1])
    out = model([1.0, 2.0])
    owners, names, _ = module_info(topological_order(out))
    assert sorted(names.values()) == [
        "",
        "layers.0",
        "layers.0.neurons.0",
        "layers.0.neurons.1",
        "layers.1",
        "layers.1.neurons.0",
    ]
    assert owners[model.layers[1].neurons[0].b] is model.layers[1].neurons[0]
    assert out.scope == (model, model.layers[1], model.layers[1].neurons[0])


def test_a_subclass_written_for_micrograd_works():
    """Code written for micrograd defines __call__ and parameters() on its own Modules."""

    class Affine(Module):
        def __init__(self):
            self.a, self.b = Value(2.0), Value(1.0)

        def __call__(self, x):
            return self.a * x + self.b

        def parameters(self):
            return [self.a, self.b]

    m = Affine()
    m(3.0).backward()
    assert [p.grad for p in m.parameters()] == [3.0, 1.0]
    m.zero_grad()
    assert [p.grad for p in m.parameters()] == [0.0, 0.0]


def test_bad_input_raises_a_clear_error():
    random.seed(0)
    model = MLP(2, [2, 1])
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])  # micrograd's zip would drop the third
    with pytest.raises(ValueError, match="nin"):
        Neuron(0)
    with pytest.raises(TypeError, match="nouts"):
        MLP(2, 16)
    with pytest.raises(TypeError, match="a sample must be a sequence"):
        MLP(1, [1, 2])([1.0])  # a one-neuron hidden layer hands a bare Value on, as in micrograd


def test_chainrule_nn_without_a_seed_draws_from_the_global_random():
    random.seed(0)
    first = nn.MLP(2, [4, 1]).state_dict()
    random.seed(0)
    assert nn.MLP(2, [4, 1]).state_dict() == first
    assert nn.MLP(2, [4, 1]).state_dict() != first  # the stream moved on
    random.seed(0)
    neuron = nn.Neuron(3, "tanh")
    rng = random.Random(0)
    assert [w.data for w in neuron.w] == [rng.gauss(0.0, (1 / 3) ** 0.5) for _ in range(3)]


def test_chainrule_nn_with_a_seed_leaves_the_global_random_alone():
    random.seed(5)
    expected = random.random()
    random.seed(5)
    nn.MLP(2, [4, 1], seed=3)
    assert random.random() == expected
    assert nn.MLP(2, [4, 1], seed=3).state_dict() == nn.MLP(2, [4, 1], seed=3).state_dict()


def test_side_by_side_with_micrograds_own_mlp():
    """Where micrograd is installed (the test extra pins micrograd==0.1.0): under the same
    seed, the same weights, reprs, outputs and gradients, and the stream left where micrograd
    leaves it."""
    mg = pytest.importorskip("micrograd.nn")
    models, after = [], []
    for cls in (MLP, mg.MLP):
        random.seed(1337)
        models.append(cls(2, [4, 4, 1]))
        after.append(random.random())
    ours, theirs = models
    assert after[0] == after[1]
    assert repr(ours) == repr(theirs)
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    for model in models:
        out = model([0.5, -1.5])
        (out * out).backward()
    assert ours([0.5, -1.5]).data == pytest.approx(theirs([0.5, -1.5]).data, rel=1e-15)
    assert [p.grad for p in ours.parameters()] == pytest.approx([p.grad for p in theirs.parameters()], rel=1e-12)


def test_fit_trains_a_micrograd_mlp_as_the_same_chainrule_mlp():
    """fit takes the one Value a micrograd MLP returns as a list of one: same weights, same
    history and same trained weights as chainrule's own MLP (ReLU hidden, linear output)."""
    from chainrule.data import make_moons
    from chainrule.optim import SGD

    X, y = make_moons(n=30, noise=0.1, seed=0)
    random.seed(5)
    theirs = MLP(2, [4, 4, 1])
    ours = nn.MLP(2, [4, 4, 1], seed=0)
    ours.load_state_dict(theirs.state_dict())
    histories = [
        nn.fit(m, X, y, loss="hinge_loss", optimizer=SGD(m.parameters(), lr=0.05), epochs=5, progress=False)
        for m in (theirs, ours)
    ]
    assert histories[0].loss == histories[1].loss and histories[0].accuracy == histories[1].accuracy
    assert histories[0].loss[-1] < histories[0].loss[0]
    assert [p.data for p in theirs.parameters()] == [p.data for p in ours.parameters()]
