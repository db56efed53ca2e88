"""`op`: your own primitive, from a function of floats that returns its value and its local
derivatives, recorded in the graph as one node that everything treats as a built-in.

    >>> import math
    >>> @op("cube")
    ... def cube(x):
    ...     return x**3, (3 * x**2,)
    >>> x = Value(2.0, "x")
    >>> y = cube(x)
    >>> y.backward()
    >>> y.data, y.op, y.local_grads, x.grad
    (8.0, 'cube', (12.0,), 12.0)

The node is made by `node`, the engine's one constructor, exactly as a built-in makes its
node: `backward`, `explain`, the drawings and the steppers read its op name, parents and
local derivatives from it and from nothing else. Its float function stays reachable from
the node (`forward_of`) so `chainrule.gradcheck_nodes` can run it again at nearby inputs.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from .checks import given, is_real, is_sequence
from .value import NARY, Value, constant, describe, node

__all__ = ["OpForward", "forward_of", "op"]

OpForward = Callable[..., tuple[float, Sequence[float]]]
"""What `op` decorates: floats in, `(value, (d value / d input, ...))` out."""

# The function each node made by an `op` came from, held weakly so a dropped graph is still
# freed at once; a dict by op name serves nodes the weak map lost (copies, unpickled graphs).
_made_by: weakref.WeakKeyDictionary[Value, OpForward] = weakref.WeakKeyDictionary()
_by_name: dict[str, OpForward] = {}
# A leaf's op name, which an op's nodes must not take.
_RESERVED = frozenset({""})


def op(name: str) -> Callable[[OpForward], Callable[..., Value]]:
    """Turn `fn(*floats) -> (value, local_derivatives)` into a primitive on Values, named `name`.

    The result takes Values (plain numbers become constants, as in `x * 2`) and returns one
    new node whose op is `name`, whose parents are the arguments and whose local
    derivatives are the ones `fn` returned, one per argument in order. `fn` sees only
    the arguments' `.data`. Under `no_grad` the result is a leaf, as for any primitive.
    An op named like a built-in ("tanh") is written and drawn like it; any other name is
    written as a function, `cube(x)`.

        >>> @op("mul3")
        ... def mul3(a, b, c):
        ...     return a * b * c, (b * c, a * c, a * b)
        >>> mul3(Value(2.0), 3, 4).local_grads
        (12.0, 8.0, 6.0)

    Errors name the op and its inputs: TypeError for an argument or a returned value or
    derivative that is no real number, or a result that is no `(value, derivatives)` pair;
    ValueError for the wrong number of local derivatives; an exception raised by `fn` is
    raised again, of the same type where it can be, with the op and inputs in its message.
    """
    if not isinstance(name, str):
        raise TypeError(f"op: name must be a str, got {given(name)}")
    if name in _RESERVED or name.strip() != name:
        raise ValueError(f"op: name must be non-empty, without surrounding spaces; got {given(name)}")

    def decorate(fn: OpForward) -> Callable[..., Value]:
        if not callable(fn):
            raise TypeError(f"op {name!r}: decorates a function of floats, got {given(fn)}")
        _by_name[name] = fn

        @functools.wraps(fn)
        def apply(*args: Value | float) -> Value:
            if not args:
                raise TypeError(f"op {name!r}: needs at least one input")
            inputs = [a if isinstance(a, Value) else _constant(a, name, i) for i, a in enumerate(args)]
            data = [x.data for x in inputs]
            value, grads = _run(fn, name, inputs, data)
            if len(inputs) == 1:
                out = node(value, name, inputs[0], grads[0])
            elif len(inputs) == 2:
                out = node(value, name, inputs[0], grads[0], inputs[1], grads[1])
            else:
                out = node(value, name, tuple(inputs), tuple(grads), NARY)
            if not out.is_leaf:
                _made_by[out] = fn
            return out

        return apply

    return decorate


def forward_of(v: Value) -> OpForward | None:
    """The float function of the `op` that made `v`, or None for a node no `op` made.

    A copied or unpickled node is matched by its op name, to the function last decorated
    under that name.
    """
    fn = _made_by.get(v)
    if fn is None and not v.is_leaf:
        fn = _by_name.get(v.op)
    return fn


def _constant(x: object, name: str, i: int) -> Value:
    const = constant(x)
    if const is None:
        raise TypeError(f"op {name!r}: input {i} must be a Value or a real number, got {given(x)}")
    return const


def _run(fn: OpForward, name: str, inputs: list[Value], data: list[float]) -> tuple[float, list[float]]:
    """Call `fn` and check what it returns: a number and one number per input."""
    try:
        result = fn(*data)
    except Exception as exc:
        message = f"{_where(name, inputs)}: the function raised {type(exc).__name__}: {exc}"
        try:
            again = type(exc)(message)
        except Exception:  # an exception type that takes other arguments
            again = RuntimeError(message)
        raise again from exc
    if type(result) is tuple and len(result) == 2:  # the usual case, checked in a few steps
        value, grads = result
        if (
            type(value) is float
            and type(grads) is tuple
            and len(grads) == len(data)
            and all(type(g) is float for g in grads)
        ):
            return value, list(grads)
    return _checked(result, name, inputs)


def _checked(result: Any, name: str, inputs: list[Value]) -> tuple[float, list[float]]:
    """What `fn` returned when it is not plain floats: numbers of other types, or a mistake."""
    at = _where(name, inputs)
    if not (is_sequence(result) and len(result) == 2):
        raise TypeError(f"{at}: must return (value, local_derivatives), got {given(result)}")
    value, grads = result
    if not is_real(value):
        raise TypeError(f"{at}: the value must be a real number, got {given(value)}")
    if is_real(grads) and len(inputs) == 1:
        raise TypeError(f"{at}: local_derivatives must be a tuple, one per input, such as ({grads!r},)")
    if not is_sequence(grads):
        raise TypeError(f"{at}: local_derivatives must be a tuple of numbers, one per input; got {given(grads)}")
    if len(grads) != len(inputs):
        plural = "" if len(inputs) == 1 else "s"
        raise ValueError(
            f"{at}: returned {len(grads)} local derivative(s) for {len(inputs)} input{plural}; "
            "give one per input, d value / d input, in the order of the inputs"
        )
    for i, g in enumerate(grads):
        if not is_real(g):
            raise TypeError(f"{at}: local derivative {i} must be a real number, got {given(g)}")
    return float(value), [float(g) for g in grads]


def _where(name: str, inputs: list[Value]) -> str:
    """How an error names the op and its inputs (made only when there is an error to report)."""
    return f"op {name!r} at inputs ({', '.join(map(describe, inputs))})"
