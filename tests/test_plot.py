"""The plots: what each Figure shows, and the error without matplotlib."""

import random
import sys

import pytest

from chainrule import Value, no_grad
from chainrule.micrograd import nn as micro
from chainrule.nn import History, Module
from chainrule.plot import decision_boundary, loss_curve

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


class Plane(Module):
    """Scores that are linear in the inputs, so the boundary is known exactly."""

    def __init__(self, *rows):
        self.rows = rows
        self.unused = Value(0.0)

    def forward(self, x):
        return [Value(c) + a * x[0] + b * x[1] for a, b, c in self.rows]


def test_loss_curve_shows_loss_and_accuracy(tmp_path):
    history = History(loss=[1.0, 0.5, 0.25], accuracy=[0.5, 0.75, 1.0], wall_time=1.0)
    fig = loss_curve(history)
    assert isinstance(fig, Figure)
    loss_ax, acc_ax = fig.axes
    assert list(loss_ax.lines[0].get_xdata()) == [1, 2, 3]
    assert list(loss_ax.lines[0].get_ydata()) == history.loss
    assert list(acc_ax.lines[0].get_ydata()) == history.accuracy
    assert (loss_ax.get_xlabel(), loss_ax.get_ylabel(), acc_ax.get_ylabel()) == ("epoch", "loss", "accuracy")
    fig.savefig(tmp_path / "curve.png")  # renders without pyplot
    assert (tmp_path / "curve.png").stat().st_size > 0


def test_figures_show_in_jupyter_without_pyplot():
    # IPython displays an object through its _repr_png_; a bare Figure has none.
    png = loss_curve(History(loss=[2.0, 1.0]))._repr_png_()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 1000


def test_loss_curve_without_accuracy_has_one_axis():
    fig = loss_curve(History(loss=[2.0, 1.0]))
    assert len(fig.axes) == 1


TAB10 = ["#1f77b4", "#ff7f0e", "#2ca02c"]


