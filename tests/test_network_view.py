"""`draw_network` rendered through the real Graphviz `dot` and read back from the SVG.

Expected numbers are worked here with plain floats from the model's weights, and names come
from `named_parameters()`, never from the drawing code.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from chainrule.data import make_moons
from chainrule.nn import MLP, mse_loss
from chainrule.notation import format_number
from chainrule.viz import draw_network
from chainrule.viz.graph import render_svg
from chainrule.viz.network.view import edge_width

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


class Picture:
    """The nodes and edges of a rendered network, by Graphviz name (n0_1, x0:e->n0_1:w)."""

    def __init__(self, svg: str) -> None:
        self.svg = svg
        self.root = ET.fromstring(svg)
        self.nodes: dict[str, ET.Element] = {}
        self.edges: dict[str, ET.Element] = {}
        for g in self.root.iter(f"{SVG}g"):
            title = g.find(f"{SVG}title")
            if g.get("class") == "node":
                self.nodes[title.text] = g
            elif g.get("class") == "edge":
                self.edges[title.text.replace(":e", "").replace(":w", "")] = g

    def rows(self, name: str) -> dict[str, str]:
        """A node's (row name -> value) pairs, after its heading."""
        texts = [t.text for t in self.nodes[name].iter(f"{SVG}text")]
        return dict(zip(texts[1::2], texts[2::2]))

    def tooltip(self, element: ET.Element) -> str:
        return next(a.get(XLINK_TITLE) for a in element.iter(f"{SVG}a"))

    def stroke(self, edge: str) -> tuple[str, float]:
        path = self.edges[edge].find(f".//{SVG}path")
        return path.get("stroke"), float(path.get("stroke-width", "1"))


def tail(l: int, j: int) -> str:
    return f"x{j}" if l == 0 else f"n{l - 1}_{j}"


def test_one_node_per_input_and_neuron_and_one_edge_per_weight():
    model = MLP(3, [4, 2, 1], seed=1)
    picture = Picture(render_svg(draw_network(model)))
    neurons = {f"n{l}_{k}" for l, size in enumerate([4, 2, 1]) for k in range(size)}
    assert {n for n in picture.nodes if not n.startswith("title_")} == {"x0", "x1", "x2"} | neurons
    expected = {
        f"{tail(l, j)}->n{l}_{k}"
        for l, layer in enumerate(model.layers)
        for k in range(layer.nout)
        for j in range(layer.nin)
    }
    assert set(picture.edges) == expected and len(expected) == 3 * 4 + 4 * 2 + 2
    # Without a graph a neuron shows its bias only.
    model.layers[1].neurons[1].b.data = 0.125
    assert Picture(render_svg(draw_network(model))).rows("n1_1") == {"b": "0.125"}


def test_columns_run_left_to_right_in_neuron_order():
    picture = Picture(render_svg(draw_network(MLP(2, [5, 3, 1], seed=0))))

    def centre(name: str) -> tuple[float, float]:
        text = next(picture.nodes[name].iter(f"{SVG}text"))
        return float(text.get("x")), float(text.get("y"))

    for l, size in enumerate([5, 3, 1]):
        xs = {round(centre(f"n{l}_{k}")[0]) for k in range(size)}
        ys = [centre(f"n{l}_{k}")[1] for k in range(size)]
        assert len(xs) == 1 and ys == sorted(ys)  # one column, neuron 0 on top
        assert min(xs) > centre("x0")[0] if l == 0 else min(xs) > centre(f"n{l - 1}_0")[0]


def test_edge_colour_is_the_sign_and_width_the_size():
    model = MLP(2, [3, 1], seed=4)
    weights = {
        f"{tail(l, j)}->n{l}_{k}": w.data
        for l, layer in enumerate(model.layers)
        for k, n in enumerate(layer.neurons)
        for j, w in enumerate(n.w)
    }
    picture = Picture(render_svg(draw_network(model)))
    strokes = {edge: picture.stroke(edge) for edge in weights}
    colours = {edge: c for edge, (c, _) in strokes.items()}
    assert {colours[e] for e, w in weights.items() if w > 0} == {"#0d9488"}
    assert {colours[e] for e, w in weights.items() if w < 0} == {"#ea580c"}
    by_size = sorted(weights, key=lambda e: abs(weights[e]))
    widths = [strokes[e][1] for e in by_size]
    assert widths == sorted(widths) and widths[0] < widths[-1]
    legend = " ".join(t.text or "" for t in picture.root.find(f"{SVG}g").findall(f"{SVG}text"))
    assert "positive weight" in legend and "negative weight" in legend
    assert format_number(max(abs(w) for w in weights.values())) in legend


def test_a_weight_that_is_not_finite_is_drawn_thinnest():
    assert [edge_width(w, 2.0) for w in (0.0, 1.0, -2.0, 5.0)] == [0.4, 2.2, 4.0, 4.0]  # 0.4 + 3.6 · min(|w|/2, 1)
    assert [edge_width(w, 2.0) for w in (math.nan, math.inf, -math.inf)] == [0.4, 0.4, 0.4]
    model = MLP(2, [3, 1], seed=4)
    model.layers[0].neurons[1].w[0].data = math.nan  # as a diverged run leaves it
    model.layers[1].neurons[0].w[2].data = math.inf
    picture = Picture(render_svg(draw_network(model)))
    assert picture.stroke("x0->n0_1")[1] == picture.stroke("n0_2->n1_0")[1] == 0.4


