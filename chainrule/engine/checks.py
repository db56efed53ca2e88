"""Argument checks shared by every layer of chainrule, so that one mistake reads the same
wherever it is made.

Each check takes the value, the name of the function or class checking it (`where`) and
the argument's name, and returns the value as the caller uses it. A value of the wrong
type raises TypeError; a value of the right type that is out of range raises ValueError.
Both messages name the function, the argument and what was given:

    >>> positive_int(3, "MLP", "nin")
    3
    >>> positive_int(0, "MLP", "nin")
    Traceback (most recent call last):
    ...
    ValueError: MLP: nin must be a positive int, got 0

Two predicates say what counts as a number for all of them: `is_real` (a real number) and
`is_index` (a whole number), for the callers whose message must say more than a check's,
such as the position of a bad label in a batch.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Collection, Mapping, Set
from typing import TypeVar

__all__ = [
    "finite_real",
    "given",
    "instance_of",
    "int_at_least",
    "is_index",
    "is_real",
    "is_sequence",
    "nonnegative_int",
    "nonnegative_real",
    "one_of",
    "positive_int",
    "positive_int_or_none",
    "positive_real",
    "real",
    "real_in",
]

T = TypeVar("T")
# The names of boolean types with __float__ that are no Python bool: numpy's `bool_` (`bool`
# in numpy 2), recognised by name since numpy is no dependency.
_BOOL_NAMES = frozenset({"bool", "bool_"})


def is_real(x: object) -> bool:
    """True for what chainrule takes as a real number: an int, a float, or any scalar with
    `__float__` (numpy's included); never a bool (numpy's `bool_` included), a string,
    bytes, None or a container."""
    if isinstance(x, (bool, str, bytes)) or x is None or type(x).__name__ in _BOOL_NAMES:
        return False
    return hasattr(x, "__float__") and not (hasattr(x, "__len__") or hasattr(x, "__iter__"))


def is_sequence(x: object) -> bool:
    """True for an ordered sequence of items, such as a sample's inputs, a batch or a point:
    something with a length and items by index (a list, a tuple, a numpy array); not a str
    or bytes, a dict or a set, whose items are characters or keys, and not a number."""
    if isinstance(x, (str, bytes, bytearray, Mapping, Set)):
        return False
    return hasattr(x, "__len__") and hasattr(x, "__getitem__")


def is_index(x: object) -> bool:
    """True for what chainrule takes as a whole number, such as a class index: an int or any
    integer with `__index__` (numpy's included); never a bool, a float or a string."""
    if isinstance(x, bool):
        return False
    try:
        operator.index(x)  # type: ignore[arg-type]  # any object may define __index__
    except TypeError:
        return False
    return True


def real(x: object, where: str, name: str) -> float:
    """`x` as a float; TypeError when it is not a real number (see `is_real`)."""
    if not is_real(x):
        raise TypeError(f"{where}: {name} must be a real number, got {given(x)}")
    try:
        return float(x)  # type: ignore[arg-type]  # is_real checked __float__
    except (TypeError, ValueError) as exc:  # a __float__ that refuses
        raise TypeError(f"{where}: {name} must be a real number, got {given(x)}") from exc
    except OverflowError as exc:  # an int such as 10 ** 400
        raise ValueError(f"{where}: {name} is too large for a float (above 1.8e308), got {given(x)}") from exc


def finite_real(x: object, where: str, name: str) -> float:
    """`x` as a finite float; TypeError for a non-number, ValueError for nan or +-inf."""
    value = real(x, where, name)
    if not math.isfinite(value):
        raise ValueError(f"{where}: {name} must be finite, got {value!r}")
    return value


def nonnegative_real(x: object, where: str, name: str, *, finite: bool = True) -> float:
    """`x` as a float >= 0 (and finite, unless `finite=False`); nan is refused."""
    value = real(x, where, name)
    if not value >= 0.0 or (finite and value == math.inf):
        bound = "a finite number >= 0" if finite else "a number >= 0"
        raise ValueError(f"{where}: {name} must be {bound}, got {x!r}")
    return value


def positive_real(x: object, where: str, name: str) -> float:
    """`x` as a finite float > 0, such as a step size; nan is refused."""
    value = real(x, where, name)
    if not 0.0 < value < math.inf:
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {x!r}")
    return value


def real_in(x: object, low: float, high: float, where: str, name: str) -> float:
    """`x` as a float in the half-open interval [low, high); nan is refused.

    >>> real_in(1.0, 0.0, 1.0, "Adam", "betas[0]")
    Traceback (most recent call last):
    ...
    ValueError: Adam: betas[0] must be in [0, 1), got 1.0
    """
    value = real(x, where, name)
    if not low <= value < high:
        raise ValueError(f"{where}: {name} must be in [{low:g}, {high:g}), got {x!r}")
    return value


def positive_int(x: object, where: str, name: str) -> int:
    """`x` as an int >= 1; TypeError for anything but an int (bools included)."""
    return _int_at_least(x, 1, where, name, "a positive int")


def nonnegative_int(x: object, where: str, name: str) -> int:
    """`x` as an int >= 0; TypeError for anything but an int (bools included)."""
    return _int_at_least(x, 0, where, name, "an int >= 0")


def int_at_least(x: object, low: int, where: str, name: str) -> int:
    """`x` as an int >= `low`; TypeError for anything but an int (bools included)."""
    return _int_at_least(x, low, where, name, f"an int >= {low}")


def positive_int_or_none(x: object, where: str, name: str) -> int | None:
    """`x` when it is None or an int >= 1: an optional size, such as a batch size."""
    return None if x is None else _int_at_least(x, 1, where, name, "a positive int or None")


def instance_of(x: object, cls: type[T], where: str, name: str) -> T:
    """`x` when it is an instance of `cls` (or of a subclass); TypeError naming both types otherwise.

    >>> instance_of(2.0, int, "SGD", "parameter 1")
    Traceback (most recent call last):
    ...
    TypeError: SGD: parameter 1 is a float, not an int
    """
    if not isinstance(x, cls):
        raise TypeError(f"{where}: {name} is {_a(type(x).__name__)}, not {_a(cls.__name__)}")
    return x


def one_of(x: object, choices: Collection[str], where: str, name: str) -> str:
    """`x` when it is one of `choices`; ValueError listing them otherwise."""
    if not isinstance(x, str):
        raise TypeError(f"{where}: {name} must be a str, one of {_listed(choices)}; got {given(x)}")
    if x not in choices:
        raise ValueError(f"{where}: {name} must be one of {_listed(choices)}, got {x!r}")
    return x


def _int_at_least(x: object, low: int, where: str, name: str, what: str) -> int:
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"{where}: {name} must be {what}, got {given(x)}")
    if x < low:
        raise ValueError(f"{where}: {name} must be {what}, got {x!r}")
    return x


def given(x: object) -> str:
    """How a message shows a value it refuses: its type, and its repr when that is short
    (a huge int's order of magnitude: its repr may be too long to make)."""
    if isinstance(x, int) and abs(x) > 10**40:
        return f"int ~{'-' if x < 0 else ''}1e{math.floor(math.log10(abs(x)))}"
    text = repr(x)
    return f"{type(x).__name__} {text}" if len(text) <= 40 else type(x).__name__


def _a(noun: str) -> str:
    return ("an " if noun[:1] in tuple("aeiouAEIOU") else "a ") + noun


def _listed(choices: Collection[str]) -> str:
    return ", ".join(map(repr, choices))
