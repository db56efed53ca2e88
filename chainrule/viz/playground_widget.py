"""The neuron playground in Jupyter: its numbers and its loss history as HTML, and the
ipywidgets box that drives a `NeuronPlayground` (what `NeuronPlayground.widget()` returns).

The maths is the playground's (`chainrule.viz.playground`); this module only shows it,
and writes ops, derivatives and numbers with `chainrule.notation`.

    >>> pg = NeuronPlayground()
    >>> "dz/dw = x" in panel_html(pg)
    True
"""

from __future__ import annotations

import html
import math
from typing import Any

from ..notation import derivative, expression, format_number
from .playground import PLAYGROUND_ACTIVATIONS, NeuronPlayground

__all__ = ["history_html", "panel_html", "playground_widget"]

# da/dz of each activation as a formula in a and z; its number comes from the graph.
_SLOPE = {"sigmoid": "a(1 - a)", "tanh": "1 - a²", "relu": "1 if z > 0, else 0", "linear": "1"}


def panel_html(pg: NeuronPlayground) -> str:
    """The forward values, the local derivatives and the gradients as an HTML table, each a
    formula and its numbers, then the chain rule for dL/dw and dL/db (`pg.explain`)."""
    n, f = format_number, pg.activation
    error = expression("-", ["a", "y"])
    slope = n(pg.da_dz) + (f" (at most {n(pg.da_dz_max)})" if f == "sigmoid" else "")
    rows = [
        (f"z = {expression('linear', ['w', 'x', 'b'])}", f"{n(pg.w)} · {n(pg.x)} + {n(pg.b)} = {n(pg.z)}"),
        (f"a = {'z' if f == 'linear' else expression(f, ['z'])}", n(pg.a)),  # linear: a is z itself
        (f"L = {expression('**2', [error])}", f"({n(pg.a)} - {n(pg.target)})² = {n(pg.loss)}"),
        (f"{derivative('L', 'a')} = 2({error})", n(pg.dloss_da)),
        (f"{derivative('a', 'z')} = {_SLOPE[f]}", slope),
        (f"{derivative('z', 'w')} = x", n(pg.dz_dw)),
        (f"{derivative('z', 'b')} = 1", n(pg.dz_db)),
    ]
    cells = [f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>" for k, v in rows]
    if pg.vanishing:
        cells[4] = cells[4].replace(
            "</td></tr>",
            f' <b style="color:#c00">small (below {pg.small_factor:g}): the gradient barely gets through;'
            " this is where vanishing gradients begin</b></td></tr>",
        )
    chains = "".join(f"<div><code>{html.escape(str(pg.explain(p)))}</code></div>" for p in ("w", "b"))
    return f"<table>{''.join(cells)}</table>{chains}"


def history_html(pg: NeuronPlayground) -> str:
    """The losses since w, b or the activation were last set: a small inline SVG line and the last few numbers."""
    losses = pg.history
    top = max(losses) or 1.0
    width, height = 240, 60
    step = width / max(len(losses) - 1, 1)
    points = " ".join(f"{i * step:.1f},{height - height * v / top:.1f}" for i, v in enumerate(losses))
    svg = (
        f'<svg width="{width}" height="{height}" style="border:1px solid #ccc">'
        f'<polyline points="{points}" fill="none" stroke="#c00" stroke-width="2"/></svg>'
    )
    recent = " → ".join(format_number(v) for v in losses[-6:])
    steps = len(losses) - 1
    return f"<div>loss after {steps} step{'' if steps == 1 else 's'}: {html.escape(recent)}</div>{svg}"


def playground_widget(pg: NeuronPlayground) -> Any:
    """An ipywidgets box driving `pg`: sliders for w and b, a menu of activations, the panel of
    numbers, a descent-step button and the loss history (see `NeuronPlayground.widget`)."""
    try:
        import ipywidgets as widgets  # type: ignore[import-untyped]  # ships no type information
    except ImportError as exc:
        raise ImportError("NeuronPlayground.show needs ipywidgets: pip install 'chainrule[notebooks]'") from exc

    def slider(name: str, value: float) -> Any:
        reach = max(4.0, math.ceil(abs(value)))
        return widgets.FloatSlider(
            value=value, min=-reach, max=reach, step=0.01, description=name, readout_format=".2f"
        )

    w_slider, b_slider = slider("w", pg.w), slider("b", pg.b)
    activation = widgets.Dropdown(options=PLAYGROUND_ACTIVATIONS, value=pg.activation, description="activation")
    button = widgets.Button(description="descent step", tooltip="w ← w - lr·dL/dw, b ← b - lr·dL/db")
    panel, losses = widgets.HTML(), widgets.HTML()
    moving_sliders = False  # the button moves the sliders; that is not a hand-set w or b

    def refresh() -> None:
        panel.value = panel_html(pg)
        losses.value = history_html(pg)

    def on_change(change: Any) -> None:
        if moving_sliders:
            return
        pg.w, pg.b, pg.activation = w_slider.value, b_slider.value, activation.value
        refresh()

    def on_step(_: Any) -> None:
        nonlocal moving_sliders
        pg.step()
        moving_sliders = True
        try:
            for s, value in ((w_slider, pg.w), (b_slider, pg.b)):
                reach = max(s.max, math.ceil(abs(value)))
                s.min, s.max = -reach, reach
                s.value = value
        finally:
            moving_sliders = False
        refresh()

    for control in (w_slider, b_slider, activation):
        control.observe(on_change, names="value")
    button.on_click(on_step)
    refresh()
    return widgets.VBox([widgets.HBox([w_slider, b_slider, activation]), panel, button, losses])
