"""Rendering: pygraphviz's bundled Graphviz in-process, the system's `dot` program, or
`GraphvizNotFound`; the same picture whichever renders it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import chainrule.viz
import chainrule.viz.graph
from chainrule import Value, draw_dot
from chainrule.nn import MLP
from chainrule.viz import GraphvizNotFound, draw_network, graphviz_backend, save_svg
from chainrule.viz.render import render_svg
from tests import reference

graphviz = pytest.importorskip("graphviz")

ROOT = Path(__file__).parent.parent
SVG = "{http://www.w3.org/2000/svg}"
HAS_PYGRAPHVIZ = graphviz_backend().startswith("pygraphviz")
needs_pygraphviz = pytest.mark.skipif(
    not HAS_PYGRAPHVIZ, reason="needs pygraphviz (the viz extra, where a wheel exists)"
)
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot program on PATH")

# The seed graph by hand: z = 3*2 + 1 = 7, a = relu(7) = 7, L = (7 - 5)**2 = 4; dL/da = 2(a - y) = 4,
# relu'(7) = 1, so dL/dw = 4*x = 8, dL/dx = 4*w = 12, dL/db = 4, dL/dy = -4.
SEED_BOXES = {
    "x": ["x", "data", "2", "grad", "12"],
    "w": ["w", "data", "3", "grad", "8"],
    "b": ["b", "data", "1", "grad", "4"],
    "y": ["y", "data", "5", "grad", "-4"],
    "z": ["z", "data", "7", "grad", "4"],
    "a": ["a", "data", "7", "grad", "4"],
    "L": ["L", "data", "4", "grad", "1"],
}
# The local derivatives on the arrows into operations: d(wx)/dw = x = 2, d(wx)/dx = w = 3, the
# sum's and relu's 1s, d(a-y)/dy = -1 and d(L)/d(a-y) = 2*(a-y) = 4.
SEED_EDGE_LABELS = sorted(["2", "3", "1", "1", "1", "1", "-1", "4"])


def boxes(svg: str) -> dict[str, list[str]]:
    """Each node's texts, keyed by its first (a Value's label; an op's symbol)."""
    found = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "node":
            texts = [t.text for t in g.iter(f"{SVG}text") if t.text and t.text.strip()]
            found[texts[0]] = texts
    return found


def edge_labels(svg: str) -> list[str]:
    labels = []
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        if g.get("class") == "edge":
            labels += [t.text for t in g.iter(f"{SVG}text") if t.text and t.text.strip()]
    return sorted(labels)


def assert_seed_numbers(svg: str) -> None:
    found = boxes(svg)
    for label, texts in SEED_BOXES.items():
        assert found[label] == texts
    assert edge_labels(svg) == SEED_EDGE_LABELS


def content(svg: str) -> dict[tuple[str | None, str | None], list[tuple[list[str], list[tuple[str, ...]]]]]:
    """A rendered SVG without its positions: for each node, edge and cluster (by Graphviz name)
    and the graph itself (its legend), its texts in order and the set of its shapes' colours,
    widths and dashes. Graphviz 2.43 writes stroke="transparent" where 14 writes "none"."""

    def colour(c: str | None) -> str | None:
        return "none" if c == "transparent" else c

    found: dict[tuple[str | None, str | None], list[tuple[list[str], list[tuple[str, ...]]]]] = {}
    for g in ET.fromstring(svg).iter(f"{SVG}g"):
        kind, title = g.get("class"), g.find(f"{SVG}title")
        own = g.findall(f"{SVG}text") if kind == "graph" else list(g.iter(f"{SVG}text"))  # the legend only
        shapes = {
            (e.tag, *(str(colour(e.get(a))) for a in ("fill", "stroke", "stroke-width", "stroke-dasharray")))
            for e in (g if kind == "graph" else g.iter())
            if e.tag in (f"{SVG}path", f"{SVG}polygon", f"{SVG}ellipse", f"{SVG}polyline")
        }
        key = (kind, title.text if title is not None else None)
        found.setdefault(key, []).append(([t.text or "" for t in own], sorted(shapes)))
    return found


