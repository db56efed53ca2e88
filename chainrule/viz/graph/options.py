"""The drawings' options, checked: which nodes to highlight and how many nodes a drawing may
have (both against the graph), and the direction it is laid out in. `draw_dot`, the stepper
and the network view check their options with these functions."""

from __future__ import annotations

from collections.abc import Iterable

from ...engine import Value, topological_order

__all__ = ["RANKDIRS", "check_rankdir", "check_size", "highlight_targets"]

# The directions a drawing takes: left to right, top to bottom, and their reverses.
RANKDIRS = ("LR", "TB", "RL", "BT")


def highlight_targets(highlight: Value | Iterable[Value] | None, root: Value) -> list[Value]:
    """`draw_dot`'s `highlight` as a list of nodes of the graph of `root`, checked."""
    if highlight is None:
        return []
    if isinstance(highlight, Value):
        targets = [highlight]
    elif isinstance(highlight, Iterable) and not isinstance(highlight, str):
        targets = list(highlight)
    else:
        raise TypeError(f"draw_dot: highlight must be a Value, Values or None, got {type(highlight).__name__}")
    in_graph = set(topological_order(root)) if targets else set()
    for v in targets:
        if not isinstance(v, Value):
            raise TypeError(f"draw_dot: highlight takes Values, got {type(v).__name__}")
        if v not in in_graph:
            raise ValueError(f"draw_dot: highlight {v!r} is not in the graph of the root")
    return targets


def check_size(root: Value, max_nodes: int | None) -> None:
    """Refuse a graph of more than `max_nodes` nodes, counted without drawing anything."""
    if max_nodes is None:
        return
    count = len(topological_order(root))
    if count > max_nodes:
        whose = f"the graph of {root.label!r}" if root.label else "the graph"
        raise ValueError(
            f"draw_dot: {whose} has {count} nodes, more than max_nodes={max_nodes}: Graphviz slows down past "
            "a few hundred (minutes at ten thousand), and no one reads so many boxes. Draw a smaller part of it "
            "(draw_dot of a node inside it, or of a smaller model or batch), draw a model's graph neuron by neuron "
            "with chainrule.viz.draw_network(model, root), or pass max_nodes=None to draw it anyway."
        )


def check_rankdir(rankdir: object, where: str) -> None:
    """ValueError naming `where` (the function checking it) unless `rankdir` is one of `RANKDIRS`."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"{where}: rankdir must be one of {', '.join(map(repr, RANKDIRS))}, got {rankdir!r}")
