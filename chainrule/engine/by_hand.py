"""A node's graph under the names micrograd's code reads, for backprop done by hand:
`Value._prev`, the set of its parents, and `Value._backward()`, its own step of the
chain rule. Its own module only to keep `engine/value.py` short; it reads the slots
`Value` keeps its graph in (see value.py's docstring), as `walk.py` does.

The lecture that builds micrograd steps backward one node at a time, newest first:

    >>> from chainrule.engine import Value
    >>> a, b = Value(2.0), Value(-3.0)
    >>> e = a * b
    >>> e.grad = 1.0
    >>> e._backward()
    >>> a.grad, b.grad
    (-3.0, 2.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .walk import NARY

if TYPE_CHECKING:
    from .value import Value

__all__ = ["local_step", "parent_set"]


def parent_set(v: Value) -> set[Value]:
    """The nodes `v` was computed from, as a set (micrograd's `_prev`); empty for a leaf."""
    x = v._x
    if x is None:
        return set()
    y = v._y
    if y is NARY:
        return set(x)
    return {x} if y is None else {x, y}


def local_step(v: Value) -> None:
    """Add v.grad times the local derivative d v / d parent to each parent's grad, one edge
    at a time (micrograd's `_backward`); a leaf has no parents, so nothing happens.

    Only this node's step: calling it on every node, newest first, after setting the
    output's grad to 1, is a backward pass, as `Value.backward` makes it, except that
    every grad adds (`backward` recomputes those of non-leaves from scratch).
    """
    x = v._x
    if x is None:
        return
    g = v._grad
    y = v._y
    if y is None:
        x._grad += g * v._dx
    elif y is NARY:
        for p, d in zip(x, v._dx):
            p._grad += g * d
    else:
        x._grad += g * v._dx
        y._grad += g * v._dy
