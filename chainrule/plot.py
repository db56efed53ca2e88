"""Plots for training: `loss_curve(history)` and `decision_boundary(model, X, y)`.

Each returns a matplotlib `Figure`. Jupyter shows it as a PNG when it is a cell's value;
in a script nothing appears on screen (no window opens): write it with
`fig.savefig("loss.png")` and open the file. The figures are made with matplotlib's
object API, not pyplot, so they touch no global state and work on any backend.
matplotlib is an optional extra: `pip install 'chainrule[notebooks]'`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

from .compiler import compile
from .engine import Number
from .engine.checks import int_at_least

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .nn import History, Module

__all__ = ["decision_boundary", "loss_curve"]

# matplotlib's "tab10" colours: one per class.
_COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def loss_curve(history: History) -> Figure:
    """The training loss per epoch and, when the loss defines one, the accuracy (right axis).

    `history` is what `chainrule.nn.fit` returns.
    """
    figure_class = _figure_class()
    fig = figure_class(figsize=(6.0, 3.5), layout="constrained")
    ax = fig.add_subplot()
    epochs = range(1, len(history.loss) + 1)
    ax.plot(epochs, history.loss, color=_COLORS[0], label="loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss", color=_COLORS[0])
    ax.set_ylim(bottom=0.0)
    if history.accuracy is not None:
        acc = ax.twinx()
        acc.plot(epochs, history.accuracy, color=_COLORS[1], label="accuracy")
        acc.set_ylabel("accuracy", color=_COLORS[1])
        acc.set_ylim(0.0, 1.02)
    ax.set_title("training loss" + (" and accuracy" if history.accuracy is not None else ""))
    return fig


def decision_boundary(
    model: Module,
    X: Sequence[Sequence[Number]],  # noqa: N803 - X, y: the usual names for samples and labels
    y: Sequence[int | float],
    *,
    resolution: int = 100,
) -> Figure:
    """The model's predicted class over the plane, with the samples on top, coloured by label,
    and a legend of the classes.

    For a model with one output the predicted class is 1 where the output is > 0
    and 0 elsewhere (labels 0/1 or -1/+1 are coloured to match); for k outputs it
    is the index of the largest. The model is evaluated on a `resolution` x
    `resolution` grid covering the data with a margin, as `chainrule.compile`'s code (the
    eager forward pass's numbers; eager for a model compile refuses), keeping no graph; each class's
    region is filled between the grid points (contours of the outputs, not squares),
    and a black line marks where the prediction changes.

        >>> fig = decision_boundary(model, X, y)   # doctest: +SKIP
        >>> fig.savefig("boundary.png")            # in a script: nothing shows until saved

    Raises ValueError when X and y differ in length or are empty, when a sample has
    other than 2 features, or for a resolution < 2 (TypeError when it is not an int).
    """
    figure_class = _figure_class()
    if len(X) != len(y) or not X:
        raise ValueError(f"decision_boundary: {len(X)} samples but {len(y)} labels (need at least one sample)")
    if any(len(row) != 2 for row in X):
        raise ValueError("decision_boundary: every sample must have 2 features (x1, x2)")
    int_at_least(resolution, 2, "decision_boundary", "resolution")
    gx = _axis([float(row[0]) for row in X], resolution)
    gy = _axis([float(row[1]) for row in X], resolution)
    # The grid runs as chainrule.compile's code: the eager numbers to the bit (eager for a model
    # compile refuses). One output may come as a list of one or, from micrograd's MLP, alone.
    flat = compile(model).numbers([[a, b] for b in gy for a in gx], eager_fallback=True)
    cells: list[list[float]] = [list(out) if isinstance(out, (list, tuple)) else [out] for out in flat]
    outputs = [cells[r * len(gx) : (r + 1) * len(gx)] for r in range(len(gy))]
    single = len(outputs[0][0]) == 1
    colors = [(1 if label > 0 else 0) if single else int(label) for label in y]
    k = max(2 if single else len(outputs[0][0]), max(colors) + 1)
    palette = [_COLORS[i % len(_COLORS)] for i in range(k)]

    fig = figure_class(figsize=(5.0, 4.5), layout="constrained")
    ax = fig.add_subplot()
    # Where class c wins: its output above every other (for one output: 2 * score above 0).
    for c in range(len(outputs[0][0]) if not single else 2):
        margin = [[_margin(out, c) for out in row] for row in outputs]
        top = max(max(row) for row in margin)
        if top > 0:
            ax.contourf(gx, gy, margin, levels=[0.0, top + 1.0], colors=[palette[c]], alpha=0.3)
            ax.contour(gx, gy, margin, levels=[0.0], colors="black", linewidths=0.8)
    ax.scatter(
        [row[0] for row in X],
        [row[1] for row in X],
        c=[palette[c] for c in colors],
        edgecolors="black",
        linewidths=0.5,
        s=20,
    )
    _legend(ax, y, colors, palette)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title("decision boundary")
    return fig


def _margin(out: list[float], c: int) -> float:
    """How far class c wins at one point: > 0 where it is predicted. One output is the
    score of class 1 against 0 (predicted where > 0)."""
    if len(out) == 1:
        return out[0] if c == 1 else -out[0]
    return out[c] - max(v for j, v in enumerate(out) if j != c)


def _legend(ax: Any, y: Sequence[int | float], colors: list[int], palette: list[str]) -> None:
    """One entry per label in y, in the colour of its class."""
    from matplotlib.lines import Line2D

    shown: dict[int, str] = {}
    for label, c in sorted(zip(y, colors), key=lambda pair: pair[1]):
        shown.setdefault(c, f"class {label:g}")
    handles = [
        Line2D([], [], marker="o", linestyle="", markerfacecolor=palette[c], markeredgecolor="black", label=text)
        for c, text in shown.items()
    ]
    ax.legend(handles=handles, loc="best", framealpha=0.8)


def _axis(values: list[float], resolution: int) -> list[float]:
    lo, hi = min(values), max(values)
    margin = 0.1 * (hi - lo) or 0.5
    lo, hi = lo - margin, hi + margin
    return [lo + (hi - lo) * i / (resolution - 1) for i in range(resolution)]


def _figure_class() -> type[Figure]:
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ImportError(
            "chainrule.plot needs matplotlib, which is not installed: pip install 'chainrule[notebooks]'"
        ) from exc
    return _shown(Figure)


@cache
def _shown(base: type[Figure]) -> type[Figure]:
    class ShownFigure(base):  # type: ignore[valid-type,misc]  # a class made at run time
        """A Figure that Jupyter shows as a PNG; a bare Figure made without pyplot shows
        only its repr unless pyplot's inline backend happens to be active."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", bbox_inches="tight")
            return buffer.getvalue()

    return ShownFigure
