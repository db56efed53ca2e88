"""The engine: scalar `Value` nodes, reverse-mode `backward`, and `no_grad`.

Every primitive is written once, its forward value and its local derivatives
(d out / d parent, one per parent edge) side by side. The local derivatives are
stored on the output node as plain numbers (`Value.local_grads`), so `backward`,
`explain`, the drawings and the stepper all read them from the node and none of
them derives a derivative again.

Because a node holds numbers rather than a closure over itself, a graph has no
reference cycles: it is freed by reference counting the moment it is dropped,
and CPython's cyclic garbage collector never has to walk it.

    >>> x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    >>> L = ((w * x + b).relu() - 5) ** 2
    >>> L.backward()
    >>> L.data, w.grad, b.grad
    (4.0, 8.0, 4.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import ContextDecorator
from itertools import count
from operator import attrgetter, mul
from types import TracebackType
from typing import Any

__all__ = [
    "Value",
    "is_grad_enabled",
    "linear",
    "logsumexp",
    "module_scope",
    "no_grad",
    "topological_order",
]

Number = int | float  # and anything else with __float__, such as numpy scalars

_INF = math.inf
_NAN = math.nan

# Module state read on every node creation; module globals are the cheapest to read.
_grad_enabled = True
# The chain of Modules whose forward pass is running (outermost first); see `module_scope`.
_scope: tuple[Any, ...] = ()
# Creation stamps, counting down: a node is always created after its parents, so
# its stamp is smaller than theirs, and ascending stamps are a topological order
# (output first) with no recursive walk.
_stamps = count(0, -1)


def _invalid_data(data: object) -> TypeError | None:
    """Return the error for `data` that is not a real number, or None when it is one."""
    if isinstance(data, (bool, str, bytes)) or data is None:
        return TypeError(f"Value: data must be a real number, got {type(data).__name__} {data!r}")
    if hasattr(data, "__len__") or hasattr(data, "__iter__") or not hasattr(data, "__float__"):
        return TypeError(f"Value: data must be a real number, got {type(data).__name__}")
    return None


def _to_float(data: object) -> float:
    error = _invalid_data(data)
    if error is not None:
        raise error
    try:
        return float(data)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise TypeError(f"Value: data must be a real number, got {type(data).__name__}") from exc


def _where(v: Value) -> str:
    """How an error message names a node: its value and, if it has one, its label."""
    return f"{v.data!r} (node {v.label!r})" if v.label else repr(v.data)


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

    Values hash by identity and `==` is left as identity, so they can live in sets
    and dicts. `.data`, `.grad` and `.label` may be set by hand; note that the local
    derivatives of nodes already built from a Value were fixed when they were built.
    """

    # A node's parents and local derivatives live in four slots, so that the unary and
    # binary nodes that make up most graphs hold no tuples (fewer objects for CPython's
    # collector to walk while a big graph is alive, and smaller nodes):
    #   leaf    _a = None
    #   unary   _a = parent,         _b = None,   _la = d/d parent
    #   binary  _a, _b = parents,                 _la, _lb = local derivatives
    #   n-ary   _a = tuple of parents, _b = _MANY, _la = tuple of local derivatives
    # Slots a kind does not use are never set. `parents` and `local_grads` read them as tuples.
    __slots__ = ("__weakref__", "_a", "_b", "_la", "_lb", "_op", "_scope", "_stamp", "data", "grad", "label")

    data: float
    grad: float
    label: str
    _a: Any
    _b: Any
    _la: Any
    _lb: float
    _op: str
    _stamp: int
    _scope: tuple[Any, ...]

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float:
            data = _to_float(data)
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        self.data = data
        self.grad = 0.0
        self.label = label
        self._a = None
        self._op = ""
        self._stamp = next(_stamps)
        self._scope = _scope

    # -- the graph, read-only ------------------------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in argument order (empty for a leaf)."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        if b is None:
            return (a,)
        if b is _MANY:
            return a  # type: ignore[no-any-return]
        return (a, b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d parent for each parent edge, in the order of `parents`.

        A parent used twice (as in `p * p`) has two edges and two entries.
        """
        if self._a is None:
            return ()
        b = self._b
        if b is None:
            return (self._la,)
        if b is _MANY:
            return self._la  # type: ignore[no-any-return]
        return (self._la, self._lb)

    @property
    def op(self) -> str:
        """The operation that made this node: '+', '*', 'relu', ...; '' for a leaf."""
        return self._op

    @property
    def is_leaf(self) -> bool:
        """True for a Value with no parents: one made by the user, or under `no_grad`."""
        return self._a is None

    @property
    def is_constant(self) -> bool:
        """True for a leaf made from a plain number in an expression such as `x * 2`."""
        return self._op == "const"

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- primitives: forward value and local derivatives side by side ---------------

    def __add__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        return _node2(self.data + o.data, self, o, 1.0, 1.0, "+")

    def __radd__(self, other: Number) -> Value:
        const = _const(other)
        if const is None:
            return NotImplemented
        return _node2(const.data + self.data, const, self, 1.0, 1.0, "+")

    def __mul__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        return _node2(self.data * o.data, self, o, o.data, self.data, "*")

    def __rmul__(self, other: Number) -> Value:
        const = _const(other)
        if const is None:
            return NotImplemented
        return _node2(const.data * self.data, const, self, self.data, const.data, "*")

    def __sub__(self, other: Value | Number) -> Value:
        # Its own primitive rather than self + (-other): one node instead of two,
        # which keeps graphs (and their drawings) small.
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        return _node2(self.data - o.data, self, o, 1.0, -1.0, "-")

    def __rsub__(self, other: Number) -> Value:
        const = _const(other)
        if const is None:
            return NotImplemented
        return _node2(const.data - self.data, const, self, 1.0, -1.0, "-")

    def __truediv__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        return _divide(self, o)

    def __rtruediv__(self, other: Number) -> Value:
        const = _const(other)
        if const is None:
            return NotImplemented
        return _divide(const, self)

    def __pow__(self, other: Value | Number) -> Value:
        if isinstance(other, Value):
            return _power(self, other)
        if type(other) is not float and _invalid_data(other) is not None:
            return NotImplemented
        return _power(self, float(other))

    def __rpow__(self, other: Number) -> Value:
        const = _const(other)
        if const is None:
            return NotImplemented
        return _power(const, self)

    def __neg__(self) -> Value:
        return _node1(-self.data, self, -1.0, "neg")

    def exp(self) -> Value:
        """e ** self; d/dx = e ** x. Overflow gives +inf, as IEEE floats do."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            out = _INF
        return _node1(out, self, out, "exp")

    def log(self) -> Value:
        """Natural log; d/dx = 1 / x. log(0) is -inf (as in IEEE); x < 0 raises ValueError."""
        x = self.data
        if x > 0.0 or x != x:  # positive, +inf or nan
            return _node1(math.log(x), self, 1.0 / x, "log")
        if x == 0.0:
            return _node1(-_INF, self, _INF, "log")
        raise ValueError(f"log: input must be positive, got {_where(self)}")

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt x), +inf at 0. x < 0 raises ValueError."""
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt: input must be >= 0, got {_where(self)}")
        out = math.sqrt(x)
        return _node1(out, self, 0.5 / out if out else _INF, "sqrt")

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2. Exact +-1 at large |x|."""
        t = math.tanh(self.data)
        return _node1(t, self, 1.0 - t * t, "tanh")

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x); d/dx = s (1 - s), which is at most 0.25.

        Computed without overflow for any x: exactly 0.0 and 1.0 far out in the tails.
        """
        s = _sigmoid(self.data)
        return _node1(s, self, s * (1.0 - s), "sigmoid")

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0 (0 at the kink, as in PyTorch)."""
        x = self.data
        return _node1(0.0 if x <= 0.0 else x, self, 1.0 if x > 0.0 else 0.0, "relu")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x; d/dx = 1 for x > 0, else slope (slope at 0, as in PyTorch)."""
        x = self.data
        if x > 0.0:
            return _node1(x, self, 1.0, "leaky_relu")
        return _node1(slope * x, self, float(slope), "leaky_relu")

    def abs(self) -> Value:
        """|x|; d/dx = sign(x), and 0 at the kink (as in PyTorch)."""
        x = self.data
        return _node1(abs(x), self, 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0, "abs")

    def sin(self) -> Value:
        """Sine; d/dx = cos x."""
        return _node1(math.sin(self.data), self, math.cos(self.data), "sin")

    def cos(self) -> Value:
        """Cosine; d/dx = -sin x."""
        return _node1(math.cos(self.data), self, -math.sin(self.data), "cos")

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow; d/dx = sigmoid(x).

        A primitive of its own (not `(1 + x.exp()).log()`) because that composition
        overflows for large x; `bce_with_logits` is built on it.
        """
        x = self.data
        out = (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))
        return _node1(out, self, _sigmoid(x), "softplus")

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

        The walk is iterative, so graphs of any depth work: two visits per edge
        (one to find the nodes, one to pass gradients on) and one sort of the
        non-leaf nodes by creation stamp.
        """
        # Every consumer of a node was made after it, so in order of creation,
        # newest first, a node's grad is complete by the time it passes it on.
        # Non-leaf grads start from -0.0, the additive identity of floats, so a
        # first contribution sets them exactly (recomputed from scratch) and later
        # ones add; leaves always add.
        if self._a is None:
            self.grad += 1.0
            return
        order = _interior_nodes(self)
        self.grad = 1.0
        for v in order:
            g = v.grad
            b = v._b
            if b is None:
                v._a.grad += g * v._la
            elif b is _MANY:
                for parent, local in zip(v._a, v._la):
                    parent.grad += g * local
            else:
                v._a.grad += g * v._la
                b.grad += g * v._lb


def _interior_nodes(root: Value) -> list[Value]:
    """The non-leaf nodes `root` depends on (itself included), newest first, grads set to -0.0."""
    # The -0.0 is a float object made for this walk, so a grad that *is* it marks a
    # node found already; grads left by earlier passes are other objects. No set needed.
    mark = float("-0.0")
    order = [root]
    root.grad = mark
    append = order.append
    for v in order:  # the list grows as the walk finds nodes: iterative, breadth first
        b = v._b
        if b is _MANY:
            for parent in v._a:
                if parent._a is not None and parent.grad is not mark:
                    parent.grad = mark
                    append(parent)
        else:
            a = v._a
            if a._a is not None and a.grad is not mark:
                a.grad = mark
                append(a)
            if b is not None and b._a is not None and b.grad is not mark:
                b.grad = mark
                append(b)
    order.sort(key=_by_stamp)
    return order


def _node(data: float, prev: tuple[Value, ...], local: tuple[float, ...], op: str) -> Value:
    """Make a node with any number of parents; under no_grad, a leaf with no history instead."""
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _grad_enabled:
        out._a = prev
        out._b = _MANY
        out._la = local
        out._op = op
    else:
        out._a = None
        out._op = ""
    out._stamp = next(_stamps)
    out._scope = _scope
    return out


def _node1(data: float, a: Value, local_a: float, op: str) -> Value:
    """Make a node with one parent (kept in slots, no tuples); under no_grad, a leaf."""
    if not _grad_enabled:
        return _node(data, (), (), "")
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._a = a
    out._b = None
    out._la = local_a
    out._op = op
    out._stamp = next(_stamps)
    out._scope = _scope
    return out


def _node2(data: float, a: Value, b: Value, local_a: float, local_b: float, op: str) -> Value:
    """Make a node with two parents (kept in slots, no tuples); under no_grad, a leaf."""
    if not _grad_enabled:
        return _node(data, (), (), "")
    out = _new_value(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._a = a
    out._b = b
    out._la = local_a
    out._lb = local_b
    out._op = op
    out._stamp = next(_stamps)
    out._scope = _scope
    return out


_new_value = object.__new__
_MANY: Any = object()  # `_b` of an n-ary node, whose `_a` and `_la` hold tuples


def _const(x: object) -> Value | None:
    """Wrap a plain number from an expression as a constant leaf; None if it is not one."""
    if type(x) is not float:
        if _invalid_data(x) is not None:
            return None
        x = float(x)  # type: ignore[arg-type]
    out = Value(x)
    out._op = "const"
    return out


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: no overflow; 0.0 far out, giving an exact 0
    return e / (1.0 + e)


def _divide(a: Value, b: Value) -> Value:
    """a / b; d/da = 1 / b, d/db = -a / b**2."""
    if b.data == 0.0:
        raise ZeroDivisionError(f"division: dividing {_where(a)} by zero {_where(b)}")
    out = a.data / b.data
    return _node2(out, a, b, 1.0 / b.data, -out / b.data, "/")


def _pow_float(x: float, y: float) -> float:
    """x ** y as IEEE pow gives it: overflow to +-inf, 0 ** negative to +inf."""
    try:
        out: float = x**y  # real: the caller rules out a negative base with a fractional exponent
    except OverflowError:
        return -_INF if x < 0.0 and y % 2.0 == 1.0 else _INF
    except ZeroDivisionError:
        return _INF
    return out


def _power(base: Value, exponent: Value | float) -> Value:
    """base ** exponent; d/dbase = y x**(y-1), d/dexponent = x**y log x."""
    x = base.data
    y = exponent.data if isinstance(exponent, Value) else exponent
    if x < 0.0 and math.isfinite(y) and not y.is_integer():
        where = _where(exponent) if isinstance(exponent, Value) else repr(y)
        raise ValueError(f"pow: negative base {_where(base)} with non-integer exponent {where}")
    if x == 0.0 and y < 0.0:
        raise ZeroDivisionError(f"pow: zero base {_where(base)} to the negative power {y!r}")
    out = _pow_float(x, y)
    d_base = 0.0 if y == 0.0 else y * _pow_float(x, y - 1.0)
    if not isinstance(exponent, Value):
        # A number exponent is not a node; the op names it, so drawings can show it.
        return _node1(out, base, d_base, f"**{y:g}")
    # d/dy of x**y is x**y log x; at x == 0 (y > 0) it is 0, as in PyTorch, and for
    # a negative base (integer y) the real log is undefined: nan.
    d_exponent = out * math.log(x) if x > 0.0 or x != x else 0.0 if x == 0.0 else _NAN
    return _node2(out, base, exponent, d_base, d_exponent, "**")


def linear(weights: Sequence[Value], inputs: Sequence[Value | Number], bias: Value) -> Value:
    """The weighted sum w1*x1 + ... + wn*xn + b as one node with 2n+1 parents.

    Its parents are the weights, then the inputs, then the bias; the local
    derivatives are x_i for w_i, w_i for x_i, and 1 for b. One node instead of 2n
    binary ones keeps a neuron's graph small and its drawing readable.

        >>> w, x, b = [Value(3.0)], [Value(2.0)], Value(1.0)
        >>> z = linear(w, x, b)
        >>> z.data, z.local_grads
        (7.0, (2.0, 3.0, 1.0))
    """
    if len(weights) != len(inputs):
        raise ValueError(f"linear: {len(weights)} weights but {len(inputs)} inputs")
    xs = [x if isinstance(x, Value) else _checked_const(x, "linear") for x in inputs]
    return _linear(weights, xs, [x.data for x in xs], bias)


def _linear(weights: Sequence[Value], xs: Sequence[Value], x_data: Sequence[float], bias: Value) -> Value:
    """`linear` for inputs that are Values already, given with their data (a Layer shares both)."""
    w_data = [w.data for w in weights]
    out: float = sum(map(mul, w_data, x_data), bias.data)
    return _node(out, (*weights, *xs, bias), (*x_data, *w_data, 1.0), "linear")


def logsumexp(values: Sequence[Value]) -> Value:
    """log(sum(exp(v))) as one node, computed stably; d/dv_i = softmax(v)_i.

    The largest value is factored out first, so logits of +-1000 work.
    """
    if not values:
        raise ValueError("logsumexp: needs at least one value")
    data = [v.data for v in values]
    top = max(data)
    if not math.isfinite(top):  # some +inf, or all -inf: the answer is top, its slope undefined
        return _node(top, tuple(values), tuple(_NAN for _ in data), "logsumexp")
    exps = [math.exp(d - top) for d in data]
    total = sum(exps)
    return _node(top + math.log(total), tuple(values), tuple(e / total for e in exps), "logsumexp")


def _checked_const(x: object, op: str) -> Value:
    const = _const(x)
    if const is None:
        raise TypeError(f"{op}: expected a Value or a real number, got {type(x).__name__}")
    return const


def topological_order(root: Value) -> list[Value]:
    """Every node the root depends on (itself included), the root first, every
    node before its parents. Iterative, so graphs of any depth work."""
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
    order.sort(key=_by_stamp)
    return order


_by_stamp = attrgetter("_stamp")


class no_grad(ContextDecorator):  # noqa: N801 - named after torch.no_grad, as users expect
    """Context manager (or decorator) in which new Values record no history.

    Values computed inside have no parents, so no gradient flows through them.
    It nests, and restores the previous state on exit, exceptions included.

        >>> w = Value(3.0)
        >>> with no_grad():
        ...     y = w * 2
        >>> y.is_leaf
        True
    """

    def __init__(self) -> None:
        self._saved: list[bool] = []

    def __enter__(self) -> no_grad:
        global _grad_enabled
        self._saved.append(_grad_enabled)
        _grad_enabled = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _grad_enabled
        _grad_enabled = self._saved.pop()


def is_grad_enabled() -> bool:
    """False inside `no_grad`, True otherwise."""
    return _grad_enabled


class module_scope:  # noqa: N801 - used like a function: `with module_scope(m):`
    """Record `module` as the creator of every node made inside this block.

    Drawings group nodes by the Module that made them. `chainrule.nn.Module.__call__`
    records itself the same way, inlined because it runs once per neuron per sample;
    use this to attribute nodes built outside a module's own call (as a test or a
    custom training step might). The cost is one tuple per block and one reference
    per node.
    """

    __slots__ = ("_module", "_saved")

    def __init__(self, module: object) -> None:
        self._module = module
        self._saved: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        global _scope
        self._saved = _scope
        _scope = (*_scope, self._module)

    def __exit__(self, *exc: object) -> None:
        global _scope
        _scope = self._saved
