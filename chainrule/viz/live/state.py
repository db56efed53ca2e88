"""What the live network shows, as one JSON-ready dict: `live_state(session, plane)`.

Every number is read from the engine: z, a, σ′(z), δ and dLoss/dw by `nn.layer_terms` from
the step's graph, the weights from the parameters, each neuron's activation over the input
plane (`Plane`) by the model's forward pass (`LiveSession.activations`, compiled). Numbers are
sent at full precision (a JSON float reads back as the same double) and as text written by
`notation.format_number`; the widget's script only places them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ...nn import LayerTerms
from ...notation import factor, format_number
from ..network.recording import GRID, boundary_cell, sum_text
from ..network.view import edge_width, weight_color
from .session import LiveSession

__all__ = ["PANEL", "Plane", "live_state"]

PANEL = 240  # the decision boundary's panel, in CSS pixels a side
LEVELS = 10  # a heatmap cell is one letter: 'a' + LEVELS + round(LEVELS * a / scale), 'a' to 'u'
_MIDDLE = ord("a") + LEVELS  # the letter of a = 0
_CURVE_POINTS = 300  # the loss curve shows at most this many steps (evenly spaced)
_TERMS_SHOWN = 8  # terms of a sum written out in an equation before "+ ..."


def number(x: float) -> float | str:
    """A float as JSON can hold it: itself when finite, else 'nan', 'inf' or '-inf'."""
    return x if math.isfinite(x) else str(x)


class Plane:
    """The input plane of a 2-input model: a GRID x GRID grid over the data (10% margin),
    fixed when the widget is made, and its mapping to the panel's pixels."""

    def __init__(self, samples: Sequence[Sequence[float]]) -> None:
        xs, ys = [p[0] for p in samples], [p[1] for p in samples]
        pad_x, pad_y = 0.1 * (max(xs) - min(xs) or 1.0), 0.1 * (max(ys) - min(ys) or 1.0)
        self.x0, self.x1 = min(xs) - pad_x, max(xs) + pad_x
        self.y0, self.y1 = min(ys) - pad_y, max(ys) + pad_y
        # Cell centres, row by row from the top.
        self.points = [
            [self.x0 + (c + 0.5) * (self.x1 - self.x0) / GRID, self.y1 - (r + 0.5) * (self.y1 - self.y0) / GRID]
            for r in range(GRID)
            for c in range(GRID)
        ]

    def pixel(self, p: Sequence[float]) -> list[float]:
        """A point of the plane in the panel's pixels (y down)."""
        return [
            round(PANEL * (p[0] - self.x0) / (self.x1 - self.x0), 2),
            round(PANEL * (self.y1 - p[1]) / (self.y1 - self.y0), 2),
        ]

    def point(self, px: float, py: float) -> list[float]:
        """The point of the plane at pixel (px, py) of the panel."""
        return [self.x0 + px / PANEL * (self.x1 - self.x0), self.y1 - py / PANEL * (self.y1 - self.y0)]


def live_state(session: LiveSession, plane: Plane | None, extra: dict[str, Any]) -> dict[str, Any]:
    """Everything the widget shows of `session` now; `extra` adds the controls' own state."""
    terms = session.terms()
    backward_done = session.phase in ("backward", "update")
    state: dict[str, Any] = {
        "phase": session.phase,
        "step": session.steps,
        "mode": session.mode,
        "selected": session.selected,
        "lr": session.optimizer.lr,
        "loss_name": session.loss_name,
        "loss": None if session.loss is None else number(session.loss.data),
        "loss_text": "" if session.loss is None else format_number(session.loss.data),
        "inputs": _inputs(session, terms),
        "neurons": _neurons(session, terms, backward_done),
        "edges": _edges(session, terms, backward_done),
        "curve": _curve(session.history.loss, session.history.accuracy or []),
        "accuracy": format_number(session.history.accuracy[-1]) if session.history.accuracy else "",
        "classes": _classes(session.labels),
        "diverged": f"diverged at step {session.steps}: the loss is {session.history.loss[-1]}"
        if session.diverged
        else "",
    }
    state.update(_plane(session, plane))
    state.update(extra)
    return state


