"""How a drawing shows itself in Jupyter: the Digraph class `draw_dot` makes.

graphviz's Digraph renders itself in a notebook through `_repr_mimebundle_`, which
runs the Graphviz `dot` program and, when it is missing, raises graphviz's own
`ExecutableNotFound`. chainrule's drawings are of a subclass whose SVG comes from
`render_svg`, so a cell ending in `draw_dot(L)` says what `save_svg` says: chainrule's
`GraphvizNotFound`, with how to install Graphviz on each system.

The class is made on first use, so importing `chainrule.viz` needs no graphviz package.

    >>> Digraph = digraph_class()            # doctest: +SKIP
    >>> issubclass(Digraph, graphviz.Digraph)  # doctest: +SKIP
    True
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import graphviz

__all__ = ["digraph_class"]


@cache
def digraph_class() -> type[graphviz.Digraph]:
    """graphviz's Digraph, showing itself in Jupyter as SVG made by `render_svg` (so a missing
    `dot` raises `GraphvizNotFound` with install advice). Needs the graphviz package."""
    import graphviz as gv

    class Digraph(gv.Digraph):
        """A graphviz Digraph that Jupyter shows as SVG, or explains why it cannot."""

        def _repr_image_svg_xml(self) -> str:
            # Imported here: graph.py makes its drawings of this class.
            from .draw import GraphvizNotFound, render_svg

            try:
                return render_svg(self)
            except GraphvizNotFound as exc:
                # A notebook shows the whole chain; the install advice is all a reader needs.
                raise GraphvizNotFound(str(exc)) from None

    Digraph.__module__, Digraph.__qualname__ = __name__, "Digraph"
    return cast("type[graphviz.Digraph]", Digraph)  # mypy sees a class made at run time as Any
