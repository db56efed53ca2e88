"""`Value`, the node of a computation graph, and the primitives that build graphs.

Each primitive is written once, its forward value and its local derivatives (d out /
d parent, one per parent edge) side by side, as micrograd's engine.py writes them, and
stored on the new node as numbers: `backward`, `explain`, the drawings and the steppers
all read them there. A node holds no closure over itself, so a graph has no reference
cycles and reference counting frees it the moment it is dropped.

Every node is one class with fixed slots (attribute reads in the hot loops then stay
specialised to one type). A node z = f(x) or f(x, y) keeps its inputs in `_x`, `_y` and
the local derivatives dz/dx, dz/dy in `_dx`, `_dy`, so unary and binary nodes hold no
tuples for CPython's collector to walk. A leaf has `_x = None` (a constant also `_y =
CONSTANT`), a unary node `_y = None`; an n-ary node (`linear`, `logsumexp`) has `_y = NARY`
and its tuples in `_x` and `_dx`. Every leaf's op is '', as micrograd's code expects.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import count
from typing import Any, SupportsIndex

from .by_hand import local_step, parent_set
from .checks import is_real, real
from .modes import DEFAULT_MODES, current_modes, own_modes, per_thread, switched
from .scalar import describe, logistic, power, sin_cos
from .walk import CONSTANT, NARY, backward_pass, by_stamp

__all__ = ["CONSTANT", "NARY", "Number", "Value", "by_stamp", "constant", "new_stamp", "node"]

Number = int | float  # and anything else with __float__, such as numpy scalars

_INF = math.inf
# Creation stamps count down: a node comes after its parents, so ascending is a topological order, output first.
_stamps = count(0, -1)
new_stamp = _stamps.__next__  # a stamp newer than every node's so far (for nodes loaded by pickle)
_new = object.__new__  # makes a node without running Value.__init__'s checks


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
    and deep-copy with their graph. `.data`, `.grad` and `.label` may be set by hand
    (`grad = None` is 0.0, as torch's optimizers read a missing grad); the local
    derivatives of nodes already built from a Value were fixed when they were built.
    """

    __slots__ = ("__weakref__", "_dx", "_dy", "_grad", "_label", "_op", "_scope", "_stamp", "_x", "_y", "data")

    data: float
    _grad: float
    _label: str
    _op: str
    _stamp: int
    _scope: tuple[Any, ...]
    _x: Any
    _y: Any
    _dx: Any
    _dy: float

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float:
            data = real(data, "Value", "data")
        self.label = label  # checked there
        self.data = data
        self._grad = 0.0
        self._op = ""
        self._x = None
        self._stamp = next(_stamps)
        self._scope = current_modes().scope

    @property  # grad and label are checked when set; the engine's own loops use the slots
    def grad(self) -> float:
        """d output / d self after `output.backward()`; leaves accumulate it across calls."""
        return self._grad

    @grad.setter
    def grad(self, g: float | None) -> None:
        self._grad = g if type(g) is float else 0.0 if g is None else real(g, "Value", "grad")

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
        return self.data != 0.0

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
        return self._x is None and getattr(self, "_y", None) is CONSTANT  # see the module docstring

    @property
    def op(self) -> str:
        """The operation that made this node: '+', '*', 'relu', ...; '' for a leaf, constants too."""
        return self._op

    @property
    def scope(self) -> tuple[Any, ...]:
        """The Modules whose forward pass made this node, outermost first (see `module_scope`)."""
        return self._scope

    # micrograd's names, for code written against it (engine/by_hand.py): the set of parents,
    # and this node's own step of the chain rule, as the lecture calls it by hand.
    _prev = property(parent_set, doc="The nodes this one was computed from, as a set (micrograd's name).")
    _backward = local_step

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # Pickling and copying: engine/serial.py, imported on first use (it imports this module).
    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        from .serial import reduce_value

        return reduce_value(self)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        from .serial import restore_value

        restore_value(self, state)

    def __copy__(self) -> Value:
        from .serial import copy_value

        return copy_value(self)

    # -- primitives: forward value and local derivatives side by side ---------------

    def __add__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        return node(self.data + o.data, "+", self, 1.0, o, 1.0)

    def __mul__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        return node(self.data * o.data, "*", self, o.data, o, self.data)

    def __sub__(self, other: Value | Number) -> Value:
        # A primitive rather than self + (-other): one node instead of two, smaller drawings.
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        return node(self.data - o.data, "-", self, 1.0, o, -1.0)

    def __truediv__(self, other: Value | Number) -> Value:
        """self / other; d/dself = 1 / other, d/dother = -self / other**2."""
        o = other if isinstance(other, Value) else constant(other)
        if o is None:
            return NotImplemented
        if o.data == 0.0:
            raise ZeroDivisionError(f"division: dividing {describe(self)} by zero {describe(o)}")
        out = self.data / o.data
        return node(out, "/", self, 1.0 / o.data, o, -out / o.data)

    def __pow__(self, other: Value | Number) -> Value:
        """self ** other; d/dself = y x**(y-1), d/dother = x**y log x (see `scalar.power`).
        d/dself of x ** 0 is 0, so a nan upstream gradient gives nan (torch: 0, see `backward`)."""
        if isinstance(other, Value):
            out, d_base, d_exponent = power(self, other)
            return node(out, "**", self, d_base, other, d_exponent)
        if type(other) is not float:
            if not is_real(other):
                return NotImplemented
            other = real(other, "pow", "exponent")  # 10 ** 400 is a clear ValueError
        out, d_base, _ = power(self, other)
        return node(out, f"**{other:g}", self, d_base)  # a number, no node: the op names it ('**2')

    __radd__ = _reflected(__add__)
    __rmul__ = _reflected(__mul__)
    __rsub__ = _reflected(__sub__)
    __rtruediv__ = _reflected(__truediv__)
    __rpow__ = _reflected(__pow__)

    def __neg__(self) -> Value:
        return node(-self.data, "neg", self, -1.0)

    def exp(self) -> Value:
        """e ** self; d/dx = e ** x. Overflow gives +inf, as IEEE floats do."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            out = _INF
        return node(out, "exp", self, out)

    def log(self) -> Value:
        """Natural log; d/dx = 1 / x. log(+-0) is -inf with slope 1/(+-0) = +-inf (as in IEEE
        and torch); x < 0 raises ValueError."""
        x = self.data
        if x > 0.0 or x != x:  # positive, +inf or nan
            return node(math.log(x), "log", self, 1.0 / x)
        if x == 0.0:
            return node(-_INF, "log", self, math.copysign(_INF, x))
        raise ValueError(f"log: input must be positive, got {describe(self)}")

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt x): at +-0 (sqrt(-0.0) is -0.0) +-inf, as in torch.
        x < 0 raises ValueError."""
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt: input must be >= 0, got {describe(self)}")
        out = math.sqrt(x)
        return node(out, "sqrt", self, 0.5 / out if out else math.copysign(_INF, out))

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2. Exact +-1 at large |x|."""
        t = math.tanh(self.data)
        return node(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x); d/dx = s (1 - s), at most 0.25. Computed without
        overflow for any x: exactly 0.0 and 1.0 far out in the tails."""
        s = logistic(self.data)
        return node(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """max(0, x); d/dx = 0 for x <= 0 (at the kink too), else 1: relu(nan) is nan with
        slope 1, as in PyTorch. Unlike PyTorch, a nan or inf upstream gradient still
        gives nan below 0 (nan * 0; see `backward`)."""
        x = self.data
        if x <= 0.0:
            return node(0.0, "relu", self, 0.0)
        return node(x, "relu", self, 1.0)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x; d/dx = 1 for x > 0, else slope (slope at 0, as in PyTorch)."""
        if type(slope) is not float:
            slope = real(slope, "leaky_relu", "slope")
        x = self.data
        return node(x if x > 0.0 else slope * x, "leaky_relu", self, 1.0 if x > 0.0 else slope)

    def abs(self) -> Value:
        """|x|; d/dx = sign(x), and 0 at the kink (as in PyTorch)."""
        x = self.data
        return node(abs(x), "abs", self, 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0)

    __abs__ = abs  # abs(v) is v.abs()

    def sin(self) -> Value:
        """Sine; d/dx = cos x. sin(+-inf) is nan, slope nan (as in torch)."""
        sin, cos = sin_cos(self.data)
        return node(sin, "sin", self, cos)

    def cos(self) -> Value:
        """Cosine; d/dx = -sin x. cos(+-inf) is nan, slope nan (as in torch)."""
        sin, cos = sin_cos(self.data)
        return node(cos, "cos", self, -sin)

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow; d/dx = sigmoid(x). A primitive of its own
        because `(1 + x.exp()).log()` overflows for large x; `bce_with_logits` is built on it."""
        x = self.data
        out = (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))
        return node(out, "softplus", self, logistic(x))

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

        Each contribution is upstream grad * local derivative, in IEEE arithmetic: a nan or
        inf upstream times an exact 0 is nan. torch masks instead for relu below 0 and for
        x ** 0 (0 there); chainrule does not, as that takes a check per edge in this loop.
        """
        backward_pass(self)  # engine/walk.py


# -- making nodes ------------------------------------------------------------------------


def node(data: float, op: str, x: Any = None, dx: Any = 0.0, y: Any = None, dy: float = 0.0) -> Value:
    """Record a node: out = op(x) or op(x, y) (or op(*x): tuples x and dx, y = NARY), with
    d out / dx = dx and d out / dy = dy; with x None, or under no_grad, a leaf. The one
    constructor of nodes, which every primitive calls; it checks nothing."""
    out = _new(Value)
    out.data = data
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
        out._x = None
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
