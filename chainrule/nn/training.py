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

import gc
import math
import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..compiler import Compiled
from ..compiler import compile as compile_model
from ..engine import Number, Value, no_grad
from ..engine.checks import (
    instance_of,
    nonnegative_real,
    positive_int,
    positive_int_or_none,
)
from ..optim import Optimizer, parameter_list
from .datachecks import check_labels, check_samples
from .losses import LossSpec, resolve_loss
from .modules import Module

__all__ = ["History", "clip_grad_norm", "collector_paused", "fit", "grad_norms"]

LossFn = Callable[[list[list[Value]], list[Any]], Value]
"""What `fit` takes as a custom loss: the batch's outputs (one list per sample) and labels."""


def clip_grad_norm(params: Iterable[Value], max_norm: float) -> float:
    """Scale the grads of `params` down so their joint L2 norm is at most `max_norm`.

    Returns the norm before clipping. As `torch.nn.utils.clip_grad_norm_`: when the
    norm exceeds `max_norm`, every grad is multiplied by max_norm / (norm + 1e-6);
    otherwise the grads are left alone. A nan grad makes the norm nan and, as in
    torch, every grad nan. `params` is an iterable of Values: for a model, pass
    `model.parameters()`. Call it between `backward()` and `step()`.

        >>> a, b = Value(0.0), Value(0.0)
        >>> a.grad, b.grad = 3.0, 4.0
        >>> clip_grad_norm([a, b], 1.0)
        5.0
        >>> round(a.grad, 6), round(b.grad, 6)
        (0.6, 0.8)
    """
    params = parameter_list(params, "clip_grad_norm")
    limit = nonnegative_real(max_norm, "clip_grad_norm", "max_norm", finite=False)  # inf: never clip
    total = _norm([p.grad for p in params])
    scale = limit / (total + 1e-6)
    # torch multiplies by min(scale, 1) always: a nan scale (a nan grad, or inf / inf)
    # makes every grad nan, which the caller sees rather than a step on a silent norm.
    if not scale >= 1.0:
        for p in params:
            p.grad *= scale
    return total


def _norm(grads: list[float]) -> float:
    """The L2 norm as torch computes it: nan when any grad is nan (math.hypot would say inf
    for nan and inf together); hypot otherwise, so squaring huge grads cannot overflow."""
    total = math.hypot(*grads)
    return math.nan if total == math.inf and any(g != g for g in grads) else total


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
    return _norms(_parameter_groups(model))


def _parameter_groups(model: Module) -> dict[str, list[Value]]:
    """The parameters of each entry of `grad_norms`, named as there. `fit` finds them once
    and reads their grads every epoch: the names cost more than the norms."""
    children = {name for name, _ in model.named_children()}
    groups: dict[str, list[Value]] = {}
    for name, p in model.named_parameters():
        parts = name.split(".")
        # A child is an attribute ('encoder') or an item of a list attribute ('layers.0').
        if parts[0] in children:
            key = parts[0]
        elif len(parts) > 2 and f"{parts[0]}.{parts[1]}" in children:
            key = f"{parts[0]}.{parts[1]}"
        else:
            key = name
        groups.setdefault(key, []).append(p)
    return groups


