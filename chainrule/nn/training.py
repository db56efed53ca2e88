"""Training: `fit` a model to data, with `History`, `clip_grad_norm` and `grad_norms`.

These are documented (and imported) from `chainrule.nn`.

    >>> from chainrule.data import make_moons
    >>> from chainrule.nn import MLP
    >>> from chainrule.optim import Adam
    >>> X, y = make_moons(40, seed=0)
    >>> model = MLP(2, [8, 1], seed=0)
    >>> history = fit(model, X, y, loss="bce_with_logits", optimizer=Adam(model.parameters(), lr=0.05),
    ...               epochs=5, progress=False)
    >>> len(history.loss)
    5
"""

from __future__ import annotations

import math
import operator
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine import Number, Value, no_grad
from ..engine.checks import instance_of, is_real, nonnegative_real
from ..optim import Optimizer
from .losses import bce_with_logits, cross_entropy, hinge_loss, mse_loss
from .modules import Module

__all__ = ["History", "clip_grad_norm", "fit", "grad_norms", "predicted_class"]

# The losses `fit` knows by name: it maps the labels for them and measures accuracy.
_LOSSES: dict[str, Callable[..., Value]] = {
    "mse_loss": mse_loss,
    "hinge_loss": hinge_loss,
    "bce_with_logits": bce_with_logits,
    "cross_entropy": cross_entropy,
}

LossFn = Callable[[list[list[Value]], list[Any]], Value]


def clip_grad_norm(params: Iterable[Value], max_norm: float) -> float:
    """Scale the grads of `params` down so their joint L2 norm is at most `max_norm`.

    Returns the norm before clipping. As `torch.nn.utils.clip_grad_norm_`: when the
    norm exceeds `max_norm`, every grad is multiplied by max_norm / (norm + 1e-6);
    otherwise the grads are left alone. Call it between `backward()` and `step()`.

        >>> a, b = Value(0.0), Value(0.0)
        >>> a.grad, b.grad = 3.0, 4.0
        >>> clip_grad_norm([a, b], 1.0)
        5.0
        >>> round(a.grad, 6), round(b.grad, 6)
        (0.6, 0.8)
    """
    params = list(params)
    for i, p in enumerate(params):
        instance_of(p, Value, "clip_grad_norm", f"parameter {i}")
    limit = nonnegative_real(max_norm, "clip_grad_norm", "max_norm", finite=False)  # inf: never clip
    total = math.hypot(*(p.grad for p in params))  # hypot: no overflow from squaring huge grads
    scale = limit / (total + 1e-6)
    if scale < 1.0:
        for p in params:
            p.grad *= scale
    return total


def grad_norms(model: Module) -> dict[str, float]:
    """The L2 norm of the gradient of each layer's parameters, input side first.

    One entry per direct sub-module, named as in `named_parameters` ('layers.0',
    'layers.1', ... for an MLP), plus one per parameter the model holds itself.
    Call it after `backward()`; plotting the values against depth, or recording
    them every epoch (`fit` does, in `History.grad_norms`), shows gradients
    vanishing in deep sigmoid or tanh networks.

        >>> from chainrule.nn import MLP
        >>> model = MLP(2, [3, 3, 1], seed=0)
        >>> model([1.0, 2.0])[0].backward()
        >>> list(grad_norms(model))
        ['layers.0', 'layers.1', 'layers.2']
    """
    instance_of(model, Module, "grad_norms", "model")
    children = {name for name, _ in model.named_children()}
    grads: dict[str, list[float]] = {}
    for name, p in model.named_parameters():
        parts = name.split(".")
        # A child is an attribute ('encoder') or an item of a list attribute ('layers.0').
        if parts[0] in children:
            key = parts[0]
        elif len(parts) > 2 and f"{parts[0]}.{parts[1]}" in children:
            key = f"{parts[0]}.{parts[1]}"
        else:
            key = name
        grads.setdefault(key, []).append(p.grad)
    return {key: math.hypot(*g) for key, g in grads.items()}


