"""How a drawing looks: the style of each kind of box, the colours, and the HTML-like labels
Graphviz draws (each Value's box, its tooltip, the legend).

`chainrule.viz.graph` decides what is drawn and where; this module decides how each part
looks, and gives it as Graphviz attributes or label text. Nothing here reads the graph
beyond the node it is given.

Kinds are told apart by the border's colour and width, so the fill stays free for
`grad_fill`; their hues avoid the red and blue of the grad palette.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import NamedTuple

from ...engine import Value
from ...nn import Module
from ...notation import format_number, op_symbol

__all__ = [
    "KINDS",
    "BoxText",
    "KindStyle",
    "cluster_attrs",
    "edge_attrs",
    "edge_defaults",
    "failed_edge_attrs",
    "failed_op_attrs",
    "failure_legend_row",
    "grad_fill",
    "graph_attrs",
    "legend_label",
    "module_title",
    "node_defaults",
    "note_legend_row",
    "op_attrs",
    "tooltip",
    "value_attrs",
    "value_label",
]


class KindStyle(NamedTuple):
    """How a kind of Value's box looks, and what the legend says it is."""

    fill: str
    border: str
    width: int
    meaning: str


class BoxText(NamedTuple):
    """The texts of one Value's box, and what its tooltip says after the node's kind.

    A node's own label always heads its box, in bold; an unlabelled node's box is headed
    by `name` in italics, or by nothing when `name` is "". `data` and `grad` fill the two
    cells, and set their width. `details` ends the tooltip ("" for nothing more).
    """

    name: str
    data: str
    grad: str
    details: str = ""


# The kinds of Value a drawing tells apart, in the order the legend lists them.
KINDS = {
    "input": KindStyle("#ccfbf1", "#0f766e", 1, "input (a Value you made, or a sample fed to a model)"),
    "parameter": KindStyle("#fef3c7", "#b45309", 1, "parameter (a Module's weight or bias)"),
    "constant": KindStyle("#f3f4f6", "#9ca3af", 1, "constant (a number in an expression)"),
    "intermediate": KindStyle("#ffffff", "#4b5563", 1, "intermediate result"),
    "output": KindStyle("#ede9fe", "#6d28d9", 3, "output (backward starts here)"),
}
_OP_FILL, _OP_BORDER = "#f3f4f6", "#6b7280"
_HIGHLIGHT = "#e11d48"
_FAILED = "#dc2626"  # gradcheck_nodes' failures: drawn over any highlighting, dashed to tell them apart
_NOTE = "#b45309"
_DIM, _DIM_TEXT = "#d1d5db", "#9ca3af"
_TEXT, _FAINT_TEXT = "#111827", "#6b7280"
_EDGE, _EDGE_LABEL = "#4b5563", "#374151"
_CLUSTER_BORDER = "#94a3b8"
# Diverging palette (ColorBrewer RdBu's middle tones, light enough for black text).
_NEGATIVE, _POSITIVE = (67, 147, 195), (214, 96, 77)
_CLUSTER_FILLS = ("#f8fafc", "#f1f5f9", "#e2e8f0")
_FONT = "Helvetica,Arial,sans-serif"


# -- Graphviz attributes -----------------------------------------------------------


def graph_attrs(rankdir: str) -> dict[str, str]:
    """The whole drawing's attributes, laid out in the direction `rankdir`."""
    return {"rankdir": rankdir, "bgcolor": "white", "fontname": _FONT, "nodesep": "0.2", "ranksep": "0.3"}


def node_defaults() -> dict[str, str]:
    """What every node's attributes are unless it says otherwise."""
    return {"fontname": _FONT, "fontsize": "11", "fontcolor": _TEXT}


def edge_defaults() -> dict[str, str]:
    """What every arrow's attributes are unless it says otherwise."""
    return {"fontname": _FONT, "fontsize": "10", "arrowsize": "0.7", "color": _EDGE}


