"""The engine: scalar `Value` nodes, reverse-mode `backward`, `no_grad`, and graph walks.

The bottom layer of chainrule: it imports nothing else from the package, and every other
module builds on its public names.

- `chainrule.engine.value`: `Value` and its primitives, each forward value beside its
  local derivatives, and `node`, the one constructor of nodes;
- `chainrule.engine.nary`: `linear` and `logsumexp`, primitives of any number of inputs;
- `chainrule.engine.custom`: `op`, your own primitive from a function of floats that
  returns its value and local derivatives;
- `chainrule.engine.modes`: `no_grad`, and `module_scope` (the Modules that made a node),
  both per thread;
- `chainrule.engine.graph`: `topological_order`, and `backward_steps`, the rule of
  backward one step at a time, with `gradients` read from it.
- `chainrule.engine.checks`: the argument checks every layer uses;
- `chainrule.engine.serial`: how a Value pickles and copies, with its whole graph;
- `chainrule.engine.scalar`, `chainrule.engine.walk` and `chainrule.engine.by_hand`:
  value.py's float arithmetic, backward's walk and loop, and micrograd's names for a
  node's graph (`Value._prev`, `Value._backward()`), in modules of their own to keep
  value.py short.

    >>> x, w, b = Value(2.0, "x"), Value(3.0, "w"), Value(1.0, "b")
    >>> L = ((w * x + b).relu() - 5) ** 2
    >>> L.backward()
    >>> L.data, w.grad, b.grad
    (4.0, 8.0, 4.0)
"""

from .custom import op
from .graph import BackwardStep, Contribution, backward_steps, gradients, topological_order
from .modes import current_scope, enter_scope, is_grad_enabled, module_scope, no_grad, restore_scope, switch_scope
from .nary import linear, logsumexp
from .value import Number, Value

__all__ = [
    "BackwardStep",
    "Contribution",
    "Number",
    "Value",
    "backward_steps",
    "current_scope",
    "enter_scope",
    "gradients",
    "is_grad_enabled",
    "linear",
    "logsumexp",
    "module_scope",
    "no_grad",
    "op",
    "restore_scope",
    "switch_scope",
    "topological_order",
]
