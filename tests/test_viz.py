"""Drawings rendered through the real Graphviz `dot` to SVG, then read back with xml.etree.

Expected numbers are worked by hand (the seed example x=2, w=3, b=1, y=5,
L = (relu(w*x + b) - y)**2) or read from the model's own names, never from the drawing code.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import pairwise
from pathlib import Path

import pytest

import chainrule
from chainrule import Value, draw_dot
from chainrule.engine import topological_order
from chainrule.nn import MLP, Neuron
from chainrule.notation import format_number, op_symbol
from chainrule.viz import GraphvizNotFound, save_svg
from chainrule.viz.graph import render_svg
from tests import reference

SVG = "{http://www.w3.org/2000/svg}"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


# -- reading an SVG back -------------------------------------------------------------


class Drawing:
    """The parts of a rendered SVG a test looks at, by Graphviz name (v3, op5, v3->op5, cluster_0)."""

    def __init__(self, svg: str) -> None:
        self.root = ET.fromstring(svg)
        self.nodes: dict[str, ET.Element] = {}
        self.edges: dict[str, list[ET.Element]] = {}
        self.clusters: dict[str, ET.Element] = {}
        for g in self.root.iter(f"{SVG}g"):
            title = g.find(f"{SVG}title")
            name = title.text if title is not None else None
            kind = g.get("class")
            if kind == "node":
                self.nodes[name] = g
            elif kind == "edge":
                self.edges.setdefault(name, []).append(g)  # a parent used twice has two edges
            elif kind == "cluster":
                self.clusters[name] = g

    def legend_texts(self) -> list[str]:
        """Texts drawn directly in the graph (the legend is the graph's label)."""
        graph = self.root.find(f"{SVG}g")
        return [t.text or "" for t in graph.findall(f"{SVG}text")]

    def legend_strokes(self) -> set[str]:
        graph = self.root.find(f"{SVG}g")
        return {p.get("stroke") for p in graph.findall(f"{SVG}path")}

    def node_by_label(self, label: str) -> ET.Element:
        found = [g for g in self.nodes.values() if texts(g)[:1] == [label]]
        assert len(found) == 1, f"{len(found)} nodes labelled {label!r}"
        return found[0]

    def name_of(self, label: str) -> str:
        return self.node_by_label(label).find(f"{SVG}title").text


def texts(g: ET.Element) -> list[str]:
    return [t.text for t in g.iter(f"{SVG}text") if t.text and t.text.strip()]


def box_stroke(node: ET.Element) -> str:
    """The border colour of a Value's box (the outline path drawn with no fill)."""
    return next(p.get("stroke") for p in node.iter(f"{SVG}path") if p.get("fill") == "none")


def box_fill(node: ET.Element) -> str:
    return next(p.get("fill") for p in node.iter(f"{SVG}path") if p.get("fill") != "none")


def edge_width(edge: ET.Element) -> float:
    return float(edge.find(f"{SVG}path").get("stroke-width", "1"))


def text_points(g: ET.Element) -> list[tuple[float, float]]:
    return [(float(t.get("x")), float(t.get("y"))) for t in g.iter(f"{SVG}text")]


def bbox(cluster: ET.Element) -> tuple[float, float, float, float]:
    shape = cluster.find(f"{SVG}path")
    if shape is None:
        shape = cluster.find(f"{SVG}polygon")
    raw = shape.get("d") or shape.get("points")
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", raw)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


def inside(points: list[tuple[float, float]], box: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = box
    return all(x0 <= x <= x1 and y0 <= y <= y1 for x, y in points)


def rgb(color: str) -> tuple[int, int, int]:
    color = {"white": "#ffffff"}.get(color, color)
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


# -- graphs ------------------------------------------------------------------------


def seed_example() -> dict[str, Value]:
    return reference.seed_example(labels=("wx", "z", "a", "a-y", "L"), backward=True)


def mlp_graph(seed: int = 0) -> tuple[MLP, Value]:
    model = MLP(2, [4, 4, 1], seed=seed)
    out = model([Value(0.5, "x0"), Value(-1.0, "x1")])[0]
    loss = (out - 1.0) ** 2
    loss.label = "L"
    loss.backward()
    return model, loss


def node_name(root: Value, v: Value) -> str:
    """Nodes are named v0, v1, ... in the order the Values were made (draw_dot's docstring)."""
    return f"v{topological_order(root).index(v)}"


@pytest.fixture(scope="module")
def seed_drawing() -> tuple[dict[str, Value], Drawing]:
    nodes = seed_example()
    return nodes, Drawing(render_svg(draw_dot(nodes["L"])))


# -- boxes, numbers and local derivatives ----------------------------------------------


def test_each_value_shows_its_label_data_and_grad(seed_drawing):
    _, drawing = seed_drawing
    # Worked by hand: z = 3*2 + 1 = 7, L = (7 - 5)**2 = 4; dL/da = 2(a - y) = 4, da/dz = 1,
    # so dL/dw = 4*1*x = 8, dL/dx = 4*1*w = 12, dL/db = 4, dL/dy = -4.
    expected = {
        "x": ("2", "12"),
        "w": ("3", "8"),
        "b": ("1", "4"),
        "y": ("5", "-4"),
        "wx": ("6", "4"),
        "z": ("7", "4"),
        "a": ("7", "4"),
        "a-y": ("2", "4"),
        "L": ("4", "1"),
    }
    for label, (data, grad) in expected.items():
        assert texts(drawing.node_by_label(label)) == [label, "data", data, "grad", grad]


def test_each_op_gets_its_own_node_with_its_symbol(seed_drawing):
    _, drawing = seed_drawing
    ops = sorted(texts(g)[0] for name, g in drawing.nodes.items() if name.startswith("op"))
    assert ops == sorted(["\N{MULTIPLICATION SIGN}", "+", "ReLU", "\N{MINUS SIGN}", "x²"])


def test_edges_go_parent_to_op_to_result_labelled_with_local_derivatives(seed_drawing):
    _, drawing = seed_drawing
    n = drawing.name_of
    op = {label: "op" + n(label)[1:] for label in ("wx", "z", "a", "a-y", "L")}
    # d(wx)/dw = x = 2, d(wx)/dx = w = 3, d(z)/d(wx) = d(z)/db = 1, relu'(7) = 1,
    # d(a-y)/da = 1, d(a-y)/dy = -1, d(L)/d(a-y) = 2*2 = 4.
    expected = {
        (n("w"), op["wx"]): "2",
        (n("x"), op["wx"]): "3",
        (n("wx"), op["z"]): "1",
        (n("b"), op["z"]): "1",
        (n("z"), op["a"]): "1",
        (n("a"), op["a-y"]): "1",
        (n("y"), op["a-y"]): "-1",
        (n("a-y"), op["L"]): "4",
    }
    for (tail, head), label in expected.items():
        [edge] = drawing.edges[f"{tail}->{head}"]
        assert texts(edge) == [label]
    for label, op_name in op.items():
        [edge] = drawing.edges[f"{op_name}->{n(label)}"]
        assert texts(edge) == []  # op -> result carries no number
    assert len(drawing.edges) == len(expected) + len(op)


def test_a_parent_used_twice_has_two_labelled_edges():
    p = Value(3.0, "p")
    sq = p * p
    sq.backward()
    drawing = Drawing(render_svg(draw_dot(sq)))
    edges = drawing.edges[f"{drawing.name_of('p')}->op1"]
    assert [texts(e) for e in edges] == [["3"], ["3"]]  # d(p*p)/dp = 3 + 3 = 6 = p.grad


def test_show_local_false_leaves_edges_unlabelled():
    drawing = Drawing(render_svg(draw_dot(seed_example()["L"], show_local=False)))
    assert all(texts(e) == [] for edges in drawing.edges.values() for e in edges)
    assert "local derivative d result / d input" not in drawing.legend_texts()


def test_numbers_have_four_significant_digits_everywhere():
    v = Value(1234.5678, "big") * Value(0.000123456, "small")
    v.label = "v"
    v.backward()
    drawing = Drawing(render_svg(draw_dot(v)))
    assert texts(drawing.node_by_label("big")) == ["big", "data", "1235", "grad", "0.0001235"]
    assert texts(drawing.node_by_label("v")) == ["v", "data", "0.1524", "grad", "1"]
    [edge] = drawing.edges[f"{drawing.name_of('small')}->op2"]
    assert texts(edge) == ["1235"]
    assert [format_number(x) for x in (-0.0, 1e-7, -2.5e6, float("inf"), float("nan"))] == [
        "0",
        "1e-07",
        "-2.5e+06",
        "inf",
        "nan",
    ]


def test_op_symbols():
    assert op_symbol("**2") == "x²"
    assert op_symbol("**-1") == "x⁻¹"
    assert op_symbol("**0.5") == "x^0.5"
    assert op_symbol("linear") == "Σ w·x + b"
    assert op_symbol("sigmoid") == "\N{GREEK SMALL LETTER SIGMA}"
    assert op_symbol("some_future_op") == "some_future_op"


def test_labels_are_escaped():
    v = Value(1.0, "<a & b>") * 2
    drawing = Drawing(render_svg(draw_dot(v)))
    assert texts(drawing.node_by_label("<a & b>"))[0] == "<a & b>"


def test_a_single_value_draws():
    drawing = Drawing(render_svg(draw_dot(Value(1.5, "only"))))
    assert texts(drawing.node_by_label("only")) == ["only", "data", "1.5", "grad", "0"]
    assert drawing.edges == {}


# -- node kinds and the legend ---------------------------------------------------------


def test_inputs_parameters_constants_and_output_are_styled_distinctly_and_explained():
    neuron = Neuron(2, "tanh", rng=random.Random(0))
    x = Value(0.5, "x")
    out = neuron([x, 2.0])  # the 2.0 becomes a constant leaf
    L = out * 3.0
    L.label = "L"
    L.backward()
    drawing = Drawing(render_svg(draw_dot(L)))
    names = {
        "input": [node_name(L, x)],
        "parameter": [node_name(L, p) for p in neuron.parameters()],
        "constant": [node_name(L, v) for v in topological_order(L) if v.is_constant],
        "output": [node_name(L, L)],
    }
    assert len(names["constant"]) == 2
    strokes = {kind: {box_stroke(drawing.nodes[n]) for n in ns} for kind, ns in names.items()}
    assert all(len(s) == 1 for s in strokes.values()), strokes  # one style per kind
    by_kind = {kind: box_stroke(drawing.nodes[ns[0]]) for kind, ns in names.items()}
    assert len(set(by_kind.values())) == 4, by_kind
    # The legend names every kind and draws a swatch in each kind's colour.
    legend = " ".join(drawing.legend_texts())
    for kind in ("input", "parameter", "constant", "output", "operation", "local derivative"):
        assert kind in legend
    assert set(by_kind.values()) <= drawing.legend_strokes()


def test_legend_lists_only_the_kinds_present(seed_drawing):
    _, drawing = seed_drawing
    legend = " ".join(drawing.legend_texts())
    assert "input" in legend and "output" in legend
    assert "parameter" not in legend and "constant" not in legend


# -- highlight and colours ---------------------------------------------------------------


def test_highlight_marks_every_path_to_the_root_and_dims_the_rest():
    nodes = seed_example()
    drawing = Drawing(render_svg(draw_dot(nodes["L"], highlight=nodes["w"])))
    n = drawing.name_of
    on_path = ["w", "wx", "z", "a", "a-y", "L"]  # w -> wx -> z -> a -> a-y -> L, by hand
    marked_edges = {(n(a), "op" + n(b)[1:]) for a, b in pairwise(on_path)}
    marked_edges |= {("op" + n(b)[1:], n(b)) for b in on_path[1:]}
    widths = {name: edge_width(e) for name, [e] in drawing.edges.items()}
    marked = {tuple(name.split("->")) for name, w in widths.items() if w > 1}
    assert marked == marked_edges
    mark = {box_stroke(drawing.node_by_label(label)) for label in on_path}
    dim = {box_stroke(drawing.node_by_label(label)) for label in ("x", "b", "y")}
    assert len(mark) == 1 and len(dim) == 1 and mark != dim
    # Off-path text is dimmed; the marked edges' local derivatives multiply to w.grad = 8.
    assert {t.get("fill") for t in drawing.node_by_label("b").iter(f"{SVG}text")} != {"#111827"}
    product = 1.0
    for tail, head in marked_edges:
        if tail.startswith("v"):
            [edge] = drawing.edges[f"{tail}->{head}"]
            product *= float(texts(edge)[0])
    assert product == nodes["w"].grad == 8.0
    assert "every path from w to the output" in drawing.legend_texts()


def test_highlight_takes_several_values_and_a_middle_node():
    nodes = seed_example()
    drawing = Drawing(render_svg(draw_dot(nodes["L"], highlight=[nodes["y"], nodes["z"]])))
    n = drawing.name_of
    marked = {name for name, [e] in drawing.edges.items() if edge_width(e) > 1}
    expected = {
        f"{n('z')}->op{n('a')[1:]}",
        f"op{n('a')[1:]}->{n('a')}",
        f"{n('a')}->op{n('a-y')[1:]}",
        f"{n('y')}->op{n('a-y')[1:]}",
        f"op{n('a-y')[1:]}->{n('a-y')}",
        f"{n('a-y')}->op{n('L')[1:]}",
        f"op{n('L')[1:]}->{n('L')}",
    }
    assert marked == expected  # z's own op (+) and everything before it stay dimmed


def test_highlight_rejects_values_outside_the_graph():
    nodes = seed_example()
    with pytest.raises(ValueError, match=r"highlight .*'stranger'.* is not in the graph"):
        draw_dot(nodes["L"], highlight=Value(1.0, "stranger"))
    with pytest.raises(TypeError, match="highlight takes Values, got float"):
        draw_dot(nodes["L"], highlight=[nodes["w"], 1.0])


def test_color_grads_fills_by_sign_and_magnitude():
    nodes = seed_example()
    drawing = Drawing(render_svg(draw_dot(nodes["L"], color_grads=True)))
    fill = {label: rgb(box_fill(drawing.node_by_label(label))) for label in ("x", "w", "y", "L")}
    # grads: x 12 (the largest), w 8, L 1, y -4.
    for label in ("x", "w", "L"):
        r, g, b = fill[label]
        assert r > b and r > g, (label, fill[label])
    r, g, b = fill["y"]
    assert b > r
    saturation = {label: max(c) - min(c) for label, c in fill.items()}
    assert saturation["x"] > saturation["w"] > saturation["L"] > 0
    zero = Value(1.0, "unused") * 0.0
    zero.label = "out"
    zero_drawing = Drawing(render_svg(draw_dot(zero, color_grads=True)))  # no backward: every grad 0
    assert rgb(box_fill(zero_drawing.node_by_label("out"))) == (255, 255, 255)


# -- modules as clusters -----------------------------------------------------------------


def test_group_draws_one_cluster_per_module_with_its_name_and_parameters_inside():
    model, loss = mlp_graph()
    drawing = Drawing(render_svg(draw_dot(loss, group=True)))
    titles = {texts(c)[0]: c for c in drawing.clusters.values()}
    expected = {"MLP"}
    for name, module in model.named_modules():
        path = name.replace(".neurons.", "].neurons[").replace("layers.", "layers[")
        if name:
            expected.add(f"{path}] ({type(module).__name__})")
    assert set(titles) == expected
    assert len(titles) == 1 + 3 + 9
    # Every parameter sits in its own neuron's box, which sits in its layer's box.
    for pname, p in model.named_parameters():
        layer, neuron = pname.split(".")[1], pname.split(".")[3]
        neuron_box = bbox(titles[f"layers[{layer}].neurons[{neuron}] (Neuron)"])
        assert inside(text_points(drawing.nodes[node_name(loss, p)]), neuron_box), pname
        assert inside([neuron_box[:2], neuron_box[2:]], bbox(titles[f"layers[{layer}] (Layer)"]))
        for other in range(4 if layer != "2" else 1):
            if str(other) != neuron:
                box = bbox(titles[f"layers[{layer}].neurons[{other}] (Neuron)"])
                assert not inside(text_points(drawing.nodes[node_name(loss, p)]), box)
    # Inputs and the loss were made outside any module.
    mlp_box = bbox(titles["MLP"])
    for label in ("x0", "x1", "L"):
        assert not inside(text_points(drawing.node_by_label(label)), mlp_box)
    assert "the Module whose forward pass made them" in drawing.legend_texts()


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_group_lays_out_layers_neurons_and_parameters_in_order(rankdir):
    model, loss = mlp_graph()
    drawing = Drawing(render_svg(draw_dot(loss, group=True, rankdir=rankdir)))
    titles = {texts(c)[0]: c for c in drawing.clusters.values()}
    across = 1 if rankdir in ("LR", "RL") else 0  # the axis a rank runs along: y for LR, x for TB

    def centre(box: tuple[float, float, float, float]) -> tuple[float, float]:
        return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2

    # Layers follow the data: left to right for LR, right to left for RL, and so on.
    flow = [centre(bbox(titles[f"layers[{l}] (Layer)"]))[1 - across] for l in range(3)]
    assert flow == sorted(flow, reverse=rankdir in ("RL", "BT"))
    for layer in model.layers:
        # Each neuron's parameters in order: w0, w1, ..., b (top to bottom, or left to right).
        for neuron in layer.neurons:
            params = [*neuron.w, neuron.b]
            spots = [text_points(drawing.nodes[node_name(loss, p)])[0][across] for p in params]
            assert spots == sorted(spots) and len(set(spots)) == len(spots), [p.label for p in params]


def test_group_tooltips_name_the_module_that_made_each_node():
    model, loss = mlp_graph()
    drawing = Drawing(render_svg(draw_dot(loss, group=True)))
    tips = {
        name: next(g.iter(f"{SVG}a")).get(XLINK_TITLE)
        for name, g in drawing.nodes.items()
        if g.find(f".//{SVG}a") is not None
    }
    neuron = model.layers[1].neurons[2]
    z = next(v for v in topological_order(loss) if v.op == "linear" and v.scope[-1] is neuron)
    assert tips[node_name(loss, z)].startswith("intermediate of layers[1].neurons[2] (Neuron)")
    assert tips[node_name(loss, neuron.w[3])].startswith("w3: parameter of layers[1].neurons[2] (Neuron)")
    assert tips[node_name(loss, loss)].startswith("L: output")  # made outside any module


def test_a_graph_past_max_nodes_is_refused_with_a_pointer_to_draw_network():
    model = MLP(2, [16, 16, 1], seed=0)
    loss = sum(((model([0.1 * i, -0.2 * i])[0] - 1) ** 2 for i in range(3)), Value(0.0))
    count = len(topological_order(loss))
    assert count > 500
    with pytest.raises(ValueError, match=rf"has {count} nodes, more than max_nodes=500.*draw_network\(model, root\)"):
        draw_dot(loss)
    assert "v0" in draw_dot(loss, max_nodes=None).source


def test_group_without_modules_draws_no_clusters(seed_drawing):
    nodes, _ = seed_drawing
    assert Drawing(render_svg(draw_dot(nodes["L"], group=True))).clusters == {}
    _, loss = mlp_graph()
    assert Drawing(render_svg(draw_dot(loss))).clusters == {}  # group is off by default


# -- determinism, options, errors -------------------------------------------------------------

_DOT_SOURCE = """
from chainrule import Value, draw_dot
from chainrule.nn import MLP
model = MLP(2, [4, 4, 1], seed=3)
xs = [Value(0.5, "x0"), Value(-1.0, "x1")]
loss = (model(xs)[0] - 1.0) ** 2
loss.backward()
print(draw_dot(loss, group=True, highlight=xs[0], color_grads=True).source)
"""


def test_the_same_graph_gives_the_same_dot_source():
    first = draw_dot(mlp_graph(seed=1)[1], group=True, color_grads=True).source
    second = draw_dot(mlp_graph(seed=1)[1], group=True, color_grads=True).source
    assert first == second
    assert draw_dot(mlp_graph(seed=2)[1], group=True).source != draw_dot(mlp_graph(seed=1)[1], group=True).source
    # Across processes too, whatever the hash seed (no set order, no id() in the output).
    sources = {
        subprocess.run(
            [sys.executable, "-c", _DOT_SOURCE],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(sources) == 1


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_rankdir_is_passed_to_graphviz(rankdir):
    graph = draw_dot(seed_example()["L"], rankdir=rankdir)
    assert f"rankdir={rankdir}" in graph.source
    ET.fromstring(render_svg(graph))


@pytest.mark.parametrize("rankdir", ["lr", "TD", "", "LEFT", None])
def test_rankdir_rejects_anything_else(rankdir):
    with pytest.raises(ValueError, match="draw_dot: rankdir must be one of 'LR', 'TB', 'RL', 'BT'"):
        draw_dot(seed_example()["L"], rankdir=rankdir)


def test_root_must_be_a_value():
    with pytest.raises(TypeError, match="draw_dot: root must be a Value, got float"):
        draw_dot(1.0)


def test_save_svg_writes_an_svg_file(tmp_path):
    nodes = seed_example()
    path = save_svg(nodes["L"], tmp_path / "loss.svg", highlight=nodes["w"], rankdir="TB")
    assert path == tmp_path / "loss.svg"
    drawing = Drawing(path.read_text(encoding="utf-8"))
    assert texts(drawing.node_by_label("w")) == ["w", "data", "3", "grad", "8"]


def test_jupyter_shows_the_drawing_inline():
    formatters = pytest.importorskip("IPython.core.formatters")
    data, _ = formatters.DisplayFormatter().format(draw_dot(seed_example()["L"]))
    ET.fromstring(data["image/svg+xml"])


def test_chainrule_exports_the_drawing_api():
    assert chainrule.draw_dot is draw_dot
    assert chainrule.viz.save_svg is save_svg
    assert issubclass(GraphvizNotFound, RuntimeError)


_WITHOUT_GRAPHVIZ = """
import sys
sys.modules["pygraphviz"] = None  # as if the viz extra had brought no Graphviz (no wheel here)
from chainrule import Value
from chainrule.viz import GraphvizNotFound, save_svg
try:
    save_svg(Value(1.0) * 2, "never.svg")
except GraphvizNotFound as exc:
    print(exc)
"""


def test_without_any_graphviz_save_svg_says_what_to_install(tmp_path):
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_GRAPHVIZ],
        env={**os.environ, "PATH": ""},  # and no `dot` program to be found
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("chainrule could not find Graphviz")
    hints = (
        "pip install 'chainrule[viz]'",
        "apt-get install graphviz",
        "brew install graphviz",
        "graphviz.org/download",
    )
    positions = [out.stdout.find(hint) for hint in hints]
    assert -1 not in positions and positions == sorted(positions)  # the wheel first, then the system's dot
    assert not (tmp_path / "never.svg").exists()


_WITHOUT_PACKAGE = """
import sys
sys.modules["graphviz"] = None  # as if it were not installed
import chainrule, chainrule.viz
from chainrule import Value
try:
    chainrule.draw_dot(Value(1.0))
except ImportError as exc:
    print(exc)
"""


def test_importing_needs_no_graphviz_and_drawing_names_the_extra():
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_PACKAGE], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    assert "pip install 'chainrule[viz]'" in out


def test_the_readme_example_runs(tmp_path):
    # The README's "Drawing graphs" example, run as written.
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Drawing graphs", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True, timeout=120)
    assert ET.parse(tmp_path / "neuron.svg").getroot().tag == f"{SVG}svg"