def edge_attrs(lit: bool, highlighting: bool, local: float | None) -> dict[str, str]:
    """An arrow's attributes: marked, dimmed or plain, and labelled with its local derivative
    when one is given."""
    color, label_color = (_HIGHLIGHT, _HIGHLIGHT) if lit else (_DIM, _DIM_TEXT)
    attrs = {"color": color, "penwidth": "2.5" if lit else "1"} if highlighting else {}
    if local is not None:
        attrs["label"] = format_number(local)
        attrs["fontcolor"] = label_color if highlighting else _EDGE_LABEL
    return attrs


def failed_edge_attrs(analytical: float, numerical: float) -> dict[str, str]:
    """An arrow whose local derivative `gradcheck_nodes` found wrong: red, dashed, both numbers on it."""
    return {
        "color": _FAILED,
        "penwidth": "2.5",
        "style": "dashed",
        "label": f"{format_number(analytical)} ≠ {format_number(numerical)}",
        "fontcolor": _FAILED,
    }


def failed_op_attrs() -> dict[str, str]:
    """The oval of an operation with a wrong local derivative: a red, dashed border."""
    return {"color": _FAILED, "penwidth": "2.5", "style": "filled,dashed"}


def cluster_attrs(title: str, depth: int) -> dict[str, str]:
    """A Module's box, `depth` Modules deep (0 for the outermost): deeper ones are darker."""
    return {
        "label": title,
        "style": "rounded,filled",
        "fillcolor": _CLUSTER_FILLS[min(depth, len(_CLUSTER_FILLS) - 1)],
        "color": _CLUSTER_BORDER,
        "fontcolor": "#475569",
        "fontsize": "11",
        "labeljust": "l",
    }


def value_attrs(lit: bool) -> dict[str, str]:
    """A Value's node attributes besides its label: the box itself is the label's table."""
    return {"shape": "plain", "fontcolor": _TEXT if lit else _DIM_TEXT}


def op_attrs(lit: bool, highlighting: bool) -> dict[str, str]:
    """An operation's small oval: marked when highlighting and on a path, dimmed when off every path."""
    return {
        "shape": "ellipse",
        "style": "filled",
        "fillcolor": _OP_FILL if lit else "white",
        "color": _DIM if not lit else _HIGHLIGHT if highlighting else _OP_BORDER,
        "fontcolor": _TEXT if lit else _DIM_TEXT,
        "penwidth": "2" if highlighting and lit else "1",
        "width": "0.35",
        "height": "0.3",
        "margin": "0.06,0.02",
    }


def grad_fill(grad: float, scale: float, strength: float = 1.0) -> str:
    """White for 0, towards red for positive and blue for negative grads, by |grad| / scale;
    `strength` below 1 fades the colour."""
    if math.isnan(grad):
        return "#e5e7eb"
    if grad == 0.0:
        return "#ffffff"
    t = strength * (1.0 if math.isinf(grad) or scale == 0.0 else min(abs(grad) / scale, 1.0))
    end = _POSITIVE if grad > 0 else _NEGATIVE
    r, g, b = (round(255 + (c - 255) * t) for c in end)
    return f"#{r:02x}{g:02x}{b:02x}"


# -- labels --------------------------------------------------------------------------


def module_title(m: Module, names: dict[Module, str]) -> str:
    """'layers[0].neurons[3] (Neuron)': the path that reaches it from the outermost module, in
    Python's spelling, and its type; the outermost module is just its type ('MLP')."""
    path = "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in names.get(m, "").split(".") if p)
    kind = type(m).__name__
    return f"{path.lstrip('.')} ({kind})" if path else kind


