"""Pickling and copying Values: a node pickles (and deep-copies) with the whole graph it was
computed from, however deep, and loads with fresh creation stamps.

Pickle's own way with an object of slots recurses once per level of a graph (a node's
state holds its parents, whose state holds theirs), so a 1e5-deep graph overflows the
stack. Here a node's state first lists every node it depends on, oldest first: the
pickler writes each of those whole before the next, and each finds its parents written
already, so the depth it recurses to is the same for any graph. Identity survives as
pickle keeps it: a node reached twice, from two outputs or from a Module holding it,
is one node after loading.

Creation stamps order backward's walk (`Value.backward` sorts by them). They count within
one process, so the stamps a graph had where it was pickled mean nothing where it is
loaded: each node gets a fresh stamp as it loads, parents first (in the order they were
made), and nodes made later in the loading process get newer ones still.

    >>> import pickle
    >>> from chainrule.engine import Value
    >>> x = Value(3.0, "x")
    >>> y = pickle.loads(pickle.dumps(x * x + 1.0))
    >>> y.backward(); [(v.label, v.grad) for v in y.parents[0].parents]
    [('x', 6.0), ('x', 6.0)]
"""

from __future__ import annotations

import threading
from typing import Any

from .value import CONSTANT, NARY, Value, new_stamp

__all__ = ["copy_value", "reduce_value", "restore_value"]

# The nodes a deep reduce has listed in its state, by id, until the pickler has written
# them: their own reduce is then the shallow one (their parents come before them). Per
# thread, as each pickler runs in one. A stale entry (from a pickle that failed midway)
# only makes a node's next reduce shallow, which is still correct, merely recursive.
_local = threading.local()


def _pending() -> dict[int, object]:
    pending: dict[int, object] | None = getattr(_local, "pending", None)
    if pending is None:
        pending = _local.pending = {}
    return pending


class _Sweep:
    """The last item of a deep reduce's state: by the time the pickler (or deepcopy)
    reaches it, every node listed before it is written, so their entries are dropped."""

    __slots__ = ("_ids",)

    def __init__(self, ids: list[int]) -> None:
        self._ids = ids

    def _forget(self) -> None:
        pending = _pending()
        for i in self._ids:
            if pending.get(i) is self:
                del pending[i]

    def __reduce__(self) -> tuple[Any, ...]:
        self._forget()
        return (_none, ())

    def __deepcopy__(self, memo: dict[int, Any]) -> None:
        self._forget()


def _none() -> None:
    return None


def _blank() -> Value:
    """A node with nothing set: `restore_value` fills it in when its state is read."""
    return object.__new__(Value)


def _fields(v: Value) -> tuple[Any, ...]:
    """A node's own fields: a leaf's five (a constant's a sixth, True), then the edges (x, dx,
    y, dy); y is None for an n-ary node (whose x and dx are tuples), and absent for a unary one."""
    head = (v.data, v._grad, v._label, v._op, v._scope)
    x = v._x
    if x is None:
        return (*head, True) if v.is_constant else head
    y = v._y
    if y is None:
        return (*head, x, v._dx)
    return (*head, x, v._dx, None if y is NARY else y, v._dy)


def reduce_value(v: Value) -> tuple[Any, ...]:
    """What `Value.__reduce_ex__` returns: make a blank node, then `restore_value` it from
    (the nodes it depends on, oldest first, or None; its own fields; a sweep or None)."""
    pending = _pending()
    if pending.pop(id(v), None) is None and v._x is not None:
        from .graph import topological_order  # here: graph imports value, which imports this module

        earlier = topological_order(v)[:-1]  # oldest first, v itself last
        sweep = _Sweep([id(a) for a in earlier])
        for a in earlier:
            pending[id(a)] = sweep
        return (_blank, (), (earlier, _fields(v), sweep))
    return (_blank, (), (None, _fields(v), None))


def restore_value(v: Value, state: tuple[Any, ...]) -> None:
    """What `Value.__setstate__` does: set the fields `reduce_value` saved, and a fresh stamp.

    A node's state is read after the states of all the nodes listed before it, its
    parents among them, so fresh stamps keep every node newer than its parents.
    """
    data, grad, label, op, scope, *edges = state[1]
    v.data, v._grad, v._label, v._op, v._scope = data, grad, label, op, scope
    v._x = None
    if len(edges) == 1:
        v._y = CONSTANT
    elif edges:
        v._x, v._dx, *rest = edges
        if not rest:
            v._y = None
        else:
            y, v._dy = rest
            v._y = NARY if y is None else y
    v._stamp = new_stamp()


def copy_value(v: Value) -> Value:
    """What `copy.copy` gives: a new node with the same fields and the same parents."""
    out = _blank()
    restore_value(out, (None, _fields(v), None))
    return out
