"""`fit`'s checks of its data, run before the first step so that bad data deep in a data
set fails at once, naming the sample and the feature, with the model untouched:
`check_samples` (every sample a sequence of finite reals as wide as sample 0) and
`check_labels` (no nan or inf in a label)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from ..engine import Number, Value
from ..engine.checks import is_real, is_sequence, real

__all__ = ["check_labels", "check_samples"]


def check_samples(samples: Sequence[Sequence[Number]]) -> None:
    """Every sample a sequence of real numbers (or Values) as wide as sample 0, so that a bad
    sample deep in the data fails before the first step rather than after several."""
    width = -1
    for i, row in enumerate(samples):
        if not is_sequence(row):
            raise TypeError(f"fit: sample {i} must be a sequence of numbers, got {type(row).__name__}")
        if width < 0:
            width = len(row)
        elif len(row) != width:
            raise ValueError(f"fit: sample {i} has {len(row)} features, sample 0 has {width}")
        for j, x in enumerate(row):
            _finite(x.data if isinstance(x, Value) else _feature(x, i, j), f"feature {j} of sample {i}")


def _feature(x: object, i: int, j: int) -> float:
    try:
        return real(x, "fit", f"feature {j} of sample {i}")
    except OverflowError as exc:  # an int such as 10**400, past the largest float
        raise ValueError(f"fit: feature {j} of sample {i} is too large for a float") from exc


def _finite(x: float, what: str) -> None:
    """A nan (a missing value) or an inf in the data would make every weight nan within a
    few steps, without a word: refuse it before the first one, naming where it is."""
    if not math.isfinite(x):
        raise ValueError(
            f"fit: {what} is {x!r}; the data must be finite numbers (fill in or drop missing values first)"
        )


def check_labels(y: Sequence[Any]) -> None:
    """No label, nor any number in a label (a custom loss may take a list per sample), is nan
    or infinite. Labels of other kinds are left to the loss to check."""
    for i, label in enumerate(y):
        parts = enumerate(label) if is_sequence(label) else [(None, label)]
        for j, x in parts:
            what = f"the label of sample {i}" if j is None else f"item {j} of the label of sample {i}"
            if isinstance(x, Value):
                _finite(x.data, what)
            elif is_real(x):
                _finite(real(x, "fit", what), what)
