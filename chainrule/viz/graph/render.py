"""How a drawing becomes a picture: `render_svg` (SVG text from the Graphviz `dot` program),
`GraphvizNotFound` when `dot` is missing, and the Digraph class every drawing is made of,
which shows itself in Jupyter through `render_svg`.

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

__all__ = ["GraphvizNotFound", "digraph_class", "render_svg", "require_graphviz"]

_INSTALL_PACKAGE = "draw_dot needs the graphviz Python package: pip install 'chainrule[viz]'"

_INSTALL_DOT = """\
chainrule could not find the Graphviz `dot` program, which renders its drawings.
Install Graphviz, then try again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz, or the installer from https://graphviz.org/download/
  other:          https://graphviz.org/download/
(pip install graphviz installs only the Python side; the `dot` program must be on PATH.)"""


class GraphvizNotFound(RuntimeError):  # noqa: N818 - reads as the situation, like FileNotFoundError
    """The Graphviz `dot` program is not on PATH; the message says how to install it."""


def require_graphviz() -> None:
    """Import the graphviz package (then cached), or say which extra installs it."""
    try:
        import graphviz  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL_PACKAGE) from exc


def render_svg(graph: graphviz.Digraph) -> str:
    """Render a Digraph (from `draw_dot`) to SVG text with the Graphviz `dot` program.

    Raises `GraphvizNotFound`, saying how to install Graphviz, when `dot` is missing.
    """
    require_graphviz()
    import graphviz as gv

    try:
        svg: str = graph.pipe(format="svg", encoding="utf-8")
    except gv.ExecutableNotFound as exc:
        raise GraphvizNotFound(_INSTALL_DOT) from exc
    return svg


@cache
def digraph_class() -> type[graphviz.Digraph]:
    """graphviz's Digraph, showing itself in Jupyter as SVG made by `render_svg` (so a missing
    `dot` raises `GraphvizNotFound` with install advice). Needs the graphviz package."""
    import graphviz as gv

    class Digraph(gv.Digraph):
        """A graphviz Digraph that Jupyter shows as SVG, or explains why it cannot."""

        def _repr_image_svg_xml(self) -> str:
            try:
                return render_svg(self)
            except GraphvizNotFound as exc:
                # A notebook shows the whole chain; the install advice is all a reader needs.
                raise GraphvizNotFound(str(exc)) from None

    Digraph.__module__, Digraph.__qualname__ = __name__, "Digraph"
    return cast("type[graphviz.Digraph]", Digraph)  # mypy sees a class made at run time as Any
