"""The engine: scalar `Value` nodes, reverse-mode `backward`, `no_grad`, and graph walks.

The bottom layer of chainrule: it imports nothing else from the package, and every other
module builds on its public names.

- `chainrule.engine.value`: `Value`, what a node holds, its primitives (each forward value
  beside its local derivatives), `node`, the one constructor of nodes, and backward twice:
  `Value.backward`, the fast loop, and `backward_steps`, its rule one step at a time, with
  `gradients` read from it; `MASKED`, the local derivative of an edge that passes 0
  whatever its upstream gradient, as torch masks it; `topological_order`; `describe`, how
  a message names a node;
- `chainrule.engine.floats`: the primitives' float arithmetic (`exp_float`, `log_float`,
  `log_slope`, `sqrt_float`, `sqrt_slope`, `logistic`, `softplus_float`, `sin_cos`,
  `pow_float`, `pow_dbase`, `pow_dexp`, `logsumexp_floats`), which the primitives and the
  code `chainrule.compile` writes both call;
- `chainrule.engine.nary`: `linear` and `logsumexp`, primitives of any number of inputs;
- `chainrule.engine.custom`: `op`, your own primitive from a function of floats that
  returns its value and local derivatives;
- `chainrule.engine.modes`: `no_grad`, and the Modules that made a node (`enter_scope`),
  both per thread;
- `chainrule.engine.checks`: the argument checks every layer uses;
- `chainrule.engine.pickling`: how a Value pickles and deep-copies, with its whole graph.

    >>> x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    >>> L = ((w * x + b).relu() - 5) ** 2
    >>> L.backward()
    >>> L.data, w.grad, b.grad
    (4.0, 8.0, 4.0)
"""

from . import pickling  # noqa: F401 - registers how a Value pickles and deep-copies (copyreg)
from .custom import op
from .floats import (
    exp_float,
    log_float,
    log_slope,
    logistic,
    logsumexp_floats,
    pow_dbase,
    pow_dexp,
    pow_float,
    sin_cos,
    softplus_float,
    sqrt_float,
    sqrt_slope,
)
from .modes import enter_scope, is_grad_enabled, no_grad, restore_scope, switch_scope
from .nary import linear, logsumexp
from .value import (
    MASKED,
    BackwardStep,
    Contribution,
    Number,
    Value,
    backward_steps,
    describe,
    gradients,
    topological_order,
)

__all__ = [
    "MASKED",
    "BackwardStep",
    "Contribution",
    "Number",
    "Value",
    "backward_steps",
    "describe",
    "enter_scope",
    "exp_float",
    "gradients",
    "is_grad_enabled",
    "linear",
    "log_float",
    "log_slope",
    "logistic",
    "logsumexp",
    "logsumexp_floats",
    "no_grad",
    "op",
    "pow_dbase",
    "pow_dexp",
    "pow_float",
    "restore_scope",
    "sin_cos",
    "softplus_float",
    "sqrt_float",
    "sqrt_slope",
    "switch_scope",
    "topological_order",
]
