"""Computation graphs drawn with Graphviz: `draw_dot`, `save_svg`, `render_svg`.

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

The graphviz Python package is imported only when a drawing is made, and the
Graphviz `dot` program only when one is rendered, so `import chainrule.viz`
works without either.
"""

from __future__ import annotations

import html
import math
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..engine import Value, topological_order
from ..nn import Module
from ..notation import format_number, op_symbol

if TYPE_CHECKING:
    import graphviz

__all__ = ["RANKDIRS", "GraphvizNotFound", "draw_dot", "format_number", "op_symbol", "render_svg", "save_svg"]

# The directions `draw_dot` accepts: left to right, top to bottom, and their reverses.
RANKDIRS = ("LR", "TB", "RL", "BT")

_INSTALL_PACKAGE = "draw_dot needs the graphviz Python package: pip install 'chainrule[viz]'"

_INSTALL_DOT = """\
chainrule could not find the Graphviz `dot` program, which renders its drawings.
Install Graphviz, then try again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  macOS:          brew install graphviz
  Windows, other: https://graphviz.org/download/
(pip install graphviz installs only the Python side; the `dot` program must be on PATH.)"""


class GraphvizNotFound(RuntimeError):  # noqa: N818 - reads as the situation, like FileNotFoundError
    """The Graphviz `dot` program is not on PATH; the message says how to install it."""


class _Style(NamedTuple):
    fill: str
    border: str
    width: int
    meaning: str


# Kinds are told apart by border colour and width, so the fill stays free for
# `color_grads`; hues avoid the red and blue of the grad palette.
_KINDS = {
    "input": _Style("#ccfbf1", "#0f766e", 1, "input (a Value you made, or a sample fed to a model)"),
    "parameter": _Style("#fef3c7", "#b45309", 1, "parameter (a Module's weight or bias)"),
    "constant": _Style("#f3f4f6", "#9ca3af", 1, "constant (a number in an expression)"),
    "intermediate": _Style("#ffffff", "#4b5563", 1, "intermediate result"),
    "output": _Style("#ede9fe", "#6d28d9", 3, "output (backward starts here)"),
}
_OP_FILL, _OP_BORDER = "#f3f4f6", "#6b7280"
_HIGHLIGHT = "#e11d48"
_DIM, _DIM_TEXT = "#d1d5db", "#9ca3af"
_TEXT, _FAINT_TEXT = "#111827", "#6b7280"
_EDGE, _EDGE_LABEL = "#4b5563", "#374151"
_CLUSTER_BORDER = "#94a3b8"
# Diverging palette (ColorBrewer RdBu's middle tones, light enough for black text).
_NEGATIVE, _POSITIVE = (67, 147, 195), (214, 96, 77)
_CLUSTER_FILLS = ("#f8fafc", "#f1f5f9", "#e2e8f0")
_FONT = "Helvetica,Arial,sans-serif"


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    highlight: Value | Iterable[Value] | None = None,
    group: bool = False,
    show_local: bool = True,
    color_grads: bool = False,
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
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw_dot: rankdir must be one of {', '.join(map(repr, RANKDIRS))}, got {rankdir!r}")
    return _draw(root, rankdir, highlight, group, show_local, color_grads)


class _Shown(NamedTuple):
    """What a Value's box shows in place of its own label and numbers (the stepper's frames).

    `name` heads every box, labelled or not; `data` and `grad` are the texts
    shown, and also set the width of their cells.
    """

    name: str
    data: str
    grad: str


