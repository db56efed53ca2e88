"""chainrule.nn.to_torch and from_torch: a model taken to PyTorch computes the same
function with the same gradients, and comes back unchanged."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from chainrule import Value
from chainrule.data import make_moons
from chainrule.micrograd import nn as mnn
from chainrule.nn import MLP, Layer, Neuron, fit, from_torch, to_torch
from chainrule.optim import SGD

torch = pytest.importorskip("torch")

ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", "linear"]


def chainrule_run(model, x):
    """Outputs, d(sum of outputs)/d parameter (in `parameters()` order) and d/d input."""
    xs = [Value(v) for v in x]
    out = model(xs)
    out = out if isinstance(out, list) else [out]
    model.zero_grad()
    total = sum(out[1:], out[0])
    total.backward()
    return [o.data for o in out], [p.grad for p in model.parameters()], [v.grad for v in xs]


def torch_run(net, x):
    """The same from torch, its parameters put in chainrule's order (each neuron's w, then b)."""
    xt = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    net.zero_grad()
    out = net(xt)
    out.sum().backward()
    grads = []
    for linear in (m for m in net if isinstance(m, torch.nn.Linear)):
        for row, b in zip(linear.weight.grad.tolist(), linear.bias.grad.tolist()):
            grads += [*row, b]
    return out[0].tolist(), grads, xt.grad[0].tolist()


def assert_close(a, b, tol=1e-12):
    assert len(a) == len(b)
    for i, (u, v) in enumerate(zip(a, b)):
        assert abs(u - v) <= tol * max(1.0, abs(u), abs(v)), (i, u, v)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_outputs_and_gradients_agree_after_a_round_trip(activation):
    model = MLP(3, [5, 4, 2], activation=activation, seed=1)
    net = to_torch(model)
    back = from_torch(net)
    assert back.state_dict() == model.state_dict()
    rng = random.Random(activation)
    for _ in range(5):
        x = [rng.uniform(-2, 2) for _ in range(3)]
        ours = chainrule_run(model, x)
        for theirs in (torch_run(net, x), chainrule_run(back, x)):
            for a, b in zip(ours, theirs):
                assert_close(a, b)


def test_the_torch_model_is_a_sequential_of_linear_and_activation_layers_in_float64():
    net = to_torch(MLP(2, [3, 3, 1], activation="leaky_relu", seed=0))
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Linear", "LeakyReLU", "Linear", "LeakyReLU", "Linear"]
    assert net[1].negative_slope == 0.01
    assert all(p.dtype == torch.float64 for p in net.parameters())
    assert to_torch(MLP(2, [1], seed=0), dtype=torch.float32)[0].weight.dtype == torch.float32


def test_the_weights_are_the_models_row_by_row():
    model = MLP(2, [3, 1], seed=4)
    net = to_torch(model)
    neurons = model.layers[0].neurons
    assert net[0].weight.tolist() == [[w.data for w in n.w] for n in neurons]
    assert net[0].bias.tolist() == [n.b.data for n in neurons]
    assert to_torch(model).state_dict().keys() == net.state_dict().keys()


def test_a_layer_and_a_neuron_go_too():
    layer, neuron = Layer(3, 2, "tanh", random.Random(0)), Neuron(3, "sigmoid", random.Random(1))
    assert [type(m).__name__ for m in to_torch(layer)] == ["Linear", "Tanh"]
    x = [0.3, -0.2, 0.9]
    assert_close(torch_run(to_torch(neuron), x)[0], [neuron(x).data])


def test_micrograd_models_go_and_come_back_into_a_model_of_theirs():
    random.seed(1337)
    model = mnn.MLP(2, [8, 8, 1])
    net = to_torch(model)
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    x = [0.7, -1.1]
    ours = chainrule_run(model, x)
    for a, b in zip(ours, torch_run(net, x)):
        assert_close(a, b)
    with torch.no_grad():
        for p in net.parameters():
            p.mul_(0.5)
    random.seed(0)
    target = mnn.MLP(2, [8, 8, 1])
    assert from_torch(net, into=target) is target
    assert target.layers[0].neurons[0].w[0].data == model.layers[0].neurons[0].w[0].data * 0.5
    assert isinstance(target([0.0, 0.0]), Value)  # still micrograd's: one output is a Value
    assert type(from_torch(net)) is MLP  # without `into`, chainrule's own MLP


def test_from_torch_takes_per_layer_activations_and_identity():
    net = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Identity(), torch.nn.Linear(3, 1), torch.nn.Sigmoid()
    ).double()
    model = from_torch(net)
    assert [layer.activation for layer in model.layers] == ["tanh", "sigmoid"]
    x = [0.4, -0.6]
    for a, b in zip(chainrule_run(model, x), torch_run(net, x)):
        assert_close(a, b)
    assert len(from_torch(torch.nn.Linear(4, 2)).layers) == 1


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Dropout(0.5)), r"Dropout.*position 1"),
        (torch.nn.Sequential(torch.nn.Linear(2, 3, bias=False)), "no bias"),
        (torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Linear(4, 1)), "takes 4 inputs.*gives 3"),
        (torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Linear(2, 1)), "ReLU.*position 0 follows no Linear"),
        (torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Tanh()), "Tanh.*follows no Linear"),
        (torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.LeakyReLU(0.2)), r"LeakyReLU\(negative_slope=0.2\)"),
        (torch.nn.Sequential(), "no Linear"),
    ],
)
def test_from_torch_names_what_it_cannot_represent(module, message):
    with pytest.raises(ValueError, match=message):
        from_torch(module)


def test_from_torch_refuses_other_modules_and_a_mismatched_target():
    with pytest.raises(TypeError, match=r"Sequential or a torch\.nn\.Linear, got Conv1d"):
        from_torch(torch.nn.Conv1d(1, 1, 3))
    target = MLP(2, [3, 1], seed=0)
    before = target.state_dict()
    with pytest.raises(ValueError, match=r"\[\(2, 3\), \(3, 1\)\].*\[\(2, 4\), \(4, 1\)\]"):
        from_torch(to_torch(MLP(2, [4, 1], seed=0)), into=target)
    with pytest.raises(ValueError, match="activations"):
        from_torch(to_torch(MLP(2, [3, 1], activation="tanh", seed=0)), into=target)
    assert target.state_dict() == before


def test_to_torch_refuses_what_has_no_torch_equivalent():
    with pytest.raises(TypeError, match="MLP, a Layer or a Neuron"):
        to_torch(Value(1.0))
    layer = Layer(2, 2, "relu", random.Random(0))
    layer.neurons[1].activation = "tanh"
    with pytest.raises(ValueError, match="layer 0 mixes activations"):
        to_torch(layer)


def test_a_trained_model_keeps_its_accuracy_in_torch():
    X, y = make_moons(80, noise=0.1, seed=0)
    model = MLP(2, [8, 8, 1], seed=0)
    fit(model, X, y, loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.1), epochs=40, progress=False)
    ours = [model(x)[0].data > 0 for x in X]
    net = to_torch(model)
    with torch.no_grad():
        theirs = (net(torch.tensor(X, dtype=torch.float64))[:, 0] > 0).tolist()
    accuracy = sum(p == (label == 1) for p, label in zip(ours, y)) / len(y)
    assert accuracy >= 0.85
    assert theirs == ours


def test_without_torch_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    with pytest.raises(ImportError, match=r"to_torch needs PyTorch.*pip install torch==2\.13\.0"):
        to_torch(MLP(2, [1], seed=0))
    with pytest.raises(ImportError, match=r"from_torch needs PyTorch.*torch==2\.13\.0"):
        from_torch(None)


def test_the_readmes_pytorch_example_runs(tmp_path):
    """The README's PyTorch example is fenced as `py`, so the README test (which needs no torch) skips it."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```py\n(.*?)```", readme, flags=re.DOTALL)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
