"""What a drawing marks that the graph itself does not say: edges `gradcheck_nodes` found
wrong, and a graph on which `backward` has not run. `chainrule.viz.graph` draws the marks,
`chainrule.viz.style` styles them; this module decides where they go, cheaply."""

from __future__ import annotations

from collections.abc import Iterable

from ..engine import Value, topological_order
from ..nodechecking import NodeFailure

__all__ = ["NOT_RUN_NOTE", "backward_has_run", "failing_edges"]

NOT_RUN_NOTE = "every grad is 0: backward() has not run on this graph yet"


def backward_has_run(root: Value) -> bool:
    """False when `root` has parents and every grad in its graph is 0, as before `root.backward()`.

    `backward` sets the output's grad to 1, so a nonzero root grad answers at once, and
    only a graph whose root grad is 0 is walked.
    """
    if root.is_leaf or root.grad != 0.0:
        return True
    return any(v.grad != 0.0 for v in topological_order(root))


def failing_edges(check: Iterable[NodeFailure], nodes: Iterable[Value]) -> dict[Value, dict[int, float]]:
    """For each failing node of `check`, its failing input edges: {position: numerical derivative}.

    TypeError for an item that is no `NodeFailure`, ValueError for one whose node is not
    among `nodes` (the graph being drawn).
    """
    if isinstance(check, NodeFailure) or not isinstance(check, Iterable):
        raise TypeError(f"draw_dot: check must be the list gradcheck_nodes returns, got {type(check).__name__}")
    in_graph = set(nodes)
    edges: dict[Value, dict[int, float]] = {}
    for failure in check:
        if not isinstance(failure, NodeFailure):
            raise TypeError(f"draw_dot: check takes what gradcheck_nodes returns, got {type(failure).__name__}")
        if failure.node not in in_graph:
            raise ValueError(f"draw_dot: check names {failure.name}, a node that is not in the graph of the root")
        edges.setdefault(failure.node, {})[failure.index] = failure.numerical
    return edges
