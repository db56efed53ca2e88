"""`Value`, the node of a computation graph, and the primitives that build graphs.

Each primitive is written once, its forward value and its local derivatives (d out /
d parent, one per parent edge) side by side, as micrograd's engine.py writes them. The
local derivatives are stored on the new node as plain numbers, so `backward`, `explain`,
the drawings and the steppers all read them from the node and none derives them again.
Because a node holds numbers rather than a closure over itself, a graph has no
reference cycles: reference counting frees it the moment it is dropped.

A leaf is a `Value`. A node with history is one of three subclasses, one per layout, so
that the unary and binary nodes that make up most graphs keep their parents in slots of
their own rather than in tuples (fewer objects for CPython's collector to walk while a
big graph is alive): `_Unary` (`_arg`, `_darg`), `_Binary` (`_lhs`, `_rhs`, `_dlhs`,
`_drhs`) and `_Nary` (tuples `_args`, `_dargs`). Everything outside this module reads
them through `parents` and `local_grads`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from contextlib import ContextDecorator
from itertools import count
from operator import attrgetter, mul
from types import TracebackType
from typing import Any, TypeVar

from .checks import is_real, real

__all__ = [
    "Number",
    "Value",
    "current_scope",
    "enter_scope",
    "is_grad_enabled",
    "linear",
    "logsumexp",
    "module_scope",
    "no_grad",
    "restore_scope",
]

Number = int | float  # and anything else with __float__, such as numpy scalars

_INF = math.inf
_NAN = math.nan

# State read each time a node is made; module globals are the cheapest to read.
_grad_enabled = True  # False inside `no_grad`
_scope: tuple[Any, ...] = ()  # the Modules whose forward pass is running, outermost first
# Creation stamps, counting down: a node is always made after its parents, so its stamp
# is smaller than theirs, and ascending stamps are a topological order, output first.
_stamps = count(0, -1)
_new = object.__new__  # makes a node without running Value.__init__'s checks
by_stamp = attrgetter("_stamp")  # sort key: newest node first


def _reflected(method: Callable[[Value, Value], Value]) -> Callable[[Value, Number], Value]:
    """`number op value` from `value op value`: the number becomes a constant leaf."""

    def reflected(self: Value, other: Number) -> Value:
        const = _const(other)
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

    Values hash by identity and `==` is left as identity, so they can live in sets
    and dicts. `.data`, `.grad` and `.label` may be set by hand; note that the local
    derivatives of nodes already built from a Value were fixed when they were built.
    """

    __slots__ = ("__weakref__", "_op", "_scope", "_stamp", "data", "grad", "label")

    data: float
    grad: float
    label: str
    _op: str
    _stamp: int
    _scope: tuple[Any, ...]

    is_leaf = True
    """True for a Value with no parents: one made by the user, or under `no_grad`."""
    is_constant = False
    """True for a leaf made from a plain number in an expression such as `x * 2`."""

    def __init__(self, data: Number, label: str = "") -> None:
        if type(data) is not float:
            data = real(data, "Value", "data")
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {type(label).__name__}")
        _init(self, data, "", label)

    # -- the graph, read-only ------------------------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The nodes this one was computed from, in argument order (empty for a leaf)."""
        return ()

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d self / d parent for each parent edge, in the order of `parents`.

        A parent used twice (as in `p * p`) has two edges and two entries.
        """
        return ()

    @property
    def op(self) -> str:
        """The operation that made this node: '+', '*', 'relu', ...; '' for a leaf."""
        return self._op

    @property
    def scope(self) -> tuple[Any, ...]:
        """The Modules whose forward pass made this node, outermost first (see `module_scope`)."""
        return self._scope

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    # -- primitives: forward value and local derivatives side by side ---------------

    def __add__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        return _binary(self.data + o.data, "+", self, 1.0, o, 1.0)

    def __mul__(self, other: Value | Number) -> Value:
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        return _binary(self.data * o.data, "*", self, o.data, o, self.data)

    def __sub__(self, other: Value | Number) -> Value:
        # Its own primitive rather than self + (-other): one node instead of two,
        # which keeps graphs (and their drawings) small.
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        return _binary(self.data - o.data, "-", self, 1.0, o, -1.0)

    def __truediv__(self, other: Value | Number) -> Value:
        """self / other; d/dself = 1 / other, d/dother = -self / other**2."""
        o = other if isinstance(other, Value) else _const(other)
        if o is None:
            return NotImplemented
        if o.data == 0.0:
            raise ZeroDivisionError(f"division: dividing {_where(self)} by zero {_where(o)}")
        out = self.data / o.data
        return _binary(out, "/", self, 1.0 / o.data, o, -out / o.data)

    def __pow__(self, other: Value | Number) -> Value:
        """self ** other; d/dself = y x**(y-1), d/dother = x**y log x.

        A number exponent is not a node: the op names it ('**2'), so drawings show it.
        """
        if isinstance(other, Value):
            return _power(self, other)
        if type(other) is not float and not is_real(other):
            return NotImplemented
        return _power(self, float(other))

    __radd__ = _reflected(__add__)
    __rmul__ = _reflected(__mul__)
    __rsub__ = _reflected(__sub__)
    __rtruediv__ = _reflected(__truediv__)
    __rpow__ = _reflected(__pow__)

    def __neg__(self) -> Value:
        return _unary(-self.data, "neg", self, -1.0)

    def exp(self) -> Value:
        """e ** self; d/dx = e ** x. Overflow gives +inf, as IEEE floats do."""
        try:
            out = math.exp(self.data)
        except OverflowError:
            out = _INF
        return _unary(out, "exp", self, out)

    def log(self) -> Value:
        """Natural log; d/dx = 1 / x. log(0) is -inf (as in IEEE); x < 0 raises ValueError."""
        x = self.data
        if x > 0.0 or x != x:  # positive, +inf or nan
            return _unary(math.log(x), "log", self, 1.0 / x)
        if x == 0.0:
            return _unary(-_INF, "log", self, _INF)
        raise ValueError(f"log: input must be positive, got {_where(self)}")

    def sqrt(self) -> Value:
        """Square root; d/dx = 1 / (2 sqrt x), +inf at 0. x < 0 raises ValueError."""
        x = self.data
        if x < 0.0:
            raise ValueError(f"sqrt: input must be >= 0, got {_where(self)}")
        out = math.sqrt(x)
        return _unary(out, "sqrt", self, 0.5 / out if out else _INF)

    def tanh(self) -> Value:
        """Hyperbolic tangent; d/dx = 1 - tanh(x)**2. Exact +-1 at large |x|."""
        t = math.tanh(self.data)
        return _unary(t, "tanh", self, 1.0 - t * t)

    def sigmoid(self) -> Value:
        """Logistic function 1 / (1 + e**-x); d/dx = s (1 - s), which is at most 0.25.

        Computed without overflow for any x: exactly 0.0 and 1.0 far out in the tails.
        """
        s = _sigmoid(self.data)
        return _unary(s, "sigmoid", self, s * (1.0 - s))

    def relu(self) -> Value:
        """max(0, x); d/dx = 1 for x > 0, else 0 (0 at the kink, as in PyTorch)."""
        x = self.data
        return _unary(0.0 if x <= 0.0 else x, "relu", self, 1.0 if x > 0.0 else 0.0)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope * x; d/dx = 1 for x > 0, else slope (slope at 0, as in PyTorch)."""
        x = self.data
        if x > 0.0:
            return _unary(x, "leaky_relu", self, 1.0)
        return _unary(slope * x, "leaky_relu", self, float(slope))

    def abs(self) -> Value:
        """|x|; d/dx = sign(x), and 0 at the kink (as in PyTorch)."""
        x = self.data
        return _unary(abs(x), "abs", self, 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0)

    def sin(self) -> Value:
        """Sine; d/dx = cos x."""
        return _unary(math.sin(self.data), "sin", self, math.cos(self.data))

    def cos(self) -> Value:
        """Cosine; d/dx = -sin x."""
        return _unary(math.cos(self.data), "cos", self, -math.sin(self.data))

    def softplus(self) -> Value:
        """log(1 + e**x), computed without overflow; d/dx = sigmoid(x).

        A primitive of its own (not `(1 + x.exp()).log()`) because that composition
        overflows for large x; `bce_with_logits` is built on it.
        """
        x = self.data
        out = (x if x > 0.0 else 0.0) + math.log1p(math.exp(-abs(x)))
        return _unary(out, "softplus", self, _sigmoid(x))

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

        The walk is iterative, so graphs of any depth work. This is the fast form of
        the rule `chainrule.engine.backward_steps` states one step at a time; the two
        give the same gradients to the bit (a test checks it on random graphs).
        """
        if self.is_leaf:
            self.grad += 1.0
            return
        order = _interior_nodes(self)
        self.grad = 1.0
        # Newest first, a node's grad is complete by the time it passes it on. Every
        # interior grad starts at -0.0, the additive identity of floats, so a first
        # contribution sets it exactly and later ones add; leaves always add.
        for v in order:
            g = v.grad
            kind = type(v)
            if kind is _Binary:
                v._lhs.grad += g * v._dlhs
                v._rhs.grad += g * v._drhs
            elif kind is _Unary:
                v._arg.grad += g * v._darg
            else:
                for parent, d in zip(v._args, v._dargs):
                    parent.grad += g * d


# -- constants, and the three layouts of a node with history --------------------------------


class _Constant(Value):
    """A leaf made from a plain number in an expression (the 2 of `x * 2`)."""

    __slots__ = ()
    is_constant = True


class _Unary(Value):
    """A node made from one parent, `_arg`, with d self / d arg in `_darg`."""

    __slots__ = ("_arg", "_darg")
    _arg: Value
    _darg: float
    is_leaf = False

    @property
    def parents(self) -> tuple[Value, ...]:
        return (self._arg,)

    @property
    def local_grads(self) -> tuple[float, ...]:
        return (self._darg,)


class _Binary(Value):
    """A node made from two parents, `_lhs` and `_rhs`, with d self / d each in `_dlhs`, `_drhs`."""

    __slots__ = ("_dlhs", "_drhs", "_lhs", "_rhs")
    _lhs: Value
    _rhs: Value
    _dlhs: float
    _drhs: float
    is_leaf = False

    @property
    def parents(self) -> tuple[Value, ...]:
        return (self._lhs, self._rhs)

    @property
    def local_grads(self) -> tuple[float, ...]:
        return (self._dlhs, self._drhs)


class _Nary(Value):
    """A node made from any number of parents: the tuples `_args` and `_dargs`."""

    __slots__ = ("_args", "_dargs")
    _args: tuple[Value, ...]
    _dargs: tuple[float, ...]
    is_leaf = False

    @property
    def parents(self) -> tuple[Value, ...]:
        return self._args

    @property
    def local_grads(self) -> tuple[float, ...]:
        return self._dargs


# -- making nodes ------------------------------------------------------------------------

_V = TypeVar("_V", bound=Value)


def _init(v: _V, data: float, op: str, label: str = "") -> _V:
    """Set what every node holds. Each layout's constructor below adds its own slots."""
    v.data = data
    v.grad = 0.0
    v.label = label
    v._op = op
    v._stamp = next(_stamps)
    v._scope = _scope
    return v