def _draw(
    root: Value,
    rankdir: str = "LR",
    highlight: Value | Iterable[Value] | None = None,
    group: bool = False,
    show_local: bool = True,
    color_grads: bool = False,
    shown: dict[Value, _Shown] | None = None,
) -> graphviz.Digraph:
    """`draw_dot`, and with `shown` the stepper's variant: each box shows the given texts and
    the parts a page changes per frame get SVG ids: v<i> for the i-th Value (oldest first),
    op<i> for the operation that made it, r<i> for the arrow op<i> -> v<i>, and e<i>_<k>
    for the arrow from its k-th parent into op<i>."""
    _require_graphviz()
    import graphviz as gv

    def svg_id(name: str) -> dict[str, str]:
        return {"id": name} if shown is not None else {}

    nodes = topological_order(root)  # oldest first: inputs lead the drawing
    ids = {v: i for i, v in enumerate(nodes)}
    targets = _highlight_targets(highlight, ids)
    owners, names, chains = _module_info(nodes)
    kinds = {v: _kind(v, root, owners) for v in nodes}
    on_path = _on_path(nodes, targets) if targets else None
    grad_scale = max((abs(v.grad) for v in nodes if math.isfinite(v.grad)), default=0.0)

    graph: graphviz.Digraph = gv.Digraph(
        name="chainrule",
        graph_attr={
            "rankdir": rankdir,
            "bgcolor": "white",
            "fontname": _FONT,
            "nodesep": "0.2",
            "ranksep": "0.3",
        },
        node_attr={"fontname": _FONT, "fontsize": "11", "fontcolor": _TEXT},
        edge_attr={"fontname": _FONT, "fontsize": "10", "arrowsize": "0.7", "color": _EDGE},
    )
    # One cluster per Module, in order of discovery (a module before those inside it).
    clusters: dict[Module, graphviz.Digraph] = {}
    cluster_parent: dict[Module, Module | None] = {}

    def home(v: Value) -> graphviz.Digraph:
        """The graph or cluster a node is declared in."""
        chain = chains[owners[v]] if v in owners else v._scope
        if not group or not chain:
            return graph
        for depth, m in enumerate(chain):
            if m not in clusters:
                cluster_parent[m] = chain[depth - 1] if depth else None
                clusters[m] = gv.Digraph(
                    name=f"cluster_{len(clusters)}",
                    graph_attr={
                        "label": _module_title(m, names),
                        "style": "rounded,filled",
                        "fillcolor": _CLUSTER_FILLS[min(depth, len(_CLUSTER_FILLS) - 1)],
                        "color": _CLUSTER_BORDER,
                        "fontcolor": "#475569",
                        "fontsize": "11",
                        "labeljust": "l",
                    },
                )
        return clusters[chain[-1]]

    def lit(v: Value) -> bool:
        return on_path is None or on_path[v]

    highlighting = on_path is not None
    edges: list[tuple[str, str, dict[str, str]]] = []
    for v in nodes:
        i = ids[v]
        # Off the highlighted paths, a grad's colour fades with the rest.
        fill = _grad_fill(v.grad, grad_scale, 1.0 if lit(v) else 0.3) if color_grads else None
        target = home(v)
        target.node(
            f"v{i}",
            _value_label(v, kinds[v], lit(v), highlighting, fill, shown[v] if shown is not None else None),
            shape="plain",
            fontcolor=_TEXT if lit(v) else _DIM_TEXT,
            # A stepper's numbers change from frame to frame: its tooltips leave them out.
            tooltip=gv.nohtml(_tooltip(v, kinds[v], owners, names, numbers=shown is None)),
            **svg_id(f"v{i}"),
        )
        if v.is_leaf:
            continue
        # An op is on a path when one of its inputs is (its result then is too).
        op_lit = any(lit(p) for p in v.parents)
        target.node(
            f"op{i}",
            op_symbol(v.op),
            shape="ellipse",
            style="filled",
            fillcolor=_OP_FILL if op_lit else "white",
            color=_DIM if not op_lit else _HIGHLIGHT if highlighting else _OP_BORDER,
            fontcolor=_TEXT if op_lit else _DIM_TEXT,
            penwidth="2" if highlighting and op_lit else "1",
            width="0.35",
            height="0.3",
            margin="0.06,0.02",
            tooltip=gv.nohtml(f"operation {v.op}"),
            **svg_id(f"op{i}"),
        )
        edges.append((f"op{i}", f"v{i}", _edge_style(op_lit, highlighting, None) | svg_id(f"r{i}")))
        for k, (p, local) in enumerate(zip(v.parents, v.local_grads)):
            attrs = _edge_style(lit(p), highlighting, local if show_local else None) | svg_id(f"e{i}_{k}")
            if home(p) is not target:
                # A longer arrow out of a box lets the boxes of consecutive layers sit side by side.
                attrs["minlen"] = "2"
            edges.append((f"v{ids[p]}", f"op{i}", attrs))

    # Nested clusters are attached innermost first: `subgraph` copies a body as it is then.
    for m in reversed(clusters):
        parent = cluster_parent[m]
        (clusters[parent] if parent is not None else graph).subgraph(clusters[m])
    legend = _legend_label(
        set(kinds.values()), show_local, targets, grad_scale if color_grads else None, bool(clusters)
    )
    # The legend is the graph's label, drawn below the layout so it moves no node.
    graph.attr(label=legend, labelloc="b", labeljust="l")
    for tail, head, attrs in edges:
        graph.edge(tail, head, **attrs)
    return graph


def render_svg(graph: graphviz.Digraph) -> str:
    """Render a Digraph (from `draw_dot`) to SVG text with the Graphviz `dot` program.

    Raises `GraphvizNotFound`, saying how to install Graphviz, when `dot` is missing.
    """
    _require_graphviz()
    import graphviz as gv

    try:
        svg: str = graph.pipe(format="svg", encoding="utf-8")
    except gv.ExecutableNotFound as exc:
        raise GraphvizNotFound(_INSTALL_DOT) from exc
    return svg


