"""How a compiled call's arguments are read: `flatten` gives the call's shape (the key its trace
is kept under) and its numbers and Values in order; `rebuild` makes them the leaves a trace
runs on, labelled as a Layer labels its inputs; `argument_names` names them after the target's
parameters.
"""

from __future__ import annotations

import inspect
from collections.abc import Hashable
from typing import Any

from ..engine import Value
from ..engine.checks import is_real

__all__ = ["argument_names", "flatten", "rebuild"]


def flatten(args: tuple[Any, ...], numbers: bool = False) -> tuple[Hashable, list[Any]]:
    """The call's shape (the key of its trace) and its numbers and Values, flattened. A number
    standing alone as an argument is an input with `numbers` (a function of Values), and
    otherwise a setting of the call, as a Module takes it (a sample is a list)."""
    key: list[Hashable] = []
    flat: list[Any] = []
    seen: dict[int, int] = {}
    for arg in args:
        if isinstance(arg, (list, tuple)):
            key.append(("seq", tuple(_kind(e, flat, seen) for e in arg)))  # a list or a tuple: one graph
        elif numbers or isinstance(arg, Value):
            key.append(_kind(arg, flat, seen))
        else:
            key.append(_setting(arg))
    return tuple(key), flat


def _kind(x: Any, flat: list[Any], seen: dict[int, int]) -> Hashable:
    if isinstance(x, Value):
        first = seen.setdefault(id(x), len(flat))
        flat.append(x)
        return ("V", first)
    if type(x) is float or (is_real(x) and not isinstance(x, bool)):
        try:
            flat.append(float(x))
        except (OverflowError, ValueError, TypeError):
            return ("o", id(x))  # the eager model says what is wrong with it
        return "n"
    return _setting(x)


def _setting(x: Any) -> Hashable:
    """Anything else in a call is a setting of the trace: a call with another traces again."""
    try:
        hash(x)
    except TypeError:
        raise TypeError(
            f"compile: arguments must be numbers, Values, lists of them or hashable settings, got {type(x).__name__}"
        ) from None
    return ("o", type(x), x)


def argument_names(target: Any, count: int) -> list[str]:
    """The names of the target's first `count` positional parameters, which label the leaves
    (`x` -> x0, x1, ...); x, or x0_, x1_, ..., where its signature cannot tell."""
    try:
        params = list(inspect.signature(target).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return names[:count] if len(names) >= count else ["x"] if count == 1 else [f"x{j}_" for j in range(count)]


def rebuild(args: tuple[Any, ...], flat: list[Any], names: list[str], leaves: list[Value], numbers: bool) -> list[Any]:
    """The arguments with every number a labelled leaf (as Layer labels its inputs x0, x1, ...)."""
    made: dict[int, Value] = {}
    it = iter(flat)

    def leaf(x: Any, label: str, alone: bool = False) -> Any:
        if isinstance(x, Value):
            v = next(it)
            if id(v) not in made:
                made[id(v)] = v
                leaves.append(v)
            return v
        if (type(x) is float or (is_real(x) and not isinstance(x, bool))) and not (alone and not numbers):
            v = Value(next(it), label)
            leaves.append(v)
            return v
        return x

    out: list[Any] = []
    for arg, name in zip(args, names):
        if isinstance(arg, (list, tuple)):
            out.append(type(arg)(leaf(e, f"{name}{i}") for i, e in enumerate(arg)))
        else:
            out.append(leaf(arg, name, alone=True))
    return out
