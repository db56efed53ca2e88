"""How `Value.backward` runs: `backward_pass`, its loop, and the walk it starts with
(every interior node of a graph, newest first); and the markers a node's `_y` slot may hold.

Its own module only to keep `engine/value.py` short; it reads the slots `Value` keeps
its graph in (see value.py's docstring).
"""

from __future__ import annotations

import threading
from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value

__all__ = ["CONSTANT", "NARY", "backward_pass", "by_stamp", "interior_nodes"]

by_stamp = attrgetter("_stamp")  # sort key: newest node first
NARY: Any = object()  # `_y` of a node whose `_x` and `_dx` hold tuples (see value.py's docstring)
CONSTANT: Any = object()  # `_y` of a constant leaf (other leaves leave `_y` unset)
# backward writes (and marks with) every interior grad: concurrent passes must take turns.
_backward_lock = threading.Lock()


def backward_pass(root: Value) -> None:
    """`root.backward()` (see its docstring): root's grad set to 1, every interior grad
    recomputed, every leaf's added to."""
    with _backward_lock:
        if root._x is None:
            root._grad += 1.0
            return
        order = interior_nodes(root)
        root._grad = 1.0
        # Newest first, a node's grad is complete by the time it passes it on. Every
        # interior grad starts at -0.0, the additive identity of floats, so a first
        # contribution sets it exactly and later ones add; leaves always add.
        for v in order:
            g = v._grad
            y = v._y
            if y is None:
                v._x._grad += g * v._dx
            elif y is NARY:
                for x, d in zip(v._x, v._dx):
                    x._grad += g * d
            else:
                v._x._grad += g * v._dx
                y._grad += g * v._dy


def interior_nodes(root: Value) -> list[Value]:
    """The non-leaf nodes `root` depends on (itself included), newest first, grads set to -0.0:
    a float object made for this walk, so a grad that *is* it marks a node found already."""
    mark = float("-0.0")
    order = [root]
    root._grad = mark
    append = order.append
    for v in order:  # the list grows as the walk finds nodes: iterative, breadth first
        y = v._y
        if y is NARY:
            for x in v._x:
                if x._x is not None and x._grad is not mark:
                    x._grad = mark
                    append(x)
        else:
            x = v._x
            if x._x is not None and x._grad is not mark:
                x._grad = mark
                append(x)
            if y is not None and y._x is not None and y._grad is not mark:
                y._grad = mark
                append(y)
    order.sort(key=by_stamp)
    return order