def seed_graph() -> Value:
    return reference.seed_example(labels=("wx", "z", "a", "a-y", "L"), backward=True)["L"]


def mlp_loss(sizes: list[int]) -> tuple[MLP, Value]:
    model = MLP(2, sizes, seed=0)
    loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
    loss.backward()
    return model, loss


# -- every drawing without `dot` ------------------------------------------------------------

EVERY_DRAWING = """
import shutil, sys
from pathlib import Path
from chainrule import Value
from chainrule.cli import main
from chainrule.data import make_moons
from chainrule.nn import MLP
from chainrule.optim import SGD
from chainrule.viz import (NeuronPlayground, draw_dot, draw_network, graphviz_backend, save_network_stepper,
                           save_playground, save_stepper, save_svg)
from chainrule.viz.playground_widget import drawing_html
from chainrule.viz.render import render_svg
from tests import reference

assert shutil.which("dot") is None, "dot is on PATH"
print(graphviz_backend())
out = Path(sys.argv[1])
L = reference.seed_example(labels=("wx", "z", "a", "a-y", "L"), backward=True)["L"]
save_svg(L, out / "seed.svg")
(out / "inline.svg").write_text(draw_dot(L)._repr_mimebundle_()["image/svg+xml"], encoding="utf-8")
save_stepper(L, out / "stepper.html")
model = MLP(2, [3, 1], seed=0)
loss = (model([Value(0.5, "x0"), Value(-1.0, "x1")])[0] - 1.0) ** 2
loss.backward()
(out / "network.svg").write_text(render_svg(draw_network(model, loss)), encoding="utf-8")
X, y = make_moons(n=20, noise=0.1, seed=0)
save_network_stepper(model, X, y, out / "network.html", loss="hinge_loss",
                     optimizer=SGD(model.parameters(), lr=0.1), steps=2)
save_playground(out / "playground.html")
(out / "widget.html").write_text(drawing_html(NeuronPlayground()), encoding="utf-8")
sys.exit(main(["demo", "--out", str(out / "demo"), "--steps", "2", "--quiet"]))
"""