def _inputs(session: LiveSession, terms: list[LayerTerms] | None) -> list[dict[str, Any]]:
    x = terms[0].a_prev if terms is not None else session.samples[session.selected]
    return [{"id": f"x{j}", "x": number(v), "text": format_number(v)} for j, v in enumerate(x)]


def _neurons(session: LiveSession, terms: list[LayerTerms] | None, done: bool) -> list[dict[str, Any]]:
    out = []
    for i, (name, layer) in enumerate(session.layers):
        t = terms[i] if terms is not None else None
        for k, neuron in enumerate(layer.neurons):
            entry: dict[str, Any] = {"id": f"n{i}_{k}", "layer": i, "neuron": k, "name": f"{name}.neurons.{k}"}
            entry["b"], entry["b_text"] = number(neuron.b.data), format_number(neuron.b.data)
            if t is None:
                entry.update(z=None, a=None, delta=None, text={}, equation=["Run a forward pass to see z and a."])
            else:
                delta = t.delta[k] if done and t.delta is not None else None
                entry.update(z=number(t.z[k]), a=number(t.a[k]), delta=None if delta is None else number(delta))
                entry["text"] = {"z": format_number(t.z[k]), "a": format_number(t.a[k])}
                if delta is not None:
                    entry["text"]["d"] = format_number(delta)
                entry["equation"] = _neuron_equation(terms, i, k, entry["name"], done)  # type: ignore[arg-type]
            out.append(entry)
    return out


def _neuron_equation(terms: list[LayerTerms], i: int, k: int, name: str, done: bool) -> list[str]:
    """The neuron's forward pass and its δ, in numbers: δ = σ′(z) · Σ w·δ over the next layer,
    or ∇ₐLoss ⊙ σ′(z) at the output."""
    t = terms[i]
    lines = [
        f"{name} ({t.activation})",
        f"z = w · a(prev) + b = {sum_text(list(zip(t.weights[k], t.a_prev)), _TERMS_SHOWN)} + {factor(t.biases[k])}"
        f" = {format_number(t.z[k])}",
        f"a = {t.activation}(z) = {format_number(t.a[k])}",
    ]
    if not done or t.delta is None or t.a_grad is None:
        return [*lines, "δ appears after the backward pass."]
    slope = f"σ′(z) = {t.activation}′({format_number(t.z[k])}) = {format_number(t.slope[k])}"
    if i == len(terms) - 1:
        return [
            *lines,
            slope,
            f"δ = ∇ₐLoss ⊙ σ′(z) = {factor(t.a_grad[k])} · {factor(t.slope[k])} = {format_number(t.delta[k])}",
        ]
    after = terms[i + 1]
    pairs = [(row[k], d) for row, d in zip(after.weights, after.delta or [])]
    return [
        *lines,
        slope,
        f"δ = σ′(z) · Σ w · δ(next layer) = {factor(t.slope[k])} · ({sum_text(pairs, _TERMS_SHOWN)})",
        f"  = {factor(t.slope[k])} · {factor(t.a_grad[k])} = {format_number(t.delta[k])}",
    ]


def _edges(session: LiveSession, terms: list[LayerTerms] | None, done: bool) -> list[dict[str, Any]]:
    """Each weight's arrow: colour, width, value, dLoss/dw and its equation dLoss/dw = δ · a(prev)."""
    weights = [w for _, layer in session.layers for n in layer.neurons for w in n.w]
    scale = max((abs(w.data) for w in weights if math.isfinite(w.data)), default=0.0)
    count = len(session.batch)
    out = []
    for i, (name, layer) in enumerate(session.layers):
        t = terms[i] if terms is not None and done else None
        for k, neuron in enumerate(layer.neurons):
            for j, w in enumerate(neuron.w):
                entry: dict[str, Any] = {
                    "id": f"w{i}_{k}_{j}",
                    "w": number(w.data),
                    "text": format_number(w.data),
                    "color": weight_color(w.data),
                    "width": edge_width(w.data, scale),
                    "grad": None,
                }
                head = f"{name}.neurons.{k}.w.{j} = {format_number(w.data)}"
                if t is None or t.delta is None or t.weight_grads is None:
                    entry["equation"] = [head, "dLoss/dw appears after the backward pass."]
                else:
                    grad, d, a = t.weight_grads[k][j], t.delta[k], t.a_prev[j]
                    entry["grad"] = number(grad)
                    entry["equation"] = [head, *_weight_lines(grad, d, a, count)]
                out.append(entry)
    return out


