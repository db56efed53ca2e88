"""Module, Neuron, Layer, MLP."""

import json
import math
import random

import pytest

from chainrule import Value, no_grad
from chainrule.engine import enter_scope, restore_scope, topological_order
from chainrule.nn import MLP, Layer, Module, Neuron, grad_norms
from chainrule.optim import SGD


def test_mlp_parameter_count_and_names():
    model = MLP(2, [16, 16, 1], seed=0)
    assert len(model.parameters()) == 337  # (2*16+16) + (16*16+16) + (16+1)
    names = [n for n, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.2.neurons.0.b"
    assert len(set(names)) == 337
    assert [p for _, p in model.named_parameters()] == model.parameters()


def test_same_seed_same_weights():
    a, b, c = MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=7), MLP(3, [4, 2], seed=8)
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != c.state_dict()


def test_outputs_are_always_lists():
    model = MLP(2, [3, 1], seed=0)
    out = model([1.0, -1.0])
    assert isinstance(out, list) and len(out) == 1 and isinstance(out[0], Value)
    layer = Layer(2, 1, rng=random.Random(0))
    assert isinstance(layer([Value(1.0), 2.0]), list)


def test_hidden_layers_use_activation_and_last_is_linear():
    model = MLP(2, [3, 3, 2], activation="tanh", seed=0)
    assert [layer.activation for layer in model.layers] == ["tanh", "tanh", "linear"]
    out = model([0.3, 0.4])
    assert all(o.op == "linear" for o in out)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", "linear"])
def test_neuron_computes_activation_of_weighted_sum(activation):
    n = Neuron(2, activation, rng=random.Random(1))
    n.w[0].data, n.w[1].data, n.b.data = 0.5, -2.0, 0.25
    z = 0.5 * 3.0 - 2.0 * 1.0 + 0.25  # -0.25
    expected = {
        "relu": 0.0,
        "tanh": Value(z).tanh().data,
        "sigmoid": Value(z).sigmoid().data,
        "leaky_relu": 0.01 * z,
        "linear": z,
    }[activation]
    assert n([3.0, 1.0]).data == pytest.approx(expected)


@pytest.mark.parametrize(("activation", "scale"), [("relu", 2.0), ("tanh", 1.0), ("sigmoid", 1.0)])
def test_init_is_scaled_for_the_activation(activation, scale):
    nin = 50
    weights = [w.data for seed in range(40) for w in Neuron(nin, activation, random.Random(seed)).w]
    variance = sum(w * w for w in weights) / len(weights)
    assert variance == pytest.approx(scale / nin, rel=0.1)
    assert Neuron(nin, activation).b.data == 0.0


def test_neuron_gradients_match_hand_derivation():
    n = Neuron(2, "relu", rng=random.Random(0))
    n.w[0].data, n.w[1].data, n.b.data = 3.0, 1.0, 1.0
    x = [Value(2.0), Value(-1.0)]
    out = n(x)
    out.backward()
    assert out.data == 6.0
    assert [w.grad for w in n.w] == [2.0, -1.0] and n.b.grad == 1.0
    assert [xi.grad for xi in x] == [3.0, 1.0]


def test_zero_grad():
    model = MLP(2, [2, 1], seed=0)
    model([1.0, 2.0])[0].backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_state_dict_round_trip_and_files(tmp_path):
    model, other = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    other.load_state_dict(model.state_dict())
    assert other.state_dict() == model.state_dict()
    path = tmp_path / "model.json"
    model.save(path)
    fresh = MLP(2, [3, 1], seed=5)
    fresh.load(path)
    assert fresh.state_dict() == model.state_dict()
    assert json.loads(path.read_text()) == model.state_dict()


def test_load_state_dict_rejections_leave_model_unchanged():
    model = MLP(2, [2, 1], seed=0)
    before = model.state_dict()
    state = dict(before)
    del state["layers.0.neurons.0.b"]
    state["layers.9.w"] = 1.0
    with pytest.raises(KeyError, match=r"layers\.0\.neurons\.0\.b.*layers\.9\.w"):
        model.load_state_dict(state)
    bad = {k: 0.0 for k in before}
    bad["layers.1.neurons.0.b"] = "x"
    with pytest.raises(TypeError, match=r"layers\.1\.neurons\.0\.b"):
        model.load_state_dict(bad)
    assert model.state_dict() == before