@needs_pygraphviz
def test_every_drawing_and_page_renders_with_no_dot_on_path(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    run = subprocess.run(
        [sys.executable, "-c", EVERY_DRAWING, str(tmp_path)],
        env={**os.environ, "PATH": str(empty), "MPLBACKEND": "Agg"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("pygraphviz ")
    assert run.stderr == ""  # no Graphviz warnings, and not the wheel's fontconfig noise
    assert_seed_numbers((tmp_path / "seed.svg").read_text(encoding="utf-8"))
    assert_seed_numbers((tmp_path / "inline.svg").read_text(encoding="utf-8"))
    network = boxes((tmp_path / "network.svg").read_text(encoding="utf-8"))
    assert {"x0", "x1"} <= set(network)
    for page in ("stepper.html", "network.html", "playground.html", "widget.html"):
        text = (tmp_path / page).read_text(encoding="utf-8")
        assert text.count("<svg") >= 1 and 'class="node"' in text, page
    demo = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert demo == ["boundary.png", "graph.svg", "loss.png", "network.html", "playground.html", "stepper.html"]
    assert run.stdout.splitlines()[1:] == [
        str(tmp_path / "demo" / name)
        for name in ("graph.svg", "stepper.html", "playground.html", "network.html", "loss.png", "boundary.png")
    ]
    assert_seed_numbers((tmp_path / "demo" / "graph.svg").read_text(encoding="utf-8"))


# -- the same picture both ways --------------------------------------------------------------


def drawings() -> dict[str, graphviz.Digraph]:
    model, loss = mlp_loss([4, 4, 1])
    return {
        "seed graph": draw_dot(seed_graph()),
        "MLP, grouped by Module": draw_dot(loss, group=True, color_grads=True),
        "network view": draw_network(model, loss),
    }


@needs_pygraphviz
@needs_dot
@pytest.mark.parametrize("name", ["seed graph", "MLP, grouped by Module", "network view"])
def test_bundled_and_system_graphviz_draw_the_same_nodes_edges_and_texts(name, monkeypatch):
    drawing = drawings()[name]
    bundled = render_svg(drawing)
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    system = render_svg(drawing)
    assert "Generated by graphviz version 14" in bundled
    assert re.search(r"Generated by graphviz version (\S+)", system)[1] in graphviz_backend()
    # Positions differ between Graphviz versions; what is drawn does not.
    assert content(bundled) == content(system)
    assert len(content(bundled)) > 20


# -- the system path ----------------------------------------------------------------------


@needs_dot
def test_without_pygraphviz_the_dot_program_renders(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pygraphviz", None)  # as where no wheel exists
    said = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=True).stderr
    backend = graphviz_backend()
    assert backend.startswith(f"the `dot` program at {shutil.which('dot')}") and said.strip() in backend
    svg = save_svg(seed_graph(), tmp_path / "seed.svg").read_text(encoding="utf-8")
    version = re.search(r"Generated by graphviz version (\S+)", svg)[1]
    assert f"version {version}" in said
    assert_seed_numbers(svg)


# -- neither -------------------------------------------------------------------------------


def test_without_either_graphviz_not_found_says_pip_first_then_the_system_route(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "pygraphviz", None)
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot`
    assert graphviz_backend().startswith("none")
    with pytest.raises(GraphvizNotFound) as raised:
        save_svg(seed_graph(), tmp_path / "never.svg")
    advice = str(raised.value)
    steps = ["pip install 'chainrule[viz]'", "sudo apt-get install graphviz", "brew install graphviz"]
    assert -1 not in [advice.find(s) for s in steps]
    assert [advice.find(s) for s in steps] == sorted(advice.find(s) for s in steps)
    assert not (tmp_path / "never.svg").exists()
    # Importable where it always was, as well as from its new module.
    assert chainrule.viz.GraphvizNotFound is chainrule.viz.graph.GraphvizNotFound is GraphvizNotFound


# -- Graphviz's errors and warnings ----------------------------------------------------------

BACKENDS = [
    pytest.param("pygraphviz", marks=needs_pygraphviz),
    pytest.param("dot", marks=needs_dot),
]


def use(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if backend == "dot":
        monkeypatch.setitem(sys.modules, "pygraphviz", None)


def raw(body: str) -> graphviz.Digraph:
    graph = graphviz.Digraph()
    graph.body.append(body)
    return graph


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("body", "said"),
    [("a -> ", "syntax error in line 2"), ("a [label=<<b>x</i>>]", "mismatched tag in line 1")],
)
def test_dot_graphviz_refuses_raises_value_error_with_graphvizs_message(backend, body, said, monkeypatch):
    use(backend, monkeypatch)
    with pytest.raises(ValueError, match=f"render_svg: Graphviz .* refused the drawing's DOT:\n(.*\n)?.*{said}"):
        render_svg(raw(body))


@needs_pygraphviz
def test_in_process_warnings_reach_stderr_and_stderr_is_given_back(capfd):
    svg = render_svg(raw("a [color=nosuchcolor]; a -> b"))
    assert "<title>a&#45;&gt;b</title>" in svg
    os.write(2, b"written after\n")  # file descriptor 2 is the test's own again
    err = capfd.readouterr().err
    assert err == "Warning: nosuchcolor is not a known color.\nwritten after\n"


@needs_pygraphviz
def test_drawings_rendered_from_several_threads_are_those_rendered_one_by_one(capfd):
    graphs = [draw_dot(mlp_loss([n, 1])[1]) for n in (1, 2, 3, 4)] + [raw("a [color=nosuchcolor]")]
    alone = [render_svg(g) for g in graphs]
    capfd.readouterr()
    results: dict[int, list[str]] = {i: [] for i in range(len(graphs))}

    def render(i: int) -> None:
        for _ in range(4):
            results[i].append(render_svg(graphs[i]))

    threads = [threading.Thread(target=render, args=(i,)) for i in range(len(graphs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[i] == [alone[i]] * 4 for i in range(len(graphs)))
    os.write(2, b"written after\n")
    err = capfd.readouterr().err.splitlines()
    # The warning came out once per render of the graph that caused it, and nothing was lost.
    assert err == ["Warning: nosuchcolor is not a known color."] * 4 + ["written after"]
