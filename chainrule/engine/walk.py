"""The walk `Value.backward` starts with: every interior node of a graph, newest first.

Its own module only to keep `engine/value.py` short; it reads the slots `Value` keeps
its graph in (see value.py's docstring), and is used by nothing else.
"""

from __future__ import annotations

from operator import attrgetter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .value import Value

__all__ = ["NARY", "by_stamp", "interior_nodes"]

by_stamp = attrgetter("_stamp")  # sort key: newest node first
NARY: Any = object()  # `_y` of a node whose `_x` and `_dx` hold tuples (see value.py's docstring)


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
