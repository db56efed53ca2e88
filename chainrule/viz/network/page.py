"""The network stepper: an MLP trained step by step on a self-contained web page.

`NetworkStepper(model, X, y, loss=..., optimizer=...)` shows the page inline in Jupyter;
`save_network_stepper(...)` (or `.save(path)`) writes it to one HTML file that works
offline. For each of `steps` real training steps (full batch) the page shows, on the
network drawn by `draw_network`:

1. the forward pass, layer by layer: each neuron's z and a appear, in blue;
2. the loss;
3. the backward pass, layer by layer from the output: each neuron's δ = dLoss/dz appears,
   in red, with one neuron's δ written out in numbers from the next layer's δ;
4. the update: every weight moves (`optimizer.step()`); arrows change width and colour,
   and the largest changes are named with their values before and after.

For 2-D inputs a panel shows the decision boundary after each step and the loss so far.
Buttons `forward`, `backward` and `train-step` jump to the end of the next forward pass,
backward pass or update; `prev`, `next`, `play` (at the speed chosen) and the arrow keys
step one frame. Every number is the engine's, recorded when the page is made; the page's
script only shows them. Its files are `chainrule/viz/pages/assets/network.*`.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from string import Template
from typing import Any

from ...nn import Module
from ...notation import format_number
from ...optim import Optimizer
from ..graph import render_svg
from ..pages import Page, inline_svg, page_asset, script_json, svg_height_px, widest
from .recording import GRID, Recording, StepRecord, record_training
from .view import NeuronText, edge_width, network_graph, weight_color

__all__ = ["NetworkStepper", "save_network_stepper"]

_PENDING = "?"


class NetworkStepper(Page):
    """A page that trains a copy of `model` for `steps` steps and shows each, layer by layer.

    The model and optimizer you pass are left as they are: the page trains deep copies
    of both (the optimizer's state included), so making one twice gives the same page.
    `.model` is the trained copy. Each step is full batch: the model on every sample of
    `X`, the loss (`loss`: a name in `chainrule.nn.LOSSES`, as for `fit`, or a callable
    `loss(outputs, y)`), `zero_grad`, `backward`, `optimizer.step()`. The drawing shows
    the values of sample number `sample`. `.html` is the page; `.save(path)` writes it.

        >>> X, y = make_moons(100, seed=0)
        >>> model = MLP(2, [16, 16, 1], seed=0)
        >>> NetworkStepper(model, X, y, loss="hinge_loss", optimizer=SGD(model.parameters(), lr=0.1))  # doctest: +SKIP
    """

    _title = "chainrule network stepper"

    def __init__(
        self,
        model: Module,
        X: Sequence[Sequence[float]],  # noqa: N803 - X, y: the usual names for samples and labels
        y: Sequence[Any],
        *,
        loss: str | Callable[..., Any],
        optimizer: Optimizer,
        steps: int = 5,
        sample: int = 0,
    ) -> None:
        run = record_training(model, X, y, loss=loss, optimizer=optimizer, steps=steps, sample=sample)
        self.model = run.model
        self.frames = 1 + steps * (2 * len(run.layers) + 2)
        self.html: str = _page(run, _panel(X, y, run.bounds))
        # Room for the drawing (the side panels are shorter), the controls, caption and equation.
        self._height = max(640, round(svg_height_px(self.html)) + 320)

    def __repr__(self) -> str:
        return f"NetworkStepper({type(self.model).__name__}, {self.frames} frames)"


def save_network_stepper(
    model: Module,
    X: Sequence[Sequence[float]],  # noqa: N803
    y: Sequence[Any],
    path: str | os.PathLike[str],
    *,
    loss: str | Callable[..., Any],
    optimizer: Optimizer,
    steps: int = 5,
    sample: int = 0,
) -> Path:
    """Write a `NetworkStepper` page to `path` and return the path; `model` is left untrained.

    >>> save_network_stepper(model, X, y, "training.html", loss="hinge_loss", optimizer=opt)  # doctest: +SKIP
    PosixPath('training.html')
    """
    return NetworkStepper(model, X, y, loss=loss, optimizer=optimizer, steps=steps, sample=sample).save(path)


# -- the frames ----------------------------------------------------------------------


def _frames(
    layers: list[tuple[str, Any]], records: list[StepRecord], loss_name: str, sample: int
) -> list[dict[str, Any]]:
    """The start, then per step: forward per layer, the loss, backward per layer, the update."""
    n = len(layers)
    frames: list[dict[str, Any]] = [
        _frame("start", 0, -1, "Before training: the weights as the model starts. Next runs the forward pass.", [])
    ]
    for s, r in enumerate(records):
        for i, (name, layer) in enumerate(layers):
            caption = (
                f"Step {s + 1}, forward pass: {name} computes z = W a(prev) + b and a = {layer.activation}(z) "
                f"for its {layer.nout} neurons (shown for sample {sample})."
            )
            end = "forward" if i == n - 1 else ""
            frames.append(_frame("forward", s, i, caption, r.forward_lines[i], end=end, focus=f"n{i}_0"))
        caption = f"Step {s + 1}: the loss over the batch, {loss_name} = {format_number(r.loss)}."
        if not math.isfinite(r.loss):
            caption += " It is not finite: the training diverged (a smaller learning rate may help)."
        frames.append(_frame("loss", s, n, caption, []))
        for i in reversed(range(n)):
            name = layers[i][0]
            caption = f"Step {s + 1}, backward pass: {name}'s δ = dLoss/dz, " + (
                "from dLoss/da at the output."
                if i == n - 1
                else "from the δ of the layer after it, through its weights."
            )
            end, focus = "backward" if i == 0 else "", f"n{i}_{r.focus[i]}"
            frames.append(_frame("backward", s, i, caption, r.backward_lines[i], end=end, focus=focus))
        caption = f"Step {s + 1}, update: every weight moves against its gradient. The largest changes:"
        frames.append(_frame("update", s, n, caption, r.changes, end="update"))
    return frames


def _frame(
    phase: str, step: int, layer: int, caption: str, lines: list[str], end: str = "", focus: str = ""
) -> dict[str, Any]:
    """One frame: its phase, step and layer; what it says; whether it ends a forward pass, a
    backward pass or an update (`end`); and the neuron its equation is about (`focus`)."""
    return {
        "phase": phase,
        "step": step,
        "layer": layer,
        "caption": caption,
        "lines": lines,
        "end": end,
        "focus": focus,
    }


# -- the page ------------------------------------------------------------------------


def _page(run: Recording, panel: dict[str, Any] | None) -> str:
    model, layers, records, boundaries = run.model, run.layers, run.records, run.boundaries
    loss_name, sample = run.loss_name, run.sample
    # The scales and the curve come from the finite numbers: a diverged run's nan and inf are
    # shown as text ("nan", "inf"), drawn as the thinnest arrows, and left off the curve (None).
    scale = max((abs(w) for r in records for w in r.w_before + r.w_after if math.isfinite(w)), default=0.0) or 1.0
    steps = [_step_data(r, scale) for r in records]
    widest = _widest(records)
    svg = network_graph(model, widest.__getitem__, None, subtitle=f"values for sample {sample}", svg_ids=True)
    frames = _frames(layers, records, loss_name, sample)
    top = max((r.loss for r in records if math.isfinite(r.loss)), default=0.0) or 1.0
    curve = [  # a point per step, None where the loss is not finite
        f"{20 + 260 * s / max(len(records) - 1, 1):.1f},{150 - 130 * r.loss / top:.1f}"
        if math.isfinite(r.loss)
        else None
        for s, r in enumerate(records)
    ]
    data = {
        "frames": frames,
        "steps": steps,
        "layers": [layer.nout for _, layer in layers],
        "inputs": layers[0][1].nin,
        "boundaries": boundaries,
        "panel": panel,
        "grid": GRID,
        "curve": curve,
        "losses": [format_number(r.loss) for r in records],
        "top": format_number(top),
    }
    text = script_json(data)
    return Template(page_asset("network.html")).substitute(
        title=html.escape(type(model).__name__),
        count=len(frames),
        caption=html.escape(frames[0]["caption"]),
        svg=inline_svg(render_svg(svg)),
        data=text,
        style=page_asset("player.css") + page_asset("network.css"),
        script=page_asset("player.js") + page_asset("network.js"),
    )


def _step_data(r: StepRecord, scale: float) -> dict[str, Any]:
    def edges(ws: list[float]) -> dict[str, Any]:
        return {
            "text": [format_number(w) for w in ws],
            "width": [edge_width(w, scale) for w in ws],
            "color": [weight_color(w) for w in ws],
        }

    return {
        "values": r.values,
        "before": edges(r.w_before),
        "after": edges(r.w_after),
        "grads": [format_number(g) for g in r.grads],
        "b_before": [format_number(b) for b in r.b_before],
        "b_after": [format_number(b) for b in r.b_after],
    }


def _widest(records: list[StepRecord]) -> dict[str, NeuronText]:
    """Each node's rows with the widest text each will show, for Graphviz to make room."""
    cells: dict[str, dict[str, list[str]]] = {}
    for r in records:
        for node, rows in r.values.items():
            for key, text in rows.items():
                cells.setdefault(node, {}).setdefault(key, [_PENDING]).append(text)
    biases = [format_number(b) for r in records for b in (*r.b_before, *r.b_after)]
    out = {}
    for node, widths in cells.items():
        shown = [(("δ" if key == "d" else key), widest(texts)) for key, texts in widths.items()]
        if not node.startswith("x"):
            shown.append(("b", widest(biases)))
        out[node] = NeuronText(tuple(shown), node)
    return out


def _panel(
    X: Sequence[Sequence[float]],  # noqa: N803
    y: Sequence[Any],
    bounds: tuple[float, float, float, float] | None,
) -> dict[str, Any] | None:
    """The data points in the boundary panel's pixels (240 x 240), with their labels."""
    if bounds is None:
        return None
    x0, x1, y0, y1 = bounds
    classes = {label: k for k, label in enumerate(sorted(set(map(str, y))))}
    points = [
        [round(240 * (p[0] - x0) / (x1 - x0), 1), round(240 * (y1 - p[1]) / (y1 - y0), 1), classes[str(label)]]
        for p, label in zip(X, y)
    ]
    return {"points": points}