def _unary(data: float, op: str, arg: Value, darg: float) -> Value:
    """A node with one parent; under no_grad, a leaf."""
    if not _grad_enabled:
        return _init(_new(Value), data, "")
    out = _init(_new(_Unary), data, op)
    out._arg = arg
    out._darg = darg
    return out


def _binary(data: float, op: str, lhs: Value, dlhs: float, rhs: Value, drhs: float) -> Value:
    """A node with two parents; under no_grad, a leaf."""
    if not _grad_enabled:
        return _init(_new(Value), data, "")
    out = _init(_new(_Binary), data, op)
    out._lhs = lhs
    out._dlhs = dlhs
    out._rhs = rhs
    out._drhs = drhs
    return out


def _nary(data: float, op: str, args: tuple[Value, ...], dargs: tuple[float, ...]) -> Value:
    """A node with any number of parents; under no_grad, a leaf."""
    if not _grad_enabled:
        return _init(_new(Value), data, "")
    out = _init(_new(_Nary), data, op)
    out._args = args
    out._dargs = dargs
    return out


def _const(x: object) -> Value | None:
    """Wrap a plain number from an expression as a constant leaf; None if it is not one."""
    if type(x) is not float:
        if not is_real(x):
            return None
        x = float(x)  # type: ignore[arg-type]  # is_real checked __float__
    return _init(_new(_Constant), x, "const")


