"""Whole programs written for micrograd, run on chainrule.micrograd with only the imports
changed: the demo's training run, the trace-and-draw helpers learners copy, and the
lecture's own Neuron/Layer/MLP over our Value.

The learner code here is ours, written in the shape those programs have. The demo's
expected losses and accuracies are the numbers micrograd 0.1.0's `demo.ipynb` printed.
"""

from __future__ import annotations

import math
import random

import pytest

from chainrule.micrograd import nn
from chainrule.micrograd.engine import Value
from chainrule.micrograd.nn import MLP

# -- learner code: a graph walk and a drawing through _prev and _op --------------------


def build_topo(root):
    """Every node below root, each after the nodes it was computed from (recursive, as learners write it)."""
    topo, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                visit(child)
            topo.append(v)

    visit(root)
    return topo


def trace(root):
    nodes, edges = set(), set()
    for v in build_topo(root):
        nodes.add(v)
        edges.update((child, v) for child in v._prev)
    return nodes, edges


def learner_draw_dot(root):
    from graphviz import Digraph

    dot = Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(name=uid, label=f"{{ {n.label} | data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(name=uid + n._op, label=n._op)
            dot.edge(uid + n._op, uid)
    for a, b in edges:
        dot.edge(str(id(a)), str(id(b)) + b._op)
    return dot


def test_build_topo_and_the_steps_by_hand_are_backward():
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    out = ((x * w + 1).relu() + x * x).tanh()
    order = build_topo(out)
    seen = set()
    for v in order:
        assert v._prev <= seen  # each node after its parents
        seen.add(v)
    out.grad = 1.0
    for v in reversed(order):
        v._backward()
    by_hand = (x.grad, w.grad)
    x.grad = w.grad = 0.0
    out.backward()
    assert by_hand == (x.grad, w.grad)
    t = math.tanh(4.0)  # relu(-6 + 1) = 0, so out = tanh(x*x), d/dx = (1 - t^2) * 2x, d/dw = 0
    assert by_hand == pytest.approx(((1 - t * t) * 4.0, 0.0), rel=1e-12)


def test_a_learners_drawing_gets_one_oval_per_operation_and_none_for_constants():
    pytest.importorskip("graphviz")
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = learner_draw_dot(y)
    records = [line for line in dot.body if "shape=record" in line]
    ovals = [line for line in dot.body if "label=" in line and "shape=record" not in line]
    assert len(records) == 6  # x, 2, x*2, 1, x*2 + 1, relu
    assert sorted(line.split("label=")[1].strip().strip("]").strip('"') for line in ovals) == ["*", "+", "relu"]
    assert (y.data, x.grad) == (3.0, 2.0)


def test_a_seeded_neuron_as_trace_graph_draws_it():
    pytest.importorskip("graphviz")
    random.seed(1337)
    n = nn.Neuron(2)
    x = [Value(1.0), Value(-2.0)]
    y = n(x)
    y.backward()
    rng = random.Random(1337)
    w0, w1 = rng.uniform(-1, 1), rng.uniform(-1, 1)
    z = w0 * 1.0 + w1 * -2.0
    assert y.data == pytest.approx(max(z, 0.0), rel=1e-15)
    slope = 1.0 if z > 0 else 0.0
    assert [v.grad for v in x] == pytest.approx([slope * w0, slope * w1], rel=1e-15)
    assert learner_draw_dot(y).source.count("shape=record") == len(build_topo(y))


# -- micrograd's demo: the moons, the SVM loss, 100 steps of SGD ----------------------

# What demo.ipynb printed: (step, loss, accuracy).
DEMO_PRINTED = [
    (0, 0.8958441028683222, 0.50),
    (1, 1.7235905336972022, 0.81),
    (10, 0.24507023853658053, 0.91),
    (40, 0.06016009895234464, 1.00),
    (50, 0.09875114765619622, 0.96),
    (99, 0.010978370135492717, 1.00),
]


def demo_moons():
    """The demo's data: scikit-learn's make_moons(n_samples=100, noise=0.1) after
    np.random.seed(1337), recomputed with numpy's legacy generator (the one seed() sets):
    the two half circles, shuffled by a permutation of the indices, then Gaussian noise."""
    np = pytest.importorskip("numpy")
    rs = np.random.RandomState(1337)
    half = 50
    t = np.linspace(0, np.pi, half)
    X = np.vstack([np.append(np.cos(t), 1 - np.cos(t)), np.append(np.sin(t), 1 - np.sin(t) - 0.5)]).T
    y = np.hstack([np.zeros(half, dtype=int), np.ones(half, dtype=int)])
    order = np.arange(2 * half)
    rs.shuffle(order)
    X, y = X[order], y[order]
    X = X + rs.normal(scale=0.1, size=X.shape)
    return X, y * 2 - 1


def test_micrograds_demo_reproduces_its_printed_losses_and_reaches_100_percent():
    X, y = demo_moons()
    random.seed(1337)
    model = MLP(2, [16, 16, 1])
    assert len(model.parameters()) == 337

    def loss():
        inputs = [list(map(Value, row)) for row in X]
        scores = list(map(model, inputs))
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        accuracy = [(yi > 0) == (si.data > 0) for yi, si in zip(y, scores)]
        return data_loss + reg_loss, sum(accuracy) / len(accuracy)

    printed = dict((k, (value, acc)) for k, value, acc in DEMO_PRINTED)
    for k in range(100):
        total, acc = loss()
        model.zero_grad()
        total.backward()
        for p in model.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        if k in printed:
            assert (total.data, acc) == pytest.approx(printed[k], rel=1e-12), k


# -- the lecture's own modules (tanh neurons, a random bias) over our Value ------------


class LectureNeuron:
    def __init__(self, nin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        return sum((wi * xi for wi, xi in zip(self.w, x)), self.b).tanh()

    def parameters(self):
        return [*self.w, self.b]


class LectureLayer:
    def __init__(self, nin, nout):
        self.neurons = [LectureNeuron(nin) for _ in range(nout)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class LectureMLP:
    def __init__(self, nin, nouts):
        sizes = [nin, *nouts]
        self.layers = [LectureLayer(sizes[i], sizes[i + 1]) for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def test_the_lectures_training_loop_matches_torch_step_by_step():
    torch = pytest.importorskip("torch")
    random.seed(0)
    net = LectureMLP(3, [4, 4, 1])
    layers = [
        (torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64, requires_grad=True),
         torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64, requires_grad=True))
        for layer in net.layers
    ]  # fmt: skip
    X, Y = torch.tensor(XS, dtype=torch.float64), torch.tensor(YS, dtype=torch.float64)
    for _ in range(20):
        ypred = [net(x) for x in XS]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(YS, ypred))
        for p in net.parameters():
            p.grad = 0.0
        loss.backward()
        for p in net.parameters():
            p.data += -0.1 * p.grad

        h = X
        for W, b in layers:
            h = torch.tanh(h @ W.T + b)
        torch_loss = ((h[:, 0] - Y) ** 2).sum()
        torch_loss.backward()
        with torch.no_grad():
            for W, b in layers:
                W -= 0.1 * W.grad
                b -= 0.1 * b.grad
                W.grad = b.grad = None
        assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    assert loss.data < 0.1  # the predictions have moved to the targets
