"""`Value`, the node of a computation graph: what a node holds, the primitives that make
nodes, and backward, which fills in their gradients.

Each primitive is written once, its forward value and its local derivatives (d out /
d parent, one per parent edge) side by side, as micrograd's engine.py writes them, and
stored on the new node as numbers, where `backward`, `explain` and the drawings read
them. A node holds no closure over itself, so a graph has no reference cycles and
reference counting frees it the moment it is dropped.

This module owns a node's slots (see `Value`): only it writes them, and every node sets
every one. One class with fixed slots keeps the hot loops' attribute reads specialised
to one type. A node z = f(x) or f(x, y) keeps its inputs in `_x`, `_y` and the local
derivatives dz/dx, dz/dy in `_dx`, `_dy`, so unary and binary nodes hold no tuples for
CPython's collector to walk; an n-ary node (`linear`, `logsumexp`) keeps tuples in `_x`
and `_dx`, and the marker `NARY` in `_y`. A leaf has `_x = None`, and `_y = CONSTANT` if
it is a constant (a plain number in an expression), else None.

Backward is here twice: `Value.backward`, the fast loop, and `backward_steps`, the same
rule one step at a time, which defines it; a test checks that they agree to the bit.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import count
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from .checks import is_real, real
from .floats import (
    exp_float,
    log_float,
    log_slope,
    logistic,
    pow_dbase,
    pow_dexp,
    pow_float,
    sin_cos,
    softplus_float,
    sqrt_float,
    sqrt_slope,
)
from .modes import DEFAULT_MODES, current_modes, own_modes, per_thread, switched

__all__ = [
    "CONSTANT",
    "MASKED",
    "NARY",
    "BackwardStep",
    "Contribution",
    "Number",
    "Value",
    "backward_steps",
    "constant",
    "describe",
    "fields",
    "gradients",
    "node",
    "topological_order",
]

Number = int | float  # and anything else with __float__, such as numpy scalars

NARY: Any = object()  # `_y` of an n-ary node, whose `_x` and `_dx` hold tuples
CONSTANT: Any = object()  # `_y` of a constant leaf (other leaves hold None there)
# The local derivative of a masked edge: 0.0, and this very float object marks the edge (`is`).
MASKED: float = float("0.0")

# Creation stamps count down: a node comes after its parents, so ascending is a topological order, output first.
_stamps = count(0, -1)
_by_stamp = attrgetter("_stamp")  # sort key: newest node first
_new = object.__new__  # makes a node without running Value.__init__'s checks
# backward writes (and marks with) every interior grad: concurrent passes must take turns.
_backward_lock = threading.Lock()


def _reflected(method: Callable[[Value, Value], Value]) -> Callable[[Value, Number], Value]:
    """`number op value` from `value op value`: the number becomes a constant leaf."""

    def reflected(self: Value, other: Number) -> Value:
        const = constant(other)
        return NotImplemented if const is None else method(const, self)

    reflected.__doc__ = f"other {method.__name__} self, for a plain number other."
    return reflected


class Value:
    """A scalar in a computation graph: its value, its gradient, and how it was made.

    `Value(data, label="")` makes a leaf. Arithmetic on Values (with each other or
    with plain numbers) makes new nodes that remember their parents, the operation
    and the local derivative along each parent edge. `backward()` then fills in
    `.grad` on every node of the graph.

        >>> a = Value(2.0, label="a")
        >>> b = a * a + 1
        >>> b.backward()
        >>> a
        Value(data=2.0, grad=4.0, label='a')

    Values hash by identity and `==` is left as identity, so they can live in sets and
    dicts; `bool(v)` is `v.data != 0`, as for a torch scalar (nan is true). They pickle
    and deep-copy with their graph. `.data`, `.grad` and `.label` may be set by hand,
    and are checked when set (`grad = None` is 0.0, as torch's optimizers read a missing
    grad, and -0.0 is 0.0: see `backward`); the local derivatives of nodes already
    built from a Value were fixed when they were built.
    """

    __slots__ = ("__weakref__", "_data", "_dx", "_dy", "_grad", "_label", "_op", "_scope", "_stamp", "_x", "_y")

    _data: float  # the value (`data` checks what is set)
    _grad: float  # d output / d self, set by backward (`grad` checks what is set)
    _label: str  # the name in drawings, explanations and messages ('' for none)
    _op: str  # the operation that made the node: '+', 'tanh', ...; '' in every leaf
    _x: Any  # the first parent (for an n-ary node a tuple of all parents); None in a leaf
    _y: Any  # the second parent; None in a unary node or a leaf; NARY; CONSTANT in a constant
    _dx: Any  # d self / d _x (for an n-ary node a tuple, one per parent); 0.0 in a leaf
    _dy: float  # d self / d _y; 0.0 where there is no second parent
    _stamp: int  # the creation stamp: lower is newer (see _stamps)
    _scope: tuple[Any, ...]  # the Modules whose forward pass made the node, outermost first
    # and __weakref__, for `op`'s weak map from a node to its function

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float:
            data = real(data, "Value", "data")
        self.label = label  # checked there
        self._data = data
        self._grad = 0.0
        self._op = ""
        self._x = self._y = None
        self._dx = self._dy = 0.0
        self._stamp = next(_stamps)
        self._scope = current_modes().scope

    # data, grad and label are checked when set; the engine's own loops use the slots.
    def _set_data(self, x: float) -> None:
        if type(x) is not float:
            x = real(x, f"Value {self._label!r}" if self._label else "Value", "data")
        self._data = x

    if TYPE_CHECKING:  # what a type checker reads: a float, set as a float

        @property
        def data(self) -> float: ...
        @data.setter
        def data(self, x: float) -> None: ...

    else:  # the getter is attrgetter, not a method: read once per input per Layer call, a
        # Python getter costs 1.6% more instructions per W1 step, this one 0.9%.
        data = property(attrgetter("_data"), _set_data, doc="The value of this node, a float; checked when set.")

    @property
    def grad(self) -> float:
        """d output / d self after `output.backward()`; leaves accumulate it across calls."""
        return self._grad

    @grad.setter
    def grad(self, g: float | None) -> None:
        # + 0.0 turns -0.0 into 0.0 and leaves every other float as it is: a gradient is a sum
        # that starts at 0.0, so it never holds -0.0, and backward may skip zero contributions.
        self._grad = (g if type(g) is float else 0.0 if g is None else real(g, "Value", "grad")) + 0.0

    @property
    def label(self) -> str:
        """The node's name in drawings, explanations and error messages ('' for none)."""
        return self._label

    @label.setter
    def label(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"Value: label must be a str, got {type(text).__name__}")
        self._label = text

    def __bool__(self) -> bool:
        return self._data != 0.0

    # -- the graph, read-only ------------------------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in argument order (empty for a leaf)."""
        x = self._x
        if x is None:
            return ()
        y = self._y
        if y is None:
            return (x,)
        return x if y is NARY else (x, y)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d parent for each parent edge, in the order of `parents`.

        A parent used twice (as in `p * p`) has two edges and two entries.
        """
        if self._x is None:
            return ()
        y = self._y
        if y is None:
            return (self._dx,)
        return self._dx if y is NARY else (self._dx, self._dy)

    @property
    def is_leaf(self) -> bool:
        """True for a Value with no parents: one made by the user, or under `no_grad`."""
        return self._x is None

    @property
    def is_constant(self) -> bool:
        """True for a leaf made from a plain number in an expression such as `x * 2`."""
        return self._y is CONSTANT

    @property
    def op(self) -> str:
        """The operation that made this node: '+', '*', 'relu', ...; '' for a leaf, constants too."""
        return self._op

    @property
    def scope(self) -> tuple[Any, ...]:
        """The Modules whose forward pass made this node, outermost first (`chainrule.nn.Module`
        records them)."""
        return self._scope

    def __repr__(self) -> str:
        label = f", label={self._label!r}" if self._label else ""
        return f"Value(data={self._data!r}, grad={self._grad!r}{label})"

    # Pickling: engine/pickling.py makes a blank node and gives it its state here (a node
    # pickles with the graph it depends on, which that module lists); a copy shares parents.
    def __setstate__(self, state: tuple[Any, ...]) -> None:
        """Set the fields `fields` gave, `state[1]` (the rest is for the pickler), and a fresh stamp."""
        _set_fields(self, state[1])

    def __copy__(self) -> Value:
        out: Value = _new(Value)
        _set_fields(out, fields(self))
        return out

    # -- primitives: forward value and local derivatives side by side ---------------

    def __add__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        return node(self._data + o._data, "+", self, 1.0, o, 1.0)

    def __mul__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        return node(self._data * o._data, "*", self, o._data, o, self._data)

    def __sub__(self, other: Value | Number) -> Value:
        # A primitive rather than self + (-other): one node instead of two, smaller drawings.
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        return node(self._data - o._data, "-", self, 1.0, o, -1.0)

    def __truediv__(self, other: Value | Number) -> Value:
        """self / other; d/dself = 1 / other, d/dother = -self / other**2."""
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        if o._data == 0.0:
            raise ZeroDivisionError(f"division: dividing {describe(self)} by zero {describe(o)}")
        out = self._data / o._data
        return node(out, "/", self, 1.0 / o._data, o, -out / o._data)

    def __pow__(self, other: Value | Number) -> Value:
        """self ** other; d/dself = y x**(y-1), d/dother = x**y log x (see `_power`).

        Where the exponent is 0 (a number or a Value), the edge to the base is masked, as
        in torch: it passes 0 whatever the upstream gradient, nan and inf included (see
        `backward`). The edge to a Value exponent is not masked. A number exponent 0.5
        is a square root, as in torch: (-0.0) ** 0.5 is -0.0, its slope -inf."""
        if isinstance(other, Value):
            out, d_base, d_exponent = _power(self, other)
            if d_base is MASKED:  # kept as an n-ary node: the loop checks masks there only
                return node(out, "**", (self, other), (MASKED, d_exponent), NARY)
            return node(out, "**", self, d_base, other, d_exponent)
        if type(other) is not float:
            if not is_real(other):
                return NotImplemented
            other = real(other, "pow", "exponent")  # 10 ** 400 is a clear ValueError
        x = self._data
        if other == 0.5 and not x < 0.0:  # as torch computes x ** 0.5: a square root, so that
            out = sqrt_float(x)  # (-0.0) ** 0.5 is -0.0 with slope -inf, as sqrt's are
            return node(out, "**0.5", self, sqrt_slope(out))
        out, d_base, _ = _power(self, other)
        return node(out, f"**{other:g}", self, d_base)  # a number, no node: the op names it ('**2')

    __radd__ = _reflected(__add__)
    __rmul__ = _reflected(__mul__)
    __rsub__ = _reflected(__sub__)
    __rtruediv__ = _reflected(__truediv__)
    __rpow__ = _reflected(__pow__)

    def __neg__(self) -> Value:
        return node(-self._data, "neg", self, -1.0)

    def exp(self) -> Value:
        """e ** self; d/dx = e ** x. Overflow gives +inf, as IEEE floats do."""
        out = exp_float(self._data)
        return node(out, "exp", self, out)

    def log(self) -> Value:
        """Natural log; d/dx = 1 / x. log(+-0) is -inf with slope 1/(+-0) = +-inf (as in IEEE
        and torch); x < 0 raises ValueError."""
        x = self._data
        try:
            out = log_float(x)
        except ValueError:
            raise ValueError(f"log: input must be positive, got {describe(self)}") from None
        return node(out, "log", self, log_slope(x))

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt x): at +-0 (sqrt(-0.0) is -0.0) +-inf, as in torch.
        x < 0 raises ValueError."""
        try:
            out = sqrt_float(self._data)
        except ValueError:
            raise ValueError(f"sqrt: input must be >= 0, got {describe(self)}") from None
        return node(out, "sqrt", self, sqrt_slope(out))

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2. Exact +-1 at large |x|."""
        t = math.tanh(self._data)
        return node(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x); d/dx = s (1 - s), at most 0.25. Computed without
        overflow for any x: exactly 0.0 and 1.0 far out in the tails."""
        s = logistic(self._data)
        return node(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """max(0, x); d/dx = 0 for x <= 0 (at the kink too), else 1: relu(nan) is nan with
        slope 1, and relu(-0.0) is -0.0, as in PyTorch. At x <= 0 the edge is masked, as in
        PyTorch: it passes 0 whatever the upstream gradient, nan and inf included (see
        `backward`)."""
        x = self._data
        if x <= 0.0:  # 0.0 below 0, and the zero itself (-0.0 stays -0.0) at 0
            return node(0.0 if x else x, "relu", self, MASKED)
        return node(x, "relu", self, 1.0)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x; d/dx = 1 for x > 0, else slope (slope at 0, as in PyTorch)."""
        if type(slope) is not float:
            slope = real(slope, "leaky_relu", "slope")
        x = self._data
        return node(x if x > 0.0 else slope * x, "leaky_relu", self, 1.0 if x > 0.0 else slope)

    def abs(self) -> Value:
        """|x|; d/dx = sign(x), and 0 at the kink (as in PyTorch)."""
        x = self._data
        return node(abs(x), "abs", self, 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0)

    __abs__ = abs  # abs(v) is v.abs()

    def sin(self) -> Value:
        """Sine; d/dx = cos x. sin(+-inf) is nan, slope nan (as in torch)."""
        sin, cos = sin_cos(self._data)
        return node(sin, "sin", self, cos)

    def cos(self) -> Value:
        """Cosine; d/dx = -sin x. cos(+-inf) is nan, slope nan (as in torch)."""
        sin, cos = sin_cos(self._data)
        return node(cos, "cos", self, -sin)

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow; d/dx = sigmoid(x). A primitive of its own
        because `(1 + x.exp()).log()` overflows for large x; `bce_with_logits` is built on it."""
        x = self._data
        return node(softplus_float(x), "softplus", self, logistic(x))

    # -- backward ------------------------------------------------------------------

    def backward(self) -> None:
        """Fill in `.grad` on every node of the graph that ends here (reverse mode).

        Sets this node's grad to 1 and recomputes every non-leaf node's grad from
        scratch. Leaves (Values you made, with no parents) *accumulate*, as in
        PyTorch: call `zero_grad()` on a model, or set `v.grad = 0.0`, between steps.

            >>> a, b = Value(2.0), Value(3.0)
            >>> d = (a * b) * a
            >>> d.backward(); a.grad
            12.0
            >>> d.backward(); a.grad
            24.0

        Iterative, so graphs of any depth work: the fast form of the rule `backward_steps`
        states one step at a time, giving the same gradients to the bit (a test checks it).
        Calls from several threads take turns, so leaves get the sum of every pass.

        The rule. Newest node first, each node passes a contribution along each parent
        edge: its grad times the edge's local derivative, in IEEE arithmetic (0 * inf and
        anything * nan are nan), except on a *masked* edge, which passes 0.0 whatever the
        grad, nan and inf included, as PyTorch's backward does there. The masked edges,
        one rule per op:

        - `relu`: its edge, where the input was <= 0 (-0.0, the kink, included);
        - `x ** c`, c a number: the edge to x, where c == 0 (-0.0 included);
        - `x ** y`, y a Value: the edge to x, where y was 0 when the node was built (the
          edge to y is not masked).

        A masked edge stores `MASKED`, a 0.0 marked by its identity (`local_grads` shows
        0.0); `x ** y` with a masked edge is kept as an n-ary node, where the loop looks.
        Every gradient is 0.0 plus its contributions, added in that order: a
        non-leaf's from scratch, a leaf's onto what it held. So no gradient is ever -0.0
        (`grad = -0.0` stores 0.0).

        Sparse: the loop skips work, never results. An n-ary node (`linear`, `logsumexp`:
        most of a network's edges) whose grad is +-0.0 passes nothing along edges whose
        local derivative is finite, and no node passes anything along a masked edge (a
        unary or binary node takes its step whatever its grad: its one or two edges cost
        less than a check would). Each contribution skipped is a zero (+-0.0 times a
        finite number, or a masked 0.0), and adding a zero to a float x gives x bit for
        bit unless x is -0.0 (-0.0 + 0.0 is 0.0). So the only results that could differ
        from a dense walk are the signs of zero gradients, and none does: a gradient
        starts at 0.0 (a leaf at what it held, never -0.0), and a sum of floats is -0.0
        only when both terms are, so no gradient is ever -0.0 for a skipped zero to keep.
        What is not a zero is never skipped: a zero grad times an inf or nan local
        derivative passes its nan on.
        The nodes themselves are all still found, so every non-leaf gradient is reset.

        A known price of storing local derivatives as numbers: one that overflows when the
        node is built (x * y for a huge y, 1 / x for a subnormal x, exp of a large x) is an
        inf, and a zero upstream times it gives nan where a derivative evaluated during
        backward might have stayed finite.
        """
        with _backward_lock:
            if self._x is None:
                self._grad += 1.0
                return
            order = _interior_nodes(self)
            self._grad = 1.0
            masked = MASKED
            # Newest first, a node's grad is complete by the time it passes it on. Every
            # interior grad starts at 0.0 (see _interior_nodes); contributions add. Masked
            # edges are on unary nodes (relu, x ** 0) and on n-ary ones (x ** y at y = 0).
            for v in order:
                g = v._grad
                y = v._y
                if y is None:
                    d = v._dx
                    if d is not masked:
                        v._x._grad += g * d
                elif y is NARY:
                    if g != 0.0 and g - g == 0.0:  # finite, nonzero: masked edges pass a zero
                        for x, d in zip(v._x, v._dx):
                            x._grad += g * d
                    elif g == 0.0:  # only an inf or nan local derivative passes anything (nan)
                        total = sum(v._dx)  # finite only if every term is
                        if total - total != 0.0:
                            for x, d in zip(v._x, v._dx):
                                if d - d != 0.0:
                                    x._grad += g * d
                    else:  # nan or +-inf: masked edges pass nothing
                        for x, d in zip(v._x, v._dx):
                            if d is not masked:
                                x._grad += g * d
                else:
                    v._x._grad += g * v._dx
                    y._grad += g * v._dy

    # micrograd's names, for code written against it and for backprop done by hand, as the
    # lecture that builds micrograd does it: set the output's grad to 1, then call
    # `_backward()` on every node, newest first.
    @property
    def _prev(self) -> set[Value]:
        """The nodes this one was computed from, as a set (micrograd's name); empty for a leaf."""
        return set(self.parents)

    def _backward(self) -> None:
        """Add self.grad times d self / d parent to each parent's grad, one edge at a time
        (micrograd's name); a leaf has no parents, so nothing happens.

        Only this node's step: calling it on every node, newest first, after setting the
        output's grad to 1, is a backward pass, except that every grad adds (`backward`
        recomputes those of non-leaves from scratch). A masked edge passes nothing (see
        `backward`).

            >>> a, b = Value(2.0), Value(-3.0)
            >>> e = a * b
            >>> e.grad = 1.0
            >>> e._backward()
            >>> a.grad, b.grad
            (-3.0, 2.0)
        """
        g = self._grad
        for p, d in zip(self.parents, self.local_grads):
            if d is not MASKED:
                p._grad += g * d


def _interior_nodes(root: Value) -> list[Value]:
    """The non-leaf nodes `root` depends on (itself included), newest first, grads set to 0.0:
    a float object made for this walk, so a grad that *is* it marks a node found already."""
    mark = float("0.0")
    order = [root]
    root._grad = mark
    append = order.append
    nary = NARY  # a local: read once per node
    for v in order:  # the list grows as the walk finds nodes: iterative, breadth first
        y = v._y
        if y is nary:
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
    order.sort(key=_by_stamp)
    return order


# -- making nodes ------------------------------------------------------------------------


def node(data: float, op: str, x: Any = None, dx: Any = 0.0, y: Any = None, dy: float = 0.0) -> Value:
    """Record a node: out = op(x) or op(x, y) (or op(*x): tuples x and dx, y = NARY), with
    d out / dx = dx and d out / dy = dy; with x None, or under no_grad, a leaf. The one
    constructor of nodes, which every primitive calls; it checks nothing."""
    out = _new(Value)
    out._data = data
    out._grad = 0.0
    out._label = ""
    out._stamp = next(_stamps)
    try:  # this thread's modes (engine/modes.py): DEFAULT_MODES until a mode has changed
        modes = per_thread.modes if switched.on else DEFAULT_MODES
    except AttributeError:  # a thread that has changed none: it gets its own, once
        modes = own_modes()
    out._scope = modes.scope
    if x is not None and modes.grad_enabled:
        out._op = op
        out._x = x
        out._y = y
        out._dx = dx
        out._dy = dy
    else:
        out._op = ""
        out._x = out._y = None
        out._dx = out._dy = 0.0
    return out


def constant(x: object) -> Value | None:
    """A plain number from an expression as a constant leaf; None if it is not a real number."""
    if type(x) is not float:
        if not is_real(x):
            return None
        try:
            x = float(x)  # type: ignore[arg-type]  # is_real checked __float__
        except OverflowError:  # an int such as 10 ** 400, which real() names in a ValueError
            x = real(x, "Value", "number")
    out = node(x, "")
    out._y = CONSTANT  # no hot loop reads a leaf's _y: the mark costs nothing elsewhere
    return out


def fields(v: Value) -> tuple[Any, ...]:
    """A node's own fields, as `Value.__setstate__` reads them back (for pickling and copies):
    a leaf's five (a constant's a sixth, True), then the edges (x, dx, y, dy); y is None
    for an n-ary node (whose x and dx are tuples), and absent for a unary one."""
    head = (v._data, v._grad, v._label, v._op, v._scope)
    x = v._x
    if x is None:
        return (*head, True) if v._y is CONSTANT else head
    y = v._y
    if y is None:
        return (*head, x, v._dx)
    return (*head, x, v._dx, None if y is NARY else y, v._dy)


def _set_fields(v: Value, state: tuple[Any, ...]) -> None:
    """Give `v` the fields `fields` listed, and a fresh stamp: a node loaded after its
    parents is newer than they are, and than every node made before it in this process."""
    data, grad, label, op, scope, *edges = state
    v._data, v._grad, v._label, v._op, v._scope = data, grad, label, op, scope
    v._x = v._y = None
    v._dx = v._dy = 0.0
    if len(edges) == 1:
        v._y = CONSTANT
    elif edges:
        v._x, v._dx, *rest = edges
        if rest:
            y, v._dy = rest
            v._y = NARY if y is None else y
        _restore_mask(v)  # a mark of identity does not survive pickling: the rule restores it
    v._stamp = next(_stamps)


def _restore_mask(v: Value) -> None:
    """Mark v's masked edge again, by the rule `Value.backward` states, from its op and
    layout: relu with slope 0, `x ** c` with c == 0, and `x ** y`, n-ary only when masked."""
    op = v._op
    if (op == "relu" and v._dx == 0.0) or op in ("**0", "**-0"):
        v._dx = MASKED
    elif op == "**" and v._y is NARY:
        v._dx = (MASKED, v._dx[1])


# -- walking a graph, and backward one step at a time --------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, itself last, each node after all of its parents.

    This is the order of the forward pass, the order the nodes were made in (oldest
    first), and the reverse of the order backward visits them. Iterative, so graphs of
    any depth work.
    """
    seen = {root}
    stack = [root]
    order = []
    while stack:
        v = stack.pop()
        order.append(v)
        for p in v.parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    order.sort(key=_by_stamp, reverse=True)
    return order


@dataclass(frozen=True)
class Contribution:
    """What one edge adds to its parent's gradient: `grad_after = grad_before + amount`.

    `local_grad` is d node / d parent, read from the node; `amount` is the node's
    grad times it (0.0 on a masked edge, whatever the grad: see `Value.backward`).
    `accumulates` is False for the parent's first contribution (added to 0.0) and True
    for every later one.
    """

    parent: Value
    local_grad: float
    amount: float
    grad_before: float
    grad_after: float
    accumulates: bool


@dataclass(frozen=True)
class BackwardStep:
    """One node's turn in backward: its (upstream) gradient and what it passes to each parent.

    `contributions` has one entry per parent edge, in the order of `node.parents`;
    a parent used twice (as in `p * p`) gets two.
    """

    node: Value
    grad: float
    contributions: tuple[Contribution, ...]


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Iterate over the steps `root.backward()` takes, in the order it takes them: the
    definition of reverse mode in chainrule, of which `Value.backward` is the fast form.

    Newest node first (the reverse of `topological_order`), so a node's gradient is
    complete when its step comes; only nodes with parents take a step. The rule, for
    each parent edge in argument order: the contribution is grad(node) times the local
    derivative, or 0.0 on a masked edge whatever the grad (relu at x <= 0, the base of
    a power whose exponent is 0; see `Value.backward`); it is added to the parent's
    gradient, which starts at 0.0 (leaves accumulate from 0, as after `zero_grad`;
    non-leaf gradients are recomputed from scratch). Every edge has its step here, the
    zero ones too: only `Value.backward`'s loop skips work. The graph's own `.grad`
    fields are neither read nor changed.

        >>> x = Value(3.0, "x")
        >>> y = x * x
        >>> [(c.amount, c.grad_after, c.accumulates) for c in next(backward_steps(y)).contributions]
        [(3.0, 3.0, False), (3.0, 6.0, True)]
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    grads = {root: 1.0}
    for v in reversed(topological_order(root)):
        if v._x is None:
            continue
        grad = grads[v]  # every consumer of the node has taken its step already
        contributions = []
        for parent, local in zip(v.parents, v.local_grads):
            amount = 0.0 if local is MASKED else grad * local
            accumulates = parent in grads
            before = grads[parent] if accumulates else 0.0
            after = before + amount
            grads[parent] = after
            contributions.append(Contribution(parent, local, amount, before, after, accumulates))
        yield BackwardStep(v, grad, tuple(contributions))


def gradients(root: Value) -> dict[Value, float]:
    """d root / d v for every node v of the graph, by `backward_steps`, without touching `.grad`.

    A fresh backward pass's numbers: what `root.backward()` leaves on each node when the
    leaves start from 0.
    """
    grads = {root: 1.0}
    for step in backward_steps(root):
        for c in step.contributions:
            grads[c.parent] = c.grad_after
    return grads


# -- the float arithmetic the primitives share, and how a message names a node ----------


def describe(v: Any) -> str:
    """How an error message names a node: its value and, if it has one, its label. Any
    object with `.data` will do (a learner's own Value, say), with or without a label."""
    label = getattr(v, "label", "")
    return f"{v.data!r} (node {label!r})" if label else repr(v.data)


def _power(base: Value, exponent: Value | float) -> tuple[float, float, float]:
    """base ** exponent (a Value, or a float that is no node) and its two local derivatives:
    d/dbase = y x**(y-1), d/dexponent = x**y log x. Errors name both operands."""
    x = base._data
    y = exponent if isinstance(exponent, float) else exponent._data
    try:
        out = pow_float(x, y)
    except ValueError:
        where = repr(y) if isinstance(exponent, float) else describe(exponent)
        raise ValueError(f"pow: negative base {describe(base)} with non-integer exponent {where}") from None
    except ZeroDivisionError:
        raise ZeroDivisionError(f"pow: zero base {describe(base)} to the negative power {y!r}") from None
    return out, MASKED if y == 0.0 else pow_dbase(x, y), pow_dexp(out, x, y)  # masked: see Value.backward
