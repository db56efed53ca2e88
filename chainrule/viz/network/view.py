"""The network view: an MLP drawn neuron by neuron, `draw_network`, and `network_graph`, the
same drawing with each neuron's texts chosen by the caller (the network stepper's).

One node per input and per neuron, one column per layer, one arrow per weight: its colour
is the weight's sign (teal positive, orange negative) and its width its size. Each neuron
shows its bias; given a graph built by calling the model, it shows its z and a for one
sample and, once backward has run, its δ = dLoss/dz, and each arrow's tooltip adds
dLoss/dw. Every number is read by `chainrule.nn.layer_terms` from the graph.

A scalar drawing (`draw_dot`) of `MLP(2, [16, 16, 1])` has thousands of boxes; this one has
35 nodes and 304 arrows whatever the batch, and Graphviz lays it out in a fraction of a second.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

from ...engine import Value
from ...engine.checks import instance_of
from ...nn import Layer, LayerTerms, Module, layer_terms
from ...notation import format_number
from ..graph import check_rankdir, digraph_class
from .layers import model_layers

if TYPE_CHECKING:
    import graphviz

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "NeuronText",
    "draw_network",
    "edge_width",
    "network_graph",
    "weight_color",
]

POSITIVE, NEGATIVE = "#0d9488", "#ea580c"  # teal and orange: apart from the steppers' blue and red
_ZERO = "#9ca3af"
_FONT = "Helvetica,Arial,sans-serif"
_MIN_WIDTH, _MAX_WIDTH = 0.4, 4.0  # arrow widths in points, for |w| = 0 and the largest |w|
# The widest picture Graphviz makes, in inches: a notebook cell shows about 10 inches at 96 dpi.
_FIT = "9.5,100"


class NeuronText(NamedTuple):
    """The rows of one node after its name: (row name, text) pairs such as ("z", "0.73"),
    and its tooltip."""

    rows: tuple[tuple[str, str], ...]
    tooltip: str


def draw_network(model: Module, root: Value | None = None, *, sample: int = 0, rankdir: str = "LR") -> graphviz.Digraph:
    """Draw `model` (an MLP or any stack of Layers) neuron by neuron as a `graphviz.Digraph`.

    Inputs and neurons are nodes in one column per layer; each weight is an arrow whose
    colour is its sign (teal +, orange -) and width its size; each neuron shows its bias b.
    With `root`, a graph built by calling `model`, each node shows its values for sample
    number `sample`: the inputs x, each neuron's z and a, and once `root.backward()` has
    run its δ = dLoss/dz; each arrow's tooltip gives its parameter's name as in
    `named_parameters()` (`layers.1.neurons.2.w.0`), value and, after backward, dLoss/dw.
    The same model and graph give the same drawing, byte for byte.

        >>> model = MLP(2, [16, 16, 1], seed=0)
        >>> loss = mse_loss([model(x)[0] for x in X], y); loss.backward()
        >>> draw_network(model, loss)   # doctest: +SKIP
    """
    instance_of(model, Module, "draw_network", "model")
    if root is not None:
        instance_of(root, Value, "draw_network", "root")
    check_rankdir(rankdir, "draw_network")
    layers = model_layers(model, "draw_network")
    terms = layer_terms(model, root, sample) if root is not None else None
    texts = _texts(layers, terms)
    grads = [t.weight_grads for t in terms] if terms is not None else None
    subtitle = f"values for sample {sample}" if terms is not None else ""
    return network_graph(model, texts, grads, rankdir=rankdir, subtitle=subtitle)


def weight_color(w: float) -> str:
    """An arrow's colour: teal for a positive weight, orange for a negative one, grey for 0."""
    return POSITIVE if w > 0 else NEGATIVE if w < 0 else _ZERO


def edge_width(w: float, scale: float) -> float:
    """An arrow's width in points, from 0.4 for w = 0 to 4 for |w| = scale (the largest |w|);
    a weight that is not finite (a diverged run's nan or inf) gets the thinnest, 0.4."""
    share = min(abs(w) / scale, 1.0) if scale > 0 and math.isfinite(w) else 0.0
    return round(_MIN_WIDTH + (_MAX_WIDTH - _MIN_WIDTH) * share, 2)


