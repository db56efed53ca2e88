"""What a drawing marks that the graph itself does not say: edges `gradcheck_nodes` found
wrong, and a graph on which `backward` has not run. `chainrule.viz.graph.draw` draws the marks,
`chainrule.viz.graph.style` styles them; this module decides where they go, cheaply, so the
drawing's own module only asks `Marks` for each oval's, arrow's and legend's extra attributes."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ...engine import Value, topological_order
from ...nodechecking import NodeFailure
from .style import failed_edge_attrs, failed_op_attrs, failure_legend_row, note_legend_row

__all__ = ["NOT_RUN_NOTE", "Marks", "backward_has_run", "failing_edges"]

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


class Marks:
    """The marks of one drawing: the failing edges of `check` (see `failing_edges`) among
    `nodes`, and `notes` (warnings) for the foot of the legend."""

    def __init__(self, check: Iterable[NodeFailure], nodes: Iterable[Value], notes: Sequence[str] = ()) -> None:
        self.failing = failing_edges(check, nodes)
        self.notes = tuple(notes)

    def op(self, v: Value) -> dict[str, str]:
        """Extra attributes of the oval of v's operation: marked when one of its edges failed."""
        return failed_op_attrs() if v in self.failing else {}

    def edge(self, v: Value, k: int, local: float) -> dict[str, str]:
        """Extra attributes of the arrow from v's k-th parent, whose stored local derivative is `local`."""
        numerical = self.failing.get(v, {}).get(k)
        return {} if numerical is None else failed_edge_attrs(local, numerical)

    def legend_rows(self) -> list[str]:
        """The legend's extra rows: what the failure marks mean, then each note."""
        rows = [failure_legend_row()] if self.failing else []
        return rows + [note_legend_row(note) for note in self.notes]
