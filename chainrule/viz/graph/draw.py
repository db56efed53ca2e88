"""Computation graphs drawn with Graphviz: `draw_dot`, `save_svg`, `render_svg`, and
`draw_graph`, the same drawing with each box's texts chosen by the caller.

A drawing shows every Value as a box (its label, data and grad) and every
operation as a small oval between its inputs and its result. Each arrow into an
operation carries the local derivative d result / d input, read from the node's
`local_grads`, so the chain rule can be followed by eye: a Value's grad is the
sum, over every path from it to the output, of the product of the numbers on
the path.

Every number is shown with 4 significant digits (`format_number`). Operations
are shown by their mathematical signs (plus, minus, times, divide), function
names (`exp`, `log`, `tanh`, `ReLU`, ...), sigma for sigmoid, `√` for sqrt, `x²`
for a power with a number exponent, `xʸ` for a Value exponent and `Σ w·x + b`
for a neuron's weighted sum (`engine.linear`); see `op_symbol`.

This module decides what is drawn and where (the walk over the graph, the boxes of
Modules); `chainrule.viz.graph.style` decides how each part looks.

The graphviz Python package is imported only when a drawing is made, and Graphviz
only when one is rendered (`chainrule.viz.graph.render`: pygraphviz in-process, else the
`dot` program), so `import chainrule.viz` works without either.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...engine import Value, topological_order
from ...engine.checks import positive_int_or_none
from ...files import write_atomically
from ...nn import Module
from ...nodechecking import NodeFailure
from ...notation import format_number, op_symbol
from .marks import NOT_RUN_NOTE, Marks, backward_has_run
from .modules import module_info, owned_parameters
from .options import check_rankdir, check_size, highlight_targets
from .render import digraph_class, render_svg, require_graphviz
from .style import (
    BoxText,
    cluster_attrs,
    edge_attrs,
    edge_defaults,
    grad_fill,
    graph_attrs,
    legend_label,
    module_title,
    node_defaults,
    op_attrs,
    tooltip,
    value_attrs,
    value_label,
)

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "MAX_NODES",
    "BoxText",
    "draw_dot",
    "draw_graph",
    "format_number",
    "op_symbol",
    "own_numbers",
    "save_svg",
]

# The most nodes `draw_dot` draws unless told otherwise: Graphviz renders an MLP's grouped graph of
# 407 in about a second, in-process or not, a chain of 2,000 in 2 to 60 s (its version matters more
# than the process: benchmarks/README.md), and no reader follows so many boxes.
MAX_NODES = 500


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    highlight: Value | Iterable[Value] | None = None,
    group: bool = False,
    show_local: bool = True,
    color_grads: bool = False,
    max_nodes: int | None = MAX_NODES,
    check: Iterable[NodeFailure] | None = None,
) -> graphviz.Digraph:
    """Draw the computation graph that ends at `root` as a `graphviz.Digraph`.

    Each Value is a box with its label, data and grad; each operation a small
    oval. Arrows go input -> operation -> result, and with `show_local` each
    arrow into an operation is labelled with the local derivative d result /
    d input. A legend explains the styles of inputs, parameters, constants and
    the output.

    - `rankdir`: "LR" (left to right), "TB", "RL" or "BT".
    - `highlight`: a Value (or several): marks every path from it to the root,
      the chain of local derivatives the chain rule multiplies; the rest is dimmed.
    - `group`: draws the nodes each Module's forward pass made (and its
      parameters) inside a box per Module, named as in `named_modules()`.
    - `color_grads`: fills each Value by its grad, red for positive and blue for
      negative, stronger for larger |grad| relative to the largest in the graph.
    - `max_nodes`: a graph of more nodes (Values) than this raises ValueError before
      anything is drawn, as Graphviz takes minutes over ten thousand; None draws any size.
    - `check`: the failures `gradcheck_nodes(root)` returned: each failing edge is drawn
      red and dashed with `analytical ≠ numerical` on it, and its operation's oval too.

    When every grad is 0 (`backward` has not run on the graph), the legend says so.

    In Jupyter the Digraph shows itself; `save_svg` writes it to a file.
    In the DOT source (`.source`) the Values are named v0, v1, ... in the order
    they were made and the operation that made v<i> is op<i>, so the same graph
    always gives the same source, byte for byte.

        >>> x, w = Value(2.0, "x"), Value(3.0, "w")
        >>> L = (w * x).relu()
        >>> L.backward()
        >>> dot = draw_dot(L, highlight=w)   # doctest: +SKIP
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: root must be a Value, got {type(root).__name__}")
    check_rankdir(rankdir, "draw_dot")
    check_size(root, positive_int_or_none(max_nodes, "draw_dot", "max_nodes"))
    return draw_graph(
        root,
        rankdir=rankdir,
        highlight=highlight_targets(highlight, root),
        group=group,
        show_local=show_local,
        color_grads=color_grads,
        check=() if check is None else check,
        notes=() if backward_has_run(root) else (NOT_RUN_NOTE,),
    )