def _norms(groups: dict[str, list[Value]]) -> dict[str, float]:
    return {key: math.hypot(*[p.grad for p in ps]) for key, ps in groups.items()}


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

    def summary(self) -> str:
        """One line: epochs, final loss, final accuracy (when there is one) and time, as `fit` prints it.

        >>> History(loss=[0.9, 0.31], accuracy=[0.5, 0.875], wall_time=1.25).summary()
        'fit: 2 epochs, final loss 0.31, accuracy 87.5%, 1.25 s'
        """
        epochs = len(self.loss)
        if not epochs:
            return "fit: 0 epochs"
        acc = f", accuracy {self.accuracy[-1]:.1%}" if self.accuracy else ""
        plural = "" if epochs == 1 else "s"
        return f"fit: {epochs} epoch{plural}, final loss {self.loss[-1]:.4g}{acc}, {self.wall_time:.3g} s"


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
    compile: bool = False,  # the word torch.compile uses
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
    list of Values per sample) and its labels as given in `y`. A model whose call
    returns one Value rather than a list (micrograd's `MLP`, from `chainrule.micrograd`)
    is trained as if it returned a list of that one Value. The named losses
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
    epoch, loss and accuracy, and once it closes `fit` prints `History.summary()`,
    one plain line (`fit: 60 epochs, final loss 0.0412, accuracy 99.0%, 1.9 s`) that
    stays in a notebook exported to HTML, where the widget shows nothing, and in a log.
    `progress=False` turns both off; without tqdm only the line is printed.

    The arguments, the labels and every sample (a sequence of finite real numbers, all
    as wide as the model's input, sample 0 run once to check it) are checked before
    training starts, so bad input raises ValueError (TypeError for a value of the wrong
    type) naming the sample and the feature, with the model and the optimizer untouched:
    a nan (a missing value) or an inf among the features or labels is refused, as it
    would make every weight nan.

    With `compile=True` the model runs as `chainrule.compile(model)`: traced once, then
    generated Python for its forward and backward passes over the batch, several times
    faster. A loss that is the mean of per-sample terms (hinge_loss, mse_loss: `LossSpec.term`)
    is compiled with the model, in the same loop over the samples, and only the mean is
    built eagerly; any other loss runs eagerly on the compiled outputs. The History and the
    final weights are the same floats, to the bit. It is off by default because it refuses
    a model whose forward pass reads its nodes' numbers (which may make each sample's graph
    differ); such a model raises TypeError before the first step, its weights untouched.

    Each step runs with CPython's cyclic garbage collector paused (`collector_paused`),
    which makes training about twice as fast: chainrule's graphs hold no reference
    cycles, so nothing accumulates while it is paused, and it runs again between steps.
    """
    loss_fn, spec = resolve_loss(loss, "fit")
    _check_arguments(X, y, epochs, batch_size)
    with no_grad():  # every sample has sample 0's width: one forward checks it against the model
        first = model(X[0])
    forward: Callable[[Sequence[Number]], list[Value]] = model
    if isinstance(first, Value):  # one output as a Value (micrograd's MLP): the losses take a list

        def forward(x: Sequence[Number]) -> list[Value]:
            return [model(x)]

        first = [first]
    targets = list(y) if spec is None else spec.targets(y, len(first), "fit")
    count = None if spec is None or spec.target_class is None else spec.correct
    compiled, terms = None, None
    plain = not any(isinstance(x, Value) for row in X for x in row)  # Value features: their grads, eager loss
    if compile and spec is not None and spec.term is not None and not spec.rows and plain:
        # A mean of per-sample terms: each term is compiled with the model, in its loop over
        # the samples, and only the mean is built eagerly.
        terms = spec
        compiled = compile_model(spec.with_term(forward, f"{type(model).__name__} with {spec.name}"))
    elif compile:  # any other loss runs eagerly on the compiled model's outputs
        compiled = compile_model(model)
    training = _Training(model, forward, X, targets, loss_fn, optimizer, count, compiled, terms)
    return training.run(epochs, batch_size, seed, progress)


def _check_arguments(
    samples: Sequence[Sequence[Number]], y: Sequence[Any], epochs: int, batch_size: int | None
) -> None:
    """Everything `fit` can check without running the model; the labels come after."""
    if len(samples) != len(y):
        raise ValueError(f"fit: {len(samples)} samples in X but {len(y)} labels in y")
    if not samples:
        raise ValueError("fit: X is empty")
    check_samples(samples)
    check_labels(y)
    positive_int(epochs, "fit", "epochs")
    positive_int_or_none(batch_size, "fit", "batch_size")


@dataclass
class _Training:
    """One call of `fit`, its arguments checked: the epoch loop and what it records."""

    model: Module
    forward: Callable[[Sequence[Number]], list[Value]]  # the model, or its one Value as a list
    samples: Sequence[Sequence[Number]]
    targets: list[Any]
    loss_fn: LossFn
    optimizer: Optimizer
    count: Callable[[list[list[Value]], list[Any]], int] | None  # None: the loss defines no accuracy
    compiled: Compiled | None = None  # fit(compile=True): the model (and the loss's terms) as generated code
    terms: LossSpec | None = None  # the loss whose per-sample terms `compiled` returns after the outputs

    def run(self, epochs: int, batch_size: int | None, seed: int | None, progress: bool) -> History:
        """Train for `epochs` passes (in shuffled batches of `batch_size`, unless None)."""
        n = len(self.samples)
        order, rng = list(range(n)), random.Random(seed)
        size = n if batch_size is None else batch_size
        history = History(accuracy=None if self.count is None else [])
        groups = _parameter_groups(self.model)  # grad_norms' groups, found once
        bar = _progress_bar(epochs) if progress else None
        start = time.perf_counter()
        try:
            for _ in range(epochs):
                if batch_size is not None:
                    rng.shuffle(order)  # in place: each epoch shuffles the last one's order
                total, correct = self.epoch([order[first : first + size] for first in range(0, n, size)])
                history.loss.append(total / n)
                if history.accuracy is not None:
                    history.accuracy.append(correct / n)
                history.grad_norms.append(_norms(groups))
                _show_progress(bar, history)
        finally:
            history.wall_time = time.perf_counter() - start
            if bar is not None:
                bar.close()
        if progress:  # after the bar, outside the loop: a plain line that any output keeps
            print(history.summary())
        return history

    def epoch(self, batches: list[list[int]]) -> tuple[float, int]:
        """One step per batch; the loss summed over the samples, and how many were correct."""
        total, correct = 0.0, 0
        for batch in batches:
            # The step's graph is freed when `step` returns, while the collector is still
            # paused: once it runs again, it finds none of that graph left to walk.
            with collector_paused():
                loss, right = self.step(batch)
            total += loss * len(batch)
            correct += right
        return total, correct

    def step(self, batch: list[int]) -> tuple[float, int]:
        """One training step on the samples `batch`: forward, loss, zero_grad, backward,
        update. Returns the loss and how many samples the outputs classified correctly."""
        labels = [self.targets[i] for i in batch]
        if self.compiled is None:
            outputs = [self.forward(self.samples[i]) for i in batch]
            batch_loss = self.loss_fn(outputs, labels)
        elif self.terms is not None:  # outputs and terms as leaves; their mean is eager
            rows = self.compiled.batch([[*self.samples[i], self.targets[i]] for i in batch])
            outputs = [row[:-1] for row in rows]
            batch_loss = self.terms.of_terms([row[-1] for row in rows])
        else:  # the outputs as leaves; the loss on them is eager, then backward goes on compiled
            outputs = [o if type(o) is list else [o] for o in self.compiled.batch([self.samples[i] for i in batch])]
            batch_loss = self.loss_fn(outputs, labels)
        self.optimizer.zero_grad()
        batch_loss.backward()
        if self.compiled is not None:
            self.compiled.backward()
        self.optimizer.step()
        return batch_loss.data, 0 if self.count is None else self.count(outputs, labels)


class collector_paused:  # noqa: N801 - used like a function: `with collector_paused():`
    """Pause CPython's cyclic garbage collector for the block, and restore it after, exceptions
    included; if it was off already it stays off.

    `fit` runs each training step (forward, loss, backward, update) inside one. A
    chainrule graph holds no reference cycles, so reference counting frees it whole when
    the step drops it, and the collector has nothing to find in it; yet while the graph
    is being built, the collector walks its live nodes again and again. Cycles a custom
    model makes are collected once the block ends, as the collector runs again. In a
    loop of your own: `with collector_paused(): ...` around the step, or `gc.disable()`
    before it and `gc.enable()` after it.
    """

    __slots__ = ("_was_enabled",)

    def __enter__(self) -> None:
        self._was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was_enabled:
            gc.enable()


def _show_progress(bar: Any, history: History) -> None:
    """Move the bar on by the epoch just recorded, showing its loss and accuracy."""
    if bar is None:
        return
    postfix = {"loss": f"{history.loss[-1]:.4g}"}
    if history.accuracy is not None:
        postfix["accuracy"] = f"{history.accuracy[-1]:.3f}"
    bar.set_postfix(postfix, refresh=False)
    bar.update(1)


def _progress_bar(epochs: int) -> Any:
    """A tqdm bar over the epochs (tqdm.auto picks Jupyter's widget or text), or None without tqdm."""
    try:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]  # tqdm ships no type hints
    except ImportError:
        return None
    return tqdm(total=epochs, desc="fit", unit="epoch")
