"""The neuron playground in Jupyter: the ipywidgets box that drives a `PlaygroundNeuron`
(what `NeuronPlayground.widget()` returns), and the HTML it shows.

The maths is the playground's (`chainrule.viz.playground`); this module only shows it:
the neuron drawn by `draw_dot` with its live numbers, the three factors of dL/dw and
their product, the loss against w with its tangent, and the loss history. Ops,
derivatives and numbers are written with `chainrule.notation`.

    >>> pg = PlaygroundNeuron()
    >>> "dz/dw" in factors_html(pg)
    True
"""

from __future__ import annotations

import html
import math
from typing import Any

from ...notation import derivative, format_number
from ..graph import draw_dot, render_svg
from .neuron import PLAYGROUND_ACTIVATIONS, SLOPE_FORMULAS, PlaygroundNeuron

__all__ = ["curve_svg", "drawing_html", "factors_html", "history_html", "panel_html", "playground_widget"]

_CARD = (
    "display:inline-block;border:1px solid #d1d5db;border-radius:8px;padding:4px 12px;text-align:center;min-width:6em"
)
_BIG = "font-size:26px;font-weight:700"
_PLOT = 'width="380" height="230" viewBox="0 0 380 230" style="border:1px solid #e5e7eb;background:#fff"'
_LEFT, _RIGHT, _TOP, _BOTTOM = 46, 370, 12, 200  # the plots' inner box, in SVG units


def factors_html(pg: PlaygroundNeuron) -> str:
    """dL/dw as the product of its three local derivatives, each a large number under its
    formula; then da/dz against its ceiling (a(1 - a) <= 0.25), any warning, and both chains."""
    n = format_number
    cards = [
        (derivative("L", "a"), "2(a - y)", n(pg.dloss_da), ""),
        (derivative("a", "z"), SLOPE_FORMULAS[pg.activation], n(pg.da_dz), ""),
        (derivative("z", "w"), "x", n(pg.dz_dw), ""),
        (derivative("L", "w"), "the gradient", n(pg.grad_w), "border:2px solid #e11d48;color:#be123c;"),
    ]
    parts = []
    for k, (symbol, formula, number, extra) in enumerate(cards):
        parts.append(
            f'<div style="{_CARD};{extra}"><div>{html.escape(symbol)}</div>'
            f'<div style="font-size:12px;color:#6b7280">{html.escape(formula)}</div>'
            f'<div style="{_BIG}">{html.escape(number)}</div></div>'
        )
        if k < 3:
            parts.append(f'<span style="font-size:26px;color:#6b7280;margin:0 6px">{"=" if k == 2 else "·"}</span>')
    share = min(1.0, pg.da_dz / pg.da_dz_max)
    colour = "#f87171" if pg.vanishing or pg.dead else "#60a5fa"
    meter = (
        f'<div style="margin:8px 0;width:28em;background:#f3f4f6;border-radius:4px">'
        f'<div style="width:{100 * share:.1f}%;background:{colour};border-radius:4px;padding:2px 6px;'
        f'white-space:nowrap">{derivative("a", "z")} = {html.escape(SLOPE_FORMULAS[pg.activation])} = '
        f"{n(pg.da_dz)}, never above {n(pg.da_dz_max)}</div></div>"
    )
    warning = pg.warning
    note = (
        f'<div style="border-left:4px solid #dc2626;background:#fef2f2;color:#991b1b;padding:4px 10px">'
        f"{html.escape(warning)}</div>"
        if warning
        else ""
    )
    chains = "".join(f"<div><code>{html.escape(str(pg.explain(p)))}</code></div>" for p in ("w", "b"))
    return f"<div>{''.join(parts)}</div>{meter}{note}{chains}"


def drawing_html(pg: PlaygroundNeuron) -> str:
    """The neuron's graph as `draw_dot` draws it (data and grad in each box, the local
    derivative on each arrow), at the current settings, as inline SVG."""
    svg = render_svg(draw_dot(pg.graph()))
    return svg[svg.index("<svg") :]


