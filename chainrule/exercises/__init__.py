"""Exercises: checkers a learner calls from a notebook on code they wrote themselves.

Each checker runs your code on a few cases and returns a `Verdict`: it prints as a short
report (PASSED, or NOT YET with the case that went wrong, what was expected, what came,
and a hint) and is truthy when every case passed. No checker raises because of your code:
an exception in it, a blank left as `raise NotImplementedError`, or a recursion too deep
for Python, all become a verdict.

What the checkers take:

- `check_local_derivative(fn, points)`: `fn` is a `chainrule.op` (a function of chainrule
  Values making one node); its stored local derivatives are checked with
  `chainrule.gradcheck_nodes` at each point.
- `check_ops(Value)`, `check_topological_sort(sort, Value)`, `check_backward(Value)`: `Value`
  is your own class, as in the lecture: `Value(data)` makes a leaf; a node has `.data`,
  `.grad` (0 to start), `._prev` (the nodes it was made from), `._op` and `._backward()`
  (adds its share of its grad to its inputs' grads); `a + b`, `a * b` and `a.tanh()` make
  nodes, and `root.backward()` fills every grad. `sort(root)` returns the list of the
  graph's nodes, each after its inputs, root last.
- `check_training_step(step)`: `step(model, xs, ys, lr)` takes one gradient-descent step
  on a chainrule `MLP` and returns the loss (see its docstring).

notebooks/07_build_your_own_engine.ipynb uses every one of them.
"""

from .checkers import check_backward, check_local_derivative, check_ops, check_topological_sort, check_training_step
from .verdict import Verdict

__all__ = [
    "Verdict",
    "check_backward",
    "check_local_derivative",
    "check_ops",
    "check_topological_sort",
    "check_training_step",
]