def region_at(fig, x1, x2):
    """The class whose fill colours the plot at data point (x1, x2): the palette colour at
    30% over white nearest the rendered pixel."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig).draw()  # once per figure: the canvas keeps its pixels
    width, height = fig.canvas.get_width_height()
    pixels = fig.canvas.buffer_rgba()
    px, py = fig.axes[0].transData.transform((x1, x2))
    at = 4 * (int(height - py) * width + int(px))
    r, g, b = bytes(pixels)[at : at + 3]
    blends = [tuple(0.3 * 255 * c + 0.7 * 255 for c in to_rgba(hex_)[:3]) for hex_ in TAB10]
    return min(range(3), key=lambda k: sum((p - q) ** 2 for p, q in zip((r, g, b), blends[k])))


def test_decision_boundary_of_one_output_splits_at_zero(tmp_path):
    model = Plane((1.0, 0.0, -0.25))  # class 1 where x1 > 0.25
    X, y = [[-1.0, -1.0], [1.0, 1.0], [0.0, 0.5]], [0, 1, 0]
    fig = decision_boundary(model, X, y, resolution=12)
    # Filled regions, not squares: the boundary line is where the score is 0, x1 = 0.25, even
    # between the grid points (-1.2 + 2.4 i / 11 never hits 0.25).
    lines = [c for c in fig.axes[0].collections if type(c).__name__.endswith("ContourSet") and not c.filled]
    xs = {round(v[0], 9) for c in lines for path in c.get_paths() for v in path.vertices}
    assert xs == {0.25}
    for x1 in (-1.1, -0.5, 0.2, 0.3, 0.6, 1.1):
        for x2 in (-1.0, 0.0, 1.0):
            assert region_at(fig, x1, x2) == (1 if x1 > 0.25 else 0), (x1, x2)
    points = fig.axes[0].collections[-1]
    assert [tuple(c) for c in points.get_facecolors()] == [to_rgba(c) for c in ("#1f77b4", "#ff7f0e", "#1f77b4")]
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["class 0", "class 1"]
    assert [to_rgba(h.get_markerfacecolor()) for h in legend.legend_handles] == [to_rgba(c) for c in TAB10[:2]]
    fig.savefig(tmp_path / "boundary.png")


def test_labels_minus_one_and_one_are_named_in_the_legend():
    fig = decision_boundary(Plane((1.0, 0.0, 0.0)), [[-1.0, 0.0], [1.0, 0.0]], [-1, 1], resolution=4)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["class -1", "class 1"]


def test_decision_boundary_of_k_outputs_is_the_argmax():
    model = Plane((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 0.5))  # x1, x2, or the constant 0.5
    X, y = [[-1.0, -1.0], [1.0, 1.0]], [2, 0]
    fig = decision_boundary(model, X, y, resolution=9)
    for a in (-1.0, -0.3, 0.2, 0.8, 1.1):
        for b in (-1.0, -0.3, 0.2, 0.8, 1.1):
            scores = (a, b, 0.5)
            if sorted(scores)[-1] - sorted(scores)[-2] > 0.1:  # clear of a boundary
                assert region_at(fig, a, b) == scores.index(max(scores)), (a, b)
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["class 0", "class 2"]


class Kinked(Plane):
    """Plane's one score, doubled where it is negative: its graph reads the score's number, so
    compile refuses it and the grid runs eagerly."""

    def forward(self, x):
        (z,) = super().forward(x)
        return [z if z.data > 0 else z * 2.0]


def test_decision_boundary_of_a_model_compile_refuses_and_of_micrograds_mlp():
    X, y = [[-1.0, -1.0], [1.0, 1.0], [0.0, 0.5]], [0, 1, 0]
    with no_grad():  # compile traces with a graph, so inside no_grad the grid runs eagerly too
        figs = [decision_boundary(Plane((1.0, 0.0, -0.25)), X, y, resolution=12)]
    figs.append(decision_boundary(Kinked((1.0, 0.0, -0.25)), X, y, resolution=12))
    for fig in figs:
        for x1 in (-1.1, -0.5, 0.1, 0.4, 0.6, 1.1):
            for x2 in (-1.0, 0.0, 1.0):
                assert region_at(fig, x1, x2) == (1 if x1 > 0.25 else 0), (x1, x2)
    random.seed(3)
    model = micro.MLP(2, [4, 1])  # its one output comes alone, not in a list
    fig = decision_boundary(model, X, y, resolution=30)
    checked = []
    for x1 in (-1.1, -0.6, -0.1, 0.4, 0.9):
        for x2 in (-1.1, -0.6, -0.1, 0.4, 0.9, 1.1):
            out = model([x1, x2]).data  # the eager forward pass, point by point
            if abs(out) > 0.05:  # clear of the boundary
                assert region_at(fig, x1, x2) == (1 if out > 0 else 0), (x1, x2, out)
                checked.append(out > 0)
    assert len(checked) >= 20 and any(checked) and not all(checked)  # both classes seen


def test_decision_boundary_rejects_bad_input():
    model = Plane((1.0, 0.0, 0.0))
    with pytest.raises(ValueError, match="2 features"):
        decision_boundary(model, [[1.0, 2.0, 3.0]], [0])
    with pytest.raises(ValueError, match="1 samples but 2 labels"):
        decision_boundary(model, [[1.0, 2.0]], [0, 1])
    with pytest.raises(ValueError, match="resolution"):
        decision_boundary(model, [[1.0, 2.0]], [0], resolution=1)
    with pytest.raises(TypeError, match="decision_boundary: resolution must be an int >= 2, got float"):
        decision_boundary(model, [[1.0, 2.0]], [0], resolution=10.0)


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebooks\]'"):
        loss_curve(History(loss=[1.0]))
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[notebooks\]'"):
        decision_boundary(Plane((1.0, 0.0, 0.0)), [[0.0, 0.0]], [0])