def _interior_nodes(root: Value) -> list[Any]:  # nodes of the three layouts, told apart by type
    """The non-leaf nodes `root` depends on (itself included), newest first, grads set to -0.0.

    backward's own walk: the -0.0 is a float object made for this walk, so a grad that
    *is* it marks a node found already (grads left by earlier passes are other objects),
    and no set is needed.
    """
    mark = float("-0.0")
    order: list[Any] = [root]
    root.grad = mark
    append = order.append
    for v in order:  # the list grows as the walk finds nodes: iterative, breadth first
        kind = type(v)
        if kind is _Binary:
            for p in (v._lhs, v._rhs):
                if not p.is_leaf and p.grad is not mark:
                    p.grad = mark
                    append(p)
        elif kind is _Unary:
            p = v._arg
            if not p.is_leaf and p.grad is not mark:
                p.grad = mark
                append(p)
        else:
            for p in v._args:
                if not p.is_leaf and p.grad is not mark:
                    p.grad = mark
                    append(p)
    order.sort(key=by_stamp)
    return order


# -- the primitives that are functions rather than methods --------------------------------


def _where(v: Value) -> str:
    """How an error message names a node: its value and, if it has one, its label."""
    return f"{v.data!r} (node {v.label!r})" if v.label else repr(v.data)


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # x < 0: no overflow; 0.0 far out, giving an exact 0
    return e / (1.0 + e)


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
        return _unary(out, f"**{y:g}", base, d_base)
    # At x == 0 (y > 0) d/dy is 0, as in PyTorch; for a negative base (integer y) the
    # real log is undefined: nan.
    d_exponent = out * math.log(x) if x > 0.0 or x != x else 0.0 if x == 0.0 else _NAN
    return _binary(out, "**", base, d_base, exponent, d_exponent)