def test_repr_shows_structure():
    text = repr(MLP(2, [16, 1], seed=0))
    assert text.splitlines() == [
        "MLP(",
        "  (0): Layer(nin=2, nout=16, activation='relu')",
        "  (1): Layer(nin=16, nout=1, activation='linear')",
        ")",
    ]
    assert repr(Neuron(3, "tanh")) == "Neuron(nin=3, activation='tanh')"


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="activation"):
        Neuron(2, "swish")
    with pytest.raises(ValueError, match="nin"):
        Neuron(0)
    with pytest.raises(ValueError, match="nouts"):
        MLP(2, [])
    with pytest.raises(ValueError, match="expected 2 inputs, got 3"):
        MLP(2, [1], seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="MLP: activation must be one of"):
        MLP(2, [1], activation="swish")  # with one layer, no neuron would use it
    with pytest.raises(ValueError, match=r"MLP: nouts\[1\] must be a positive int, got 0"):
        MLP(2, [3, 0])
    with pytest.raises(ValueError, match="Layer: nin must be a positive int, got 0"):
        Layer(0, 2)


def test_constructor_arguments_of_the_wrong_type_are_type_errors():
    with pytest.raises(TypeError, match=r"Neuron: nin must be a positive int, got float 2\.0"):
        Neuron(2.0)
    with pytest.raises(TypeError, match="Neuron: activation must be a str"):
        Neuron(2, None)
    with pytest.raises(TypeError, match="Layer: nout must be a positive int, got str '3'"):
        Layer(2, "3")
    with pytest.raises(TypeError, match="MLP: nin must be a positive int, got bool True"):
        MLP(True, [1])
    with pytest.raises(TypeError, match="MLP: nouts must be a list of layer sizes, got int"):
        MLP(2, 3)


def test_forward_records_creating_modules():
    model = MLP(2, [2, 1], seed=0)
    out = model([1.0, 2.0])[0]
    scope = out._scope
    assert scope == (model, model.layers[1], model.layers[1].neurons[0])


def test_custom_module_discovers_attributes():
    class Affine(Module):
        def __init__(self):
            self.scale = Value(2.0)
            self.shift = Value(1.0)

        def forward(self, x):
            return self.scale * x + self.shift

    class Stack(Module):
        def __init__(self):
            self.first = Affine()
            self.rest = [Affine(), Affine()]

        def forward(self, x):
            for m in [self.first, *self.rest]:
                x = m(x)
            return x

    model = Stack()
    assert [n for n, _ in model.named_parameters()] == [
        "first.scale",
        "first.shift",
        "rest.0.scale",
        "rest.0.shift",
        "rest.1.scale",
        "rest.1.shift",
    ]
    assert model.parameters() == [v for _, v in model.named_parameters()]
    assert model(Value(1.0)).data == 15.0
    with pytest.raises(NotImplementedError, match="Module"):
        Module()(1.0)


def test_layer_builds_the_graph_its_neurons_build_one_by_one():
    """A Layer given Values reads their data once for all its neurons; the nodes are
    those of calling each neuron in turn: same parents, local grads, op, data and scope."""
    layer = Layer(3, 4, "tanh", rng=random.Random(0))
    x = [Value(0.5), Value(-1.5), Value(2.0)]
    together = layer(x)
    alone = []
    for n in layer.neurons:
        token = enter_scope(layer)
        alone.append(n(x))
        restore_scope(token)
    assert len(together) == len(alone) == 4
    for t, a, n in zip(together, alone, layer.neurons):
        assert t.op == a.op == "tanh" and t.data == a.data
        assert t._scope == a._scope == (layer, n)
        (zt,), (za,) = t.parents, a.parents
        assert zt.op == za.op == "linear"
        assert zt.parents == za.parents == (*n.w, *x, n.b)
        assert zt.local_grads == za.local_grads == (*[v.data for v in x], *[w.data for w in n.w], 1.0)
        assert zt._scope == za._scope == (layer, n)
        assert zt._stamp > t._stamp  # each neuron's sum is made just before its activation


def test_layer_given_numbers_shares_one_input_leaf_per_number():
    layer = Layer(2, 3, rng=random.Random(0))
    outs = layer([1.0, 2.0])
    inputs = [z.parents[2:4] for z in (o.parents[0] for o in outs)]  # (*w, *x, b): the x part
    assert all(pair == inputs[0] for pair in inputs)  # the same two Values for every neuron
    assert [v.label for v in inputs[0]] == ["x0", "x1"] and [v.data for v in inputs[0]] == [1.0, 2.0]
    assert not any(v.is_constant for v in inputs[0])