def own_numbers(v: Value) -> BoxText:
    """What `draw_dot`'s boxes show: the node's data and grad (its label heads the box), and
    in its tooltip both numbers at full precision."""
    return BoxText("", format_number(v.data), format_number(v.grad), f"data = {v.data!r}\ngrad = {v.grad!r}")


def draw_graph(
    root: Value,
    boxes: Callable[[Value], BoxText] = own_numbers,
    *,
    svg_ids: bool = False,
    rankdir: str = "LR",
    highlight: Sequence[Value] = (),
    group: bool = False,
    show_local: bool = True,
    color_grads: bool = False,
    check: Iterable[NodeFailure] = (),
    notes: Sequence[str] = (),
) -> graphviz.Digraph:
    """The drawing `draw_dot` makes, with each Value's box showing `boxes(v)` (see `BoxText`):
    for pages that fill the boxes in themselves, as the stepper does frame by frame.

    With `svg_ids` the parts such a page changes get SVG ids: v<i> for the i-th Value
    (oldest first), op<i> for the operation that made it, r<i> for the arrow op<i> -> v<i>,
    and e<i>_<k> for the arrow from its k-th parent into op<i>. The other arguments are
    `draw_dot`'s, as it passes them on once checked: `highlight` lists nodes of the graph;
    `notes` are warnings for the foot of the legend.
    """
    drawing = _Drawing(root, boxes, svg_ids, rankdir, highlight, group, show_local, color_grads)
    drawing.marks = Marks(check, drawing.nodes, notes)
    return drawing.draw()


def save_svg(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw the graph ending at `root` (`draw_dot` options) and write it to `path` as SVG.

        >>> save_svg(L, "loss.svg", highlight=w)   # doctest: +SKIP
        PosixPath('loss.svg')

    Returns the path written. Raises `GraphvizNotFound` when no Graphviz is installed,
    and ValueError, before drawing anything or touching `path`, for a graph of more than
    `max_nodes` nodes (500 unless `max_nodes=None` is passed on). The file is written whole
    or not at all (`chainrule.files.write_atomically`): a failed write raises an OSError naming
    `path` and leaves an earlier file there as it was.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"save_svg: path must be a str or a path, got {type(path).__name__}")
    svg = render_svg(draw_dot(root, **options))
    return write_atomically(path, svg, "save_svg")


# -- building the drawing ----------------------------------------------------------