@dataclass
class History:
    """What `fit` measured, one entry per epoch.

    - `loss`: the mean training loss over the epoch's batches, each computed just
      before its optimizer step (so the first entry is the untrained model's loss
      when training is full-batch).
    - `accuracy`: the fraction of training samples classified correctly in those
      same forward passes, or None when the loss defines no accuracy (`mse_loss`,
      a custom loss).
    - `grad_norms`: `grad_norms(model)` after the epoch's last backward pass.
    - `wall_time`: seconds the whole `fit` took.
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] | None = None
    grad_norms: list[dict[str, float]] = field(default_factory=list)
    wall_time: float = 0.0

    def __repr__(self) -> str:
        if not self.loss:
            return "History(epochs=0)"
        acc = f", accuracy={self.accuracy[-1]:.4g}" if self.accuracy else ""
        return f"History(epochs={len(self.loss)}, loss={self.loss[-1]:.4g}{acc}, wall_time={self.wall_time:.3g}s)"


def fit(
    model: Module,
    X: Sequence[Sequence[Number]],  # noqa: N803 - X, y: the usual names for samples and labels
    y: Sequence[Any],
    *,
    loss: str | LossFn,
    optimizer: Optimizer,
    epochs: int,
    batch_size: int | None = None,
    seed: int | None = None,
    progress: bool = True,
) -> History:
    """Train `model` on samples `X` with labels `y` for `epochs` passes; return a `History`.

    Each batch: forward every sample, compute the loss (the batch mean),
    `optimizer.zero_grad()`, `backward()`, `optimizer.step()`. With
    `batch_size=None` every step sees the whole dataset (full-batch gradient
    descent, as micrograd's demo); otherwise the samples are shuffled every
    epoch with `random.Random(seed)` and split into batches of `batch_size`.

    `loss` names a loss ("mse_loss", "hinge_loss", "bce_with_logits",
    "cross_entropy"), is one of those functions, or is any callable
    `loss(outputs, labels) -> Value` that takes the batch's model outputs (one
    list of Values per sample) and its labels as given in `y`. The named losses
    take the datasets' labels (class indices 0..k-1); `fit` maps them, and
    counts a sample as correct, as follows:

    - hinge_loss (1 output, the score): labels 0/1 become -1/+1 (labels already
      -1/+1 are kept); correct when score > 0 exactly for the +1 samples.
    - bce_with_logits (1 output, the logit): labels in [0, 1] are used as they
      are; correct when logit > 0 exactly for the samples with label >= 0.5.
    - cross_entropy (k outputs, the logits): labels are class indices 0..k-1;
      correct when the largest logit (the first, on ties) is the label's.
    - mse_loss (1 output): labels become floats; no accuracy (None).

    A progress bar (tqdm: a widget in Jupyter, text in a terminal) shows the
    epoch, loss and accuracy; `progress=False`, or tqdm not being installed,
    turns it off. The labels and sample sizes are checked before training
    starts, so bad input raises ValueError with the model untouched.
    """
    loss_fn, named = _resolve_loss(loss)
    n = _check_data(X, y)
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive int, got {epochs!r}")
    if batch_size is not None and (isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1):
        raise ValueError(f"fit: batch_size must be a positive int or None, got {batch_size!r}")
    if named is not None:
        with no_grad():
            width = len(model(X[0]))
        targets = _targets(named, y, width)
    else:
        targets = list(y)

    order = list(range(n))
    rng = random.Random(seed)
    size = n if batch_size is None else batch_size
    history = History(accuracy=None if named in (None, "mse_loss") else [])
    bar = _progress_bar(epochs) if progress else None
    start = time.perf_counter()
    try:
        for _ in range(epochs):
            if batch_size is not None:
                rng.shuffle(order)
            total, correct = 0.0, 0
            for first in range(0, n, size):
                batch = order[first : first + size]
                outputs = [model(X[i]) for i in batch]
                labels = [targets[i] for i in batch]
                batch_loss = loss_fn(outputs, labels)
                optimizer.zero_grad()
                batch_loss.backward()
                optimizer.step()
                total += batch_loss.data * len(batch)
                if named is not None:
                    correct += _count_correct(named, outputs, labels)
            history.loss.append(total / n)
            if history.accuracy is not None:
                history.accuracy.append(correct / n)
            history.grad_norms.append(grad_norms(model))
            if bar is not None:
                postfix = {"loss": f"{history.loss[-1]:.4g}"}
                if history.accuracy is not None:
                    postfix["accuracy"] = f"{history.accuracy[-1]:.3f}"
                bar.set_postfix(postfix, refresh=False)
                bar.update(1)
    finally:
        history.wall_time = time.perf_counter() - start
        if bar is not None:
            bar.close()
    return history


def _resolve_loss(loss: str | LossFn) -> tuple[LossFn, str | None]:
    """The loss as fit calls it, and its name when it is one of ours."""
    if isinstance(loss, str):
        if loss not in _LOSSES:
            raise ValueError(f"fit: unknown loss {loss!r}; the named losses are {sorted(_LOSSES)}")
        name = loss
    elif not callable(loss):
        raise ValueError(f"fit: loss must be a loss name or a callable, got {type(loss).__name__}")
    else:
        matches = [key for key, fn in _LOSSES.items() if fn is loss]
        if not matches:
            return loss, None
        name = matches[0]
    fn = _LOSSES[name]
    if name == "cross_entropy":
        return (lambda outputs, labels: fn(outputs, labels)), name
    return (lambda outputs, labels: fn([out[0] for out in outputs], labels)), name


def _check_data(samples: Sequence[Sequence[Number]], y: Sequence[Any]) -> int:
    if len(samples) != len(y):
        raise ValueError(f"fit: {len(samples)} samples in X but {len(y)} labels in y")
    if not samples:
        raise ValueError("fit: X is empty")
    width = len(samples[0])
    for i, row in enumerate(samples):
        if len(row) != width:
            raise ValueError(f"fit: sample {i} has {len(row)} features, sample 0 has {width}")
    return len(samples)


def _targets(name: str, y: Sequence[Any], width: int) -> list[Any]:
    """The labels `y` as the named loss takes them (see the table in `fit`)."""
    if name == "cross_entropy":
        if width < 2:
            raise ValueError(f"fit: cross_entropy needs a model with one output per class, got {width} output")
        indices = []
        for i, label in enumerate(y):
            try:
                index = -1 if isinstance(label, bool) else operator.index(label)
            except TypeError:
                index = -1
            if not 0 <= index < width:
                raise ValueError(f"fit: label {label!r} of sample {i} is not a class index 0..{width - 1}")
            indices.append(index)
        return indices
    if width != 1:
        raise ValueError(f"fit: {name} needs a model with 1 output, got {width}")
    values = []
    for i, label in enumerate(y):
        if not is_real(label):
            raise ValueError(f"fit: label {label!r} of sample {i} is not a number")
        values.append(float(label))
    if name == "hinge_loss":
        kinds = set(values)
        if kinds <= {0.0, 1.0}:
            return [2.0 * v - 1.0 for v in values]
        if not kinds <= {-1.0, 1.0}:
            raise ValueError(f"fit: hinge_loss needs labels 0/1 or -1/+1, got {sorted(kinds)}")
    if name == "bce_with_logits":
        for i, v in enumerate(values):
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"fit: bce_with_logits needs labels in [0, 1], got {y[i]!r} for sample {i}")
    return values


def _count_correct(name: str, outputs: list[list[Value]], labels: list[Any]) -> int:
    if name == "cross_entropy":
        return sum(_argmax(out) == t for out, t in zip(outputs, labels))
    if name == "hinge_loss":
        return sum((out[0].data > 0.0) == (t > 0.0) for out, t in zip(outputs, labels))
    if name == "bce_with_logits":
        return sum((out[0].data > 0.0) == (t >= 0.5) for out, t in zip(outputs, labels))
    return 0


def predicted_class(outputs: Sequence[Value]) -> int:
    """The class a model's outputs for one sample predict: for one output (a score or a
    logit) 1 when it is > 0 and 0 otherwise; for k outputs the index of the largest, the
    first on ties (as torch.argmax)."""
    if len(outputs) == 1:
        return 1 if outputs[0].data > 0.0 else 0
    return _argmax(outputs)


def _argmax(values: Sequence[Value]) -> int:
    """The index of the largest value, the first on ties (as torch.argmax)."""
    best = 0
    for k in range(1, len(values)):
        if values[k].data > values[best].data:
            best = k
    return best


def _progress_bar(epochs: int) -> Any:
    """A tqdm bar over the epochs (tqdm.auto picks Jupyter's widget or text), or None without tqdm."""
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]  # tqdm ships no type hints
    except ImportError:
        return None
    return tqdm(total=epochs, desc="fit", unit="epoch")
