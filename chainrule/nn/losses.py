"""Loss functions: each takes a batch and returns the batch's mean loss as one Value.

They follow `torch.nn.functional`'s conventions (mean reduction) and are built
from the engine's primitives, so their gradients are the engine's.

    >>> from chainrule import Value
    >>> mse_loss([Value(2.0), Value(0.0)], [1.0, 0.0]).data
    0.5
    >>> hinge_loss([Value(0.5), Value(-2.0)], [1, -1]).data
    0.25

A batch must not be empty, and its predictions and targets must have the same
length; otherwise these raise ValueError naming both lengths.

`LOSSES` holds, for each loss by name, what `fit` needs to know about it beside the
function (a `LossSpec`): how the datasets' labels become its targets, and when a sample
counts as correct. A new loss is a function here and one entry there.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Number, Value, logsumexp
from ..engine.checks import is_index, is_real, is_sequence, real

__all__ = [
    "LOSSES",
    "LossSpec",
    "bce_with_logits",
    "cross_entropy",
    "hinge_loss",
    "hinge_term",
    "mse_loss",
    "mse_term",
    "predicted_class",
    "resolve_loss",
]


def mse_loss(preds: Sequence[Value | Number], targets: Sequence[Value | Number]) -> Value:
    """Mean squared error, mean((pred - target) ** 2), one prediction per sample.

    As `torch.nn.functional.mse_loss`. Targets may be numbers or Values.

        >>> mse_loss([Value(3.0)], [1.0]).data
        4.0
    """
    _check_batch("mse_loss", preds, targets)
    pairs = enumerate(zip(preds, targets))
    return _mean([mse_term(_value(p, "mse_loss", i), _target(t, "mse_loss", i)) for i, (p, t) in pairs])


def mse_term(pred: Value, target: Value | float) -> Value:
    """One sample's term of `mse_loss`, (pred - target) ** 2; `fit(compile=True)` compiles
    it with the model, into one loop over the samples.

        >>> mse_term(Value(3.0), 1.0).data
        4.0
    """
    return (pred - target) ** 2


def hinge_loss(scores: Sequence[Value | Number], labels: Sequence[Number]) -> Value:
    """The SVM (max-margin) loss, mean(relu(1 - label * score)), for labels -1 and +1.

    A sample costs nothing once its score is on the right side with a margin of at
    least 1. This is the loss of micrograd's moons demo. Any label other than -1 or
    +1 raises ValueError naming it and its position.

        >>> hinge_loss([Value(2.0), Value(0.5)], [1, 1]).data
        0.25
    """
    _check_batch("hinge_loss", scores, labels)
    terms = []
    for i, (s, y) in enumerate(zip(scores, labels)):
        label = _number(y, "hinge_loss", i)
        if label != 1.0 and label != -1.0:
            raise ValueError(f"hinge_loss: labels must be -1 or +1, got {y!r} at position {i}")
        terms.append(hinge_term(_value(s, "hinge_loss", i), label))
    return _mean(terms)


def hinge_term(score: Value, label: Value | float) -> Value:
    """One sample's term of `hinge_loss`, relu(1 - label * score), for a label of -1 or +1
    (unchecked: `hinge_loss` checks its labels). `fit(compile=True)` compiles it with the
    model, into one loop over the samples.

        >>> hinge_term(Value(0.5), 1.0).data
        0.5
    """
    return (1.0 - label * score).relu()


def bce_with_logits(logits: Sequence[Value | Number], targets: Sequence[Value | Number]) -> Value:
    """Binary cross-entropy on raw scores (logits), for targets in [0, 1].

    The loss of one sample is -(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))),
    which simplifies to softplus(x) - t x = (1 - t) x + softplus(-x). It is computed
    in whichever form adds two terms >= 0 (the first for x < 0, the second for
    x >= 0; softplus is a stable primitive), never as a difference of nearly equal
    numbers: a confident logit's small loss keeps its digits (at x = 40, t = 1 it is
    4.2e-18, not 0), to within 1e-12 relative wherever it is a normal float, and any
    logit works, +-inf included. A term whose factor is a plain 0 is left out, so
    x = +inf with t = 1 costs 0. Its gradient is sigmoid(x) - t. As
    `torch.nn.functional.binary_cross_entropy_with_logits`.

        >>> round(bce_with_logits([Value(0.0)], [1.0]).data, 6)  # log 2
        0.693147
        >>> bce_with_logits([Value(-1000.0)], [1.0]).data
        1000.0
    """
    _check_batch("bce_with_logits", logits, targets)
    terms = []
    for i, (x, t) in enumerate(zip(logits, targets)):
        target = _target(t, "bce_with_logits", i)
        t_data = target.data if isinstance(target, Value) else target
        if not 0.0 <= t_data <= 1.0:
            raise ValueError(f"bce_with_logits: targets must be in [0, 1], got {t_data!r} at position {i}")
        terms.append(_bce_term(_value(x, "bce_with_logits", i), target))
    return _mean(terms)


def _bce_term(x: Value, t: Value | float) -> Value:
    """softplus(x) - t x for x < 0, (1 - t) x + softplus(-x) for x >= 0: two terms >= 0."""
    if x.data < 0.0:
        return x.softplus() if t == 0.0 else x.softplus() - t * x
    return (-x).softplus() if t == 1.0 else (1.0 - t) * x + (-x).softplus()


def cross_entropy(logits: Sequence[Sequence[Value | Number]], targets: Sequence[int]) -> Value:
    """Softmax cross-entropy: mean(logsumexp(row) - row[target]) over the batch.

    `logits` holds one row per sample, a raw score (logit) per class; `targets`
    holds class indices 0..k-1. Each sample's loss is computed as
    softplus(logsumexp(d)), d the other logits minus the target's (the same number:
    log(1 + sum(exp(d)))), from the engine's stable primitives: the differences are
    taken before any rounding to the logits' scale (`cross_entropy([[1e12, 1e12, 0]],
    [0])` is log 2), and a confident sample's small loss keeps its digits (to within
    1e-12 relative wherever it is a normal float). As `torch.nn.functional.cross_entropy`.

        >>> round(cross_entropy([[Value(0.0), Value(0.0)]], [1]).data, 6)  # log 2
        0.693147

    Raises ValueError for rows of different lengths and for a target out of range,
    TypeError for a target that is not an int; each names the target and its position.
    """
    for i, row in enumerate(logits if is_sequence(logits) else ()):
        if not is_sequence(row):  # such as one sample's row, a list of Values, given alone
            raise TypeError(
                f"cross_entropy: logits must hold one row of logits per sample, got {type(row).__name__} "
                f"at position {i}; for one sample pass [row]"
            )
    _check_batch("cross_entropy", logits, targets)
    classes = len(logits[0])
    terms = []
    for i, (row, t) in enumerate(zip(logits, targets)):
        if len(row) != classes:
            raise ValueError(f"cross_entropy: row {i} has {len(row)} logits, row 0 has {classes}")
        if not is_index(t):
            raise TypeError(f"cross_entropy: target at position {i} must be a class index, got {t!r}")
        index = operator.index(t)
        if not 0 <= index < classes:
            raise ValueError(f"cross_entropy: target {index} at position {i} is out of range for {classes} classes")
        values = [_value(v, "cross_entropy", i) for v in row]
        if all(v.data == -math.inf for v in values):
            raise ValueError(
                f"cross_entropy: every logit of sample {i} is -inf, so no class is possible and the loss "
                "has no value; leave at least one class unmasked"
            )
        terms.append(_cross_entropy_term(values, index))
    return _mean(terms)


def _cross_entropy_term(row: list[Value], target: int) -> Value:
    """log(1 + sum(exp(d))) = softplus(logsumexp(d)), d the other logits minus the target's.

    Differences first: x - x is exact, while logsumexp(row) rounds to the scale of the
    largest logit before the target's is taken away again. softplus then computes
    log(1 + s) without rounding 1 + s, which keeps a confident sample's tiny loss.
    """
    chosen = row[target]
    if len(row) == 1:  # one class: the loss is 0 (and so is its gradient), as in torch
        return chosen - chosen
    # With the target's logit -inf the differences are nan (-inf - -inf) or +inf, which
    # lose the softmax of the other logits; with every other logit -inf, logsumexp of
    # differences all -inf has no slope. logsumexp(row) - chosen has the limits: a loss
    # of inf, or exactly 0, and the gradient softmax(row) - onehot(target), as torch's.
    t = chosen.data
    if t == -math.inf or (t != math.inf and all(v.data == -math.inf for k, v in enumerate(row) if k != target)):
        return logsumexp(row) - chosen
    return logsumexp([v - chosen for k, v in enumerate(row) if k != target]).softplus()


def predicted_class(outputs: Sequence[Value]) -> int:
    """The class a model's outputs for one sample predict: for one output (a score or a
    logit) 1 when it is > 0 and 0 otherwise; for k outputs the index of the largest, the
    first on ties (as torch.argmax)."""
    if len(outputs) == 1:
        return 1 if outputs[0].data > 0.0 else 0
    best = 0
    for k in range(1, len(outputs)):
        if outputs[k].data > outputs[best].data:
            best = k
    return best


@dataclass(frozen=True)
class LossSpec:
    """A named loss and what `fit` needs to know about it (see the table in `fit`).

    - `name`: the name `fit` knows it by, its function's name.
    - `fn`: the loss, `fn(predictions, targets) -> Value`.
    - `labels(y, width, where)`: the dataset's labels `y` as the loss's targets, for a
      model with `width` outputs; TypeError for a label of the wrong type, ValueError
      for one the loss cannot take, each message starting with `where`.
    - `target_class(target)`: the class a target stands for; a sample is correct when
      its `predicted_class` is that class. None when the loss has no accuracy.
    - `rows`: True when it takes each sample's row of k outputs (one logit per class,
      k >= 2), False when it takes the sample's one output.
    - `term(output, target)`: one sample's term, for a loss that is the mean of its
      samples' terms (`of_terms` takes that mean as `fn` does), or None; `fit(compile=True)`
      compiles it with the model.
    """

    name: str
    fn: Callable[..., Value]
    labels: Callable[[Sequence[Any], int, str], list[Any]]
    target_class: Callable[[Any], int] | None
    rows: bool = False
    term: Callable[[Value, Any], Value] | None = None

    def of_terms(self, terms: Sequence[Value]) -> Value:
        """The loss of a batch from its samples' `term`s: their mean, added up as `fn` adds them."""
        return _mean(list(terms))

    def with_term(self, forward: Callable[[Any], list[Value]], name: str) -> Callable[[list[Any]], list[Value]]:
        """A model's `forward` and this loss's `term` as one function of a sample's row with
        its target last, returning the outputs then the term: what `fit(compile=True)`
        compiles, named `name` in its messages."""
        term = self.term
        if term is None:
            raise ValueError(f"{self.name} is no mean of per-sample terms")

        def outputs_and_term(row: list[Any]) -> list[Value]:
            outputs = forward(row[:-1])
            return [*outputs, term(outputs[0], row[-1])]

        outputs_and_term.__name__ = outputs_and_term.__qualname__ = name
        return outputs_and_term

    def __call__(self, outputs: Sequence[Sequence[Value]], targets: Sequence[Any]) -> Value:
        """The loss of a batch given the model's outputs, one list of Values per sample."""
        return self.fn(outputs if self.rows else [out[0] for out in outputs], targets)

    def targets(self, y: Sequence[Any], width: int, where: str = "fit") -> list[Any]:
        """The labels `y` as this loss takes them, for a model with `width` outputs."""
        if self.rows and width < 2:
            raise ValueError(f"{where}: {self.name} needs a model with one output per class, got {width} output")
        if not self.rows and width != 1:
            raise ValueError(f"{where}: {self.name} needs a model with 1 output, got {width}")
        return self.labels(y, width, where)

    def correct(self, outputs: Sequence[Sequence[Value]], targets: Sequence[Any]) -> int:
        """How many samples of a batch the outputs classify correctly (0 without a rule)."""
        rule = self.target_class
        if rule is None:
            return 0
        return sum(predicted_class(out) == rule(t) for out, t in zip(outputs, targets))


def _class_indices(y: Sequence[Any], width: int, where: str) -> list[int]:
    indices = []
    for i, label in enumerate(y):
        whole = is_index(label)
        if not whole or not 0 <= operator.index(label) < width:
            error = ValueError if whole else TypeError
            raise error(f"{where}: label {label!r} of sample {i} is not a class index 0..{width - 1}")
        indices.append(operator.index(label))
    return indices


def _floats(y: Sequence[Any], width: int, where: str) -> list[float]:
    for i, label in enumerate(y):
        if not is_real(label):
            raise TypeError(f"{where}: label {label!r} of sample {i} is not a number")
    return [float(label) for label in y]


def _signs(y: Sequence[Any], width: int, where: str) -> list[float]:
    values = _floats(y, width, where)
    kinds = set(values)
    if kinds <= {0.0, 1.0}:
        return [2.0 * v - 1.0 for v in values]
    if not kinds <= {-1.0, 1.0}:
        raise ValueError(f"{where}: hinge_loss needs labels 0/1 or -1/+1, got {sorted(kinds)}")
    return values


def _probabilities(y: Sequence[Any], width: int, where: str) -> list[float]:
    values = _floats(y, width, where)
    for i, v in enumerate(values):
        if not 0.0 <= v <= 1.0:
            raise ValueError(f"{where}: bce_with_logits needs labels in [0, 1], got {y[i]!r} for sample {i}")
    return values


# A score or a logit > 0 predicts class 1 (`predicted_class`), so a sample is correct
# when its label says class 1 exactly then: a +1 for hinge_loss, a target >= 0.5 for bce.
LOSSES: dict[str, LossSpec] = {
    spec.name: spec
    for spec in [
        LossSpec("mse_loss", mse_loss, _floats, None, term=mse_term),
        LossSpec("hinge_loss", hinge_loss, _signs, lambda t: 1 if t > 0.0 else 0, term=hinge_term),
        LossSpec("bce_with_logits", bce_with_logits, _probabilities, lambda t: 1 if t >= 0.5 else 0),
        LossSpec("cross_entropy", cross_entropy, _class_indices, int, rows=True),
    ]
}


def resolve_loss(loss: str | Callable[..., Value], where: str) -> tuple[Callable[..., Value], LossSpec | None]:
    """A loss given by name or as a function, as `fit` and the network stepper take it: the
    function to call with a batch's outputs and targets, and its entry in `LOSSES` (None for a
    loss of your own, whose targets are the labels as given).

        >>> fn, spec = resolve_loss("hinge_loss", "fit")
        >>> spec.name, fn is spec
        ('hinge_loss', True)

    ValueError (naming `where`) for an unknown name, TypeError for a loss that is no callable.
    """
    if isinstance(loss, str):
        if loss not in LOSSES:
            raise ValueError(f"{where}: unknown loss {loss!r}; the named losses are {sorted(LOSSES)}")
        return LOSSES[loss], LOSSES[loss]
    if not callable(loss):
        raise TypeError(f"{where}: loss must be a loss name or a callable, got {type(loss).__name__}")
    spec = next((spec for spec in LOSSES.values() if spec.fn is loss), None)
    return (loss, None) if spec is None else (spec, spec)


def _check_batch(op: str, preds: Sequence[object], targets: Sequence[object]) -> None:
    for what, batch in (("predictions", preds), ("targets", targets)):
        if not is_sequence(batch):
            raise TypeError(
                f"{op}: {what} must be a list with one item per sample, got {type(batch).__name__}; "
                f"for one sample pass [{what[:-1]}]"
            )
    if len(preds) != len(targets):
        raise ValueError(f"{op}: {len(preds)} predictions but {len(targets)} targets")
    if not preds:
        raise ValueError(f"{op}: the batch is empty")


def _mean(terms: list[Value]) -> Value:
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total / len(terms)


def _number(x: object, op: str, i: int) -> float:
    return real(x, op, f"target at position {i}")


def _target(x: Value | Number, op: str, i: int) -> Value | float:
    return x if isinstance(x, Value) else _number(x, op, i)


def _value(x: Value | Number, op: str, i: int) -> Value:
    # A plain number is allowed (it gets no gradient), so a loss is always a Value.
    if isinstance(x, Value):
        return x
    if not is_real(x):
        raise TypeError(f"{op}: prediction at position {i} must be a Value or a real number, got {type(x).__name__}")
    return Value(x)
