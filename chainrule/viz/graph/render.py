"""How a drawing becomes a picture: `render_svg`, `graphviz_backend`, `GraphvizNotFound`, and
the Digraph class every drawing is made of, which shows itself in Jupyter through `render_svg`.

Drawings are built with the graphviz Python package (a `graphviz.Digraph` and its DOT
`.source`); this module only renders them, with the first of two Graphviz installations
it finds:

1. **pygraphviz**, in this process. Its wheels (2.x, for Linux x86_64 and aarch64, macOS
   and Windows amd64) carry Graphviz itself, so `pip install 'chainrule[viz]'` is all a
   drawing needs there. Graphviz keeps global state while it parses and lays out a graph,
   so one drawing renders at a time (a lock), and what it writes to the process's stderr
   while doing so is read back: its errors become the exception, its warnings go on to
   `sys.stderr` as the `dot` program's do.
2. **The `dot` program** on PATH, run by the graphviz package, as before pygraphviz shipped
   Graphviz: for platforms without a wheel, or an environment without pygraphviz.

With neither, `GraphvizNotFound` says what to install. Both lay out the same DOT; positions
may differ by a few points between Graphviz versions, the nodes, edges and texts do not.

    >>> graphviz_backend()       # doctest: +SKIP
    'pygraphviz 2.0.4 (Graphviz 14.1.5), in-process'

graphviz's Digraph renders itself in a notebook through `_repr_mimebundle_`, which runs
the `dot` program and, when it is missing, raises graphviz's own `ExecutableNotFound`.
chainrule's drawings are of a subclass (`digraph_class`) whose SVG comes from `render_svg`,
so a cell ending in `draw_dot(L)` is rendered as `save_svg` renders it, and says what
`save_svg` says when there is no Graphviz: chainrule's `GraphvizNotFound`, with what to
install. The class is made on first use, so importing `chainrule.viz` needs no graphviz package.

    >>> Digraph = digraph_class()            # doctest: +SKIP
    >>> issubclass(Digraph, graphviz.Digraph)  # doctest: +SKIP
    True
"""

from __future__ import annotations

import contextlib
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    import graphviz

__all__ = ["GraphvizNotFound", "digraph_class", "graphviz_backend", "render_svg", "require_graphviz"]

_INSTALL_PACKAGE = "draw_dot needs the graphviz Python package: pip install 'chainrule[viz]'"

_INSTALL_GRAPHVIZ = """\
chainrule could not find Graphviz, which renders its drawings: neither pygraphviz nor the
Graphviz `dot` program is installed here.
Install the viz extra, whose pygraphviz wheel brings Graphviz with it on Linux (x86_64,
aarch64), macOS and Windows (amd64), for CPython 3.10 and later:
  pip install 'chainrule[viz]'
Elsewhere, install the Graphviz `dot` program, then try again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Alpine:         apk add graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz, or the installer from https://graphviz.org/download/
  other:          https://graphviz.org/download/"""

# Graphviz's parser and layouts keep global state: one drawing at a time in this process.
_RENDERING = threading.Lock()

# Harmless and not the user's to fix: the wheel's fontconfig, older than the system's, meets
# a newer element in the system's configuration files.
_NOISE = ("Fontconfig warning:",)


class GraphvizNotFound(RuntimeError):  # noqa: N818 - reads as the situation, like FileNotFoundError
    """Neither pygraphviz nor the Graphviz `dot` program is installed; the message says how
    to install one."""


def require_graphviz() -> None:
    """Import the graphviz package (then cached), or say which extra installs it."""
    try:
        import graphviz  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL_PACKAGE) from exc


def render_svg(graph: graphviz.Digraph) -> str:
    """Render a Digraph (from `draw_dot`) to SVG text, with pygraphviz's Graphviz in this
    process when it is installed, else with the `dot` program.

    Raises `GraphvizNotFound`, saying what to install, when neither is there, and ValueError
    with Graphviz's own message when Graphviz refuses the graph's DOT.
    """
    require_graphviz()
    pygraphviz = _pygraphviz()
    if pygraphviz is not None:
        return _render_in_process(pygraphviz, graph.source)
    return _render_with_dot(graph)


def graphviz_backend() -> str:
    """Which Graphviz renders drawings here, for a bug report: pygraphviz in-process, the
    `dot` program on PATH, or none (then drawing raises `GraphvizNotFound`)."""
    pygraphviz = _pygraphviz()
    if pygraphviz is not None:
        graphviz_version = getattr(pygraphviz, "__graphviz_version__", "version unknown")
        return f"pygraphviz {pygraphviz.__version__} (Graphviz {graphviz_version}), in-process"
    dot = shutil.which("dot")
    if dot is None:
        return "none: no pygraphviz, and no Graphviz `dot` program on PATH"
    try:
        said = subprocess.run([dot, "-V"], capture_output=True, text=True, timeout=30).stderr.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        said = f"`dot -V` failed: {exc}"
    return f"the `dot` program at {dot} ({said})"


@cache
def digraph_class() -> type[graphviz.Digraph]:
    """graphviz's Digraph, showing itself in Jupyter as SVG made by `render_svg` (so without
    Graphviz it raises `GraphvizNotFound` with install advice). Needs the graphviz package."""
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


def _pygraphviz() -> ModuleType | None:
    """pygraphviz, if it imports (a wheel whose libraries do not load counts as absent)."""
    try:
        return importlib.import_module("pygraphviz")
    except ImportError:
        return None


def _render_in_process(pygraphviz: ModuleType, source: str) -> str:
    refused: ValueError | None = None
    with _RENDERING, _stderr_lines() as said:
        try:
            svg: bytes = pygraphviz.AGraph(string=source).draw(format="svg", prog="dot")
        except ValueError as exc:  # pygraphviz's DotError and layout errors; Graphviz said why on stderr
            refused = exc
    messages = [line for line in said if not line.startswith(_NOISE)]
    if refused is not None or any(line.startswith("Error") for line in messages):
        raise ValueError(_refused("pygraphviz, in-process", "\n".join(messages) or str(refused))) from refused
    if messages and sys.stderr is not None:
        print(*messages, sep="\n", file=sys.stderr)  # warnings, as the `dot` program prints them
    return svg.decode("utf-8")


def _render_with_dot(graph: graphviz.Digraph) -> str:
    import graphviz as gv

    try:
        svg: str = graph.pipe(format="svg", encoding="utf-8")
    except gv.ExecutableNotFound as exc:
        raise GraphvizNotFound(_INSTALL_GRAPHVIZ) from exc
    except gv.CalledProcessError as exc:
        said = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else str(exc.stderr)
        raise ValueError(_refused("the `dot` program", said.strip())) from exc
    return svg


def _refused(backend: str, said: str) -> str:
    return f"render_svg: Graphviz ({backend}) refused the drawing's DOT:\n{said}"


@contextlib.contextmanager
def _stderr_lines() -> Iterator[list[str]]:
    """Catch what is written to the process's stderr (file descriptor 2, where Graphviz's C code
    writes) inside the block; the list holds its lines once the block has ended."""
    lines: list[str] = []
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all (pythonw): nothing to catch
        yield lines
        return
    with tempfile.TemporaryFile() as sink:
        if sys.stderr is not None:
            sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield lines
        finally:
            if sys.stderr is not None:
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            lines.extend(sink.read().decode("utf-8", "replace").splitlines())
