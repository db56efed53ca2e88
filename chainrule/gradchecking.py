"""Gradient checking: compare `backward` with central finite differences.

The conventions are PyTorch's (`torch.autograd.gradcheck`): a central difference
with step `eps`, and a pass when |analytical - numerical| <= atol + rtol * |numerical|
for every input.

    >>> gradcheck(lambda x, y: x * y + x.tanh(), [0.5, -2.0])
    True
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence

from .engine import Value, no_grad
from .engine.checks import given, is_sequence, nonnegative_real, positive_real, real

__all__ = ["GradcheckError", "gradcheck", "numerical_gradient"]


class GradcheckError(RuntimeError):
    """Raised by `gradcheck` when an analytical gradient disagrees with the numerical one."""


def gradcheck(
    fn: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check `fn`'s gradients at `inputs` against central differences.

    `fn` takes `len(inputs)` Values and returns a Value. `inputs` may be floats or
    Values; only their `.data` is used, and Values you pass are left untouched.
    Each input i passes when |analytical_i - numerical_i| <= atol + rtol * |numerical_i|,
    where numerical_i = (fn(x + eps e_i) - fn(x - eps e_i)) / (2 eps).

    Returns True when every input passes. Otherwise raises `GradcheckError` listing
    every input's numerical and analytical gradient, or returns False when
    `raise_exception=False`. A `fn` that is not callable, `inputs` that are not a list or
    tuple (or another sequence), an input that is not a number, or more or fewer inputs
    than `fn` takes raise TypeError; empty `inputs`, an `eps` that is not > 0, or a
    negative `atol` or `rtol`, raise ValueError.

    A detached term is caught, for instance:

        >>> bad = lambda p: Value(p.data ** 2) + p   # the p**2 term records no history
        >>> gradcheck(bad, [3.0], raise_exception=False)
        False
    """
    _check_fn(fn, "gradcheck")
    given = _sequence(inputs, "gradcheck", "inputs", "numbers or Values")
    point = [x.data if isinstance(x, Value) else real(x, "gradcheck", f"input {i}") for i, x in enumerate(given)]
    if not point:
        raise ValueError("gradcheck: inputs is empty; pass the point to check at, one number per argument of fn")
    positive_real(eps, "gradcheck", "eps")
    nonnegative_real(atol, "gradcheck", "atol")
    nonnegative_real(rtol, "gradcheck", "rtol")
    leaves = [Value(x, label=f"input {i}") for i, x in enumerate(point)]
    _check_arity(fn, leaves, "gradcheck")
    out = _call(fn, leaves)
    out.backward()
    analytical = [leaf.grad for leaf in leaves]

    numerical = numerical_gradient(fn, point, eps=eps)

    failed = [i for i, (a, n) in enumerate(zip(analytical, numerical)) if not abs(a - n) <= atol + rtol * abs(n)]
    if not failed:
        return True
    if not raise_exception:
        return False
    rows = "\n".join(
        f"  input {i} at {point[i]!r}: numerical {n!r}, analytical {a!r}" + ("  <- mismatch" if i in failed else "")
        for i, (n, a) in enumerate(zip(numerical, analytical))
    )
    raise GradcheckError(
        f"gradcheck: analytical and numerical gradients disagree for input(s) {failed} "
        f"(eps={eps}, atol={atol}, rtol={rtol}):\n{rows}"
    )


def numerical_gradient(fn: Callable[..., Value], point: Sequence[float], *, eps: float = 1e-6) -> list[float]:
    """d fn / d input_i at `point` for each i, by central differences: (f(x + eps e_i) - f(x - eps e_i)) / (2 eps).

    `fn` takes `len(point)` Values and returns a Value; it runs under `no_grad`.
    `fn` must be callable and `point` a list or tuple of numbers (TypeError otherwise),
    and `eps` must be > 0 (ValueError).

        >>> [round(g, 6) for g in numerical_gradient(lambda x, y: x * y, [3.0, 4.0])]
        [4.0, 3.0]
    """
    _check_fn(fn, "numerical_gradient")
    given = _sequence(point, "numerical_gradient", "point", "numbers")
    point = [real(x, "numerical_gradient", f"point[{i}]") for i, x in enumerate(given)]
    positive_real(eps, "numerical_gradient", "eps")
    _check_arity(fn, [Value(x) for x in point], "numerical_gradient")
    grads = []
    with no_grad():
        for i, x in enumerate(point):
            up = _call(fn, [Value(x + eps if j == i else p) for j, p in enumerate(point)]).data
            down = _call(fn, [Value(x - eps if j == i else p) for j, p in enumerate(point)]).data
            grads.append((up - down) / (2.0 * eps))
    return grads


def _check_fn(fn: object, where: str) -> None:
    if not callable(fn):
        raise TypeError(f"{where}: fn must be callable (a function of Values returning a Value), got {given(fn)}")


def _sequence(x: object, where: str, name: str, of: str) -> Sequence[object]:
    """`x` when it is an ordered sequence, such as a list, tuple or numpy array; TypeError for a
    number, a string, a mapping or a set (whose order is not the arguments' order)."""
    if not is_sequence(x):
        raise TypeError(f"{where}: {name} must be a list or tuple of {of}, one per argument of fn; got {given(x)}")
    return x  # type: ignore[return-value]  # len and indexing are all the callers use


def _check_arity(fn: Callable[..., Value], args: list[Value], where: str) -> None:
    """Refuse inputs `fn` cannot be called with, before calling it: a TypeError raised inside
    `fn` would otherwise read the same as a wrong number of inputs."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins have no signature: let the call decide
        return
    try:
        signature.bind(*args)
    except TypeError as exc:
        params = ", ".join(str(p.replace(annotation=p.empty)) for p in signature.parameters.values())
        plural = "" if len(args) == 1 else "s"
        raise TypeError(f"{where}: fn({params}) cannot take the {len(args)} input{plural} given ({exc})") from None


def _call(fn: Callable[..., Value], args: list[Value]) -> Value:
    out = fn(*args)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: fn must return a Value, got {type(out).__name__}")
    return out
