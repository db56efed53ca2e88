"""What the network stepper shows, recorded from real training steps: `record_training` checks the
model, data, loss and optimizer, trains copies of the model and optimizer step by step
(`record_run`) and keeps, for each step, every number the page will show (as text), read
from the engine: `layer_terms` for z, a, δ and the gradients, the parameters before and
after `optimizer.step()`, the loss, and for 2-D inputs the model's predictions over a grid
(the decision boundary, compiled). The page computes nothing, and the model goes no further than here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...compiler import Compiled, compile
from ...engine import Value
from ...engine.checks import instance_of, is_index, is_sequence, positive_int
from ...nn import Layer, LayerTerms, Module, layer_terms, resolve_loss
from ...notation import factor, format_number
from ...optim import Optimizer
from .layers import model_layers

__all__ = [
    "GRID",
    "Recording",
    "StepRecord",
    "boundary_cell",
    "check_samples",
    "copy_training",
    "grid_predictor",
    "record_run",
    "record_training",
    "sum_text",
]

GRID = 24  # the decision boundary's grid: GRID x GRID cells
_TERMS_SHOWN = 3  # terms of a sum written out in an equation before "+ ..."


@dataclass
class StepRecord:
    """One training step, as texts keyed as the page keys them (see `network_graph` ids)."""

    loss: float
    values: dict[str, dict[str, str]]  # node id -> {"z": ..., "a": ..., "d": ...}
    w_before: list[float]
    w_after: list[float]
    b_before: list[float]
    b_after: list[float]
    grads: list[float]
    forward_lines: list[list[str]]  # per layer: one neuron's forward pass in numbers
    backward_lines: list[list[str]]  # per layer: one neuron's δ in numbers
    focus: list[int]  # per layer: which neuron's δ those lines write out
    changes: list[str] = field(default_factory=list)
    prediction: str = ""


LossFn = Callable[[list[list[Value]], Sequence[Any]], Value]


@dataclass
class Recording:
    """A training run as the page shows it: the trained copy of the model and its Layers,
    each step's record, the decision boundaries (before training, then after each step;
    empty strings unless the inputs are 2-D) and the grid's bounds, the loss's name and
    the sample whose values are shown (a non-negative index)."""

    model: Module
    layers: list[tuple[str, Layer]]
    records: list[StepRecord]
    boundaries: list[str]
    bounds: tuple[float, float, float, float] | None
    loss_name: str
    sample: int


def record_training(
    model: Module,
    X: Sequence[Sequence[float]],  # noqa: N803 - X, y: the usual names for samples and labels
    y: Sequence[Any],
    *,
    loss: str | Callable[..., Any],
    optimizer: Optimizer,
    steps: int,
    sample: int,
    where: str = "NetworkStepper",
) -> Recording:
    """Check the arguments (errors name `where`), then train deep copies of `model` and
    `optimizer` for `steps` full-batch steps, recording each (see `record_run`). `loss` is a
    name in `chainrule.nn.LOSSES`, whose labels are mapped as `fit` maps them, or a callable
    `loss(outputs, y)` taking `y` as it is. `model` and `optimizer` are left as they are."""
    instance_of(model, Module, where, "model")
    check_samples(X, y, model_layers(model, where)[0][1].nin, where)
    if not is_index(sample):
        raise TypeError(f"{where}: sample must be an int, got {type(sample).__name__} {sample!r}")
    if not -len(X) <= sample < len(X):
        raise IndexError(f"{where}: sample {sample} is out of range for {len(X)} samples")
    trained, opt = copy_training(model, optimizer, where)
    layers = model_layers(trained, where)
    loss_fn, spec = resolve_loss(loss, where)
    targets = list(y) if spec is None else spec.targets(y, layers[-1][1].nout, where)
    loss_name = getattr(loss, "__name__", "loss") if spec is None else spec.name
    predict, bounds = (
        grid_predictor(X, 0.5 if loss_name == "mse_loss" else 0.0) if layers[0][1].nin == 2 else (None, None)
    )
    index = sample % len(X)
    records, boundaries = record_run(trained, layers, opt, X, targets, loss_fn, steps, index, predict)
    return Recording(trained, layers, records, boundaries, bounds, loss_name, index)


def copy_training(model: Module, optimizer: Optimizer, where: str) -> tuple[Module, Optimizer]:
    """Deep copies of `model` and `optimizer` made together, so the copied optimizer holds
    the copied model's parameters (and its own state: momentum, Adam's averages)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{where}: optimizer must be a chainrule.optim Optimizer, got {type(optimizer).__name__}")
    owned = set(model.parameters())
    if not any(p in owned for p in optimizer.params):
        raise ValueError(
            f"{where}: the optimizer holds none of the model's parameters; make it with model.parameters()"
        )
    return copy.deepcopy((model, optimizer))


