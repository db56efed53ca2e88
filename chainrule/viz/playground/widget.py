"""The neuron playground in a notebook: `PlaygroundWidget`, the anywidget that
`NeuronPlayground.widget()` returns and `.show()` displays.

The maths is the neuron's (`neuron`: `PlaygroundNeuron`), and every number the widget
shows comes from its engine graph: `playground_state` reads them into one dict (the
settings, the forward values, the local derivatives, the gradients, each node's data,
grad and local derivatives, the loss against w with its tangent, the loss history), sent
to the front end as the trait `state`. The front end is the page's
(`viz/pages/assets/playground_view.js` and `playground.css`, package files: nothing is
fetched), and so is the neuron's drawing (`drawing.neuron_drawings`); it formats and
draws the state and derives nothing. Its sliders and menu set the traits `w`, `b`, `x`,
`target`, `lr` and `activation`, and its buttons add to `steps`, the count of descent
steps asked for; each change reaches the playground, which computes the next state.

    >>> pg = PlaygroundNeuron()
    >>> state = playground_state(pg)
    >>> round(state["grad_w"], 4), state["chains"][0]["terms"][1][:2]
    (-0.2115, ['a', 'z'])
"""

from __future__ import annotations

import math
from typing import Any

from ...engine import topological_order
from ..pages import asset_path
from .drawing import neuron_drawings
from .neuron import SLIDER_RANGES, SLOPE_FORMULAS, PlaygroundNeuron

try:
    import anywidget
    import traitlets
except ImportError as exc:  # the widget needs the notebooks extra; the rest of chainrule.viz does not
    raise ImportError("NeuronPlayground.show needs anywidget: pip install 'chainrule[notebooks]'") from exc

__all__ = ["CURVE_POINTS", "PlaygroundWidget", "playground_state"]

CURVE_POINTS = 161
"""How many points of the loss against w the widget draws, across the w slider's range."""

_SETTINGS = ("w", "b", "x", "target", "lr", "activation")


def playground_state(pg: PlaygroundNeuron, ranges: dict[str, tuple[float, float]] | None = None) -> dict[str, Any]:
    """Everything the playground's front end shows for `pg`, every number read from its graph.

    `ranges` are the sliders' (`SLIDER_RANGES` when None); the loss against w is sampled
    at `CURVE_POINTS` points across the w slider's. The keys: `settings`, `ranges`; `z`,
    `a`, `loss`; `dloss_da`, `da_dz`, `da_dz_max`, `dz_dw`, `grad_w`, `grad_b`; `slope`
    (da/dz's formula) and `meter` (da/dz over its ceiling); `warning` (None, or its
    `kind`, 'dead' or 'vanishing', and `text`); `chains`, the chain rule for dL/dw and
    dL/db as `explain` writes it (`upper`, `lower`, `terms` as [upper, lower, number],
    `gradient`); `nodes`, each node's `data`, `grad` and `local` derivatives in
    `topological_order` (the drawing's numbering); `curve` (`points`, `tangent`,
    `point`); `history`, `moves` and `steps`, the count of descent steps.
    """
    ranges = dict(SLIDER_RANGES if ranges is None else ranges)
    lo, hi = ranges["w"]
    ws = [lo + (hi - lo) * i / (CURVE_POINTS - 1) for i in range(CURVE_POINTS)]
    reach = (hi - lo) / 6
    warning = None
    if pg.warning is not None:
        warning = {"kind": "dead" if pg.dead else "vanishing", "text": pg.warning}
    return {
        "settings": {name: getattr(pg, name) for name in _SETTINGS},
        "ranges": {name: list(span) for name, span in ranges.items()},
        "z": pg.z,
        "a": pg.a,
        "loss": pg.loss,
        "dloss_da": pg.dloss_da,
        "da_dz": pg.da_dz,
        "da_dz_max": pg.da_dz_max,
        "dz_dw": pg.dz_dw,
        "grad_w": pg.grad_w,
        "grad_b": pg.grad_b,
        "slope": SLOPE_FORMULAS[pg.activation],
        "meter": min(1.0, pg.da_dz / pg.da_dz_max),
        "warning": warning,
        "chains": [_chain(pg, "w"), _chain(pg, "b")],
        "nodes": [
            {"data": v.data, "grad": v.grad, "local": list(v.local_grads)} for v in topological_order(pg.graph())
        ],
        "curve": {
            "points": [[w, pg.loss_at(w)] for w in ws],
            "tangent": [[pg.w + d, pg.loss + pg.grad_w * d] for d in (-reach, reach)],
            "point": [pg.w, pg.loss],
        },
        "history": list(pg.history),
        "moves": list(pg.moves),
        "steps": len(pg.history) - 1 - len(pg.moves),
    }