def panel_html(pg: PlaygroundNeuron) -> str:
    """The factors (`factors_html`) over the drawing (`drawing_html`)."""
    return factors_html(pg) + drawing_html(pg)


def _frame(u: tuple[float, float], v: tuple[float, float]) -> tuple[Any, Any]:
    """The maps from data (u, v) to the plots' SVG box."""

    def x(value: float) -> float:
        return _LEFT + (value - u[0]) / ((u[1] - u[0]) or 1.0) * (_RIGHT - _LEFT)

    def y(value: float) -> float:
        return _BOTTOM - (value - v[0]) / ((v[1] - v[0]) or 1.0) * (_BOTTOM - _TOP)

    return x, y


def _axes(u: tuple[float, float], v: tuple[float, float], xlabel: str) -> str:
    n = format_number
    return (
        f'<line x1="{_LEFT}" y1="{_BOTTOM}" x2="{_RIGHT}" y2="{_BOTTOM}" stroke="#6b7280"/>'
        f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_BOTTOM}" stroke="#6b7280"/>'
        f'<g font-size="10" fill="#4b5563"><text x="{_LEFT}" y="{_BOTTOM + 14}">{n(u[0])}</text>'
        f'<text x="{_RIGHT}" y="{_BOTTOM + 14}" text-anchor="end">{n(u[1])}</text>'
        f'<text x="{(_LEFT + _RIGHT) / 2}" y="{_BOTTOM + 26}" text-anchor="middle">{xlabel}</text>'
        f'<text x="{_LEFT - 4}" y="{_BOTTOM}" text-anchor="end">{n(v[0])}</text>'
        f'<text x="{_LEFT - 4}" y="{_TOP + 8}" text-anchor="end">{n(v[1])}</text>'
        f'<text x="4" y="{(_TOP + _BOTTOM) / 2}">L</text></g>'
    )


def curve_svg(pg: PlaygroundNeuron, span: tuple[float, float] = (-4.0, 4.0)) -> str:
    """The loss against w over `span` (b and the rest fixed), the current point, and the
    tangent there, whose slope is dL/dw (`grad_w`): the gradient seen as a slope."""
    lo, hi = min(span[0], pg.w), max(span[1], pg.w)
    ws = [lo + (hi - lo) * i / 160 for i in range(161)]
    losses = [pg.loss_at(w) for w in ws]
    top = 1.05 * max(losses) or 1.0
    x, y = _frame((lo, hi), (0.0, top))
    points = " ".join(f"{x(w):.1f},{y(v):.1f}" for w, v in zip(ws, losses))
    reach = (hi - lo) / 6
    tangent = [(pg.w + d, pg.loss + pg.grad_w * d) for d in (-reach, reach)]
    return (
        f'<svg {_PLOT}><defs><clipPath id="cr-curve-clip"><rect x="{_LEFT}" y="{_TOP}" width="{_RIGHT - _LEFT}" '
        f'height="{_BOTTOM - _TOP}"/></clipPath></defs>{_axes((lo, hi), (0.0, top), "w")}'
        f'<g clip-path="url(#cr-curve-clip)">'
        f'<polyline points="{points}" fill="none" stroke="#2563eb" stroke-width="2"/>'
        f'<line x1="{x(tangent[0][0]):.1f}" y1="{y(tangent[0][1]):.1f}" x2="{x(tangent[1][0]):.1f}" '
        f'y2="{y(tangent[1][1]):.1f}" stroke="#e11d48" stroke-width="2"/>'
        f'<circle cx="{x(pg.w):.1f}" cy="{y(pg.loss):.1f}" r="5" fill="#e11d48"/></g></svg>'
    )