class _Drawing:
    """One drawing as it is built: each Value's box, its operation's oval, their arrows, and
    the boxes of Modules they sit in."""

    def __init__(
        self,
        root: Value,
        boxes: Callable[[Value], BoxText],
        svg_ids: bool,
        rankdir: str,
        targets: Sequence[Value],
        group: bool,
        show_local: bool,
        color_grads: bool,
    ) -> None:
        require_graphviz()
        import graphviz as gv  # here, not at the top: importing chainrule.viz needs no graphviz

        self.new_graph, self.nohtml = digraph_class(), gv.nohtml  # shown in Jupyter, or GraphvizNotFound
        self.boxes, self.svg_ids, self.targets = boxes, svg_ids, targets
        self.group, self.show_local, self.rankdir = group, show_local, rankdir
        self.nodes = topological_order(root)  # oldest first: inputs lead the drawing
        self.ids = {v: i for i, v in enumerate(self.nodes)}
        self.owners, self.names, self.chains = module_info(self.nodes)
        self.kinds = {v: _kind(v, root, self.owners) for v in self.nodes}
        self.highlighting = bool(targets)
        self.lit = _on_path(self.nodes, targets) if targets else dict.fromkeys(self.nodes, True)
        grad_scale = max((abs(v.grad) for v in self.nodes if math.isfinite(v.grad)), default=0.0)
        self.grad_scale = grad_scale if color_grads else None
        self.graph: graphviz.Digraph = self.new_graph(
            name="chainrule", graph_attr=graph_attrs(rankdir), node_attr=node_defaults(), edge_attr=edge_defaults()
        )
        # One cluster per Module, in order of discovery (a module before those inside it).
        self.clusters: dict[Module, graphviz.Digraph] = {}
        self.cluster_parent: dict[Module, Module | None] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []

    marks: Marks  # gradcheck_nodes' failures and the legend's notes, set by draw_graph

    def draw(self) -> graphviz.Digraph:
        """Every node, then the clusters, the legend and the arrows."""
        for v in self.nodes:
            self._add(v)
        self._order_parameters()
        # Nested clusters are attached innermost first: `subgraph` copies a body as it is then.
        for m in reversed(self.clusters):
            parent = self.cluster_parent[m]
            (self.clusters[parent] if parent is not None else self.graph).subgraph(self.clusters[m])
        kinds = set(self.kinds.values())
        marks = self.marks.legend_rows()
        legend = legend_label(kinds, self.show_local, list(self.targets), self.grad_scale, bool(self.clusters), marks)
        # The legend is the graph's label, drawn below the layout so it moves no node.
        self.graph.attr(label=legend, labelloc="b", labeljust="l")
        for tail, head, attrs in self.edges:
            self.graph.edge(tail, head, **attrs)
        return self.graph

    def _add(self, v: Value) -> None:
        """Declare v's box and, for a result, the oval of its operation; keep their arrows for later."""
        i, lit, kind = self.ids[v], self.lit[v], self.kinds[v]
        # Off the highlighted paths, a grad's colour fades with the rest.
        fill = grad_fill(v.grad, self.grad_scale, 1.0 if lit else 0.3) if self.grad_scale is not None else None
        maker = self.owners.get(v) or (v.scope[-1] if self.group and v.scope and v.scope[-1] in self.names else None)
        owner = module_title(maker, self.names) if maker is not None else ""
        box = self.boxes(v)
        home = self._home(v)
        home.node(
            f"v{i}",
            value_label(v.label, box, kind, lit, self.highlighting, fill),
            **value_attrs(lit),
            tooltip=self.nohtml(tooltip(v.label, kind, owner, box.details)),
            **self._svg_id(f"v{i}"),
        )
        if v.is_leaf:
            return
        # An op is on a path when one of its inputs is (its result then is too).
        op_lit = any(self.lit[p] for p in v.parents)
        home.node(
            f"op{i}",
            op_symbol(v.op),
            **op_attrs(op_lit, self.highlighting) | self.marks.op(v),
            tooltip=self.nohtml(f"operation {v.op}"),
            **self._svg_id(f"op{i}"),
        )
        self.edges.append((f"op{i}", f"v{i}", edge_attrs(op_lit, self.highlighting, None) | self._svg_id(f"r{i}")))
        for k, (p, local) in enumerate(zip(v.parents, v.local_grads)):
            attrs = edge_attrs(self.lit[p], self.highlighting, local if self.show_local else None)
            attrs |= self._svg_id(f"e{i}_{k}") | self.marks.edge(v, k, local)
            if self._home(p) is not home:
                # A longer arrow out of a box lets the boxes of consecutive layers sit side by side.
                attrs["minlen"] = "2"
            self.edges.append((f"v{self.ids[p]}", f"op{i}", attrs))

    def _order_parameters(self) -> None:
        """Each Module's parameters in the order made (w0, w1, ..., b), held by unseen arrows in
        one rank, which is laid out left to right and then turned (upwards for LR and RL)."""
        for m, params in owned_parameters(self.nodes, self.owners).items():
            if len(params) > 1 and m in self.clusters:
                column = self.new_graph(graph_attr={"rank": "same"})
                for before, after in pairwise(params[::-1] if self.rankdir in ("LR", "RL") else params):
                    column.edge(f"v{self.ids[before]}", f"v{self.ids[after]}", style="invis")
                self.clusters[m].subgraph(column)
                self.graph.attr(remincross="false")  # dot's last pass would undo these orders

    def _home(self, v: Value) -> graphviz.Digraph:
        """The graph or cluster a node is declared in: the innermost Module that made it, or owns it."""
        chain = self.chains[self.owners[v]] if v in self.owners else v.scope
        if not self.group or not chain:
            return self.graph
        for depth, m in enumerate(chain):
            if m not in self.clusters:
                self.cluster_parent[m] = chain[depth - 1] if depth else None
                title = module_title(m, self.names)
                self.clusters[m] = self.new_graph(
                    name=f"cluster_{len(self.clusters)}", graph_attr=cluster_attrs(title, depth)
                )
        return self.clusters[chain[-1]]

    def _svg_id(self, name: str) -> dict[str, str]:
        return {"id": name} if self.svg_ids else {}


# -- what the graph holds ----------------------------------------------------------


def _on_path(nodes: list[Value], targets: Sequence[Value]) -> dict[Value, bool]:
    """For each node, whether it lies on a path from a target to the root.

    Every node reaches the root, so that is: a target, or made from a node on a path.
    `nodes` is oldest first, so parents are decided before their children.
    """
    marked = set(targets)
    on: dict[Value, bool] = {}
    for v in nodes:
        on[v] = v in marked or any(on[p] for p in v.parents)
    return on


def _kind(v: Value, root: Value, owners: dict[Value, Module]) -> str:
    if v is root:
        return "output"
    if v.is_constant:
        return "constant"
    if v.is_leaf:
        return "parameter" if v in owners else "input"
    return "intermediate"