def _chain(pg: PlaygroundNeuron, parameter: str) -> dict[str, Any]:
    """The one path of `pg.explain(parameter)`, as its text writes it: names and numbers."""
    explanation = pg.explain(parameter)
    (path,) = explanation.paths  # the neuron has one path from L to w, and one to b
    name = explanation.names
    return {
        "upper": name[explanation.output],
        "lower": name[explanation.leaf],
        "terms": [[name[u], name[lo], number] for u, lo, number in path.terms],
        "gradient": explanation.gradient,
    }


class PlaygroundWidget(anywidget.AnyWidget):
    """The neuron `playground` (a `PlaygroundNeuron`, or the `NeuronPlayground` whose `widget()`
    made it) as a notebook widget: sliders for w, b, x, the target and
    the learning rate, the activation, "descent step" and "10 steps", the three factors of
    dL/dw and their product, the neuron's drawing with its numbers, the loss against w with
    its tangent and the loss history.

    The traits are the controls: set `w` (or `b`, `x`, `target`, `lr`, `activation`) and the
    playground moves as if the slider had; add to `steps` and it takes that many descent
    steps (`.step(n)` does). `state` is what the front end draws (`playground_state`).
    A refused setting raises the playground's own error and changes nothing.

        >>> widget = PlaygroundWidget(PlaygroundNeuron())   # doctest: +SKIP
        >>> widget.w = 1.0                                   # doctest: +SKIP
    """

    _esm = asset_path("playground_view.js")
    _css = asset_path("playground.css")

    w = traitlets.Float().tag(sync=True)
    b = traitlets.Float().tag(sync=True)
    x = traitlets.Float().tag(sync=True)
    target = traitlets.Float().tag(sync=True)
    lr = traitlets.Float().tag(sync=True)
    activation = traitlets.Unicode().tag(sync=True)
    steps = traitlets.Int(0).tag(sync=True)
    state = traitlets.Dict().tag(sync=True)
    drawings = traitlets.Unicode().tag(sync=True)

    def __init__(self, playground: PlaygroundNeuron) -> None:
        if not isinstance(playground, PlaygroundNeuron):
            raise TypeError(
                f"PlaygroundWidget: playground must be a NeuronPlayground or PlaygroundNeuron, "
                f"got {type(playground).__name__}"
            )
        self.playground = playground
        self._ranges = dict(SLIDER_RANGES)
        self._echoing = True  # the traits take the playground's settings: no move
        super().__init__(**{name: getattr(playground, name) for name in _SETTINGS})
        self.drawings = neuron_drawings(playground)
        self._echoing = False
        self._refresh()

    def step(self, count: int = 1) -> float:
        """`count` descent steps, as the buttons take them; returns the last loss."""
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"PlaygroundWidget.step: count must be a positive int, got {count!r}")
        self.steps += count
        return self.playground.history[-1]

    @traitlets.validate(*_SETTINGS)
    def _check(self, proposal: Any) -> Any:
        # A probe playground checks the value with the playground's own words, before anything moves.
        PlaygroundNeuron(**{proposal["trait"].name: proposal["value"]})
        return proposal["value"]

    @traitlets.observe(*_SETTINGS)
    def _on_setting(self, change: Any) -> None:
        if self._echoing:
            return
        setattr(self.playground, change["name"], change["new"])
        self._refresh()

    @traitlets.observe("steps")
    def _on_steps(self, change: Any) -> None:
        count = change["new"] - change["old"]
        if self._echoing or count < 1:  # a count going back is a stale message: nothing to do
            return
        self.playground.step(count)
        self._echoing = True  # w and b moved by descent, not by hand
        try:
            self.w, self.b = self.playground.w, self.playground.b
        finally:
            self._echoing = False
        self._refresh()

    def _refresh(self) -> None:
        """Widen the sliders to hold the settings, then send the new state."""
        for name, (lo, hi) in self._ranges.items():
            value = getattr(self.playground, name)
            self._ranges[name] = (math.floor(value) if value < lo else lo, math.ceil(value) if value > hi else hi)
        self.state = playground_state(self.playground, self._ranges)