def history_html(pg: PlaygroundNeuron) -> str:
    """Every loss since the start as a line, a dashed mark where a setting was moved by hand
    (the history goes on), and the counts and last few losses in words."""
    losses, moves = pg.history, pg.moves
    count = max(len(losses) - 1, 1)
    top = 1.05 * max(losses) or 1.0
    x, y = _frame((0.0, float(count)), (0.0, top))
    marks = "".join(
        f'<line x1="{x(i):.1f}" y1="{y(0):.1f}" x2="{x(i):.1f}" y2="{y(top):.1f}" stroke="#9ca3af" '
        'stroke-dasharray="4 3"/>'
        for i in moves
    )
    points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(losses))
    svg = (
        f"<svg {_PLOT}>{_axes((0.0, float(count)), (0.0, top), 'descent steps and moves')}{marks}"
        f'<polyline points="{points}" fill="none" stroke="#7c3aed" stroke-width="2"/></svg>'
    )
    steps = len(losses) - 1 - len(moves)
    recent = " → ".join(format_number(v) for v in losses[-5:])
    words = (
        f"{steps} descent step{'' if steps == 1 else 's'}, {len(moves)} move{'' if len(moves) == 1 else 's'} "
        f"(dashed lines: a setting moved; the history goes on). Losses: {recent}"
    )
    return f"{svg}<div>{html.escape(words)}</div>"


def playground_widget(pg: PlaygroundNeuron) -> Any:
    """An ipywidgets box driving `pg` (see `NeuronPlayground.widget`): sliders for w, b, x, the
    target and the learning rate, the activation, "descent step" and "10 steps" buttons, and
    the factors, the drawing, the loss against w and the loss history, redrawn on each change."""
    try:
        import ipywidgets as widgets  # type: ignore[import-untyped]  # ships no type information
    except ImportError as exc:
        raise ImportError("NeuronPlayground.show needs ipywidgets: pip install 'chainrule[notebooks]'") from exc

    def slider(value: float, low: float, high: float, description: str) -> Any:
        low, high = min(low, math.floor(value)), max(high, math.ceil(value))
        return widgets.FloatSlider(
            value=value, min=low, max=high, step=0.01, description=description, readout_format=".4g"
        )

    sliders = {
        "w": slider(pg.w, -4.0, 4.0, "w"),
        "b": slider(pg.b, -4.0, 4.0, "b"),
        "x": slider(pg.x, -3.0, 3.0, "x"),
        "target": slider(pg.target, -2.0, 2.0, "target y"),
        "lr": slider(pg.lr, 0.01, 2.0, "learning rate"),
    }
    activation = widgets.Dropdown(options=PLAYGROUND_ACTIVATIONS, value=pg.activation, description="activation")
    step = widgets.Button(description="descent step", tooltip="w ← w - lr·dL/dw, b ← b - lr·dL/db")
    ten = widgets.Button(description="10 steps", tooltip="ten descent steps")
    panel, curve, losses = widgets.HTML(), widgets.HTML(), widgets.HTML()
    moving = False  # the buttons move the sliders; that is not a setting moved by hand

    def refresh() -> None:
        panel.value = panel_html(pg)
        curve.value = curve_svg(pg, (sliders["w"].min, sliders["w"].max))
        losses.value = history_html(pg)

    def setter(name: str) -> Any:
        def on_change(change: Any) -> None:
            if not moving:
                setattr(pg, name, change["new"])
                refresh()

        return on_change

    def on_step(count: int) -> None:
        nonlocal moving
        pg.step(count)
        moving = True
        try:
            for name in ("w", "b"):
                s, value = sliders[name], getattr(pg, name)
                s.min, s.max = min(s.min, math.floor(value)), max(s.max, math.ceil(value))
                s.value = value
        finally:
            moving = False
        refresh()

    for name, control in [*sliders.items(), ("activation", activation)]:
        control.observe(setter(name), names="value")
    step.on_click(lambda _: on_step(1))
    ten.on_click(lambda _: on_step(10))
    refresh()
    controls = widgets.HBox([widgets.VBox([activation, *sliders.values()]), widgets.VBox([step, ten])])
    return widgets.VBox([controls, panel, widgets.HBox([curve, losses])])
