"""The steps `Value.backward` takes, one node at a time, for showing and checking.

`backward_steps(root)` replays backward without touching the graph: for each
node, in the order backward visits them, its gradient (complete by then) and,
for each parent edge, the local derivative read from `node.local_grads` and the
contribution `grad * local` added to the parent's gradient, with the running
total before and after. A node used by several consumers receives several
contributions; all but the first are flagged `accumulates` (+=).

    >>> x = Value(3.0, "x")
    >>> y = x * x
    >>> [(c.amount, c.grad_after, c.accumulates) for c in next(backward_steps(y)).contributions]
    [(3.0, 3.0, False), (3.0, 6.0, True)]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..engine import Value, topological_order

__all__ = ["BackwardStep", "Contribution", "backward_steps"]


@dataclass(frozen=True)
class Contribution:
    """What one edge adds to its parent's gradient: `grad_after = grad_before + amount`.

    `local_grad` is d node / d parent, read from the node; `amount` is the node's
    grad times it. `accumulates` is False for the parent's first contribution
    (which sets its gradient, from 0) and True for every later one (+=).
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
    """Iterate over the steps `root.backward()` takes, in the order it takes them.

    That order is `engine.topological_order`: newest node first, so a node's
    gradient is complete when its step comes. Only nodes with parents take a
    step. The gradients are those of a fresh backward pass (leaves starting from
    0, as after `zero_grad`); the graph's own `.grad` fields are neither read nor
    changed, and the sum of each parent's contributions, in order, is exactly the
    gradient backward gives it.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    grads = {root: 1.0}
    for node in topological_order(root):
        if node.is_leaf:
            continue
        grad = grads[node]  # every consumer of the node has taken its step already
        contributions = []
        for parent, local in zip(node.parents, node.local_grads):
            amount = grad * local
            accumulates = parent in grads
            # As in backward: a non-leaf's first contribution sets its grad; a leaf's is added to 0.
            before = grads[parent] if accumulates else 0.0
            after = before + amount if accumulates or parent.is_leaf else amount
            grads[parent] = after
            contributions.append(Contribution(parent, local, amount, before, after, accumulates))
        yield BackwardStep(node, grad, tuple(contributions))
