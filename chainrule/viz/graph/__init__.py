"""The graph drawing: `draw_dot`, `save_svg`, `render_svg`, `graphviz_backend`, `GraphvizNotFound`, and
`draw_graph`, the same drawing with each box's texts chosen by the caller (the pages').

The data goes one way: the engine's nodes -> which Module made each (`modules`), the
options checked against the graph (`options`) and what the drawing marks (`marks`) ->
the Digraph (`draw`), each part styled by `style` -> SVG, or Jupyter's display (`render`).
"""

from .draw import MAX_NODES, draw_dot, draw_graph, own_numbers, save_svg
from .marks import backward_has_run
from .options import RANKDIRS, check_rankdir, highlight_targets
from .render import GraphvizNotFound, digraph_class, graphviz_backend, render_svg
from .style import BoxText

__all__ = [
    "MAX_NODES",
    "RANKDIRS",
    "BoxText",
    "GraphvizNotFound",
    "backward_has_run",
    "check_rankdir",
    "digraph_class",
    "draw_dot",
    "draw_graph",
    "graphviz_backend",
    "highlight_targets",
    "own_numbers",
    "render_svg",
    "save_svg",
]
