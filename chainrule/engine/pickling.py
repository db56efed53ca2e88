"""How a Value pickles and deep-copies: with the whole graph it was computed from, however
deep, loading with fresh creation stamps. Importing this module registers `reduce_value`
with `copyreg` for `Value` (`chainrule.engine` imports it); `value.py` gives a loaded node
its fields (`Value.__setstate__`) and makes shallow copies (`Value.__copy__`).

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

import copyreg
import threading
from typing import Any

from .value import Value, fields, topological_order

__all__ = ["reduce_value"]

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
    """A node with nothing set: `Value.__setstate__` fills it in when its state is read."""
    return object.__new__(Value)


def reduce_value(v: Value) -> tuple[Any, ...]:
    """How pickle and deepcopy reduce a Value: make a blank node, then `Value.__setstate__`
    it from (the nodes it depends on, oldest first, or None; its `fields`; a sweep or None)."""
    pending = _pending()
    if pending.pop(id(v), None) is None and not v.is_leaf:
        earlier = topological_order(v)[:-1]  # oldest first, v itself last
        sweep = _Sweep([id(a) for a in earlier])
        for a in earlier:
            pending[id(a)] = sweep
        return (_blank, (), (earlier, fields(v), sweep))
    return (_blank, (), (None, fields(v), None))


copyreg.pickle(Value, reduce_value)