def record_run(
    model: Module,
    layers: list[tuple[str, Layer]],
    optimizer: Optimizer,
    X: Sequence[Sequence[float]],  # noqa: N803 - X, y: the usual names
    targets: list[Any],
    loss_fn: LossFn,
    steps: int,
    sample: int,
    predict: Callable[[Module], str] | None,
) -> tuple[list[StepRecord], list[str]]:
    """Train `model` with `optimizer` (copies, already made) for `steps` full-batch steps,
    recording each; and the decision boundaries before training and after each step."""
    positive_int(steps, "NetworkStepper", "steps")
    params = [w for _, layer in layers for n in layer.neurons for w in n.w]
    biases = [n.b for _, layer in layers for n in layer.neurons]
    records, boundaries = [], [predict(model) if predict else ""]
    for _ in range(steps):
        w_before, b_before = [w.data for w in params], [b.data for b in biases]
        outputs = [model(list(x)) for x in X]
        loss = loss_fn(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        terms = layer_terms(model, loss, sample)
        grads = [w.grad for w in params]
        optimizer.step()
        record = StepRecord(
            loss=loss.data,
            values=_values(terms),
            w_before=w_before,
            w_after=[w.data for w in params],
            b_before=b_before,
            b_after=[b.data for b in biases],
            grads=grads,
            forward_lines=[_forward_lines(t) for t in terms],
            backward_lines=[_backward_lines(terms, i) for i in range(len(terms))],
            focus=[_focus(t) for t in terms],
        )
        record.changes = _largest_changes(model, params, record, optimizer)
        records.append(record)
        boundaries.append(predict(model) if predict else "")
    return records, boundaries


def _values(terms: list[LayerTerms]) -> dict[str, dict[str, str]]:
    out = {f"x{j}": {"x": format_number(x)} for j, x in enumerate(terms[0].a_prev)}
    for i, t in enumerate(terms):
        delta = t.delta or [0.0] * len(t.z)
        for k in range(len(t.z)):
            out[f"n{i}_{k}"] = {"z": format_number(t.z[k]), "a": format_number(t.a[k]), "d": format_number(delta[k])}
    return out


def sum_text(pairs: list[tuple[float, float]], terms_shown: int = _TERMS_SHOWN) -> str:
    """A sum of products as an equation writes it with its numbers: `p · q + ...`, the first
    `terms_shown` terms written out and the rest counted ("… (5 more)")."""
    shown = [f"{factor(p)} · {factor(q)}" for p, q in pairs[:terms_shown]]
    if len(pairs) > terms_shown:
        shown.append(f"… ({len(pairs) - terms_shown} more)")
    return " + ".join(shown)


def _forward_lines(t: LayerTerms) -> list[str]:
    """Neuron 0 of the layer, forward: z = w · a(prev) + b, then a = σ(z)."""
    k = 0
    pairs = list(zip(t.weights[k], t.a_prev))
    z = f"z = {sum_text(pairs)} + {factor(t.biases[k])} = {format_number(t.z[k])}"
    return [f"{t.name}.neurons.{k}: {z}", f"a = {t.activation}({format_number(t.z[k])}) = {format_number(t.a[k])}"]


def _backward_lines(terms: list[LayerTerms], i: int) -> list[str]:
    """The neuron of layer i with the largest |δ|: its δ in numbers, from the next layer's."""
    t = terms[i]
    delta, a_grad = t.delta or [], t.a_grad or []
    k = _focus(t)
    head = f"{t.name}.neurons.{k}: δ = dLoss/dz"
    slope = f"{t.activation}′({format_number(t.z[k])})"
    if i == len(terms) - 1:
        lines = [
            f"{head} = dLoss/da · {slope} = {factor(a_grad[k])} · {factor(t.slope[k])} = {format_number(delta[k])}"
        ]
    else:
        after = terms[i + 1]
        pairs = [(row[k], d) for row, d in zip(after.weights, after.delta or [])]
        lines = [
            f"{head} = {slope} · Σ w · δ(next) = {factor(t.slope[k])} · ({sum_text(pairs)})",
            f"  = {factor(t.slope[k])} · {factor(a_grad[k])} = {format_number(delta[k])}",
        ]
    grads = t.weight_grads or [[]]
    j = max(range(len(grads[k])), key=lambda q: abs(grads[k][q]))
    name = f"{t.name}.neurons.{k}.w.{j}"
    lines.append(f"dLoss/d({name}) = Σ over the samples of δ · a(prev) = {format_number(grads[k][j])}")
    return lines


def _focus(t: LayerTerms) -> int:
    """The neuron of the layer whose δ is largest in size (the first, on ties)."""
    delta = t.delta or [0.0]
    return max(range(len(delta)), key=lambda j: abs(delta[j]))


def _largest_changes(model: Module, params: list[Value], record: StepRecord, optimizer: Optimizer) -> list[str]:
    """The five weights the step moved most, named, with their values before and after."""
    names = {v: name for name, v in model.named_parameters()}
    moved = sorted(range(len(params)), key=lambda i: -abs(record.w_after[i] - record.w_before[i]))[:5]
    plain_sgd = type(optimizer).__name__ == "SGD" and not getattr(optimizer, "momentum", 0.0)
    lines = []
    for i in moved:
        line = f"{names[params[i]]}: {format_number(record.w_before[i])} → {format_number(record.w_after[i])}"
        if plain_sgd:
            line += f"   (-lr · dLoss/dw = -{format_number(optimizer.lr)} · {factor(record.grads[i])})"
        lines.append(line)
    return lines


def grid_predictor(
    X: Sequence[Sequence[float]],  # noqa: N803
    threshold: float,
) -> tuple[Callable[[Module], str], tuple[float, float, float, float]]:
    """A function giving a model's predicted class and confidence over a GRID x GRID grid
    covering the data (one letter per cell, row by row from the top), and the grid's bounds.
    The model runs over the grid as `chainrule.compile`'s code (`Compiled.numbers`): the eager
    forward pass's numbers to the bit, and eager itself for a model compile refuses."""
    xs, ys = [p[0] for p in X], [p[1] for p in X]
    pad_x, pad_y = 0.1 * (max(xs) - min(xs) or 1.0), 0.1 * (max(ys) - min(ys) or 1.0)
    x0, x1, y0, y1 = min(xs) - pad_x, max(xs) + pad_x, min(ys) - pad_y, max(ys) + pad_y
    points = [
        [x0 + (c + 0.5) * (x1 - x0) / GRID, y1 - (r + 0.5) * (y1 - y0) / GRID] for r in range(GRID) for c in range(GRID)
    ]

    compiled: list[Compiled] = []  # the model last given, compiled: each step's boundary reuses its trace

    def predict(model: Module) -> str:
        if not compiled or compiled[0].target is not model:
            compiled[:] = [compile(model)]
        outputs = compiled[0].numbers(points, eager_fallback=True)  # eager where compile refuses the model
        return "".join(boundary_cell(out if isinstance(out, list) else [out], threshold) for out in outputs)

    return predict, (x0, x1, y0, y1)


def boundary_cell(out: list[float], threshold: float) -> str:
    """A cell of a decision boundary, from the model's outputs there: its class (one output:
    above `threshold` or not; several: the largest) and how clearly it wins (the margin, to
    the threshold or the runner-up) in four levels, cut at 0.25, 0.75 and 1.5. One letter:
    'a'-'d' for class 0 (faint to strong), 'e'-'h' class 1, and so on; a nan margin is faint."""
    if len(out) == 1:
        cls, margin = int(out[0] > threshold), abs(out[0] - threshold)
    else:
        ranked = sorted(((v, -k) for k, v in enumerate(out)), reverse=True)
        cls, margin = -ranked[0][1], ranked[0][0] - ranked[1][0]
    level = 0 if margin < 0.25 or margin != margin else 1 if margin < 0.75 else 2 if margin < 1.5 else 3
    return chr(ord("a") + 4 * min(cls, 5) + level)


def check_samples(samples: Sequence[Any], labels: Sequence[Any], nin: int, where: str) -> None:
    """X (`samples`) a non-empty list of samples as wide as the model's input, y (`labels`)
    one label per sample; TypeError or ValueError naming `where` otherwise."""
    if not is_sequence(samples) or not is_sequence(labels):
        raise TypeError(f"{where}: X and y must be lists (samples and their labels)")
    if not samples or len(samples) != len(labels):
        raise ValueError(
            f"{where}: X has {len(samples)} samples and y {len(labels)} labels; they must be as many, at least 1"
        )
    for i, row in enumerate(samples):
        if not is_sequence(row) or len(row) != nin:
            raise ValueError(f"{where}: sample {i} must be a list of {nin} numbers, got {row!r}")
