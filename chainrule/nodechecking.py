"""Which node is wrong: `gradcheck_nodes` checks every local derivative stored in a graph.

`gradcheck` says whether a whole function's gradients are right; this says where they go
wrong. Each node's op is run again on its own inputs, nudged one input at a time, and the
central difference is compared with the local derivative the node stored, with PyTorch's
tolerances (|analytical - numerical| <= atol + rtol * |numerical|):

    >>> import math
    >>> from chainrule import Value, op
    >>> @op("cube")
    ... def bad_cube(x):
    ...     return x**3, (2 * x**2,)   # should be 3 x**2
    >>> x = Value(2.0, "x")
    >>> for failure in gradcheck_nodes(bad_cube(x).tanh()):
    ...     print(failure)
    cube₁ = cube(x): dcube₁/dx is 8 by its stored local derivative, 12 by central differences
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .engine import Value, linear, logsumexp, no_grad, topological_order
from .engine.checks import instance_of, nonnegative_real, positive_real
from .engine.custom import forward_of
from .gradchecking import numerical_gradient
from .notation import derivative, format_number, forward_equation, node_names

__all__ = ["NodeFailure", "gradcheck_nodes", "rerun"]

Forward = Callable[..., Value]  # a node's op as a function of Values, for `numerical_gradient`


@dataclass(frozen=True, repr=False)
class NodeFailure:
    """One edge whose stored local derivative disagrees with a central difference.

    `node` is the node, `name` its label or `explain`'s name for it (`mul₁`), `op` its
    operation; `parent` is the input at the edge's tail and `index` the edge's position in
    `node.parents` (a parent used twice, as in `x * x`, has two edges); `analytical` is the
    stored d node / d parent and `numerical` the central difference. `str()` is one line.
    """

    node: Value
    name: str
    op: str
    parent: Value
    index: int
    parent_name: str
    equation: str
    analytical: float
    numerical: float

    def __repr__(self) -> str:
        return f"<NodeFailure: {self}>"

    def __str__(self) -> str:
        edge = derivative(self.name, self.parent_name)
        if self.node.parents.count(self.parent) > 1:
            edge += f" (input {self.index})"
        return (
            f"{self.equation}: {edge} is {format_number(self.analytical)} by its stored local derivative, "
            f"{format_number(self.numerical)} by central differences"
        )


def gradcheck_nodes(root: Value, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> list[NodeFailure]:
    """Check the local derivative on every edge of the graph of `root`; return the failures.

    For each node and each of its inputs, the node's op is evaluated again at the
    inputs' values with that one input moved by +-eps; the central difference must match
    the stored local derivative within atol + rtol * |numerical|. Built-in ops and ops
    made with `chainrule.op` are checked alike. The list is empty when every edge passes;
    otherwise it holds a `NodeFailure` per failing edge, oldest node first.

    Not checked: leaves, an edge whose nudged evaluation raises or is not finite (`log`
    within eps of 0), a node whose op cannot be run again (one unpickled from a program
    that defined it). At a kink (relu or abs at 0) the two sides disagree by design, and the
    edge fails: check at points away from kinks, as with `torch.autograd.gradcheck`.
    `.grad` fields are neither read nor changed.
    """
    instance_of(root, Value, "gradcheck_nodes", "root")
    positive_real(eps, "gradcheck_nodes", "eps")
    nonnegative_real(atol, "gradcheck_nodes", "atol")
    nonnegative_real(rtol, "gradcheck_nodes", "rtol")
    names: dict[Value, str] | None = None
    failures = []
    for v in topological_order(root):
        forward = None if v.is_leaf else rerun(v)
        if forward is None:
            continue
        point = [p.data for p in v.parents]
        for k, (analytical, numerical) in enumerate(zip(v.local_grads, _differences(forward, point, eps))):
            if numerical is None or abs(analytical - numerical) <= atol + rtol * abs(numerical):
                continue
            names = names or node_names(root)
            parent = v.parents[k]
            equation = forward_equation(v, names).split(" = ")
            failures.append(
                NodeFailure(
                    v, names[v], v.op, parent, k, names[parent], " = ".join(equation[:2]), analytical, numerical
                )
            )
    return failures


def rerun(v: Value) -> Forward | None:
    """`v`'s operation as a function of Values, to run again at other inputs; None when unknown.

    For an op made with `chainrule.op`, its float function; for a built-in, the engine's own
    primitive (so the check runs the code the node came from).
    """
    custom = forward_of(v)
    if custom is not None:
        fn = custom
        return lambda *xs: Value(fn(*(x.data for x in xs))[0])
    op = v.op
    if op in _BUILT_INS:
        return _BUILT_INS[op]
    if op.startswith("**"):  # a number exponent, written into the op by `Value.__pow__`
        exponent = float(op[2:])
        return lambda x: x**exponent
    if op == "leaky_relu":  # the slope is no input: read it back from the value, where it shows
        x = v.parents[0].data
        slope = v.data / x if x < 0.0 else 0.01
        return lambda x: x.leaky_relu(slope)
    return None


def _differences(forward: Forward, point: Sequence[float], eps: float) -> list[float | None]:
    """The central difference along each input; None where it cannot be taken."""
    if not all(math.isfinite(x) for x in point):
        return [None] * len(point)
    try:
        with no_grad():
            numerical = numerical_gradient(forward, list(point), eps=eps)
    except (ArithmeticError, ValueError):  # a nudge left the op's domain (log, sqrt, pow near 0)
        return [None] * len(point)
    return [n if math.isfinite(n) else None for n in numerical]


def _linear(*args: Value) -> Value:
    n = (len(args) - 1) // 2  # parents are (*weights, *inputs, bias)
    return linear(args[:n], args[n : 2 * n], args[-1])


_BUILT_INS: dict[str, Forward] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "neg": operator.neg,
    "exp": Value.exp,
    "log": Value.log,
    "sqrt": Value.sqrt,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "abs": Value.abs,
    "sin": Value.sin,
    "cos": Value.cos,
    "softplus": Value.softplus,
    "linear": _linear,
    "logsumexp": lambda *xs: logsumexp(xs),
}