def by_hand(
    model: MLP, x: list[float], y: float
) -> tuple[list[list[float]], list[list[float]], list[list[list[float]]]]:
    """z, δ and dLoss/dW of a relu MLP with a linear output on one sample, Loss = (O - y)²."""
    W = [[[w.data for w in n.w] for n in layer.neurons] for layer in model.layers]
    B = [[n.b.data for n in layer.neurons] for layer in model.layers]
    a, zs, acts = x, [], [x]
    for l, (Wl, bl) in enumerate(zip(W, B)):
        z = [sum(w * ai for w, ai in zip(row, a)) + b for row, b in zip(Wl, bl)]
        a = z if l == len(W) - 1 else [max(v, 0.0) for v in z]
        zs.append(z)
        acts.append(a)
    deltas = [None] * len(W)
    deltas[-1] = [2 * (a[0] - y)]
    for l in range(len(W) - 2, -1, -1):
        back = [sum(W[l + 1][k][j] * deltas[l + 1][k] for k in range(len(W[l + 1]))) for j in range(len(W[l]))]
        deltas[l] = [g * (1.0 if z > 0 else 0.0) for g, z in zip(back, zs[l])]
    grads = [[[d * ai for ai in acts[l]] for d in deltas[l]] for l in range(len(W))]
    return zs, deltas, grads


def test_with_a_graph_each_neuron_shows_z_a_and_after_backward_delta():
    model = MLP(2, [3, 2, 1], seed=5)
    x, y = [0.8, -0.4], 0.3
    loss = mse_loss([model(x)[0]], [y])
    zs, deltas, grads = by_hand(model, x, y)
    before = Picture(render_svg(draw_network(model, loss)))
    assert before.rows("x1") == {"x": "-0.4"}
    assert set(before.rows("n0_0")) == {"z", "a", "b"}  # no δ before backward
    loss.backward()
    picture = Picture(render_svg(draw_network(model, loss)))
    names = [name for name, _ in model.named_parameters()]
    for l, layer in enumerate(model.layers):
        for k in range(layer.nout):
            rows = picture.rows(f"n{l}_{k}")
            assert rows["z"] == format_number(zs[l][k])
            assert rows["a"] == format_number(zs[l][k] if l == 2 else max(zs[l][k], 0.0))
            assert rows["δ"] == format_number(deltas[l][k])
            for j in range(layer.nin):
                tip = picture.tooltip(picture.edges[f"{tail(l, j)}->n{l}_{k}"])
                name, value, grad = re.fullmatch(r"(\S+) = (\S+)\ndLoss/dw = (\S+)", tip).groups()
                assert name == f"layers.{l}.neurons.{k}.w.{j}" and name in names
                assert value == format_number(model.layers[l].neurons[k].w[j].data)
                assert grad == format_number(grads[l][k][j])
    assert "layers.1.neurons.0 (relu)" in picture.tooltip(picture.nodes["n1_0"])


def test_the_sample_chooses_the_values_shown():
    model = MLP(2, [2, 1], seed=0)
    X = [[1.0, 2.0], [-3.0, 0.5]]
    loss = mse_loss([model(x)[0] for x in X], [0.0, 1.0])
    assert Picture(render_svg(draw_network(model, loss, sample=1))).rows("x0") == {"x": "-3"}
    with pytest.raises(IndexError, match="sample 2 is out of range"):
        draw_network(model, loss, sample=2)


def test_same_model_same_source_and_a_big_mlp_fits_a_notebook_cell():
    X, y = make_moons(20, seed=0)
    sources, svgs = [], []
    for _ in range(2):
        model = MLP(2, [16, 16, 1], seed=0)
        loss = mse_loss([model(x)[0] for x in X], y)
        loss.backward()
        graph = draw_network(model, loss)
        sources.append(graph.source)
        svgs.append(render_svg(graph))
    assert sources[0] == sources[1] and svgs[0] == svgs[1]
    picture = Picture(svgs[0])
    assert len(picture.edges) == 2 * 16 + 16 * 16 + 16
    width = float(re.search(r'<svg width="([\d.]+)pt"', svgs[0]).group(1))
    assert width <= 9.5 * 72  # a notebook cell is about 10 inches wide
    assert draw_network(MLP(2, [16, 16, 1], seed=1)).source != draw_network(MLP(2, [16, 16, 1], seed=0)).source


def test_rankdir_and_bad_arguments():
    model = MLP(2, [2, 1], seed=0)
    assert "rankdir=TB" in draw_network(model, rankdir="TB").source
    with pytest.raises(ValueError, match="draw_network: rankdir must be one of"):
        draw_network(model, rankdir="up")
    with pytest.raises(TypeError, match="draw_network: model is a list"):
        draw_network([1.0])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not built by this MLP"):
        draw_network(model, MLP(2, [2, 1], seed=1)([1.0, 1.0])[0])
