"""Walking a graph: `topological_order`, and `backward_steps`, the rule of backward one step
at a time.

`backward_steps` is the definition of reverse mode in chainrule. `Value.backward` is its
fast form (it writes `.grad`, this writes nothing), and `explain` reads its gradients
from here, so the three cannot drift apart; a test checks that they agree to the bit on
random graphs.

    >>> from chainrule.engine import Value
    >>> x = Value(3.0, "x")
    >>> y = x * x
    >>> [(c.amount, c.grad_after, c.accumulates) for c in next(backward_steps(y)).contributions]
    [(3.0, 3.0, False), (3.0, 6.0, True)]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .value import Value, by_stamp

__all__ = ["BackwardStep", "Contribution", "backward_steps", "gradients", "topological_order"]


def topological_order(root: Value) -> list[Value]:
    """Every node `root` depends on, itself last, each node after all of its parents.

    This is the order of the forward pass, the order the nodes were made in (oldest
    first), and the reverse of the order backward visits them. Iterative, so graphs of
    any depth work.
    """
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
    order.sort(key=by_stamp, reverse=True)
    return order


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

    Newest node first (the reverse of `topological_order`), so a node's gradient is
    complete when its step comes; only nodes with parents take a step. The rule, for
    each parent edge in argument order: the contribution is grad(node) times the local
    derivative; a non-leaf parent's first contribution sets its gradient (non-leaf
    gradients are recomputed from scratch), and every later one, and every one to a
    leaf, is added (leaves accumulate from 0, as after `zero_grad`). The graph's own
    `.grad` fields are neither read nor changed.
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward_steps: root must be a Value, got {type(root).__name__}")
    grads = {root: 1.0}
    for node in reversed(topological_order(root)):
        if node.is_leaf:
            continue
        grad = grads[node]  # every consumer of the node has taken its step already
        contributions = []
        for parent, local in zip(node.parents, node.local_grads):
            amount = grad * local
            accumulates = parent in grads
            before = grads[parent] if accumulates else 0.0
            after = before + amount if accumulates or parent.is_leaf else amount
            grads[parent] = after
            contributions.append(Contribution(parent, local, amount, before, after, accumulates))
        yield BackwardStep(node, grad, tuple(contributions))


def gradients(root: Value) -> dict[Value, float]:
    """d root / d v for every node v of the graph, by `backward_steps`, without touching `.grad`.

    A fresh backward pass's numbers: what `root.backward()` leaves on each node when the
    leaves start from 0.
    """
    grads = {root: 1.0}
    for step in backward_steps(root):
        for c in step.contributions:
            grads[c.parent] = c.grad_after
    return grads