def save_svg(root: Value, path: str | os.PathLike[str], **options: Any) -> Path:
    """Draw the graph ending at `root` (`draw_dot` options) and write it to `path` as SVG.

        >>> save_svg(L, "loss.svg", highlight=w)   # doctest: +SKIP
        PosixPath('loss.svg')

    Returns the path written. Raises `GraphvizNotFound` when the `dot` program is missing.
    """
    svg = render_svg(draw_dot(root, **options))
    out = Path(path)
    out.write_text(svg, encoding="utf-8")
    return out


# -- what the graph holds ----------------------------------------------------------


def _require_graphviz() -> None:
    """Import the graphviz package (then cached), or say which extra installs it."""
    try:
        import graphviz  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL_PACKAGE) from exc


def _highlight_targets(highlight: Value | Iterable[Value] | None, ids: dict[Value, int]) -> list[Value]:
    if highlight is None:
        return []
    targets = [highlight] if isinstance(highlight, Value) else list(highlight)
    for v in targets:
        if not isinstance(v, Value):
            raise TypeError(f"draw_dot: highlight takes Values, got {type(v).__name__}")
        if v not in ids:
            raise ValueError(f"draw_dot: highlight {v!r} is not in the graph of the root")
    return targets


def _on_path(nodes: list[Value], targets: list[Value]) -> dict[Value, bool]:
    """For each node, whether it lies on a path from a target to the root.

    Every node reaches the root, so that is: a target, or made from a node on a path.
    `nodes` is oldest first, so parents are decided before their children.
    """
    marked = set(targets)
    on: dict[Value, bool] = {}
    for v in nodes:
        on[v] = v in marked or any(on[p] for p in v.parents)
    return on


def _module_info(
    nodes: list[Value],
) -> tuple[dict[Value, Module], dict[Module, str], dict[Module, tuple[Module, ...]]]:
    """The Module owning each parameter in the graph; each Module's dotted name; and
    the chain of Modules enclosing it (outermost first, itself last).

    Modules are found from the scopes recorded on the nodes their forward passes
    made; names come from the outermost module's `named_modules()`.
    """
    tops: dict[Module, None] = {}
    for v in nodes:
        if v._scope and isinstance(v._scope[0], Module):
            tops.setdefault(v._scope[0])
    in_graph = set(nodes)
    owners: dict[Value, Module] = {}
    names: dict[Module, str] = {}
    chains: dict[Module, tuple[Module, ...]] = {}
    for top in tops:
        modules = dict(top.named_modules())
        for name, m in modules.items():
            if m not in names:
                names[m] = name
                chains[m] = tuple(modules[p] for p in _prefixes(name) if p in modules)
        for pname, p in top.named_parameters():
            if p in in_graph and p.is_leaf and p not in owners:
                owners[p] = modules[_owner_name(pname, modules)]
    return owners, names, chains


def _prefixes(name: str) -> list[str]:
    """'layers.0' -> ['', 'layers', 'layers.0']: the names of its possible ancestors, and itself."""
    parts = name.split(".") if name else []
    return [".".join(parts[:cut]) for cut in range(len(parts) + 1)]


def _owner_name(pname: str, modules: dict[str, Module]) -> str:
    """'layers.0.neurons.3.w.1' -> 'layers.0.neurons.3': the longest prefix naming a module."""
    return next(p for p in reversed(_prefixes(pname)[:-1]) if p in modules)


def _kind(v: Value, root: Value, owners: dict[Value, Module]) -> str:
    if v is root:
        return "output"
    if v.is_constant:
        return "constant"
    if v.is_leaf:
        return "parameter" if v in owners else "input"
    return "intermediate"


# -- how it looks ------------------------------------------------------------------


def _module_title(m: Module, names: dict[Module, str]) -> str:
    """'layers[0].neurons[3] (Neuron)': the path that reaches it from the outermost module, in
    Python's spelling, and its type; the outermost module is just its type ('MLP')."""
    path = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in names.get(m, "").split(".") if p)
    kind = type(m).__name__
    return f"{path.lstrip('.')} ({kind})" if path else kind


def _grad_fill(grad: float, scale: float, strength: float = 1.0) -> str:
    """White for 0, towards red for positive and blue for negative grads, by |grad| / scale."""
    if math.isnan(grad):
        return "#e5e7eb"
    if grad == 0.0:
        return "#ffffff"
    t = strength * (1.0 if math.isinf(grad) or scale == 0.0 else min(abs(grad) / scale, 1.0))
    end = _POSITIVE if grad > 0 else _NEGATIVE
    r, g, b = (round(255 + (c - 255) * t) for c in end)
    return f"#{r:02x}{g:02x}{b:02x}"