def linear(
    weights: Sequence[Value],
    inputs: Sequence[Value | Number],
    bias: Value,
    *,
    input_data: Sequence[float] | None = None,
) -> Value:
    """The weighted sum w1*x1 + ... + wn*xn + b as one node with 2n+1 parents.

    Its parents are the weights, then the inputs, then the bias; the local
    derivatives are x_i for w_i, w_i for x_i, and 1 for b. One node instead of 2n
    binary ones keeps a neuron's graph small and its drawing readable. Plain numbers
    among the inputs become constants. `input_data`, when given, must be the inputs'
    `.data` (all inputs then Values): a Layer reads it once for all its neurons.

        >>> w, x, b = [Value(3.0)], [Value(2.0)], Value(1.0)
        >>> z = linear(w, x, b)
        >>> z.data, z.local_grads
        (7.0, (2.0, 3.0, 1.0))
    """
    if len(weights) != len(inputs):
        raise ValueError(f"linear: {len(weights)} weights but {len(inputs)} inputs")
    if input_data is None:
        xs = [x if isinstance(x, Value) else _checked_const(x, "linear") for x in inputs]
        input_data = [x.data for x in xs]
    else:
        xs = inputs  # type: ignore[assignment]  # all Values, as documented
    w_data = [w.data for w in weights]
    out: float = sum(map(mul, w_data, input_data), bias.data)
    return _nary(out, "linear", (*weights, *xs, bias), (*input_data, *w_data, 1.0))


def logsumexp(values: Sequence[Value]) -> Value:
    """log(sum(exp(v))) as one node, computed stably; d/dv_i = softmax(v)_i.

    The largest value is factored out first, so logits of +-1000 work.
    """
    if not values:
        raise ValueError("logsumexp: needs at least one value")
    data = [v.data for v in values]
    top = max(data)
    if not math.isfinite(top):  # some +inf, or all -inf: the answer is top, its slope undefined
        return _nary(top, "logsumexp", tuple(values), tuple(_NAN for _ in data))
    exps = [math.exp(d - top) for d in data]
    total = sum(exps)
    return _nary(top + math.log(total), "logsumexp", tuple(values), tuple(e / total for e in exps))


def _checked_const(x: object, op: str) -> Value:
    const = _const(x)
    if const is None:
        raise TypeError(f"{op}: expected a Value or a real number, got {type(x).__name__}")
    return const


# -- modes: no_grad, and the scope of Modules ----------------------------------------------


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


def enter_scope(module: object) -> tuple[Any, ...]:
    """Record `module` as the creator of every node made until `restore_scope(token)`;
    returns that token. `module_scope` is the same as a `with` block; these two are for
    code that runs once per neuron per sample (`chainrule.nn.Module.__call__`), where
    they cost a third of what a context manager costs."""
    global _scope
    saved = _scope
    _scope = (*saved, module)
    return saved


def restore_scope(token: tuple[Any, ...]) -> None:
    """End what `enter_scope` began: nodes are attributed as they were before it."""
    global _scope
    _scope = token


class module_scope:  # noqa: N801 - used like a function: `with module_scope(m):`
    """Record `module` as the creator of every node made inside this block.

    Drawings group nodes by the Module that made them: each node keeps the chain of
    Modules whose forward pass was running (`Value.scope`, outermost first).
    `chainrule.nn.Module.__call__` records every forward pass so (through
    `enter_scope`); use this to attribute nodes built outside a module's own call (as a
    custom training step might). The cost is one tuple per block and one reference per
    node.
    """

    __slots__ = ("_module", "_saved")

    def __init__(self, module: object) -> None:
        self._module = module
        self._saved: tuple[Any, ...] = ()

    def __enter__(self) -> None:
        self._saved = enter_scope(self._module)

    def __exit__(self, *exc: object) -> None:
        restore_scope(self._saved)


def current_scope() -> tuple[Any, ...]:
    """The chain of Modules whose forward pass is running now, outermost first; () outside any."""
    return _scope
