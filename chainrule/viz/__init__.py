"""Drawing computation graphs: `draw_dot(root)` returns a Graphviz drawing, `save_svg` writes one.

Needs the `viz` extra (`pip install 'chainrule[viz]'`) and the Graphviz `dot` program
only when a drawing is made, so importing this package needs neither.
"""

from .graph import GraphvizNotFound, draw_dot, save_svg

__all__ = ["GraphvizNotFound", "draw_dot", "save_svg"]