def value_label(label: str, box: BoxText, kind: str, lit: bool, highlighting: bool, fill: str | None) -> str:
    """A Value's box as a Graphviz HTML label: its heading over its data and grad, styled by
    `kind`; marked when highlighting and `lit`, dimmed when not `lit`. `fill` is its grad's
    colour, or None for its kind's."""
    style = KINDS[kind]
    background = fill or style.fill
    border, width, faint = style.border, style.width, _FAINT_TEXT
    if highlighting and lit:
        border, width = _HIGHLIGHT, 3
    elif not lit:
        background, border, faint = (background if fill else "white"), _DIM, _DIM_TEXT
    if label:
        rows = [f'<TR><TD COLSPAN="2"><B>{_escape(label)}</B></TD></TR>']
    elif box.name:
        rows = [f'<TR><TD COLSPAN="2"><I>{_escape(box.name)}</I></TD></TR>']
    else:
        rows = []
    rows += [
        f'<TR><TD ALIGN="LEFT"><FONT POINT-SIZE="9" COLOR="{faint}">{name}</FONT></TD>'
        f'<TD ALIGN="RIGHT">{_escape(text)}</TD></TR>'
        for name, text in (("data", box.data), ("grad", box.grad))
    ]
    return (
        f'<<TABLE BORDER="{width}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="rounded" '
        f'COLOR="{border}" BGCOLOR="{background}">{"".join(rows)}</TABLE>>'
    )


def tooltip(label: str, kind: str, owner: str, details: str) -> str:
    """A Value's tooltip: 'w: parameter of layers[0] (Layer)', then `details` on lines of their own.

    `owner` is the title of the Module holding it as a parameter, or "".
    """
    text = f"{label}: {kind}" if label else kind
    if owner:
        text += f" of {owner}"
    if details:
        text += "\n" + details
    # Tooltips are Graphviz escStrings: a backslash in a label must stay a backslash.
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def legend_label(
    present: set[str],
    show_local: bool,
    targets: list[Value],
    grad_scale: float | None,
    grouped: bool,
    extra_rows: Sequence[str] = (),
) -> str:
    """The legend, one HTML table: a swatch and its meaning per row, for what the drawing uses.

    `present` are the kinds of box drawn, `targets` the highlighted Values, `grad_scale` the
    largest |grad| when boxes are coloured by grad (else None), `grouped` whether Modules are;
    `extra_rows` (`failure_legend_row`, `note_legend_row`) end it.
    """
    rows = ['<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B></TD></TR>']

    def row(swatch: str, text: str, **cell: str) -> None:
        attrs = "".join(f' {k.upper()}="{v}"' for k, v in cell.items())
        rows.append(f'<TR><TD{attrs}>{swatch}</TD><TD ALIGN="LEFT">{_escape(text)}</TD></TR>')

    for kind, style in KINDS.items():
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
            f'<TD BGCOLOR="{grad_fill(g, scale)}" WIDTH="7"> </TD>' for g in (-scale, -scale / 2, 0.0, scale / 2, scale)
        )
        row(
            f'<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" COLOR="#9ca3af"><TR>{cells}</TR></TABLE>',
            f"grad from -{format_number(scale)} (blue) through 0 to +{format_number(scale)} (red)",
        )
    if targets:
        names = ", ".join(v.label or format_number(v.data) for v in targets)
        row(f'<FONT COLOR="{_HIGHLIGHT}"><B>━━</B></FONT>', f"every path from {names} to the output", align="RIGHT")
    if grouped:
        swatch = {"border": "1", "color": _CLUSTER_BORDER, "bgcolor": _CLUSTER_FILLS[1], "style": "rounded"}
        row(" ", "the Module whose forward pass made them", **swatch)
    rows += extra_rows
    return (
        f'<<FONT POINT-SIZE="9"><TABLE BORDER="1" COLOR="#d1d5db" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        f"{''.join(rows)}</TABLE></FONT>>"
    )


def failure_legend_row() -> str:
    """The legend's row for `failed_edge_attrs`."""
    swatch = f'<FONT COLOR="{_FAILED}"><B>╍╍</B></FONT>'
    text = "stored local derivative ≠ central difference (gradcheck_nodes)"
    return f'<TR><TD ALIGN="RIGHT">{swatch}</TD><TD ALIGN="LEFT">{_escape(text)}</TD></TR>'


def note_legend_row(text: str) -> str:
    """A warning at the foot of the legend, such as that backward has not run."""
    return f'<TR><TD ALIGN="RIGHT"><FONT COLOR="{_NOTE}"><B>!</B></FONT></TD><TD ALIGN="LEFT">{_escape(text)}</TD></TR>'


def _escape(text: str) -> str:
    return html.escape(text, quote=False)