def _weight_lines(grad: float, d: float, a: float, count: int) -> list[str]:
    mine = f"δ · a(prev) = {factor(d)} · {factor(a)} = {format_number(d * a)}"
    if count == 1:
        return [f"dLoss/dw = {mine}"]
    return [
        f"dLoss/dw = Σ over the {count} samples of δ · a(prev) = {format_number(grad)}",
        f"this sample's term: {mine}",
    ]


def _curve(losses: list[float], accuracy: list[float]) -> dict[str, Any]:
    """The loss after each step (finite losses only, from 0 to the largest) and the accuracy
    (from 0 to 1), as points of a 300 x 170 chart: x the step, y the value."""
    last = max(len(losses) - 1, 1)
    shown = _thin([(s, v) for s, v in enumerate(losses) if math.isfinite(v)])
    top = max((v for _, v in shown), default=1.0) or 1.0
    return {
        "points": [[round(20 + 270 * s / last, 1), round(150 - 130 * max(v, 0.0) / top, 1)] for s, v in shown],
        "top": format_number(top),
        "last": format_number(losses[-1]) if losses else "",
        "accuracy": [
            [round(20 + 270 * s / last, 1), round(150 - 130 * v, 1)] for s, v in _thin(list(enumerate(accuracy)))
        ],
    }


def _thin(steps: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """At most _CURVE_POINTS of the steps, evenly spaced, and the last."""
    if len(steps) <= _CURVE_POINTS:
        return steps
    stride = len(steps) / _CURVE_POINTS
    return [steps[int(q * stride)] for q in range(_CURVE_POINTS)] + [steps[-1]]


def _classes(labels: list[Any]) -> list[str]:
    return sorted({str(label) for label in labels})


def _plane(session: LiveSession, plane: Plane | None) -> dict[str, Any]:
    """The heatmaps, the decision boundary and the data points, or why there are none."""
    if plane is None:
        nin = session.layers[0][1].nin
        return {
            "heatmaps": None,
            "boundary": None,
            "points": None,
            "no_plane": f"No heatmaps or decision boundary: the inputs have {nin} features, and the "
            "input plane needs 2.",
        }
    classes = {c: q for q, c in enumerate(_classes(session.labels))}
    points = [[*plane.pixel(p), classes[str(label)]] for p, label in zip(session.samples, session.labels)]
    heatmaps, boundary = _grid(session, plane)
    return {"heatmaps": heatmaps, "boundary": boundary, "points": points, "no_plane": ""}


def _grid(session: LiveSession, plane: Plane) -> tuple[dict[str, str], str]:
    """Every neuron's activation over the plane (one letter per cell) and the decision
    boundary (a letter per cell: 'a'-'d' class 0, faint to strong, 'e'-'h' class 1, ...)."""
    outputs = session.activations(plane.points)  # cell -> every neuron's a, layer by layer
    columns = iter(zip(*outputs))  # each neuron's a over the cells, layer by layer
    heatmaps = {}
    for i, (_, layer) in enumerate(session.layers):
        for k in range(layer.nout):
            column = next(columns)
            if all(map(math.isfinite, column)):  # the usual case, in C's loops: this runs every update
                scale = max(map(abs, column)) or 1.0
                heatmaps[f"n{i}_{k}"] = "".join([chr(_MIDDLE + round(LEVELS * v / scale)) for v in column])
            else:
                scale = max((abs(v) for v in column if math.isfinite(v)), default=0.0) or 1.0
                heatmaps[f"n{i}_{k}"] = "".join(_level(v, scale) for v in column)
    last = len(outputs[0]) - session.layers[-1][1].nout
    threshold = 0.5 if session.loss_name == "mse_loss" else 0.0
    return heatmaps, "".join(boundary_cell(cell[last:], threshold) for cell in outputs)


def _level(v: float, scale: float) -> str:
    if not math.isfinite(v):
        return "a" if v < 0 else "u"  # nan: the positive end, as inf
    return chr(_MIDDLE + round(LEVELS * v / scale))