def _edge_style(lit: bool, highlighting: bool, local: float | None) -> dict[str, str]:
    """An arrow's attributes: marked, dimmed or plain, and its local derivative when given."""
    color, label_color = (_HIGHLIGHT, _HIGHLIGHT) if lit else (_DIM, _DIM_TEXT)
    attrs = {"color": color, "penwidth": "2.5" if lit else "1"} if highlighting else {}
    if local is not None:
        attrs["label"] = format_number(local)
        attrs["fontcolor"] = label_color if highlighting else _EDGE_LABEL
    return attrs


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _value_label(
    v: Value, kind: str, lit: bool, highlighting: bool, grad_fill: str | None, shown: _Shown | None = None
) -> str:
    """A Value's box: its label (if any) over its data and grad, styled by kind.

    With `shown`, its name heads the box (in italics when it is not the node's own
    label) and its texts stand in for the numbers.
    """
    style = _KINDS[kind]
    fill = grad_fill or style.fill
    border, width, faint = style.border, style.width, _FAINT_TEXT
    if highlighting and lit:
        border, width = _HIGHLIGHT, 3
    elif not lit:
        fill, border, faint = (fill if grad_fill else "white"), _DIM, _DIM_TEXT
    texts = (shown.data, shown.grad) if shown else (format_number(v.data), format_number(v.grad))
    if v.label:
        rows = [f'<TR><TD COLSPAN="2"><B>{_escape(v.label)}</B></TD></TR>']
    elif shown:
        rows = [f'<TR><TD COLSPAN="2"><I>{_escape(shown.name)}</I></TD></TR>']
    else:
        rows = []
    rows += [
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{faint}">{name}</FONT></TD>'
        f'<TD ALIGN="RIGHT">{_escape(text)}</TD></TR>'
        for name, text in zip(("data", "grad"), texts)
    ]
    return (
        f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="rounded" '
        f'COLOR="{border}" BGCOLOR="{fill}">{"".join(rows)}</TABLE>>'
    )


def _tooltip(v: Value, kind: str, owners: dict[Value, Module], names: dict[Module, str], numbers: bool = True) -> str:
    head = f"{v.label}: {kind}" if v.label else kind
    if v in owners:
        head += f" of {_module_title(owners[v], names)}"
    text = f"{head}\ndata = {v.data!r}\ngrad = {v.grad!r}" if numbers else head
    # Tooltips are Graphviz escStrings: a backslash in a label must stay a backslash.
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _legend_label(
    present: set[str], show_local: bool, targets: list[Value], grad_scale: float | None, grouped: bool
) -> str:
    """The legend, one HTML table: a swatch and its meaning per row, for what the drawing uses."""
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']

    def row(swatch: str, text: str, **cell: str) -> None:
        attrs = "".join(f' {k.upper()}="{v}"' for k, v in cell.items())
        rows.append(f'<TR><TD{attrs}>{swatch}</TD><TD ALIGN="LEFT">{_escape(text)}</TD></TR>')

    for kind, style in _KINDS.items():
        if kind in present:
            fill = "white" if grad_scale is not None else style.fill
            row(" ", style.meaning, border=str(style.width), color=style.border, bgcolor=fill, style="rounded")
    row(op_symbol("*"), "operation", border="1", color=_OP_BORDER, bgcolor=_OP_FILL, style="rounded")
    row("grad", "d output / d this Value, set by backward()", align="RIGHT")
    if show_local:
        row(f'<FONT COLOR="{_EDGE_LABEL}">2</FONT> →', "local derivative d result / d input", align="RIGHT")
        row("", "grad = sum over paths to the output of the product of these")
    if grad_scale is not None:
        scale = grad_scale or 1.0
        cells = "".join(
            f'<TD BGCOLOR="{_grad_fill(g, scale)}" WIDTH="7"> </TD>'
            for g in (-scale, -scale / 2, 0.0, scale / 2, scale)
        )
        row(
            f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" COLOR="#9ca3af"><TR>{cells}</TR></TABLE>',
            f"grad from -{format_number(scale)} (blue) through 0 to +{format_number(scale)} (red)",
        )
    if targets:
        names = ", ".join(v.label or format_number(v.data) for v in targets)
        row(f'<FONT COLOR="{_HIGHLIGHT}"><B>━━</B></FONT>', f"every path from {names} to the output", align="RIGHT")
    if grouped:
        row(
            " ",
            "the Module whose forward pass made them",
            border="1",
            color=_CLUSTER_BORDER,
            bgcolor=_CLUSTER_FILLS[1],
            style="rounded",
        )
    return (
        f'<<FONT POINT-SIZE="9"><TABLE BORDER="1" COLOR="#d1d5db" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        f"{''.join(rows)}</TABLE></FONT>>"
    )