def test_layer_leaves_a_custom_neuron_to_its_own_forward():
    class Doubling(Neuron):
        def forward(self, x):
            return super().forward(x) * 2.0

    layer = Layer(2, 2, "linear", rng=random.Random(0))
    layer.neurons[1] = Doubling(2, "linear", rng=random.Random(1))
    x = [Value(1.0), Value(-1.0)]
    out = layer(x)
    assert out[1].op == "*" and out[1]._scope == (layer, layer.neurons[1])
    assert out[1].data == 2.0 * layer.neurons[1].forward(x).parents[0].data


def test_layer_fast_path_respects_no_grad_and_restores_scope_on_errors():
    from chainrule import no_grad

    layer = Layer(2, 3, rng=random.Random(0))
    x = [Value(1.0), Value(2.0)]
    with no_grad():
        assert all(o.is_leaf for o in layer(x))
    layer.neurons[1].w.append(Value(0.5))  # a broken neuron: 3 weights for 2 inputs
    with pytest.raises(ValueError, match="Neuron: expected 3 inputs, got 2"):
        layer(x)
    assert Value(0.0).scope == ()  # a node made now is attributed to no Module


def test_plain_number_inputs_become_one_shared_input_each():
    model = MLP(2, [3, 1], seed=0)
    out = model([0.5, -1.0])[0]
    out.backward()
    params = set(model.parameters())
    inputs = [v for v in topological_order(out) if v.is_leaf and v not in params]
    assert sorted(v.label for v in inputs) == ["x0", "x1"]  # once each, not once per neuron
    assert not any(v.is_constant for v in inputs)
    x0 = next(v for v in inputs if v.label == "x0")
    h = 1e-6
    with no_grad():
        slope = (model([0.5 + h, -1.0])[0].data - model([0.5 - h, -1.0])[0].data) / (2 * h)
    assert x0.grad == pytest.approx(slope, rel=1e-6)  # every first-layer neuron's share, summed


def test_a_shared_sub_module_is_visited_once():
    class Siamese(Module):
        """One encoder read by two attributes and listed twice, as a twin network holds it."""

        def __init__(self):
            self.left = Layer(2, 2, rng=random.Random(0))
            self.right = self.left
            self.twins = [self.left, self.left]
            self.head = Neuron(2, "linear", rng=random.Random(1))

        def forward(self, a, b):
            return self.head([p - q for p, q in zip(self.left(a), self.right(b))])

    model = Siamese()
    assert [name for name, _ in model.named_modules()] == ["", "left", "left.neurons.0", "left.neurons.1", "head"]
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        *[f"left.neurons.{i}.{p}" for i in (0, 1) for p in ("w.0", "w.1", "b")],
        *["head.w.0", "head.w.1", "head.b"],
    ]
    assert model.parameters() == [v for _, v in model.named_parameters()]
    assert len(set(model.parameters())) == len(model.parameters()) == 9
    params = model.parameters()
    opt = SGD(params, lr=0.1)  # it refuses a parameter listed twice
    before = [p.data for p in params]
    model([1.0, 2.0], [0.5, -1.0]).backward()
    opt.step()
    assert [p.data for p in params] == [b - 0.1 * p.grad for b, p in zip(before, params)]  # one step each
    clone = Siamese()
    clone.load_state_dict(model.state_dict())
    assert clone.state_dict() == model.state_dict()


def test_a_parameter_shared_by_two_modules_is_listed_once():
    class Tied(Module):
        def __init__(self):
            self.encoder = Neuron(2, "linear", rng=random.Random(0))
            self.decoder = Neuron(2, "linear", rng=random.Random(1))
            self.decoder.w[1] = self.encoder.w[0]  # tied weights

    model = Tied()
    shared = model.encoder.w[0]
    named = model.named_parameters()
    assert [name for name, _ in named] == ["encoder.w.0", "encoder.w.1", "encoder.b", "decoder.w.0", "decoder.b"]
    assert [v for _, v in named] == model.parameters()
    assert model.parameters().count(shared) == 1
    model.zero_grad()
    (model.encoder([1.0, 2.0]) + model.decoder([3.0, 4.0])).backward()
    assert shared.grad == 1.0 + 4.0  # both uses add into the one leaf
    norms = grad_norms(model)  # the shared weight counts once, in the first module that holds it
    assert norms == {
        "encoder": pytest.approx(math.hypot(5.0, 2.0, 1.0)),
        "decoder": pytest.approx(math.hypot(3.0, 1.0)),
    }