def network_graph(
    model: Module,
    texts: Callable[[str], NeuronText],
    grads: list[list[list[float]] | None] | None,
    *,
    rankdir: str = "LR",
    subtitle: str = "",
    svg_ids: bool = False,
) -> graphviz.Digraph:
    """The drawing `draw_network` makes, each node's rows given by `texts(node_id)`: for pages
    that fill them in themselves. Node ids are x<j> for input j and n<l>_<k> for neuron k of
    layer l; the arrow of weight j of that neuron is w<l>_<k>_<j> (an SVG id with `svg_ids`).
    `grads[l][k][j]` is that weight's dLoss/dw, for its tooltip, or None."""
    import graphviz as gv  # here: importing chainrule.viz needs no graphviz

    layers = model_layers(model, "draw_network")
    params = dict(model.named_parameters())
    names = {v: name for name, v in params.items()}
    scale = max((abs(w.data) for _, layer in layers for n in layer.neurons for w in n.w), default=0.0)
    graph = digraph_class()(  # shown in Jupyter, or GraphvizNotFound with install advice
        name="network",
        graph_attr={"rankdir": rankdir, "splines": "line", "nodesep": "0.06", "ranksep": "1.1", "size": _FIT},
        node_attr={"shape": "plain", "fontname": _FONT, "fontsize": "9"},
        edge_attr={"arrowhead": "none"},
    )
    columns = [("input", "", [f"x{j}" for j in range(layers[0][1].nin)])]
    columns += [
        (name, layer.activation, [f"n{i}_{k}" for k in range(layer.nout)]) for i, (name, layer) in enumerate(layers)
    ]
    for c, (title, activation, ids) in enumerate(columns):
        with graph.subgraph(name=f"column_{c}") as column:
            column.attr(rank="same")
            heading = title if not activation else f"{title} ({activation})"
            column.node(f"title_{c}", html.escape(heading), shape="plaintext", fontcolor="#475569")
            for k, node_id in enumerate(ids):
                text = texts(node_id)
                attrs = {"id": node_id} if svg_ids else {}
                column.node(
                    node_id, _label(node_id, k, text), tooltip=gv.nohtml(_escape_tooltip(text.tooltip)), **attrs
                )
            # Within a column, these unseen arrows keep the heading on top and the neurons in order.
            for above, below in zip([f"title_{c}", *ids], ids):
                column.edge(above, below, style="invis")
    for i, (_, layer) in enumerate(layers):
        tails = columns[i][2]
        for k, neuron in enumerate(layer.neurons):
            for j, w in enumerate(neuron.w):
                layer_grads = grads[i] if grads is not None else None
                grad = layer_grads[k][j] if layer_grads is not None else None
                tip = f"{names.get(w, f'w{j}')} = {format_number(w.data)}"
                if grad is not None:
                    tip += f"\\ndLoss/dw = {format_number(grad)}"
                graph.edge(
                    tails[j],
                    f"n{i}_{k}",
                    color=weight_color(w.data),
                    penwidth=str(edge_width(w.data, scale)),
                    tooltip=gv.nohtml(tip),
                    tailport="e",
                    headport="w",
                    **({"id": f"w{i}_{k}_{j}"} if svg_ids else {}),
                )
    graph.attr(label=_legend(scale, subtitle, grads is not None), labelloc="b", labeljust="l", fontname=_FONT)
    drawing: graphviz.Digraph = graph
    return drawing


def _texts(layers: list[tuple[str, Layer]], terms: list[LayerTerms] | None) -> Callable[[str], NeuronText]:
    """What draw_network's nodes show: each neuron's bias and, with a graph, its z, a and δ."""
    out: dict[str, NeuronText] = {}
    for j in range(layers[0][1].nin):
        shown = (("x", format_number(terms[0].a_prev[j])),) if terms is not None else ()
        out[f"x{j}"] = NeuronText(shown, f"input x{j}")
    for i, (name, layer) in enumerate(layers):
        for k, neuron in enumerate(layer.neurons):
            rows: list[tuple[str, str]] = []
            if terms is not None:
                t = terms[i]
                rows += [("z", format_number(t.z[k])), ("a", format_number(t.a[k]))]
                if t.delta is not None:
                    rows.append(("δ", format_number(t.delta[k])))
            rows.append(("b", format_number(neuron.b.data)))
            tip = f"{name}.neurons.{k} ({neuron.activation})" + "".join(f"\n{r} = {v}" for r, v in rows)
            out[f"n{i}_{k}"] = NeuronText(tuple(rows), tip)
    return out.__getitem__


def _label(node_id: str, k: int, text: NeuronText) -> str:
    """A node's box: its number (x<j> for an input), then its rows two to a line."""
    name = f"x{k}" if node_id.startswith("x") else f"{k}"
    fill = "#ccfbf1" if node_id.startswith("x") else "#ffffff"
    cells = [
        f'<TD ALIGN="LEFT" WIDTH="8"><FONT COLOR="#6b7280">{html.escape(r)}</FONT></TD>'
        f'<TD ALIGN="RIGHT" WIDTH="40">{html.escape(v)}</TD>'
        for r, v in text.rows
    ]
    lines = ["".join(cells[i : i + 2]) for i in range(0, len(cells), 2)]
    rows = [f'<TR><TD COLSPAN="4"><B>{html.escape(name)}</B></TD></TR>'] + [f"<TR>{line}</TR>" for line in lines]
    return (
        f'<<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" STYLE="rounded" '
        f'COLOR="#4b5563" BGCOLOR="{fill}">{"".join(rows)}</TABLE>>'
    )


def _escape_tooltip(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _legend(scale: float, subtitle: str, with_grads: bool) -> str:
    def row(swatch: str, text: str) -> str:
        return f'<TR><TD ALIGN="RIGHT">{swatch}</TD><TD ALIGN="LEFT">{html.escape(text)}</TD></TR>'

    rows = [f'<TR><TD COLSPAN="2" ALIGN="LEFT"><B>Legend</B> {html.escape(subtitle)}</TD></TR>']
    rows.append(row(f'<FONT COLOR="{POSITIVE}"><B>━━</B></FONT>', "positive weight"))
    rows.append(row(f'<FONT COLOR="{NEGATIVE}"><B>━━</B></FONT>', "negative weight"))
    rows.append(row("width", f"|w|, thickest for the largest, {format_number(scale)}"))
    rows.append(row("z, a", "weighted sum w · a(prev) + b, activation a = σ(z)"))
    rows.append(row("δ", "dLoss/dz, after backward (tooltips: dLoss/dw)" if with_grads else "dLoss/dz, after backward"))
    rows.append(row("b", "the neuron's bias"))
    return (
        '<<FONT POINT-SIZE="9"><TABLE BORDER="1" COLOR="#d1d5db" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        f"{''.join(rows)}</TABLE></FONT>>"
    )
